/* What every handler needs: the database through the pool, input checks that collect
 * problems per field, and replies built from JSON the database already wrote. */
#ifndef CLINICD_API_COMMON_H
#define CLINICD_API_COMMON_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

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

/* Replies 200 with the JSON text a query produced in column 0 of row 0. */
void reply_db_json(struct req *r, PGresult *res);
/* Replies {"items": [rows' column col joined], "next_cursor": cursor-or-null}, using
 * nrows rows. */
void reply_items(struct req *r, PGresult *res, int nrows, int col, const char *next_cursor);

#include "util/banned.h"
#endif
