/* The notification worker: delivers the outbox by SMTP, at least once.
 *
 * Claims: a pass claims up to BATCH due rows (FOR UPDATE SKIP LOCKED, so several
 * workers can run) under a lease and a random lease token of its own.  Right before it
 * sends a row it extends the lease and counts the attempt, by token: a row whose lease
 * ran out and was taken over by another worker is no longer this pass's, and is
 * skipped.  A lease that runs out (its worker was killed, or lost PostgreSQL for longer
 * than the lease) puts the row back in the queue with its attempts kept, so the retry
 * limit still applies; nothing is failed because its worker went away.
 *
 * Recording: a row is marked sent as soon as the server accepted it.  When PostgreSQL
 * cannot be reached at that moment, the ids are kept in memory and recorded first once
 * it is back, before anything is claimed; the rows a pass held when PostgreSQL went
 * away go back to the queue then too (by token), without waiting for the lease.
 *
 * What remains: a worker killed (kill -9, power loss) after the server's 250 and before
 * the UPDATE, or that stays cut off from PostgreSQL past its lease while another worker
 * takes the row, sends that row a second time.  Its Message-ID is derived from the
 * row's dedupe key (or, for a folded mail, from the set of keys), so the copy carries
 * the same Message-ID and mail clients fold the duplicate.
 *
 * Stopping: on SIGTERM the mail being sent gets worker_stop_grace_s to finish, then the
 * transfer is aborted (libcurl's progress callback) and that row goes back to the queue
 * at once; the rows claimed and not started go back with their attempt not counted.
 *
 * Failures: a permanent refusal (5xx to RCPT TO, DATA or the message) fails the row at
 * once with the server's reply; other errors retry with backoff, and the row fails once
 * MAX_ATTEMPTS transfers were tried.  Failed rows are listed for the clinic's staff
 * (api/staff_notifications.c), who can send them again.
 *
 * Per person: at most mail_per_address_per_hour mails go to one contact key in any
 * hour.  Rows past it wait; when more rows to one person are due than the hour has room
 * for, the last mail the hour allows lists all the rest (mail_compose_folded). */
#include "cli/worker.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/mail.h"
#include "domain/seal.h"
#include "cli/smtp.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

#define BATCH 10
#define MAX_ATTEMPTS 8
#define FOLD_MAX 50    /* rows listed in one folded mail, at most */
#define UNRECORDED_MAX 64

static volatile sig_atomic_t stopping;
static struct timespec stop_at; /* when SIGTERM came (CLOCK_MONOTONIC) */

static void on_signal(int sig)
{
    (void)sig;
    if (!stopping)
        clock_gettime(CLOCK_MONOTONIC, &stop_at); /* async-signal-safe */
    stopping = 1;
}

static double since_stop(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - stop_at.tv_sec) + (double)(now.tv_nsec - stop_at.tv_nsec) / 1e9;
}

/* For smtp_send: the mail being sent is aborted once the stop's grace is over. */
static bool stop_due(void *arg)
{
    const struct config *cfg = arg;
    return stopping && since_stop() >= (double)cfg->worker_stop_grace_s;
}

/* --- state kept across passes ----------------------------------------------------- */

struct unrecorded {
    char *ids;        /* a uuid[] literal: the rows the mail carried */
    char *message_id;
};

struct worker {
    const struct config *cfg;
    PGconn *pg;
    char token[37]; /* the current pass's lease token */
    /* sent, but PostgreSQL could not be told: recorded first when it is back */
    struct unrecorded unrecorded[UNRECORDED_MAX];
    int nunrecorded;
    /* a pass cut short by PostgreSQL: its rows go back to the queue when it is back */
    char orphan[37];
    bool have_orphan;
};

static bool backlog(const struct worker *w)
{
    return w->nunrecorded > 0 || w->have_orphan;
}

static PGresult *run(PGconn *pg, const char *sql, int n, const char *const *v)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        log_error("worker: %s", PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* run() for statements whose result is not needed; false on failure. */
static bool exec_ok(PGconn *pg, const char *sql, int n, const char *const *v)
{
    PGresult *res = run(pg, sql, n, v);
    PQclear(res);
    return res != NULL;
}

static void new_token(char out[37])
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* a version 4 UUID */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* A uuid[] literal of n ids. */
static char *id_array(char *const *ids, int n)
{
    struct buf b;
    buf_init(&b, 0);
    buf_putc(&b, '{');
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? "," : "", ids[i]);
    buf_putc(&b, '}');
    size_t len;
    return buf_detach(&b, &len);
}

