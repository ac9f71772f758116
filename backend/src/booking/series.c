/* Treatment plans: a series of sessions from an RFC 5545 RRULE (domain/recurrence.c),
 * booked in one action, saying for every date whether it was booked, moved to the
 * nearest free time, or skipped, and why.  parse -> Idempotency-Key -> the schedule
 * -> the plan -> one unit of work (store_series_create) -> the index told -> one
 * reply. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "api/rate.h"
#include "booking/bookings.h"
#include "booking/idempotency.h"
#include "booking/plan_rules.h"
#include "store/plans.h"
#include "cache/index_keeper.h"
#include "domain/recurrence.h"
#include "domain/seal.h"
#include "domain/token.h"
#include "util/alloc.h"

#define NEAREST_WINDOW (3 * 86400)

enum occ_status { OCC_BOOKED, OCC_MOVED, OCC_SKIPPED };

struct occurrence {
    struct recurrence_date date;
    enum occ_status planned; /* what the plan chose */
    enum occ_status status;  /* what happened */
    struct slot slot;        /* when booked or moved */
    const char *why;         /* when skipped */
    enum plan_reason reason; /* when skipped, or moved: why the date itself was not free */
};

/* A plan being booked, and everything its reply needs. */
struct plan {
    struct series_req q;
    struct schedule s;
    struct slot *slots;
    size_t nslots;
    struct occurrence occ[RECURRENCE_MAX];
    struct series_session sessions[RECURRENCE_MAX];
    int n, unavailable, to_book;
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    struct idem idem;
    char idem_hash[2 * 32 + 3];
    struct plan_unbookable unbookable[RECURRENCE_MAX]; /* recorded with the plan: the dates
                                                          not booked, the sessions moved */
    size_t nunbookable;
};

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

static json_t *occurrences_json(const struct plan *p, bool with_alternatives)
{
    /* with alternatives the answer is a refusal: nothing was booked, so say what each
     * date is rather than what happened to it */
    static const char *const done[] = {"booked", "moved", "skipped"};
    static const char *const preview[] = {"free", "moved", "unavailable"};
    const char *const *names = with_alternatives ? preview : done;
    const struct schedule *s = &p->s;
    json_t *arr = json_array();
    for (int i = 0; i < p->n; i++) {
        const struct occurrence *o = &p->occ[i];
        char req[40], st[40], en[40];
        schedule_format(s, o->date.requested, req, sizeof(req));
        json_t *j = json_pack("{s:s, s:s}", "requested_start", req, "status", names[o->status]);
        if (o->reason != PR_NONE) { /* skipped or moved: why the date asked was not free */
            json_object_set_new(j, "reason_code", json_string(plan_reason_code(o->reason)));
            json_object_set_new(j, "reason", json_string(o->why));
        }
        if (o->status == OCC_SKIPPED) {
            json_object_set_new(j, "start", json_string(req));
            const struct slot *alt = with_alternatives ? nearest(p->slots, p->nslots,
                                                                 o->date.requested, s, NULL, 0)
                                                       : NULL;
            if (alt)
                json_object_set_new(j, "nearest_alternative", schedule_slot_json(s, alt));
        } else {
            schedule_format(s, o->slot.start, st, sizeof(st));
            schedule_format(s, o->slot.end, en, sizeof(en));
            json_object_set_new(j, "start", json_string(st));
            json_object_set_new(j, "end", json_string(en));
            json_object_set_new(j, "location_id",
                                json_string(schedule_location(s, o->slot.location)));
            if (p->sessions[i].booked)
                json_object_set_new(j, "booking_id", json_string(p->sessions[i].b.id));
        }
        json_array_append_new(arr, j);
    }
    return arr;
}

/* 409 for a plan of which no date can be had: nothing is booked, no series is
 * recorded and nobody is mailed; each date is listed with why (and the nearest free
 * time when there is one). */
