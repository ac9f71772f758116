/* The HL7 FHIR R4 read-only facade under /fhir/r4/: what its files share (fhir.c,
 * replies and Bundles; fhir_params.c, search parameters; fhir_directory.c,
 * fhir_schedule.c and fhir_appointment.c, the resources; fhir_metadata.c, the
 * CapabilityStatement).
 *
 * Handling is strict: a search parameter, modifier or value the server does not
 * support is a 400 OperationOutcome naming it, never silently ignored, unless the
 * client asks for "Prefer: handling=lenient" (then unknown parameters are ignored
 * and left out of the self link, and _count is capped; values still have to make
 * sense).  Every
 * answer, errors included, is application/fhir+json. */
#ifndef CLINICD_FHIR_H
#define CLINICD_FHIR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/common.h"
#include "domain/cursor.h"
#include "domain/tz.h"

/* Our own code systems and extensions. */
#define FHIR_OURS "https://clinicd.example/fhir"
#define FHIR_CS_PROFESSION FHIR_OURS "/CodeSystem/profession"
#define FHIR_CS_TECHNIQUE FHIR_OURS "/CodeSystem/technique"
#define FHIR_CS_SERVICE FHIR_OURS "/CodeSystem/service"
#define FHIR_EXT_WHEELCHAIR FHIR_OURS "/StructureDefinition/wheelchair-accessible"
#define FHIR_EXT_TIMEZONE FHIR_OURS "/StructureDefinition/timezone"
#define FHIR_EXT_SLOT_LOCATION FHIR_OURS "/StructureDefinition/slot-location"
/* HL7's: the distance of a match from the near point, on Bundle.entry.search */
#define FHIR_EXT_DISTANCE "http://hl7.org/fhir/StructureDefinition/location-distance"

#define FHIR_CONTENT_TYPE "application/fhir+json"
#define FHIR_COUNT_DEFAULT 20
#define FHIR_COUNT_MAX 100
#define FHIR_MAX_AND 5  /* repetitions of one parameter (each one must hold) */
#define FHIR_MAX_OR 10  /* comma-separated values of one parameter (any may match) */

/* One read or search being answered: the parameters the interaction supports and
 * the problems found in the request so far. */
struct fhir_req {
    struct req *r;
    const char *type;          /* "Practitioner" */
    const char *const *known;  /* the parameters of the interaction, NULL-terminated */
    bool lenient;              /* Prefer: handling=lenient */
    json_t *issues;            /* OperationOutcome.issue entries; NULL while none */
    long count;                /* _count */
    bool have_cursor;          /* _cursor (our paging position) was given and valid */
    struct cursor cursor;
};

/* Starts an interaction on r for resource type (NULL for none).  Checks _format,
 * _pretty, Prefer, and (for searches: known != NULL) every parameter's name, _count
 * and _cursor, whose kind must be one of cursor_kinds.  Problems are recorded, not
 * replied: the caller goes on checking its own parameters and then calls
 * fhir_checked.  False only after replying (406 for a _format we do not speak). */
bool fhir_begin(struct fhir_req *f, struct req *r, const char *type, const char *const *known,
                const char *cursor_kinds);
/* True when key is a parameter of f's interaction (or a common one): it belongs in
 * the self link. */
bool fhir_param_used(const struct fhir_req *f, const char *key);
/* One OperationOutcome.issue. */
json_t *fhir_issue_new(const char *severity, const char *code, const char *diagnostics);
/* Records a problem with a parameter (param may be NULL); code is an IssueType
 * ("invalid", "not-supported", "too-costly", ...). */
