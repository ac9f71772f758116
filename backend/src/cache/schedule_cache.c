/* A practitioner's schedule for one service, loaded in one query: weekly hours, time
 * off, other bookings and the clinic's booking policy. */
#include "cache/schedule_cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/id_list.h"
#include "cache/index_keeper.h"
#include "domain/timefmt.h"
#include "store/schedules.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/vcache.h"

static void load_intervals(const char *text, struct interval **out, size_t *n)
{
    json_t *a = json_loads(text, 0, NULL);
    size_t len = json_array_size(a);
    *out = xcalloc(len ? len : 1, sizeof(**out));
    *n = 0;
    for (size_t i = 0; i < len; i++) {
        json_t *e = json_array_get(a, i);
        (*out)[*n].start = json_integer_value(json_array_get(e, 0));
        (*out)[*n].end = json_integer_value(json_array_get(e, 1));
        (*n)++;
    }
    json_decref(a);
}

/* [[id, time zone], ...] into s's locations; s->tz: the first one's zone. */
static void load_locations(json_t *locs, struct schedule *s)
{
    for (size_t k = 0; k < json_array_size(locs) && s->nlocations < SCHEDULE_MAX_LOCATIONS; k++) {
        json_t *e = json_array_get(locs, k);
        snprintf(s->location_ids[s->nlocations], sizeof(s->location_ids[0]), "%s",
                 json_string_value(json_array_get(e, 0)));
        const struct tz *z = tz_get(json_string_value(json_array_get(e, 1)));
        if (!z)
            log_error("time zone %s of location %s is not in the tz database",
                      json_string_value(json_array_get(e, 1)), s->location_ids[s->nlocations]);
        if (!s->tz)
            s->tz = z;
        s->nlocations++;
    }
}

/* The weekly hours at s's locations (others are left out), each in its location's zone. */
static void load_hours(const char *text, json_t *locs, struct schedule *s)
{
    json_t *hours = json_loads(text, 0, NULL);
    size_t nh = json_array_size(hours);
    s->rules = xcalloc(nh ? nh : 1, sizeof(*s->rules));
    for (size_t k = 0; k < nh; k++) {
        json_t *e = json_array_get(hours, k);
        const char *loc = json_string_value(json_array_get(e, 5));
        int li = -1;
        for (size_t m = 0; m < s->nlocations && loc; m++)
            if (strcmp(s->location_ids[m], loc) == 0)
                li = (int)m;
        if (li < 0)
            continue;
        json_t *lz = json_array_get(json_array_get(locs, (size_t)li), 1);
        struct hours_rule *h = &s->rules[s->nrules];
        h->weekday = (int)json_integer_value(json_array_get(e, 0));
        h->start_min = (int)json_integer_value(json_array_get(e, 1));
        h->end_min = (int)json_integer_value(json_array_get(e, 2));
        h->valid_from = (int32_t)json_integer_value(json_array_get(e, 3));
        h->valid_to = (int32_t)json_integer_value(json_array_get(e, 4));
        h->tz = tz_get(json_string_value(lz));
        h->location = li;
        if (h->tz)
            s->nrules++;
    }
    json_decref(hours);
}

/* Fills s from row (its arrays malloc'd). */
static void parse_row(const struct store_schedule_row *row, struct schedule *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->practitioner_id, sizeof(s->practitioner_id), "%s", row->practitioner_id);
    snprintf(s->clinic_id, sizeof(s->clinic_id), "%s", row->clinic_id);
    s->service_found = row->service_id != NULL;
    if (s->service_found)
        snprintf(s->service_id, sizeof(s->service_id), "%s", row->service_id);
    s->duration_min = row->duration_min;
    s->buffer_before_min = row->buffer_before_min;
    s->buffer_after_min = row->buffer_after_min;
    s->min_notice_min = row->min_notice_min;
    s->horizon_days = row->horizon_days;
    s->step_min = row->step_min;
    s->cancel_notice_hours = row->cancel_notice_hours;
    s->max_open_per_contact = row->max_open_per_contact;
    s->service_offered = s->service_found && row->service_offered;
    s->now = row->now;
    s->revision = row->revision;
    json_t *locs = json_loads(row->locations, 0, NULL);
    load_locations(locs, s);
    load_hours(row->hours, locs, s);
    json_decref(locs);
    load_intervals(row->time_off, &s->off, &s->noff);
    load_intervals(row->busy, &s->busy, &s->nbusy);
    if (!s->tz)
        s->tz = tz_get("UTC");
}

