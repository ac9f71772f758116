/* libFuzzer harness: slots_compute (domain/slots.h) fed weekly hours in several zones,
 * bookings (busy ranges), time off, durations, buffers, steps and windows drawn from
 * the input bytes, often around the nights clocks change.
 *
 * Every slot produced must: start strictly after the one before; last exactly the
 * duration; start inside the asked window and the policy's [earliest, latest); not
 * overlap time off, nor (with the buffers) a busy range; lie inside a window of the
 * hours of its own location (slots_within_hours).  And the answer must be complete:
 * a brute-force scan of every rule's grid, written without slots.c's merging and
 * binary searches, finds the same starts (with the lowest location on a tie).  A
 * smaller max gives the same count and a prefix of the same slots, written within
 * max.  Any violation aborts. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/slots.h"
#include "domain/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_slots: %s:%d: invariant failed: %s\n", __FILE__,      \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static const char *const zone_names[] = {"America/New_York", "Europe/Berlin", "Australia/Sydney",
                                         "Asia/Kolkata", "UTC"};
#define NZONES (sizeof(zone_names) / sizeof(zone_names[0]))
static const struct tz *zones[NZONES];

/* Local wall-clock times (seconds since 1970-01-01T00:00 local) of clock changes in
 * the zones above, to start windows near: spring forward and fall back. */
static const struct {
    int zone;
    int y, m, d, hh;
} changes[] = {
    {0, 2026, 3, 8, 2},  {0, 2026, 11, 1, 1}, {1, 2026, 3, 29, 2}, {1, 2026, 10, 25, 2},
    {2, 2026, 4, 5, 2},  {2, 2026, 10, 4, 2}, {0, 2038, 3, 14, 2}, {1, 2039, 10, 30, 2},
};
#define NCHANGES (sizeof(changes) / sizeof(changes[0]))

#define MAX_RULES 6
#define MAX_BUSY 12
#define MAX_OFF 6
#define MAX_CAND 200000

/* The input as a stream of numbers; zeros once it runs out. */
struct bytes {
    const uint8_t *p;
    size_t n;
};

static uint32_t take(struct bytes *b, int nbytes)
{
    uint32_t v = 0;
    for (int i = 0; i < nbytes; i++) {
        v = v << 8;
        if (b->n) {
            v |= *b->p++;
            b->n--;
        }
    }
    return v;
}

/* A number in [lo, hi]. */
static int64_t pick(struct bytes *b, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    uint32_t v = take(b, span > 0xffff ? 4 : span > 0xff ? 2 : 1);
    return lo + (int64_t)(v % span);
}

struct cand {
    int64_t start, end;
    int location;
};

static int cmp_cand(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->location > y->location) - (x->location < y->location);
}

static bool rule_valid(const struct hours_rule *h)
{
    return h->weekday >= 1 && h->weekday <= 7 && h->start_min >= 0 && h->start_min < 1440 &&
           h->end_min >= 0 && h->end_min <= 1440 && h->tz;
}

static bool hits(const struct interval *v, size_t n, int64_t s, int64_t e)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].end > v[i].start && v[i].start < e && s < v[i].end)
            return true;
    return false;
}

/* Every slot the rules offer, by brute force: each rule, each local day that can
 * matter (a wide margin), each step of the grid. */
