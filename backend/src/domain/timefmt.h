/* RFC 3339 instants and ISO dates, strictly parsed and formatted. */
#ifndef CLINICD_TIMEFMT_H
#define CLINICD_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-03-08T10:00:00-05:00", "...Z", with optional fractional seconds (which must
 * be zero: the service works in whole seconds).  Returns 0 and the instant in *out,
 * or -1 when s is not that form or names an impossible date or time. */
int rfc3339_parse(const char *s, int64_t *out);
/* Formats t in the given UTC offset (seconds), "Z" when it is zero.  out needs 26 bytes. */
void rfc3339_format(int64_t t, int32_t offset, char *out, size_t outlen);
/* Room for what rfc3339_write writes: enough for the year of any instant and the
 * hours of any offset (38 characters), not only the usual 25. */
#define RFC3339_MAX 48
/* The same text as rfc3339_format, written at out without a terminating NUL: out
 * needs RFC3339_MAX bytes.  Returns the length (20, or 25 with an offset, for years
 * 0 to 9999).  For writing many instants straight into a reply: no snprintf. */
size_t rfc3339_write(int64_t t, int32_t offset, char *out);
/* The date part of the last instant written with it, so that instants on the same
 * local day skip the calendar arithmetic.  Start one with RFC3339_MEMO_INIT. */
struct rfc3339_memo {
    int64_t day;   /* the local day of date, INT64_MIN for none */
    char date[11]; /* "2026-03-08T" */
};
#define RFC3339_MEMO_INIT {INT64_MIN, {0}}
/* rfc3339_write, remembering the date in *m for the next instant. */
size_t rfc3339_write_memo(struct rfc3339_memo *m, int64_t t, int32_t offset, char *out);
/* "2026-03-08" -> days since 1970-01-01; -1 when not a real date of that form. */
int date_parse(const char *s, int64_t *days);
void date_format(int64_t days, char *out, size_t outlen);

#include "util/banned.h"
#endif
