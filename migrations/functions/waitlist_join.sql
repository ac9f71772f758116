-- migrate: before 0013
-- Joins the waitlist in one statement: under the contact's lock (p_lock_contact, the
-- key book_slot takes), refuses ('limit', nothing written) when the contact already
-- has p_max_waiting entries waiting at the clinic for windows not over yet (NULL: no
-- limit), else writes the entry and its audit row ('join_waitlist') and answers
-- 'waiting' with the entry's id.
CREATE OR REPLACE FUNCTION waitlist_join(
    p_lock_contact text, p_max_waiting integer, p_clinic uuid, p_practitioner uuid,
    p_service uuid, p_from bigint, p_to bigint, p_name text, p_email citext, p_phone text,
    p_token_hash bytea, p_request_id text, OUT outcome text, OUT entry_id uuid)
LANGUAGE plpgsql AS $$
DECLARE
    k text := contact_key(p_email::text);
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_contact, 0));
    IF p_max_waiting IS NOT NULL
       AND (SELECT count(*) FROM waitlist_entries w WHERE w.clinic_id = p_clinic
            AND w.contact = k AND w.status = 'waiting' AND w.window_end > now()) >= p_max_waiting THEN
        outcome := 'limit';
        RETURN;
    END IF;
    INSERT INTO waitlist_entries (clinic_id, practitioner_id, service_id, window_start,
        window_end, patient_name, patient_email, patient_phone, manage_token_hash)
    VALUES (p_clinic, p_practitioner, p_service, to_timestamp(p_from), to_timestamp(p_to),
        p_name, p_email, p_phone, p_token_hash)
    RETURNING id INTO entry_id;
    INSERT INTO audit_log (actor_type, clinic_id, action, resource_type, resource_id,
                           patient_data, request_id, outcome)
    VALUES ('patient', p_clinic, 'join_waitlist', 'waitlist_entry', entry_id::text, true,
            p_request_id, 'success');
    outcome := 'waiting';
END $$;
