-- A tamper-evident audit log: the database sets each row's time, and each row carries
-- a SHA-256 hash chained to the previous row of its clinic (rows with no clinic form a
-- chain of their own), checked by `clinicd audit verify`.  Also: API keys may hold an
-- `audit` scope (the audit log carries staff e-mails, so `read` no longer reaches it).
--
-- The hash of a row is sha256(prev_hash || canonical text), where prev_hash is the hash
-- of the chain's previous row (32 zero bytes for the first) and the canonical text is
-- audit_log_canonical(row): a JSON array of the row's fields in a fixed order, the time
-- in UTC with microseconds.  The trigger and `clinicd audit verify` both use these two
-- functions, so they cannot disagree on the text.
--
-- Each chain's last row is kept in audit_chain_heads; the trigger takes that row FOR
-- UPDATE, so writers of one clinic's audit rows queue from their audit INSERT to their
-- COMMIT (the service writes its audit row last, right before committing).

ALTER TABLE audit_log ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;

CREATE TABLE audit_chain_heads (
    chain     uuid PRIMARY KEY,  -- the clinic; the nil uuid for rows without a clinic
    last_id   bigint NOT NULL,   -- 0 before the first row
    last_hash bytea NOT NULL CHECK (length(last_hash) = 32),
    n         bigint NOT NULL    -- rows in the chain
);
-- The service's role may read the heads (for `clinicd audit verify`), never write them:
-- only the trigger below (running as the owner) does.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain_heads FROM clinicd;

-- audit_chain_of(): migrations/functions/audit_chain_of.sql

-- audit_log_canonical(): migrations/functions/audit_log_canonical.sql

-- audit_log_hash(): migrations/functions/audit_log_hash.sql

-- audit_log_chain(): migrations/functions/audit_log_chain.sql

-- The rows written before this migration: chained in id order per clinic.  Their times
-- are kept as their writers gave them (the time could be set by the writer until now).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
    r audit_log;
    k uuid := NULL;
    prev bytea;
    zero bytea := decode(repeat('00', 32), 'hex');
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY audit_chain_of(clinic_id), id LOOP
        IF k IS DISTINCT FROM audit_chain_of(r.clinic_id) THEN
            k := audit_chain_of(r.clinic_id);
            prev := zero;
        END IF;
        r.prev_hash := prev;
        r.hash := audit_log_hash(prev, audit_log_canonical(r));
        UPDATE audit_log SET prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        prev := r.hash;
    END LOOP;
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
INSERT INTO audit_chain_heads (chain, last_id, last_hash, n)
    SELECT DISTINCT ON (k) k, id, hash, count(*) OVER (PARTITION BY k)
    FROM (SELECT audit_chain_of(clinic_id) AS k, id, hash FROM audit_log) s
    ORDER BY k, id DESC;

ALTER TABLE audit_log
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ADD CHECK (length(prev_hash) = 32 AND length(hash) = 32);

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- API keys: the `audit` scope reads the audit log.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check,
    ADD CONSTRAINT api_keys_scopes_check
    CHECK (scopes <@ ARRAY['read', 'write', 'patient_data', 'audit']::text[]
           AND cardinality(scopes) >= 1);
