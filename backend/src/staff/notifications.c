/* The clinic's mail that could not be delivered (issue 12): the notifications that
 * failed for good (a permanent refusal, or every attempt used), with the mail server's
 * reason, and those still waiting; and sending a failed one again.
 *
 *   GET  /api/v1/clinics/{clinic_id}/notifications?status=failed|pending&limit=&cursor=
 *   POST /api/v1/clinics/{clinic_id}/notifications/{id}/resend
 *
 * The recipient is patient data: the list needs the patient-data scope and every read
 * is written to the audit log, as is every resend.  A practitioner sees and resends
 * only what is about their own bookings and waitlist entries; another clinic's
 * notifications do not exist (404). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staff/handlers.h"
#include "api/access.h"
#include "domain/cursor.h"
#include "util/parse.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 200

/* Whose notification it is: the practitioner of its booking, series or waitlist entry. */
#define ABOUT                                                                             \
    " FROM notifications n"                                                               \
    " LEFT JOIN bookings b ON b.id = n.booking_id"                                        \
    " LEFT JOIN booking_series s ON s.id = n.series_id"                                   \
    " LEFT JOIN waitlist_entries w ON w.id = n.waitlist_id"                               \
    " LEFT JOIN LATERAL (SELECT x.patient_name, lower(x.during) AS start FROM bookings x"  \
    "   WHERE x.series_id = n.series_id ORDER BY lower(x.during) LIMIT 1) sf ON true"
#define PRACTITIONER "coalesce(b.practitioner_id, s.practitioner_id, w.practitioner_id)"

DB_STMT(st_list,
        "SELECT json_build_object('id', n.id, 'kind', n.kind, 'status', n.status,"
        " 'recipient', n.recipient, 'patient_name', coalesce(b.patient_name, sf.patient_name,"
        "   w.patient_name),"
        " 'booking_id', n.booking_id, 'series_id', n.series_id, 'waitlist_id', n.waitlist_id,"
        " 'practitioner_id', " PRACTITIONER ","
        " 'session_start', coalesce(lower(b.during), sf.start, w.offered_start),"
        " 'attempts', n.attempts, 'reason', n.last_error, 'created_at', n.created_at,"
        " 'failed_at', n.failed_at,"
        " 'next_attempt_at', CASE WHEN n.status = 'pending' THEN n.next_attempt_at END)::text,"
        " n.created_at::text, n.id" ABOUT
        " WHERE n.clinic_id = $1::uuid AND n.status = $2"
        " AND ($3::uuid IS NULL OR " PRACTITIONER " = $3::uuid)"
        " AND ($4::timestamptz IS NULL OR (n.created_at, n.id) < ($4::timestamptz, $5::uuid))"
        " ORDER BY n.created_at DESC, n.id DESC LIMIT $6::int",
        6);

/* A failed notification back in the queue, with a fresh budget of attempts. */
DB_STMT(st_resend,
        "UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = now(),"
        " failed_at = NULL, lease_until = NULL, lease_token = NULL,"
        " last_error = 'sent again by the clinic after: ' || coalesce(last_error, 'a failure')"
        " WHERE id = $1::uuid AND clinic_id = $2::uuid AND status = 'failed'"
        " AND ($3::uuid IS NULL OR id IN (SELECT n.id" ABOUT
        "   WHERE n.id = $1::uuid AND " PRACTITIONER " = $3::uuid))"
        " RETURNING id",
        3);

DB_STMT(st_status,
        "SELECT n.status" ABOUT
        " WHERE n.id = $1::uuid AND n.clinic_id = $2::uuid"
        " AND ($3::uuid IS NULL OR " PRACTITIONER " = $3::uuid)",
        3);

/* A practitioner's own only; NULL for admins and API keys. */
static const char *only_practitioner(const struct auth *a)
{
    return strcmp(a->role, "practitioner") == 0 ? a->practitioner_id : NULL;
}

void staff_notifications_list(struct req *r)
{
    struct auth a;
    struct input in;
    input_init(&in, r);
    if (!staff_enter(r, &a, STAFF_READ) || !auth_scope(r, &a, SCOPE_PATIENT_DATA)) {
        input_release(&in);
        return;
    }
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    only_params(&in, allowed);
    const char *status = q_str(&in, "status", 20);
    if (!status)
        status = "failed";
    else if (strcmp(status, "failed") != 0 && strcmp(status, "pending") != 0)
        input_error(&in, "status", false, "status must be failed or pending");
    long limit = PAGE_DEFAULT;
    q_long(&in, "limit", 1, PAGE_MAX, &limit);
    struct cursor c = {0};
    const char *cur = q_str(&in, "cursor", CURSOR_MAX_TEXT);
    char kind = status[0]; /* a cursor belongs to one list */
    if (cur && (cursor_decode(cur, &c) < 0 || c.kind != kind))
        input_error(&in, "cursor", false,
                    "cursor is not one this list produced; start again without it");
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    char lim[24];
    snprintf(lim, sizeof(lim), "%ld", limit + 1);
    const char *v[] = {staff_clinic(r), status, only_practitioner(&a), cur ? c.key : NULL,
                       cur ? c.id : NULL, lim};
    PGresult *res = api_query(r, &st_list, v);
    if (!res)
        return;
    char next[CURSOR_MAX_TEXT];
    int n = page_cut(res, limit, kind, 1, 2, next);
    json_t *detail = json_pack("{s:s, s:i}", "status", status, "count", n);
    if (audit(r, &a, NULL, staff_clinic(r), "read_notifications", "notification", NULL, true,
              "success", detail))
        reply_items(r, res, n, 0, next[0] ? next : NULL);
    PQclear(res);
}

void staff_notifications_resend(struct req *r)
{
    struct auth a;
    if (!staff_enter(r, &a, STAFF_SELF_WRITE) || !auth_scope(r, &a, SCOPE_PATIENT_DATA))
        return;
    const char *id = req_param(r, 1);
    if (!is_uuid(id)) {
        reply_not_found(r);
        return;
    }
    const char *v[] = {id, staff_clinic(r), only_practitioner(&a)};
    if (!api_begin(r))
        return;
    PGresult *res = api_query(r, &st_resend, v);
    if (!res)
        goto out;
    bool done = PQntuples(res) == 1;
    PQclear(res);
    if (!done) {
        res = api_query(r, &st_status, v);
        if (!res)
            goto out;
        if (PQntuples(res) == 0) {
            reply_not_found(r);
        } else {
            char d[160];
            snprintf(d, sizeof(d), "Only a failed notification can be sent again; this one is %s.",
                     PQgetvalue(res, 0, 0));
            reply_problem(r, 409, "not-failed", "Not failed", d, NULL);
        }
        PQclear(res);
        goto out;
    }
    if (!audit(r, &a, NULL, staff_clinic(r), "resend_notification", "notification", id, true,
               "success", NULL) ||
        !api_commit(r))
        goto out;
    reply_json(r, 202, json_pack("{s:s, s:s}", "id", id, "status", "pending"));
out:
    api_rollback(r);
}
