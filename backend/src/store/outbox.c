/* The notification outbox's transitions, on the worker's own connection. */
#include "store/outbox.h"

#include <stdio.h>
#include <stdlib.h>

#include "util/alloc.h"

static const char *const sql_record_sent =
    "UPDATE notifications SET status = 'sent', sent_at = now(), lease_until = NULL,"
    " lease_token = NULL, last_error = NULL, failed_at = NULL, message_id = $2,"
    " payload = payload - 'manage_token_sealed'"
    " WHERE id = ANY($1::uuid[]) AND status <> 'sent'";

/* A failed transfer: back to the queue after the backoff, or failed for good when the
 * refusal is permanent or the attempts are used up; only while the lease is ours. */
static const char *const sql_record_failure =
    "UPDATE notifications SET lease_until = NULL, lease_token = NULL,"
    " status = CASE WHEN $4::bool OR attempts >= $6::int THEN 'failed' ELSE 'pending' END,"
    " failed_at = CASE WHEN $4::bool OR attempts >= $6::int THEN now() END,"
    " last_error = CASE WHEN NOT $4::bool AND attempts >= $6::int"
    "   THEN 'gave up after ' || attempts || ' attempts; the last: ' || $3 ELSE $3 END,"
    " next_attempt_at = now() + make_interval(secs => $5::int)"
    " WHERE id = ANY($1::uuid[]) AND lease_token = $2::uuid AND status = 'sending'";

/* Rows of a token back to the queue, as they were (their attempts not counted again). */
static const char *const sql_release =
    "UPDATE notifications SET status = 'pending', lease_until = NULL, lease_token = NULL"
    " WHERE lease_token = $1::uuid AND status = 'sending'";

/* Leases that ran out: the worker was killed or cut off.  Back to the queue with the
 * attempts kept; failed only when those were all used (the last one interrupted). */
static const char *const sql_reap =
    "UPDATE notifications SET lease_until = NULL, lease_token = NULL, next_attempt_at = now(),"
    " status = CASE WHEN attempts >= $1::int THEN 'failed' ELSE 'pending' END,"
    " failed_at = CASE WHEN attempts >= $1::int THEN now() END,"
    " last_error = CASE WHEN attempts >= $1::int THEN 'gave up after ' || attempts ||"
    "   ' attempts; the last was interrupted (its worker stopped or lost the database)'"
    "   ELSE 'a delivery was interrupted (its worker stopped or lost the database); queued again'"
    " END"
    " WHERE status = 'sending' AND lease_until < now() RETURNING status";

static const char *const sql_claim =
    "WITH due AS (SELECT id FROM notifications WHERE status = 'pending'"
    " AND next_attempt_at <= now() ORDER BY next_attempt_at, id"
    " LIMIT 10 FOR UPDATE SKIP LOCKED)"
    " UPDATE notifications n SET status = 'sending', lease_token = $1::uuid,"
    " lease_until = now() + make_interval(secs => $2::int)"
    " FROM due WHERE n.id = due.id";

/* More due rows of one person, under the same token (to be folded). */
static const char *const sql_gather =
    "WITH due AS (SELECT id FROM notifications WHERE status = 'pending'"
    " AND next_attempt_at <= now() AND contact_key = $3 ORDER BY next_attempt_at, id"
    " LIMIT $4::int FOR UPDATE SKIP LOCKED)"
    " UPDATE notifications n SET status = 'sending', lease_token = $1::uuid,"
    " lease_until = now() + make_interval(secs => $2::int)"
    " FROM due WHERE n.id = due.id";

#define PERSON "coalesce(contact_key, lower(recipient::text))"

/* The token's rows, oldest first, with the person each is for and the address. */
static const char *const sql_held =
    "SELECT id, " PERSON ", lower(recipient::text) FROM notifications"
    " WHERE lease_token = $1::uuid AND status = 'sending'"
    " ORDER BY next_attempt_at, created_at, id";

/* Mails to one person in the last hour, and the seconds until the oldest leaves it. */
static const char *const sql_budget =
    "SELECT count(DISTINCT coalesce(message_id, id::text)),"
    " ceil(extract(epoch FROM min(sent_at) + interval '1 hour' - now()))::bigint"
    " FROM notifications WHERE contact_key = $1 AND status = 'sent'"
    " AND sent_at > now() - interval '1 hour'";