static size_t oracle(const struct slot_query *q, int64_t lo, int64_t hi, struct cand *out)
{
    size_t n = 0;
    int64_t dur = (int64_t)q->duration_min * 60, step = (int64_t)q->step_min * 60;
    for (size_t r = 0; r < q->nrules; r++) {
        const struct hours_rule *h = &q->rules[r];
        if (!rule_valid(h))
            continue;
        for (int64_t day = day_of(lo) - 3; day <= day_of(hi) + 2; day++) {
            if (iso_weekday(day) != h->weekday || day < h->valid_from || day > h->valid_to)
                continue;
            int64_t ws = day * 86400 + (int64_t)h->start_min * 60;
            int64_t we = day * 86400 + (int64_t)h->end_min * 60 + (h->end_min <= h->start_min ? 86400 : 0);
            for (int64_t t = ws; t + dur <= we; t += step) {
                int64_t s1, s2, e1, e2;
                if (tz_local_to_utc(h->tz, t, &s1, &s2) == 0 ||
                    tz_local_to_utc(h->tz, t + dur, &e1, &e2) == 0 || e1 - s1 != dur)
                    continue;
                if (s1 < lo || s1 >= hi || hits(q->off, q->noff, s1, e1) ||
                    hits(q->busy, q->nbusy, s1 - (int64_t)q->buffer_before_min * 60,
                         e1 + (int64_t)q->buffer_after_min * 60))
                    continue;
                CHECK(n < MAX_CAND);
                out[n].start = s1;
                out[n].end = e1;
                out[n].location = h->location;
                n++;
            }
        }
    }
    qsort(out, n, sizeof(*out), cmp_cand);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || out[i].start != out[k - 1].start)
            out[k++] = out[i];
    return k;
}