/* --- statements ------------------------------------------------------------------- */

static const char *sql_record_sent =
    "UPDATE notifications SET status = 'sent', sent_at = now(), lease_until = NULL,"
    " lease_token = NULL, last_error = NULL, failed_at = NULL, message_id = $2,"
    " payload = payload - 'manage_token_sealed'"
    " WHERE id = ANY($1::uuid[]) AND status <> 'sent'";

/* A failed transfer: back to the queue after the backoff, or failed for good when the
 * refusal is permanent or the attempts are used up; only while the lease is ours. */
static const char *sql_record_failure =
    "UPDATE notifications SET lease_until = NULL, lease_token = NULL,"
    " status = CASE WHEN $4::bool OR attempts >= $6::int THEN 'failed' ELSE 'pending' END,"
    " failed_at = CASE WHEN $4::bool OR attempts >= $6::int THEN now() END,"
    " last_error = CASE WHEN NOT $4::bool AND attempts >= $6::int"
    "   THEN 'gave up after ' || attempts || ' attempts; the last: ' || $3 ELSE $3 END,"
    " next_attempt_at = now() + make_interval(secs => $5::int)"
    " WHERE id = ANY($1::uuid[]) AND lease_token = $2::uuid AND status = 'sending'";

/* Rows of a token back to the queue, as they were (their attempts not counted again). */
static const char *sql_release =
    "UPDATE notifications SET status = 'pending', lease_until = NULL, lease_token = NULL"
    " WHERE lease_token = $1::uuid AND status = 'sending'";

/* Leases that ran out: the worker was killed or cut off.  Back to the queue with the
 * attempts kept; failed only when those were all used (the last one interrupted). */
static const char *sql_reap =
    "UPDATE notifications SET lease_until = NULL, lease_token = NULL, next_attempt_at = now(),"
    " status = CASE WHEN attempts >= $1::int THEN 'failed' ELSE 'pending' END,"
    " failed_at = CASE WHEN attempts >= $1::int THEN now() END,"
    " last_error = CASE WHEN attempts >= $1::int THEN 'gave up after ' || attempts ||"
    "   ' attempts; the last was interrupted (its worker stopped or lost the database)'"
    "   ELSE 'a delivery was interrupted (its worker stopped or lost the database); queued again'"
    " END"
    " WHERE status = 'sending' AND lease_until < now() RETURNING status";

static const char *sql_claim =
    "WITH due AS (SELECT id FROM notifications WHERE status = 'pending'"
    " AND next_attempt_at <= now() ORDER BY next_attempt_at, id"
    " LIMIT 10 FOR UPDATE SKIP LOCKED)"
    " UPDATE notifications n SET status = 'sending', lease_token = $1::uuid,"
    " lease_until = now() + make_interval(secs => $2::int)"
    " FROM due WHERE n.id = due.id";

/* More due rows of one person, under the same token (to be folded). */
static const char *sql_gather =
    "WITH due AS (SELECT id FROM notifications WHERE status = 'pending'"
    " AND next_attempt_at <= now() AND contact_key = $3 ORDER BY next_attempt_at, id"
    " LIMIT $4::int FOR UPDATE SKIP LOCKED)"
    " UPDATE notifications n SET status = 'sending', lease_token = $1::uuid,"
    " lease_until = now() + make_interval(secs => $2::int)"
    " FROM due WHERE n.id = due.id";

#define PERSON "coalesce(contact_key, lower(recipient::text))"

/* The token's rows, oldest first, with the person each is for and the address. */
static const char *sql_held =
    "SELECT id, " PERSON ", lower(recipient::text) FROM notifications"
    " WHERE lease_token = $1::uuid AND status = 'sending'"
    " ORDER BY next_attempt_at, created_at, id";

/* Mails to one person in the last hour, and the seconds until the oldest leaves it. */
static const char *sql_budget =
    "SELECT count(DISTINCT coalesce(message_id, id::text)),"
    " ceil(extract(epoch FROM min(sent_at) + interval '1 hour' - now()))::bigint"
    " FROM notifications WHERE contact_key = $1 AND status = 'sent'"
    " AND sent_at > now() - interval '1 hour'";

