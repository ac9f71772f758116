/* Request counters and latency histograms per route, and the state of the outbox,
 * rendered in Prometheus text format. */
#include "http/metrics.h"

#include "db/session.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/router.h"
#include "store/metrics.h"
#include "util/alloc.h"

static const int tracked_status[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404, 405,
                                     409, 410, 413, 414, 415, 422, 429, 431, 500, 503};
#define NSTATUS (sizeof(tracked_status) / sizeof(tracked_status[0]))
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05,   0.1,   0.25,   0.5,   1,    2.5, 5};
#define NBUCKETS (sizeof(bounds) / sizeof(bounds[0]))

struct route_metrics {
    atomic_ulong by_status[NSTATUS + 1]; /* last: any other status */
    atomic_ulong buckets[NBUCKETS + 1];  /* non-cumulative; last: +Inf */
    atomic_ulong sum_us;
};

static struct route_metrics *m;
static size_t m_count;

void metrics_init(size_t nroutes)
{
    m_count = nroutes + 1;
    m = xcalloc(m_count, sizeof(*m));
}

/* --- the outbox ----------------------------------------------------------------------
 * Notifications by status and the age of the oldest one waiting, read from the database
 * by a thread of its own at most every OUTBOX_EVERY_S seconds, and only while someone
 * scrapes: a scrape never waits on the database, and a scraper cannot make the service
 * query more often. */

#define OUTBOX_EVERY_S 5
#define OUTBOX_IDLE_S 120 /* no scrape for this long: stop reading */

struct outbox {
    bool known;
    long pending, sending, failed;
    double oldest_pending_s;
    struct timespec read_at; /* CLOCK_MONOTONIC */
};

static pthread_mutex_t ob_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ob_cv;
static pthread_t ob_thread;
static bool ob_started, ob_stop;
static struct db_pool *ob_pool;
static struct timespec ob_scraped; /* the last scrape */
static struct outbox ob;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static bool outbox_read(struct db_pool *pool, struct outbox *out)
{
    struct db_session s;
    struct outbox_gauges g;
    db_session_init(&s, pool, NULL, NULL);
    bool ok = store_metrics_outbox(&s, &g) == DB_OK;
    db_session_end(&s);
    if (ok) {
        out->pending = g.pending;
        out->sending = g.sending;
        out->failed = g.failed;
        out->oldest_pending_s = g.oldest_pending_s;
        out->known = true;
        clock_gettime(CLOCK_MONOTONIC, &out->read_at);
    }
    return ok;
}

static void *outbox_run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&ob_mu);
    while (!ob_stop) {
        bool wanted = seconds_since(&ob_scraped) < OUTBOX_IDLE_S;
        struct db_pool *pool = ob_pool;
        pthread_mutex_unlock(&ob_mu);
        struct outbox got = {0};
        bool ok = wanted && outbox_read(pool, &got);
        pthread_mutex_lock(&ob_mu);
        if (ok)
            ob = got;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += OUTBOX_EVERY_S;
        while (!ob_stop && pthread_cond_timedwait(&ob_cv, &ob_mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&ob_mu);
    return NULL;
}

/* The figures last read (known false before the first read); starts the reader. */
static struct outbox outbox_get(struct db_pool *pool)
{
    pthread_mutex_lock(&ob_mu);
    clock_gettime(CLOCK_MONOTONIC, &ob_scraped);
    if (!ob_started && pool) {
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&ob_cv, &ca);
        pthread_condattr_destroy(&ca);
        ob_pool = pool;
        ob_stop = false;
        ob_started = pthread_create(&ob_thread, NULL, outbox_run, NULL) == 0;
        if (!ob_started)
            pthread_cond_destroy(&ob_cv);
    }
    struct outbox o = ob;
    pthread_mutex_unlock(&ob_mu);
    return o;
}

static void outbox_stop(void)
{
    pthread_mutex_lock(&ob_mu);
    bool started = ob_started;
    ob_stop = true;
    if (started)
        pthread_cond_broadcast(&ob_cv);
    pthread_mutex_unlock(&ob_mu);
    if (!started)
        return;
    pthread_join(ob_thread, NULL);
    pthread_mutex_lock(&ob_mu);
    pthread_cond_destroy(&ob_cv);
    ob_started = false;
    ob_pool = NULL;
    memset(&ob, 0, sizeof(ob));
    pthread_mutex_unlock(&ob_mu);
}

static void outbox_render(struct buf *out, struct db_pool *pool)
{
    struct outbox o = outbox_get(pool);
    if (!o.known)
        return; /* the first read is under way */
    buf_printf(out,
               "# HELP clinicd_notifications Notifications in the outbox by status (read from the database every %d s while scraped).\n"
               "# TYPE clinicd_notifications gauge\n"
               "clinicd_notifications{status=\"pending\"} %ld\n"
               "clinicd_notifications{status=\"sending\"} %ld\n"
               "clinicd_notifications{status=\"failed\"} %ld\n"
               "# HELP clinicd_notifications_oldest_pending_seconds Age of the oldest notification not yet sent (0: none).\n"
               "# TYPE clinicd_notifications_oldest_pending_seconds gauge\n"
               "clinicd_notifications_oldest_pending_seconds %.0f\n"
               "# HELP clinicd_notifications_read_age_seconds How old the outbox figures are.\n"
               "# TYPE clinicd_notifications_read_age_seconds gauge\n"
               "clinicd_notifications_read_age_seconds %.1f\n",
               OUTBOX_EVERY_S, o.pending, o.sending, o.failed, o.oldest_pending_s,
               seconds_since(&o.read_at));
}

