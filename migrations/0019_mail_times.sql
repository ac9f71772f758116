-- Mails that are right, the times (issue 14, item 4): reminders per clinic, the
-- "this week" mail for plans, reminders that no longer hold, the patient's time zone.
--
-- clinics.reminder_hours: how many hours before a session its reminder goes (NULL: the
-- worker's reminder_hours).  clinics.week_mail_hour: the local hour on Monday from which
-- a plan's "this week" mail goes (NULL: none; the default 8 is 08:00).
ALTER TABLE clinics
    ADD COLUMN reminder_hours integer CHECK (reminder_hours BETWEEN 1 AND 168),
    ADD COLUMN week_mail_hour integer DEFAULT 8 CHECK (week_mail_hour BETWEEN 0 AND 23);

-- The patient's own time zone (an IANA name, checked by the service), given when the
-- booking or plan was made; NULL when not given.  The booking's or plan's first
-- notification carries it (payload 'patient_tz') and notification_keep_patient_tz
-- stores it here, in the same statement, so that book_slot keeps its signature.
ALTER TABLE bookings ADD COLUMN patient_tz text CHECK (length(patient_tz) <= 64);
ALTER TABLE booking_series ADD COLUMN patient_tz text CHECK (length(patient_tz) <= 64);

-- A reminder whose booking was cancelled or moved after it was queued is not mailed:
-- 'skipped', with why in last_error (the staff's list of notifications shows it).
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check,
    ADD CONSTRAINT notifications_status_check
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped'));

INSERT INTO notification_kinds (kind) VALUES ('week_ahead');

-- Runs after notifications_snapshot (triggers of one event fire in name order).
CREATE TRIGGER notifications_snapshot_zone BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notification_snapshot_zone();
CREATE TRIGGER notifications_keep_patient_tz AFTER INSERT ON notifications
    FOR EACH ROW WHEN (NEW.payload ? 'patient_tz')
    EXECUTE FUNCTION notification_keep_patient_tz();