/* Where the rows of one read go: out[0..max). */
struct read_into {
    struct schedule *out;
    size_t max, filled;
};

static void take_row(const struct store_schedule_row *row, void *ctx)
{
    struct read_into *x = ctx;
    if (x->filled < x->max)
        parse_row(row, &x->out[x->filled++]);
}

enum db_status schedule_fetch(struct db_session *db, const char *practitioner_id,
                             const char *service_id, int64_t from, int64_t to,
                             const char *exclude_booking, struct schedule *s)
{
    memset(s, 0, sizeof(*s));
    struct read_into x = {.out = s, .max = 1};
    size_t rows;
    enum db_status st = store_schedules_read(db, true, practitioner_id, service_id, NULL, from,
                                             to, exclude_booking, take_row, &x, &rows);
    if (st == DB_OK && x.filled == 0)
        st = DB_NOT_FOUND;
    return st;
}

enum db_status schedule_fetch_many(struct db_session *db, const char *const *ids, size_t n,
                                  const char *minutes, int64_t from, int64_t to,
                                  struct schedule *out, size_t *filled)
{
    char *list = id_list_literal(ids, n);
    struct read_into x = {.out = out, .max = n};
    size_t rows;
    enum db_status st = store_schedules_read(db, false, list, NULL, minutes, from, to, NULL,
                                             take_row, &x, &rows);
    free(list);
    *filled = x.filled;
    return st;
}

int64_t schedule_next_opening(const struct schedule *s, int64_t from, int64_t to)
{
    if (!s->service_found || s->nrules == 0)
        return -1;
    /* a near window first: most practitioners have a free time within days */
    static const int64_t spans[] = {3 * 86400, 14 * 86400, 62 * 86400, 400 * 86400};
    int64_t lo = from;
    for (size_t i = 0; i < sizeof(spans) / sizeof(spans[0]) && lo < to; i++) {
        int64_t hi = from + spans[i] < to ? from + spans[i] : to;
        struct slot_query q;
        schedule_query(s, lo, hi, &q);
        struct slot first;
        if (slots_compute(&q, &first, 1) > 0)
            return first.start;
        lo = hi;
    }
    return -1;
}

void schedule_release(struct schedule *s)
{
    free(s->rules);
    free(s->busy);
    free(s->off);
    memset(s, 0, sizeof(*s));
}

/* ---- the caches ------------------------------------------------------------------
 * For availability: 
 * A vcache (util/vcache.c) of schedules, each flattened into one value: a head (when
 * it was read, the database clock's lead over ours then, the instants it covers, the
 * schedule itself) and then its rules, busy ranges and time off.  Valid for the
 * practitioner's schedule version, and for at most a minute (the notice moves with
 * the clock).  Schedules with many bookings are not kept, so that the cache stays
 * within about 10 MiB.
 * For booking: the same, without the bookings (the exclusion constraint settles
 * those), for a minute whatever the version: book_slot compares the schedule's
 * revision with the database's, so a stale one is caught where it matters. */
#define CACHE_SETS 2048 /* of VCACHE_WAYS ways: with two, a quarter of a thousand keys
                           shared a set with two others and missed every time */
#define CACHE_TTL_S 60
#define CACHE_SPAN_DAYS 64 /* read ahead: any range up to 62 days from today is inside */
#define CACHE_MAX_INTERVALS 512
#define BOOKING_CACHE_SETS 1024
#define CACHE_MAX_BYTES (sizeof(struct cached) + 64 * sizeof(struct hours_rule) + \
                         CACHE_MAX_INTERVALS * sizeof(struct interval))

struct cached {
    int64_t loaded, skew, from, to;
    struct schedule s; /* its array pointers are meaningless here */
};

static struct vcache *schedules, *for_booking;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static _Atomic long cache_hits, cache_misses, booking_hits, booking_misses;

static void cache_init(void)
{
    schedules = vcache_new(CACHE_SETS, CACHE_MAX_BYTES);
    for_booking = vcache_new(BOOKING_CACHE_SETS, CACHE_MAX_BYTES);
}