static const char *sql_defer =
    "UPDATE notifications SET status = 'pending', lease_until = NULL, lease_token = NULL,"
    " next_attempt_at = greatest(next_attempt_at, now() + make_interval(secs => $3::int)),"
    " last_error = $4"
    " WHERE lease_token = $1::uuid AND status = 'sending' AND " PERSON " = $2";

/* Right before a transfer: the rows are still this pass's; the lease is extended and
 * the attempt counted. */
static const char *sql_refresh =
    "UPDATE notifications SET lease_until = now() + make_interval(secs => $3::int),"
    " attempts = attempts + 1"
    " WHERE id = ANY($1::uuid[]) AND lease_token = $2::uuid AND status = 'sending'"
    " RETURNING id, attempts";

static const char *sql_lock_person =
    "SELECT pg_try_advisory_lock(hashtextextended('clinicd.mail:' || $1, 0))";
static const char *sql_unlock_person =
    "SELECT pg_advisory_unlock(hashtextextended('clinicd.mail:' || $1, 0))";

/* Details of the session a notification is about (the first of a series). */
static const char *sql_detail =
    "SELECT coalesce(b.patient_name, w.patient_name), p.name, s.name, c.name, c.phone,"
    " l.address || ', ' || l.city, l.timezone,"
    " extract(epoch FROM coalesce(lower(b.during), w.offered_start))::bigint,"
    " extract(epoch FROM coalesce(upper(b.during), w.offered_start"
    "   + make_interval(mins => s.duration_minutes)))::bigint,"
    " c.cancellation_notice_hours, coalesce(b.reschedule_count, 0), b.id, w.practitioner_id,"
    " w.service_id,"
    " (SELECT string_agg(to_char(lower(x.during) AT TIME ZONE l.timezone,"
    "    'FMDay DD FMMonth YYYY, FMHH24:MI'), E'\\n' ORDER BY lower(x.during))"
    "  FROM bookings x WHERE x.series_id = n.series_id AND x.status = 'booked'),"
    " n.kind, n.recipient::text, n.payload::text, n.dedupe_key"
    " FROM notifications n"
    " LEFT JOIN bookings b ON b.id = coalesce(n.booking_id, (SELECT x.id FROM bookings x"
    "   WHERE x.series_id = n.series_id ORDER BY lower(x.during) LIMIT 1))"
    " LEFT JOIN waitlist_entries w ON w.id = n.waitlist_id"
    " JOIN practitioners p ON p.id = coalesce(b.practitioner_id, w.practitioner_id)"
    " JOIN services s ON s.id = coalesce(b.service_id, w.service_id)"
    " JOIN clinics c ON c.id = n.clinic_id"
    " JOIN LATERAL (SELECT l.* FROM locations l WHERE l.id = b.location_id OR (b.id IS NULL"
    "   AND l.id IN (SELECT location_id FROM practitioner_locations WHERE practitioner_id = p.id))"
    "   ORDER BY l.id LIMIT 1) l ON true"
    " WHERE n.id = $1::uuid";
enum { D_KIND = 15, D_RECIPIENT, D_PAYLOAD, D_DEDUPE };

/* Reminders for sessions starting within the next reminder_hours, once each. */
static bool schedule_reminders(PGconn *pg, long hours)
{
    char h[24];
    snprintf(h, sizeof(h), "%ld", hours);
    const char *v[] = {h};
    return exec_ok(
        pg,
        "INSERT INTO notifications (clinic_id, kind, booking_id, recipient, dedupe_key)"
        " SELECT b.clinic_id, 'reminder', b.id, b.patient_email, 'reminder:' || b.id ||"
        " ':' || extract(epoch FROM lower(b.during))::bigint FROM bookings b"
        " WHERE b.status = 'booked' AND lower(b.during) > now() + interval '1 hour'"
        " AND lower(b.during) <= now() + make_interval(hours => $1::int)"
        " AND b.created_at < now() - interval '1 hour'"
        " ON CONFLICT (dedupe_key) DO NOTHING",
        1, v);
}

/* --- composing ---------------------------------------------------------------------- */

/* One row's mail, ready to compose (its strings point into d and the buffers). */
struct item {
    char id[40];
    PGresult *d;
    json_t *payload;
    char manage[600], book[600], uid[80], msgid[200];
    struct mail m;
};

