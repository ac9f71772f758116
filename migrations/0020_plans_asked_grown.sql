-- A plan's sessions that are not at the time first asked for (issue 14): a date the
-- plan booked at the nearest free time because the asked one could not be had (with
-- why, recorded when the plan is made or sessions are added), or a session moved later
-- (the time it had before its first move, written by the trigger below, whoever moved
-- it).  The first record of a session is kept: it names the time the patient asked for.
CREATE TABLE booking_asked (
    booking_id uuid PRIMARY KEY REFERENCES bookings ON DELETE CASCADE,
    asked_at   timestamptz NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('time_off', 'past_horizon', 'inside_notice',
                   'outside_hours', 'taken', 'no_free_time_near', 'clock_change',
                   'rescheduled')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER bookings_asked AFTER UPDATE OF during ON bookings
    FOR EACH ROW WHEN (lower(OLD.during) IS DISTINCT FROM lower(NEW.during))
    EXECUTE FUNCTION booking_asked_keep();

-- A single booking that grew into a plan (sessions added after it, from its page).
INSERT INTO notification_kinds (kind) VALUES ('series_grown');
