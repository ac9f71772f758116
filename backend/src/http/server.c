/* The libmicrohttpd daemon: limits, the request life cycle, logging and shutdown. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"
#include "http/metrics.h"
#include "http/reply.h"
#include "http/request.h"
#include "http/workers.h"
#include "util/alloc.h"
#include "util/log.h"

const char *req_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *r, const char *key)
{
    return target_param(&r->target, key);
}

/* The q of one Accept-Encoding member's parameters (";q=0.5"): 1 when absent. */
static double coding_q(const char *params, const char *end)
{
    for (const char *p = params; p < end; p++) {
        while (p < end && (*p == ';' || *p == ' ' || *p == '\t'))
            p++;
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char num[8] = {0};
            size_t k = 0;
            for (p += 2; p < end && k < sizeof(num) - 1 && *p != ';'; p++)
                num[k++] = *p;
            return strtod(num, NULL);
        }
        while (p < end && *p != ';')
            p++;
    }
    return 1.0;
}

bool req_accepts_gzip(struct req *r)
{
    const char *v = req_header(r, "Accept-Encoding");
    double gzip = -1, any = -1;
    while (v && *v) {
        const char *end = strchr(v, ',');
        if (!end)
            end = v + strlen(v);
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        size_t n = 0;
        while (v + n < end && v[n] != ';' && v[n] != ' ' && v[n] != '\t')
            n++;
        double q = coding_q(v + n, end);
        if ((n == 4 && strncasecmp(v, "gzip", 4) == 0) || (n == 6 && strncasecmp(v, "x-gzip", 6) == 0))
            gzip = q;
        else if (n == 1 && *v == '*')
            any = q;
        v = *end ? end + 1 : end;
    }
    return gzip >= 0 ? gzip > 0 : any > 0;
}

const char *req_param(struct req *r, size_t i)
{
    return i < r->nparams ? r->params[i] : "";
}

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A client-supplied X-Request-Id is kept when it is short and plain. */
static bool plain_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 36)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* Called by MHD as soon as the request line is read, before the headers. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    struct req *r = xcalloc(1, sizeof(*r));
    r->conn = conn;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    if (strlen(uri) > URL_MAX_BYTES)
        r->uri_too_long = true;
    else
        r->raw_uri = xstrdup(uri);
    buf_init(&r->body, BODY_MAX_BYTES);
    unsigned char rnd[12];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(r->request_id, sizeof(r->request_id), rnd, sizeof(rnd));
    atomic_fetch_add(&app.in_flight, 1);
    return r;
}

static void release_db(struct req *r)
{
    if (r->db) {
        db_checkin(app.pool, r->db);
        r->db = NULL;
    }
}

static void log_request(struct req *r, double secs)
{
    char ts[40];
    log_timestamp(ts, sizeof(ts));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:i, s:f, s:I}", "ts", ts, "level",
                          "info", "msg", "request", "request_id", r->request_id, "method",
                          http_method_name(r->method),
                          "route", r->route ? r->route->pattern : NULL, "status", r->status,
                          "ms", secs * 1000.0, "bytes", (json_int_t)r->response_bytes);
    /* the path only: query strings can hold what a patient typed */
    if (r->target.path)
        json_object_set_new(o, "path", json_string(r->target.path));
    char *line = json_dumps(o, JSON_COMPACT);
    if (line)
        log_line_stdout(line);
    free(line);
    json_decref(o);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    double secs = elapsed_s(&r->t0);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && r->status == 0)
        r->status = 499; /* the client went away before a reply */
    size_t idx = r->route ? (size_t)(r->route - routes) : routes_count;
    metrics_observe(idx, r->status, secs);
    log_request(r, secs);
    release_db(r);
    if (r->response)
        MHD_destroy_response(r->response);
    target_release(&r->target);
    buf_release(&r->body);
    free(r->raw_uri);
    free(r);
    atomic_fetch_sub(&app.in_flight, 1);
}

/* Writes are run by workers while their connection waits, suspended (workers.h);
 * NULL when every request runs on the thread that read it. */
static struct workers *writers;

static bool is_write(enum http_method m)
{
    return m != M_GET && m != M_HEAD && m != M_OPTIONS;
}

/* A worker: runs the handler, gives the database connection back, and wakes the
 * connection, whose next call to on_request sends the reply (send_reply). */
