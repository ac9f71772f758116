/* Open slots of a practitioner for one service over a range of at most 62 days. */
#include "booking/availability.h"
#include "api/handlers.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "api/common.h"
#include "api/outcome.h"
#include "cache/schedule_cache.h"
#include "core/owner.h"
#include "domain/timefmt.h"
#include "util/alloc.h"
#include "util/parse.h"
#include "util/vcache.h"

#define MAX_RANGE_DAYS 62
#define DEFAULT_RANGE_DAYS 14

/* ---- answers kept compressed ------------------------------------------------------
 * A month of slots is about 70 KB of JSON and 4 KB gzipped: for clients that accept
 * gzip (every browser), the compressed answer is kept under the schedule version it
 * was made from.  For one schedule and one range, the answer changes with the clock
 * only at its ends: the minimum notice cuts slots off the front (the first slot goes
 * once the clock reaches its start minus the notice), the horizon adds slots at the
 * back (only while the range reaches past it).  So a kept answer is sent as it is
 * until its first slot's cut, if its range ends inside the horizon; otherwise the
 * slots are computed and it is sent when its count, first and last slot are the
 * same: then it is the same answer, byte for byte. */
#define ANSWER_SETS 1024
#define ANSWER_MAX_BYTES (64 * 1024)

struct answer_id {
    char service_id[40];
    int64_t from, to;
};

struct answer_head {
    struct answer_id id;
    size_t n;
    int64_t first, last;
    int64_t valid_until; /* sent as it is while the schedule's clock is at most this */
};

static struct vcache *answers;
static pthread_once_t answers_once = PTHREAD_ONCE_INIT;
static _Atomic long answers_kept, answers_made;

static void answers_stats(struct buf *b)
{
    buf_printf(b,
               "# HELP clinicd_availability_gzipped_total Availability answers sent gzipped, kept from before or made.\n"
               "# TYPE clinicd_availability_gzipped_total counter\n"
               "clinicd_availability_gzipped_total{source=\"kept\"} %ld\n"
               "clinicd_availability_gzipped_total{source=\"made\"} %ld\n",
               atomic_load(&answers_kept), atomic_load(&answers_made));
}

const struct owner availability_answers_owner = {.name = "the availability answers",
                                                 .stats = answers_stats};

static void answers_init(void)
{
    answers = vcache_new(ANSWER_SETS, sizeof(struct answer_head) + ANSWER_MAX_BYTES);
}

/* The key of an answer: the practitioner and a digest of the rest of its id. */
static void answer_key(const char *practitioner_id, const struct answer_id *id,
                       char key[VCACHE_KEY_MAX])
{
    unsigned char d[8];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof(d));
    crypto_generichash_update(&st, (const unsigned char *)id->service_id, sizeof(id->service_id));
    crypto_generichash_update(&st, (const unsigned char *)&id->from, sizeof(id->from));
    crypto_generichash_update(&st, (const unsigned char *)&id->to, sizeof(id->to));
    crypto_generichash_final(&st, d, sizeof(d));
    char hex[2 * sizeof(d) + 1];
    sodium_bin2hex(hex, sizeof(hex), d, sizeof(d));
    snprintf(key, VCACHE_KEY_MAX, "%s/%s", practitioner_id, hex);
}

/* The head of the answer made of slots[0..n) of q (from s). */
static void answer_head_init(struct answer_head *h, const struct answer_id *id,
                             const struct schedule *s, const struct slot_query *q,
                             const struct slot *slots, size_t n)
{
    memset(h, 0, sizeof(*h));
    h->id = *id;
    h->n = n;
    h->first = n ? slots[0].start : 0;
    h->last = n ? slots[n - 1].start : 0;
    if (q->to > q->latest)
        h->valid_until = INT64_MIN; /* the horizon moves inside the range */
    else
        h->valid_until = n ? slots[0].start - (int64_t)s->min_notice_min * 60 : INT64_MAX;
}