void metrics_free(void)
{
    outbox_stop();
    free(m);
    m = NULL;
}

void metrics_observe(size_t route_index, int status, double seconds)
{
    if (!m)
        return;
    if (route_index >= m_count)
        route_index = m_count - 1;
    struct route_metrics *rm = &m[route_index];
    size_t si = NSTATUS;
    for (size_t i = 0; i < NSTATUS; i++)
        if (tracked_status[i] == status)
            si = i;
    atomic_fetch_add_explicit(&rm->by_status[si], 1, memory_order_relaxed);
    size_t b = NBUCKETS;
    for (size_t i = 0; i < NBUCKETS; i++)
        if (seconds <= bounds[i]) {
            b = i;
            break;
        }
    atomic_fetch_add_explicit(&rm->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rm->sum_us, (unsigned long)(seconds * 1e6), memory_order_relaxed);
}

static const char *route_label(size_t i)
{
    return i < routes_count ? routes[i].pattern : "unmatched";
}

static const char *method_label(size_t i)
{
    return i < routes_count ? http_method_name(routes[i].method) : "any";
}

/* One line of route i's series: metric{method="..",route="..",label="value"} v. */
static void route_line(struct buf *out, const char *metric, size_t i, const char *label,
                       const char *value, unsigned long v)
{
    buf_printf(out, "%s{method=\"%s\",route=\"%s\",%s=\"%s\"} %lu\n", metric, method_label(i),
               route_label(i), label, value, v);
}

void metrics_render(struct buf *out, struct db_pool *pool, long in_flight, int draining)
{
    buf_puts(out, "# HELP clinicd_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE clinicd_http_requests_total counter\n");
    for (size_t i = 0; i < m_count; i++)
        for (size_t s = 0; s <= NSTATUS; s++) {
            unsigned long v = atomic_load(&m[i].by_status[s]);
            if (!v)
                continue;
            char code[8] = "other";
            if (s < NSTATUS)
                snprintf(code, sizeof(code), "%d", tracked_status[s]);
            route_line(out, "clinicd_http_requests_total", i, "status", code, v);
        }
    buf_puts(out, "# HELP clinicd_http_request_duration_seconds Time from request line to reply.\n"
                  "# TYPE clinicd_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < m_count; i++) {
        unsigned long total = 0;
        for (size_t b = 0; b <= NBUCKETS; b++)
            total += atomic_load(&m[i].buckets[b]);
        if (!total)
            continue;
        unsigned long cum = 0;
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += atomic_load(&m[i].buckets[b]);
            char le[16] = "+Inf";
            if (b < NBUCKETS)
                snprintf(le, sizeof(le), "%g", bounds[b]);
            route_line(out, "clinicd_http_request_duration_seconds_bucket", i, "le", le, cum);
        }
        buf_printf(out,
                   "clinicd_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                   "clinicd_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %lu\n",
                   method_label(i), route_label(i), (double)atomic_load(&m[i].sum_us) / 1e6,
                   method_label(i), route_label(i), total);
    }
    buf_printf(out, "# HELP clinicd_http_in_flight Requests being handled now.\n"
                    "# TYPE clinicd_http_in_flight gauge\nclinicd_http_in_flight %ld\n"
                    "# HELP clinicd_draining 1 after SIGTERM, while in-flight requests finish.\n"
                    "# TYPE clinicd_draining gauge\nclinicd_draining %d\n",
               in_flight, draining);
    if (pool) {
        struct db_pool_stats st;
        db_pool_stats(pool, &st);
        buf_printf(out,
                   "# HELP clinicd_db_pool_size Database connections in the pool.\n"
                   "# TYPE clinicd_db_pool_size gauge\nclinicd_db_pool_size %ld\n"
                   "# HELP clinicd_db_pool_in_use Connections checked out now.\n"
                   "# TYPE clinicd_db_pool_in_use gauge\nclinicd_db_pool_in_use %ld\n"
                   "# HELP clinicd_db_pool_waiting Requests waiting for a connection now.\n"
                   "# TYPE clinicd_db_pool_waiting gauge\nclinicd_db_pool_waiting %ld\n"
                   "# HELP clinicd_db_pool_checkouts_total Connections handed out.\n"
                   "# TYPE clinicd_db_pool_checkouts_total counter\nclinicd_db_pool_checkouts_total %ld\n"
                   "# HELP clinicd_db_pool_timeouts_total Checkouts that gave up waiting (503).\n"
                   "# TYPE clinicd_db_pool_timeouts_total counter\nclinicd_db_pool_timeouts_total %ld\n"
                   "# HELP clinicd_db_reconnects_total Connections reopened after a failure.\n"
                   "# TYPE clinicd_db_reconnects_total counter\nclinicd_db_reconnects_total %ld\n"
                   "# HELP clinicd_db_connect_failures_total Connection attempts that failed.\n"
                   "# TYPE clinicd_db_connect_failures_total counter\nclinicd_db_connect_failures_total %ld\n"
                   "# HELP clinicd_db_serialization_retries_total Units of work run again after a serialization failure or deadlock.\n"
                   "# TYPE clinicd_db_serialization_retries_total counter\nclinicd_db_serialization_retries_total %ld\n",
                   st.size, st.in_use, st.waiting, st.checkouts, st.timeouts, st.reconnects,
                   st.failures, db_tx_retry_count());
        outbox_render(out, pool);
    }
}