static void reply_nothing_booked(struct req *r, const struct plan *p, const char *detail)
{
    reply_problem_ext(r, 409, "slot-unavailable", "No date of this plan is free", detail,
                      json_pack("[o]", problem_error("rrule", "no date is free")),
                      json_pack("{s:o}", "occurrences", occurrences_json(p, true)));
}

/* 409 for a strict plan with dates that are not free: each listed with the nearest
 * free time. */
static void reply_some_unavailable(struct req *r, const struct plan *p)
{
    json_t *errs = json_pack("[o]", problem_error("rrule", "some dates are not free"));
    char d[200];
    snprintf(d, sizeof(d),
             "%d of the %d dates are not free, so nothing was booked. Each is listed with the "
             "nearest free time; or book with on_conflict skip or nearest.",
             p->unavailable, p->n);
    /* the problem document carries the answer for every date */
    reply_problem_ext(r, 409, "slot-unavailable", "Some dates are not free", d, errs,
                      json_pack("{s:o}", "occurrences", occurrences_json(p, true)));
}

/* 200 for ?preview=true (or "dry_run"): what booking the plan now would do with each
 * date (free, moved to the nearest free time, cannot be had) and why; nothing is
 * written, no token made, nobody mailed. */
static void reply_preview(struct req *r, const struct plan *p)
{
    reply_json(r, 200, json_pack("{s:b, s:s, s:s, s:o}", "preview", 1, "on_conflict", p->q.mode,
                                 "timezone", tz_name(p->s.tz), "occurrences",
                                 occurrences_json(p, true)));
}

/* Every free slot of the plan's range [lo, hi) into p->slots. */
static void plan_slots(struct plan *p, int64_t lo, int64_t hi)
{
    struct slot_query q;
    schedule_query(&p->s, lo, hi, &q);
    size_t cap = 4096;
    p->slots = xmalloc(cap * sizeof(*p->slots));
    p->nslots = slots_compute(&q, p->slots, cap);
    if (p->nslots > cap) {
        free(p->slots);
        cap = p->nslots;
        p->slots = xmalloc(cap * sizeof(*p->slots));
        p->nslots = slots_compute(&q, p->slots, cap);
    }
}

/* Chooses a slot for each date (exact, else the nearest free one with on_conflict
 * nearest) not overlapping the plan's others; counts the dates not free as asked. */
static void plan_choose(struct plan *p)
{
    const struct schedule *s = &p->s;
    bool move = strcmp(p->q.mode, "nearest") == 0;
    struct interval taken[RECURRENCE_MAX];
    size_t ntaken = 0;
    for (int i = 0; i < p->n; i++) {
        struct occurrence *o = &p->occ[i];
        const struct slot *sl =
            o->date.exists ? exact(p->slots, p->nslots, o->date.requested) : NULL;
        if (sl && !free_of(taken, ntaken, slots_blocked(sl->start, sl->end,
                                                        s->buffer_before_min,
                                                        s->buffer_after_min)))
            sl = NULL;
        o->planned = OCC_BOOKED;
        o->reason = PR_NONE;
        if (!sl) {
            p->unavailable++;
            /* the real cause (time off, the horizon, ...), recorded with the plan */
            o->reason = plan_reason_of(s, o->date.requested, o->date.exists);
            sl = move ? nearest(p->slots, p->nslots, o->date.requested, s, taken, ntaken) : NULL;
            o->planned = sl ? OCC_MOVED : OCC_SKIPPED;
            if (!sl && move && (o->reason == PR_TAKEN || o->reason == PR_OUTSIDE_HOURS))
                o->reason = PR_NO_FREE_NEAR;
            o->why = plan_reason_text(o->reason);
        }
        o->status = o->planned;
        if (sl) {
            o->slot = *sl;
            taken[ntaken++] = slots_blocked(sl->start, sl->end, s->buffer_before_min,
                                            s->buffer_after_min);
            p->to_book++;
        }
    }
}