void schedule_cache_stats(struct schedule_cache_stats *st)
{
    st->hits = atomic_load(&cache_hits);
    st->misses = atomic_load(&cache_misses);
    st->booking_hits = atomic_load(&booking_hits);
    st->booking_misses = atomic_load(&booking_misses);
}

/* Copies n elements of size from *at into a new array, and moves *at past them. */
static void *take_array(const char **at, size_t n, size_t size)
{
    void *d = xmalloc((n ? n : 1) * size);
    memcpy(d, *at, n * size);
    *at += n * size;
    return d;
}

/* A fresh entry of cache for key covering [from, to), into s: true when there was one. */
static bool cache_get(struct vcache *cache, const char *key, uint64_t version, int64_t from,
                      int64_t to, struct schedule *s)
{
    size_t len;
    char *blob = vcache_get(cache, key, version, &len);
    if (!blob)
        return false;
    struct cached c;
    memcpy(&c, blob, sizeof(c));
    int64_t now = (int64_t)time(NULL);
    bool fresh = now >= c.loaded && now - c.loaded < CACHE_TTL_S && from >= c.from && to <= c.to;
    if (fresh) {
        *s = c.s;
        const char *at = blob + sizeof(c);
        s->rules = take_array(&at, s->nrules, sizeof(*s->rules));
        s->busy = take_array(&at, s->nbusy, sizeof(*s->busy));
        s->off = take_array(&at, s->noff, sizeof(*s->off));
        s->now = now + c.skew;
    }
    free(blob);
    return fresh;
}

/* Keeps s, read for [from, to), in cache; without its bookings unless with_busy. */
static void cache_put(struct vcache *cache, const char *key, uint64_t version, int64_t from,
                      int64_t to, const struct schedule *s, bool with_busy)
{
    size_t nbusy = with_busy ? s->nbusy : 0;
    if (!s->service_found || !s->service_offered || nbusy + s->noff > CACHE_MAX_INTERVALS)
        return;
    int64_t now = (int64_t)time(NULL);
    struct cached c = {.loaded = now, .skew = s->now - now, .from = from, .to = to, .s = *s};
    c.s.nbusy = nbusy;
    struct buf b;
    buf_init(&b, 0);
    buf_append(&b, (const char *)&c, sizeof(c));
    buf_append(&b, (const char *)s->rules, s->nrules * sizeof(*s->rules));
    buf_append(&b, (const char *)s->busy, nbusy * sizeof(*s->busy));
    buf_append(&b, (const char *)s->off, s->noff * sizeof(*s->off));
    vcache_put(cache, key, version, b.data, b.len);
    buf_release(&b);
}

/* The range a cache miss reads: [from, to) widened to a day ago .. CACHE_SPAN_DAYS on. */
static void read_ahead(int64_t from, int64_t to, int64_t *lf, int64_t *lt)
{
    int64_t now = (int64_t)time(NULL);
    *lf = from < now - 86400 ? from : now - 86400;
    *lt = to > now + CACHE_SPAN_DAYS * 86400 ? to : now + CACHE_SPAN_DAYS * 86400;
}

static void cache_key(char key[VCACHE_KEY_MAX], const char *practitioner_id,
                      const char *service_id)
{
    snprintf(key, VCACHE_KEY_MAX, "%s/%s", practitioner_id, service_id ? service_id : "");
}

/* A miss of either cache: reads the schedule (read ahead) and keeps it in both, under
 * the schedule version read before the database (*version: that version, 0 when the
 * index does not know the practitioner and availability cannot keep it). */
static enum db_status load_and_keep(struct db_session *db, const char *key,
                                    const char *practitioner_id, const char *service_id,
                                    int64_t from, int64_t to, struct schedule *s,
                                    uint64_t *version)
{
    /* (read before the database: a change after it makes the entry stale at once) */
    if (!dirindex_schedule_version(practitioner_id, version))
        *version = 0;
    int64_t lf, lt;
    read_ahead(from, to, &lf, &lt);
    enum db_status st = schedule_fetch(db, practitioner_id, service_id, lf, lt, NULL, s);
    if (st == DB_OK) {
        if (*version)
            cache_put(schedules, key, *version, lf, lt, s, true);
        cache_put(for_booking, key, 0, lf, lt, s, false);
    }
    return st;
}