static const char *const sql_defer =
    "UPDATE notifications SET status = 'pending', lease_until = NULL, lease_token = NULL,"
    " next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => $3::int)),"
    " last_error = $4"
    " WHERE lease_token = $1::uuid AND status = 'sending' AND " PERSON " = $2";

/* Right before a transfer: the rows are still this pass's; the lease is extended and
 * the attempt counted. */
static const char *const sql_refresh =
    "UPDATE notifications SET lease_until = now() + make_interval(secs => $3::int),"
    " attempts = attempts + 1"
    " WHERE id = ANY($1::uuid[]) AND lease_token = $2::uuid AND status = 'sending'"
    " RETURNING id, attempts";

static const char *const sql_lock_person =
    "SELECT pg_try_advisory_lock(hashtextextended('clinicd.mail:' || $1, 0))";
static const char *const sql_unlock_person =
    "SELECT pg_advisory_unlock(hashtextextended('clinicd.mail:' || $1, 0))";

/* What a notification's mail says: the snapshot its row was written with (migration
 * 0016), never the booking as it is now.  A row without one is not found. */
static const char *const sql_detail =
    "SELECT s->>'patient_name', s->>'practitioner_name', s->>'service_name',"
    " s->>'clinic_name', s->>'clinic_phone', s->>'address', s->>'tz',"
    " (s->>'start')::bigint, (s->>'end')::bigint, (s->>'cancel_hours')::int,"
    " coalesce((s->>'sequence')::int, 0), coalesce(n.booking_id::text, s->>'booking_id'),"
    " CASE WHEN n.waitlist_id IS NOT NULL THEN s->>'practitioner_id' END,"
    " coalesce(s->>'country', ''), coalesce((s->>'at')::bigint, 0),"
    " n.kind, n.recipient::text, n.payload::text, n.dedupe_key, coalesce(s->>'status', ''),"
    " coalesce(s->>'patient_tz', '')"
    " FROM notifications n CROSS JOIN LATERAL (SELECT n.payload->'snapshot' AS s) x"
    " WHERE n.id = $1::uuid AND jsonb_typeof(s) = 'object'";
enum { D_COUNTRY = 13, D_STAMP, D_KIND, D_RECIPIENT, D_PAYLOAD, D_DEDUPE, D_STATUS, D_PATIENT_TZ };

/* Reminders: each clinic's reminder_hours before a session (NULL: the worker's). */
static const char *const sql_reminders =
    "INSERT INTO notifications (clinic_id, kind, booking_id, recipient, dedupe_key)"
    " SELECT b.clinic_id, 'reminder', b.id, b.patient_email, 'reminder:' || b.id ||"
    " ':' || extract(epoch FROM lower(b.during))::bigint"
    " FROM bookings b JOIN clinics c ON c.id = b.clinic_id"
    " WHERE b.status = 'booked' AND lower(b.during) > now() + interval '1 hour'"
    " AND lower(b.during) <= now() + make_interval(hours => coalesce(c.reminder_hours, $1::int))"
    " AND b.created_at < now() - interval '1 hour'"
    " ON CONFLICT (dedupe_key) DO NOTHING";

/* "This week": at each location whose clinic sends it (week_mail_hour), once it is
 * Monday at that hour or later there ($1, or now() when NULL), one row per plan with a
 * session booked there from then to the same time next Monday, once per plan and ISO
 * week.  A plan made after that Monday's hour got its dates in its confirmation. */