static void run_offloaded(struct req *r)
{
    r->route->handler(r);
    release_db(r);
    r->handled = true;
    MHD_resume_connection(r->conn);
}

/* A request still queued when the workers stop: answered without being run. */
static void refuse_offloaded(struct req *r)
{
    reply_unavailable(r, "The service is shutting down; please try again.");
    r->handled = true;
    MHD_resume_connection(r->conn);
}

static enum MHD_Result send_reply(struct req *r)
{
    release_db(r);
    if (!r->response) {
        log_error("handler for %s set no reply", r->route ? r->route->pattern : "?");
        reply_internal(r);
        if (!r->response)
            return MHD_NO;
    }
    return MHD_queue_response(r->conn, (unsigned)r->status, r->response);
}

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    (void)value;
    if (key && strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        (*(int *)cls)++;
    return MHD_YES;
}

static bool has_body(struct req *r)
{
    const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return (cl && strcmp(cl, "0") != 0) || req_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    return (n == 16 && strncasecmp(ct, "application/json", 16) == 0) ||
           (n == 24 && strncasecmp(ct, "application/problem+json", 24) == 0) ||
           (n == 22 && strncasecmp(ct, "application/merge-patch+json", 22) == 0);
}

static bool is_csv_type(const char *ct)
{
    return ct && strncasecmp(ct, "text/csv", 8) == 0 && (ct[8] == '\0' || ct[8] == ';');
}

/* Checks everything that can be checked before the body arrives.  Returns false
 * after setting an error reply. */
static bool precheck(struct req *r, const char *method)
{
    r->method = http_method_parse(method);
    const char *rid = req_header(r, "X-Request-Id");
    if (rid && plain_id(rid))
        snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
    if (r->uri_too_long) {
        reply_problem(r, 414, "uri-too-long", NULL, "The URL is longer than 2048 bytes.", NULL);
        return false;
    }
    /* Ambiguous framing (two Content-Lengths, or one with chunked encoding) is how
     * requests are smuggled past proxies: refused, and the connection closed. */
    int lengths = 0;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_length, &lengths);
    if (lengths > 1 || (lengths == 1 && req_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING))) {
        reply_problem(r, 400, "bad-framing", NULL,
                      "The request gives its length twice or in two ways.", NULL);
        reply_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
        return false;
    }
    /* a declared body over the cap is refused before it is read, whatever the route */
    const char *cl = req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end = NULL;
        errno = 0;
        unsigned long long n = strtoull(cl, &end, 10);
        if (errno != 0 || end == cl || *end != '\0' || n > BODY_MAX_BYTES) {
            reply_problem(r, 413, "body-too-large", NULL, "The request body is larger than 64 KiB.",
                          NULL);
            return false;
        }
    }
    switch (target_parse(&r->target, r->raw_uri)) {
    case TARGET_OK:
        break;
    case TARGET_BAD_QUERY: /* (a parameter without a name is named as the query) */
        reply_problem(r, 400, "bad-query", NULL,
                      "The query string has a bad %-escape or is not valid UTF-8.",
                      json_pack("[o]", problem_error(*r->target.bad_param ? r->target.bad_param
                                                                           : "query",
                                                     "a bad %-escape or invalid UTF-8")));
        return false;
    case TARGET_TOO_MANY:
        reply_problem(r, 400, "bad-query", NULL, "Too many query parameters or path segments.",
                      NULL);
        return false;
    default:
        reply_problem(r, 400, "bad-path", NULL, "The path is malformed.", NULL);
        return false;
    }
    for (size_t i = 0; i < r->target.nparams; i++)
        if (!*r->target.params[i].key) {
            reply_problem(r, 400, "bad-query", NULL, "A query parameter has no name (as in ?=x).",
                          json_pack("[o]", problem_error("query", "a parameter without a name")));
            return false;
        }
    unsigned allowed = 0;
    r->route = router_match(routes, routes_count, &r->target, r->method, r->params, &r->nparams,
                            &allowed);
    if (!r->route) {
        if (!allowed) {
            reply_not_found(r);
        } else {
            char allow[96];
            router_allow_header(allowed, allow, sizeof(allow));
            char detail[160];
            snprintf(detail, sizeof(detail), "Use one of: %s.", allow);
            reply_problem(r, 405, "method-not-allowed", NULL, detail, NULL);
            reply_header(r, MHD_HTTP_HEADER_ALLOW, allow);
        }
        return false;
    }
    if (r->route->flags & (ROUTE_BODY_JSON | ROUTE_BODY_CSV)) {
        const char *ct = req_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
        bool ok = !has_body(r) || is_json_type(ct) || ((r->route->flags & ROUTE_BODY_CSV) && is_csv_type(ct));
        if (!ok) {
            reply_problem(r, 415, "unsupported-media-type", NULL,
                          (r->route->flags & ROUTE_BODY_CSV)
                              ? "Send application/json or text/csv."
                              : "Send the body as application/json.",
                          NULL);
            return false;
        }
    }
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)conn;
    (void)url;
    (void)version;
    struct req *r = *con_cls;
    if (!r)
        return MHD_NO;
    if (!r->started) {
        r->started = true;
        /* An early error is sent at once only when a body is on its way (MHD then closes
         * the connection instead of reading it); otherwise on the next call, which keeps
         * the connection alive. */
        if (!precheck(r, method) && has_body(r))
            return send_reply(r);
        return MHD_YES;
    }
    if (r->response || r->handled) {
        *upload_data_size = 0;
        return send_reply(r);
    }
    if (r->offloaded)
        return MHD_YES; /* (not called while suspended; nothing to do) */
    if (*upload_data_size > 0) {
        /* past the cap (a chunked body that never said its length) the connection is
         * closed at once: libmicrohttpd cannot answer in the middle of an upload, and
         * reading the rest would let a client make us read without end */
        if (buf_append(&r->body, upload_data, *upload_data_size) < 0)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->body.toobig) {
        reply_problem(r, 413, "body-too-large", NULL, "The request body is larger than 64 KiB.",
                      NULL);
        return send_reply(r);
    }
    if (writers && is_write(r->method)) {
        r->offloaded = true;
        MHD_suspend_connection(conn);
        workers_push(writers, r);
        return MHD_YES;
    }
    r->route->handler(r);
    return send_reply(r);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

