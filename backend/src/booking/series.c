/* Treatment plans: a series of sessions from an RFC 5545 RRULE, booked in one action,
 * saying for every date whether it was booked, moved to the nearest free time, or
 * skipped, and why. */
#include "cache/index_keeper.h"
#include "booking/handlers.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/bookings.h"
#include "booking/idempotency.h"
#include "domain/timefmt.h"
#include "domain/seal.h"
#include "domain/token.h"

#define MAX_OCCURRENCES 52
#define NEAREST_WINDOW (3 * 86400)

DB_STMT(st_series_insert,
        "INSERT INTO booking_series (clinic_id, practitioner_id, service_id, rrule, on_conflict,"
        " manage_token_hash) VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, $6::bytea) RETURNING id",
        6);
DB_STMT(st_series_notify,
        "INSERT INTO notifications (clinic_id, kind, series_id, recipient, payload, dedupe_key)"
        " VALUES ($1::uuid, 'series_confirmed', $2::uuid, $3, $4::jsonb, 'series_confirmed:' || $2)",
        4);

enum occ_status { OCC_BOOKED, OCC_MOVED, OCC_SKIPPED };

struct occurrence {
    int64_t requested;
    bool exists;           /* the wall-clock time exists (not in a skipped hour) */
    enum occ_status status;
    struct slot slot;      /* when booked or moved */
    char booking_id[40];
    const char *why;       /* when skipped */
};

/* Expands rrule from the wall-clock time of start in z.  Returns the count, or -1
 * with a problem recorded. */
static int expand(struct input *in, const char *rrule, int64_t start, const struct tz *z,
                  struct occurrence *occ)
{
    struct icalrecurrencetype rec = icalrecurrencetype_from_string(rrule);
    if (rec.rscale) { /* the caller owns it; calendars other than Gregorian are refused */
        free(rec.rscale);
        rec.rscale = NULL;
        input_error(in, "rrule", false, "rrule may not use RSCALE: dates are Gregorian");
        return -1;
    }
    if (rec.freq == ICAL_NO_RECURRENCE) {
        icalerror_clear_errno();
        input_error(in, "rrule", false, "rrule is not an RFC 5545 recurrence rule, such as FREQ=WEEKLY;INTERVAL=2;COUNT=10");
        return -1;
    }
    if (rec.freq != ICAL_DAILY_RECURRENCE && rec.freq != ICAL_WEEKLY_RECURRENCE &&
        rec.freq != ICAL_MONTHLY_RECURRENCE) {
        input_error(in, "rrule", false, "rrule FREQ must be DAILY, WEEKLY or MONTHLY");
        return -1;
    }
    if (rec.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX || rec.by_minute[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rec.by_second[0] != ICAL_RECURRENCE_ARRAY_MAX) {
        input_error(in, "rrule", false, "rrule may not set BYHOUR, BYMINUTE or BYSECOND: the time of day is the start's");
        return -1;
    }
    /* Parts a treatment plan does not need, and with which libical may search
     * centuries for a date that never comes (BYSETPOS=40, BYMONTH=2;BYMONTHDAY=31). */
    if (rec.by_set_pos[0] != ICAL_RECURRENCE_ARRAY_MAX || rec.by_month[0] != ICAL_RECURRENCE_ARRAY_MAX ||
        rec.by_year_day[0] != ICAL_RECURRENCE_ARRAY_MAX || rec.by_week_no[0] != ICAL_RECURRENCE_ARRAY_MAX) {
        input_error(in, "rrule", false, "rrule may use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY and WKST only");
        return -1;
    }
    bool by_day = rec.by_day[0] != ICAL_RECURRENCE_ARRAY_MAX;
    if (by_day && rec.by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
        /* "the fifth Friday that is the 1st" may never come */
        input_error(in, "rrule", false, "rrule may use BYDAY or BYMONTHDAY, not both");
        return -1;
    }
    for (int i = 0; i < ICAL_BY_DAY_SIZE && rec.by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
        int pos = icalrecurrencetype_day_position(rec.by_day[i]);
        if (pos > 5 || pos < -5 || (pos != 0 && rec.freq != ICAL_MONTHLY_RECURRENCE)) {
            input_error(in, "rrule", false,
                        "a BYDAY position (2MO: the second Monday) goes with FREQ=MONTHLY and is between -5 and 5");
            return -1;
        }
    }
    if (rec.count == 0 && icaltime_is_null_time(rec.until)) {
        input_error(in, "rrule", false, "rrule needs COUNT or UNTIL (at most %d sessions)", MAX_OCCURRENCES);
        return -1;
    }
    if (rec.count > MAX_OCCURRENCES) {
        input_error(in, "rrule", false, "a series has at most %d sessions", MAX_OCCURRENCES);
        return -1;
    }
    int64_t local = start + tz_offset_at(z, start);
    int64_t day = day_of(local), secs = local - day * 86400;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    struct icaltimetype dt = icaltime_null_time();
    dt.year = (int)y;
    dt.month = (int)m;
    dt.day = (int)d;
    dt.hour = (int)(secs / 3600);
    dt.minute = (int)(secs % 3600 / 60);
    dt.second = (int)(secs % 60);
    dt.is_date = 0;
    icalrecur_iterator *it = icalrecur_iterator_new(rec, dt);
    if (!it) {
        icalerror_clear_errno();
        input_error(in, "rrule", false, "rrule cannot be expanded from this start");
        return -1;
    }
    int n = 0;
    for (struct icaltimetype t = icalrecur_iterator_next(it); !icaltime_is_null_time(t);
         t = icalrecur_iterator_next(it)) {
        if (n == MAX_OCCURRENCES) {
            icalrecur_iterator_free(it);
            input_error(in, "rrule", false, "a series has at most %d sessions", MAX_OCCURRENCES);
            return -1;
        }
        int64_t lt = days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day) * 86400 +
                     t.hour * 3600 + t.minute * 60 + t.second;
        int64_t a, b;
        bool exists = tz_local_to_utc(z, lt, &a, &b) > 0;
        int64_t when = exists ? a : lt - tz_offset_at(z, lt);
        if (n > 0 && when <= occ[n - 1].requested)
            continue; /* BYDAY=FR,FR: RFC 5545 counts a repeated instance once */
        occ[n].exists = exists;
        occ[n].requested = when;
        n++;
    }
    icalrecur_iterator_free(it);
    return n;
}