/* data[0..len) gzipped, in a new buffer (*out_len bytes); NULL if zlib fails. */
static char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    /* 15 + 16: a gzip wrapper; level 6 (zlib's default): an answer is compressed once
     * for the many times it is sent */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    char *out = xmalloc(cap);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static void reply_gzipped(struct req *r, char *data, size_t len)
{
    reply_owned(r, 200, "application/json", data, len);
    reply_header(r, "Content-Encoding", "gzip");
    reply_header(r, "Vary", "Accept-Encoding");
}

/* Replies with the answer kept under key for version and id if there is one, and
 * either the clock (now) is within its validity or, when h is not NULL, it holds
 * the same slots as h: true then. */
static bool reply_kept(struct req *r, const char *key, uint64_t version,
                       const struct answer_id *id, int64_t now, const struct answer_head *h)
{
    size_t len;
    char *blob = vcache_get(answers, key, version, &len);
    if (!blob)
        return false;
    struct answer_head kept;
    bool same = false;
    if (len >= sizeof(kept)) {
        memcpy(&kept, blob, sizeof(kept));
        same = memcmp(&kept.id, id, sizeof(*id)) == 0 &&
               (h ? kept.n == h->n && kept.first == h->first && kept.last == h->last
                  : now <= kept.valid_until);
    }
    if (!same) {
        free(blob);
        return false;
    }
    memmove(blob, blob + sizeof(kept), len - sizeof(kept));
    reply_gzipped(r, blob, len - sizeof(kept));
    atomic_fetch_add(&answers_kept, 1);
    return true;
}

/* A from/to parameter: an RFC 3339 instant, or a date meaning local midnight.
 * Returns 1 with *instant or *day set (is_date tells which), 0 absent, -1 problem. */
static int range_param(struct input *in, const char *key, int64_t *instant, int64_t *day,
                       bool *is_date)
{
    const char *s = q_str(in, key, 40);
    if (!s)
        return 0;
    if (date_parse(s, day) == 0) {
        *is_date = true;
        return 1;
    }
    if (rfc3339_parse(s, instant) == 0) {
        *is_date = false;
        return 1;
    }
    input_error(in, key, true, "%s must be a date (2026-03-08) or a date and time with an offset",
                key);
    return -1;
}

/* Local midnight of day in z (the first instant of that date). */
static int64_t local_midnight(const struct tz *z, int64_t day)
{
    int64_t a, b;
    for (int64_t t = day * 86400; t < day * 86400 + 86400; t += 1800)
        if (tz_local_to_utc(z, t, &a, &b) > 0)
            return a;
    return day * 86400;
}

/* The query of an availability request: the service and the range asked for, and
 * the range roughly (dates as UTC midnight) to load the schedule with. */
struct availability_query {
    const char *service;
    int hf, ht; /* range_param's answers for from and to */
    int64_t from_i, to_i, from_d, to_d;
    bool from_is_date, to_is_date;
    int64_t rough_from, rough_to;
};

/* Reads the query; false after recording problems. */
static bool availability_query_read(struct input *in, struct availability_query *q)
{
    memset(q, 0, sizeof(*q));
    q->service = q_str(in, "service", 64);
    if (q->service && !is_uuid(q->service)) {
        input_error(in, "service", false, "service must be a service id from the profile");
        q->service = NULL;
    }
    q->hf = range_param(in, "from", &q->from_i, &q->from_d, &q->from_is_date);
    q->ht = range_param(in, "to", &q->to_i, &q->to_d, &q->to_is_date);
    if (!input_ok(in))
        return false;
    /* load with a rough range first: dates as UTC midnight; the loader adds a day */
    int64_t now_guess = (int64_t)time(NULL);
    int64_t rf = q->hf == 1 ? (q->from_is_date ? q->from_d * 86400 : q->from_i) : now_guess;
    int64_t rt = q->ht == 1 ? (q->to_is_date ? (q->to_d + 1) * 86400 : q->to_i)
                            : rf + DEFAULT_RANGE_DAYS * 86400;
    if (rt <= rf)
        input_error(in, "to", false, "to must be after from");
    else if (rt - rf > (int64_t)(MAX_RANGE_DAYS + 1) * 86400)
        input_error(in, "to", false, "the range may be at most %d days", MAX_RANGE_DAYS);
    q->rough_from = rf;
    q->rough_to = rt;
    return input_ok(in);
}

