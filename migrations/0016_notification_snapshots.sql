-- Each notification's content is fixed when the change happens: a BEFORE INSERT
-- trigger writes what the mail will say into the row's payload ('snapshot', see
-- functions/notification_snapshot_of.sql), in the same transaction as the change, so
-- that a booking moved twice and cancelled within a second still gets four mails that
-- each describe their own change.  Rows not sent yet get theirs now (as things are).
CREATE TRIGGER notifications_snapshot BEFORE INSERT ON notifications
    FOR EACH ROW EXECUTE FUNCTION notification_snapshot();

UPDATE notifications n SET payload = n.payload || jsonb_build_object('snapshot', s.snap)
FROM (SELECT id, notification_snapshot_of(kind, booking_id, series_id, waitlist_id, payload) AS snap
      FROM notifications WHERE status <> 'sent' AND NOT payload ? 'snapshot') s
WHERE s.id = n.id AND s.snap IS NOT NULL;
