/* Running a practitioner's schedule: weekly hours, time off (refusing changes that
 * would strand bookings unless asked to cancel them), the day's schedule with patient
 * details, and bookings made, cancelled or closed by staff. */
#include "cache/index_keeper.h"
#include "staff/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "booking/bookings.h"
#include "cache/schedule_cache.h"
#include "staff/access.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "util/alloc.h"
#include "util/parse.h"

#define MAX_RULES 50
#define SCHEDULE_MAX_DAYS 62

/* The route's practitioner (parameter 1), checked against the caller. */
static bool enter_practitioner(struct req *r, struct auth *a, enum staff_access access)
{
    return staff_enter(r, a, access) && auth_practitioner(r, a, req_param(r, 1)) &&
           (strcmp(a->role, "platform_admin") == 0 || a->api_key ||
            strcmp(a->clinic_id, staff_clinic(r)) == 0);
}

DB_STMT(st_pract_in_clinic,
        "SELECT 1 FROM practitioners WHERE id = $1::uuid AND clinic_id = $2::uuid", 2);

/* The practitioner exists in the route's clinic; otherwise replies 404. */
static bool practitioner_here(struct req *r)
{
    const char *v[] = {req_param(r, 1), staff_clinic(r)};
    PGresult *res = api_query(r, &st_pract_in_clinic, v);
    if (!res)
        return false;
    bool ok = PQntuples(res) == 1;
    PQclear(res);
    if (!ok)
        reply_not_found(r);
    return ok;
}

/* --- weekly hours ---------------------------------------------------------------- */

DB_STMT(st_hours_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', h.id,"
        " 'weekday', h.weekday, 'start_time', to_char(h.start_time, 'HH24:MI'),"
        " 'end_time', to_char(h.end_time, 'HH24:MI'), 'location_id', h.location_id,"
        " 'valid_from', h.valid_from, 'valid_to', h.valid_to)"
        " ORDER BY h.weekday, h.start_time, h.id), '[]'), 'next_cursor', NULL)::text"
        " FROM weekly_hours h WHERE h.practitioner_id = $1::uuid",
        1);
DB_STMT(st_hours_insert,
        "INSERT INTO weekly_hours (clinic_id, practitioner_id, location_id, weekday, start_time,"
        " end_time, valid_from, valid_to) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::smallint,"
        " $5::time, $6::time, $7::date, $8::date) RETURNING id",
        8);
DB_STMT(st_hours_delete_all, "DELETE FROM weekly_hours WHERE practitioner_id = $1::uuid", 1);
DB_STMT(st_hours_delete,
        "DELETE FROM weekly_hours WHERE id = $1::uuid AND practitioner_id = $2::uuid RETURNING id",
        2);
DB_STMT(st_works_at,
        "SELECT 1 FROM practitioner_locations WHERE practitioner_id = $1::uuid"
        " AND location_id = $2::uuid",
        2);
/* Open future bookings of a practitioner, to see which a change would strand. */
DB_STMT(st_future_bookings,
        "SELECT b.id, extract(epoch FROM lower(b.during))::bigint,"
        " extract(epoch FROM upper(b.during))::bigint, b.patient_email"
        " FROM bookings b WHERE b.practitioner_id = $1::uuid AND b.status = 'booked'"
        " AND upper(b.during) > now() ORDER BY lower(b.during)",
        1);
DB_STMT(st_staff_cancel,
        "UPDATE bookings SET status = 'cancelled', cancelled_at = now(), cancelled_by = 'staff',"
        " cancel_reason = $2, updated_at = now() WHERE id = $1::uuid AND status = 'booked'",
        2);
DB_STMT(st_notify_cancel,
        "INSERT INTO notifications (clinic_id, kind, booking_id, recipient, payload, dedupe_key)"
        " VALUES ($1::uuid, 'booking_cancelled', $2::uuid, $3, $4::jsonb,"
        " 'booking_cancelled:' || $2) ON CONFLICT (dedupe_key) DO NOTHING",
        4);