int server_run(void)
{
    const struct config *cfg = app.cfg;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->listen_address, &addr.sin_addr) != 1) {
        log_error("config: listen_address: not an IPv4 address (got '%s')", cfg->listen_address);
        return 1;
    }

    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* threads started below inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    metrics_init(routes_count);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    unsigned pool_threads = 0;
    if (cfg->http_threads > 0) {
        flags |= MHD_USE_EPOLL;
        pool_threads = (unsigned)cfg->http_threads;
        /* (suspending is for event loops: a thread per connection may simply wait) */
        if (cfg->http_workers > 0) {
            flags |= MHD_ALLOW_SUSPEND_RESUME;
            writers = workers_start((int)cfg->http_workers, run_offloaded);
        }
    } else {
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    }
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->http_max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->http_memory_limit_kb * 1024,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
        pool_threads ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool_threads,
        MHD_OPTION_END);
    if (!d) {
        log_error("cannot listen on %s:%ld: %s", cfg->listen_address, cfg->port, strerror(errno));
        if (writers)
            workers_stop(writers, refuse_offloaded);
        writers = NULL;
        metrics_free();
        return 1;
    }
    log_info("serving on http://%s:%ld (%s)", cfg->listen_address, cfg->port,
             !pool_threads ? "thread per connection"
             : writers     ? "thread pool, workers for writes"
                           : "thread pool");

    int sig = 0;
    sigwait(&sigs, &sig);
    atomic_store(&app.draining, true);
    log_info("signal %d: draining; readiness now 503", sig);
    MHD_socket listen_fd = MHD_quiesce_daemon(d); /* no new connections */
    for (long waited = 0; atomic_load(&app.in_flight) > 0 && waited < cfg->shutdown_grace_s * 10;
         waited++)
        usleep(100 * 1000);
    long left = atomic_load(&app.in_flight);
    if (left > 0)
        log_warn("stopping with %ld requests still in flight", left);
    /* every suspended connection must be resumed before the daemon stops */
    if (writers)
        workers_stop(writers, refuse_offloaded);
    writers = NULL;
    MHD_stop_daemon(d);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    metrics_free();
    log_flush();
    log_info("stopped");
    return 0;
}
