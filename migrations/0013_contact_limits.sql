-- Limits one person cannot walk around, and an audit row for every patient-side write.
--
-- The per-contact limit (clinics.max_open_bookings_per_contact) compared the literal
-- address, so "name+1@", "name+2@", ... "Name@" and, at gmail, "n.a.m.e@" each counted
-- as a new person: one mailbox booked 190 slots.  Bookings and waitlist entries now
-- carry their contact key (contact_key(), migration 0011: case, "+tag" and the gmail
-- rules folded), stored and indexed, and every count is by it: book_slot's for a single
-- booking, contact_open_bookings' for a plan (which counts its sessions and the single
-- bookings together, and is refused whole when they would pass the limit), and the
-- waitlist's (at most as many waiting entries as open bookings).  The service takes
-- its per-contact advisory lock under the same key, so two requests for "a+1@" and
-- "a+2@" queue for one count.
--
-- Audit: booking (book_slot, for patients' own bookings outside a plan), moving
-- (booking_move) and joining the waitlist (waitlist_join, new) write their audit row
-- (actor 'patient', patient data, the clinic) in the same statement as the change,
-- last, right before the commit: one more INSERT in the one statement each already
-- was, and the audit chain's per-clinic lock (if any) is held for the shortest time.
-- A plan, a cancellation and the holder's reads write theirs from the service, in
-- their transaction.

-- (adding a stored column rewrites the table once: seconds for a million bookings)
ALTER TABLE bookings
    ADD COLUMN contact text GENERATED ALWAYS AS (contact_key(patient_email::text)) STORED;
ALTER TABLE waitlist_entries
    ADD COLUMN contact text GENERATED ALWAYS AS (contact_key(patient_email::text)) STORED;

-- What the counts read: a contact's open bookings at a clinic, ending in the future.
-- It replaces the index on the literal address, which nothing else reads.
DROP INDEX bookings_contact_idx;
CREATE INDEX bookings_contact_open_idx ON bookings (clinic_id, contact, upper(during))
    WHERE status = 'booked';
CREATE INDEX waitlist_contact_idx ON waitlist_entries (clinic_id, contact, window_end)
    WHERE status = 'waiting';

-- How many open future bookings a contact holds at a clinic, whatever spelling of
-- their address each was made with.
-- (The key is computed once, into a variable: written into the query, contact_key() of
-- a parameter is a filter the generic plan may evaluate for every row of the clinic,
-- and a SQL function call is not cheap; as a plain parameter it is one more equality
-- for the index.)
CREATE OR REPLACE FUNCTION contact_open_bookings(p_clinic uuid, p_email citext) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    k text := contact_key(p_email::text);
BEGIN
    RETURN (SELECT count(*) FROM bookings b WHERE b.clinic_id = p_clinic
            AND b.contact = k AND b.status = 'booked' AND upper(b.during) > now());
END $$;

-- book_slot of migration 0010 (read the contract there and in 0008) with the count by
-- contact key, and one more parameter, p_request_id: with it, a patient's own booking
-- outside a plan (p_created_by 'patient', p_series NULL) writes its audit row
-- ('create_booking').  Staff bookings are audited by the service with the staff
-- member's name, a plan's sessions by the plan.
DROP FUNCTION book_slot(text, text, text, text, text, bytea, bytea, integer, bigint, uuid, uuid,
                        uuid, uuid, uuid, uuid, bigint, bigint, bigint, bigint, text, citext,
                        text, text, bytea, text, jsonb);
CREATE FUNCTION book_slot(
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

-- booking_move of migration 0008 with one more parameter, p_request_id, and the move's
-- audit row ('reschedule_booking', as the patient: only the holder's reschedule calls
-- it), written last.
DROP FUNCTION booking_move(text, uuid, bigint, bigint, bigint, bigint, uuid, jsonb, uuid, bigint,
                           bigint, text);
CREATE FUNCTION booking_move(
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

-- Joins the waitlist in one statement: under the contact's lock (p_lock_contact, the
-- key book_slot takes), refuses ('limit', nothing written) when the contact already
-- has p_max_waiting entries waiting at the clinic for windows not over yet (NULL: no
-- limit), else writes the entry and its audit row ('join_waitlist') and answers
-- 'waiting' with the entry's id.
CREATE FUNCTION waitlist_join(
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
