-- migrate: before 0016
-- The trigger (migration 0016) that fixes what a notification says when it is
-- written: in the transaction of the change, right after it, the row's payload gets
-- 'snapshot' (notification_snapshot_of), and the worker composes the mail from that
-- alone, never from the booking as it is when the mail goes out.  A payload that
-- carries a snapshot already keeps it.
CREATE OR REPLACE FUNCTION notification_snapshot() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    snap jsonb;
BEGIN
    IF NOT coalesce(NEW.payload ? 'snapshot', false) THEN
        snap := notification_snapshot_of(NEW.kind, NEW.booking_id, NEW.series_id,
                                         NEW.waitlist_id, NEW.payload);
        IF snap IS NOT NULL THEN
            NEW.payload := coalesce(NEW.payload, '{}'::jsonb) || jsonb_build_object('snapshot', snap);
        END IF;
    END IF;
    RETURN NEW;
END $$;
