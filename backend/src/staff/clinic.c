/* Clinic staff: the clinic and its policy, and the audit log. */
#include "staff/clinic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/audit.h"
#include "api/handlers.h"
#include "staff/replies.h"
#include "store/audit.h"
#include "util/parse.h"

/* --- the clinic ------------------------------------------------------------------ */

const char *const clinic_patch_fields[] = {"name", "website", "phone", "policy", NULL};

static void reply_clinic(struct req *r)
{
    staff_reply_read(r, &store_clinic_get, staff_clinic(r), NULL, 200);
}

void staff_clinic_get(struct req *r)
{
    reply_clinic(r);
}

/* A whole-number member of the policy within bounds, written as text into out; NULL
 * when absent. */
static const char *policy_int(struct input *in, json_t *obj, const char *name, long min, long max,
                              char *out, size_t n)
{
    json_t *v = json_object_get(obj, name);
    if (!v)
        return NULL;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        char f[80];
        snprintf(f, sizeof(f), "policy.%s", name);
        input_error(in, f, false, "%s must be a whole number from %ld to %ld", f, min, max);
        return NULL;
    }
    snprintf(out, n, "%lld", (long long)json_integer_value(v));
    return out;
}

static void policy_parse(struct input *in, json_t *pol, struct clinic_patch *p)
{
    static const char *const pallowed[] = {"min_notice_minutes", "booking_horizon_days",
                                           "cancellation_notice_hours", "slot_step_minutes",
                                           "max_open_bookings_per_contact",
                                           "flare_moves_per_plan", "reminder_hours",
                                           "week_mail_hour", NULL};
    body_only(in, pol, "policy", pallowed);
    p->min_notice = policy_int(in, pol, "min_notice_minutes", 0, 20160, p->buf[0], 24);
    p->horizon = policy_int(in, pol, "booking_horizon_days", 1, 730, p->buf[1], 24);
    p->cancel_notice = policy_int(in, pol, "cancellation_notice_hours", 0, 720, p->buf[2], 24);
    p->slot_step = policy_int(in, pol, "slot_step_minutes", 5, 60, p->buf[3], 24);
    if (p->slot_step && 60 % strtol(p->slot_step, NULL, 10) != 0)
        input_error(in, "policy.slot_step_minutes", false,
                    "slot_step_minutes must be 5, 10, 15, 20, 30 or 60");
    p->max_open = policy_int(in, pol, "max_open_bookings_per_contact", 1, 1000, p->buf[4], 24);
    p->flare_moves = policy_int(in, pol, "flare_moves_per_plan", 0, 52, p->buf[5], 24);
    /* null: the worker's reminder_hours; the week mail off */
    p->set_reminder = json_object_get(pol, "reminder_hours") ? "true" : "false";
    if (!json_is_null(json_object_get(pol, "reminder_hours")))
        p->reminder_hours = policy_int(in, pol, "reminder_hours", 1, 168, p->mail_buf[0], 24);
    p->set_week_hour = json_object_get(pol, "week_mail_hour") ? "true" : "false";
    if (!json_is_null(json_object_get(pol, "week_mail_hour")))
        p->week_hour = policy_int(in, pol, "week_mail_hour", 0, 23, p->mail_buf[1], 24);
}

void clinic_patch_parse(struct input *in, json_t *body, struct clinic_patch *p)
{
    memset(p, 0, sizeof(*p));
    p->name = body_str(in, body, NULL, "name", false, 200);
    p->set_website = json_object_get(body, "website") ? "true" : "false";
    p->website = body_str(in, body, NULL, "website", false, 500);
    if (p->website && strncmp(p->website, "https://", 8) != 0 &&
        strncmp(p->website, "http://", 7) != 0)
        input_error(in, "website", false, "website must start with https://");
    p->set_phone = json_object_get(body, "phone") ? "true" : "false";
    p->phone = body_str(in, body, NULL, "phone", false, 40);
    json_t *pol = json_object_get(body, "policy");
    if (pol && !json_is_object(pol))
        input_error(in, "policy", false, "policy must be an object");
    else if (pol)
        policy_parse(in, pol, p);
}

void staff_clinic_patch(struct req *r)
{
    const struct auth *a = &r->actor;
    struct input in;
    input_init(&in, r);
    json_t *body = staff_body(&in, clinic_patch_fields);
    struct clinic_patch p;
    if (body)
        clinic_patch_parse(&in, body, &p);
    if (!input_ok(&in)) {
        input_reply(&in);
        json_decref(body);
        return;
    }
    struct audit_entry e;
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), "update_clinic", "clinic", staff_clinic(r),
                     false, "success", json_incref(body));
    enum db_status st = store_clinic_update(&r->db, staff_clinic(r), &p, &e);
    audit_entry_release(&e);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (staff_index_follow(r))
        reply_clinic(r);
    json_decref(body);
}

/* --- the audit log --------------------------------------------------------------- */

/* ?limit=, ?cursor= (an id of the log) and ?patient_data= of the log's pages. */
struct audit_query {
    long limit;
    const char *before;      /* the cursor as a number's text, NULL for the newest */
    const char *patient;     /* "true", "false" or NULL for both */
    char before_s[24];
};

/* False after replying the problems. */
static bool audit_query_parse(struct req *r, struct audit_query *q)
{
    struct input in;
    input_init(&in, r);
    long before;
    bool patient = false;
    q->limit = 50;
    q_long(&in, "limit", 1, 200, &q->limit);
    const char *cursor = q_str(&in, "cursor", 24);
    q->before = NULL;
    if (cursor && parse_long(cursor, 1, 9223372036854775807L, &before) != 0)
        input_error(&in, "cursor", false, "cursor is not one this list produced");
    else if (cursor) {
        snprintf(q->before_s, sizeof(q->before_s), "%ld", before);
        q->before = q->before_s;
    }
    q->patient = q_bool(&in, "patient_data", &patient) ? (patient ? "true" : "false") : NULL;
    if (input_ok(&in))
        return true;
    input_reply(&in);
    return false;
}

void staff_audit_log(struct req *r)
{
    struct audit_query q;
    /* The log names staff by e-mail and shows who read which patient's data: the
     * route's rule (ACCESS_STAFF_AUDIT) asks an API key for the audit scope (read alone
     * is not enough), people for an admin's role. */
    if (!audit_query_parse(r, &q))
        return;
    struct staff_page page;
    enum db_status st =
        store_audit_list(&r->db, staff_clinic(r), q.before, q.limit, q.patient, &page);
    reply_json_text(r, st, 200, page.json, page.len);
}
