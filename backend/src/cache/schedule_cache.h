/* A practitioner's schedule for one service, loaded in one query: weekly hours, time
 * off, other bookings and the clinic's booking policy.  Shared by availability,
 * booking, series and the search's next_available. */
#ifndef CLINICD_SCHEDULE_H
#define CLINICD_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/owner.h"
#include "db/session.h"
#include "domain/slots.h"
#include "domain/tz.h"

#define SCHEDULE_MAX_LOCATIONS 16

struct schedule {
    char practitioner_id[40];
    char clinic_id[40];
    char service_id[40];
    bool service_found;     /* the service exists in the practitioner's clinic and is active */
    bool service_offered;   /* ... and the practitioner offers it */
    int duration_min, buffer_before_min, buffer_after_min;
    int min_notice_min, horizon_days, step_min, cancel_notice_hours, max_open_per_contact;
    int64_t now;
    int64_t revision;       /* of everything above and the hours and time off below */
    const struct tz *tz;    /* of the practitioner's first location */
    char location_ids[SCHEDULE_MAX_LOCATIONS][40];
    size_t nlocations;
    struct hours_rule *rules;
    size_t nrules;
    struct interval *busy, *off;
    size_t nbusy, noff;
};

/* Reads practitioner_id's schedule for service_id (NULL: their shortest service)
 * covering instants [from, to) on db.  exclude_booking (may be NULL) is left out of
 * the busy ranges (a booking being moved).  DB_NOT_FOUND: no such active
 * practitioner; any other status but DB_OK is the database's failure (the caller
 * replies, reply_failure).  Whatever the status, s can be passed to schedule_release. */
enum db_status schedule_fetch(struct db_session *db, const char *practitioner_id,
                             const char *service_id, int64_t from, int64_t to,
                             const char *exclude_booking, struct schedule *s);
void schedule_release(struct schedule *s);
/* schedule_fetch for reading only (availability): from a bounded cache in memory when
 * the practitioner's schedule has not changed since it was read (the index's
 * schedule version), for at most a minute; else from the database, and kept.  What
 * it answers may miss a change another process made in the last change-log poll
 * (100 ms): booking checks against the database, never against this. */
/* What schedule_fetch_cached and schedule_fetch_for_booking answered from memory, and
 * from the database. */
struct schedule_cache_stats {
    long hits, misses, booking_hits, booking_misses;
};
void schedule_cache_stats(struct schedule_cache_stats *st);
/* *version: the schedule version s holds for (0: none, the index does not know the
 * practitioner). */
enum db_status schedule_fetch_cached(struct db_session *db, const char *practitioner_id,
                                    const char *service_id, int64_t from, int64_t to,
                                    struct schedule *s, uint64_t *version);
/* schedule_fetch for checking a booking: unless fresh, from a cache in memory (read
 * within the last minute, *from_memory then true) that has no bookings (busy is
 * empty: the exclusion constraint settles overlaps) and may be stale otherwise, so
 * the booking must pass s->revision to book_slot.  Else from the database (bookings
 * included), and kept. */
enum db_status schedule_fetch_for_booking(struct db_session *db, const char *practitioner_id,
                                         const char *service_id, int64_t from, int64_t to,
                                         bool fresh, struct schedule *s, bool *from_memory);
/* Reads the schedules of n practitioners at once, each for their shortest service (of
 * minutes length when minutes is not NULL), into out[0..*filled) (inactive
 * practitioners are left out, so match by practitioner_id).  The caller releases each
 * filled schedule (also when the status is not DB_OK). */
enum db_status schedule_fetch_many(struct db_session *db, const char *const *ids, size_t n,
                                  const char *minutes, int64_t from, int64_t to,
                                  struct schedule *out, size_t *filled);
/* The first free slot start in [from, to), or -1 when there is none. */
int64_t schedule_next_opening(const struct schedule *s, int64_t from, int64_t to);

/* The schedule caches' owner: their /metrics lines (clinicd_schedules_total,
 * clinicd_booking_schedules_total). */
extern const struct owner schedule_cache_owner;

/* Fills q from s for slots starting in [from, to). */
void schedule_query(const struct schedule *s, int64_t from, int64_t to, struct slot_query *q);
/* Is start exactly an offered slot?  Sets *slot when it is. */
bool schedule_offers(const struct schedule *s, int64_t start, struct slot *slot);
/* An instant formatted in the practitioner's time zone (out: 32 bytes). */
void schedule_format(const struct schedule *s, int64_t t, char *out, size_t outlen);
/* {"start", "end", "location_id"} of a slot, times in the practitioner's zone. */
json_t *schedule_slot_json(const struct schedule *s, const struct slot *sl);
/* The location id of a slot. */
const char *schedule_location(const struct schedule *s, int location);

#include "util/banned.h"
#endif
