-- migrate: before 0019
-- Stores the patient's time zone that a new booking's or plan's notification carries
-- (payload 'patient_tz') with the booking, or the plan and its sessions, once: an AFTER
-- INSERT trigger, so that it runs at the end of the statement that wrote the booking
-- and its notification together (book_slot) and sees the booking.
CREATE OR REPLACE FUNCTION notification_keep_patient_tz() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text := NEW.payload->>'patient_tz';
BEGIN
    IF NEW.kind = 'booking_confirmed' AND NEW.booking_id IS NOT NULL THEN
        UPDATE bookings SET patient_tz = zone WHERE id = NEW.booking_id AND patient_tz IS NULL;
    ELSIF NEW.kind = 'series_confirmed' AND NEW.series_id IS NOT NULL THEN
        UPDATE booking_series SET patient_tz = zone
            WHERE id = NEW.series_id AND patient_tz IS NULL;
        UPDATE bookings SET patient_tz = zone
            WHERE series_id = NEW.series_id AND patient_tz IS NULL;
    END IF;
    RETURN NULL;
END $$;
