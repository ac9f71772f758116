/* A CSV file of practitioners checked as a whole. */
#include "domain/practitioner_import.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/parse.h"

enum col_kind { COL_TEXT, COL_BOOL, COL_LANGS, COL_LIST };

static const struct {
    const char *name;
    enum col_kind kind;
    bool required;
} columns[] = {
    {"name", COL_TEXT, true},         {"profession", COL_TEXT, true},
    {"credentials", COL_TEXT, false}, {"bio", COL_TEXT, false},
    {"languages", COL_LANGS, false},  {"accepting_new", COL_BOOL, false},
    {"home_visits", COL_BOOL, false}, {"sliding_scale", COL_BOOL, false},
    {"techniques", COL_LIST, false},  {"conditions", COL_LIST, false},
    {"location_ids", COL_LIST, true}, {"service_ids", COL_LIST, false},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

struct row_ctx {
    json_t *errors;
    size_t row, line;
    const bool *missing; /* columns[] the header lacks: reported once, not per row */
};

/* row 0: not known (the file could not be read that far as CSV) */
static void add_error(json_t *errors, size_t row, size_t line, const char *field, const char *msg)
{
    json_array_append_new(errors, json_pack("{s:o, s:I, s:s, s:s}", "row",
                                            row ? json_integer((json_int_t)row) : json_null(),
                                            "line", (json_int_t)line, "field", field, "message",
                                            msg));
}

static void row_problem(void *ctx, const char *field, const char *msg)
{
    struct row_ctx *rc = ctx;
    for (size_t j = 0; rc->missing && j < NCOLUMNS; j++)
        if (rc->missing[j] && strcmp(columns[j].name, field) == 0)
            return;
    add_error(rc->errors, rc->row, rc->line, field, msg);
}

/* s[0..len) without surrounding white space, as a new JSON string. */
static json_t *trimmed(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return len ? json_stringn(s, len) : NULL;
}

/* Splits a cell at any of seps into an array of trimmed, non-empty strings. */
static json_t *split(const char *s, size_t len, const char *seps)
{
    json_t *arr = json_array();
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && !strchr(seps, s[i]))
            continue;
        json_t *part = trimmed(s + start, i - start);
        if (part)
            json_array_append_new(arr, part);
        start = i + 1;
    }
    return arr;
}

/* Reads the header into col_of (CSV column -> columns[] index, -1 for a column that
 * is unknown or repeated) and missing (required columns[] it lacks); reports every
 * problem.  The rows can be checked after any of them. */
static void read_header(const struct csv *c, int *col_of, bool *missing, json_t *errors)
{
    bool seen[NCOLUMNS] = {0};
    size_t ncols = c->rec[0].nfields, line = c->rec[0].line;
    for (size_t k = 0; k < ncols; k++) {
        size_t len = 0;
        const char *h = csv_field(c, 0, k, &len);
        json_t *name = trimmed(h, len);
        char msg[400], v[64];
        col_of[k] = -1;
        for (size_t j = 0; name && j < NCOLUMNS && col_of[k] < 0; j++)
            if (strcasecmp(json_string_value(name), columns[j].name) == 0)
                col_of[k] = (int)j;
        if (!name) {
            snprintf(msg, sizeof(msg), "column %zu has no name in the header row", k + 1);
            add_error(errors, 1, line, "header", msg);
        } else if (col_of[k] < 0) {
            snprintf(msg, sizeof(msg),
                     "unknown column '%s'; the columns are name, profession, credentials, bio, "
                     "languages, accepting_new, home_visits, sliding_scale, techniques, "
                     "conditions, location_ids and service_ids",
                     check_shown(json_string_value(name), v, sizeof(v)));
            add_error(errors, 1, line, check_shown(json_string_value(name), v, sizeof(v)), msg);
        } else if (seen[col_of[k]]) {
            snprintf(msg, sizeof(msg), "the column '%s' appears twice", columns[col_of[k]].name);
            add_error(errors, 1, line, columns[col_of[k]].name, msg);
            col_of[k] = -1;
        } else {
            seen[col_of[k]] = true;
        }
        json_decref(name);
    }
    for (size_t j = 0; j < NCOLUMNS; j++)
        if (columns[j].required && !seen[j]) {
            char msg[200];
            snprintf(msg, sizeof(msg), "the header row needs a '%s' column", columns[j].name);
            add_error(errors, 1, line, columns[j].name, msg);
            missing[j] = true;
        }
}

