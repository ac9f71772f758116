-- Booking in one round trip.  Creating a booking took seven statements from the
-- service (BEGIN, the advisory locks, the per-contact count, the booking, its
-- confirmation in the outbox, the idempotency record, COMMIT), moving one six or
-- seven, cancelling one six: each a round trip, a wake-up on both sides and a
-- parse-bind-execute.  The functions below run the same steps in the same order
-- inside the one statement that calls them.  Creating and moving need no BEGIN and
-- COMMIT at all: the statement is the transaction, so a failure anywhere (the
-- exclusion constraint refusing a taken time, say) undoes every step.  The service
-- keeps what needs its own keys or its tz database: whether a time is an offered slot
-- (domain/slots.c), the manage token and its hash, the idempotent answer sealed, and
-- times written in the local zone.  backend/src/api/bookings.c calls these.

-- The answer recorded for an Idempotency-Key, if one was recorded in the last 24
-- hours (older records count as absent and are overwritten).
CREATE FUNCTION idempotency_get(p_scope text, p_key text)
RETURNS TABLE (request_hash bytea, status integer, sealed_body bytea)
LANGUAGE sql STABLE AS $$
    SELECT k.request_hash, k.status, k.sealed_body FROM idempotency_keys k
    WHERE k.scope = p_scope AND k.key = p_key AND k.created_at > now() - interval '24 hours'
$$;

-- Records the answer for an Idempotency-Key; false when a live record is there already
-- (another request with the same key was first).
CREATE FUNCTION idempotency_put(p_scope text, p_key text, p_hash bytea, p_status integer,
                                p_body bytea) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO idempotency_keys (scope, key, request_hash, status, sealed_body)
    VALUES (p_scope, p_key, p_hash, p_status, p_body)
    ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
        status = EXCLUDED.status, sealed_body = EXCLUDED.sealed_body, created_at = now()
        WHERE idempotency_keys.created_at <= now() - interval '24 hours';
    RETURN FOUND;
END $$;

-- How many open future bookings a contact (e-mail, without case) holds at a clinic.
CREATE FUNCTION contact_open_bookings(p_clinic uuid, p_email citext) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT count(*) FROM bookings b WHERE b.clinic_id = p_clinic
            AND b.patient_email = p_email AND b.status = 'booked' AND upper(b.during) > now());
END $$;

-- Books one slot, whole: every booking goes through here.  Takes the transaction's
-- advisory locks in the order every booking path uses (idempotency key, contact,
-- practitioner; a NULL key locks nothing: callers that hold their locks already pass
-- none), then:
--   'replay'  a live record for the idempotency key exists (a request with the same
--             key finished while this one waited): its columns are returned, nothing
--             is written;
--   'limit'   the contact holds p_max_open open bookings already (NULL: no limit);
--             nothing is written;
--   'booked'  the booking is written with id p_id (times in Unix seconds: the
--             appointment and the range its buffers block), with its
--             booking_confirmed notification when p_confirmation (the payload) is not
--             NULL, and with a key the idempotency record (p_idem_hash, p_idem_body,
--             status 201).
-- Raises exclusion_violation when the time is taken (bookings_no_overlap), and
-- serialization_failure when the key's record appeared between the check and the
-- write (it cannot while the lock is held; the service starts again if it ever does).
CREATE FUNCTION book_slot(
    p_lock_idem text, p_lock_contact text, p_lock_practitioner text,
    p_idem_scope text, p_idem_key text, p_idem_hash bytea, p_idem_body bytea,
    p_max_open integer,
    p_id uuid, p_clinic uuid, p_practitioner uuid, p_service uuid, p_location uuid,
    p_series uuid, p_start bigint, p_end bigint, p_blocked_start bigint, p_blocked_end bigint,
    p_name text, p_email citext, p_phone text, p_notes text, p_token_hash bytea,
    p_created_by text, p_confirmation jsonb,
    OUT outcome text, OUT stored_hash bytea, OUT stored_status integer, OUT stored_body bytea)
LANGUAGE plpgsql AS $$
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
    IF p_max_open IS NOT NULL AND contact_open_bookings(p_clinic, p_email) >= p_max_open THEN
        outcome := 'limit';
        RETURN;
    END IF;
    INSERT INTO bookings (id, clinic_id, practitioner_id, service_id, location_id, series_id,
        during, blocked, patient_name, patient_email, patient_phone, notes, manage_token_hash,
        created_by)
    VALUES (p_id, p_clinic, p_practitioner, p_service, p_location, p_series,
        tstzrange(to_timestamp(p_start), to_timestamp(p_end)),
        tstzrange(to_timestamp(p_blocked_start), to_timestamp(p_blocked_end)),
        p_name, p_email, p_phone, p_notes, p_token_hash, p_created_by);
    -- (no ON CONFLICT: the key names the booking just inserted, so it is new, and a
    -- plain insert costs less than a speculative one)
    IF p_confirmation IS NOT NULL THEN
        INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)
        VALUES (p_clinic, 'booking_confirmed', p_id, p_email, p_confirmation,
                'booking_confirmed:' || p_id);
    END IF;
    IF p_idem_key IS NOT NULL
       AND NOT idempotency_put(p_idem_scope, p_idem_key, p_idem_hash, 201, p_idem_body) THEN
        RAISE EXCEPTION 'idempotency key recorded meanwhile' USING ERRCODE = 'serialization_failure';
    END IF;
    outcome := 'booked';
END $$;

-- After a cancellation or a move frees [p_start, p_start + p_length) (Unix seconds):
-- the first patient waiting for this practitioner whose window holds the freed time
-- and whose service fits in it is offered the slot, and told (p_when: the start as
-- the service writes it, in the practitioner's zone).  True when someone was offered.
CREATE FUNCTION waitlist_offer_freed(p_practitioner uuid, p_start bigint, p_length bigint,
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

-- After booking p_id was moved or cancelled: writes its notification (p_kind, payload
-- p_notice, to p_recipient of p_clinic, once per p_dedupe) and offers the time it
-- freed to the waitlist (waitlist_offer_freed's parameters).
CREATE FUNCTION booking_freed(
    p_id uuid, p_clinic uuid, p_recipient citext, p_kind text, p_notice jsonb, p_dedupe text,
    p_practitioner uuid, p_freed_start bigint, p_freed_length bigint, p_freed_when text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)
    VALUES (p_clinic, p_kind, p_id, p_recipient, p_notice, p_dedupe)
    ON CONFLICT (dedupe_key) DO NOTHING;
    PERFORM waitlist_offer_freed(p_practitioner, p_freed_start, p_freed_length, p_freed_when);
END $$;

-- Moves open booking p_id to a new time (and location) in one UPDATE, so the old time
-- is released only if the new one is taken (else exclusion_violation, and nothing
-- changed), then booking_freed (booking_rescheduled, payload p_notice).  Takes the
-- practitioner's lock (p_lock_practitioner, as book_slot) first.  False when the
-- booking is not open any more.
CREATE FUNCTION booking_move(
    p_lock_practitioner text, p_id uuid, p_start bigint, p_end bigint,
    p_blocked_start bigint, p_blocked_end bigint, p_location uuid, p_notice jsonb,
    p_practitioner uuid, p_freed_start bigint, p_freed_length bigint, p_freed_when text)
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
    RETURN true;
END $$;

-- Cancels open booking p_id (by 'patient' or 'staff', with an optional reason), then
-- booking_freed (booking_cancelled, payload p_notice).  False when the booking is not
-- open any more.
CREATE FUNCTION booking_cancel(p_id uuid, p_by text, p_reason text, p_notice jsonb,
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
