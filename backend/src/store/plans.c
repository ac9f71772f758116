/* Treatment plans in PostgreSQL (store/plans.h). */
#include "store/plans.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timefmt.h"
#include "domain/tz.h"
#include "store/audit.h"

DB_STMT(st_plan_get,
        "SELECT s.manage_token_hash, s.clinic_id, s.practitioner_id, s.service_id, s.rrule,"
        " s.revision, coalesce(s.every_weeks, 0), c.name, coalesce(c.phone, ''),"
        " c.cancellation_notice_hours, c.flare_moves_per_plan,"
        " s.flare_moves_used,"
        " p.name, sv.name, sv.duration_minutes,"
        " coalesce((SELECT l.timezone FROM bookings x JOIN locations l ON l.id = x.location_id"
        "   WHERE x.series_id = s.id ORDER BY lower(x.during) LIMIT 1), 'UTC'),"
        " floor(extract(epoch FROM now()))::bigint"
        " FROM booking_series s JOIN clinics c ON c.id = s.clinic_id"
        " JOIN practitioners p ON p.id = s.practitioner_id JOIN services sv ON sv.id = s.service_id"
        " WHERE s.id = $1::uuid",
        1);
/* A session's columns (session_row reads them): bookings b, booking_asked a. */
#define SESSION_COLUMNS                                                                     \
    "b.id::text, b.status, extract(epoch FROM lower(b.during))::bigint AS t,"                \
    " extract(epoch FROM upper(b.during))::bigint, b.location_id::text, b.reschedule_count," \
    " b.flare, '', coalesce(extract(epoch FROM a.asked_at)::bigint, 0), coalesce(a.reason, '')" \
    " FROM bookings b LEFT JOIN booking_asked a ON a.booking_id = b.id"
/* A single booking as a plan of one: the columns of st_plan_get, from the booking (no
 * rrule, revision or cadence; the flare allowance used: its own flare). */
DB_STMT(st_one_get,
        "SELECT b.manage_token_hash, b.clinic_id, b.practitioner_id, b.service_id, '',"
        " 0, 0, c.name, coalesce(c.phone, ''),"
        " c.cancellation_notice_hours, c.flare_moves_per_plan, b.flare::int,"
        " p.name, sv.name, sv.duration_minutes, l.timezone,"
        " floor(extract(epoch FROM now()))::bigint"
        " FROM bookings b JOIN clinics c ON c.id = b.clinic_id"
        " JOIN practitioners p ON p.id = b.practitioner_id JOIN services sv ON sv.id = b.service_id"
        " JOIN locations l ON l.id = b.location_id"
        " WHERE b.id = $1::uuid AND b.series_id IS NULL",
        1);
DB_STMT(st_plan_sessions,
        "SELECT " SESSION_COLUMNS " WHERE b.series_id = $1::uuid"
        " UNION ALL SELECT '', 'unbookable', extract(epoch FROM u.requested_at)::bigint,"
        " extract(epoch FROM u.requested_at)::bigint, '', 0, false, u.reason, 0, ''"
        " FROM booking_series_unbookable u WHERE u.series_id = $1::uuid"
        " ORDER BY 3, 1 LIMIT 104",
        1);
DB_STMT(st_one_session, "SELECT " SESSION_COLUMNS " WHERE b.id = $1::uuid", 1);
DB_STMT(st_unbookable,
        "INSERT INTO booking_series_unbookable (series_id, requested_at, reason)"
        " VALUES ($1::uuid, to_timestamp($2::bigint), $3)"
        " ON CONFLICT (series_id, requested_at) DO UPDATE SET reason = EXCLUDED.reason",
        3);
DB_STMT(st_asked,
        "INSERT INTO booking_asked (booking_id, asked_at, reason)"
        " VALUES ($1::uuid, to_timestamp($2::bigint), $3)"
        " ON CONFLICT (booking_id) DO UPDATE SET asked_at = EXCLUDED.asked_at,"
        " reason = EXCLUDED.reason",
        3);
DB_STMT(st_drop_unbookable,
        "DELETE FROM booking_series_unbookable WHERE series_id = $1::uuid"
        " AND requested_at >= to_timestamp($2::bigint)",
        2);
DB_STMT(st_cadence, "UPDATE booking_series SET every_weeks = $2::int WHERE id = $1::uuid", 2);
DB_STMT(st_locks,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)),"
        " pg_advisory_xact_lock(hashtextextended($2, 0))",
        2);
