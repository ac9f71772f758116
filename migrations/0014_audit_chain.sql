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

-- The chain of a row: its clinic, or the nil uuid.
CREATE FUNCTION audit_chain_of(clinic uuid) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(clinic, '00000000-0000-0000-0000-000000000000'::uuid) $$;

-- The canonical text of a row: every field but the hashes, in a fixed order.  jsonb's
-- text form is canonical (keys sorted, no insignificant space), so `detail` has one
-- text whatever spelling it was written with.  The leading 1 is the format's version.
CREATE FUNCTION audit_log_canonical(r audit_log) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
    SELECT jsonb_build_array(1, r.id,
        to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        r.actor_type, r.actor_id, r.actor_email::text, r.role, r.clinic_id, r.action,
        r.resource_type, r.resource_id, r.patient_data, r.request_id, r.outcome, r.detail)::text
    $$;

CREATE FUNCTION audit_log_hash(prev bytea, canonical text) RETURNS bytea LANGUAGE sql
    IMMUTABLE PARALLEL SAFE
    AS $$ SELECT sha256(prev || convert_to(canonical, 'UTF8')) $$;

-- Every insert: the time is now (whatever the inserter said), the id is taken under the
-- chain's lock (so ids rise along each chain, in the order the rows were chained), and
-- the hashes are computed here.  SECURITY DEFINER: the service's role cannot write the
-- heads itself.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp AS $$
DECLARE
    k uuid := audit_chain_of(NEW.clinic_id);
    prev bytea;
BEGIN
    SELECT last_hash INTO prev FROM audit_chain_heads WHERE chain = k FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_chain_heads (chain, last_id, last_hash, n)
            VALUES (k, 0, decode(repeat('00', 32), 'hex'), 0) ON CONFLICT (chain) DO NOTHING;
        SELECT last_hash INTO prev FROM audit_chain_heads WHERE chain = k FOR UPDATE;
    END IF;
    NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
    NEW.at := clock_timestamp();
    NEW.prev_hash := prev;
    NEW.hash := audit_log_hash(prev, audit_log_canonical(NEW));
    UPDATE audit_chain_heads SET last_id = NEW.id, last_hash = NEW.hash, n = n + 1
        WHERE chain = k;
    RETURN NEW;
END $$;
REVOKE EXECUTE ON FUNCTION audit_log_chain() FROM PUBLIC, clinicd;

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