struct rule_in {
    int weekday, start_min, end_min;
    const char *location_id;
    const char *start_s, *end_s;
    const char *valid_from, *valid_to;
    int64_t from_day, to_day;
};

/* "09:30" -> minutes; -1 when not HH:MM. */
static int parse_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    long h, m;
    char hh[3] = {s[0], s[1], 0}, mm[3] = {s[3], s[4], 0};
    if (parse_long(hh, 0, 23, &h) != 0 || parse_long(mm, 0, 59, &m) != 0)
        return -1;
    return (int)(h * 60 + m);
}

/* Reads one rule object; problems are named with prefix (e.g. "rules[2]"). */
static bool parse_rule(struct input *in, json_t *o, const char *prefix, struct rule_in *ru)
{
    memset(ru, 0, sizeof(*ru));
    if (!json_is_object(o)) {
        input_error(in, prefix ? prefix : "body", false, "each rule must be an object");
        return false;
    }
    static const char *const allowed[] = {"weekday", "start_time", "end_time", "location_id",
                                          "valid_from", "valid_to", NULL};
    if (prefix) /* (a whole body is checked by staff_body, against its own list) */
        body_only(in, o, prefix, allowed);
    char f[64];
    json_t *wd = json_object_get(o, "weekday");
    snprintf(f, sizeof(f), "%s%sweekday", prefix ? prefix : "", prefix ? "." : "");
    if (!json_is_integer(wd) || json_integer_value(wd) < 1 || json_integer_value(wd) > 7)
        input_error(in, f, false, "weekday must be 1 (Monday) to 7 (Sunday)");
    else
        ru->weekday = (int)json_integer_value(wd);
    ru->start_s = body_str(in, o, prefix, "start_time", true, 5);
    ru->end_s = body_str(in, o, prefix, "end_time", true, 5);
    ru->start_min = parse_hhmm(ru->start_s);
    ru->end_min = parse_hhmm(ru->end_s);
    snprintf(f, sizeof(f), "%s%sstart_time", prefix ? prefix : "", prefix ? "." : "");
    if (ru->start_s && ru->start_min < 0)
        input_error(in, f, false, "start_time must be HH:MM, such as 09:00");
    snprintf(f, sizeof(f), "%s%send_time", prefix ? prefix : "", prefix ? "." : "");
    if (ru->end_s && ru->end_min < 0)
        input_error(in, f, false, "end_time must be HH:MM, such as 17:30");
    else if (ru->end_min >= 0 && ru->end_min == ru->start_min)
        input_error(in, f, false, "end_time must differ from start_time");
    ru->location_id = body_uuid(in, o, prefix, "location_id", true);
    ru->valid_from = body_str(in, o, prefix, "valid_from", false, 10);
    ru->valid_to = body_str(in, o, prefix, "valid_to", false, 10);
    ru->from_day = INT32_MIN;
    ru->to_day = INT32_MAX;
    snprintf(f, sizeof(f), "%s%svalid_from", prefix ? prefix : "", prefix ? "." : "");
    if (ru->valid_from && date_parse(ru->valid_from, &ru->from_day) != 0)
        input_error(in, f, false, "valid_from must be a date such as 2026-03-08");
    snprintf(f, sizeof(f), "%s%svalid_to", prefix ? prefix : "", prefix ? "." : "");
    if (ru->valid_to && date_parse(ru->valid_to, &ru->to_day) != 0)
        input_error(in, f, false, "valid_to must be a date such as 2026-03-08");
    else if (ru->valid_to && ru->valid_from && ru->to_day < ru->from_day)
        input_error(in, f, false, "valid_to must not be before valid_from");
    return input_ok(in);
}

/* Minutes of the week a rule covers, as [a, b) within 0..2*10080 (past-midnight rules
 * run into the next day). */
