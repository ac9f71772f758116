/* A CSV file of practitioners checked as a whole: the header, then every row through
 * pract_check, every problem named by row, line and column.  Pure: no I/O. */
#ifndef CLINICD_DOMAIN_PRACTITIONER_IMPORT_H
#define CLINICD_DOMAIN_PRACTITIONER_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/csv.h"
#include "domain/practitioner_check.h"

#define CSV_MAX_ROWS 10000      /* data rows, the header not counted */
#define CSV_MAX_COLUMNS 200
#define CSV_MAX_FIELD_BYTES 5000

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

#include "util/banned.h"
#endif