static void item_release(struct item *it)
{
    PQclear(it->d);
    json_decref(it->payload);
    it->d = NULL;
    it->payload = NULL;
}

enum load { LOADED, GONE, DB_FAILED };

static enum load item_load(struct worker *w, struct item *it)
{
    const struct config *cfg = w->cfg;
    const char *v[] = {it->id};
    it->d = run(w->pg, sql_detail, 1, v);
    if (!it->d)
        return DB_FAILED;
    if (PQntuples(it->d) != 1)
        return GONE;
    PGresult *d = it->d;
    it->payload = json_loads(PQgetvalue(d, 0, D_PAYLOAD), 0, NULL);
    char token[128];
    const char *sealed = json_string_value(json_object_get(it->payload, "manage_token_sealed"));
    const char *subject_id = PQgetisnull(d, 0, 11) ? NULL : PQgetvalue(d, 0, 11);
    bool have_link = sealed && subject_id && unseal_text(sealed, token, sizeof(token));
    if (have_link)
        snprintf(it->manage, sizeof(it->manage), "%s/manage#id=%s&token=%s", cfg->public_base_url,
                 subject_id, token);
    sodium_memzero(token, sizeof(token));
    snprintf(it->book, sizeof(it->book), "%s/practitioners/%s", cfg->public_base_url,
             PQgetisnull(d, 0, 12) ? "" : PQgetvalue(d, 0, 12));
    snprintf(it->uid, sizeof(it->uid), "%s@clinicd", subject_id ? subject_id : it->id);
    /* the dedupe key names the event: a resend keeps the same Message-ID */
    snprintf(it->msgid, sizeof(it->msgid), "%s@clinicd", PQgetvalue(d, 0, D_DEDUPE));
    for (char *p = it->msgid; *p; p++)
        if (*p == ':')
            *p = '.';
    json_t *prev = json_object_get(it->payload, "from_epoch"); /* a number: see bookings.c */
    it->m = (struct mail){
        .kind = PQgetvalue(d, 0, D_KIND),
        .from = cfg->smtp_from,
        .to = PQgetvalue(d, 0, D_RECIPIENT),
        .message_id = it->msgid,
        .patient_name = PQgetvalue(d, 0, 0),
        .practitioner_name = PQgetvalue(d, 0, 1),
        .service_name = PQgetvalue(d, 0, 2),
        .clinic_name = PQgetvalue(d, 0, 3),
        .clinic_phone = PQgetisnull(d, 0, 4) ? NULL : PQgetvalue(d, 0, 4),
        .address = PQgetvalue(d, 0, 5),
        .tz = PQgetvalue(d, 0, 6),
        .start = strtoll(PQgetvalue(d, 0, 7), NULL, 10),
        .end = strtoll(PQgetvalue(d, 0, 8), NULL, 10),
        .previous_start = json_is_integer(prev) ? (int64_t)json_integer_value(prev) : 0,
        .cancel_hours = (int)strtol(PQgetvalue(d, 0, 9), NULL, 10),
        .manage_url = have_link ? it->manage : NULL,
        .book_url = it->book,
        .uid = it->uid,
        .sequence = (int)strtol(PQgetvalue(d, 0, 10), NULL, 10),
        .series_dates = PQgetisnull(d, 0, 14) ? NULL : PQgetvalue(d, 0, 14),
        .now = (int64_t)time(NULL),
    };
    return LOADED;
}

/* A folded mail's Message-ID: the same set of rows gives the same one. */
static void fold_message_id(struct item *const *its, int n, char *out, size_t outlen)
{
    const char **keys = xcalloc((size_t)n, sizeof(*keys));
    for (int i = 0; i < n; i++)
        keys[i] = PQgetvalue(its[i]->d, 0, D_DEDUPE);
    /* sorted, so that the order they were claimed in does not matter */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    crypto_generichash_state st;
    unsigned char h[16];
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    for (int i = 0; i < n; i++)
        crypto_generichash_update(&st, (const unsigned char *)keys[i], strlen(keys[i]) + 1);
    crypto_generichash_final(&st, h, sizeof(h));
    free(keys);
    char hex[sizeof(h) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, outlen, "folded.%s@clinicd", hex);
}

/* --- one mail ------------------------------------------------------------------------ */