static void week_span(const struct rule_in *ru, int *a, int *b)
{
    *a = (ru->weekday - 1) * 1440 + ru->start_min;
    *b = (ru->weekday - 1) * 1440 + ru->end_min + (ru->end_min <= ru->start_min ? 1440 : 0);
}

static bool spans_overlap(const struct rule_in *x, const struct rule_in *y)
{
    if (x->to_day < y->from_day || y->to_day < x->from_day)
        return false;
    int a1, b1, a2, b2;
    week_span(x, &a1, &b1);
    week_span(y, &a2, &b2);
    for (int shift = -10080; shift <= 10080; shift += 10080) /* Sunday night into Monday */
        if (a1 < b2 + shift && a2 + shift < b1)
            return true;
    return false;
}

/* Does the booking [st, en) lie within the schedule's hours and outside its time off? */
static bool booking_fits(const struct schedule *s, int64_t st, int64_t en)
{
    for (size_t k = 0; k < s->noff; k++)
        if (s->off[k].start < en && st < s->off[k].end)
            return false;
    return slots_within_hours(s->rules, s->nrules, st, en);
}

/* A change's strand check: the practitioner's open future bookings and which of them
 * the schedule allowed before the change.  Only those the change puts outside it are
 * the change's to settle: one that was outside already (moved there by hand, say) is
 * not, and must not block an unrelated change or be cancelled by it. */
struct strand_check {
    PGresult *bookings;
    bool *fitted;
};

static int64_t booking_at(const struct strand_check *sc, int i, int col)
{
    return strtoll(PQgetvalue(sc->bookings, i, col), NULL, 10);
}

/* Loads the practitioner's schedule over the bookings' span (n > 0); false after
 * replying. */
static bool strand_schedule(struct req *r, const struct strand_check *sc, struct schedule *s)
{
    int n = PQntuples(sc->bookings);
    enum schedule_result sr = schedule_load(r, req_param(r, 1), NULL, booking_at(sc, 0, 1),
                                            booking_at(sc, n - 1, 2), NULL, s);
    if (sr == SCHEDULE_NO_PRACTITIONER)
        reply_not_found(r);
    return sr == SCHEDULE_OK;
}

/* Before the change, inside its transaction: locks the practitioner against bookings
 * and notes which bookings fit.  False after replying. */
static bool strand_check_begin(struct req *r, struct strand_check *sc)
{
    const char *pid = req_param(r, 1);
    if (!booking_lock(r, NULL, NULL, NULL, NULL, pid))
        return false;
    const char *v[] = {pid};
    sc->bookings = api_query(r, &st_future_bookings, v);
    if (!sc->bookings)
        return false;
    int n = PQntuples(sc->bookings);
    sc->fitted = xcalloc(n ? (size_t)n : 1, sizeof(*sc->fitted));
    if (n == 0)
        return true;
    struct schedule s;
    if (!strand_schedule(r, sc, &s))
        return false;
    for (int i = 0; i < n; i++)
        sc->fitted[i] = booking_fits(&s, booking_at(sc, i, 1), booking_at(sc, i, 2));
    schedule_release(&s);
    return true;
}

static void strand_check_release(struct strand_check *sc)
{
    PQclear(sc->bookings);
    free(sc->fitted);
    memset(sc, 0, sizeof(*sc));
}

/* After the change: the bookings that fitted before and do not now are stranded;
 * cancels them when asked, else replies 409 listing them.  False after replying. */
