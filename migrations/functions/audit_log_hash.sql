-- migrate: before 0014
CREATE OR REPLACE FUNCTION audit_log_hash(prev bytea, canonical text) RETURNS bytea LANGUAGE sql
    IMMUTABLE PARALLEL SAFE
    AS $$ SELECT sha256(prev || convert_to(canonical, 'UTF8')) $$;
