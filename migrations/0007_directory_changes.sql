-- The service keeps the directory's search index and each practitioner's next free
-- time in memory (backend/src/api/dirindex.c).  To follow every change made by any
-- process, writes to the cards and the schedules' triggers of migration 0006 now
-- append to a change log instead of dropping rows of a shared cache:
--   kind 'c'  the practitioner's cards changed (read them again; the next free time too)
--   kind 'n'  only the next free time may have changed (bookings, hours, time off, policy)
--   practitioner_id NULL: every practitioner.
-- Each process reads the rows committed since its last look: txid records the writing
-- transaction, so a reader takes every row whose transaction was still running at its
-- previous look (pg_snapshot_xmin) and reads some rows twice, which is harmless: applying
-- a change means reading the current state again.  No NOTIFY: it serialises commits.

CREATE TABLE directory_changes (
    seq             bigserial PRIMARY KEY,
    txid            xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at              timestamptz NOT NULL DEFAULT now(),
    kind            char(1) NOT NULL CHECK (kind IN ('c', 'n')),
    practitioner_id uuid
);
CREATE INDEX directory_changes_txid_idx ON directory_changes (txid);
CREATE INDEX directory_changes_at_idx ON directory_changes (at);

-- Appends one row per practitioner; one row for everyone when ids is NULL, holds
-- more than a thousand, or during a bulk load (each process then reads everything
-- again).
CREATE FUNCTION directory_changed(k char, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- plpgsql keeps this statement's plan; a LANGUAGE sql function would be planned
    -- again at every booking
    IF ids IS NULL OR cardinality(ids) > 1000 OR bulk_loading() THEN
        INSERT INTO directory_changes (kind, practitioner_id) VALUES (k, NULL);
    ELSE
        INSERT INTO directory_changes (kind, practitioner_id) SELECT k, u.id FROM unnest(ids) AS u(id);
    END IF;
END $$;

-- Cards: whatever writes practitioner_cards (the refresh of migration 0006) logs the
-- practitioners it touched.
CREATE FUNCTION directory_log_cards() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids uuid[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT practitioner_id FROM old_rows);
    ELSE
        ids := ARRAY(SELECT DISTINCT practitioner_id FROM new_rows);
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM directory_changed('c', ids);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER directory_cards_ins AFTER INSERT ON practitioner_cards REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_cards();
CREATE TRIGGER directory_cards_del AFTER DELETE ON practitioner_cards REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_cards();

-- Schedules: what used to drop cached next free times now logs the practitioners.
CREATE OR REPLACE FUNCTION next_free_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'clinics' THEN
        PERFORM directory_changed('n', ARRAY(SELECT p.id FROM practitioners p
            WHERE p.clinic_id IN (SELECT id FROM new_rows)));
    ELSIF TG_TABLE_NAME = 'services' THEN
        PERFORM directory_changed('n', ARRAY(SELECT DISTINCT ps.practitioner_id
            FROM practitioner_services ps WHERE ps.service_id IN (SELECT id FROM new_rows)));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM directory_changed('n', ARRAY(SELECT DISTINCT practitioner_id FROM old_rows));
    ELSE
        PERFORM directory_changed('n', ARRAY(SELECT DISTINCT practitioner_id FROM new_rows));
    END IF;
    RETURN NULL;
END $$;

DROP TABLE practitioner_next_free;
