/* The FHIR R4 facade's search parameters, read strictly from a request target:
 * names, _format, _pretty, _count and _cursor, comma lists, references, tokens,
 * strings, and dates with prefixes.  Pure: problems are recorded in struct fhir_req
 * (OperationOutcome issues), never replied; fhir.c replies them (fhir_checked) and
 * handlers that need the request (token resolvers) find it in f->r.  A resolver's
 * read that failed is kept in f->failure for the handler to reply.
 *
 * Handling is strict: a search parameter, modifier or value the server does not
 * support is a problem naming it, never silently ignored, unless the client asks for
 * "Prefer: handling=lenient" (then unknown parameters are ignored and left out of the
 * self link, and _count is capped; values still have to make sense). */
#ifndef CLINICD_FHIR_PARAMS_H
#define CLINICD_FHIR_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/status.h"
#include "domain/cursor.h"
#include "domain/tz.h"

struct req;
struct target;

#define FHIR_COUNT_DEFAULT 20
#define FHIR_COUNT_MAX 100
#define FHIR_MAX_AND 5  /* repetitions of one parameter (each one must hold) */
#define FHIR_MAX_OR 10  /* comma-separated values of one parameter (any may match) */

/* One read or search being answered: the parameters the interaction supports and
 * the problems found in the request so far. */
struct fhir_req {
    struct req *r;                /* the request (for resolvers); NULL in unit tests */
    const struct target *target;  /* its query parameters */
    const char *type;             /* "Practitioner" */
    const char *const *known;     /* the parameters of the interaction, NULL-terminated */
    bool lenient;                 /* Prefer: handling=lenient */
    json_t *issues;               /* OperationOutcome.issue entries; NULL while none */
    long count;                   /* _count */
    bool have_cursor;             /* _cursor (our paging position) was given and valid */
    struct cursor cursor;
    enum db_status failure;       /* a resolver's read that failed (DB_OK: none) */
};

/* Starts reading the parameters of t for resource type (NULL for none); prefer is
 * the Prefer header (may be NULL).  Checks _format, _pretty, and (for searches:
 * known != NULL) every parameter's name, _count and _cursor, whose kind must be one
 * of cursor_kinds.  Problems are recorded.  False when _format asks for something
 * other than JSON (the caller replies 406; f holds nothing then). */
bool fhir_params_begin(struct fhir_req *f, const struct target *t, const char *prefer,
                       const char *type, const char *const *known, const char *cursor_kinds);
/* True when key is a parameter of f's interaction (or a common one): it belongs in
 * the self link. */
bool fhir_param_used(const struct fhir_req *f, const char *key);
/* One OperationOutcome.issue (a new object). */
json_t *fhir_issue_new(const char *severity, const char *code, const char *diagnostics);
/* Records a problem with a parameter (param may be NULL); code is an IssueType
 * ("invalid", "not-supported", "too-costly", ...). */
void fhir_issue(struct fhir_req *f, const char *code, const char *param, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Frees what f holds. */
void fhir_release(struct fhir_req *f);

/* The value of a parameter that may be given once (a problem when repeated or
 * empty); NULL when absent. */
const char *fhir_one(struct fhir_req *f, const char *key);
/* Splits value at unescaped commas into at most max parts (FHIR's "any of" lists),
 * unescaping "\,".  The parts point into buf.  Returns the number of parts, or
 * max + 1 when there are more. */
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
 * when a read it needed failed (after setting f->failure; it replies nothing). */
typedef int (*fhir_token_fn)(struct fhir_req *f, const char *key, const char *code, char *out,
                             size_t n);
/* Token parameters ("[system|]code"): groups as in fhir_references, each value the
 * resolver's output.  system is the one code system the codes belong to: a value
 * with another system matches nothing.  Returns NULL when absent or on a problem;
 * *failed is set when a resolver's read failed (f->failure: the handler replies it,
 * reply_failure). */
char *fhir_tokens(struct fhir_req *f, const char *key, const char *system, fhir_token_fn resolve,
                  bool *failed);
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
/* Parses one date/dateTime search value (no prefix) into the range [lo, hi) its
 * precision stands for; *wall is set when it has no offset.  Returns 0 or -1. */
int fhir_date_parse(const char *s, int64_t *lo, int64_t *hi, bool *wall);
/* The first instant at or after wall-clock time wall in z. */
int64_t fhir_wall_to_utc(const struct tz *z, int64_t wall);

/* A FHIR id: [A-Za-z0-9\-.]{1,64}. */
bool fhir_is_id(const char *s);

#include "util/banned.h"
#endif
