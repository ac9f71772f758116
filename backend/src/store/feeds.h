/* Calendar feeds: the tokens staff issue for a practitioner's schedule as a
 * subscribable iCalendar feed (only the token's hash is stored), and the bookings a
 * live token's feed shows.  Issuing and revoking write their audit row in the same
 * statement. */
#ifndef CLINICD_STORE_FEEDS_H
#define CLINICD_STORE_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "db/session.h"
#include "store/read.h"

/* Who acts, for the audit row (NULL members: unknown). */
struct feeds_actor {
    const char *type; /* "staff" or "api_key" */
    const char *id, *email, *role;
    const char *request_id;
};

struct feed_new {
    char id[40];
    char created_at[64]; /* as JSON writes a timestamptz */
};

/* DB_OK when practitioner_id is a practitioner of clinic_id, else DB_NOT_FOUND. */
enum db_status store_feeds_practitioner_here(struct db_session *s, const char *practitioner_id,
                                             const char *clinic_id);
/* Issues a feed token (its hash, hex) for the practitioner of the clinic, created_by
 * a staff user (NULL for an API key), with its audit row.  DB_NOT_FOUND when the
 * practitioner is not the clinic's. */
enum db_status store_feeds_create(struct db_session *s, const char *clinic_id,
                                  const char *practitioner_id, const char *token_hash,
                                  const char *created_by, const struct feeds_actor *actor,
                                  struct feed_new *out);
/* store_read_json with a: the practitioner, b: the clinic.
 * {"items": [{id, created_at, revoked_at}], "next_cursor": null} as JSON text (malloc'd,
 * the caller frees it). */
extern const struct store_read store_feeds_list;
/* Revokes a live feed, with its audit row.  DB_NOT_FOUND when there is none. */
enum db_status store_feeds_revoke(struct db_session *s, const char *feed_id,
                                  const char *practitioner_id, const char *clinic_id,
                                  const struct feeds_actor *actor);

/* The feed a live token opens. */
struct feed_head {
    char feed_id[40], clinic_id[40];
    char timezone[64];      /* of the booking's location, or the practitioner's first; "" */
    char practitioner[300]; /* name, cut to fit */
};
/* One booking of the feed (not cancelled, from 30 days ago to 366 days ahead).  The
 * texts are valid only during the visitor's call; "" for a missing service or
 * location. */
struct feed_event {
    const char *booking_id;
    int64_t start, end;
    const char *service, *patient_name, *location;
    int sequence; /* reschedules so far */
};
typedef void (*feed_event_fn)(void *ctx, const struct feed_head *head, const struct feed_event *ev);

/* Fills head and visits each booking of the practitioner's feed whose token hash is
 * token_hash, in start order.  DB_NOT_FOUND when the token is not a live feed of
 * practitioner_id. */
enum db_status store_feeds_events(struct db_session *s, const char *token_hash,
                                  const char *practitioner_id, struct feed_head *head,
                                  feed_event_fn each, void *ctx);

#include "util/banned.h"
#endif
