/* What every handler needs: the database through the pool, input checks that collect
 * problems per field, and replies built from JSON the database already wrote. */
#include "api/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "util/log.h"
#include "util/parse.h"

struct db_conn *api_db(struct req *r)
{
    if (r->db)
        return r->db;
    enum db_checkout_result rc = db_checkout(app.pool, &r->db);
    if (rc == DB_TIMEOUT)
        reply_unavailable(r, "All database connections are busy; try again shortly.");
    else if (rc == DB_DOWN)
        reply_unavailable(r, NULL);
    return r->db;
}

static void reply_db_error(struct req *r, PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (!state)
        state = "";
    if (strcmp(state, "57014") == 0 || strncmp(state, "08", 2) == 0 ||
        strcmp(state, "57P01") == 0 || strcmp(state, "57P03") == 0) {
        log_warn("request %s: database unavailable (%s)", r->request_id, state);
        reply_unavailable(r, strcmp(state, "57014") == 0
                                 ? "The database took too long to answer; try again."
                                 : NULL);
        return;
    }
    if (strcmp(state, "23P01") == 0 || strcmp(state, "23505") == 0) {
        reply_problem(r, 409, "conflict", NULL, "This conflicts with existing data.", NULL);
        return;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
        reply_unavailable(r, "The database was busy with a conflicting change; try again.");
        return;
    }
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0) {
        char detail[200];
        snprintf(detail, sizeof(detail), "A value breaks a rule (%s).",
                 constraint ? constraint : state);
        reply_problem(r, 422, "invalid", NULL, detail, NULL);
        return;
    }
    log_error("request %s: database error %s: %s", r->request_id, state,
              PQresultErrorMessage(res));
    reply_internal(r);
}

PGresult *api_query(struct req *r, struct db_stmt *st, const char *const *values)
{
    struct db_conn *db = api_db(r);
    if (!db)
        return NULL;
    PGresult *res = db_exec(app.pool, db, st, values);
    if (!res) {
        reply_unavailable(r, NULL);
        return NULL;
    }
    ExecStatusType s = PQresultStatus(res);
    if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
        return res;
    reply_db_error(r, res);
    PQclear(res);
    return NULL;
}

void input_init(struct input *in, struct req *r)
{
    in->r = r;
    in->errors = NULL;
    in->malformed = false;
}

void input_error(struct input *in, const char *field, bool malformed, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!in->errors)
        in->errors = json_array();
    json_array_append_new(in->errors, problem_error(field, msg));
    in->malformed = in->malformed || malformed;
}

bool input_ok(const struct input *in)
{
    return in->errors == NULL;
}

void input_reply(struct input *in)
{
    int status = in->malformed ? 400 : 422;
    json_t *first = json_array_get(in->errors, 0);
    const char *detail = first ? json_string_value(json_object_get(first, "message")) : NULL;
    char d[400];
    snprintf(d, sizeof(d), "%s%s", detail ? detail : "The request has invalid values.",
             json_array_size(in->errors) > 1 ? " (and more: see errors)" : "");
    reply_problem(in->r, status, in->malformed ? "malformed" : "invalid",
                  in->malformed ? "Malformed request" : "Invalid values", d, in->errors);
    in->errors = NULL;
}

void input_release(struct input *in)
{
    json_decref(in->errors);
    in->errors = NULL;
}

const char *q_str(struct input *in, const char *key, size_t maxlen)
{
    const char *vals[2];
    size_t n = target_param_all(&in->r->target, key, vals, 2);
    if (n == 0)
        return NULL;
    if (n > 1) {
        input_error(in, key, true, "%s is given more than once", key);
        return NULL;
    }
    if (strlen(vals[0]) > maxlen) {
        input_error(in, key, false, "%s is longer than %zu characters", key, maxlen);
        return NULL;
    }
    return vals[0];
}

bool q_long(struct input *in, const char *key, long min, long max, long *out)
{
    const char *s = q_str(in, key, 32);
    if (!s)
        return false;
    int rc = parse_long(s, min, max, out);
    if (rc == -1)
        input_error(in, key, true, "%s must be a whole number", key);
    else if (rc == -2)
        input_error(in, key, false, "%s must be from %ld to %ld", key, min, max);
    return rc == 0;
}

bool q_double(struct input *in, const char *key, double min, double max, double *out)
{
    const char *s = q_str(in, key, 32);
    if (!s)
        return false;
    int rc = parse_double(s, min, max, out);
    if (rc == -1)
        input_error(in, key, true, "%s must be a number", key);
    else if (rc == -2)
        input_error(in, key, false, "%s must be from %g to %g", key, min, max);
    return rc == 0;
}

bool q_bool(struct input *in, const char *key, bool *out)
{
    const char *s = q_str(in, key, 8);
    if (!s)
        return false;
    if (parse_bool(s, out) < 0) {
        input_error(in, key, true, "%s must be true or false", key);
        return false;
    }
    return true;
}

size_t q_all(struct input *in, const char *key, const char **values, size_t max)
{
    size_t n = target_param_all(&in->r->target, key, values, max);
    if (n > max) {
        input_error(in, key, false, "%s may be given at most %zu times", key, max);
        return 0;
    }
    return n;
}

void reply_db_json(struct req *r, PGresult *res)
{
    if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
        reply_not_found(r);
        return;
    }
    reply_text(r, 200, "application/json", PQgetvalue(res, 0, 0),
               (size_t)PQgetlength(res, 0, 0));
}

void reply_items(struct req *r, PGresult *res, int nrows, int col, const char *next_cursor)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < nrows; i++) {
        if (i)
            buf_putc(&b, ',');
        buf_append(&b, PQgetvalue(res, i, col), (size_t)PQgetlength(res, i, col));
    }
    buf_puts(&b, "],\"next_cursor\":");
    if (next_cursor) {
        json_t *s = json_string(next_cursor);
        char *enc = json_dumps(s, JSON_ENCODE_ANY);
        buf_puts(&b, enc ? enc : "null");
        free(enc);
        json_decref(s);
    } else {
        buf_puts(&b, "null");
    }
    buf_putc(&b, '}');
    size_t len;
    char *data = buf_detach(&b, &len);
    reply_owned(r, 200, "application/json", data, len);
}
