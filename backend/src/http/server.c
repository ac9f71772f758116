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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "http/client.h"
#include "http/conns.h"
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

/* The session's hook before its first checkout: a read run on an epoll thread stops
 * there (sql_wanted) and is run again from the start by a read worker. */
static bool defer_sql(void *arg)
{
    struct req *r = arg;
    if (!r->inline_read)
        return false;
    r->sql_wanted = true;
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
    db_session_init(&r->db, app.pool, defer_sql, r);
    atomic_fetch_add(&app.in_flight, 1);
    return r;
}

static void release_db(struct req *r)
{
    db_session_end(&r->db);
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
    conns_request_done(conn);
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
/* Reads that need SQL, likewise, by workers of their own with a bounded queue; NULL
 * when they run on the thread that read them. */
static struct workers *readers;

static bool is_write(enum http_method m)
{
    return m != M_GET && m != M_HEAD && m != M_OPTIONS;
}

/* A worker: runs the handler, gives the database connection back, and wakes the
 * connection, whose next call to on_request sends the reply (send_reply). */
static void run_offloaded(struct req *r)
{
    route_run(r);
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

/* Hands r to w while its connection waits, suspended; when w takes no more (its queue
 * is full, or it is stopping), r is answered 503 with detail instead. */
static enum MHD_Result offload(struct req *r, struct workers *w, const char *detail)
{
    r->offloaded = true;
    MHD_suspend_connection(r->conn);
    if (workers_push(w, r))
        return MHD_YES;
    MHD_resume_connection(r->conn);
    r->offloaded = false;
    r->handled = true;
    reply_unavailable(r, detail);
    return MHD_YES;
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

/* What precheck needs of the header lines, in one pass. */
struct head_scan {
    int hosts, lengths, codings_lines;
    const char *host;
    const char *coding; /* the first Transfer-Encoding line */
    bool bad_name;
    /* the transfer codings of every Transfer-Encoding line, as one list */
    int codings, chunked;
    bool last_chunked;
    char other[48]; /* the first coding that is not chunked */
};

static void scan_codings(struct head_scan *h, const char *v)
{
    while (*v) {
        size_t n = strcspn(v, ",");
        size_t a = 0, b = n;
        while (a < b && (v[a] == ' ' || v[a] == '\t'))
            a++;
        while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
            b--;
        if (a < b) { /* (empty list elements do not count) */
            bool chunked = b - a == 7 && strncasecmp(v + a, "chunked", 7) == 0;
            h->codings++;
            h->chunked += chunked;
            h->last_chunked = chunked;
            if (!chunked && !h->other[0])
                snprintf(h->other, sizeof(h->other), "%.*s", (int)(b - a), v + a);
        }
        v += n;
        if (*v == ',')
            v++;
    }
}

/* Every character of s is an ASCII letter or digit or one of punct (true for ""). */
static bool all_alnum_or(const char *s, const char *punct)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(punct, c)))
            return false;
    }
    return true;
}

/* RFC 9110 5.1: a field name is a token. */
static bool is_token(const char *s)
{
    return *s && all_alnum_or(s, "!#$%&'*+-.^_`|~");
}

/* A Host value: uri-host [":" port], as characters go (RFC 3986 reg-name, IP
 * literals); empty is allowed (RFC 9112 3.2). */
static bool is_host_value(const char *s)
{
    return all_alnum_or(s, "-._~!$&'()*+,;=%:[]");
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct head_scan *h = cls;
    if (!key || !is_token(key)) {
        h->bad_name = true;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0) {
        if (h->hosts++ == 0)
            h->host = value ? value : "";
    } else if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        h->lengths++;
    } else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
        if (h->codings_lines++ == 0)
            h->coding = value ? value : "";
        scan_codings(h, value ? value : "");
    }
    return MHD_YES;
}

/* A request whose framing libmicrohttpd would read one way and a proxy in front
 * perhaps another: refused, and the connection closed (RFC 9112 3.2, 5.1, 6.1, 6.3). */
static bool framing_refused(struct req *r, int status, const char *type, const char *title,
                            const char *detail)
{
    reply_problem(r, status, type, title, detail, NULL);
    reply_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    return false;
}

/* Checks how the request is framed; false after setting an error reply.
 * libmicrohttpd 0.9.75 decides by itself only that a first Transfer-Encoding line of
 * exactly "chunked" means chunked, and that any other Transfer-Encoding means a body
 * read until the connection closes; it accepts a field name with a space before the
 * colon as another name, no Host or several, and Transfer-Encoding in HTTP/1.0.  All
 * of that is visible here, before it reads a byte of the body. */
