-- migrate: before 0008
-- Cancels open booking p_id (by 'patient' or 'staff', with an optional reason), then
-- booking_freed (booking_cancelled, payload p_notice).  False when the booking is not
-- open any more.
CREATE OR REPLACE FUNCTION booking_cancel(p_id uuid, p_by text, p_reason text, p_notice jsonb,
                               p_practitioner uuid, p_freed_start bigint,
                               p_freed_length bigint, p_freed_when text)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    clinic uuid;
    recipient citext;
BEGIN
    UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = p_by,
        cancel_reason = p_reason, updated_at = now()
    WHERE id = p_id AND status = 'booked'
    RETURNING clinic_id, patient_email INTO clinic, recipient;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM booking_freed(p_id, clinic, recipient, 'booking_cancelled', p_notice,
        'booking_cancelled:' || p_id, p_practitioner, p_freed_start, p_freed_length,
        p_freed_when);
    RETURN true;
END $$;
