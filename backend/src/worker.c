/* The notification worker: claims due rows of the outbox (FOR UPDATE SKIP LOCKED, so
 * several workers can run), delivers them by SMTP with libcurl, retries with backoff,
 * and never sends a row twice: a row is leased while it is sent, and a row whose
 * worker died mid-way is marked failed for a person to check rather than resent. */
#include "worker.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/mail.h"
#include "domain/seal.h"
#include "util/buf.h"
#include "util/log.h"

#define BATCH 10
#define MAX_ATTEMPTS 8

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
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

/* Reminders for sessions starting within the next reminder_hours, once each. */
static void schedule_reminders(PGconn *pg, long hours)
{
    char h[24];
    snprintf(h, sizeof(h), "%ld", hours);
    const char *v[] = {h};
    PQclear(run(pg,
                "INSERT INTO notifications (clinic_id, kind, booking_id, recipient, dedupe_key)"
                " SELECT b.clinic_id, 'reminder', b.id, b.patient_email, 'reminder:' || b.id ||"
                " ':' || extract(epoch FROM lower(b.during))::bigint FROM bookings b"
                " WHERE b.status = 'booked' AND lower(b.during) > now() + interval '1 hour'"
                " AND lower(b.during) <= now() + make_interval(hours => $1::int)"
                " AND b.created_at < now() - interval '1 hour'"
                " ON CONFLICT (dedupe_key) DO NOTHING",
                1, v));
}

/* Rows whose worker stopped while sending: they may have gone out, so they are not
 * sent again; failed, visibly. */
static void reap_interrupted(PGconn *pg)
{
    PGresult *res = run(pg,
                        "UPDATE notifications SET status = 'failed', lease_until = NULL,"
                        " last_error = 'delivery was interrupted; not retried, so that nobody"
                        " gets it twice' WHERE status = 'sending' AND lease_until < now()"
                        " RETURNING id",
                        0, NULL);
    if (res && PQntuples(res) > 0)
        log_warn("worker: %d notifications were interrupted mid-delivery and marked failed",
                 PQntuples(res));
    PQclear(res);
}

struct upload {
    const char *data;
    size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
    struct upload *u = userp;
    size_t room = size * nmemb, left = u->len - u->off;
    size_t n = left < room ? left : room;
    memcpy(ptr, u->data + u->off, n);
    u->off += n;
    return n;
}

/* Sends one message; returns NULL on success, else an error text (static). */
static const char *smtp_send(const struct config *cfg, const char *to, const char *msg, size_t len,
                             char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    if (!c)
        return "curl_easy_init failed";
    const char *lt = strchr(cfg->smtp_from, '<');
    char from[300];
    snprintf(from, sizeof(from), "<%.*s>", lt ? (int)strcspn(lt + 1, ">") : (int)strlen(cfg->smtp_from),
             lt ? lt + 1 : cfg->smtp_from);
    char rcpt_s[300];
    snprintf(rcpt_s, sizeof(rcpt_s), "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_s);
    struct upload u = {msg, len, 0};
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (cfg->smtp_starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (strcmp(cfg->smtp_username, "-") != 0) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_username);
        curl_easy_setopt(c, CURLOPT_PASSWORD, strcmp(cfg->smtp_password, "-") ? cfg->smtp_password : "");
    }
    CURLcode rc = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (rc == CURLE_OK)
        return NULL;
    snprintf(err, errlen, "%s: %s", curl_easy_strerror(rc), curl_err);
    return err;
}

/* Details of the session a notification is about (the first of a series). */
static const char *detail_sql =
    "SELECT coalesce(b.patient_name, w.patient_name), p.name, s.name, c.name, c.phone,"
    " l.address || ', ' || l.city, l.timezone,"
    " extract(epoch FROM coalesce(lower(b.during), w.offered_start))::bigint,"
    " extract(epoch FROM coalesce(upper(b.during), w.offered_start"
    "   + make_interval(mins => s.duration_minutes)))::bigint,"
    " c.cancellation_notice_hours, coalesce(b.reschedule_count, 0), b.id, w.practitioner_id,"
    " w.service_id,"
    " (SELECT string_agg(to_char(lower(x.during) AT TIME ZONE l.timezone,"
    "    'FMDay DD FMMonth YYYY, FMHH24:MI'), E'\\n' ORDER BY lower(x.during))"
    "  FROM bookings x WHERE x.series_id = n.series_id AND x.status = 'booked')"
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

static void finish(PGconn *pg, const char *id, const char *error, int attempts)
{
    if (!error) {
        const char *v[] = {id};
        PQclear(run(pg,
                    "UPDATE notifications SET status = 'sent', sent_at = now(), lease_until = NULL,"
                    " last_error = NULL, payload = payload - 'manage_token_sealed'"
                    " WHERE id = $1::uuid",
                    1, v));
        return;
    }
    char backoff[24];
    snprintf(backoff, sizeof(backoff), "%d", 30 << (attempts < 10 ? attempts : 10));
    const char *v[] = {id, error, backoff, attempts >= MAX_ATTEMPTS ? "true" : "false"};
    PQclear(run(pg,
                "UPDATE notifications SET lease_until = NULL, last_error = $2,"
                " status = CASE WHEN $4::bool THEN 'failed' ELSE 'pending' END,"
                " next_attempt_at = now() + make_interval(secs => $3::int)"
                " WHERE id = $1::uuid",
                4, v));
}