void fhir_issue(struct fhir_req *f, const char *code, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* True when nothing was recorded; otherwise replies 400 with every issue and returns
 * false. */
bool fhir_checked(struct fhir_req *f);
/* Frees what f holds (safe after fhir_checked). */
void fhir_release(struct fhir_req *f);

/* The value of a parameter that may be given once (a problem when repeated or
 * empty); NULL when absent. */
const char *fhir_one(struct fhir_req *f, const char *key);
/* Splits value at unescaped commas into at most max parts (FHIR's "any of" lists),
 * unescaping "\,", "\|", "\$" and "\\".  The parts point into buf.  Returns the number
 * of parts, or max + 1 when there are more. */
size_t fhir_split(const char *value, char *buf, size_t buflen, const char **parts, size_t max);

/* Reference parameters ("Location/{id}", "{id}" or an absolute URL ending so) as a
 * JSON array text of groups, one group per repetition of key (all must match), each
 * an array of "Type/id" strings (any may match).  A bare id becomes one entry per
 * type in types (NULL-terminated).  A reference to another type or a malformed id is
 * a problem.  Returns NULL when key is absent (or on a problem); the caller frees. */
char *fhir_references(struct fhir_req *f, const char *key, const char *const *types);

/* The resolver of a token: returns 1 and writes the value to match into out (n
 * bytes) when code names something, 0 when it names nothing (a valid search that
 * matches nothing), -1 when the code is malformed (after recording a problem), -2
 * after replying (503). */
typedef int (*fhir_token_fn)(struct fhir_req *f, const char *key, const char *code, char *out,
                             size_t n);
/* Token parameters ("[system|]code"): groups as in fhir_references, each value the
 * resolver's output.  system is the one code system the codes belong to: a value
 * with another system matches nothing.  Returns NULL when absent or on a problem;
 * *replied is set when the resolver replied. */
char *fhir_tokens(struct fhir_req *f, const char *key, const char *system, fhir_token_fn resolve,
                  bool *replied);
/* True when groups (from fhir_references or fhir_tokens) hold a group no value can
 * satisfy (every code of a repetition was unknown or of another system): the search
 * matches nothing. */
bool fhir_groups_unmatchable(const char *groups);
/* String parameters (case- and accent-insensitive "starts with" matches) as groups of
 * the values; NULL when absent. */
char *fhir_strings(struct fhir_req *f, const char *key);

/* A date range from one or more date parameters ("ge2026-12-01", "lt2026-12-08T09:00:00Z",
 * "2026-12"): lower bounds inclusive, upper bounds exclusive.  Values with an offset
 * (or Z) are instants; values without one are wall-clock times (seconds since
 * 1970-01-01T00:00 local) for the caller to place in the right time zone. */
struct fhir_bound {
    bool set;
    int64_t t;
};
struct fhir_range {
    struct fhir_bound lo, hi;           /* instants */
    struct fhir_bound lo_wall, hi_wall; /* wall-clock times */
};
/* Reads every repetition of key into range (untouched when absent).  Supported
 * prefixes: eq (or none), ge, gt, le, lt; the rest are problems. */
void fhir_dates(struct fhir_req *f, const char *key, struct fhir_range *range);
/* The first instant at or after wall-clock time wall in z. */
int64_t fhir_wall_to_utc(const struct tz *z, int64_t wall);

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
/* Runs a handler and turns any problem+json it (or a shared helper such as
 * api_query or auth_staff) replied into an OperationOutcome with the same status and
 * headers, so that every answer under /fhir/r4 speaks FHIR. */
void fhir_run(struct req *r, void (*handler)(struct req *r));
/* Says a reply given in the API's problem+json (a refusal, a database fault) again as
 * an OperationOutcome, keeping its status, Retry-After and WWW-Authenticate. */
void fhir_restate(struct req *r);

/* Column col of row of res parsed as a JSON object (NULL if it is not one). */
json_t *fhir_row(PGresult *res, int row, int col);
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
/* Adds a match (resource stolen); ext (stolen, may be NULL) becomes the entry's
 * search.extension. */
void fhir_bundle_add(struct fhir_bundle *b, json_t *resource, json_t *ext);
/* Adds an informational OperationOutcome entry (search.mode outcome). */
void fhir_bundle_note(struct fhir_bundle *b, const char *diagnostics);
/* Replies 200 with the Bundle: total when total >= 0, links self and (when next is
 * not NULL) next, which carries next as _cursor.  Frees the entries. */
void fhir_bundle_reply(struct fhir_bundle *b, long total, const struct cursor *next);

/* A FHIR id: [A-Za-z0-9\-.]{1,64}. */
bool fhir_is_id(const char *s);

#include "util/banned.h"
#endif
