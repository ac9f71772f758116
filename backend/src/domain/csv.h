/* RFC 4180 CSV: a parser into one block of unescaped, NUL-terminated fields.  Pure:
 * no I/O, no globals; safe on any input. */
#ifndef CLINICD_DOMAIN_CSV_H
#define CLINICD_DOMAIN_CSV_H

#include <stdbool.h>
#include <stddef.h>

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

#include "util/banned.h"
#endif
