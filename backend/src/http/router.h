/* Matching a method and decoded path against the one static route table. */
#ifndef CLINICD_ROUTER_H
#define CLINICD_ROUTER_H

#include <stddef.h>

#include "http/query.h"

enum http_method {
    M_GET = 1 << 0,
    M_HEAD = 1 << 1,
    M_POST = 1 << 2,
    M_PUT = 1 << 3,
    M_PATCH = 1 << 4,
    M_DELETE = 1 << 5,
    M_OPTIONS = 1 << 6,
    M_OTHER = 1 << 7,
};

enum route_flags {
    ROUTE_BODY_JSON = 1 << 0, /* expects an application/json body */
    ROUTE_BODY_CSV = 1 << 1,  /* accepts text/csv too */
    ROUTE_NO_DB = 1 << 2,     /* never touches the database */
    ROUTE_OPS = 1 << 3,       /* for operators: metrics_allow or metrics_token (403) */
};

struct req;
typedef void (*route_handler)(struct req *r);

struct route {
    enum http_method method;
    const char *pattern; /* "/api/v1/practitioners/{id}"; "{*}" matches the rest */
    route_handler handler;
    unsigned flags;
};

#define ROUTE_MAX_PARAMS 4

/* The route table (api/routes.c) and its length. */
extern const struct route routes[];
extern const size_t routes_count;

enum http_method http_method_parse(const char *s);
const char *http_method_name(enum http_method m);

/* Finds the route for method m and the path segments of t.  Path parameters are
 * pointed into t's segments.  Returns NULL when none matches; then *allowed holds the
 * methods that would match the path (0: the path is unknown, a 404). HEAD matches
 * GET routes. */
const struct route *router_match(const struct route *table, size_t n, const struct target *t,
                                 enum http_method m, const char **params, size_t *nparams,
                                 unsigned *allowed);
/* Formats a method mask as "GET, HEAD, POST". */
void router_allow_header(unsigned allowed, char *out, size_t outlen);

#include "util/banned.h"
#endif
