-- migrate: before 0019
-- Adds the patient's time zone to a notification's snapshot (after
-- notification_snapshot wrote it, in the same BEFORE INSERT): the payload's
-- 'patient_tz' when the change carries one (a new booking or plan), else the one stored
-- with the booking or its plan.  Nothing when there is no snapshot or no zone.
CREATE OR REPLACE FUNCTION notification_snapshot_zone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text;
BEGIN
    IF jsonb_typeof(NEW.payload->'snapshot') = 'object' THEN
        zone := NEW.payload->>'patient_tz';
        IF zone IS NULL THEN
            SELECT coalesce(b.patient_tz, s.patient_tz) INTO zone
            FROM bookings b LEFT JOIN booking_series s ON s.id = b.series_id
            WHERE b.id = coalesce(NEW.booking_id, (NEW.payload->'snapshot'->>'booking_id')::uuid);
        END IF;
        IF zone IS NULL AND NEW.series_id IS NOT NULL THEN
            SELECT s.patient_tz INTO zone FROM booking_series s WHERE s.id = NEW.series_id;
        END IF;
        IF zone IS NOT NULL THEN
            NEW.payload := jsonb_set(NEW.payload, '{snapshot,patient_tz}', to_jsonb(zone));
        END IF;
    END IF;
    RETURN NEW;
END $$;
