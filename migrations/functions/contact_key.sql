-- migrate: before 0011
-- One person's e-mail addresses folded into one key, for the per-contact limits and
-- for rate-limiting mail (the same rules as domain/contact.c): case is ignored, a
-- sub-address ("+tag") is dropped, and for gmail.com / googlemail.com (one mailbox
-- under two names) dots in the local part are ignored and the domain is gmail.com.
-- A local part that folds to nothing ("+x", "...") is kept as it is.
--
-- One expression, so that PostgreSQL inlines it wherever it is called: the stored
-- column bookings.contact and waitlist_entries.contact (every INSERT), book_slot and
-- contact_open_bookings.  Written with CTEs (as it was until issue 13) it could not be
-- inlined, and each call parsed and planned its body again: about a third of a
-- booking's CPU in PostgreSQL (README, "Benchmark").  Not STRICT for the same reason
-- (a strict function is inlined only into strict expressions; CASE and coalesce are
-- not); a NULL address still gives NULL.  Where the two parts are:
--   domain  lower(split_part(p_email, '@', -1))
--   local   lower(left(p_email, length(p_email) - length(domain) - 1))
-- Same answers as the CTE form on every address of the test data and on the cases of
-- tests/api/contact-key.test.mjs (the stored keys need no rewrite).
CREATE OR REPLACE FUNCTION contact_key(p_email text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(nullif(
               CASE WHEN lower(split_part(p_email, '@', -1)) IN ('gmail.com', 'googlemail.com')
                    THEN replace(split_part(lower(left(p_email, length(p_email)
                         - length(split_part(p_email, '@', -1)) - 1)), '+', 1), '.', '')
                    ELSE split_part(lower(left(p_email, length(p_email)
                         - length(split_part(p_email, '@', -1)) - 1)), '+', 1) END, ''),
               lower(left(p_email, length(p_email) - length(split_part(p_email, '@', -1)) - 1)))
           || '@'
           || CASE WHEN lower(split_part(p_email, '@', -1)) IN ('gmail.com', 'googlemail.com')
                   THEN 'gmail.com' ELSE lower(split_part(p_email, '@', -1)) END
$$;
