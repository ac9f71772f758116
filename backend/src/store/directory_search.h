/* The SQL of the practitioner search and the public profile (directory/practitioners.c):
 * both read practitioner_cards / practitioner_profiles (migration 0006), whose JSON
 * PostgreSQL wrote. */
#ifndef CLINICD_STORE_DIRECTORY_SEARCH_H
#define CLINICD_STORE_DIRECTORY_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "db/session.h"
#include "util/buf.h"

/* The search's parameters as SQL text; NULL: no such filter. */
struct store_search_params {
    const char *lat, *lon;           /* degrees: the search point (NULL: none) */
    const char *radius_m;
    const char *technique_ids;       /* "{3,7}": every one required */
    const char *profession_id, *condition_id;
    const char *q;                   /* free text */
    const char *language;            /* two letters */
    const char *accepting_new, *home_visits, *wheelchair_accessible, *sliding_scale; /* "true"/"false" */
    const char *max_price_cents, *minutes;
    const char *cursor_key, *cursor_id; /* the keyset: after (key, id) */
    const char *limit;               /* rows to fetch */
};

/* One match: item is the JSON object without distance_km and next_available. */
struct store_search_row {
    const char *item;
    size_t item_len;
    const char *key;             /* the sort key (the name when by name) */
    const char *practitioner_id;
    double dist;                 /* metres, NAN without a search point */
    const char *timezone;        /* of the item's location */
};
/* Gets row i of n (in order); its text lives until store_held_release. */
typedef void (*store_search_fn)(const struct store_search_row *row, size_t i, size_t n,
                                void *ctx);
/* What holds the rows' text (the result itself: no copy). */
struct store_held;
void store_held_release(struct store_held *h);

/* The matches nearest first (by_name false: needs lat/lon) or by name, through fn;
 * on DB_OK *held keeps their text until released (also when there was no row). */
enum db_status store_directory_search(struct db_session *s, bool by_name,
                                      const struct store_search_params *p, store_search_fn fn,
                                      void *ctx, struct store_held **held);

/* Appends the profile of practitioner id to out: its location's time zone, a NUL, then
 * its JSON document.  DB_NOT_FOUND when there is none. */
enum db_status store_directory_profile(struct db_session *s, const char *id, struct buf *out);

#include "util/banned.h"
#endif
