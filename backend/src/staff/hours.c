/* A practitioner's weekly hours: list, add one rule, replace them all, delete one.
 * Changes refuse to strand open bookings unless asked to cancel them (staff/schedule_change.h). */
#include "staff/hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "domain/timefmt.h"
#include "api/access.h"
#include "api/handlers.h"
#include "staff/replies.h"
#include "staff/schedule_change.h"
#include "util/alloc.h"
#include "util/parse.h"

#define HOURS_CHANGED "the practitioner's hours changed"

/* "prefix.name", or name without a prefix, into f. */
static const char *field_name(char *f, size_t n, const char *prefix, const char *name)
{
    snprintf(f, n, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", name);
    return f;
}

/* The rule's times and dates, read into ru->span. */
static void rule_times(struct input *in, json_t *o, const char *prefix, struct hours_rule_in *ru)
{
    char f[64];
    struct week_rule *w = &ru->span;
    ru->row.start_time = body_str(in, o, prefix, "start_time", true, 5);
    ru->row.end_time = body_str(in, o, prefix, "end_time", true, 5);
    w->start_min = hhmm_minutes(ru->row.start_time);
    w->end_min = hhmm_minutes(ru->row.end_time);
    if (ru->row.start_time && w->start_min < 0)
        input_error(in, field_name(f, sizeof(f), prefix, "start_time"), false,
                    "start_time must be HH:MM, such as 09:00");
    if (ru->row.end_time && w->end_min < 0)
        input_error(in, field_name(f, sizeof(f), prefix, "end_time"), false,
                    "end_time must be HH:MM, such as 17:30");
    else if (w->end_min >= 0 && w->end_min == w->start_min)
        input_error(in, field_name(f, sizeof(f), prefix, "end_time"), false,
                    "end_time must differ from start_time");
    ru->row.location_id = body_uuid(in, o, prefix, "location_id", true);
    ru->row.valid_from = body_str(in, o, prefix, "valid_from", false, 10);
    ru->row.valid_to = body_str(in, o, prefix, "valid_to", false, 10);
    w->from_day = WEEK_RULE_OPEN_FROM;
    w->to_day = WEEK_RULE_OPEN_TO;
    if (ru->row.valid_from && date_parse(ru->row.valid_from, &w->from_day) != 0)
        input_error(in, field_name(f, sizeof(f), prefix, "valid_from"), false,
                    "valid_from must be a date such as 2026-03-08");
    if (ru->row.valid_to && date_parse(ru->row.valid_to, &w->to_day) != 0)
        input_error(in, field_name(f, sizeof(f), prefix, "valid_to"), false,
                    "valid_to must be a date such as 2026-03-08");
    else if (ru->row.valid_to && ru->row.valid_from && w->to_day < w->from_day)
        input_error(in, field_name(f, sizeof(f), prefix, "valid_to"), false,
                    "valid_to must not be before valid_from");
}

bool hours_rule_parse(struct input *in, json_t *o, const char *prefix, struct hours_rule_in *ru)
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
    if (!json_is_integer(wd) || json_integer_value(wd) < 1 || json_integer_value(wd) > 7)
        input_error(in, field_name(f, sizeof(f), prefix, "weekday"), false,
                    "weekday must be 1 (Monday) to 7 (Sunday)");
    else
        ru->span.weekday = ru->row.weekday = (int)json_integer_value(wd);
    rule_times(in, o, prefix, ru);
    return input_ok(in);
}

bool cancel_stranded_parse(struct input *in, json_t *body)
{
    json_t *c = json_object_get(body, "cancel_stranded");
    if (c && !json_is_boolean(c))
        input_error(in, "cancel_stranded", false, "cancel_stranded must be true or false");
    return json_is_true(c);
}

bool hours_create_parse(struct input *in, json_t *body, struct hours_create_body *out)
{
    /* (cancel_stranded is not the rule's: without a prefix no member list is checked) */
    hours_rule_parse(in, body, NULL, &out->rule);
    out->cancel = cancel_stranded_parse(in, body);
    return input_ok(in);
}