/* Delivers one claimed row. */
static void deliver(PGconn *pg, const struct config *cfg, PGresult *claimed, int i)
{
    const char *id = PQgetvalue(claimed, i, 0), *kind = PQgetvalue(claimed, i, 1);
    const char *to = PQgetvalue(claimed, i, 2), *dedupe = PQgetvalue(claimed, i, 4);
    int attempts = (int)strtol(PQgetvalue(claimed, i, 5), NULL, 10);
    json_t *payload = json_loads(PQgetvalue(claimed, i, 3), 0, NULL);
    const char *v[] = {id};
    PGresult *d = run(pg, detail_sql, 1, v);
    char err[600];
    const char *error = NULL;
    struct buf msg;
    buf_init(&msg, 0);
    if (!d || PQntuples(d) != 1) {
        error = "the booking or entry it is about no longer exists";
        attempts = MAX_ATTEMPTS;
        goto done;
    }
    char manage[600], book[600], uid[80], msgid[200], token[128];
    const char *sealed = json_string_value(json_object_get(payload, "manage_token_sealed"));
    const char *subject_id = PQgetisnull(d, 0, 11) ? NULL : PQgetvalue(d, 0, 11);
    bool have_link = sealed && subject_id && unseal_text(sealed, token, sizeof(token));
    if (have_link)
        snprintf(manage, sizeof(manage), "%s/manage#id=%s&token=%s", cfg->public_base_url,
                 subject_id, token);
    snprintf(book, sizeof(book), "%s/practitioners/%s", cfg->public_base_url,
             PQgetisnull(d, 0, 12) ? "" : PQgetvalue(d, 0, 12));
    snprintf(uid, sizeof(uid), "%s@clinicd", subject_id ? subject_id : id);
    /* the dedupe key names the event: a resend keeps the same Message-ID */
    snprintf(msgid, sizeof(msgid), "%s@clinicd", dedupe);
    for (char *p = msgid; *p; p++)
        if (*p == ':')
            *p = '.';
    json_t *prev = json_object_get(payload, "from_epoch"); /* a number: see bookings.c */
    struct mail m = {
        .kind = kind,
        .from = cfg->smtp_from,
        .to = to,
        .message_id = msgid,
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
        .manage_url = have_link ? manage : NULL,
        .book_url = book,
        .uid = uid,
        .sequence = (int)strtol(PQgetvalue(d, 0, 10), NULL, 10),
        .series_dates = PQgetisnull(d, 0, 14) ? NULL : PQgetvalue(d, 0, 14),
        .now = (int64_t)time(NULL),
    };
    if (mail_compose(&m, &msg) != 0) {
        error = "unknown kind of notification";
        attempts = MAX_ATTEMPTS;
        goto done;
    }
    error = smtp_send(cfg, to, msg.data, msg.len, err, sizeof(err));
    if (error)
        log_warn("worker: delivery of %s to the mail server failed (attempt %d): %s", id, attempts,
                 error);
done:
    finish(pg, id, error, attempts);
    buf_release(&msg);
    PQclear(d);
    json_decref(payload);
}

/* One pass; returns how many rows it delivered or tried, -1 on a database failure. */
static int pass(PGconn *pg, const struct config *cfg)
{
    schedule_reminders(pg, cfg->reminder_hours);
    reap_interrupted(pg);
    PGresult *claimed = run(pg,
                            "WITH due AS (SELECT id FROM notifications WHERE status = 'pending'"
                            " AND next_attempt_at <= now() ORDER BY next_attempt_at, id"
                            " LIMIT 10 FOR UPDATE SKIP LOCKED)"
                            " UPDATE notifications n SET status = 'sending',"
                            " lease_until = now() + interval '2 minutes', attempts = n.attempts + 1"
                            " FROM due WHERE n.id = due.id"
                            " RETURNING n.id, n.kind, n.recipient, n.payload::text, n.dedupe_key,"
                            " n.attempts",
                            0, NULL);
    if (!claimed)
        return -1;
    int n = PQntuples(claimed);
    for (int i = 0; i < n && !stopping; i++)
        deliver(pg, cfg, claimed, i);
    PQclear(claimed);
    return n;
}

int worker_cli(int argc, char **argv, const struct config *cfg)
{
    bool once = argc > 1 && strcmp(argv[1], "--once") == 0;
    if (strcmp(cfg->notification_key, "-") != 0 && !seal_set_key_hex(cfg->notification_key)) {
        log_error("config: notification_key: must be 64 hex digits or -");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    PGconn *pg = NULL;
    int rc = 0;
    log_info("worker: delivering to %s", cfg->smtp_url);
    while (!stopping) {
        if (!pg || PQstatus(pg) != CONNECTION_OK) {
            if (pg)
                PQfinish(pg);
            pg = PQconnectdb(cfg->database_url);
            if (PQstatus(pg) != CONNECTION_OK) {
                log_warn("worker: database unavailable: %s", PQerrorMessage(pg));
                if (once) {
                    rc = 1;
                    break;
                }
                sleep(2);
                continue;
            }
        }
        int n = pass(pg, cfg);
        if (once) {
            rc = n < 0 ? 1 : 0;
            if (n != BATCH) /* drain what is due, then stop */
                break;
            continue;
        }
        if (n < BATCH)
            usleep((useconds_t)cfg->worker_poll_ms * 1000);
    }
    if (pg)
        PQfinish(pg);
    curl_global_cleanup();
    log_info("worker: stopped");
    return rc;
}