DB_STMT(st_revise,
        "UPDATE booking_series SET revision = revision + 1,"
        " every_weeks = coalesce($3::int, every_weeks),"
        " flare_moves_used = flare_moves_used + $4::int"
        " WHERE id = $1::uuid AND revision = $2::int RETURNING revision",
        4);
/* A single booking made a plan of its own (the plan of one growing): the plan's row
 * from the booking, then the booking in it. */
DB_STMT(st_grow,
        "INSERT INTO booking_series (id, clinic_id, practitioner_id, service_id, rrule,"
        " on_conflict, manage_token_hash, flare_moves_used)"
        " SELECT $2::uuid, b.clinic_id, b.practitioner_id, b.service_id, $3, 'nearest',"
        " b.manage_token_hash, b.flare::int FROM bookings b"
        " WHERE b.id = $1::uuid AND b.series_id IS NULL RETURNING id",
        3);
DB_STMT(st_grow_link, "UPDATE bookings SET series_id = $2::uuid WHERE id = $1::uuid", 2);
DB_STMT(st_flare_mark, "UPDATE bookings SET flare = true WHERE id = $1::uuid", 1);
/* A flare told to the clinic: its administrators, each once. */
DB_STMT(st_flare_clinic,
        "INSERT INTO notifications (clinic_id, kind, series_id, recipient, payload, dedupe_key)"
        " SELECT $1::uuid, 'flare_clinic', $2::uuid, u.email, $3::jsonb,"
        " 'flare_clinic:' || $2 || ':' || $4 || ':' || u.id"
        " FROM staff_users u WHERE u.clinic_id = $1::uuid AND u.active"
        " AND u.role = 'clinic_admin' ON CONFLICT (dedupe_key) DO NOTHING",
        4);
DB_STMT(st_cancel_one,
        "UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = 'patient',"
        " cancel_reason = $3, updated_at = now()"
        " WHERE id = $1::uuid AND series_id = $2::uuid AND status = 'booked'"
        " RETURNING extract(epoch FROM lower(during))::bigint,"
        " extract(epoch FROM upper(during))::bigint",
        3);
/* A move's first half: the session lets go of its time (so that the plan's sessions
 * can trade places), only if it is still open at the time read. */
DB_STMT(st_release,
        "UPDATE bookings SET status = 'cancelled', cancelled_at = now()"
        " WHERE id = $1::uuid AND series_id = $2::uuid AND status = 'booked'"
        " AND lower(during) = to_timestamp($3::bigint) RETURNING id",
        3);
/* ... and its second: the new time, which the exclusion constraint guards. */
DB_STMT(st_retake,
        "UPDATE bookings SET status = 'booked', cancelled_at = NULL,"
        " during = tstzrange(to_timestamp($2::bigint), to_timestamp($3::bigint)),"
        " blocked = tstzrange(to_timestamp($4::bigint), to_timestamp($5::bigint)),"
        " location_id = $6::uuid, reschedule_count = reschedule_count + 1, updated_at = now()"
        " WHERE id = $1::uuid",
        6);
DB_STMT(st_offer, "SELECT waitlist_offer_freed($1::uuid, $2::bigint, $3::bigint, $4)", 4);
DB_STMT(st_open, "SELECT contact_open_bookings($1::uuid, $2)", 2);
DB_STMT(st_plan_notify,
        "INSERT INTO notifications (clinic_id, kind, series_id, recipient, payload, dedupe_key)"
        " VALUES ($1::uuid, $2, $3::uuid, $4, $5::jsonb, $2 || ':' || $3 || ':' || $6)"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        6);