static const char *const sql_week =
    "WITH clock AS (SELECT coalesce($1::timestamptz, now()) AS t),"
    " places AS (SELECT l.id AS location_id, l.clinic_id,"
    "   (date_trunc('day', clock.t AT TIME ZONE l.timezone)"
    "     + make_interval(hours => c.week_mail_hour)) AT TIME ZONE l.timezone AS due,"
    "   to_char(clock.t AT TIME ZONE l.timezone, 'IYYY-\"W\"IW') AS week"
    "   FROM locations l JOIN clinics c ON c.id = l.clinic_id, clock"
    "   WHERE c.week_mail_hour IS NOT NULL"
    "   AND extract(isodow FROM clock.t AT TIME ZONE l.timezone) = 1"
    "   AND extract(hour FROM clock.t AT TIME ZONE l.timezone) >= c.week_mail_hour),"
    " plans AS (SELECT DISTINCT ON (b.series_id) b.series_id, b.clinic_id, b.patient_email,"
    "   p.due, p.week FROM places p JOIN bookings b ON b.clinic_id = p.clinic_id"
    "   AND b.location_id = p.location_id, clock"
    "   WHERE b.series_id IS NOT NULL AND b.status = 'booked' AND lower(b.during) > clock.t"
    "   AND lower(b.during) < p.due + interval '7 days'"
    "   ORDER BY b.series_id, lower(b.during))"
    " INSERT INTO notifications (clinic_id, kind, series_id, recipient, payload, dedupe_key)"
    " SELECT x.clinic_id, 'week_ahead', x.series_id, x.patient_email,"
    "   jsonb_build_object('series_id', x.series_id, 'week_from', extract(epoch FROM clock.t)::bigint,"
    "   'week_to', extract(epoch FROM x.due + interval '7 days')::bigint),"
    "   'week_ahead:' || x.series_id || ':' || x.week"
    " FROM plans x JOIN booking_series s ON s.id = x.series_id, clock"
    " WHERE s.created_at < x.due"
    " ON CONFLICT (dedupe_key) DO NOTHING";

/* Of ids (held by token), the reminders whose booking is no longer booked at the
 * snapshot's start, and the week mails whose plan has no session left in the week:
 * skipped, with why; their ids. */
static const char *const sql_skip_stale =
    "WITH stale AS (SELECT n.id, CASE"
    "   WHEN n.kind = 'week_ahead' THEN 'not sent: no session of the plan is booked in that"
    " week any more'"
    "   WHEN b.status IS DISTINCT FROM 'booked' THEN 'not sent: the booking was '"
    "     || coalesce(b.status, 'removed') || ' after this reminder was queued'"
    "   ELSE 'not sent: the booking was moved after this reminder was queued (its new time"
    " gets its own reminder)' END AS why"
    "   FROM notifications n LEFT JOIN bookings b ON b.id = n.booking_id"
    "   WHERE n.id = ANY($1::uuid[]) AND n.lease_token = $2::uuid AND n.status = 'sending'"
    "   AND ((n.kind = 'reminder' AND (b.status IS DISTINCT FROM 'booked'"
    "       OR extract(epoch FROM lower(b.during))::bigint"
    "          IS DISTINCT FROM (n.payload->'snapshot'->>'start')::bigint))"
    "     OR (n.kind = 'week_ahead' AND NOT EXISTS (SELECT 1 FROM bookings x"
    "       WHERE x.series_id = n.series_id AND x.status = 'booked' AND lower(x.during) > now()"
    "       AND extract(epoch FROM lower(x.during)) < (n.payload->>'week_to')::bigint))))"
    " UPDATE notifications n SET status = 'skipped', lease_until = NULL, lease_token = NULL,"
    " failed_at = NULL, last_error = stale.why FROM stale WHERE n.id = stale.id RETURNING n.id";

static enum db_status run(struct db_direct *d, const char *sql, int n, const char *const *v)
{
    return db_direct_exec(d, sql, n, v, NULL);
}

enum db_status store_outbox_schedule_reminders(struct db_direct *d, long hours)
{
    char h[24];
    snprintf(h, sizeof(h), "%ld", hours);
    const char *v[] = {h};
    return run(d, sql_reminders, 1, v);
}

enum db_status store_outbox_schedule_week(struct db_direct *d, const char *now)
{
    const char *v[] = {now};
    return run(d, sql_week, 1, v);
}

enum db_status store_outbox_reap(struct db_direct *d, int max_attempts, int *reaped)
{
    char max[24];
    snprintf(max, sizeof(max), "%d", max_attempts);
    const char *v[] = {max};
    PGresult *res;
    enum db_status st = db_direct_exec(d, sql_reap, 1, v, &res);
    *reaped = st == DB_OK ? PQntuples(res) : 0;
    PQclear(res);
    return st;
}

enum db_status store_outbox_claim(struct db_direct *d, const char *token, long lease_s,
                                  int *claimed)
{
    char lease[24];
    snprintf(lease, sizeof(lease), "%ld", lease_s);
    const char *v[] = {token, lease};
    PGresult *res;
    enum db_status st = db_direct_exec(d, sql_claim, 2, v, &res);
    *claimed = st == DB_OK ? (int)strtol(PQcmdTuples(res), NULL, 10) : 0;
    PQclear(res);
    return st;
}

