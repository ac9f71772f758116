-- migrate: before 0008
-- Records the answer for an Idempotency-Key; false when a live record is there already
-- (another request with the same key was first).
CREATE OR REPLACE FUNCTION idempotency_put(p_scope text, p_key text, p_hash bytea, p_status integer,
                                p_body bytea) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO idempotency_keys (scope, key, request_hash, status, sealed_body)
    VALUES (p_scope, p_key, p_hash, p_status, p_body)
    ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
        status = EXCLUDED.status, sealed_body = EXCLUDED.sealed_body, created_at = now()
        WHERE idempotency_keys.created_at <= now() - interval '24 hours';
    RETURN FOUND;
END $$;
