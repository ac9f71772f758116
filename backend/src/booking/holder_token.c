/* The lost links' part of the holder check (booking/holder_token.h). */
#include "booking/holder_token.h"

#include <stdbool.h>
#include <string.h>

#include "domain/token.h"
#include "store/lost_links.h"

/* Tokens are made by token_new: TOKEN_TEXT_LEN characters of base64url. */
static bool well_formed(const char *t)
{
    if (!t || strlen(t) != TOKEN_TEXT_LEN)
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    return true;
}

enum db_status holder_token_matches(struct db_session *s, const char *token,
                                    const char *booking_id, const char *series_id)
{
    if (!well_formed(token) || (!booking_id && !series_id))
        return DB_NOT_FOUND;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(token, hash);
    return store_lost_link_check(s, hash, booking_id, series_id);
}
