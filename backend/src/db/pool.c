/* A fixed pool of PostgreSQL connections with lazily prepared statements. */
#include "db/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/alloc.h"
#include "util/log.h"

struct db_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct db_conn *conns;
    int *free_slots;
    int nfree;
    int size;
    int waiting;
    int checkout_timeout_ms;
    char *conninfo;
    char connect_timeout[16];
    char options[320];
    atomic_long checkouts, timeouts, reconnects, failures;
    /* the last fault noted (db_pool_note_fault), and the last failure to connect */
    _Atomic(const char *) fault;
    atomic_long fault_at_ms;
    _Atomic(const char *) connect_failure;
    atomic_long connect_failure_at_ms;
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_pool_note_fault(struct db_pool *p, const char *reason)
{
    atomic_store(&p->fault, reason);
    atomic_store(&p->fault_at_ms, now_ms());
}

const char *db_pool_connect_failure(struct db_pool *p)
{
    const char *why = atomic_load(&p->connect_failure);
    /* (what an attempt of long ago said is no reason for a failure now) */
    if (why && now_ms() - atomic_load(&p->connect_failure_at_ms) > 5000)
        return NULL;
    return why;
}

const char *db_pool_recent_fault(struct db_pool *p, long within_ms)
{
    const char *reason = atomic_load(&p->fault);
    if (!reason || now_ms() - atomic_load(&p->fault_at_ms) > within_ms)
        return NULL;
    return reason;
}

/* Why a connection could not be made, from libpq's message (PostgreSQL's own words,
 * in English: the project's clusters run with lc_messages C; another language reads
 * as "unreachable", which is still a 503). */
static const char *connect_failure_reason(const char *m)
{
    if (strstr(m, "too many clients") || strstr(m, "too many connections") ||
        strstr(m, "remaining connection slots are reserved"))
        return "too-many-connections"; /* SQLSTATE 53300 */
    if (strstr(m, "is starting up") || strstr(m, "is shutting down") ||
        strstr(m, "in recovery mode") || strstr(m, "not yet accepting connections") ||
        strstr(m, "not accepting connections"))
        return "cannot-connect-now"; /* 57P03 */
    return "unreachable";
}

static atomic_int next_stmt_idx;

struct db_pool *db_pool_new(const char *conninfo, int size, int checkout_timeout_ms,
                            int connect_timeout_s, int statement_timeout_ms)
{
    struct db_pool *p = xcalloc(1, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    p->size = size;
    p->conns = xcalloc((size_t)size, sizeof(*p->conns));
    p->free_slots = xcalloc((size_t)size, sizeof(int));
    for (int i = 0; i < size; i++) {
        p->conns[i].slot = i;
        p->free_slots[i] = size - 1 - i;
    }
    p->nfree = size;
    p->checkout_timeout_ms = checkout_timeout_ms;
    p->conninfo = xstrdup(conninfo);
    snprintf(p->connect_timeout, sizeof(p->connect_timeout), "%d", connect_timeout_s);
    snprintf(p->options, sizeof(p->options),
             "-c statement_timeout=%d -c idle_in_transaction_session_timeout=%d"
             " -c pg_trgm.word_similarity_threshold=0.5 -c plan_cache_mode=force_generic_plan",
             statement_timeout_ms, statement_timeout_ms * 2);
    return p;
}

void db_pool_free(struct db_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->size; i++)
        if (p->conns[i].pg)
            PQfinish(p->conns[i].pg);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->conns);
    free(p->free_slots);
    free(p->conninfo);
    free(p);
}

static PGconn *open_conn(struct db_pool *p)
{
    const char *const keys[] = {"dbname", "connect_timeout", "options", "application_name",
                                "client_encoding", NULL};
    const char *const vals[] = {p->conninfo, p->connect_timeout, p->options, "clinicd", "UTF8",
                                NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(pg) != CONNECTION_OK) {
        const char *why = connect_failure_reason(PQerrorMessage(pg));
        log_warn("database connection failed (%s): %s", why, PQerrorMessage(pg));
        PQfinish(pg);
        atomic_fetch_add(&p->failures, 1);
        atomic_store(&p->connect_failure_at_ms, now_ms());
        atomic_store(&p->connect_failure, why);
        if (strcmp(why, "too-many-connections") == 0)
            db_pool_note_fault(p, why);
        return NULL;
    }
    atomic_store(&p->connect_failure, NULL);
    return pg;
}

static void close_conn(struct db_conn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
    memset(c->prepared, 0, sizeof(c->prepared));
}

/* (Re)opens c if it has no healthy connection; returns false if the database is down. */
static bool ensure_open(struct db_pool *p, struct db_conn *c)
{
    if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
        return true;
    if (c->pg)
        atomic_fetch_add(&p->reconnects, 1);
    close_conn(c);
    c->pg = open_conn(p);
    return c->pg != NULL;
}

enum db_status db_checkout(struct db_pool *p, struct db_conn **out)
{
    struct timespec deadline;
    *out = NULL;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += p->checkout_timeout_ms / 1000;
    deadline.tv_nsec += (long)(p->checkout_timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    p->waiting++;
    while (p->nfree == 0) {
        if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == ETIMEDOUT && p->nfree == 0) {
            p->waiting--;
            pthread_mutex_unlock(&p->mu);
            atomic_fetch_add(&p->timeouts, 1);
            return DB_TIMEOUT;
        }
    }
    p->waiting--;
    struct db_conn *c = &p->conns[p->free_slots[--p->nfree]];
    pthread_mutex_unlock(&p->mu);
    atomic_fetch_add(&p->checkouts, 1);
    c->used = false;
    c->discard = false;
    if (!ensure_open(p, c)) {
        db_checkin(p, c);
        return DB_DOWN;
    }
    *out = c;
    return DB_OK;
}