static int64_t cell_i(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void cell_copy(const PGresult *res, int row, int col, char *out, size_t n)
{
    snprintf(out, n, "%s", PQgetvalue(res, row, col));
}

/* One st_plan_sessions row into the plan's next session (db_row_fn); stops when full. */
static bool session_row(void *ctx, const PGresult *res, int i, int rows)
{
    (void)rows;
    struct plan_row *p = ctx;
    if (p->n >= PLAN_SESSIONS_MAX)
        return false;
    struct plan_session *x = &p->sessions[p->n++];
    cell_copy(res, i, 0, x->id, sizeof(x->id));
    cell_copy(res, i, 1, x->status, sizeof(x->status));
    x->start = cell_i(res, i, 2);
    x->end = cell_i(res, i, 3);
    cell_copy(res, i, 4, x->location_id, sizeof(x->location_id));
    x->reschedule_count = (int)cell_i(res, i, 5);
    x->flare = PQgetvalue(res, i, 6)[0] == 't';
    cell_copy(res, i, 7, x->reason, sizeof(x->reason));
    x->asked = cell_i(res, i, 8);
    cell_copy(res, i, 9, x->asked_reason, sizeof(x->asked_reason));
    return true;
}

/* The plan's head (st_plan_get's or st_one_get's one row) into out. */
static void plan_head(const PGresult *res, struct plan_row *out)
{
    cell_copy(res, 0, 0, out->token_hash, sizeof(out->token_hash));
    cell_copy(res, 0, 1, out->clinic_id, sizeof(out->clinic_id));
    cell_copy(res, 0, 2, out->practitioner_id, sizeof(out->practitioner_id));
    cell_copy(res, 0, 3, out->service_id, sizeof(out->service_id));
    cell_copy(res, 0, 4, out->rrule, sizeof(out->rrule));
    out->revision = (int)cell_i(res, 0, 5);
    out->every_weeks = (int)cell_i(res, 0, 6);
    cell_copy(res, 0, 7, out->clinic_name, sizeof(out->clinic_name));
    cell_copy(res, 0, 8, out->clinic_phone, sizeof(out->clinic_phone));
    out->notice_hours = (int)cell_i(res, 0, 9);
    out->flare_allowed = (int)cell_i(res, 0, 10);
    out->flare_used = (int)cell_i(res, 0, 11);
    cell_copy(res, 0, 12, out->practitioner_name, sizeof(out->practitioner_name));
    cell_copy(res, 0, 13, out->service_name, sizeof(out->service_name));
    out->duration_min = (int)cell_i(res, 0, 14);
    cell_copy(res, 0, 15, out->tz, sizeof(out->tz));
    out->now = cell_i(res, 0, 16);
}

/* The head by head (with id) and the sessions by sessions (with the same id). */
static enum db_status plan_load(struct db_session *s, struct db_stmt *head,
                                struct db_stmt *sessions, const char *id,
                                struct plan_row *out)
{
    memset(out, 0, sizeof(*out));
    PGresult *res;
    enum db_status rc = db_query_one1(s, head, id, &res);
    if (rc != DB_OK)
        return rc;
    plan_head(res, out);
    PQclear(res);
    const char *v[] = {id};
    return db_query_each(s, sessions, v, session_row, out, NULL);
}

enum db_status store_plan_get(struct db_session *s, const char *id, struct plan_row *out)
{
    enum db_status rc = plan_load(s, &st_plan_get, &st_plan_sessions, id, out);
    snprintf(out->id, sizeof(out->id), "%s", id);
    return rc;
}

enum db_status store_plan_of_one_get(struct db_session *s, const char *booking_id,
                                     struct plan_row *out)
{
    enum db_status rc = plan_load(s, &st_one_get, &st_one_session, booking_id, out);
    snprintf(out->booking_id, sizeof(out->booking_id), "%s", booking_id);
    return rc;
}

enum db_status store_plan_record_unbookable(struct db_session *s, const char *series_id,
                                            const struct plan_unbookable *u, size_t n)
{
    enum db_status rc = DB_OK;
    for (size_t i = 0; i < n && rc == DB_OK; i++) {
        char t[24];
        snprintf(t, sizeof(t), "%lld", (long long)u[i].requested);
        const char *v[] = {u[i].booking_id ? u[i].booking_id : series_id, t, u[i].reason};
        rc = db_run(s, u[i].booking_id ? &st_asked : &st_unbookable, v);
    }
    return rc;
}

enum db_status store_plan_set_cadence(struct db_session *s, const char *series_id,
                                      int every_weeks)
{
    char w[16];
    snprintf(w, sizeof(w), "%d", every_weeks);
    const char *v[] = {series_id, w};
    return db_run(s, &st_cadence, v);
}

/* --- a change ----------------------------------------------------------------------- */

struct change_run {
    const struct plan_change *c;
    enum plan_outcome *out;
    json_t *touched; /* {cancelled, moved, added}: the audit row's detail */
};

static enum db_status offer(struct db_session *s, const struct plan_row *p, int64_t start,
                            int64_t end)
{
    char t0[24], len[24], when[40];
    snprintf(t0, sizeof(t0), "%lld", (long long)start);
    snprintf(len, sizeof(len), "%lld", (long long)(end - start));
    const struct tz *z = tz_get(p->tz);
    rfc3339_format(start, z ? tz_offset_at(z, start) : 0, when, sizeof(when));
    const char *v[] = {p->practitioner_id, t0, len, when};
    return db_run(s, &st_offer, v);
}

static enum db_status change_cancel(struct db_session *s, struct change_run *run)
{
    const struct plan_change *c = run->c;
    json_t *ids = json_object_get(run->touched, "cancelled");
    for (size_t i = 0; i < c->ncancel; i++) {
        const char *v[] = {c->cancel[i], c->plan->id,
                           c->cancel_reason ? c->cancel_reason : "cancelled with the plan"};
        PGresult *res;
        enum db_status rc = db_query(s, &st_cancel_one, v, &res);
        if (rc != DB_OK)
            return rc;
        bool done = PQntuples(res) == 1;
        int64_t t0 = done ? cell_i(res, 0, 0) : 0, t1 = done ? cell_i(res, 0, 1) : 0;
        PQclear(res);
        if (!done) {
            *run->out = PLAN_CHANGED;
            return DB_CONFLICT;
        }
        json_array_append_new(ids, json_string(c->cancel[i]));
        rc = offer(s, c->plan, t0, t1);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static bool failed_on(const struct db_session *s, enum db_status rc, const char *state)
{
    return rc != DB_OK && strcmp(s->fail.sqlstate, state) == 0;
}

static void epoch_text(int64_t t, char *out, size_t n)
{
    snprintf(out, n, "%lld", (long long)t);
}

static enum db_status change_moves(struct db_session *s, struct change_run *run)
{
    const struct plan_change *c = run->c;
    for (size_t i = 0; i < c->nmoves; i++) {
        char t[24];
        epoch_text(c->moves[i].old_start, t, sizeof(t));
        const char *v[] = {c->moves[i].id, c->plan->id, t};
        enum db_status rc = db_query_one(s, &st_release, v, NULL);
        if (rc == DB_NOT_FOUND) {
            *run->out = PLAN_CHANGED;
            return DB_CONFLICT;
        }
        if (rc != DB_OK)
            return rc;
    }
    json_t *ids = json_object_get(run->touched, "moved");
    for (size_t i = 0; i < c->nmoves; i++) {
        const struct plan_move *m = &c->moves[i];
        char a[24], b[24], ba[24], bb[24];
        epoch_text(m->start, a, sizeof(a));
        epoch_text(m->end, b, sizeof(b));
        epoch_text(m->blocked_start, ba, sizeof(ba));
        epoch_text(m->blocked_end, bb, sizeof(bb));
        const char *v[] = {m->id, a, b, ba, bb, m->location_id};
        enum db_status rc = db_run(s, &st_retake, v);
        if (failed_on(s, rc, "23P01")) {
            *run->out = PLAN_TAKEN;
            return DB_CONFLICT;
        }
        if (rc != DB_OK)
            return rc;
        json_array_append_new(ids, json_string(m->id));
    }
    /* the times let go that no session of the plan took again: offered */
    for (size_t i = 0; i < c->nmoves; i++) {
        bool kept = false;
        for (size_t j = 0; j < c->nmoves && !kept; j++)
            kept = c->moves[j].start < c->moves[i].old_end &&
                   c->moves[i].old_start < c->moves[j].end;
        enum db_status rc = kept ? DB_OK
                                 : offer(s, c->plan, c->moves[i].old_start, c->moves[i].old_end);
        if (rc != DB_OK)
            return rc;
    }
    return DB_OK;
}

static enum db_status change_adds(struct db_session *s, struct change_run *run)
{
    const struct plan_change *c = run->c;
    if (c->nadd == 0)
        return DB_OK;
    const char *ov[] = {c->plan->clinic_id, c->email};
    PGresult *res;
    enum db_status rc = db_query(s, &st_open, ov, &res);
    if (rc != DB_OK)
        return rc;
    long open = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    if (open + (long)c->nadd > c->max_open) {
        *run->out = PLAN_LIMIT;
        return DB_CONFLICT;
    }
    json_t *ids = json_object_get(run->touched, "added");
    for (size_t i = 0; i < c->nadd; i++) {
        enum booking_outcome bo = BOOKING_BOOKED;
        rc = store_booking_insert(s, &c->add[i], &bo);
        if (rc != DB_OK)
            return rc;
        if (bo != BOOKING_BOOKED) {
            *run->out = PLAN_TAKEN;
            return DB_CONFLICT;
        }
        json_array_append_new(ids, json_string(c->add[i].id));
    }
    return DB_OK;
}

static enum db_status change_dates(struct db_session *s, const struct plan_change *c)
{
    enum db_status rc = DB_OK;
    if (c->drop_unbookable_from > 0) {
        char t[24];
        epoch_text(c->drop_unbookable_from, t, sizeof(t));
        const char *v[] = {c->plan->id, t};
        rc = db_run(s, &st_drop_unbookable, v);
    }
    if (rc == DB_OK)
        rc = store_plan_record_unbookable(s, c->plan->id, c->unbookable, c->nunbookable);
    return rc;
}

static enum db_status change_finish(struct db_session *s, struct change_run *run,
                                    const char *revision)
{
    const struct plan_change *c = run->c;
    const char *nv[] = {c->plan->clinic_id, c->kind, c->plan->id, c->email,
                        c->payload ? c->payload : "{}", revision};
    enum db_status rc = db_run(s, &st_plan_notify, nv);
    if (rc != DB_OK)
        return rc;
    struct audit_entry e = {
        .actor_type = "patient", .clinic_id = c->plan->clinic_id, .action = c->action,
        .resource_type = "booking_series", .resource_id = c->plan->id, .patient_data = true,
        .request_id = c->request_id, .outcome = "success",
        .detail = json_dumps(run->touched, JSON_COMPACT)};
    rc = store_audit_append(s, &e);
    free(e.detail);
    return rc;
}

/* The sessions of a flare marked as such, and the clinic told. */
static enum db_status change_flare(struct db_session *s, const struct plan_change *c,
                                   const char *revision)
{
    enum db_status rc = DB_OK;
    for (size_t i = 0; i < c->ncancel && rc == DB_OK; i++) {
        const char *v[] = {c->cancel[i]};
        rc = db_run(s, &st_flare_mark, v);
    }
    for (size_t i = 0; i < c->nmoves && rc == DB_OK; i++) {
        const char *v[] = {c->moves[i].id};
        rc = db_run(s, &st_flare_mark, v);
    }
    if (rc != DB_OK)
        return rc;
    const char *v[] = {c->plan->clinic_id, c->plan->id,
                       c->clinic_payload ? c->clinic_payload : "{}", revision};
    return db_run(s, &st_flare_clinic, v);
}

static enum db_status change_work(struct db_session *s, void *arg)
{
    struct change_run *run = arg;
    const struct plan_change *c = run->c;
    *run->out = PLAN_DONE;
    json_decref(run->touched);
    run->touched = json_pack("{s:[], s:[], s:[]}", "cancelled", "moved", "added");
    char contact[BOOKING_CONTACT_LOCK_MAX], pract[64], rev[16], weeks[16];
    booking_contact_lock(c->plan->clinic_id, c->email, contact, sizeof(contact));
    snprintf(pract, sizeof(pract), "practitioner:%s", c->plan->practitioner_id);
    snprintf(rev, sizeof(rev), "%d", c->plan->revision);
    snprintf(weeks, sizeof(weeks), "%d", c->every_weeks);
    const char *lv[] = {contact, pract};
    enum db_status rc = db_run(s, &st_locks, lv);
    if (rc != DB_OK)
        return rc;
    if (c->grow_rrule) {
        const char *gv[] = {c->plan->booking_id, c->plan->id, c->grow_rrule};
        rc = db_query_one(s, &st_grow, gv, NULL);
        if (rc == DB_NOT_FOUND) {
            *run->out = PLAN_CHANGED;
            return DB_CONFLICT;
        }
        if (rc == DB_OK)
            rc = db_run(s, &st_grow_link, gv);
        if (rc != DB_OK)
            return rc;
    }
    const char *rv[] = {c->plan->id, rev, c->every_weeks > 0 ? weeks : NULL,
                        c->flare ? "1" : "0"};
    PGresult *res;
    rc = db_query(s, &st_revise, rv, &res);
    if (rc != DB_OK)
        return rc;
    bool current = PQntuples(res) == 1;
    char now_rev[16] = "";
    if (current)
        cell_copy(res, 0, 0, now_rev, sizeof(now_rev));
    PQclear(res);
    if (!current) {
        *run->out = PLAN_CHANGED;
        return DB_CONFLICT;
    }
    rc = change_cancel(s, run);
    if (rc == DB_OK)
        rc = change_moves(s, run);
    if (rc == DB_OK)
        rc = change_adds(s, run);
    if (rc == DB_OK)
        rc = change_dates(s, c);
    if (rc == DB_OK && c->flare)
        rc = change_flare(s, c, now_rev);
    if (rc == DB_OK)
        rc = change_finish(s, run, now_rev);
    return rc;
}

enum db_status store_plan_change(struct db_session *s, const struct plan_change *change,
                                 enum plan_outcome *out)
{
    struct change_run run = {change, out, NULL};
    *out = PLAN_DONE;
    enum db_status rc = db_tx(s, change_work, &run);
    if (rc == DB_CONFLICT && *out != PLAN_DONE)
        rc = DB_OK;
    json_decref(run.touched);
    return rc;
}
