/* The HL7 FHIR R4 read-only facade under /fhir/r4/: what its handlers share (fhir.c):
 * replies and OperationOutcomes, searchset Bundles and their pages, weekly hours.
 * The search parameters are fhir/params.h's (this header needs only their name);
 * the resources PostgreSQL writes come from store/fhir_*.h; the resources are
 * fhir/directory.c, schedule.c and appointment.c; fhir/metadata.c the
 * CapabilityStatement.  Every answer, errors included, is application/fhir+json. */
#ifndef CLINICD_FHIR_H
#define CLINICD_FHIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/status.h"
#include "domain/cursor.h"
#include "domain/tz.h"
#include "http/request.h"
#include "store/fhir_rows.h"

/* HL7's: the distance of a match from the near point, on Bundle.entry.search */
#define FHIR_EXT_DISTANCE "http://hl7.org/fhir/StructureDefinition/location-distance"

#define FHIR_CONTENT_TYPE "application/fhir+json"

struct fhir_req; /* fhir/params.h */

/* Starts an interaction on r for resource type (NULL for none): fhir_params_begin on
 * r's target and Prefer header.  False only after replying (406 for a _format we do
 * not speak). */
bool fhir_begin(struct fhir_req *f, struct req *r, const char *type, const char *const *known,
                const char *cursor_kinds);
/* True when nothing was recorded in f; otherwise replies 400 with every issue and
 * returns false. */
bool fhir_checked(struct fhir_req *f);

/* The base of our absolute URLs, "http://host:port/fhir/r4" (from Host, else from
 * public_base_url). */
void fhir_base(struct req *r, char *out, size_t outlen);
/* An instant as FHIR writes it, in zone z's offset at that time (UTC when z is NULL). */
void fhir_instant(int64_t t, const struct tz *z, char *out, size_t outlen);

/* Replies status with a resource (stolen), as application/fhir+json. */
void fhir_reply(struct req *r, int status, json_t *resource);
/* Replies an OperationOutcome with one error issue. */
void fhir_outcome(struct req *r, int status, const char *code, const char *diagnostics);
/* 404 for Type/id. */
void fhir_not_found(struct req *r, const char *type, const char *id);
/* Says a reply given in the API's problem+json (a refusal, a database fault) again as
 * an OperationOutcome, keeping its status, Retry-After and WWW-Authenticate.  The
 * router calls it after every ROUTE_FHIR handler (route_run), so that every answer
 * under /fhir/r4 speaks FHIR. */
void fhir_restate(struct req *r);

/* JSON text parsed as an object (NULL when text is NULL or not an object). */
json_t *fhir_object(const char *text);
/* Adds weekly hours (JSON text of [[weekday, start_min, end_min], ...]) to resource as
 * member: merged per day and grouped by days with equal hours, as
 * PractitionerRole.availableTime (location false) or Location.hoursOfOperation. */
void fhir_add_hours(json_t *resource, const char *member, const char *hours_json, bool location);

/* A searchset Bundle being built. */
struct fhir_bundle {
    struct fhir_req *f;
    json_t *entries;
    char base[300];
};
void fhir_bundle_init(struct fhir_bundle *b, struct fhir_req *f);
/* Adds a match (resource stolen; NULL adds nothing); ext (stolen, may be NULL)
 * becomes the entry's search.extension. */
void fhir_bundle_add(struct fhir_bundle *b, json_t *resource, json_t *ext);
/* Adds an informational OperationOutcome entry (search.mode outcome). */
void fhir_bundle_note(struct fhir_bundle *b, const char *diagnostics);
/* Replies 200 with the Bundle: total when total >= 0, links self and (when next is
 * not NULL) next, which carries next as _cursor.  Frees the entries. */
void fhir_bundle_reply(struct fhir_bundle *b, long total, const struct cursor *next);
/* Frees the entries without replying. */
void fhir_bundle_discard(struct fhir_bundle *b);

/* The one resource of a read, from rows visited by fhir_read_row. */
struct fhir_read {
    const char *hours_member; /* where the hours go (NULL: none) */
    bool location;            /* hours of operation rather than available times */
    int n;                    /* rows the read found */
    json_t *resource;         /* the resource when n == 1 and it parsed; the caller's */
};
void fhir_read_row(void *ctx, const struct fhir_row *row);

/* A page of a keyset search, from rows fetched with f->count + 1 rows and visited by
 * fhir_page_row: kind is the cursor kind; 'D' adds each row's distance extension. */
struct fhir_page {
    struct fhir_bundle b;
    char kind;
    const char *hours_member;
    bool location;
    int n;
    struct cursor next;
};
void fhir_page_init(struct fhir_page *p, struct fhir_req *f, char kind, const char *hours_member,
                    bool location);
void fhir_page_row(void *ctx, const struct fhir_row *row);
/* Replies the page (note, when not NULL, as an informational entry) when st is DB_OK,
 * else the failure (and drops the page). */
void fhir_page_reply(struct req *r, enum db_status st, struct fhir_page *p, const char *note);
/* The keyset position (f's _cursor) and the rows to fetch (one more than _count). */
struct fhir_page_args fhir_page_args_of(const struct fhir_req *f);

#include "util/banned.h"
#endif