/* Marks rows (a uuid[] literal) failed or queued again after a failed transfer. */
static bool record_failure(struct worker *w, const char *ids, const char *error, bool permanent,
                           int backoff_s)
{
    char backoff[24], max[24];
    snprintf(backoff, sizeof(backoff), "%d", backoff_s);
    snprintf(max, sizeof(max), "%d", MAX_ATTEMPTS);
    const char *v[] = {ids, w->token, error, permanent ? "true" : "false", backoff, max};
    return exec_ok(w->pg, sql_record_failure, 6, v);
}

static bool record_sent(struct worker *w, const char *ids, const char *message_id)
{
    const char *v[] = {ids, message_id};
    if (exec_ok(w->pg, sql_record_sent, 2, v))
        return true;
    if (w->nunrecorded < UNRECORDED_MAX) {
        w->unrecorded[w->nunrecorded].ids = xstrdup(ids);
        w->unrecorded[w->nunrecorded].message_id = xstrdup(message_id);
        w->nunrecorded++;
        log_warn("worker: sent %s but could not record it; it is recorded first when the"
                 " database is back",
                 ids);
    } else {
        log_error("worker: sent %s but could not record it, nor keep it to record later", ids);
    }
    return false;
}

/* Sends the rows ids[0..n) as one mail (folded when more than one is still ours).
 * Returns false when PostgreSQL failed (the pass ends). */
static bool send_mail(struct worker *w, char *const *ids, int n)
{
    const struct config *cfg = w->cfg;
    char lease[24];
    snprintf(lease, sizeof(lease), "%ld", cfg->worker_lease_s);
    char *all = id_array(ids, n);
    const char *rv[] = {all, w->token, lease};
    PGresult *mine = run(w->pg, sql_refresh, 3, rv);
    free(all);
    if (!mine)
        return false;
    /* the rows still ours, in the order given */
    struct item *items = xcalloc((size_t)n, sizeof(*items));
    struct item **ok = xcalloc((size_t)n, sizeof(*ok));
    char **ok_ids = xcalloc((size_t)n, sizeof(*ok_ids));
    int nmine = PQntuples(mine), nok = 0, attempts = 0;
    bool db_ok = true;
    for (int i = 0; i < n && db_ok; i++) {
        int at = -1;
        for (int r = 0; r < nmine && at < 0; r++)
            if (strcmp(PQgetvalue(mine, r, 0), ids[i]) == 0)
                at = r;
        if (at < 0) {
            log_info("worker: %s is no longer this worker's (its lease ran out); skipped", ids[i]);
            continue;
        }
        int a = (int)strtol(PQgetvalue(mine, at, 1), NULL, 10);
        attempts = a > attempts ? a : attempts;
        struct item *it = &items[i];
        snprintf(it->id, sizeof(it->id), "%s", ids[i]);
        char *one = id_array(&ids[i], 1);
        enum load l = item_load(w, it);
        if (l == DB_FAILED) {
            db_ok = false;
        } else if (l == GONE) {
            db_ok = record_failure(w, one, "the booking or entry it is about no longer exists",
                                   true, 0);
        } else if (!smtp_plain_address(it->m.to)) {
            db_ok = record_failure(w, one, "the address is not one mail can be sent to", true, 0);
        } else {
            ok[nok] = it;
            ok_ids[nok++] = it->id;
        }
        free(one);
    }
    PQclear(mine);
    if (db_ok && nok > 0) {
        struct buf msg;
        buf_init(&msg, 0);
        char msgid[200];
        int rc;
        if (nok == 1) {
            snprintf(msgid, sizeof(msgid), "%s", ok[0]->msgid);
            rc = mail_compose(&ok[0]->m, &msg);
        } else {
            fold_message_id(ok, nok, msgid, sizeof(msgid));
            struct mail *ms = xcalloc((size_t)nok, sizeof(*ms));
            for (int i = 0; i < nok; i++)
                ms[i] = ok[i]->m;
            rc = mail_compose_folded(ms, (size_t)nok, msgid, &msg);
            free(ms);
        }
        char *these = id_array(ok_ids, nok);
        if (rc != 0) {
            db_ok = record_failure(w, these, "unknown kind of notification", true, 0);
        } else {
            struct smtp_conf sc = {cfg, stop_due, (void *)cfg};
            char err[700];
            enum smtp_outcome o = smtp_send(&sc, ok[0]->m.to, msg.data, msg.len, err, sizeof(err));
            if (o == SMTP_SENT) {
                db_ok = record_sent(w, these, msgid);
                if (nok > 1)
                    log_info("worker: %d notifications went out folded into one mail (%s)", nok,
                             msgid);
            } else {
                if (o == SMTP_PERMANENT)
                    log_warn("worker: the mail server refused %s for good; failed", these);
                else
                    log_warn("worker: delivery of %s failed (attempt %d): %s", these, attempts,
                             o == SMTP_TRANSIENT ? err : "stopped");
                int backoff = o == SMTP_ABORTED ? 0 : 30 << (attempts < 10 ? attempts : 10);
                db_ok = record_failure(w, these, err, o == SMTP_PERMANENT, backoff);
            }
        }
        free(these);
        buf_release(&msg);
    }
    for (int i = 0; i < n; i++)
        item_release(&items[i]);
    free(items);
    free(ok);
    free(ok_ids);
    return db_ok;
}

