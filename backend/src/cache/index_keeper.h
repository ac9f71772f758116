/* The index keeper: the service's copy of the directory in memory (domain/card_index.h),
 * kept current from the change log of migration 0007, and the next opening of every
 * practitioner, computed ahead in the background.  Searches near a place read it
 * instead of PostgreSQL; until it is loaded they use the database.  Its owner
 * (dirindex_owner) starts and stops the thread, and tells readiness and /metrics. */
#ifndef CLINICD_CACHE_INDEX_KEEPER_H
#define CLINICD_CACHE_INDEX_KEEPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/owner.h"
#include "db/session.h"
#include "domain/card_index.h"

/* Registered by main.c: start/stop below, not ready until dirindex_ready(), the
 * clinicd_directory_* lines of /metrics. */
extern const struct owner dirindex_owner;

/* Starts the background thread that loads the index, follows the change log and keeps
 * next free times computed; dirindex_stop() ends it.  Needs app.pool. */
void dirindex_start(void);
void dirindex_stop(void);
/* The index is loaded and every practitioner's next free time was computed once. */
bool dirindex_ready(void);

/* The current snapshot (NULL while none is loaded), held until released. */
struct dir_snapshot *dirindex_acquire(void);
void dirindex_release(struct dir_snapshot *s);

/* After a write committed on s: applies the change log at once, so that the writer's
 * next read (and everyone's) sees what it changed.  Replies nothing: a failure is
 * logged (naming request_id) and the background catches up.  Leaves s's connection
 * checked out when it needed one. */
void dirindex_follow(struct db_session *s, const char *request_id);
/* Forgets a practitioner's next opening (after a change committed). */
void dirindex_forget_next(const char *practitioner_id);
/* After a booking that blocks [from, to) committed: the schedule version changes; the
 * next free time is forgotten only if the booking can reach it (what the change log's
 * 'b' rows tell, at once for this process's own). */
void dirindex_booked(const char *practitioner_id, int64_t from, int64_t to);
/* A number that changes whenever anything the practitioner's schedule is made of may
 * have changed (bookings, hours, time off, services, policy, locations: as soon as the
 * change log is read, or at once for changes this process made).  False when the
 * index does not hold the practitioner (or is not loaded). */
bool dirindex_schedule_version(const char *practitioner_id, uint64_t *version);
/* A number that changes whenever any practitioner's card or profile may have changed
 * (a new snapshot); false while none is loaded. */
bool dirindex_cards_version(uint64_t *version);

/* Next openings of n practitioners (ids as text), minutes NULL for their shortest
 * service: out[i] = epoch seconds, or -1 when nothing is free within
 * DIRINDEX_NEXT_DAYS.  Known values come from the index; the others are computed in
 * one query on db and kept. */
#define DIRINDEX_NEXT_DAYS 62
enum db_status dirindex_next_opening(struct db_session *db, const char *const *ids, size_t n,
                                    const char *minutes, int64_t *out);
/* The same for practitioners of a snapshot the caller holds: at[i] is ids[i]'s index. */
enum db_status dirindex_next_opening_held(struct db_session *db, struct dir_snapshot *s,
                                          const uint32_t *at, const char *const *ids, size_t n,
                                          const char *minutes, int64_t *out);

/* The JSON item of each hit's card (from a bounded cache, the misses in one query).
 * items[i] (lens[i] bytes) is the caller's to free.  DB_NOT_FOUND when a card has
 * gone meanwhile (search the database instead); on any status but DB_OK every
 * items[i] is NULL. */
enum db_status dirindex_items(struct db_session *db, const struct dir_snapshot *s,
                              const struct dir_hit *hits, size_t n, char **items, size_t *lens);

/* Counters for /metrics. */
struct dirindex_stats {
    long practitioners, cards, next_known, loads, changes_applied, item_hits, item_misses;
    unsigned long log_reads;
    bool ready;
};
void dirindex_stats(struct dirindex_stats *out);

#include "util/banned.h"
#endif
