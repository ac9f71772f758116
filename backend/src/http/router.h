/* Matching a method and decoded path against the one static route table. */
#ifndef CLINICD_ROUTER_H
#define CLINICD_ROUTER_H

#include <stdbool.h>
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
    ROUTE_FHIR = 1 << 3,      /* answers in FHIR's terms (problem+json as OperationOutcome) */
    ROUTE_PATIENT_WRITE = 1 << 4, /* a patient's write: takes one token of the caller's
                                     write limit before the handler runs (else 429) */
};

/* Who may call a route: every route of the table names one rule (ACCESS_NONE is no
 * rule, and the table check refuses it), and the gate (api/gate.c) applies it before
 * the handler runs, so a handler starts with its caller known (struct req's actor).
 * Staff levels are for routes under /api/v1/clinics/{clinic_id}: the caller must belong
 * to that clinic (or be a platform admin), and API keys need the read or write scope. */
enum route_access {
    ACCESS_NONE = 0,
    ACCESS_PUBLIC,           /* anyone */
    ACCESS_OPS,              /* operators: metrics_allow or metrics_token (else 403) */
    ACCESS_HOLDER,           /* the booking's holder: its token, checked with the booking */
    ACCESS_FEED,             /* a calendar feed's token, checked with the feed */
    ACCESS_SIGNED_IN,        /* any staff session or API key, of any clinic */
    ACCESS_STAFF_READ,       /* any staff of the clinic (practitioners too) */
    ACCESS_STAFF_ADMIN_READ, /* the clinic's admins and platform admins */
    ACCESS_STAFF_ADMIN_WRITE,
    ACCESS_STAFF_SELF_WRITE, /* practitioners too, writing (their own schedule) */
    ACCESS_STAFF_AUDIT,      /* admins holding the audit scope */
    ACCESS_LEVELS,
    /* requirements added to a level */
    ACCESS_PATIENT_DATA = 1 << 8,  /* the patient-data scope (API keys must hold it) */
    ACCESS_PRACTITIONER = 1 << 9,  /* {id} (parameter 1) is a practitioner the caller may
                                      act for: admins, and that practitioner themself */
    ACCESS_PEOPLE = 1 << 10,       /* a person signed in, never an API key (403) */
};
#define ACCESS_LEVEL(a) ((a) & 0xff)

struct req;
typedef void (*route_handler)(struct req *r);

struct route {
    enum http_method method;
    const char *pattern; /* "/api/v1/practitioners/{id}"; "{*}" matches the rest */
    route_handler handler;
    unsigned flags;
    unsigned access; /* enum route_access: a level, with requirements or'ed in */
};

/* Applies the route's access rule, then, when it lets the caller through, the route's
 * handler (a refusal replies 401, 403, 404; or nothing when the read moved to a
 * worker).  Under ROUTE_FHIR, a reply given in the API's problem+json (a refusal,
 * reply_failure, ...) is then said again as an OperationOutcome (fhir_restate).
 * Defined with the table (routes.c). */
void route_run(struct req *r);

#define ROUTE_MAX_PARAMS 4

/* The route table (routes.c) and its length. */
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
