/* Free appointment slots from weekly hours, time off and existing bookings: pure
 * computation with no I/O, so that unit tests and fuzzers call it directly. */
#include "domain/slots.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timefmt.h"
#include "util/alloc.h"
#include "util/buf.h"

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

/* Local wall-clock times [lo, hi] of a zone that all convert with one offset, so that
 * converting one costs a subtraction instead of tz_local_to_utc's lookups; empty
 * (lo > hi) when the offset changes near them. */
struct wall_span {
    int64_t lo, hi;
    int32_t off;
};

/* tz_local_to_utc(z, t) reads the offsets in effect a day either side of t and at t
 * less the offset found; when the offset is the same at every instant of [lo - 1 day,
 * hi + 1 day], it gives t - offset, once, for every t in [lo, hi].  Equal offsets at
 * probes at most a day apart show that, on the assumption tz_local_to_utc makes too:
 * no zone changes its offset twice within a day (in the tz database the closest two
 * changes are days apart). */
static struct wall_span wall_span_of(const struct tz *z, int64_t lo, int64_t hi)
{
    struct wall_span none = {1, 0, 0};
    int32_t off = tz_offset_at(z, lo - 86400);
    if (off <= -86400 || off >= 86400)
        return none;
    for (int64_t p = lo; p < hi + 86400; p += 86400)
        if (tz_offset_at(z, p) != off)
            return none;
    if (tz_offset_at(z, hi + 86400) != off)
        return none;
    return (struct wall_span){lo, hi, off};
}

/* The first instant that shows wall-clock time t (tz_local_to_utc's *first); false
 * when t falls in a gap. */
static bool wall_instant(const struct tz *z, const struct wall_span *w, int64_t t, int64_t *u)
{
    if (t >= w->lo && t <= w->hi) {
        *u = t - w->off;
        return true;
    }
    int64_t second;
    return tz_local_to_utc(z, t, u, &second) > 0;
}

/* A usable rule and the local days that can hold its slots. */
struct rule_days {
    const struct hours_rule *h;
    int64_t d0, d1;
};

/* By the time of day the hours start, then by position in the query. */
static int cmp_rule_days(const void *a, const void *b)
{
    const struct rule_days *x = a, *y = b;
    if (x->h->start_min != y->h->start_min)
        return x->h->start_min < y->h->start_min ? -1 : 1;
    return (x->h > y->h) - (x->h < y->h);
}

static bool in_order(const struct slot *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (cmp_slot(&v[i - 1], &v[i]) > 0)
            return false;
    return true;
}

/* All the free slots of q, ordered and without duplicates, in *out (malloc'd, or
 * NULL when there are none); returns how many. */
