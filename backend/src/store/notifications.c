/* The clinic's undelivered mail. */
#include "store/notifications.h"

#include <stdio.h>

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

enum db_status store_notifications_list(struct db_session *s, const char *clinic_id,
                                        const char *status, const char *practitioner_id,
                                        const char *after_at, const char *after_id, long limit,
                                        struct staff_page *out)
{
    char lim[STAFF_PAGE_LIMIT_TEXT];
    staff_page_limit(limit, lim);
    const char *v[] = {clinic_id, status, practitioner_id, after_at, after_id, lim};
    return staff_page_query(s, &st_list, v, limit, status[0], 1, 2, out);
}

struct resend {
    const char *const *v;
    const struct audit_entry *e;
    char *status;
};

static enum db_status resend_work(struct db_session *s, void *ctx)
{
    struct resend *w = ctx;
    PGresult *res;
    w->status[0] = '\0';
    enum db_status rc = db_query(s, &st_resend, w->v, &res);
    if (rc != DB_OK)
        return rc;
    bool done = PQntuples(res) == 1;
    PQclear(res);
    if (done)
        return store_audit_append(s, w->e);
    rc = db_query(s, &st_status, w->v, &res);
    if (rc != DB_OK)
        return rc;
    rc = PQntuples(res) == 0 ? DB_NOT_FOUND : DB_CONFLICT;
    if (rc == DB_CONFLICT)
        snprintf(w->status, 16, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

enum db_status store_notifications_resend(struct db_session *s, const char *clinic_id,
                                          const char *id, const char *practitioner_id,
                                          const struct audit_entry *e, char *status)
{
    const char *v[] = {id, clinic_id, practitioner_id};
    struct resend w = {v, e, status};
    return db_tx(s, resend_work, &w);
}