static struct cand cands[MAX_CAND];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!zones[0]) {
        for (size_t i = 0; i < NZONES; i++) {
            zones[i] = tz_get(zone_names[i]);
            if (!zones[i]) {
                fprintf(stderr, "fuzz_slots: no time zone %s (is tzdata installed?)\n",
                        zone_names[i]);
                abort();
            }
        }
    }
    struct bytes b = {data, size};

    /* the window: near a clock change, or any time from 2020 to 2040 */
    int64_t from;
    uint32_t mode = take(&b, 1);
    if (mode % 4 != 0) {
        unsigned c = (mode / 4) % NCHANGES;
        int64_t local = days_from_civil(changes[c].y, (unsigned)changes[c].m,
                                        (unsigned)changes[c].d) * 86400 + changes[c].hh * 3600;
        from = local - tz_offset_at(zones[changes[c].zone], local) + pick(&b, -3 * 86400, 86400);
    } else {
        from = days_from_civil(2020, 1, 1) * 86400 + pick(&b, 0, 21LL * 365 * 86400);
    }
    if (take(&b, 1) % 2)
        from -= from % 300; /* often on a five-minute boundary */

    struct slot_query q;
    memset(&q, 0, sizeof(q));
    q.duration_min = (int)pick(&b, -2, 480);
    q.step_min = (int)pick(&b, -1, 90);
    q.buffer_before_min = (int)pick(&b, 0, 240);
    q.buffer_after_min = (int)pick(&b, 0, 240);
    /* a small step makes many candidates: keep that window short */
    int64_t max_len = q.step_min > 0 && q.step_min < 5 ? 86400 : 7 * 86400;
    q.from = from;
    q.to = from + pick(&b, -3600, max_len);
    q.earliest = from + pick(&b, -2 * 86400, 2 * 86400);
    q.latest = q.to + pick(&b, -2 * 86400, 2 * 86400);

    struct hours_rule rules[MAX_RULES];
    size_t nrules = (size_t)pick(&b, 0, MAX_RULES);
    int64_t day0 = day_of(from);
    for (size_t i = 0; i < nrules; i++) {
        struct hours_rule *h = &rules[i];
        h->weekday = (int)pick(&b, 0, 8);
        if (take(&b, 1) % 8 == 0) { /* anywhere, invalid values included */
            h->start_min = (int)pick(&b, -5, 1445);
            h->end_min = (int)pick(&b, -5, 1445);
        } else { /* whole quarter hours, as staff enter them */
            h->start_min = (int)pick(&b, 0, 95) * 15;
            h->end_min = (int)pick(&b, 0, 96) * 15;
        }
        uint32_t v = take(&b, 1);
        h->valid_from = v & 1 ? (int32_t)(day0 + pick(&b, -10, 10)) : DAY_UNBOUNDED_LOW;
        h->valid_to = v & 2 ? (int32_t)(day0 + pick(&b, -10, 10)) : DAY_UNBOUNDED_HIGH;
        h->tz = zones[pick(&b, 0, NZONES - 1)];
        h->location = (int)pick(&b, 0, 3);
    }
    struct interval busy[MAX_BUSY], off[MAX_OFF];
    size_t nbusy = (size_t)pick(&b, 0, MAX_BUSY), noff = (size_t)pick(&b, 0, MAX_OFF);
    for (size_t i = 0; i < nbusy; i++) {
        busy[i].start = from + pick(&b, -86400, 8 * 86400) / 300 * 300;
        busy[i].end = busy[i].start + pick(&b, -3600, 6 * 3600);
    }
    for (size_t i = 0; i < noff; i++) {
        off[i].start = from + pick(&b, -2 * 86400, 8 * 86400) / 900 * 900;
        off[i].end = off[i].start + pick(&b, -3600, 3 * 86400);
    }
    q.rules = rules;
    q.nrules = nrules;
    q.busy = busy;
    q.nbusy = nbusy;
    q.off = off;
    q.noff = noff;

    /* everything */
    size_t cap = 4096;
    struct slot *out = malloc(cap * sizeof(*out));
    size_t n = slots_compute(&q, out, cap);
    if (n > cap) {
        free(out);
        cap = n;
        out = malloc(cap * sizeof(*out));
        CHECK(slots_compute(&q, out, cap) == n);
    }
    if (q.duration_min <= 0 || q.step_min <= 0 || q.from >= q.to)
        CHECK(n == 0);

    int64_t lo = q.from > q.earliest ? q.from : q.earliest;
    int64_t hi = q.to < q.latest ? q.to : q.latest;
    int64_t dur = (int64_t)q.duration_min * 60;
    for (size_t i = 0; i < n; i++) {
        const struct slot *s = &out[i];
        if (i > 0)
            CHECK(s->start > out[i - 1].start);
        CHECK(s->end - s->start == dur);
        CHECK(s->start >= lo && s->start < hi);
        CHECK(!hits(off, noff, s->start, s->end));
        struct interval blk = slots_blocked(s->start, s->end, q.buffer_before_min,
                                            q.buffer_after_min);
        CHECK(!hits(busy, nbusy, blk.start, blk.end));
        /* inside the hours of its own location */
        struct hours_rule mine[MAX_RULES];
        size_t nmine = 0;
        for (size_t r = 0; r < nrules; r++)
            if (rule_valid(&rules[r]) && rules[r].location == s->location)
                mine[nmine++] = rules[r];
        CHECK(nmine > 0);
        CHECK(slots_within_hours(mine, nmine, s->start, s->end));
    }

    if (getenv("FUZZ_SLOTS_VERBOSE"))
        fprintf(stderr, "fuzz_slots: %zu rules, %zu busy, %zu off, %d min every %d: %zu slots\n",
                nrules, nbusy, noff, q.duration_min, q.step_min, n);

    /* complete: the brute force finds the same */
    if (n > 0 || (q.duration_min > 0 && q.step_min > 0 && lo < hi)) {
        size_t want = q.duration_min > 0 && q.step_min > 0 && q.from < q.to && lo < hi
                          ? oracle(&q, lo, hi, cands)
                          : 0;
        if (want != n)
            fprintf(stderr, "fuzz_slots: slots_compute found %zu slots, brute force %zu\n", n,
                    want);
        CHECK(want == n);
        for (size_t i = 0; i < n; i++) {
            CHECK(cands[i].start == out[i].start && cands[i].end == out[i].end);
            CHECK(cands[i].location == out[i].location);
        }
    }

    /* a smaller max: the same count, a prefix of the same slots, nothing written past */
    if (n > 0) {
        size_t m = (size_t)pick(&b, 0, (int64_t)n - 1);
        struct slot *part = malloc((m ? m : 1) * sizeof(*part));
        CHECK(slots_compute(&q, part, m) == n);
        for (size_t i = 0; i < m; i++)
            CHECK(part[i].start == out[i].start && part[i].end == out[i].end &&
                  part[i].location == out[i].location);
        free(part);
    }
    free(out);
    return 0;
}
