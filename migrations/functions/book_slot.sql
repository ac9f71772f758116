-- migrate: before 0008
-- Books one slot, whole: every booking goes through here, in one statement (the
-- statement is the transaction: a failure anywhere, the exclusion constraint refusing
-- a taken time say, undoes every step).  Takes the transaction's advisory locks in the
-- order every booking path uses (idempotency key, contact, practitioner; a NULL key
-- locks nothing: callers that hold their locks already pass none), then:
--   'replay'  a live record for the idempotency key exists (a request with the same
--             key finished while this one waited): its columns are returned, nothing
--             is written;
--   'stale'   p_revision (the practitioner's schedule revision the caller checked the
--             booking against; NULL when it read the schedule in this transaction)
--             differs from schedule_revisions: nothing is written; the caller reads
--             the schedule again and checks again;
--   'limit'   the contact (contact_key() of p_email: case, "+tag" and the gmail rules
--             folded) holds p_max_open open bookings at the clinic already (NULL: no
--             limit); nothing is written;
--   'booked'  the booking is written with id p_id (times in Unix seconds: the
--             appointment and the range its buffers block), with its
--             booking_confirmed notification when p_confirmation (the payload) is not
--             NULL, with a key the idempotency record (p_idem_hash, p_idem_body,
--             status 201), and for a patient's own booking outside a plan
--             (p_created_by 'patient', p_series NULL) its audit row ('create_booking',
--             request p_request_id), last.  Staff bookings are audited by the service
--             with the staff member's name, a plan's sessions by the plan.
-- Raises exclusion_violation when the time is taken (bookings_no_overlap), and
-- serialization_failure when the key's record appeared between the check and the
-- write (it cannot while the lock is held; the service starts again if it ever does).
-- Measured with perf while 64 clients booked (migration 0009's notes): the
-- per-contact count is inlined (a nested plpgsql call costs a statement more), and
-- the booking and its confirmation are one statement (a data-modifying WITH; the
-- foreign key from notifications.booking_id is checked at the end of the statement).
-- History: migrations 0008 (first), 0009 (fewer steps), 0010 (p_revision), 0013
-- (contact key, p_request_id); the old signatures are dropped there.
CREATE OR REPLACE FUNCTION book_slot(
    p_lock_idem text, p_lock_contact text, p_lock_practitioner text,
    p_idem_scope text, p_idem_key text, p_idem_hash bytea, p_idem_body bytea,
    p_max_open integer, p_revision bigint,
    p_id uuid, p_clinic uuid, p_practitioner uuid, p_service uuid, p_location uuid,
    p_series uuid, p_start bigint, p_end bigint, p_blocked_start bigint, p_blocked_end bigint,
    p_name text, p_email citext, p_phone text, p_notes text, p_token_hash bytea,
    p_created_by text, p_confirmation jsonb, p_request_id text DEFAULT NULL,
    OUT outcome text, OUT stored_hash bytea, OUT stored_status integer, OUT stored_body bytea)
LANGUAGE plpgsql AS $$
DECLARE
    k text;
BEGIN
    -- (left to right, like the service's own lock statement; STRICT: NULL locks nothing)
    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_idem, 0)),
            pg_advisory_xact_lock(hashtextextended(p_lock_contact, 0)),
            pg_advisory_xact_lock(hashtextextended(p_lock_practitioner, 0));
    IF p_idem_key IS NOT NULL THEN
        SELECT k.request_hash, k.status, k.sealed_body INTO stored_hash, stored_status, stored_body
        FROM idempotency_get(p_idem_scope, p_idem_key) k;
        IF FOUND THEN
            outcome := 'replay';
            RETURN;
        END IF;
    END IF;
    IF p_revision IS NOT NULL
       AND coalesce((SELECT r.rev FROM schedule_revisions r
                     WHERE r.practitioner_id = p_practitioner), 0) <> p_revision THEN
        outcome := 'stale';
        RETURN;
    END IF;
    -- (contact_open_bookings, inlined: a nested plpgsql call costs a statement more)
    IF p_max_open IS NOT NULL THEN
        k := contact_key(p_email::text);
        IF (SELECT count(*) FROM bookings b WHERE b.clinic_id = p_clinic AND b.contact = k
            AND b.status = 'booked' AND upper(b.during) > now()) >= p_max_open THEN
            outcome := 'limit';
            RETURN;
        END IF;
    END IF;
    WITH b AS (
        INSERT INTO bookings (id, clinic_id, practitioner_id, service_id, location_id, series_id,
            during, blocked, patient_name, patient_email, patient_phone, notes,
            manage_token_hash, created_by)
        VALUES (p_id, p_clinic, p_practitioner, p_service, p_location, p_series,
            tstzrange(to_timestamp(p_start), to_timestamp(p_end)),
            tstzrange(to_timestamp(p_blocked_start), to_timestamp(p_blocked_end)),
            p_name, p_email, p_phone, p_notes, p_token_hash, p_created_by)
        RETURNING id)
    INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)
    SELECT p_clinic, 'booking_confirmed', b.id, p_email, p_confirmation,
           'booking_confirmed:' || b.id
    FROM b WHERE p_confirmation IS NOT NULL;
    IF p_idem_key IS NOT NULL
       AND NOT idempotency_put(p_idem_scope, p_idem_key, p_idem_hash, 201, p_idem_body) THEN
        RAISE EXCEPTION 'idempotency key recorded meanwhile' USING ERRCODE = 'serialization_failure';
    END IF;
    -- last: what the booking did is certain by now
    IF p_created_by = 'patient' AND p_series IS NULL THEN
        INSERT INTO audit_log (actor_type, clinic_id, action, resource_type, resource_id,
                               patient_data, request_id, outcome)
        VALUES ('patient', p_clinic, 'create_booking', 'booking', p_id::text, true,
                p_request_id, 'success');
    END IF;
    outcome := 'booked';
END $$;