enum db_status store_outbox_gather(struct db_direct *d, const char *token, long lease_s,
                                   const char *person, long limit)
{
    char lease[24], more[24];
    snprintf(lease, sizeof(lease), "%ld", lease_s);
    snprintf(more, sizeof(more), "%ld", limit);
    const char *v[] = {token, lease, person, more};
    return run(d, sql_gather, 4, v);
}

/* How a statement's rows are read: into a new array of n + 1 zeroed elements of size
 * bytes (the caller frees it), element i from row i by fill. */
struct rows_reader {
    size_t size;
    void (*fill)(PGresult *res, int i, void *element);
    void *rows;
    int n;
};

/* Runs sql with the values v[0..nv) and reads its rows through r (left empty unless DB_OK). */
static enum db_status read_rows(struct db_direct *d, const char *sql, int nv,
                                const char *const *v, struct rows_reader *r)
{
    PGresult *res;
    enum db_status st = db_direct_exec(d, sql, nv, v, &res);
    if (st == DB_OK) {
        r->n = PQntuples(res);
        r->rows = xcalloc((size_t)r->n + 1, r->size);
        for (int i = 0; i < r->n; i++)
            r->fill(res, i, (char *)r->rows + (size_t)i * r->size);
    }
    PQclear(res);
    return st;
}

static void held_row(PGresult *res, int i, void *element)
{
    struct outbox_held_row *row = element;
    snprintf(row->id, sizeof(row->id), "%s", PQgetvalue(res, i, 0));
    row->person = xstrdup(PQgetvalue(res, i, 1));
    row->addr = xstrdup(PQgetvalue(res, i, 2));
}

enum db_status store_outbox_held(struct db_direct *d, const char *token, struct outbox_held *out)
{
    const char *v[] = {token};
    struct rows_reader r = {.size = sizeof(*out->rows), .fill = held_row};
    enum db_status st = read_rows(d, sql_held, 1, v, &r);
    *out = (struct outbox_held){.n = r.n, .rows = r.rows};
    return st;
}

void outbox_held_release(struct outbox_held *h)
{
    for (int i = 0; i < h->n; i++) {
        free(h->rows[i].person);
        free(h->rows[i].addr);
    }
    free(h->rows);
    *h = (struct outbox_held){0};
}

