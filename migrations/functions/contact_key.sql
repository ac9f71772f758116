-- migrate: before 0011
-- One person's e-mail addresses folded into one key, for the per-contact limits and
-- for rate-limiting mail (the same rules as domain/contact.c): case is ignored, a
-- sub-address ("+tag") is dropped, and for gmail.com / googlemail.com (one mailbox
-- under two names) dots in the local part are ignored and the domain is gmail.com.
-- A local part that folds to nothing ("+x", "...") is kept as it is.
CREATE OR REPLACE FUNCTION contact_key(p_email text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH parts AS (
        SELECT lower(split_part(p_email, '@', -1)) AS domain,
               lower(left(p_email, length(p_email) - length(split_part(p_email, '@', -1)) - 1))
                   AS local
    ), kinds AS (
        SELECT domain, local, domain IN ('gmail.com', 'googlemail.com') AS gmail FROM parts
    )
    SELECT coalesce(nullif(CASE WHEN gmail THEN replace(split_part(local, '+', 1), '.', '')
                                ELSE split_part(local, '+', 1) END, ''), local)
           || '@' || CASE WHEN gmail THEN 'gmail.com' ELSE domain END
    FROM kinds
$$;