/* The row's cells as a practitioner in the API's JSON shape; problems go to rc. */
static json_t *row_source(const struct csv *c, size_t rec, const int *col_of, struct row_ctx *rc)
{
    json_t *src = json_object();
    for (size_t k = 0; k < c->rec[rec].nfields; k++) {
        size_t len = 0;
        const char *s = csv_field(c, rec, k, &len);
        if (col_of[k] < 0)
            continue; /* reported with the header */
        const char *name = columns[col_of[k]].name;
        if (len > CSV_MAX_FIELD_BYTES) {
            char msg[120];
            snprintf(msg, sizeof(msg), "%s is longer than %d bytes", name, CSV_MAX_FIELD_BYTES);
            row_problem(rc, name, msg);
            continue;
        }
        json_t *cell = trimmed(s, len);
        if (!cell)
            continue; /* empty: absent */
        switch (columns[col_of[k]].kind) {
        case COL_TEXT:
            json_object_set(src, name, cell);
            break;
        case COL_BOOL: {
            bool b;
            if (parse_bool(json_string_value(cell), &b) == 0) {
                json_object_set_new(src, name, json_boolean(b));
            } else {
                char msg[160], v[40];
                snprintf(msg, sizeof(msg), "%s must be true or false (or yes/no, 1/0), not '%s'",
                         name, check_shown(json_string_value(cell), v, sizeof(v)));
                row_problem(rc, name, msg);
            }
            break;
        }
        case COL_LANGS:
            json_object_set_new(src, name, split(s, len, " ;,\t\n"));
            break;
        case COL_LIST:
            json_object_set_new(src, name, split(s, len, ";"));
            break;
        }
        json_decref(cell);
    }
    return src;
}

size_t import_check(const struct catalog *cat, const char *data, size_t len,
                    struct import_result *res, progress_fn progress, void *ctx)
{
    struct csv c;
    struct csv_error cerr;
    int *col_of = NULL;
    res->rows = json_array();
    res->errors = json_array();
    res->nrows = 0;
    res->malformed = false;
    if (csv_parse(data, len, CSV_MAX_ROWS + 1, CSV_MAX_COLUMNS, &c, &cerr) < 0) {
        char msg[260];
        if (cerr.record > CSV_MAX_ROWS)
            snprintf(msg, sizeof(msg), "the file has more than %d rows; split it", CSV_MAX_ROWS);
        else if (strstr(cerr.message, "too many columns"))
            snprintf(msg, sizeof(msg), "a row has more than %d columns", CSV_MAX_COLUMNS);
        else
            snprintf(msg, sizeof(msg), "%s", cerr.message);
        add_error(res->errors, cerr.record, cerr.line, "file", msg);
        res->malformed = cerr.record <= CSV_MAX_ROWS && !strstr(cerr.message, "too many");
        return 1;
    }
    if (c.nrec == 0) {
        add_error(res->errors, 1, 1, "file",
                  "the file is empty: it needs a header row naming the columns, then one row "
                  "per practitioner");
        goto out;
    }
    col_of = xcalloc(c.rec[0].nfields, sizeof(*col_of));
    bool missing[NCOLUMNS] = {0};
    read_header(&c, col_of, missing, res->errors);
    size_t ncols = c.rec[0].nfields;
    res->nrows = c.nrec - 1;
    if (res->nrows == 0) {
        add_error(res->errors, 1, c.rec[0].line, "file",
                  "the file has a header row but no practitioners");
        goto out;
    }
    for (size_t rec = 1; rec < c.nrec; rec++) {
        struct row_ctx rc = {res->errors, rec + 1, c.rec[rec].line, missing};
        if (progress && rec % 256 == 0)
            progress(ctx, rec, res->nrows);
        if (c.rec[rec].nfields != ncols) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "the row has %zu fields where the header has %zu (a missing or extra comma, "
                     "or a quote left open?)",
                     c.rec[rec].nfields, ncols);
            row_problem(&rc, "row", msg);
            continue;
        }
        size_t before = json_array_size(res->errors);
        json_t *src = row_source(&c, rec, col_of, &rc);
        json_t *p = pract_check(cat, src, PRACT_CREATE, true, row_problem, &rc);
        json_decref(src);
        if (p && json_array_size(res->errors) == before)
            json_array_append_new(res->rows, p);
        else
            json_decref(p);
    }
    if (progress)
        progress(ctx, res->nrows, res->nrows);
out:
    free(col_of);
    csv_release(&c);
    return json_array_size(res->errors);
}

void import_result_release(struct import_result *res)
{
    json_decref(res->rows);
    json_decref(res->errors);
    res->rows = res->errors = NULL;
}
