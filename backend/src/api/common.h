/* What every handler needs: the database through the pool, input checks that collect
 * problems per field, and replies built from JSON the database already wrote. */
#ifndef CLINICD_API_COMMON_H
#define CLINICD_API_COMMON_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/outcome.h"
#include "db/pool.h"
#include "http/reply.h"
#include "http/request.h"

/* The request's database connection, checked out on first use.  NULL after replying
 * 503 when no connection could be had. */
struct db_conn *api_db(struct req *r);

/* Runs a statement on the request's connection.  Returns the result when it succeeded
 * (the caller PQclear()s it); otherwise replies (503 when the database is unreachable
 * or timed out, 409/422 for constraint violations, 500 otherwise) and returns NULL. */
PGresult *api_query(struct req *r, struct db_stmt *st, const char *const *values);

/* Like api_query, but a statement that fails in the database (a constraint, say) is
 * returned for the caller to inspect (PQresultStatus, SQLSTATE) instead of replied.
 * NULL only when the connection is lost, after replying 503. */
PGresult *api_exec(struct req *r, struct db_stmt *st, const char *const *values);
/* The SQLSTATE of a failed result, or "" for a successful one. */
const char *api_sqlstate(PGresult *res);
/* Replies to a failed result with the generic mapping api_query uses: the database's
 * faults (disk full 53100, out of memory and other 53xxx, read-only 25006, cannot
 * connect now 57P03, I/O errors 58030 and 58000) are 503s with a Retry-After and a
 * "reason" member ("disk-full", "read-only", ...), remembered for readiness
 * (db_pool_note_fault); lost connections, timeouts and serialization failures 503s
 * too; constraint violations 409 or 422; the rest 500. */
void api_reply_db_error(struct req *r, PGresult *res);

/* The per-client limit on patients' writes (booking, moving, cancelling, plans, the
 * waitlist): takes cost tokens from the bucket of the request's client address
 * (config patient_writes_per_hour and patient_write_burst).  False after replying 429
 * with Retry-After.  Staff and API-key routes do not call it. */
bool patient_rate(struct req *r, long cost);
/* Patients' writes refused by it so far (for /metrics). */
long patient_rate_refusals(void);
/* Transactions on the request's connection: each returns false after replying. */
bool api_begin(struct req *r);
bool api_commit(struct req *r);
void api_rollback(struct req *r);
/* A parameterless command (SAVEPOINT ...); false after replying. */
bool api_command(struct req *r, const char *sql);

/* Collected input problems; replied as one problem+json listing every field. */
struct input {
    struct req *r;
    json_t *errors;
    bool malformed; /* something did not parse at all: 400 rather than 422 */
};

void input_init(struct input *in, struct req *r);
void input_error(struct input *in, const char *field, bool malformed, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* True when no problem was recorded. */
bool input_ok(const struct input *in);
/* Replies 400 or 422 with every recorded problem, and frees them. */
void input_reply(struct input *in);
/* Frees what input holds without replying. */
void input_release(struct input *in);

/* Query parameters.  Each returns true when the parameter is present and valid (out
 * set); false when absent (out untouched) or invalid (a problem recorded).  A
 * parameter given twice is a problem, except through q_all. */
const char *q_str(struct input *in, const char *key, size_t maxlen);
bool q_long(struct input *in, const char *key, long min, long max, long *out);
bool q_double(struct input *in, const char *key, double min, double max, double *out);
bool q_bool(struct input *in, const char *key, bool *out);
size_t q_all(struct input *in, const char *key, const char **values, size_t max);

/* The request body as a JSON object, or NULL after recording a problem (400 for
 * malformed JSON, invalid UTF-8 or a body that is not an object; a missing body too). */
json_t *body_object(struct input *in);
/* Records a problem for every member of obj not named in allowed (NULL-terminated). */
void body_only(struct input *in, json_t *obj, const char *prefix, const char *const *allowed);
/* Member name of obj as one line of text, 1..maxlen characters: no control
 * character, line break or DEL (util/parse.h, text_clean TEXT_LINE; a 422 naming the
 * field).  Returns NULL when absent (a problem when required) or of the wrong type,
 * content or length (a problem).  Every single-line field of the API is read with it
 * (q_str holds query parameters to the same rule). */
const char *body_str(struct input *in, json_t *obj, const char *prefix, const char *name,
                     bool required, size_t maxlen);
/* The same for text of several lines (notes, a bio, a cancellation reason typed in a
 * text area): line feeds and carriage returns allowed, no other control character. */
const char *body_text(struct input *in, json_t *obj, const char *prefix, const char *name,
                      bool required, size_t maxlen);
/* Member name as a UUID string; a problem when it is not one. */
const char *body_uuid(struct input *in, json_t *obj, const char *prefix, const char *name,
                      bool required);
/* Member name as an RFC 3339 instant; returns true when present and valid. */
bool body_instant(struct input *in, json_t *obj, const char *prefix, const char *name,
                  bool required, int64_t *out);
/* A plausible e-mail address (one '@', no spaces, at most 254 characters). */
bool plausible_email(const char *s);

/* Replies 200 with the JSON text a query produced in column 0 of row 0. */
void reply_db_json(struct req *r, PGresult *res);
/* Replies {"items": [rows' column col joined], "next_cursor": cursor-or-null}, using
 * nrows rows. */
void reply_items(struct req *r, PGresult *res, int nrows, int col, const char *next_cursor);
/* Records a problem in in for every query parameter not in allowed (NULL-terminated):
 * a typo must not silently change what a request does. */
void only_params(struct input *in, const char *const *allowed);
/* A keyset page: res holds up to limit + 1 rows (the extra one says there is more).
 * Returns how many rows to answer with and writes into next (CURSOR_MAX_TEXT bytes)
 * the cursor after the last of them, of the given kind, its sort key in column
 * key_col and its id in id_col; "" when there is no more. */
int page_cut(PGresult *res, long limit, char kind, int key_col, int id_col, char *next);

#include "util/banned.h"
#endif
