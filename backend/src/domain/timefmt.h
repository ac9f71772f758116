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
/* "2026-03-08" -> days since 1970-01-01; -1 when not a real date of that form. */
int date_parse(const char *s, int64_t *days);
void date_format(int64_t days, char *out, size_t outlen);

#include "util/banned.h"
#endif
