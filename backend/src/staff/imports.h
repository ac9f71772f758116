/* Practitioners in bulk: an RFC 4180 CSV parser, the checks a practitioner must pass
 * (shared by the JSON API and CSV imports), and the statements that load what the
 * checks need and insert many practitioners in a few round trips.  Nothing here knows
 * about HTTP: the request handlers and `clinicd import` both call it. */
#ifndef CLINICD_IMPORTS_H
#define CLINICD_IMPORTS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/pool.h"

/* --- CSV --------------------------------------------------------------------------- */

#define CSV_MAX_ROWS 10000      /* data rows, the header not counted */
#define CSV_MAX_COLUMNS 200
#define CSV_MAX_FIELD_BYTES 5000

/* A parsed file: every field unescaped and NUL-terminated in one block. */
struct csv {
    char *text;              /* the fields, each followed by a NUL */
    size_t *field;           /* offset of each field in text */
    size_t *field_len;       /* its length in bytes (it holds no NUL) */
    size_t nfields;
    struct csv_record {
        size_t first;        /* index of its first field */
        size_t nfields;
        size_t line;         /* the physical line it starts on, from 1 */
    } *rec;
    size_t nrec;
};

struct csv_error {
    size_t line;             /* where parsing stopped, from 1 */
    size_t record;           /* the record (row) it was in, from 1 */
    char message[160];
};

/* Parses len bytes of CSV: fields separated by commas, records by CRLF, LF or CR;
 * fields in double quotes may hold commas, line breaks and doubled quotes.  A UTF-8
 * byte order mark is skipped; blank lines are skipped.  The text must be UTF-8 without
 * NUL or other control characters (tab and line breaks aside).  At most max_records
 * records and max_fields fields in any record.  Field lengths are not limited here.
 * Returns 0 and fills out (release it with csv_release), or -1 with err filled and
 * out left empty.  Pure: no I/O, no globals; safe on any input. */
int csv_parse(const char *data, size_t len, size_t max_records, size_t max_fields,
              struct csv *out, struct csv_error *err);
void csv_release(struct csv *c);
/* Field col of record rec (both from 0), or NULL when the record is shorter. */
const char *csv_field(const struct csv *c, size_t rec, size_t col, size_t *len);

/* --- what practitioners may refer to ------------------------------------------------ */

/* The vocabulary (professions, techniques, conditions with names and aliases) and one
 * clinic's locations and services, loaded in one query (import_catalog_load). */
struct catalog_entry {
    char kind;     /* 'p' profession, 't' technique, 'c' condition, 'L' location, 'S' service */
    char *text;    /* slug, name or alias; a location's or service's name */
    char id[40];   /* a vocabulary id or a uuid */
    bool active;
};
struct catalog {
    struct catalog_entry *e;
    size_t n;
};
void catalog_release(struct catalog *cat);

/* --- checking a practitioner -------------------------------------------------------- */

/* Where problems go: field names the input field ("techniques"), msg says what is
 * wrong with it in a sentence. */
typedef void (*problem_fn)(void *ctx, const char *field, const char *msg);

enum pract_mode {
    PRACT_CREATE,  /* name, profession and location_ids are required */
    PRACT_UPDATE,  /* any subset; null clears credentials and bio */
};

/* Checks a practitioner given as JSON, the shape of the API's POST body:
 * {name, profession, credentials, bio, languages [], accepting_new, home_visits,
 *  sliding_scale, techniques [], conditions [], service_ids [], location_ids []}.
 * Techniques, conditions and the profession are matched by slug, name or alias in any
 * case; with by_name, locations and services may also be given by their name (CSV).
 * Reports every problem through problem and returns NULL, or returns a new object
 * holding only what was given, resolved: profession_id, technique_ids, condition_ids,
 * languages lower-cased, ids as uuid text (and with PRACT_CREATE, every column with
 * its default filled in).  Does not look at members it does not know (the caller
 * rejects those).  Pure. */
json_t *pract_check(const struct catalog *cat, json_t *src, enum pract_mode mode, bool by_name,
                    problem_fn problem, void *ctx);

/* True for a two-letter ISO 639-1 language code (lower case). */
bool iso639_1(const char *code);

/* --- importing a CSV file ----------------------------------------------------------- */

/* The outcome of checking a whole file. */
struct import_result {
    json_t *rows;      /* resolved practitioners (pract_check's output), in file order */
    json_t *errors;    /* [{row, line, field, message}]: row counts the header as row 1 */
    size_t nrows;      /* data rows seen */
    bool malformed;    /* the file is not readable CSV at all (bad quoting or encoding) */
};

/* Called every so often while rows are checked (may be NULL). */
typedef void (*progress_fn)(void *ctx, size_t done, size_t total);

/* Checks a CSV file against the catalog: the header (known columns, no duplicates,
 * the required ones present), then every row, collecting every problem.  Never stops
 * at the first problem, except for a file that does not parse at all.  Fills res (the
 * caller releases it with import_result_release); returns the number of problems.
 * Pure. */
size_t import_check(const struct catalog *cat, const char *data, size_t len,
                    struct import_result *res, progress_fn progress, void *ctx);
void import_result_release(struct import_result *res);

/* --- the database ------------------------------------------------------------------- */

/* How the shared statements are run: by the request's pooled connection, or by the
 * command line's own.  exec returns NULL when the connection is lost, otherwise a
 * result of any status (the caller's to inspect and PQclear). */
struct import_db {
    PGresult *(*exec)(void *ctx, struct db_stmt *st, const char *const *values);
    void *ctx;
};

/* Loads the vocabulary and clinic_id's locations and services.  Returns 0, or -1 with
 * *failed set to the failed result (NULL when the connection was lost) for the caller
 * to report and PQclear. */
int import_catalog_load(const struct import_db *db, const char *clinic_id, struct catalog *cat,
                        PGresult **failed);

/* Rows inserted per statement: large enough to be fast, small enough to show progress. */
#define IMPORT_CHUNK 500

/* Inside the caller's transaction: inserts rows[from, from + n) of resolved
 * practitioners (pract_check's PRACT_CREATE output) with their links, appending their
 * new ids in order to ids.  Returns 0, or -1 with *failed as for import_catalog_load. */
int import_insert(const struct import_db *db, const char *clinic_id, json_t *rows, size_t from,
                  size_t n, json_t *ids, PGresult **failed);

#include "util/banned.h"
#endif
