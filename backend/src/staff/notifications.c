/* The clinic's mail that could not be delivered (issue 12): the notifications that
 * failed for good (a permanent refusal, or every attempt used), with the mail server's
 * reason, and those still waiting; and sending a failed one again.
 *
 *   GET  /api/v1/clinics/{clinic_id}/notifications?status=failed|pending|skipped&limit=&cursor=
 *   POST /api/v1/clinics/{clinic_id}/notifications/{id}/resend
 *
 * The recipient is patient data: the list needs the patient-data scope and every read
 * is written to the audit log, as is every resend.  A practitioner sees and resends
 * only what is about their own bookings and waitlist entries; another clinic's
 * notifications do not exist (404). */
#include "staff/notifications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/access.h"
#include "api/audit.h"
#include "api/handlers.h"
#include "staff/replies.h"
#include "store/notifications.h"
#include "util/parse.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

/* A practitioner's own only; NULL for admins and API keys. */
static const char *only_practitioner(const struct auth *a)
{
    return strcmp(a->role, "practitioner") == 0 ? a->practitioner_id : NULL;
}

bool notifications_query_parse(struct input *in, struct notifications_query *q)
{
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    only_params(in, allowed);
    q->status = q_str(in, "status", 20);
    if (!q->status)
        q->status = "failed";
    else if (strcmp(q->status, "failed") != 0 && strcmp(q->status, "pending") != 0 &&
             strcmp(q->status, "skipped") != 0)
        input_error(in, "status", false, "status must be failed, pending or skipped");
    q->limit = PAGE_DEFAULT;
    q_long(in, "limit", 1, PAGE_MAX, &q->limit);
    memset(&q->after, 0, sizeof(q->after));
    const char *cur = q_str(in, "cursor", CURSOR_MAX_TEXT);
    q->has_cursor = cur != NULL;
    char kind = q->status[0]; /* a cursor belongs to one list */
    if (cur && (cursor_decode(cur, &q->after) < 0 || q->after.kind != kind))
        input_error(in, "cursor", false,
                    "cursor is not one this list produced; start again without it");
    return input_ok(in);
}

void staff_notifications_list(struct req *r)
{
    const struct auth *a = &r->actor;
    struct input in;
    input_init(&in, r);
    struct notifications_query q;
    if (!notifications_query_parse(&in, &q)) {
        input_reply(&in);
        return;
    }
    struct staff_page page = {0};
    enum db_status st = store_notifications_list(
        &r->db, staff_clinic(r), q.status, only_practitioner(a), q.has_cursor ? q.after.key : NULL,
        q.has_cursor ? q.after.id : NULL, q.limit, &page);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    json_t *detail = json_pack("{s:s, s:i}", "status", q.status, "count", page.count);
    if (audit(r, a, NULL, staff_clinic(r), "read_notifications", "notification", NULL, true,
              "success", detail))
        reply_owned(r, 200, "application/json", page.json, page.len);
    else
        free(page.json);
}

void staff_notifications_resend(struct req *r)
{
    const struct auth *a = &r->actor;
    const char *id;
    if (!(id = staff_route_id(r)))
        return;
    struct audit_entry e;
    char status[16];
    audit_entry_make(&e, r, a, NULL, staff_clinic(r), "resend_notification", "notification", id,
                     true, "success", NULL);
    enum db_status st =
        store_notifications_resend(&r->db, staff_clinic(r), id, only_practitioner(a), &e, status);
    audit_entry_release(&e);
    char d[160];
    snprintf(d, sizeof(d), "Only a failed notification can be sent again; this one is %s.",
             status);
    if (st == DB_CONFLICT && status[0])
        reply_problem(r, 409, "not-failed", "Not failed", d, NULL);
    else if (st != DB_OK)
        reply_failure(r, st);
    else
        reply_json(r, 202, json_pack("{s:s, s:s}", "id", id, "status", "pending"));
}
