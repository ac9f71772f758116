-- migrate: before 0008
-- After a cancellation or a move frees [p_start, p_start + p_length) (Unix seconds):
-- the first patient waiting for this practitioner whose window holds the freed time
-- and whose service fits in it is offered the slot, and told (p_when: the start as
-- the service writes it, in the practitioner's zone).  True when someone was offered.
CREATE OR REPLACE FUNCTION waitlist_offer_freed(p_practitioner uuid, p_start bigint, p_length bigint,
                                     p_when text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    offer record;
BEGIN
    UPDATE waitlist_entries w SET status = 'offered', offered_at = now(),
        offered_start = to_timestamp(p_start)
    WHERE w.id = (SELECT w2.id FROM waitlist_entries w2 JOIN services s ON s.id = w2.service_id
        WHERE w2.practitioner_id = p_practitioner AND w2.status = 'waiting'
        AND to_timestamp(p_start) >= w2.window_start AND to_timestamp(p_start) < w2.window_end
        AND s.duration_minutes * 60 <= p_length
        -- the time must really be free now (a move may have kept part of it)
        AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.practitioner_id = p_practitioner
            AND b.status <> 'cancelled' AND b.blocked && tstzrange(to_timestamp(p_start),
            to_timestamp(p_start) + make_interval(mins => s.duration_minutes
                                                  + s.buffer_after_minutes)))
        ORDER BY w2.created_at, w2.id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING w.id, w.clinic_id, w.patient_email, w.service_id INTO offer;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO notifications (clinic_id, kind, waitlist_id, recipient, payload, dedupe_key)
    VALUES (offer.clinic_id, 'waitlist_offer', offer.id, offer.patient_email,
            jsonb_build_object('start', p_when, 'practitioner_id', p_practitioner,
                               'service_id', offer.service_id),
            'waitlist_offer:' || offer.id || ':' || p_start)
    ON CONFLICT (dedupe_key) DO NOTHING;
    RETURN true;
END $$;
