/* One HTTP request as handlers see it: target, body, route parameters, reply state. */
#ifndef CLINICD_REQUEST_H
#define CLINICD_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "db/session.h"
#include "domain/actor.h"
#include "http/query.h"
#include "http/router.h"
#include "util/buf.h"
#include "util/netaddr.h"

#define URL_MAX_BYTES 2048
#define BODY_MAX_BYTES (64 * 1024)

struct MHD_Connection;
struct MHD_Response;

struct req {
    struct MHD_Connection *conn;
    enum http_method method;
    char *raw_uri;              /* as received, NULL when longer than URL_MAX_BYTES */
    bool uri_too_long;
    struct target target;       /* decoded path and query */
    const struct route *route;  /* NULL until matched */
    const char *params[ROUTE_MAX_PARAMS];
    size_t nparams;
    struct buf body;            /* capped at BODY_MAX_BYTES */
    bool started;
    char request_id[40];
    struct timespec t0;
    /* the reply */
    int status;
    struct MHD_Response *response;
    size_t response_bytes;
    /* the request's database session: a pooled connection taken on first use (or the
     * read deferred to a worker, inline_read) and returned before the reply is sent */
    struct db_session db;
    /* handed to a worker (http/workers.h): the connection is suspended meanwhile */
    bool offloaded, handled;
    struct req *queued_next;
    /* a read run on an epoll thread: its first need of the database (db_session_conn on
     * the request's session) stops it (sql_wanted) and it is run again from the start by
     * a read worker */
    bool inline_read, sql_wanted;
    /* a body over the cap, answered 413 already: the rest is read away, then closed */
    bool draining;
    size_t drained;
    struct timespec drain_t0;
    /* the caller, as the route's access rule found them (routes.c, api/gate.c) */
    bool actor_known;
    struct auth actor;
    /* client_address, worked out once */
    bool client_known;
    char client[NETADDR_TEXT_MAX];
    struct netaddr client_addr;
};

/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* The first value of a query parameter, or NULL. */
const char *req_query(struct req *r, const char *key);
/* Whether the client takes gzip (Accept-Encoding: gzip, x-gzip or *, not at q=0). */
bool req_accepts_gzip(struct req *r);
/* The i-th path parameter of the route ("{id}"). */
const char *req_param(struct req *r, size_t i);

#include "util/banned.h"
#endif
