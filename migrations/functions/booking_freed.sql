-- migrate: before 0008
-- After booking p_id was moved or cancelled: writes its notification (p_kind, payload
-- p_notice, to p_recipient of p_clinic, once per p_dedupe) and offers the time it
-- freed to the waitlist (waitlist_offer_freed's parameters).
CREATE OR REPLACE FUNCTION booking_freed(
    p_id uuid, p_clinic uuid, p_recipient citext, p_kind text, p_notice jsonb, p_dedupe text,
    p_practitioner uuid, p_freed_start bigint, p_freed_length bigint, p_freed_when text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)
    VALUES (p_clinic, p_kind, p_id, p_recipient, p_notice, p_dedupe)
    ON CONFLICT (dedupe_key) DO NOTHING;
    PERFORM waitlist_offer_freed(p_practitioner, p_freed_start, p_freed_length, p_freed_when);
END $$;
