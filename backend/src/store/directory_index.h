/* The SQL of the directory index keeper (cache/index_keeper.c): the cards it loads,
 * the change log it follows (migration 0007) and the items of a page of hits.
 * Rows are handed to a visitor one at a time: their text is the result's own, valid
 * only during the call (copy what you keep). */
#ifndef CLINICD_STORE_DIRECTORY_INDEX_H
#define CLINICD_STORE_DIRECTORY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"

/* One practitioner location as the index holds it (practitioner_cards). */
struct store_card_row {
    const char *practitioner_id, *location_id;
    double lat, lon;
    int profession;
    const char *technique_ids, *condition_ids, *languages; /* "{1,2}", "{en,es}" */
    bool accepting_new, home_visits, sliding_scale, wheelchair_accessible;
    const char *timezone;
    const char *services; /* the active services: "30:4500,60:8000" (minutes:cents) */
};
/* Gets each row in practitioner order; false stops the walk (the store then returns
 * DB_OK: the visitor's context says why it stopped). */
typedef bool (*store_card_fn)(const struct store_card_row *row, void *ctx);

/* How many practitioners and cards there are (to size a load). */
enum db_status store_directory_card_count(struct db_session *s, size_t *practitioners,
                                          size_t *cards);
/* The cards of the first limit practitioners whose id is above after (a uuid),
 * through fn.  *rows: how many rows there were; last_id (40 bytes): the last row's
 * practitioner id (untouched when there was none). */
enum db_status store_directory_cards_after(struct db_session *s, const char *after, int limit,
                                           store_card_fn fn, void *ctx, size_t *rows,
                                           char *last_id);
/* The cards of the practitioners in ids (a uuid[] literal), through fn. */
enum db_status store_directory_cards_of(struct db_session *s, const char *ids, store_card_fn fn,
                                        void *ctx);

/* The oldest transaction still running (xid8 as text, 32 bytes). */
enum db_status store_directory_xmin(struct db_session *s, char *xmin);

/* One row of the change log.  kind: 'c' cards, 'n' next opening, 'b' a booking
 * (booked_from/to set when has_booked); practitioner_id may be NULL. */
struct store_change_row {
    char kind;
    const char *practitioner_id;
    bool has_booked;
    int64_t booked_from, booked_to;
};
typedef void (*store_change_fn)(const struct store_change_row *row, void *ctx);
/* The log rows of transactions from xmin on, at most limit of them, through fn;
 * next_xmin (32 bytes): the oldest transaction running now (where the next read
 * starts); *rows: how many rows there are, set before fn's first call. */
enum db_status store_directory_changes(struct db_session *s, const char *xmin, int limit,
                                       store_change_fn fn, void *ctx, char *next_xmin,
                                       size_t *rows);
/* Drops log rows older than ten minutes. */
enum db_status store_directory_changes_trim(struct db_session *s);

/* The JSON items of the cards (practitioner, location) given as two uuid[] literals
 * of the same length, through fn (item: not NUL-terminated, len bytes). */
typedef void (*store_item_fn)(const char *practitioner_id, const char *location_id,
                              const char *item, size_t len, void *ctx);
enum db_status store_directory_items(struct db_session *s, const char *practitioner_ids,
                                     const char *location_ids, store_item_fn fn, void *ctx);

#include "util/banned.h"
#endif