enum db_status schedule_fetch_cached(struct db_session *db, const char *practitioner_id,
                                    const char *service_id, int64_t from, int64_t to,
                                    struct schedule *s, uint64_t *version)
{
    pthread_once(&cache_once, cache_init);
    char key[VCACHE_KEY_MAX];
    cache_key(key, practitioner_id, service_id);
    if (dirindex_schedule_version(practitioner_id, version) &&
        cache_get(schedules, key, *version, from, to, s)) {
        atomic_fetch_add(&cache_hits, 1);
        return DB_OK;
    }
    atomic_fetch_add(&cache_misses, 1);
    return load_and_keep(db, key, practitioner_id, service_id, from, to, s, version);
}

enum db_status schedule_fetch_for_booking(struct db_session *db, const char *practitioner_id,
                                         const char *service_id, int64_t from, int64_t to,
                                         bool fresh, struct schedule *s, bool *from_memory)
{
    pthread_once(&cache_once, cache_init);
    char key[VCACHE_KEY_MAX];
    cache_key(key, practitioner_id, service_id);
    *from_memory = !fresh && cache_get(for_booking, key, 0, from, to, s);
    if (*from_memory) {
        atomic_fetch_add(&booking_hits, 1);
        return DB_OK;
    }
    atomic_fetch_add(&booking_misses, 1);
    uint64_t version;
    return load_and_keep(db, key, practitioner_id, service_id, from, to, s, &version);
}

void schedule_query(const struct schedule *s, int64_t from, int64_t to, struct slot_query *q)
{
    *q = (struct slot_query){
        .rules = s->rules, .nrules = s->nrules,
        .busy = s->busy, .nbusy = s->nbusy,
        .off = s->off, .noff = s->noff,
        .duration_min = s->duration_min,
        .buffer_before_min = s->buffer_before_min,
        .buffer_after_min = s->buffer_after_min,
        .step_min = s->step_min,
        .from = from,
        .to = to,
        .earliest = s->now + (int64_t)s->min_notice_min * 60,
        .latest = s->now + (int64_t)s->horizon_days * 86400,
    };
}

bool schedule_offers(const struct schedule *s, int64_t start, struct slot *slot)
{
    struct slot_query q;
    schedule_query(s, start, start + 1, &q);
    struct slot found[4];
    size_t n = slots_compute(&q, found, 4);
    for (size_t i = 0; i < n && i < 4; i++)
        if (found[i].start == start) {
            *slot = found[i];
            return true;
        }
    return false;
}

const char *schedule_location(const struct schedule *s, int location)
{
    return location >= 0 && (size_t)location < s->nlocations ? s->location_ids[location] : "";
}

void schedule_format(const struct schedule *s, int64_t t, char *out, size_t outlen)
{
    rfc3339_format(t, tz_offset_at(s->tz, t), out, outlen);
}

json_t *schedule_slot_json(const struct schedule *s, const struct slot *sl)
{
    char a[40], b[40];
    schedule_format(s, sl->start, a, sizeof(a));
    schedule_format(s, sl->end, b, sizeof(b));
    return json_pack("{s:s, s:s, s:s}", "start", a, "end", b, "location_id",
                     schedule_location(s, sl->location));
}

static void owner_stats(struct buf *b)
{
    struct schedule_cache_stats sc;
    schedule_cache_stats(&sc);
    buf_printf(b,
               "# HELP clinicd_schedules_total Schedules read for availability, by where they came from.\n"
               "# TYPE clinicd_schedules_total counter\n"
               "clinicd_schedules_total{source=\"cache\"} %ld\n"
               "clinicd_schedules_total{source=\"database\"} %ld\n"
               "# HELP clinicd_booking_schedules_total Schedules a booking was checked against, by where they came from.\n"
               "# TYPE clinicd_booking_schedules_total counter\n"
               "clinicd_booking_schedules_total{source=\"cache\"} %ld\n"
               "clinicd_booking_schedules_total{source=\"database\"} %ld\n",
               sc.hits, sc.misses, sc.booking_hits, sc.booking_misses);
}

const struct owner schedule_cache_owner = {.name = "the schedule caches", .stats = owner_stats};