bool hours_replace_parse(struct input *in, json_t *body, struct hours_replace_body *out)
{
    json_t *arr = json_object_get(body, "rules");
    out->n = 0;
    out->cancel = cancel_stranded_parse(in, body);
    if (!json_is_array(arr)) {
        input_error(in, "rules", false, "rules must be a list of weekly hours");
        return false;
    }
    if (json_array_size(arr) > HOURS_MAX_RULES) {
        input_error(in, "rules", false, "at most %d rules", HOURS_MAX_RULES);
        return false;
    }
    out->n = json_array_size(arr);
    for (size_t i = 0; i < out->n; i++) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "rules[%zu]", i);
        hours_rule_parse(in, json_array_get(arr, i), prefix, &out->rules[i]);
    }
    for (size_t i = 0; i < out->n && input_ok(in); i++)
        for (size_t k = i + 1; k < out->n; k++)
            if (week_rules_overlap(&out->rules[i].span, &out->rules[k].span)) {
                char f[40];
                snprintf(f, sizeof(f), "rules[%zu]", k);
                input_error(in, f, false, "%s overlaps rules[%zu]", f, i);
                break;
            }
    return input_ok(in);
}

/* --- the routes ------------------------------------------------------------------- */

/* Records a problem on field unless the practitioner works at the rule's location. */
static enum db_status check_works_at(struct req *r, struct input *in, const char *location_id,
                                     const char *field)
{
    bool works;
    enum db_status st = store_hours_works_at(&r->db, req_param(r, 1), location_id, &works);
    if (st == DB_OK && !works)
        input_error(in, field, false, "the practitioner does not work at that location");
    return st;
}

/* A new rule's checks against the database: its location, and no overlap with the
 * practitioner's rules (of which there are fewer than HOURS_MAX_RULES). */