/* --- one person ---------------------------------------------------------------------- */

struct held {
    int n;
    char **ids;
    char **person;
    char **addr; /* the recipient, without case */
    PGresult *res;
};

static bool load_held(struct worker *w, struct held *h)
{
    const char *v[] = {w->token};
    h->res = run(w->pg, sql_held, 1, v);
    if (!h->res)
        return false;
    h->n = PQntuples(h->res);
    h->ids = xcalloc((size_t)h->n + 1, sizeof(char *));
    h->person = xcalloc((size_t)h->n + 1, sizeof(char *));
    h->addr = xcalloc((size_t)h->n + 1, sizeof(char *));
    for (int i = 0; i < h->n; i++) {
        h->ids[i] = PQgetvalue(h->res, i, 0);
        h->person[i] = PQgetvalue(h->res, i, 1);
        h->addr[i] = PQgetvalue(h->res, i, 2);
    }
    return true;
}

static void held_release(struct held *h)
{
    PQclear(h->res);
    free(h->ids);
    free(h->person);
    free(h->addr);
    memset(h, 0, sizeof(*h));
}

/* What is left of the person's hourly budget, into *left; when nothing is, the rows
 * this pass holds for them wait until the oldest mail of the hour leaves it.  False
 * when PostgreSQL failed. */
static bool budget_left(struct worker *w, const char *person, long limit, long *left)
{
    const char *lv[] = {person};
    PGresult *b = run(w->pg, sql_budget, 1, lv);
    if (!b)
        return false;
    long sent = strtol(PQgetvalue(b, 0, 0), NULL, 10);
    long wait = PQgetisnull(b, 0, 1) ? 60 : strtol(PQgetvalue(b, 0, 1), NULL, 10);
    PQclear(b);
    *left = limit - sent;
    if (*left > 0)
        return true;
    char secs[24], why[160];
    snprintf(secs, sizeof(secs), "%ld", wait < 1 ? 1 : wait);
    snprintf(why, sizeof(why), "waiting: %ld mails went to this address in the last hour (the limit is %ld)",
             sent, limit);
    const char *dv[] = {w->token, person, secs, why};
    return exec_ok(w->pg, sql_defer, 4, dv);
}

/* Sends what is due for one person within their hourly budget.  False when PostgreSQL
 * failed. */
