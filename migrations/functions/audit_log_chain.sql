-- migrate: before 0014
-- Every insert: the time is now (whatever the inserter said), the id is taken under the
-- chain's lock (so ids rise along each chain, in the order the rows were chained), and
-- the hashes are computed here.  SECURITY DEFINER: the service's role cannot write the
-- heads itself.
CREATE OR REPLACE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
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
