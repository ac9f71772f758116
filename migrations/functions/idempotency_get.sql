-- migrate: before 0008
-- The answer recorded for an Idempotency-Key, if one was recorded in the last 24
-- hours (older records count as absent and are overwritten).
CREATE OR REPLACE FUNCTION idempotency_get(p_scope text, p_key text)
RETURNS TABLE (request_hash bytea, status integer, sealed_body bytea)
LANGUAGE sql STABLE AS $$
    SELECT k.request_hash, k.status, k.sealed_body FROM idempotency_keys k
    WHERE k.scope = p_scope AND k.key = p_key AND k.created_at > now() - interval '24 hours'
$$;
