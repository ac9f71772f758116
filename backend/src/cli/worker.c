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
 * (staff/notifications.c), who can send them again.  The statements are in
 * store/outbox.c; this file decides when each runs.
 *
 * What no longer holds: right before a transfer, a reminder whose booking is no longer
 * booked at the start its snapshot names (cancelled, or moved: the new time gets a
 * reminder of its own, its dedupe key holds the start), and a week mail whose plan has
 * no session left in its week, are marked skipped with why and not sent.
 *
 * Scheduling: each pass queues the reminders due (each clinic's reminder_hours, else
 * the configured one) and, every WEEK_LOOK_S, the plans' week mails due (Monday from
 * each clinic's week_mail_hour, local time; worker_clock fixes "now" for tests).
 *
 * Per person: at most mail_per_address_per_hour mails go to one contact key in any
 * hour (lost-links mails too, cli/lost_links.c).  Rows past it wait; when more rows to one person are due than the hour has room
 * for, the last mail the hour allows lists all the rest (mail_compose_folded). */
#include "cli/worker.h"

#include <curl/curl.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/id_list.h"
#include "domain/mail.h"
#include "domain/seal.h"
#include "domain/timefmt.h"
#include "cli/lost_links.h"
#include "cli/outbox_mail.h"
#include "cli/smtp.h"
#include "store/outbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

#define BATCH 10
#define MAX_ATTEMPTS 8
#define FOLD_MAX 50    /* rows listed in one folded mail, at most */
#define UNRECORDED_MAX 64
#define WEEK_LOOK_S 300 /* how often the week mails due are looked for */

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
    struct db_direct db; /* its own connection, not the pool's */
    char token[37]; /* the current pass's lease token */
    /* sent, but PostgreSQL could not be told: recorded first when it is back */
    struct unrecorded unrecorded[UNRECORDED_MAX];
    int nunrecorded;
    /* a pass cut short by PostgreSQL: its rows go back to the queue when it is back */
    char orphan[37];
    bool have_orphan;
    time_t week_looked; /* when the week mails were last looked for (CLOCK_MONOTONIC) */
};

static bool backlog(const struct worker *w)
{
    return w->nunrecorded > 0 || w->have_orphan;
}

