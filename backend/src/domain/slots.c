/* Free appointment slots from weekly hours, time off and existing bookings: pure
 * computation with no I/O, so that unit tests and fuzzers call it directly. */
#include "domain/slots.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

struct interval slots_blocked(int64_t start, int64_t end, int buffer_before_min,
                              int buffer_after_min)
{
    struct interval b = {start - (int64_t)buffer_before_min * 60,
                         end + (int64_t)buffer_after_min * 60};
    return b;
}

static int cmp_interval(const void *a, const void *b)
{
    const struct interval *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

static int cmp_slot(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->location > y->location) - (x->location < y->location);
}

/* Sorted copy of in, with overlapping and touching ranges merged and empty ones
 * dropped; *n is updated. */
static struct interval *merged(const struct interval *in, size_t *n)
{
    struct interval *v = xcalloc(*n ? *n : 1, sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (in[i].end > in[i].start)
            v[k++] = in[i];
    qsort(v, k, sizeof(*v), cmp_interval);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        if (m > 0 && v[i].start <= v[m - 1].end) {
            if (v[i].end > v[m - 1].end)
                v[m - 1].end = v[i].end;
        } else {
            v[m++] = v[i];
        }
    }
    *n = m;
    return v;
}

/* True when [s, e) overlaps some range of the sorted, merged v. */
static bool overlaps(const struct interval *v, size_t n, int64_t s, int64_t e)
{
    size_t lo = 0, hi = n; /* first range whose end > s */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].end > s)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < n && v[lo].start < e;
}

/* The local day numbers that can hold a slot starting in [from, to). */
static void local_days(const struct tz *z, int64_t from, int64_t to, int64_t *first, int64_t *last)
{
    /* a day's hours may start the evening before (running past midnight) */
    *first = day_of(from + tz_offset_at(z, from)) - 1;
    *last = day_of(to + tz_offset_at(z, to));
}

size_t slots_compute(const struct slot_query *q, struct slot *out, size_t max)
{
    if (q->duration_min <= 0 || q->step_min <= 0 || q->from >= q->to)
        return 0;
    int64_t lo = q->from > q->earliest ? q->from : q->earliest;
    int64_t hi = q->to < q->latest ? q->to : q->latest;
    if (lo >= hi)
        return 0;
    size_t nbusy = q->nbusy, noff = q->noff;
    struct interval *busy = merged(q->busy, &nbusy);
    struct interval *off = merged(q->off, &noff);
    int64_t dur = (int64_t)q->duration_min * 60, step = (int64_t)q->step_min * 60;

    size_t cap = 64, n = 0;
    struct slot *all = xmalloc(cap * sizeof(*all));
    for (size_t r = 0; r < q->nrules; r++) {
        const struct hours_rule *h = &q->rules[r];
        if (h->weekday < 1 || h->weekday > 7 || h->start_min < 0 || h->start_min >= 1440 ||
            h->end_min < 0 || h->end_min > 1440 || !h->tz)
            continue;
        int64_t d0, d1;
        local_days(h->tz, lo, hi, &d0, &d1);
        for (int64_t day = d0; day <= d1; day++) {
            if (iso_weekday(day) != h->weekday || day < h->valid_from || day > h->valid_to)
                continue;
            int64_t wstart = day * 86400 + (int64_t)h->start_min * 60;
            int64_t wend = day * 86400 + (int64_t)h->end_min * 60;
            if (h->end_min <= h->start_min)
                wend += 86400; /* past midnight */
            for (int64_t t = wstart; t + dur <= wend; t += step) {
                int64_t s1, s2, e1, e2;
                if (tz_local_to_utc(h->tz, t, &s1, &s2) == 0 ||
                    tz_local_to_utc(h->tz, t + dur, &e1, &e2) == 0)
                    continue; /* starts or ends in a skipped hour */
                if (e1 - s1 != dur)
                    continue; /* spans a clock change: not the service's length */
                if (s1 < lo || s1 >= hi)
                    continue;
                if (overlaps(off, noff, s1, e1))
                    continue;
                struct interval b = slots_blocked(s1, e1, q->buffer_before_min,
                                                  q->buffer_after_min);
                if (overlaps(busy, nbusy, b.start, b.end))
                    continue;
                if (n == cap) {
                    cap *= 2;
                    all = xrealloc(all, cap * sizeof(*all));
                }
                all[n].start = s1;
                all[n].end = e1;
                all[n].location = h->location;
                n++;
            }
        }
    }
    qsort(all, n, sizeof(*all), cmp_slot);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && all[i].start == all[k - 1].start)
            continue; /* two rules offer the same time: keep the first location */
        all[k++] = all[i];
    }
    size_t copy = k < max ? k : max;
    if (copy)
        memcpy(out, all, copy * sizeof(*out));
    free(all);
    free(busy);
    free(off);
    return k;
}

/* The instant a wall-clock time maps to.  A time in a gap (clocks going forward)
 * maps to the instant of the change: 02:30 on the spring-forward night opens at 03:00,
 * as the wall-clock slot grid of slots_compute does. */
static int64_t wall_to_utc(const struct tz *z, int64_t local)
{
    int64_t a, b;
    if (tz_local_to_utc(z, local, &a, &b) > 0)
        return a;
    int32_t before = tz_offset_at(z, local - 86400), after = tz_offset_at(z, local + 86400);
    int64_t lo = local - after, hi = local - before; /* offset is `before` at lo, not at hi */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz_offset_at(z, mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

bool slots_within_hours(const struct hours_rule *rules, size_t nrules, int64_t start,
                        int64_t end)
{
    for (size_t r = 0; r < nrules; r++) {
        const struct hours_rule *h = &rules[r];
        if (!h->tz)
            continue;
        int64_t today = day_of(start + tz_offset_at(h->tz, start));
        for (int64_t day = today - 1; day <= today; day++) {
            if (iso_weekday(day) != h->weekday || day < h->valid_from || day > h->valid_to)
                continue;
            int64_t ws = day * 86400 + (int64_t)h->start_min * 60;
            int64_t we = day * 86400 + (int64_t)h->end_min * 60;
            if (h->end_min <= h->start_min)
                we += 86400;
            if (start >= wall_to_utc(h->tz, ws) && end <= wall_to_utc(h->tz, we))
                return true;
        }
    }
    return false;
}