enum db_status store_outbox_budget(struct db_direct *d, const char *person,
                                   struct outbox_budget *out)
{
    const char *v[] = {person};
    PGresult *res;
    *out = (struct outbox_budget){0};
    enum db_status st = db_direct_exec(d, sql_budget, 1, v, &res);
    if (st != DB_OK)
        return st;
    out->sent = strtol(PQgetvalue(res, 0, 0), NULL, 10);
    out->has_wait = !PQgetisnull(res, 0, 1);
    out->wait_s = out->has_wait ? strtol(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    PQclear(res);
    return DB_OK;
}

enum db_status store_outbox_defer(struct db_direct *d, const char *token, const char *person,
                                  long delay_s, const char *why)
{
    char secs[24];
    snprintf(secs, sizeof(secs), "%ld", delay_s);
    const char *v[] = {token, person, secs, why};
    return run(d, sql_defer, 4, v);
}

enum db_status store_outbox_lock_person(struct db_direct *d, const char *person, bool *locked)
{
    const char *v[] = {person};
    PGresult *res;
    enum db_status st = db_direct_exec(d, sql_lock_person, 1, v, &res);
    *locked = st == DB_OK && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return st;
}

enum db_status store_outbox_unlock_person(struct db_direct *d, const char *person)
{
    const char *v[] = {person};
    return run(d, sql_unlock_person, 1, v);
}

static void attempt_row(PGresult *res, int i, void *element)
{
    struct outbox_attempt *row = element;
    snprintf(row->id, sizeof(row->id), "%s", PQgetvalue(res, i, 0));
    row->attempts = (int)strtol(PQgetvalue(res, i, 1), NULL, 10);
}

enum db_status store_outbox_refresh(struct db_direct *d, const char *ids, const char *token,
                                    long lease_s, struct outbox_attempts *out)
{
    char lease[24];
    snprintf(lease, sizeof(lease), "%ld", lease_s);
    const char *v[] = {ids, token, lease};
    struct rows_reader r = {.size = sizeof(*out->rows), .fill = attempt_row};
    enum db_status st = read_rows(d, sql_refresh, 3, v, &r);
    *out = (struct outbox_attempts){.n = r.n, .rows = r.rows};
    return st;
}

static void skipped_row(PGresult *res, int i, void *element)
{
    struct outbox_attempt *row = element;
    snprintf(row->id, sizeof(row->id), "%s", PQgetvalue(res, i, 0));
}

enum db_status store_outbox_skip_stale(struct db_direct *d, const char *ids, const char *token,
                                       struct outbox_attempts *out)
{
    const char *v[] = {ids, token};
    struct rows_reader r = {.size = sizeof(*out->rows), .fill = skipped_row};
    enum db_status st = read_rows(d, sql_skip_stale, 2, v, &r);
    *out = (struct outbox_attempts){.n = r.n, .rows = r.rows};
    return st;
}

/* Column col of row 0: its text ("" when NULL), or NULL when nullable and NULL. */
static char *column(PGresult *res, int col, bool nullable)
{
    return nullable && PQgetisnull(res, 0, col) ? NULL : xstrdup(PQgetvalue(res, 0, col));
}

enum db_status store_outbox_detail(struct db_direct *d, const char *id, struct outbox_detail *out)
{
    const char *v[] = {id};
    PGresult *res;
    *out = (struct outbox_detail){0};
    enum db_status st = db_direct_exec(d, sql_detail, 1, v, &res);
    if (st != DB_OK)
        return st;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return DB_NOT_FOUND;
    }
    *out = (struct outbox_detail){
        .patient_name = column(res, 0, false),
        .practitioner_name = column(res, 1, false),
        .service_name = column(res, 2, false),
        .clinic_name = column(res, 3, false),
        .clinic_phone = column(res, 4, true),
        .address = column(res, 5, false),
        .tz = column(res, 6, false),
        .start = strtoll(PQgetvalue(res, 0, 7), NULL, 10),
        .end = strtoll(PQgetvalue(res, 0, 8), NULL, 10),
        .cancel_hours = (int)strtol(PQgetvalue(res, 0, 9), NULL, 10),
        .sequence = (int)strtol(PQgetvalue(res, 0, 10), NULL, 10),
        .booking_id = column(res, 11, true),
        .practitioner_id = column(res, 12, true),
        .country = column(res, D_COUNTRY, false),
        .stamp = strtoll(PQgetvalue(res, 0, D_STAMP), NULL, 10),
        .status = column(res, D_STATUS, false),
        .patient_tz = column(res, D_PATIENT_TZ, false),
        .kind = column(res, D_KIND, false),
        .recipient = column(res, D_RECIPIENT, false),
        .payload = column(res, D_PAYLOAD, false),
        .dedupe_key = column(res, D_DEDUPE, false),
    };
    PQclear(res);
    return DB_OK;
}

void outbox_detail_release(struct outbox_detail *o)
{
    char *all[] = {o->patient_name, o->practitioner_name, o->service_name, o->clinic_name,
                   o->clinic_phone, o->address, o->tz, o->booking_id, o->practitioner_id,
                   o->country, o->status, o->patient_tz, o->kind, o->recipient, o->payload, o->dedupe_key};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        free(all[i]);
    *o = (struct outbox_detail){0};
}

enum db_status store_outbox_record_sent(struct db_direct *d, const char *ids,
                                        const char *message_id)
{
    const char *v[] = {ids, message_id};
    return run(d, sql_record_sent, 2, v);
}

enum db_status store_outbox_record_failure(struct db_direct *d, const char *ids,
                                           const char *token, const struct outbox_failure *f)
{
    char backoff[24], max[24];
    snprintf(backoff, sizeof(backoff), "%d", f->backoff_s);
    snprintf(max, sizeof(max), "%d", f->max_attempts);
    const char *v[] = {ids, token, f->error, f->permanent ? "true" : "false", backoff, max};
    return run(d, sql_record_failure, 6, v);
}

enum db_status store_outbox_release(struct db_direct *d, const char *token)
{
    const char *v[] = {token};
    return run(d, sql_release, 1, v);
}