static bool settle_stranded(struct req *r, const struct auth *a, const struct strand_check *sc,
                            bool cancel, const char *why)
{
    const char *pid = req_param(r, 1);
    PGresult *res = sc->bookings;
    int n = PQntuples(res), nfitted = 0;
    for (int i = 0; i < n; i++)
        nfitted += sc->fitted[i];
    struct schedule s;
    json_t *stranded = json_array();
    bool ok = false;
    if (nfitted > 0) {
        if (!strand_schedule(r, sc, &s))
            goto out;
        for (int i = 0; i < n; i++) {
            int64_t st = booking_at(sc, i, 1), en = booking_at(sc, i, 2);
            if (!sc->fitted[i] || booking_fits(&s, st, en))
                continue;
            char a1[40], b1[40];
            schedule_format(&s, st, a1, sizeof(a1));
            schedule_format(&s, en, b1, sizeof(b1));
            json_array_append_new(stranded, json_pack("{s:s, s:s, s:s}", "id",
                                                      PQgetvalue(res, i, 0), "start", a1, "end", b1));
            if (cancel) {
                const char *cv[] = {PQgetvalue(res, i, 0), why};
                PGresult *u = api_query(r, &st_staff_cancel, cv);
                if (!u) {
                    schedule_release(&s);
                    goto out;
                }
                PQclear(u);
                char *pl = json_dumps(json_pack("{s:s, s:s, s:s}", "start", a1, "by", "staff",
                                                "reason", why), JSON_COMPACT);
                const char *nv[] = {staff_clinic(r), PQgetvalue(res, i, 0), PQgetvalue(res, i, 3),
                                    pl ? pl : "{}"};
                u = api_query(r, &st_notify_cancel, nv);
                free(pl);
                if (!u) {
                    schedule_release(&s);
                    goto out;
                }
                PQclear(u);
            }
        }
        schedule_release(&s);
    }
    if (json_array_size(stranded) > 0 && !cancel) {
        api_rollback(r);
        reply_problem_ext(r, 409, "strands-bookings", "This would strand bookings",
                          "Open bookings fall outside the new schedule. Move them first, or send "
                          "the change again with \"cancel_stranded\": true to cancel them (the "
                          "patients are told).",
                          NULL, json_pack("{s:O}", "bookings", stranded));
        goto out;
    }
    if (json_array_size(stranded) > 0 &&
        !audit(r, a, NULL, staff_clinic(r), "cancel_stranded_bookings", "practitioner", pid, true,
               "success", json_pack("{s:O}", "bookings", stranded)))
        goto out;
    ok = true;
out:
    json_decref(stranded);
    return ok;
}

static bool cancel_flag(struct input *in, json_t *body)
{
    json_t *c = json_object_get(body, "cancel_stranded");
    if (c && !json_is_boolean(c))
        input_error(in, "cancel_stranded", false, "cancel_stranded must be true or false");
    return json_is_true(c);
}