static bool deliver_person(struct worker *w, const char *person)
{
    const struct config *cfg = w->cfg;
    long limit = cfg->mail_per_address_per_hour;
    char lease[24];
    snprintf(lease, sizeof(lease), "%ld", cfg->worker_lease_s);
    long budget = -1; /* no limit */
    bool locked = false, ok = true;
    if (limit > 0) {
        /* one worker at a time decides and sends for a person */
        const char *lv[] = {person};
        PGresult *l = run(w->pg, sql_lock_person, 1, lv);
        if (!l)
            return false;
        locked = strcmp(PQgetvalue(l, 0, 0), "t") == 0;
        PQclear(l);
        if (!locked) {
            const char *dv[] = {w->token, person, "5", "another worker is sending to this address"};
            return exec_ok(w->pg, sql_defer, 4, dv);
        }
        if (!(ok = budget_left(w, person, limit, &budget)))
            goto out;
        if (budget <= 0)
            goto out;
        /* everything due for the person now, so that what is past the budget goes out
         * folded into one mail */
        char more[24];
        snprintf(more, sizeof(more), "%ld", FOLD_MAX + budget);
        const char *gv[] = {w->token, lease, person, more};
        if (!(ok = exec_ok(w->pg, sql_gather, 4, gv)))
            goto out;
    }
    struct held h = {0};
    if (!(ok = load_held(w, &h)))
        goto out;
    char **mine = xcalloc((size_t)h.n + 1, sizeof(char *));
    char **addr = xcalloc((size_t)h.n + 1, sizeof(char *));
    int n = 0;
    for (int i = 0; i < h.n; i++)
        if (strcmp(h.person[i], person) == 0 && n < FOLD_MAX + (budget > 0 ? (int)budget : 0)) {
            addr[n] = h.addr[i];
            mine[n++] = h.ids[i];
        }
    if (n == 0)
        log_info("worker: the rows it claimed for an address are no longer this worker's (its"
                 " lease ran out and another worker took them); skipped");
    /* one mail each within the budget; past it, the budget's last mail lists the rest
     * that go to the same address as its first row.  A person's other spellings of their
     * address ("name+2@") are one person for the limit, but only probably one mailbox:
     * their rows are never folded into another spelling's mail (that would hand one
     * spelling's manage links to the other); they go back to the queue and wait for
     * the hour to allow them. */
    int singles = budget < 0 || n <= budget ? n : (int)budget - 1;
    for (int i = 0; i < singles && ok && !stopping; i++)
        ok = send_mail(w, &mine[i], 1);
    if (ok && !stopping && singles < n) {
        int same = 0;
        for (int i = singles; i < n; i++)
            if (strcmp(addr[i], addr[singles]) == 0)
                mine[singles + same++] = mine[i];
        ok = send_mail(w, &mine[singles], same);
        /* the other spellings' rows: the budget is spent, so they wait */
        long after = 0;
        if (ok && !stopping && singles + same < n)
            ok = budget_left(w, person, limit, &after);
    }
    free(addr);
    free(mine);
    held_release(&h);
out:
    if (locked && PQstatus(w->pg) == CONNECTION_OK) {
        const char *lv[] = {person};
        PQclear(run(w->pg, sql_unlock_person, 1, lv));
    }
    return ok;
}

/* --- passes ---------------------------------------------------------------------------- */

/* What a pass cut short by PostgreSQL left: the mails sent but not recorded, then the
 * rows it held.  False while PostgreSQL still fails. */
static bool settle_backlog(struct worker *w)
{
    while (w->nunrecorded > 0) {
        struct unrecorded *u = &w->unrecorded[w->nunrecorded - 1];
        const char *v[] = {u->ids, u->message_id};
        if (!exec_ok(w->pg, sql_record_sent, 2, v))
            return false;
        log_info("worker: recorded %s as sent, now that the database is back", u->ids);
        free(u->ids);
        free(u->message_id);
        w->nunrecorded--;
    }
    if (w->have_orphan) {
        const char *v[] = {w->orphan};
        if (!exec_ok(w->pg, sql_release, 1, v))
            return false;
        w->have_orphan = false;
    }
    return true;
}

/* One pass; returns how many rows it claimed, -1 when PostgreSQL failed. */
static int pass(struct worker *w)
{
    const struct config *cfg = w->cfg;
    char max[24], lease[24];
    snprintf(max, sizeof(max), "%d", MAX_ATTEMPTS);
    snprintf(lease, sizeof(lease), "%ld", cfg->worker_lease_s);
    if (!schedule_reminders(w->pg, cfg->reminder_hours))
        return -1;
    const char *rv[] = {max};
    PGresult *reaped = run(w->pg, sql_reap, 1, rv);
    if (!reaped)
        return -1;
    if (PQntuples(reaped) > 0)
        log_warn("worker: %d notifications whose worker stopped or lost the database mid-way"
                 " are queued again",
                 PQntuples(reaped));
    PQclear(reaped);

    new_token(w->token);
    snprintf(w->orphan, sizeof(w->orphan), "%s", w->token);
    w->have_orphan = true; /* until the pass ends well */
    const char *cv[] = {w->token, lease};
    PGresult *claimed = run(w->pg, sql_claim, 2, cv);
    if (!claimed)
        return -1;
    int n = (int)strtol(PQcmdTuples(claimed), NULL, 10);
    PQclear(claimed);
    struct held h = {0};
    if (n > 0 && !load_held(w, &h))
        return -1;
    bool ok = true;
    for (int i = 0; i < h.n && ok && !stopping; i++) {
        bool first = true; /* each person once, in the order their oldest row came */
        for (int j = 0; j < i && first; j++)
            first = strcmp(h.person[j], h.person[i]) != 0;
        if (first)
            ok = deliver_person(w, h.person[i]);
    }
    held_release(&h);
    if (!ok)
        return -1;
    /* what was not started (a stop, rows folded elsewhere) goes back as it was */
    const char *v[] = {w->token};
    if (!exec_ok(w->pg, sql_release, 1, v))
        return -1;
    w->have_orphan = false;
    return n;
}