void db_discard(struct db_conn *c)
{
    c->discard = true;
}

void db_checkin(struct db_pool *p, struct db_conn *c)
{
    if (c->pg && (c->discard || PQstatus(c->pg) != CONNECTION_OK)) {
        close_conn(c);
    } else if (c->pg) {
        PGTransactionStatusType ts = PQtransactionStatus(c->pg);
        if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
            PGresult *res = PQexec(c->pg, "ROLLBACK");
            if (PQresultStatus(res) != PGRES_COMMAND_OK)
                close_conn(c);
            PQclear(res);
        } else if (ts != PQTRANS_IDLE) {
            close_conn(c); /* active or unknown: nothing sane to reuse */
        }
    }
    pthread_mutex_lock(&p->mu);
    p->free_slots[p->nfree++] = c->slot;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static int stmt_index(struct db_stmt *st)
{
    int idx = atomic_load(&st->idx);
    if (idx >= 0)
        return idx;
    int fresh = atomic_fetch_add(&next_stmt_idx, 1);
    if (fresh >= DB_MAX_STMTS) {
        log_error("more than %d prepared statements", DB_MAX_STMTS);
        abort();
    }
    int expected = -1;
    if (atomic_compare_exchange_strong(&st->idx, &expected, fresh))
        return fresh;
    return expected; /* another thread won; its index stands (ours is wasted) */
}

static bool lost(PGconn *pg)
{
    return PQstatus(pg) != CONNECTION_OK;
}

static PGresult *exec_once(struct db_conn *c, struct db_stmt *st, const char *const *values)
{
    int idx = stmt_index(st);
    char name[16];
    snprintf(name, sizeof(name), "s%d", idx);
    uint64_t bit = 1ULL << (idx % 64);
    if (!(c->prepared[idx / 64] & bit)) {
        PGresult *prep = PQprepare(c->pg, name, st->sql, st->nparams, NULL);
        ExecStatusType s = PQresultStatus(prep);
        if (s != PGRES_COMMAND_OK) {
            if (lost(c->pg)) {
                PQclear(prep);
                return NULL;
            }
            log_error("prepare failed: %s -- %s", PQresultErrorMessage(prep), st->sql);
            return prep;
        }
        PQclear(prep);
        c->prepared[idx / 64] |= bit;
    }
    PGresult *res = PQexecPrepared(c->pg, name, st->nparams, values, NULL, NULL, 0);
    if (lost(c->pg)) {
        PQclear(res);
        return NULL;
    }
    return res;
}

PGresult *db_exec(struct db_pool *p, struct db_conn *c, struct db_stmt *st,
                  const char *const *values)
{
    bool first = !c->used;
    c->used = true;
    PGresult *res = exec_once(c, st, values);
    if (!res && first) {
        /* The connection died while idle in the pool (say, the server restarted).
         * Nothing ran on it in this checkout, so running again is safe. */
        atomic_fetch_add(&p->reconnects, 1);
        close_conn(c);
        c->pg = open_conn(p);
        if (c->pg)
            res = exec_once(c, st, values);
    }
    return res;
}

PGresult *db_command(struct db_pool *p, struct db_conn *c, const char *sql)
{
    bool first = !c->used;
    c->used = true;
    PGresult *res = PQexec(c->pg, sql);
    if (lost(c->pg)) {
        PQclear(res);
        res = NULL;
        if (first) {
            atomic_fetch_add(&p->reconnects, 1);
            close_conn(c);
            c->pg = open_conn(p);
            if (c->pg) {
                res = PQexec(c->pg, sql);
                if (lost(c->pg)) {
                    PQclear(res);
                    res = NULL;
                }
            }
        }
    }
    return res;
}

void db_pool_stats(struct db_pool *p, struct db_pool_stats *out)
{
    pthread_mutex_lock(&p->mu);
    out->size = p->size;
    out->in_use = p->size - p->nfree;
    out->waiting = p->waiting;
    pthread_mutex_unlock(&p->mu);
    out->checkouts = atomic_load(&p->checkouts);
    out->timeouts = atomic_load(&p->timeouts);
    out->reconnects = atomic_load(&p->reconnects);
    out->failures = atomic_load(&p->failures);
}

const char *db_pool_check(struct db_pool *p)
{
    struct db_conn *c;
    enum db_status rc = db_checkout(p, &c);
    if (rc == DB_TIMEOUT)
        return "busy";
    if (rc != DB_OK) {
        const char *why = db_pool_connect_failure(p);
        return why ? why : "unreachable";
    }
    /* one round trip: a standby, or a session that starts read-only, takes no writes */
    PGresult *res = db_command(p, c,
                               "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'");
    const char *why = NULL;
    if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        why = res ? "unreachable" : db_pool_connect_failure(p);
        if (!why)
            why = "unreachable";
    } else if (PQgetvalue(res, 0, 0)[0] == 't') {
        why = "read-only";
        db_discard(c); /* the next checkout of this slot sees whether that has changed */
    }
    PQclear(res);
    db_checkin(p, c);
    return why;
}
