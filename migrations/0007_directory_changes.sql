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

-- directory_changed(): migrations/functions/directory_changed.sql

-- directory_log_cards(): migrations/functions/directory_log_cards.sql
CREATE TRIGGER directory_cards_ins AFTER INSERT ON practitioner_cards REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_cards();
CREATE TRIGGER directory_cards_del AFTER DELETE ON practitioner_cards REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION directory_log_cards();

-- next_free_drop(): migrations/functions/next_free_drop.sql

DROP TABLE practitioner_next_free;
