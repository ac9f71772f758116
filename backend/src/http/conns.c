/* Fair shares of the connections: a cap per client address and a deadline for each
 * request head (see conns.h). */
#include "http/conns.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/config.h"
#include "http/client.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/netaddr.h"

/* One open connection (libmicrohttpd's socket context). */
struct conn {
    struct conn *prev, *next;
    MHD_socket fd;
    struct netaddr addr;
    bool counted; /* against its address's cap */
    bool cut;     /* shut down for a late head */
    /* when the awaited request head became due (ms, monotonic); 0 while none is */
    atomic_llong head_since_ms;
};

/* Open connections per address, for the cap. */
struct addr_count {
    struct addr_count *next;
    struct netaddr a;
    unsigned n;
};

#define NBUCKETS 1024
#define TICK_MS 250
#define REPORT_EVERY_MS 10000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct conn *conns; /* every open connection */
static struct addr_count *buckets[NBUCKETS];
static unsigned max_per_ip;
static long long head_timeout_ms;
static bool stopping, started;
static pthread_t timer;
/* for the log: refused and cut since the last report */
static atomic_long refused, cut;

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static size_t bucket_of(const struct netaddr *a)
{
    uint32_t h = 2166136261u ^ a->family;
    for (size_t i = 0; i < (a->family == 4 ? 4u : 16u); i++)
        h = (h ^ a->b[i]) * 16777619u;
    return h % NBUCKETS;
}

/* Under mu. */
static struct addr_count **find(const struct netaddr *a)
{
    struct addr_count **p = &buckets[bucket_of(a)];
    while (*p && !netaddr_equal(&(*p)->a, a))
        p = &(*p)->next;
    return p;
}

static bool capped(const struct netaddr *a)
{
    return max_per_ip > 0 && a->family != 0 && !client_trusted_proxy(a);
}

enum MHD_Result conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    (void)cls;
    (void)addrlen;
    struct netaddr a;
    if (!netaddr_from_sockaddr(addr, &a) || !capped(&a))
        return MHD_YES;
    /* (counted when libmicrohttpd reports the connection started, on the thread
     * that accepted it; threads accepting at the same moment may go a few over) */
    pthread_mutex_lock(&mu);
    struct addr_count *e = *find(&a);
    bool ok = !e || e->n < max_per_ip;
    pthread_mutex_unlock(&mu);
    if (!ok)
        atomic_fetch_add(&refused, 1);
    return ok ? MHD_YES : MHD_NO;
}

static void started_conn(struct MHD_Connection *c, void **socket_context)
{
    struct conn *k = xcalloc(1, sizeof(*k));
    const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    k->fd = fd ? fd->connect_fd : MHD_INVALID_SOCKET;
    if (ad)
        netaddr_from_sockaddr(ad->client_addr, &k->addr);
    atomic_store(&k->head_since_ms, now_ms());
    pthread_mutex_lock(&mu);
    if (capped(&k->addr)) {
        struct addr_count **p = find(&k->addr);
        if (!*p) {
            *p = xcalloc(1, sizeof(**p));
            (*p)->a = k->addr;
        }
        (*p)->n++;
        k->counted = true;
    }
    k->next = conns;
    if (conns)
        conns->prev = k;
    conns = k;
    pthread_mutex_unlock(&mu);
    *socket_context = k;
}

static void closed_conn(void **socket_context)
{
    struct conn *k = *socket_context;
    if (!k)
        return;
    *socket_context = NULL;
    pthread_mutex_lock(&mu);
    if (k->counted) {
        struct addr_count **p = find(&k->addr);
        if (*p && --(*p)->n == 0) {
            struct addr_count *gone = *p;
            *p = gone->next;
            free(gone);
        }
    }
    if (k->prev)
        k->prev->next = k->next;
    else
        conns = k->next;
    if (k->next)
        k->next->prev = k->prev;
    pthread_mutex_unlock(&mu);
    free(k);
}

void conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        started_conn(c, socket_context);
    else if (code == MHD_CONNECTION_NOTIFY_CLOSED)
        closed_conn(socket_context);
}

static struct conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void conns_head_done(struct MHD_Connection *c)
{
    struct conn *k = conn_of(c);
    if (k)
        atomic_store(&k->head_since_ms, 0);
}

void conns_request_done(struct MHD_Connection *c)
{
    struct conn *k = conn_of(c);
    if (k)
        atomic_store(&k->head_since_ms, now_ms());
}

/* Under mu: shuts down the sockets of connections whose head is late. */
static void cut_late(long long now)
{
    for (struct conn *k = conns; k; k = k->next) {
        long long since = atomic_load(&k->head_since_ms);
        if (k->cut || since == 0 || now - since < head_timeout_ms || k->fd == MHD_INVALID_SOCKET)
            continue;
        /* the socket is still libmicrohttpd's: it reports the close (and so takes mu)
         * before it closes the descriptor */
        if (shutdown(k->fd, SHUT_RDWR) == 0 || errno == ENOTCONN) {
            k->cut = true;
            atomic_fetch_add(&cut, 1);
        }
    }
}

static void *timer_main(void *arg)
{
    (void)arg;
    long long last_report = now_ms();
    pthread_mutex_lock(&mu);
    while (!stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&wake, &mu, &until);
        if (stopping)
            break;
        long long now = now_ms();
        if (head_timeout_ms > 0)
            cut_late(now);
        if (now - last_report >= REPORT_EVERY_MS) {
            last_report = now;
            long nrefused = atomic_exchange(&refused, 0), ncut = atomic_exchange(&cut, 0);
            if (nrefused > 0)
                log_warn("http: refused %ld connections from addresses that had "
                         "http_max_per_ip = %u open", nrefused, max_per_ip);
            if (ncut > 0)
                log_warn("http: closed %ld connections whose request head took longer than "
                         "http_head_timeout_s = %lld", ncut, head_timeout_ms / 1000);
        }
    }
    pthread_mutex_unlock(&mu);
    return NULL;
}

int conns_start(const struct config *cfg)
{
    max_per_ip = (unsigned)cfg->http_max_per_ip;
    head_timeout_ms = (long long)cfg->http_head_timeout_s * 1000;
    stopping = false;
    if (pthread_create(&timer, NULL, timer_main, NULL) != 0) {
        log_error("http: cannot start the connection timer");
        return -1;
    }
    started = true;
    return 0;
}

void conns_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&mu);
    pthread_join(timer, NULL);
    started = false;
    /* (libmicrohttpd reported every connection closed when it stopped) */
    for (size_t i = 0; i < NBUCKETS; i++)
        while (buckets[i]) {
            struct addr_count *e = buckets[i];
            buckets[i] = e->next;
            free(e);
        }
}