static bool connected(struct worker *w)
{
    if (w->pg && PQstatus(w->pg) == CONNECTION_OK)
        return true;
    if (w->pg)
        PQfinish(w->pg);
    /* bounded, so that a stop is not held up by an unreachable database */
    char timeout[24];
    snprintf(timeout, sizeof(timeout), "%ld", w->cfg->db_connect_timeout_s);
    const char *const keys[] = {"dbname", "connect_timeout", NULL};
    const char *const values[] = {w->cfg->database_url, timeout, NULL};
    w->pg = PQconnectdbParams(keys, values, 1);
    if (PQstatus(w->pg) == CONNECTION_OK)
        return true;
    log_warn("worker: database unavailable: %s", PQerrorMessage(w->pg));
    return false;
}

int worker_cli(int argc, char **argv, const struct config *cfg)
{
    bool once = argc > 1 && strcmp(argv[1], "--once") == 0;
    if (strcmp(cfg->notification_key, "-") != 0 && !seal_set_key_hex(cfg->notification_key)) {
        log_error("config: notification_key: must be 64 hex digits or -");
        return 2;
    }
    if (cfg->smtp_timeout_s + 5 > cfg->worker_lease_s) {
        log_error("config: worker_lease_s (%ld) must exceed smtp_timeout_s (%ld) by 5 seconds or"
                  " more, so that a mail being sent never outlives its lease",
                  cfg->worker_lease_s, cfg->smtp_timeout_s);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct worker w = {.cfg = cfg};
    int rc = 0;
    struct timespec down_since = {0};
    log_info("worker: delivering to %s", cfg->smtp_url);
    for (;;) {
        if (stopping && !backlog(&w))
            break;
        if (!connected(&w) || !settle_backlog(&w)) {
            /* what it sent and could not record is worth waiting for a while on a stop
             * (or after --once), so that it is not sent again; rows it merely held go
             * back to the queue by themselves when their lease runs out */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (!down_since.tv_sec)
                down_since = now;
            bool give_up = (once && !backlog(&w)) ||
                           (once && now.tv_sec - down_since.tv_sec > 30) ||
                           (stopping && (w.nunrecorded == 0 ||
                                         since_stop() > (double)cfg->worker_stop_grace_s + 20));
            if (give_up) {
                for (int i = 0; i < w.nunrecorded; i++)
                    log_error("worker: %s went out as %s but could not be recorded; another"
                              " pass may send it again (with the same Message-ID)",
                              w.unrecorded[i].ids, w.unrecorded[i].message_id);
                if (w.have_orphan)
                    log_warn("worker: the rows it held go back to the queue when their lease"
                             " runs out");
                rc = once || w.nunrecorded > 0 ? 1 : 0;
                break;
            }
            sleep(1);
            continue;
        }
        down_since.tv_sec = 0;
        if (stopping)
            break;
        int n = pass(&w);
        if (n < 0) {
            if (PQstatus(w.pg) == CONNECTION_OK)
                sleep(1); /* a statement failed on a live connection: do not spin */
            continue;
        }
        if (once) {
            if (n != BATCH) /* drain what is due, then stop */
                break;
            continue;
        }
        if (n < BATCH && !stopping)
            usleep((useconds_t)cfg->worker_poll_ms * 1000);
    }
    for (int i = 0; i < w.nunrecorded; i++) {
        free(w.unrecorded[i].ids);
        free(w.unrecorded[i].message_id);
    }
    if (w.pg)
        PQfinish(w.pg);
    curl_global_cleanup();
    log_info("worker: stopped");
    return rc;
}