/* The exact range, dates in the practitioner's time zone; false after recording a
 * problem. */
static bool availability_range(struct input *in, const struct availability_query *q,
                               const struct schedule *s, int64_t *from, int64_t *to)
{
    *from = q->hf == 1 ? (q->from_is_date ? local_midnight(s->tz, q->from_d) : q->from_i) : s->now;
    *to = q->ht == 1 ? (q->to_is_date ? local_midnight(s->tz, q->to_d + 1) : q->to_i)
                     : *from + DEFAULT_RANGE_DAYS * 86400;
    if (*to - *from > (int64_t)MAX_RANGE_DAYS * 86400 + 7200) {
        input_error(in, "to", false, "the range may be at most %d days", MAX_RANGE_DAYS);
        return false;
    }
    return true;
}

/* Replies with the slots of s in [from, to): a kept gzipped answer when it is the
 * same, else made (and kept when gzipped and the schedule has a version). */
static void reply_slots(struct req *r, const char *id, const struct schedule *s, int64_t from,
                        int64_t to, uint64_t version)
{
    struct slot_query q;
    schedule_query(s, from, to, &q);
    bool gz = req_accepts_gzip(r), keep = gz && version;
    struct answer_id aid;
    char key[VCACHE_KEY_MAX];
    if (keep) {
        pthread_once(&answers_once, answers_init);
        memset(&aid, 0, sizeof(aid));
        snprintf(aid.service_id, sizeof(aid.service_id), "%s", s->service_id);
        aid.from = from;
        aid.to = to;
        answer_key(id, &aid, key);
        if (reply_kept(r, key, version, &aid, s->now, NULL))
            return;
    }
    struct slot *slots;
    size_t n = slots_compute_all(&q, &slots);
    struct answer_head h;
    if (keep) {
        answer_head_init(&h, &aid, s, &q, slots, n);
        if (reply_kept(r, key, version, &aid, s->now, &h)) {
            free(slots);
            return;
        }
    }
    const char *locations[SCHEDULE_MAX_LOCATIONS];
    for (size_t i = 0; i < s->nlocations; i++)
        locations[i] = s->location_ids[i];
    struct slots_answer a = {id, s->service_id, s->tz, locations, s->nlocations};
    size_t len;
    char *data = slots_answer_json(&a, slots, n, &len);
    free(slots);
    size_t zlen;
    char *z = gz ? gzip_bytes(data, len, &zlen) : NULL;
    if (z) {
        atomic_fetch_add(&answers_made, 1);
        free(data);
        if (keep && zlen <= ANSWER_MAX_BYTES) {
            char *blob = xmalloc(sizeof(h) + zlen);
            memcpy(blob, &h, sizeof(h));
            memcpy(blob + sizeof(h), z, zlen);
            vcache_put(answers, key, version, blob, sizeof(h) + zlen);
            free(blob);
        }
        reply_gzipped(r, z, zlen);
    } else {
        reply_owned(r, 200, "application/json", data, len);
        reply_header(r, "Vary", "Accept-Encoding");
    }
}

void availability_get(struct req *r)
{
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        reply_not_found(r);
        return;
    }
    struct input in;
    input_init(&in, r);
    struct availability_query q;
    if (!availability_query_read(&in, &q)) {
        input_reply(&in);
        input_release(&in);
        return;
    }
    struct schedule s = {0};
    uint64_t version;
    int64_t from, to;
    enum db_status st =
        schedule_fetch_cached(&r->db, id, q.service, q.rough_from, q.rough_to, &s, &version);
    if (st != DB_OK) {
        reply_failure(r, st); /* (DB_NOT_FOUND: no such practitioner, 404) */
    } else if (!s.service_found || !s.service_offered) {
        input_error(&in, "service", false,
                    s.service_found ? "this practitioner does not offer that service"
                                    : "no such service at this practitioner's clinic");
        input_reply(&in);
    } else if (!availability_range(&in, &q, &s, &from, &to)) {
        input_reply(&in);
    } else {
        reply_slots(r, id, &s, from, to, version);
    }
    schedule_release(&s);
    input_release(&in);
}
