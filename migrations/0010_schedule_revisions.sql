-- A booking may be checked against a schedule the service keeps in memory, if the
-- database confirms, in the booking's own statement, that nothing the check relies on
-- has changed since that schedule was read.  What the check relies on is everything
-- but the other bookings (those the exclusion constraint bookings_no_overlap settles):
-- the practitioner (active, clinic), weekly hours, time off, services offered and
-- their lengths and buffers, locations and their time zones, the clinic's policy.
-- Each practitioner's revision counts changes to these; the schedule query reads it
-- with the schedule, and book_slot refuses ('stale') when it differs.
--
-- A revision is a row per practitioner, bumped by statement-level triggers in the
-- writing transaction: a change committed after the schedule was read shows as a new
-- number; one not committed yet leaves the schedule read the current one.  No row
-- means revision 0.

CREATE TABLE schedule_revisions (
    practitioner_id uuid PRIMARY KEY REFERENCES practitioners (id) ON DELETE CASCADE,
    rev             bigint NOT NULL
);

CREATE FUNCTION schedule_revise(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- in id order, so that two writers touching the same practitioners cannot deadlock
    INSERT INTO schedule_revisions AS s (practitioner_id, rev)
    SELECT DISTINCT u.id, 1 FROM unnest(ids) AS u(id)
    WHERE u.id IS NOT NULL AND EXISTS (SELECT 1 FROM practitioners p WHERE p.id = u.id)
    ORDER BY 1
    ON CONFLICT (practitioner_id) DO UPDATE SET rev = s.rev + 1;
END $$;

CREATE FUNCTION schedule_revise_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'practitioners' THEN
        PERFORM schedule_revise(ARRAY(SELECT id FROM new_rows));
    ELSIF TG_TABLE_NAME = 'clinics' THEN
        PERFORM schedule_revise(ARRAY(SELECT p.id FROM practitioners p
            WHERE p.clinic_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'services' THEN
        PERFORM schedule_revise(ARRAY(SELECT ps.practitioner_id FROM practitioner_services ps
            WHERE ps.service_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'locations' THEN
        PERFORM schedule_revise(ARRAY(SELECT pl.practitioner_id FROM practitioner_locations pl
            WHERE pl.location_id IN (SELECT id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM schedule_revise(ARRAY(SELECT practitioner_id FROM old_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        -- (a row moved to another practitioner changes both)
        PERFORM schedule_revise(ARRAY(SELECT practitioner_id FROM old_rows
                                      UNION SELECT practitioner_id FROM new_rows));
    ELSE
        PERFORM schedule_revise(ARRAY(SELECT practitioner_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['weekly_hours', 'time_off', 'practitioner_services',
                             'practitioner_locations'] LOOP
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_ins AFTER INSERT ON %1$I'
                       ' REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_upd AFTER UPDATE ON %1$I'
                       ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_del AFTER DELETE ON %1$I'
                       ' REFERENCING OLD TABLE AS old_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
    END LOOP;
    -- the owners' rows are only updated (deleting one cascades to the tables above)
    FOREACH t IN ARRAY ARRAY['practitioners', 'clinics', 'services', 'locations'] LOOP
        EXECUTE format('CREATE TRIGGER schedule_revise_%1$s_upd AFTER UPDATE ON %1$I'
                       ' REFERENCING NEW TABLE AS new_rows'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION schedule_revise_rows()', t);
    END LOOP;
END $$;

-- book_slot of migration 0009 with one more parameter, p_revision: the practitioner's
-- schedule revision the caller checked the booking against, or NULL when it read the
-- schedule in this transaction.  One more outcome:
--   'stale'   the revision differs: nothing is written; the caller reads the schedule
--             again and checks again.
DROP FUNCTION book_slot(text, text, text, text, text, bytea, bytea, integer, uuid, uuid, uuid,
                        uuid, uuid, uuid, bigint, bigint, bigint, bigint, text, citext, text,
                        text, bytea, text, jsonb);
CREATE FUNCTION book_slot(
    p_lock_idem text, p_lock_contact text, p_lock_practitioner text,
    p_idem_scope text, p_idem_key text, p_idem_hash bytea, p_idem_body bytea,
    p_max_open integer, p_revision bigint,
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
    IF p_revision IS NOT NULL
       AND coalesce((SELECT r.rev FROM schedule_revisions r
                     WHERE r.practitioner_id = p_practitioner), 0) <> p_revision THEN
        outcome := 'stale';
        RETURN;
    END IF;
    IF p_max_open IS NOT NULL
       AND (SELECT count(*) FROM bookings b WHERE b.clinic_id = p_clinic
            AND b.patient_email = p_email AND b.status = 'booked'
            AND upper(b.during) > now()) >= p_max_open THEN
        outcome := 'limit';
        RETURN;
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
    outcome := 'booked';
END $$;

-- The change log learns what a new booking blocks: kind 'b' with the range in Unix
-- seconds.  A booking only takes time away, so a process keeps a practitioner's next
-- free time when the booking cannot reach it, instead of computing it again from 62
-- days of schedule after every booking.  Changes and cancellations of bookings stay
-- 'n' (they can free time).
ALTER TABLE directory_changes
    ADD COLUMN booked_from bigint,
    ADD COLUMN booked_to bigint,
    DROP CONSTRAINT directory_changes_kind_check,
    ADD CONSTRAINT directory_changes_kind_check CHECK (kind IN ('c', 'n', 'b')),
    ADD CONSTRAINT directory_changes_booked_check
        CHECK ((kind = 'b') = (booked_from IS NOT NULL AND booked_to IS NOT NULL));

CREATE FUNCTION directory_log_booked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- (as directory_changed: one row for everyone in a bulk load or a large statement)
    IF bulk_loading() OR (SELECT count(*) FROM new_rows) > 1000 THEN
        PERFORM directory_changed('n', NULL);
    ELSE
        INSERT INTO directory_changes (kind, practitioner_id, booked_from, booked_to)
        SELECT 'b', practitioner_id, extract(epoch FROM lower(blocked))::bigint,
               extract(epoch FROM upper(blocked))::bigint
        FROM new_rows;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER next_free_bookings_ins ON bookings;
CREATE TRIGGER directory_bookings_ins AFTER INSERT ON bookings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_booked();
