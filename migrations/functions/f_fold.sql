-- migrate: before 0001
-- Normal form for free-text matching: lower case, no accents.
CREATE OR REPLACE FUNCTION f_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.f_unaccent($1)) $$;
