/* Whether a token presented as "Authorization: Bearer" opens a booking or a plan
 * through a lost link (a fresh single-purpose link mailed by "e-mail me my bookings",
 * store/lost_links.h), for the holder checks of bookings and plans to call. */
#ifndef CLINICD_HOLDER_TOKEN_H
#define CLINICD_HOLDER_TOKEN_H

#include "db/session.h"

/* DB_OK when token is an unexpired lost link made for booking_id or for series_id (a
 * plan; either may be NULL); DB_NOT_FOUND for anything else: a malformed token, an
 * expired one, one of another booking or plan (the caller answers 404, as for a wrong
 * manage token); or why the database failed. */
enum db_status holder_token_matches(struct db_session *s, const char *token,
                                    const char *booking_id, const char *series_id);

#include "util/banned.h"
#endif