static size_t compute(const struct slot_query *q, struct slot **out)
{
    *out = NULL;
    if (q->duration_min <= 0 || q->step_min <= 0 || q->from >= q->to)
        return 0;
    int64_t lo = q->from > q->earliest ? q->from : q->earliest;
    int64_t hi = q->to < q->latest ? q->to : q->latest;
    if (lo >= hi)
        return 0;
    int64_t dur = (int64_t)q->duration_min * 60, step = (int64_t)q->step_min * 60;
    /* Day by day, and each day's rules by the time their hours start: the slots then
     * come out in order for ordinary hours, and need sorting only when rules overlap
     * or are in several zones. */
    struct rule_days *rules = xmalloc((q->nrules ? q->nrules : 1) * sizeof(*rules));
    size_t nrules = 0;
    int64_t first_day = INT64_MAX, last_day = INT64_MIN;
    for (size_t r = 0; r < q->nrules; r++) {
        const struct hours_rule *h = &q->rules[r];
        if (h->weekday < 1 || h->weekday > 7 || h->start_min < 0 || h->start_min >= 1440 ||
            h->end_min < 0 || h->end_min > 1440 || !h->tz)
            continue;
        struct rule_days *rd = &rules[nrules++];
        rd->h = h;
        local_days(h->tz, lo, hi, &rd->d0, &rd->d1);
        first_day = rd->d0 < first_day ? rd->d0 : first_day;
        last_day = rd->d1 > last_day ? rd->d1 : last_day;
    }
    qsort(rules, nrules, sizeof(*rules), cmp_rule_days);
    size_t nbusy = q->nbusy, noff = q->noff;
    struct interval *busy = merged(q->busy, &nbusy);
    struct interval *off = merged(q->off, &noff);

    size_t cap = 64, n = 0;
    struct slot *all = xmalloc(cap * sizeof(*all));
    for (int64_t day = first_day; day <= last_day; day++) {
        for (size_t r = 0; r < nrules; r++) {
            const struct hours_rule *h = rules[r].h;
            if (day < rules[r].d0 || day > rules[r].d1 || iso_weekday(day) != h->weekday ||
                day < h->valid_from || day > h->valid_to)
                continue;
            int64_t wstart = day * 86400 + (int64_t)h->start_min * 60;
            int64_t wend = day * 86400 + (int64_t)h->end_min * 60;
            if (h->end_min <= h->start_min)
                wend += 86400; /* past midnight */
            if (wstart + dur > wend)
                continue;
            struct wall_span w = wall_span_of(h->tz, wstart, wend);
            for (int64_t t = wstart; t + dur <= wend; t += step) {
                int64_t s1, e1;
                if (!wall_instant(h->tz, &w, t, &s1) || !wall_instant(h->tz, &w, t + dur, &e1))
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
    if (!in_order(all, n))
        qsort(all, n, sizeof(*all), cmp_slot);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && all[i].start == all[k - 1].start)
            continue; /* two rules offer the same time: keep the first location */
        all[k++] = all[i];
    }
    free(rules);
    free(busy);
    free(off);
    if (k == 0) {
        free(all);
        all = NULL;
    }
    *out = all;
    return k;
}

size_t slots_compute(const struct slot_query *q, struct slot *out, size_t max)
{
    struct slot *all;
    size_t k = compute(q, &all);
    size_t copy = k < max ? k : max;
    if (copy)
        memcpy(out, all, copy * sizeof(*out));
    free(all);
    return k;
}

size_t slots_compute_all(const struct slot_query *q, struct slot **out)
{
    return compute(q, out);
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

/* Appends str as a JSON string, escaped as jansson's dump does by default: quote,
 * backslash and control characters; everything else (UTF-8 included) as is. */
static void put_json_string(struct buf *b, const char *str)
{
    static const char hex[] = "0123456789ABCDEF";
    buf_putc(b, '"');
    const char *run = str;
    for (const char *p = str; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, run, (size_t)(p - run));
        run = p + 1;
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t len = 2;
        switch (c) {
        case '"': case '\\': break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        buf_append(b, esc, len);
    }
    buf_puts(b, run);
    buf_putc(b, '"');
}

/* A zone's offset over a stretch of instants [lo, hi], remembered. */
struct offset_memo {
    int64_t lo, hi;
    int32_t off;
};

/* The offset of z at t (tz_offset_at), looked up about once a day rather than once an
 * instant: the same offset at t and a day later means the same offset in between, on
 * wall_span_of's assumption. */
static int32_t memo_offset(const struct tz *z, struct offset_memo *m, int64_t t)
{
    if (t >= m->lo && t <= m->hi)
        return m->off;
    int32_t o = tz_offset_at(z, t);
    if (tz_offset_at(z, t + 86400) == o)
        *m = (struct offset_memo){t, t + 86400, o};
    return o;
}

char *slots_answer_json(const struct slots_answer *a, const struct slot *v, size_t n,
                        size_t *len)
{
    /* the head of the answer, then what follows the times of a slot, once per location
     * and once more for an index out of range: ","location_id":"..."} (no cap: the
     * strings are ids and a zone name) */
    struct buf head;
    buf_init(&head, 0);
    buf_puts(&head, "{\"practitioner_id\":");
    put_json_string(&head, a->practitioner_id);
    buf_puts(&head, ",\"service_id\":");
    put_json_string(&head, a->service_id);
    buf_puts(&head, ",\"timezone\":");
    put_json_string(&head, tz_name(a->tz));
    buf_puts(&head, ",\"slots\":[");
    size_t ntails = a->nlocations + 1;
    size_t *at = xcalloc(ntails + 1, sizeof(*at));
    size_t longest = 0;
    at[0] = head.len;
    for (size_t i = 0; i < ntails; i++) {
        buf_puts(&head, "\",\"location_id\":");
        put_json_string(&head, i < a->nlocations ? a->location_ids[i] : "");
        buf_putc(&head, '}');
        at[i + 1] = head.len;
        if (at[i + 1] - at[i] > longest)
            longest = at[i + 1] - at[i];
    }
    /* one allocation that every slot fits in: no growing and copying on the way */
    size_t per_slot = sizeof(",{\"start\":\"\",\"end\":\"") - 1 + 2 * RFC3339_MAX + longest;
    char *out = xmalloc(at[0] + n * per_slot + sizeof("]}"));
    memcpy(out, head.data, at[0]);
    char *p = out + at[0];
    struct offset_memo offsets = {1, 0, 0};
    struct rfc3339_memo dates = RFC3339_MEMO_INIT;
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        memcpy(p, "{\"start\":\"", 10);
        p += 10;
        p += rfc3339_write_memo(&dates, v[i].start, memo_offset(a->tz, &offsets, v[i].start), p);
        memcpy(p, "\",\"end\":\"", 9);
        p += 9;
        p += rfc3339_write_memo(&dates, v[i].end, memo_offset(a->tz, &offsets, v[i].end), p);
        size_t t = v[i].location >= 0 && (size_t)v[i].location < a->nlocations
                       ? (size_t)v[i].location
                       : a->nlocations;
        memcpy(p, head.data + at[t], at[t + 1] - at[t]);
        p += at[t + 1] - at[t];
    }
    memcpy(p, "]}", sizeof("]}"));
    *len = (size_t)(p - out) + 2;
    free(at);
    buf_release(&head);
    return out;
}