static bool free_of(const struct interval *taken, size_t n, struct interval b)
{
    for (size_t i = 0; i < n; i++)
        if (taken[i].start < b.end && b.start < taken[i].end)
            return false;
    return true;
}

/* The free slot nearest to want (earlier first on a tie) within the window, not
 * overlapping what this series already took; NULL when none. */
static const struct slot *nearest(const struct slot *slots, size_t n, int64_t want,
                                  const struct schedule *s, const struct interval *taken,
                                  size_t ntaken)
{
    const struct slot *best = NULL;
    int64_t best_d = NEAREST_WINDOW + 1;
    for (size_t i = 0; i < n; i++) {
        int64_t dd = slots[i].start > want ? slots[i].start - want : want - slots[i].start;
        if (dd > NEAREST_WINDOW || dd >= best_d)
            continue;
        struct interval b = slots_blocked(slots[i].start, slots[i].end, s->buffer_before_min,
                                          s->buffer_after_min);
        if (!free_of(taken, ntaken, b))
            continue;
        best = &slots[i];
        best_d = dd;
    }
    return best;
}

static const struct slot *exact(const struct slot *slots, size_t n, int64_t want)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slots[mid].start < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && slots[lo].start == want ? &slots[lo] : NULL;
}

static json_t *occurrences_json(const struct schedule *s, const struct occurrence *occ, int n,
                                bool with_alternatives, const struct slot *slots, size_t nslots)
{
    /* with alternatives the answer is a refusal: nothing was booked, so say what each
     * date is rather than what happened to it */
    static const char *const done[] = {"booked", "moved", "skipped"};
    static const char *const preview[] = {"free", "moved", "unavailable"};
    const char *const *names = with_alternatives ? preview : done;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char req[40], st[40], en[40];
        schedule_format(s, occ[i].requested, req, sizeof(req));
        json_t *o = json_pack("{s:s, s:s}", "requested_start", req, "status",
                              names[occ[i].status]);
        if (occ[i].status == OCC_SKIPPED) {
            json_object_set_new(o, "start", json_string(req));
            json_object_set_new(o, "reason", json_string(occ[i].why));
            if (with_alternatives) {
                const struct slot *alt = nearest(slots, nslots, occ[i].requested, s, NULL, 0);
                if (alt)
                    json_object_set_new(o, "nearest_alternative", schedule_slot_json(s, alt));
            }
        } else {
            schedule_format(s, occ[i].slot.start, st, sizeof(st));
            schedule_format(s, occ[i].slot.end, en, sizeof(en));
            json_object_set_new(o, "start", json_string(st));
            json_object_set_new(o, "end", json_string(en));
            json_object_set_new(o, "location_id",
                                json_string(schedule_location(s, occ[i].slot.location)));
            if (occ[i].booking_id[0])
                json_object_set_new(o, "booking_id", json_string(occ[i].booking_id));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

/* 409 for a plan of which no date can be had: nothing is booked, no series is
 * recorded and nobody is mailed; each date is listed with why (and the nearest free
 * time when there is one). */
static void reply_nothing_booked(struct req *r, const struct schedule *s,
                                 const struct occurrence *occ, int n, const struct slot *slots,
                                 size_t nslots, const char *detail)
{
    json_t *arr = occurrences_json(s, occ, n, true, slots, nslots);
    reply_problem_ext(r, 409, "slot-unavailable", "No date of this plan is free", detail,
                      json_pack("[o]", problem_error("rrule", "no date is free")),
                      json_pack("{s:o}", "occurrences", arr));
}

void series_create(struct req *r)
{
    /* a token now; one for each further session it books before anything is written */
    if (!patient_rate(r, 1))
        return;
    struct input in;
    input_init(&in, r);
    struct schedule s = {0};
    struct slot *slots = NULL;
    struct occurrence occ[MAX_OCCURRENCES];
    json_t *body = body_object(&in);
    if (!body) {
        input_reply(&in);
        return;
    }
    static const char *const allowed[] = {"practitioner_id", "service_id", "start", "patient",
                                          "notes", "rrule", "on_conflict", NULL};
    body_only(&in, body, NULL, allowed);
    const char *pid = body_uuid(&in, body, NULL, "practitioner_id", true);
    const char *sid = body_uuid(&in, body, NULL, "service_id", true);
    int64_t start = 0;
    bool have_start = body_instant(&in, body, NULL, "start", true, &start);
    struct patient p;
    patient_parse(&in, body, &p);
    const char *notes = body_text(&in, body, NULL, "notes", false, 2000);
    const char *rrule = body_str(&in, body, NULL, "rrule", true, 500);
    const char *mode = body_str(&in, body, NULL, "on_conflict", false, 10);
    if (!mode)
        mode = "fail";
    if (strcmp(mode, "fail") != 0 && strcmp(mode, "skip") != 0 && strcmp(mode, "nearest") != 0)
        input_error(&in, "on_conflict", false, "on_conflict must be fail, skip or nearest");
    if (!input_ok(&in) || !pid || !sid || !have_start || !rrule)
        goto reply_input;
    struct idem idem;
    if (idem_check(r, "series", body, &idem))
        goto out;

    enum schedule_result sr = schedule_load(r, pid, sid, start, start + 1, NULL, &s);
    if (sr == SCHEDULE_REPLIED)
        goto out;
    if (sr == SCHEDULE_NO_PRACTITIONER) {
        input_error(&in, "practitioner_id", false, "no such practitioner");
        goto reply_input;
    }
    if (!s.service_found || !s.service_offered) {
        input_error(&in, "service_id", false,
                    s.service_found ? "this practitioner does not offer that service"
                                    : "no such service at this practitioner's clinic");
        goto reply_input;
    }
    if (start <= s.now) {
        input_error(&in, "start", false, "start is in the past");
        goto reply_input;
    }
    int n = expand(&in, rrule, start, s.tz, occ);
    if (n < 0)
        goto reply_input;
    if (n == 0) {
        input_error(&in, "rrule", false, "rrule yields no session from this start");
        goto reply_input;
    }
    int64_t lo = occ[0].requested - NEAREST_WINDOW, hi = occ[n - 1].requested + NEAREST_WINDOW + 1;
    schedule_release(&s);
    sr = schedule_load(r, pid, sid, lo, hi, NULL, &s);
    if (sr != SCHEDULE_OK) {
        if (sr == SCHEDULE_NO_PRACTITIONER)
            reply_not_found(r);
        goto out;
    }
    struct slot_query q;
    schedule_query(&s, lo, hi, &q);
    size_t cap = 4096;
    slots = malloc(cap * sizeof(*slots));
    size_t nslots = slots ? slots_compute(&q, slots, cap) : 0;
    if (nslots > cap) {
        free(slots);
        cap = nslots;
        slots = malloc(cap * sizeof(*slots));
        nslots = slots ? slots_compute(&q, slots, cap) : 0;
    }

    struct interval taken[MAX_OCCURRENCES];
    size_t ntaken = 0;
    int unavailable = 0;
    for (int i = 0; i < n; i++) {
        occ[i].booking_id[0] = '\0';
        const struct slot *sl = occ[i].exists ? exact(slots, nslots, occ[i].requested) : NULL;
        if (sl && !free_of(taken, ntaken, slots_blocked(sl->start, sl->end, s.buffer_before_min,
                                                        s.buffer_after_min)))
            sl = NULL;
        occ[i].status = OCC_BOOKED;
        if (!sl) {
            unavailable++;
            occ[i].why = !occ[i].exists ? "that time does not exist on this date (clocks change)"
                                        : "not free: taken, outside hours or outside the booking policy";
            if (strcmp(mode, "nearest") == 0) {
                sl = nearest(slots, nslots, occ[i].requested, &s, taken, ntaken);
                occ[i].status = sl ? OCC_MOVED : OCC_SKIPPED;
                if (!sl)
                    occ[i].why = "no free time within 3 days either side";
            } else {
                occ[i].status = OCC_SKIPPED;
            }
        }
        if (sl) {
            occ[i].slot = *sl;
            taken[ntaken++] = slots_blocked(sl->start, sl->end, s.buffer_before_min,
                                            s.buffer_after_min);
        }
    }
    if (unavailable > 0 && strcmp(mode, "fail") == 0) {
        json_t *arr = occurrences_json(&s, occ, n, true, slots, nslots);
        json_t *errs = json_pack("[o]", problem_error("rrule", "some dates are not free"));
        char d[200];
        snprintf(d, sizeof(d),
                 "%d of the %d dates are not free, so nothing was booked. Each is listed with the "
                 "nearest free time; or book with on_conflict skip or nearest.",
                 unavailable, n);
        /* the problem document carries the answer for every date */
        reply_problem_ext(r, 409, "slot-unavailable", "Some dates are not free", d, errs,
                          json_pack("{s:o}", "occurrences", arr));
        goto out;
    }
    int to_book = 0;
    for (int i = 0; i < n; i++)
        to_book += occ[i].status != OCC_SKIPPED;
    if (to_book == 0) {
        reply_nothing_booked(r, &s, occ, n, slots, nslots,
                             "None of the dates of this plan is free, so nothing was booked. "
                             "Each date is listed with why.");
        goto out;
    }
    if (!patient_rate(r, to_book - 1))
        goto out;

    if (!api_begin(r) ||
        !booking_lock(r, "series", idem.active ? idem.key : NULL, s.clinic_id, p.email,
                      s.practitioner_id))
        goto out;
    if (idem.active && idem_check(r, "series", body, &idem))
        goto out;
    long open = booking_open_count(r, s.clinic_id, p.email);
    if (open < 0)
        goto out;
    if (open + to_book > s.max_open_per_contact) {
        reply_problem(r, 409, "booking-limit", "Too many open bookings",
                      "This plan would give this contact more open bookings than the clinic allows.",
                      json_pack("[o]", problem_error("patient.email", "too many open bookings")));
        goto out;
    }
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1], series_id[40];
    token_new(token, hash);
    const char *sv[] = {s.clinic_id, s.practitioner_id, s.service_id, rrule, mode, hash};
    PGresult *res = api_query(r, &st_series_insert, sv);
    if (!res)
        goto out;
    snprintf(series_id, sizeof(series_id), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    bool strict = strcmp(mode, "fail") == 0;
    for (int i = 0; i < n; i++) {
        if (occ[i].status == OCC_SKIPPED)
            continue;
        if (!strict && !api_command(r, "SAVEPOINT occurrence"))
            goto out;
        enum book_result br = booking_insert(r, &s, &occ[i].slot, &p, notes, series_id, NULL,
                                             hash, "patient", occ[i].booking_id);
        if (br == BOOK_REPLIED)
            goto out;
        if (br == BOOK_TAKEN) {
            if (strict) {
                api_rollback(r);
                reply_slot_unavailable(r, "A date of the plan was just taken; nothing was booked.");
                goto out;
            }
            if (!api_command(r, "ROLLBACK TO SAVEPOINT occurrence"))
                goto out;
            occ[i].status = OCC_SKIPPED;
            occ[i].why = "taken a moment ago by someone else";
            occ[i].booking_id[0] = '\0';
        }
    }
    int booked = 0;
    for (int i = 0; i < n; i++)
        booked += occ[i].status != OCC_SKIPPED;
    if (booked == 0) {
        /* every date was taken meanwhile: no series, no "confirmed" mail */
        api_rollback(r);
        reply_nothing_booked(r, &s, occ, n, slots, nslots,
                             "Every date of this plan was taken a moment ago, so nothing was "
                             "booked. Each date is listed with why.");
        goto out;
    }
    json_t *arr = occurrences_json(&s, occ, n, false, NULL, 0);
    json_t *payload = json_pack("{s:O}", "occurrences", arr);
    char sealed[256];
    if (seal_text(token, sealed, sizeof(sealed)))
        json_object_set_new(payload, "manage_token_sealed", json_string(sealed));
    char *dates = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    const char *nv[] = {s.clinic_id, series_id, p.email, dates ? dates : "{}"};
    res = api_query(r, &st_series_notify, nv);
    free(dates);
    if (!res) {
        json_decref(arr);
        goto out;
    }
    PQclear(res);
    json_t *resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", series_id,
                             "manage_token", token, "practitioner_id", s.practitioner_id,
                             "service_id", s.service_id, "rrule", rrule, "on_conflict", mode,
                             "timezone", tz_name(s.tz), "occurrences", arr);
    char *text = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    int rec = idem_record(r, &idem, 201, text);
    if (rec <= 0) {
        free(text);
        if (rec == 0) {
            api_rollback(r);
            idem_check(r, "series", body, &idem);
        }
        goto out;
    }
    json_t *ids = json_array();
    for (int i = 0; i < n; i++)
        if (occ[i].booking_id[0])
            json_array_append_new(ids, json_string(occ[i].booking_id));
    /* last before the commit: the plan's audit row names every booking it made */
    if (!audit(r, NULL, "patient", s.clinic_id, "create_series", "booking_series", series_id,
               true, "success", json_pack("{s:o}", "bookings", ids)) ||
        !dirindex_commit(r)) {
        free(text);
        goto out;
    }
    reply_owned(r, 201, "application/json", text, strlen(text));
    goto out;
reply_input:
    input_reply(&in);
out:
    api_rollback(r);
    free(slots);
    schedule_release(&s);
    input_release(&in);
    json_decref(body);
}
