-- migrate: before 0020
-- The trigger (migration 0020) that remembers a session's time before its first move:
-- a booking whose start changes gets a booking_asked row with its old start, reason
-- 'rescheduled', unless it has one already (the time asked for when it was booked).
CREATE OR REPLACE FUNCTION booking_asked_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO booking_asked (booking_id, asked_at, reason)
    VALUES (NEW.id, lower(OLD.during), 'rescheduled')
    ON CONFLICT (booking_id) DO NOTHING;
    RETURN NULL;
END $$;
