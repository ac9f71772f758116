-- migrate: before 0008
-- Moves open booking p_id to a new time (and location) in one UPDATE, so the old time
-- is released only if the new one is taken (else exclusion_violation, and nothing
-- changed), then booking_freed (booking_rescheduled, payload p_notice), then the
-- move's audit row ('reschedule_booking', as the patient: only the holder's
-- reschedule calls it; request p_request_id), last.  Takes the practitioner's lock
-- (p_lock_practitioner, as book_slot) first.  False when the booking is not open any
-- more.  (Migration 0013 added p_request_id and the audit row.)
CREATE OR REPLACE FUNCTION booking_move(
    p_lock_practitioner text, p_id uuid, p_start bigint, p_end bigint,
    p_blocked_start bigint, p_blocked_end bigint, p_location uuid, p_notice jsonb,
    p_practitioner uuid, p_freed_start bigint, p_freed_length bigint, p_freed_when text,
    p_request_id text DEFAULT NULL)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    moved record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_practitioner, 0));
    UPDATE bookings SET during = tstzrange(to_timestamp(p_start), to_timestamp(p_end)),
        blocked = tstzrange(to_timestamp(p_blocked_start), to_timestamp(p_blocked_end)),
        location_id = p_location, reschedule_count = reschedule_count + 1, updated_at = now()
    WHERE id = p_id AND status = 'booked'
    RETURNING clinic_id, patient_email, reschedule_count INTO moved;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    -- (the count just written: two moves at once each get a notification)
    PERFORM booking_freed(p_id, moved.clinic_id, moved.patient_email, 'booking_rescheduled',
        p_notice, 'booking_rescheduled:' || p_id || ':' || moved.reschedule_count,
        p_practitioner, p_freed_start, p_freed_length, p_freed_when);
    INSERT INTO audit_log (actor_type, clinic_id, action, resource_type, resource_id,
                           patient_data, request_id, outcome, detail)
    VALUES ('patient', moved.clinic_id, 'reschedule_booking', 'booking', p_id::text, true,
            p_request_id, 'success',
            jsonb_build_object('from', p_notice->'from', 'to', p_notice->'to'));
    RETURN true;
END $$;