/* What each date came to once the unit of work wrote (or did not write) it. */
static void plan_apply(struct plan *p)
{
    for (int i = 0; i < p->n; i++) {
        struct occurrence *o = &p->occ[i];
        o->status = o->planned;
        if (o->planned != OCC_SKIPPED && !p->sessions[i].booked) {
            o->status = OCC_SKIPPED;
            o->reason = PR_TAKEN;
            o->why = "taken a moment ago by someone else";
        }
    }
    p->nunbookable = 0;
    for (int i = 0; i < p->n; i++)
        if (p->occ[i].status == OCC_SKIPPED || p->occ[i].status == OCC_MOVED)
            p->unbookable[p->nunbookable++] = (struct plan_unbookable){
                p->occ[i].date.requested, plan_reason_code(p->occ[i].reason),
                p->occ[i].status == OCC_MOVED ? p->sessions[i].b.id : NULL};
}

/* The plan's cadence in whole weeks (1..12) from its first two dates, else 0. */
static int plan_every_weeks(const struct plan *p)
{
    if (p->n < 2)
        return 0;
    int64_t gap = p->occ[1].date.requested - p->occ[0].date.requested;
    int64_t days = (gap + 43200) / 86400; /* a clock change moves it by an hour */
    return days % 7 == 0 && days / 7 >= 1 && days / 7 <= 12 ? (int)(days / 7) : 0;
}

/* store_series_create's answer: the 201 body, the mail's payload, the key's record. */
static void plan_answer(void *arg, const char *series_id, struct series_answer *out)
{
    struct plan *p = arg;
    plan_apply(p);
    json_t *arr = occurrences_json(p, false);
    json_t *payload = json_pack("{s:O}", "occurrences", arr);
    char sealed[256];
    if (seal_text(p->token, sealed, sizeof(sealed)))
        json_object_set_new(payload, "manage_token_sealed", json_string(sealed));
    if (p->q.b.time_zone) /* stored with the plan by the notification's trigger (0019) */
        json_object_set_new(payload, "patient_tz", json_string(p->q.b.time_zone));
    out->payload = json_dumps(payload, JSON_COMPACT);
    json_decref(payload);
    json_t *resp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", series_id,
                             "manage_token", p->token, "practitioner_id", p->s.practitioner_id,
                             "service_id", p->s.service_id, "rrule", p->q.rrule, "on_conflict",
                             p->q.mode, "timezone", tz_name(p->s.tz), "occurrences", arr);
    out->answer = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    out->sealed_hex = NULL;
    if (p->idem.active && out->answer) {
        struct idem_sealed s;
        idem_sealed_init(&s, &p->idem, out->answer);
        out->sealed_hex = s.sealed_hex;
        snprintf(p->idem_hash, sizeof(p->idem_hash), "%s", s.hash_hex);
    }
}

/* The plan's dates and slots, read for its range on db; false after recording
 * problems (in; *st DB_OK) or when a read failed (*st: DB_NOT_FOUND when the
 * practitioner went between the two reads). */
static bool plan_load(struct db_session *db, struct input *in, struct plan *p,
                      enum db_status *st)
{
    const struct booking_req *b = &p->q.b;
    *st = schedule_fetch(db, b->practitioner_id, b->service_id, b->start, b->start + 1, NULL,
                         &p->s);
    if (*st != DB_OK && *st != DB_NOT_FOUND)
        return false;
    bool fields_ok = schedule_fields_ok(in, *st, &p->s);
    *st = DB_OK;
    if (!fields_ok)
        return false;
    if (b->start <= p->s.now) {
        input_error(in, "start", false, "start is in the past");
        return false;
    }
    struct recurrence_date dates[RECURRENCE_MAX];
    char why[200];
    p->n = recurrence_expand(p->q.rrule, b->start, p->s.tz, dates, why, sizeof(why));
    if (p->n <= 0) {
        input_error(in, "rrule", false, "%s",
                    p->n < 0 ? why : "rrule yields no session from this start");
        return false;
    }
    for (int i = 0; i < p->n; i++)
        p->occ[i].date = dates[i];
    int64_t lo = dates[0].requested - NEAREST_WINDOW;
    int64_t hi = dates[p->n - 1].requested + NEAREST_WINDOW + 1;
    schedule_release(&p->s);
    *st = schedule_fetch(db, b->practitioner_id, b->service_id, lo, hi, NULL, &p->s);
    if (*st != DB_OK)
        return false;
    plan_slots(p, lo, hi);
    plan_choose(p);
    return true;
}

