-- migrate: before 0014
-- The chain of a row: its clinic, or the nil uuid.
CREATE OR REPLACE FUNCTION audit_chain_of(clinic uuid) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT coalesce(clinic, '00000000-0000-0000-0000-000000000000'::uuid) $$;
