/* A change to a practitioner's schedule that settles the bookings it strands. */
#include "staff/schedule_change.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/audit.h"
#include "api/outcome.h"
#include "cache/index_keeper.h"
#include "cache/schedule_cache.h"
#include "store/hours.h"
#include "store/schedule_change.h"
#include "store/audit.h"
#include "util/alloc.h"
#include "util/log.h"

/* The open future bookings and which of them the schedule allowed before the change. */
struct strand_check {
    struct open_booking *b;
    size_t n;
    bool *fitted;
};

/* Does the booking [st, en) lie within the schedule's hours and outside its time off? */
static bool booking_fits(const struct schedule *s, int64_t st, int64_t en)
{
    for (size_t k = 0; k < s->noff; k++)
        if (s->off[k].start < en && st < s->off[k].end)
            return false;
    return slots_within_hours(s->rules, s->nrules, st, en);
}

/* Loads the practitioner's schedule over the bookings' span (n > 0). */
static enum db_status strand_schedule(struct db_session *db, const struct schedule_change *c,
                                      const struct strand_check *sc, struct schedule *s)
{
    return schedule_fetch(db, c->practitioner_id, NULL, sc->b[0].start, sc->b[sc->n - 1].end,
                          NULL, s);
}

/* Before the change, inside its transaction: locks the practitioner against bookings
 * and notes which bookings fit. */
static enum db_status strand_begin(struct db_session *db, const struct schedule_change *c,
                                   struct strand_check *sc)
{
    enum db_status st = store_schedule_change_lock(db, c->practitioner_id);
    if (st == DB_OK)
        st = store_schedule_change_bookings(db, c->practitioner_id, &sc->b, &sc->n);
    if (st != DB_OK)
        return st;
    sc->fitted = xcalloc(sc->n ? sc->n : 1, sizeof(*sc->fitted));
    if (sc->n == 0)
        return DB_OK;
    struct schedule s;
    st = strand_schedule(db, c, sc, &s);
    for (size_t i = 0; st == DB_OK && i < sc->n; i++)
        sc->fitted[i] = booking_fits(&s, sc->b[i].start, sc->b[i].end);
    schedule_release(&s);
    return st;
}

/* Cancels stranded booking b with the patient's notice. */
static enum db_status cancel_one(struct db_session *db, const struct schedule_change *c,
                                 const struct open_booking *b, const char *start)
{
    char *pl = json_dumps(json_pack("{s:s, s:s, s:s}", "start", start, "by", "staff", "reason",
                                    c->why),
                          JSON_COMPACT);
    enum db_status st = store_schedule_change_cancel(db, c->clinic_id, b, c->why, pl ? pl : "{}");
    free(pl);
    return st;
}

/* After the change: the bookings that fitted before and do not now are stranded, into
 * c->stranded; cancels them when asked. */
static enum db_status strand_find(struct db_session *db, struct schedule_change *c,
                                  const struct strand_check *sc)
{
    size_t nfitted = 0;
    for (size_t i = 0; i < sc->n; i++)
        nfitted += sc->fitted[i];
    if (nfitted == 0)
        return DB_OK;
    struct schedule s;
    enum db_status st = strand_schedule(db, c, sc, &s);
    for (size_t i = 0; st == DB_OK && i < sc->n; i++) {
        const struct open_booking *b = &sc->b[i];
        if (!sc->fitted[i] || booking_fits(&s, b->start, b->end))
            continue;
        char a1[40], b1[40];
        schedule_format(&s, b->start, a1, sizeof(a1));
        schedule_format(&s, b->end, b1, sizeof(b1));
        json_array_append_new(c->stranded,
                              json_pack("{s:s, s:s, s:s}", "id", b->id, "start", a1, "end", b1));
        if (c->cancel)
            st = cancel_one(db, c, b, a1);
    }
    schedule_release(&s);
    return st;
}

/* A run of the change: the request (for its audit rows) and the change. */
struct change_run {
    struct req *r;
    struct schedule_change *c;
};

/* Appends an audit row of the change (detail stolen, may be NULL). */
static enum db_status change_audit(struct db_session *db, const struct change_run *run,
                                   const char *action, const char *resource_type,
                                   const char *resource_id, bool patient_data, json_t *detail)
{
    const struct schedule_change *c = run->c;
    struct audit_entry e;
    audit_entry_make(&e, run->r, c->a, NULL, c->clinic_id, action, resource_type, resource_id,
                     patient_data, "success", detail);
    enum db_status st = store_audit_append(db, &e);
    audit_entry_release(&e);
    if (st != DB_OK)
        log_error("request %s: audit log write failed for %s", run->r->request_id, action);
    return st;
}

/* The unit of work (db_tx): the change, its settling and its audit rows.  Each run
 * starts again from nothing (c->stranded too). */
static enum db_status change_work(struct db_session *db, void *ctx)
{
    const struct change_run *run = ctx;
    struct schedule_change *c = run->c;
    json_decref(c->stranded);
    c->stranded = json_array();
    struct strand_check sc = {0};
    enum db_status st = c->frees_only ? DB_OK : strand_begin(db, c, &sc);
    if (st == DB_OK)
        st = c->apply(db, c->ctx);
    if (st == DB_OK && !c->frees_only)
        st = strand_find(db, c, &sc);
    free(sc.b);
    free(sc.fitted);
    if (st != DB_OK)
        return st;
    size_t n = json_array_size(c->stranded);
    if (n > 0 && !c->cancel)
        return DB_CONFLICT;
    if (n > 0)
        st = change_audit(db, run, "cancel_stranded_bookings", "practitioner", c->practitioner_id,
                          true, json_pack("{s:O}", "bookings", c->stranded));
    if (st == DB_OK)
        st = change_audit(db, run, c->action, c->resource_type, c->resource_id, false,
                          json_incref(c->detail));
    return st;
}

enum db_status schedule_change_run(struct req *r, struct schedule_change *c)
{
    struct change_run run = {r, c};
    enum db_status st = db_tx(&r->db, change_work, &run);
    if (st == DB_OK)
        dirindex_follow(&r->db, r->request_id);
    return st;
}

void schedule_change_reply_failure(struct req *r, const struct schedule_change *c,
                                   enum db_status st)
{
    if (st == DB_CONFLICT && !c->cancel && json_array_size(c->stranded) > 0) {
        reply_problem_ext(r, 409, "strands-bookings", "This would strand bookings",
                          "Open bookings fall outside the new schedule. Move them first, or send "
                          "the change again with \"cancel_stranded\": true to cancel them (the "
                          "patients are told).",
                          NULL, json_pack("{s:O}", "bookings", c->stranded));
        return;
    }
    reply_failure(r, st);
}

void schedule_change_release(struct schedule_change *c)
{
    json_decref(c->detail);
    json_decref(c->stranded);
    c->detail = c->stranded = NULL;
}