static bool check_framing(struct req *r, const char *version)
{
    struct head_scan h = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, scan_header, &h);
    bool http10 = strcmp(version, MHD_HTTP_VERSION_1_0) == 0 || !*version;
    if (h.bad_name)
        return framing_refused(r, 400, "bad-header", NULL,
                               "A header name holds a space or another character a name may "
                               "not have (as in \"Transfer-Encoding : chunked\").");
    if (h.hosts > 1)
        return framing_refused(r, 400, "bad-host", NULL, "The request has more than one Host header.");
    if (h.hosts == 0 && !http10)
        return framing_refused(r, 400, "bad-host", NULL, "An HTTP/1.1 request needs a Host header.");
    if (h.hosts == 1 && !is_host_value(h.host))
        return framing_refused(r, 400, "bad-host", NULL, "The Host header is not a host name.");
    if (h.lengths > 1)
        return framing_refused(r, 400, "bad-framing", NULL,
                               "The request gives its length twice or in two ways.");
    if (h.codings_lines == 0)
        return true;
    if (http10)
        return framing_refused(r, 400, "bad-framing", NULL,
                               "An HTTP/1.0 request cannot use Transfer-Encoding.");
    if (h.lengths > 0)
        return framing_refused(r, 400, "bad-framing", NULL,
                               "The request gives its length twice or in two ways.");
    /* what libmicrohttpd reads as chunked */
    if (h.codings_lines == 1 && strcasecmp(h.coding, "chunked") == 0)
        return true;
    if (!h.last_chunked || h.chunked != 1)
        return framing_refused(r, 400, "bad-framing", NULL,
                               "The request's transfer codings do not end in chunked (once), "
                               "so where its body ends cannot be known.");
    if (h.other[0]) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "The transfer coding \"%s\" is not supported: send the body with "
                 "Content-Length, or with Transfer-Encoding: chunked alone.", h.other);
        return framing_refused(r, 501, "not-implemented", "Not implemented", detail);
    }
    return framing_refused(r, 400, "bad-framing", NULL,
                           "Send Transfer-Encoding: chunked on one line, without anything "
                           "around it.");
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
static bool precheck(struct req *r, const char *method, const char *version)
{
    r->method = http_method_parse(method);
    const char *rid = req_header(r, "X-Request-Id");
    if (rid && plain_id(rid))
        snprintf(r->request_id, sizeof(r->request_id), "%s", rid);
    /* Ambiguous framing (two Content-Lengths, or one with chunked encoding, and the
     * rest in check_framing) is how requests are smuggled past proxies: refused, and
     * the connection closed. */
    if (!check_framing(r, version))
        return false;
    if (r->uri_too_long) {
        reply_problem(r, 414, "uri-too-long", NULL, "The URL is longer than 2048 bytes.", NULL);
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
    if (r->route->access == ACCESS_OPS && !client_may_read_metrics(r)) {
        reply_problem(r, 403, "forbidden", NULL,
                      "This page is for the service's operators: it is served to the addresses "
                      "in metrics_allow, or with the metrics_token as a Bearer token.",
                      NULL);
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

/* After refuse_body_now's answer, what the client still sends is read and dropped, up
 * to this much or this long, then the connection is closed: closing while its data is
 * unread would reset the connection, and a client still writing would lose the answer. */
#define DRAIN_MAX_BYTES (1024 * 1024)
#define DRAIN_MAX_S 2.0

/* libmicrohttpd 0.9.75 cannot queue a reply once it has begun to hand over a body
 * (MHD_queue_response wants the head only, or the whole request), and reading the rest
 * of a chunked body that will not end is what the cap is there to prevent.  So a body
 * that grows past the cap is refused with a 413 written straight to the socket, and the
 * sending side is shut (the answer is complete).  libmicrohttpd writes nothing
 * meanwhile: it is reading this request, and sent every earlier answer before it began.
 * Returns whether the answer went out. */
static bool refuse_body_now(struct req *r)
{
    r->status = 413;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return false;
    int fd = ci->connect_fd;
    json_t *p = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
                          "https://clinicd.example/problems/body-too-large", "title",
                          "Request body too large", "status", 413, "detail",
                          "The request body is larger than 64 KiB.", "request_id", r->request_id);
    char *body = p ? json_dumps(p, JSON_COMPACT) : NULL;
    json_decref(p);
    if (!body)
        return false;
    char date[64];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 413 Content Too Large\r\nDate: %s\r\nConnection: close\r\n"
                     "Content-Type: application/problem+json\r\nContent-Length: %zu\r\n"
                     "X-Request-Id: %s\r\nX-Content-Type-Options: nosniff\r\n"
                     "Cache-Control: no-store\r\n\r\n",
                     date, strlen(body), r->request_id);
    /* the socket's send buffer is empty: these few hundred bytes do not block; what
     * does not fit at once is given up */
    bool sent = n > 0 && (size_t)n < sizeof(head) &&
                send(fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == n &&
                send(fd, body, strlen(body), MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)strlen(body);
    if (sent) {
        r->response_bytes = strlen(body);
        shutdown(fd, SHUT_WR);
    }
    free(body);
    return sent;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls;
    (void)url;
    struct req *r = *con_cls;
    if (!r)
        return MHD_NO;
    if (!r->started) {
        r->started = true;
        conns_head_done(conn);
        /* An early error is sent at once only when a body is on its way (MHD then closes
         * the connection instead of reading it); otherwise on the next call, which keeps
         * the connection alive. */
        if (!precheck(r, method, version) && has_body(r))
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
        if (r->draining) {
            r->drained += *upload_data_size;
            *upload_data_size = 0;
            return r->drained > DRAIN_MAX_BYTES || elapsed_s(&r->drain_t0) > DRAIN_MAX_S ? MHD_NO
                                                                                     : MHD_YES;
        }
        /* past the cap (a chunked body that never said its length): 413 at once, the
         * rest dropped unread, or read away for a moment (DRAIN_MAX_BYTES) */
        if (buf_append(&r->body, upload_data, *upload_data_size) < 0) {
            if (!refuse_body_now(r))
                return MHD_NO;
            r->draining = true;
            clock_gettime(CLOCK_MONOTONIC, &r->drain_t0);
            buf_release(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->draining)
        return MHD_NO; /* the body ended: close (the answer is out) */
    if (r->body.toobig) {
        reply_problem(r, 413, "body-too-large", NULL, "The request body is larger than 64 KiB.",
                      NULL);
        return send_reply(r);
    }
    if (writers && is_write(r->method))
        return offload(r, writers, "The service is shutting down; please try again.");
    /* A read runs here, on the epoll thread, as long as memory answers it; at its first
     * need of the database (db_session_conn) it stops, and a read worker runs it again
     * from the start (what it did so far only warmed caches; its answer is dropped). */
    r->inline_read = readers != NULL;
    route_run(r);
    r->inline_read = false;
    if (!r->sql_wanted)
        return send_reply(r);
    if (r->response) {
        MHD_destroy_response(r->response);
        r->response = NULL;
    }
    r->status = 0;
    r->response_bytes = 0;
    release_db(r);
    /* every read worker busy and the queue full: 503 now, rather than a wait that
     * would grow without bound */
    return offload(r, readers, "Too many searches and other database reads at once; try again shortly.");
}

/* Every suspended connection must be resumed before the daemon stops; the workers are
 * freed only after it has (a request on a kept-alive connection may still come). */
static void stop_workers(void)
{
    if (writers)
        workers_stop(writers, refuse_offloaded);
    if (readers)
        workers_stop(readers, refuse_offloaded);
}

static void free_workers(void)
{
    workers_free(writers);
    writers = NULL;
    workers_free(readers);
    readers = NULL;
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

    if (client_init(cfg) < 0)
        return 1;
    metrics_init(routes_count);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    unsigned pool_threads = 0;
    if (cfg->http_threads > 0) {
        flags |= MHD_USE_EPOLL;
        pool_threads = (unsigned)cfg->http_threads;
        /* (suspending is for event loops: a thread per connection may simply wait) */
        if (cfg->http_workers > 0)
            writers = workers_start((int)cfg->http_workers, 0, run_offloaded);
        if (cfg->http_read_workers > 0)
            readers = workers_start((int)cfg->http_read_workers, (size_t)cfg->http_read_queue,
                                    run_offloaded);
        if (writers || readers)
            flags |= MHD_ALLOW_SUSPEND_RESUME;
    } else {
        flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
    }
    struct MHD_Daemon *d = NULL;
    if (conns_start(cfg) == 0)
        d = MHD_start_daemon(
            flags, (uint16_t)cfg->port, conns_accept, NULL, on_request, NULL,
            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->http_max_connections,
            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->http_timeout_s,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->http_memory_limit_kb * 1024,
            MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
            MHD_OPTION_NOTIFY_CONNECTION, conns_notify, NULL,
            MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
            pool_threads ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool_threads,
            MHD_OPTION_END);
    if (!d) {
        log_error("cannot listen on %s:%ld: %s", cfg->listen_address, cfg->port, strerror(errno));
        free_workers();
        conns_stop();
        client_release();
        metrics_free();
        return 1;
    }
    log_info("serving on http://%s:%ld (%s%s%s)", cfg->listen_address, cfg->port,
             !pool_threads ? "thread per connection" : "thread pool",
             writers ? ", workers for writes" : "", readers ? ", workers for database reads" : "");

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
    stop_workers();
    MHD_stop_daemon(d);
    free_workers();
    conns_stop();
    client_release();
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    metrics_free();
    log_flush();
    log_info("stopped");
    return 0;
}
