-- migrate: before 0001
-- unaccent() is only STABLE (its dictionary could change); wrapping it with the
-- dictionary named explicitly makes it usable in indexes.
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