/* Whether a statement went through; logs why when it did not. */
static bool db_done(struct worker *w, enum db_status st)
{
    if (st != DB_OK)
        log_error("worker: %s", w->db.message);
    return st == DB_OK;
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

/* --- composing ---------------------------------------------------------------------- */

enum load { LOADED, GONE, DB_FAILED };

static enum load item_load(struct worker *w, struct outbox_mail *it)
{
    enum db_status st = store_outbox_detail(&w->db, it->id, &it->det);
    if (st == DB_NOT_FOUND)
        return GONE;
    if (!db_done(w, st))
        return DB_FAILED;
    outbox_mail_fill(it, w->cfg, (int64_t)time(NULL));
    if (!db_done(w, outbox_mail_link(&w->db, it, w->cfg)))
        return DB_FAILED;
    return LOADED;
}

/* --- one mail ------------------------------------------------------------------------ */

/* Marks rows (a uuid[] literal) failed or queued again after a failed transfer. */
static bool record_failure(struct worker *w, const char *ids, const char *error, bool permanent,
                           int backoff_s)
{
    struct outbox_failure f = {error, permanent, backoff_s, MAX_ATTEMPTS};
    return db_done(w, store_outbox_record_failure(&w->db, ids, w->token, &f));
}

static bool record_sent(struct worker *w, const char *ids, const char *message_id)
{
    if (db_done(w, store_outbox_record_sent(&w->db, ids, message_id)))
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

/* Composes the rows ok[0..nok) as one mail (folded when more than one), sends it and
 * records the outcome.  attempts: the most any of them has made.  False when
 * PostgreSQL failed. */
static bool transfer(struct worker *w, struct outbox_mail **ok, const char *const *ok_ids, int nok,
                     int attempts)
{
    const struct config *cfg = w->cfg;
    bool ok_db = true;
    struct buf msg;
    buf_init(&msg, 0);
    char msgid[200];
    int rc;
    if (nok == 1) {
        snprintf(msgid, sizeof(msgid), "%s", ok[0]->msgid);
        rc = mail_compose(&ok[0]->m, &msg);
    } else {
        outbox_mail_fold_id(ok, nok, msgid, sizeof(msgid));
        struct mail *ms = xcalloc((size_t)nok, sizeof(*ms));
        for (int i = 0; i < nok; i++)
            ms[i] = ok[i]->m;
        rc = mail_compose_folded(ms, (size_t)nok, msgid, &msg);
        free(ms);
    }
    char *these = id_list_literal(ok_ids, (size_t)nok);
    if (rc != 0) {
        ok_db = record_failure(w, these, "unknown kind of notification", true, 0);
    } else {
        struct smtp_conf sc = {cfg, stop_due, (void *)cfg};
        char err[700];
        enum smtp_outcome o = smtp_send(&sc, ok[0]->m.to, msg.data, msg.len, err, sizeof(err));
        if (o == SMTP_SENT) {
            ok_db = record_sent(w, these, msgid);
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
            ok_db = record_failure(w, these, err, o == SMTP_PERMANENT, backoff);
        }
    }
    free(these);
    buf_release(&msg);
    return ok_db;
}

/* Sends the rows ids[0..n) as one mail (folded when more than one is still ours).
 * Returns false when PostgreSQL failed (the pass ends). */
static bool send_mail(struct worker *w, const char *const *ids, int n)
{
    const struct config *cfg = w->cfg;
    char *all = id_list_literal(ids, (size_t)n);
    struct outbox_attempts mine, stale = {0};
    bool refreshed =
        db_done(w, store_outbox_refresh(&w->db, all, w->token, cfg->worker_lease_s, &mine));
    /* a reminder of a booking cancelled or moved since, a week mail of a week emptied */
    if (refreshed && !db_done(w, store_outbox_skip_stale(&w->db, all, w->token, &stale))) {
        free(mine.rows);
        refreshed = false;
    }
    free(all);
    if (!refreshed)
        return false;
    /* the rows still ours, in the order given */
    struct outbox_mail *items = xcalloc((size_t)n, sizeof(*items));
    struct outbox_mail **ok = xcalloc((size_t)n, sizeof(*ok));
    const char **ok_ids = xcalloc((size_t)n, sizeof(*ok_ids));
    int nok = 0, attempts = 0;
    bool db_ok = true;
    for (int i = 0; i < n && db_ok; i++) {
        int at = -1;
        for (int r = 0; r < mine.n && at < 0; r++)
            if (strcmp(mine.rows[r].id, ids[i]) == 0)
                at = r;
        if (at < 0) {
            log_info("worker: %s is no longer this worker's (its lease ran out); skipped", ids[i]);
            continue;
        }
        bool is_stale = false;
        for (int r = 0; r < stale.n && !is_stale; r++)
            is_stale = strcmp(stale.rows[r].id, ids[i]) == 0;
        if (is_stale) {
            log_info("worker: %s no longer holds (its booking was cancelled or moved); not sent",
                     ids[i]);
            continue;
        }
        int a = mine.rows[at].attempts;
        attempts = a > attempts ? a : attempts;
        struct outbox_mail *it = &items[i];
        snprintf(it->id, sizeof(it->id), "%s", ids[i]);
        char *one = id_list_literal(&ids[i], 1);
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
    free(mine.rows);
    free(stale.rows);
    if (db_ok && nok > 0)
        db_ok = transfer(w, ok, ok_ids, nok, attempts);
    for (int i = 0; i < n; i++)
        outbox_mail_release(&items[i]);
    free(items);
    free(ok);
    free(ok_ids);
    return db_ok;
}

/* --- one person ---------------------------------------------------------------------- */

static bool load_held(struct worker *w, struct outbox_held *h)
{
    /* lost links (cli/lost_links.c), claimed or gathered, go out on their own first */
    return db_done(w, lost_links_deliver(&w->db, w->cfg, w->token, stop_due, (void *)w->cfg)) &&
           db_done(w, store_outbox_held(&w->db, w->token, h));
}

/* What is left of the person's hourly budget, into *left; when nothing is, the rows
 * this pass holds for them wait until the oldest mail of the hour leaves it.  False
 * when PostgreSQL failed. */
static bool budget_left(struct worker *w, const char *person, long limit, long *left)
{
    struct outbox_budget b;
    if (!db_done(w, store_outbox_budget(&w->db, person, &b)))
        return false;
    long sent = b.sent;
    long wait = b.has_wait ? b.wait_s : 60;
    *left = limit - sent;
    if (*left > 0)
        return true;
    char why[160];
    snprintf(why, sizeof(why), "waiting: %ld mails went to this address in the last hour (the limit is %ld)",
             sent, limit);
    return db_done(w, store_outbox_defer(&w->db, w->token, person, wait < 1 ? 1 : wait, why));
}

/* Sends what is due for one person within their hourly budget.  False when PostgreSQL
 * failed. */
static bool deliver_person(struct worker *w, const char *person)
{
    const struct config *cfg = w->cfg;
    long limit = cfg->mail_per_address_per_hour;
    long budget = -1; /* no limit */
    bool locked = false, ok = true;
    if (limit > 0) {
        /* one worker at a time decides and sends for a person */
        if (!db_done(w, store_outbox_lock_person(&w->db, person, &locked)))
            return false;
        if (!locked)
            return db_done(w, store_outbox_defer(&w->db, w->token, person, 5,
                                                 "another worker is sending to this address"));
        if (!(ok = budget_left(w, person, limit, &budget)))
            goto out;
        if (budget <= 0)
            goto out;
        /* everything due for the person now, so that what is past the budget goes out
         * folded into one mail */
        if (!(ok = db_done(w, store_outbox_gather(&w->db, w->token, cfg->worker_lease_s, person,
                                                  FOLD_MAX + budget))))
            goto out;
    }
    struct outbox_held h = {0};
    if (!(ok = load_held(w, &h)))
        goto out;
    const char **mine = xcalloc((size_t)h.n + 1, sizeof(*mine));
    char **addr = xcalloc((size_t)h.n + 1, sizeof(char *));
    int n = 0;
    for (int i = 0; i < h.n; i++)
        if (strcmp(h.rows[i].person, person) == 0 &&
            n < FOLD_MAX + (budget > 0 ? (int)budget : 0)) {
            addr[n] = h.rows[i].addr;
            mine[n++] = h.rows[i].id;
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
    outbox_held_release(&h);
out:
    if (locked && db_direct_alive(&w->db))
        (void)db_done(w, store_outbox_unlock_person(&w->db, person));
    return ok;
}

/* --- passes ---------------------------------------------------------------------------- */

/* What a pass cut short by PostgreSQL left: the mails sent but not recorded, then the
 * rows it held.  False while PostgreSQL still fails. */
static bool settle_backlog(struct worker *w)
{
    while (w->nunrecorded > 0) {
        struct unrecorded *u = &w->unrecorded[w->nunrecorded - 1];
        if (!db_done(w, store_outbox_record_sent(&w->db, u->ids, u->message_id)))
            return false;
        log_info("worker: recorded %s as sent, now that the database is back", u->ids);
        free(u->ids);
        free(u->message_id);
        w->nunrecorded--;
    }
    if (w->have_orphan) {
        if (!db_done(w, store_outbox_release(&w->db, w->orphan)))
            return false;
        w->have_orphan = false;
    }
    return true;
}

/* One pass; returns how many rows it claimed, -1 when PostgreSQL failed. */
static int pass(struct worker *w)
{
    const struct config *cfg = w->cfg;
    if (!db_done(w, store_outbox_schedule_reminders(&w->db, cfg->reminder_hours)))
        return -1;
    /* the week mails are due on a Monday morning somewhere: a look every few minutes
     * is enough (always with a test's clock) */
    struct timespec mono;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    bool fixed_clock = strcmp(cfg->worker_clock, "-") != 0;
    if (fixed_clock || !w->week_looked || mono.tv_sec - w->week_looked >= WEEK_LOOK_S) {
        if (!db_done(w, store_outbox_schedule_week(&w->db, fixed_clock ? cfg->worker_clock : NULL)))
            return -1;
        w->week_looked = mono.tv_sec ? mono.tv_sec : 1;
    }
    int reaped;
    if (!db_done(w, store_outbox_reap(&w->db, MAX_ATTEMPTS, &reaped)))
        return -1;
    if (reaped > 0)
        log_warn("worker: %d notifications whose worker stopped or lost the database mid-way"
                 " are queued again",
                 reaped);

    new_token(w->token);
    snprintf(w->orphan, sizeof(w->orphan), "%s", w->token);
    w->have_orphan = true; /* until the pass ends well */
    int n;
    if (!db_done(w, store_outbox_claim(&w->db, w->token, cfg->worker_lease_s, &n)))
        return -1;
    struct outbox_held h = {0};
    if (n > 0 && !load_held(w, &h))
        return -1;
    bool ok = true;
    for (int i = 0; i < h.n && ok && !stopping; i++) {
        bool first = true; /* each person once, in the order their oldest row came */
        for (int j = 0; j < i && first; j++)
            first = strcmp(h.rows[j].person, h.rows[i].person) != 0;
        if (first)
            ok = deliver_person(w, h.rows[i].person);
    }
    outbox_held_release(&h);
    if (!ok)
        return -1;
    /* what was not started (a stop, rows folded elsewhere) goes back as it was */
    if (!db_done(w, store_outbox_release(&w->db, w->token)))
        return -1;
    w->have_orphan = false;
    return n;
}

static bool connected(struct worker *w)
{
    if (db_direct_alive(&w->db))
        return true;
    db_direct_close(&w->db);
    /* bounded, so that a stop is not held up by an unreachable database */
    if (db_direct_open(&w->db, w->cfg->database_url, w->cfg->db_connect_timeout_s))
        return true;
    log_warn("worker: database unavailable: %s", w->db.message);
    return false;
}

int worker_cli(int argc, char **argv, const struct config *cfg)
{
    bool once = argc > 1 && strcmp(argv[1], "--once") == 0;
    if (strcmp(cfg->notification_key, "-") != 0 && !seal_set_key_hex(cfg->notification_key)) {
        log_error("config: notification_key: must be 64 hex digits or -");
        return 2;
    }
    int64_t fixed;
    if (strcmp(cfg->worker_clock, "-") != 0 && rfc3339_parse(cfg->worker_clock, &fixed) != 0) {
        log_error("config: worker_clock: must be - or an RFC 3339 time (tests only)");
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
            if (db_direct_alive(&w.db))
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
    db_direct_close(&w.db);
    curl_global_cleanup();
    log_info("worker: stopped");
    return rc;
}