static enum db_status check_new_rule(struct req *r, struct input *in,
                                     const struct hours_rule_in *ru)
{
    enum db_status st = check_works_at(r, in, ru->row.location_id, "location_id");
    if (st != DB_OK || !input_ok(in))
        return st;
    struct week_rule cur[HOURS_MAX_RULES];
    size_t n;
    st = store_hours_rules(&r->db, req_param(r, 1), cur, HOURS_MAX_RULES, &n);
    if (st != DB_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (week_rules_overlap(&ru->span, &cur[i])) {
            input_error(in, "start_time", false,
                        "these hours overlap hours the practitioner already has");
            break;
        }
    if (n >= HOURS_MAX_RULES)
        input_error(in, "weekday", false, "a practitioner has at most %d weekly rules",
                    HOURS_MAX_RULES);
    return DB_OK;
}

bool schedule_practitioner_here(struct req *r)
{
    enum db_status st = store_practitioner_in_clinic(&r->db, req_param(r, 1), staff_clinic(r));
    if (st != DB_OK)
        reply_failure(r, st);
    return st == DB_OK;
}

bool schedule_write_body(struct req *r, struct input *in, const char *const *allowed,
                         json_t **body)
{
    input_init(in, r);
    *body = NULL;
    if (!schedule_practitioner_here(r))
        return false;
    *body = staff_body(in, allowed);
    return true;
}

/* Replies status with the practitioner's hours. */
static void reply_hours(struct req *r, int status)
{
    staff_reply_read(r, &store_hours_list, req_param(r, 1), NULL, status);
}

void staff_hours_list(struct req *r)
{
    if (schedule_practitioner_here(r))
        reply_hours(r, 200);
}

/* What a change to the hours writes (the context of its apply function) and its
 * audit row. */
struct hours_write {
    const char *clinic_id, *practitioner_id, *delete_id;
    const struct hours_rule_in *rules;
    size_t n;
    bool replace, cancel;
    const char *action, *resource_type, *resource_id;
    char id[40];
};

static enum db_status apply_insert(struct db_session *s, void *ctx)
{
    struct hours_write *w = ctx;
    enum db_status st = w->replace ? store_hours_delete_all(s, w->practitioner_id) : DB_OK;
    for (size_t i = 0; st == DB_OK && i < w->n; i++)
        st = store_hours_insert(s, w->clinic_id, w->practitioner_id, &w->rules[i].row,
                                w->replace ? NULL : w->id);
    return st;
}

static enum db_status apply_delete(struct db_session *s, void *ctx)
{
    struct hours_write *w = ctx;
    return store_hours_delete(s, w->delete_id, w->practitioner_id);
}

/* Runs the write to the route practitioner's hours under the strand check, then the
 * one reply: status with the hours (204: nothing), or what failed.  Takes detail (the
 * audit row's, may be NULL). */
static void hours_change(struct req *r, struct hours_write *w, json_t *detail, int status)
{
    w->clinic_id = staff_clinic(r);
    w->practitioner_id = req_param(r, 1);
    struct schedule_change c = {
        .a = &r->actor, .clinic_id = w->clinic_id, .practitioner_id = w->practitioner_id,
        .cancel = w->cancel, .why = HOURS_CHANGED, .ctx = w, .action = w->action,
        .resource_type = w->resource_type, .resource_id = w->resource_id, .detail = detail,
        .apply = w->delete_id ? apply_delete : apply_insert,
    };
    enum db_status st = schedule_change_run(r, &c);
    if (st != DB_OK)
        schedule_change_reply_failure(r, &c, st);
    else if (status == 204)
        reply_no_content(r);
    else
        reply_hours(r, status);
    schedule_change_release(&c);
}

void staff_hours_create(struct req *r)
{
    static const char *const allowed[] = {"weekday", "start_time", "end_time", "location_id",
                                          "valid_from", "valid_to", "cancel_stranded", NULL};
    struct input in;
    json_t *body;
    if (!schedule_write_body(r, &in, allowed, &body))
        return;
    struct hours_create_body b;
    enum db_status st = DB_OK;
    if (body && hours_create_parse(&in, body, &b))
        st = check_new_rule(r, &in, &b.rule);
    if (staff_checks_passed(r, &in, st)) {
        struct hours_write w = {.rules = &b.rule, .n = 1, .cancel = b.cancel,
                                .action = "add_hours", .resource_type = "weekly_hours"};
        w.resource_id = w.id;
        hours_change(r, &w, json_incref(body), 201);
    }
    json_decref(body);
}

/* Records a problem for each rule at a location the practitioner does not work at
 * (up to the first). */
static enum db_status check_locations(struct req *r, struct input *in,
                                      const struct hours_replace_body *b)
{
    enum db_status st = DB_OK;
    for (size_t i = 0; st == DB_OK && i < b->n && input_ok(in); i++) {
        char f[48];
        snprintf(f, sizeof(f), "rules[%zu].location_id", i);
        st = check_works_at(r, in, b->rules[i].row.location_id, f);
    }
    return st;
}

void staff_hours_replace(struct req *r)
{
    static const char *const allowed[] = {"rules", "cancel_stranded", NULL};
    struct input in;
    json_t *body;
    if (!schedule_write_body(r, &in, allowed, &body))
        return;
    struct hours_replace_body *b = xcalloc(1, sizeof(*b));
    enum db_status st = DB_OK;
    if (body && hours_replace_parse(&in, body, b))
        st = check_locations(r, &in, b);
    if (staff_checks_passed(r, &in, st)) {
        struct hours_write w = {.rules = b->rules, .n = b->n, .replace = true,
                                .cancel = b->cancel, .action = "replace_hours",
                                .resource_type = "practitioner",
                                .resource_id = req_param(r, 1)};
        hours_change(r, &w, json_incref(body), 200);
    }
    free(b);
    json_decref(body);
}

void staff_hours_delete(struct req *r)
{
    struct input in;
    input_init(&in, r);
    if (!schedule_practitioner_here(r))
        return;
    bool cancel = false;
    q_bool(&in, "cancel_stranded", &cancel);
    const char *id;
    if (!(id = staff_route_id_at(r, 2))) {
        input_release(&in);
        return;
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    struct hours_write w = {.delete_id = id, .cancel = cancel, .action = "delete_hours",
                            .resource_type = "weekly_hours", .resource_id = id};
    hours_change(r, &w, NULL, 204);
}