/* The unit of work and its one reply. */
static void plan_book(struct req *r, struct plan *p)
{
    for (int i = 0; i < p->n; i++) {
        p->sessions[i].planned = p->occ[i].planned != OCC_SKIPPED;
        if (p->sessions[i].planned)
            booking_new_init(&p->sessions[i].b, &p->s, &p->occ[i].slot, &p->q.b.patient,
                             p->q.b.notes, p->hash, "patient");
    }
    struct series_new in = {
        p->s.clinic_id, p->s.practitioner_id, p->s.service_id, p->q.rrule, p->q.mode, p->hash,
        p->q.b.patient.email, p->idem.active ? p->idem.key : NULL, p->idem_hash, r->request_id,
        strcmp(p->q.mode, "fail") == 0, p->s.max_open_per_contact, p->sessions, p->n,
        plan_answer, p, p->unbookable, &p->nunbookable, plan_every_weeks(p)};
    struct series_result out;
    enum db_status st = store_series_create(&r->db, &in, &out);
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (out.outcome == SERIES_REPLAY) {
        idem_take(&p->idem, &out.replay);
        idem_reply(r, &p->idem);
    } else if (out.outcome == SERIES_LIMIT) {
        reply_problem(r, 409, "booking-limit", "Too many open bookings",
                      "This plan would give this contact more open bookings than the clinic allows.",
                      json_pack("[o]", problem_error("patient.email", "too many open bookings")));
    } else if (out.outcome == SERIES_TAKEN) {
        reply_slot_unavailable(r, "A date of the plan was just taken; nothing was booked.");
    } else if (out.outcome == SERIES_NONE) {
        plan_apply(p);
        reply_nothing_booked(r, p, "Every date of this plan was taken a moment ago, so nothing "
                                   "was booked. Each date is listed with why.");
    } else {
        for (int i = 0; i < p->n; i++)
            if (p->sessions[i].booked)
                dirindex_booked(p->s.practitioner_id, p->sessions[i].b.blocked_start,
                                p->sessions[i].b.blocked_end);
        reply_owned(r, 201, "application/json", out.answer, strlen(out.answer));
        out.answer = NULL;
    }
    idem_record_release(&out.replay);
    free(out.answer);
}

void series_create(struct req *r)
{
    /* a token taken by the route (ROUTE_PATIENT_WRITE); one for each further session
     * it books before anything is written */
    struct input in;
    input_init(&in, r);
    struct plan *p = xcalloc(1, sizeof(*p));
    enum db_status st = DB_OK;
    json_t *body = body_object(&in);
    static const char *const params[] = {"preview", NULL};
    only_params(&in, params);
    bool preview = false;
    if (!body || !input_preview(&in, body, &preview) || !series_parse(&in, body, &p->q)) {
        input_reply(&in);
    } else if (!preview && !idem_begin(r, "series", body, &p->idem)) {
        idem_reply(r, &p->idem);
    } else if (!plan_load(&r->db, &in, p, &st)) {
        if (st != DB_OK)
            reply_failure(r, st); /* (DB_NOT_FOUND: 404) */
        else
            input_reply(&in);
    } else if (preview) {
        reply_preview(r, p);
    } else if (p->unavailable > 0 && strcmp(p->q.mode, "fail") == 0) {
        reply_some_unavailable(r, p);
    } else if (p->to_book == 0) {
        reply_nothing_booked(r, p, "None of the dates of this plan is free, so nothing was "
                                   "booked. Each date is listed with why.");
    } else if (patient_rate(r, p->to_book - 1)) {
        token_new(p->token, p->hash);
        plan_book(r, p);
    }
    free(p->slots);
    schedule_release(&p->s);
    idem_release(&p->idem);
    free(p);
    input_release(&in);
    json_decref(body);
}