static bool insert_rule(struct req *r, const struct rule_in *ru, char *id_out)
{
    char wd[4];
    snprintf(wd, sizeof(wd), "%d", ru->weekday);
    const char *v[] = {staff_clinic(r), req_param(r, 1), ru->location_id, wd, ru->start_s,
                       ru->end_s, ru->valid_from, ru->valid_to};
    PGresult *res = api_query(r, &st_hours_insert, v);
    if (!res)
        return false;
    if (id_out)
        snprintf(id_out, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return true;
}

static bool works_at(struct req *r, struct input *in, const char *loc, const char *field)
{
    const char *v[] = {req_param(r, 1), loc};
    PGresult *res = api_query(r, &st_works_at, v);
    if (!res)
        return false;
    if (PQntuples(res) == 0)
        input_error(in, field, false, "the practitioner does not work at that location");
    PQclear(res);
    return true;
}

static void reply_hours(struct req *r, int status)
{
    const char *v[] = {req_param(r, 1)};
    PGresult *res = api_query(r, &st_hours_list, v);
    if (!res)
        return;
    reply_text(r, status, "application/json", PQgetvalue(res, 0, 0),
               (size_t)PQgetlength(res, 0, 0));
    PQclear(res);
}

void staff_hours_list(struct req *r)
{
    struct auth a;
    if (enter_practitioner(r, &a, STAFF_READ) && practitioner_here(r))
        reply_hours(r, 200);
}

/* Loads the practitioner's current rules for the overlap check. */
static int current_rules(struct req *r, struct rule_in *out, char (*store)[3][12])
{
    const char *v[] = {req_param(r, 1)};
    PGresult *res = api_query(r, &st_hours_list, v);
    if (!res)
        return -1;
    json_t *doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    json_t *items = json_object_get(doc, "items");
    int n = 0;
    for (size_t i = 0; i < json_array_size(items) && n < MAX_RULES; i++, n++) {
        json_t *o = json_array_get(items, i);
        memset(&out[n], 0, sizeof(out[n]));
        out[n].weekday = (int)json_integer_value(json_object_get(o, "weekday"));
        snprintf(store[n][0], 12, "%s", json_string_value(json_object_get(o, "start_time")));
        snprintf(store[n][1], 12, "%s", json_string_value(json_object_get(o, "end_time")));
        out[n].start_min = parse_hhmm(store[n][0]);
        out[n].end_min = parse_hhmm(store[n][1]);
        out[n].from_day = INT32_MIN;
        out[n].to_day = INT32_MAX;
        const char *vf = json_string_value(json_object_get(o, "valid_from"));
        const char *vt = json_string_value(json_object_get(o, "valid_to"));
        if (vf)
            date_parse(vf, &out[n].from_day);
        if (vt)
            date_parse(vt, &out[n].to_day);
    }
    json_decref(doc);
    return n;
}

void staff_hours_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    if (!enter_practitioner(r, &a, STAFF_SELF_WRITE) || !practitioner_here(r))
        return;
    static const char *const allowed[] = {"weekday", "start_time", "end_time", "location_id",
                                          "valid_from", "valid_to", "cancel_stranded", NULL};
    body = staff_body(&in, allowed);
    struct rule_in ru;
    bool cancel = false;
    json_t *rule = NULL; /* the body without cancel_stranded; ru points into it */
    struct strand_check sc = {0};
    if (body) {
        rule = json_deep_copy(body);
        json_object_del(rule, "cancel_stranded");
        parse_rule(&in, rule, NULL, &ru);
        cancel = cancel_flag(&in, body);
    }
    if (input_ok(&in) && !works_at(r, &in, ru.location_id, "location_id"))
        goto out;
    if (input_ok(&in)) {
        struct rule_in cur[MAX_RULES];
        char store[MAX_RULES][3][12];
        int n = current_rules(r, cur, store);
        if (n < 0)
            goto out;
        for (int i = 0; i < n; i++)
            if (spans_overlap(&ru, &cur[i])) {
                input_error(&in, "start_time", false, "these hours overlap hours the practitioner already has");
                break;
            }
        if (n >= MAX_RULES)
            input_error(&in, "weekday", false, "a practitioner has at most %d weekly rules", MAX_RULES);
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    char id[40];
    if (!api_begin(r) || !strand_check_begin(r, &sc) || !insert_rule(r, &ru, id) ||
        !settle_stranded(r, &a, &sc, cancel, "the practitioner's hours changed") ||
        !audit(r, &a, NULL, staff_clinic(r), "add_hours", "weekly_hours", id, false, "success",
               json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_hours(r, 201);
out:
    api_rollback(r);
    strand_check_release(&sc);
    input_release(&in);
    json_decref(rule);
    json_decref(body);
}

void staff_hours_replace(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    if (!enter_practitioner(r, &a, STAFF_SELF_WRITE) || !practitioner_here(r))
        return;
    static const char *const allowed[] = {"rules", "cancel_stranded", NULL};
    body = staff_body(&in, allowed);
    struct strand_check sc = {0};
    struct rule_in rules[MAX_RULES];
    size_t n = 0;
    bool cancel = false;
    if (body) {
        json_t *arr = json_object_get(body, "rules");
        cancel = cancel_flag(&in, body);
        if (!json_is_array(arr)) {
            input_error(&in, "rules", false, "rules must be a list of weekly hours");
        } else if (json_array_size(arr) > MAX_RULES) {
            input_error(&in, "rules", false, "at most %d rules", MAX_RULES);
        } else {
            n = json_array_size(arr);
            for (size_t i = 0; i < n; i++) {
                char prefix[32];
                snprintf(prefix, sizeof(prefix), "rules[%zu]", i);
                parse_rule(&in, json_array_get(arr, i), prefix, &rules[i]);
            }
            for (size_t i = 0; i < n && input_ok(&in); i++)
                for (size_t k = i + 1; k < n; k++)
                    if (spans_overlap(&rules[i], &rules[k])) {
                        char f[40];
                        snprintf(f, sizeof(f), "rules[%zu]", k);
                        input_error(&in, f, false, "%s overlaps rules[%zu]", f, i);
                        break;
                    }
            for (size_t i = 0; i < n && input_ok(&in); i++) {
                char f[48];
                snprintf(f, sizeof(f), "rules[%zu].location_id", i);
                if (!works_at(r, &in, rules[i].location_id, f))
                    goto out;
            }
        }
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    if (!api_begin(r) || !strand_check_begin(r, &sc))
        goto out;
    const char *v[] = {req_param(r, 1)};
    PGresult *res = api_query(r, &st_hours_delete_all, v);
    if (!res)
        goto out;
    PQclear(res);
    for (size_t i = 0; i < n; i++)
        if (!insert_rule(r, &rules[i], NULL))
            goto out;
    if (!settle_stranded(r, &a, &sc, cancel, "the practitioner's hours changed") ||
        !audit(r, &a, NULL, staff_clinic(r), "replace_hours", "practitioner", req_param(r, 1),
               false, "success", json_incref(body)) ||
        !dirindex_commit(r))
        goto out;
    reply_hours(r, 200);
out:
    api_rollback(r);
    strand_check_release(&sc);
    input_release(&in);
    json_decref(body);
}

void staff_hours_delete(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    if (!enter_practitioner(r, &a, STAFF_SELF_WRITE) || !practitioner_here(r))
        return;
    bool cancel = false;
    q_bool(&in, "cancel_stranded", &cancel);
    if (!is_uuid(req_param(r, 2))) {
        input_release(&in);
        reply_not_found(r);
        return;
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    struct strand_check sc = {0};
    if (!api_begin(r) || !strand_check_begin(r, &sc))
        goto out;
    const char *v[] = {req_param(r, 2), req_param(r, 1)};
    PGresult *res = api_query(r, &st_hours_delete, v);
    if (!res)
        goto out;
    bool found = PQntuples(res) == 1;
    PQclear(res);
    if (!found) {
        reply_not_found(r);
        goto out;
    }
    if (!settle_stranded(r, &a, &sc, cancel, "the practitioner's hours changed") ||
        !audit(r, &a, NULL, staff_clinic(r), "delete_hours", "weekly_hours", req_param(r, 2),
               false, "success", NULL) ||
        !dirindex_commit(r))
        goto out;
    reply_text(r, 204, "application/json", "", 0);
out:
    api_rollback(r);
    strand_check_release(&sc);
    input_release(&in);
}

/* --- time off -------------------------------------------------------------------- */

DB_STMT(st_off_list,
        "SELECT json_build_object('items', coalesce(json_agg(json_build_object('id', t.id,"
        " 'start', lower(t.during), 'end', upper(t.during), 'reason', t.reason)"
        " ORDER BY lower(t.during)), '[]'), 'next_cursor', NULL)::text"
        " FROM time_off t WHERE t.practitioner_id = $1::uuid AND upper(t.during) > now() - interval '31 days'",
        1);
DB_STMT(st_off_insert,
        "INSERT INTO time_off (clinic_id, practitioner_id, during, reason) VALUES ($1::uuid,"
        " $2::uuid, tstzrange(to_timestamp($3::bigint), to_timestamp($4::bigint)), $5)"
        " RETURNING json_build_object('id', id, 'start', lower(during), 'end', upper(during),"
        " 'reason', reason)::text, id",
        5);
DB_STMT(st_off_delete,
        "DELETE FROM time_off WHERE id = $1::uuid AND practitioner_id = $2::uuid RETURNING id", 2);

void staff_time_off_list(struct req *r)
{
    struct auth a;
    if (!enter_practitioner(r, &a, STAFF_READ) || !practitioner_here(r))
        return;
    const char *v[] = {req_param(r, 1)};
    PGresult *res = api_query(r, &st_off_list, v);
    if (!res)
        return;
    reply_db_json(r, res);
    PQclear(res);
}

void staff_time_off_create(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    json_t *body = NULL;
    PGresult *res = NULL;
    struct strand_check sc = {0};
    if (!enter_practitioner(r, &a, STAFF_SELF_WRITE) || !practitioner_here(r))
        return;
    static const char *const allowed[] = {"start", "end", "reason", "cancel_stranded", NULL};
    body = staff_body(&in, allowed);
    int64_t start = 0, end = 0;
    const char *reason = NULL;
    bool cancel = false;
    if (body) {
        bool hs = body_instant(&in, body, NULL, "start", true, &start);
        bool he = body_instant(&in, body, NULL, "end", true, &end);
        reason = body_str(&in, body, NULL, "reason", false, 500);
        cancel = cancel_flag(&in, body);
        if (hs && he && end <= start)
            input_error(&in, "end", false, "end must be after start");
        else if (hs && he && end - start > 366LL * 86400)
            input_error(&in, "end", false, "time off may be at most a year at a time");
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    char s0[24], s1[24];
    snprintf(s0, sizeof(s0), "%lld", (long long)start);
    snprintf(s1, sizeof(s1), "%lld", (long long)end);
    const char *v[] = {staff_clinic(r), req_param(r, 1), s0, s1, reason ? reason : ""};
    if (!api_begin(r) || !strand_check_begin(r, &sc))
        goto out;
    res = api_query(r, &st_off_insert, v);
    if (!res || !settle_stranded(r, &a, &sc, cancel, "the practitioner is away") ||
        !audit(r, &a, NULL, staff_clinic(r), "add_time_off", "time_off", PQgetvalue(res, 0, 1),
               false, "success", NULL) ||
        !dirindex_commit(r))
        goto out;
    reply_text(r, 201, "application/json", PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
out:
    api_rollback(r);
    strand_check_release(&sc);
    PQclear(res);
    input_release(&in);
    json_decref(body);
}

void staff_time_off_delete(struct req *r)
{
    struct auth a;
    if (!enter_practitioner(r, &a, STAFF_SELF_WRITE) || !practitioner_here(r))
        return;
    if (!is_uuid(req_param(r, 2))) {
        reply_not_found(r);
        return;
    }
    const char *v[] = {req_param(r, 2), req_param(r, 1)};
    if (!api_begin(r))
        goto out;
    PGresult *res = api_query(r, &st_off_delete, v);
    if (!res)
        goto out;
    bool found = PQntuples(res) == 1;
    PQclear(res);
    if (!found) {
        reply_not_found(r);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "delete_time_off", "time_off", req_param(r, 2), false,
               "success", NULL) ||
        !dirindex_commit(r))
        goto out;
    reply_text(r, 204, "application/json", "", 0);
out:
    api_rollback(r);
}

/* --- the schedule ---------------------------------------------------------------- */

DB_STMT(st_schedule_list,
        "SELECT json_build_object('id', b.id, 'status', b.status, 'start', lower(b.during),"
        " 'end', upper(b.during), 'timezone', l.timezone,"
        " 'practitioner', json_build_object('id', p.id, 'name', p.name),"
        " 'service', json_build_object('id', s.id, 'name', s.name, 'duration_minutes',"
        "   s.duration_minutes), 'location', json_build_object('id', l.id, 'name', l.name),"
        " 'patient', json_build_object('name', b.patient_name, 'email', b.patient_email,"
        "   'phone', b.patient_phone), 'notes', b.notes, 'series_id', b.series_id,"
        " 'created_by', b.created_by, 'cancel_reason', b.cancel_reason)::text"
        " FROM bookings b JOIN practitioners p ON p.id = b.practitioner_id"
        " JOIN services s ON s.id = b.service_id JOIN locations l ON l.id = b.location_id"
        " WHERE b.clinic_id = $1::uuid AND b.during && tstzrange(to_timestamp($2::bigint),"
        " to_timestamp($3::bigint)) AND ($4::uuid IS NULL OR b.practitioner_id = $4::uuid)"
        " AND ($5::bool OR b.status <> 'cancelled')"
        " ORDER BY lower(b.during), p.name, b.id LIMIT 2001",
        5);

/* from/to: dates (midnight UTC-agnostic: whole days in the clinic) or instants. */
static bool range(struct input *in, int64_t *from, int64_t *to)
{
    const char *f = q_str(in, "from", 40), *t = q_str(in, "to", 40);
    int64_t fday = 0, tday = 0;
    bool fdate = f && date_parse(f, &fday) == 0, tdate = t && date_parse(t, &tday) == 0;
    *from = (int64_t)time(NULL) / 86400 * 86400;
    if (fdate)
        *from = fday * 86400 - 14 * 3600; /* the earliest zone's midnight */
    else if (f && rfc3339_parse(f, from) != 0)
        input_error(in, "from", true, "from must be a date or a date and time with an offset");
    *to = *from + 7 * 86400;
    if (tdate)
        *to = (tday + 1) * 86400 + 12 * 3600; /* through the latest zone's end of that day */
    else if (t && rfc3339_parse(t, to) != 0)
        input_error(in, "to", true, "to must be a date or a date and time with an offset");
    /* dates compare as dates: the widening for time zones must not hide to < from */
    if (input_ok(in) && ((fdate && tdate && tday < fday) || (!(fdate && tdate) && *to <= *from)))
        input_error(in, "to", false, "to must not be before from");
    if (input_ok(in) && *to - *from > (SCHEDULE_MAX_DAYS + 2) * 86400LL)
        input_error(in, "to", false, "the range may be at most %d days", SCHEDULE_MAX_DAYS);
    return input_ok(in);
}

void staff_schedule(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    if (!staff_enter(r, &a, STAFF_READ) || !auth_scope(r, &a, SCOPE_PATIENT_DATA))
        return;
    int64_t from, to;
    range(&in, &from, &to);
    const char *pract = q_str(&in, "practitioner", 64);
    if (pract && !is_uuid(pract))
        input_error(&in, "practitioner", false, "practitioner must be a practitioner id");
    bool with_cancelled = false;
    q_bool(&in, "include_cancelled", &with_cancelled);
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    /* a practitioner sees their own column only */
    if (strcmp(a.role, "practitioner") == 0) {
        if (pract && strcmp(pract, a.practitioner_id) != 0) {
            reply_not_found(r);
            return;
        }
        pract = a.practitioner_id;
    }
    char f[24], t[24];
    snprintf(f, sizeof(f), "%lld", (long long)from);
    snprintf(t, sizeof(t), "%lld", (long long)to);
    if (!audit(r, &a, NULL, staff_clinic(r), "read_schedule", "schedule", pract, true, "success",
               json_pack("{s:s, s:s}", "from", f, "to", t)))
        return;
    const char *v[] = {staff_clinic(r), f, t, pract, with_cancelled ? "true" : "false"};
    PGresult *res = api_query(r, &st_schedule_list, v);
    if (!res)
        return;
    reply_items(r, res, PQntuples(res) > 2000 ? 2000 : PQntuples(res), 0, NULL);
    PQclear(res);
}
