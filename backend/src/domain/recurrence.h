/* A treatment plan's dates: an RFC 5545 RRULE expanded from the wall-clock time of
 * its first session, in the practitioner's zone.  Only the subset a plan needs is
 * accepted (FREQ DAILY, WEEKLY or MONTHLY; INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,
 * WKST), at most RECURRENCE_MAX dates. */
#ifndef CLINICD_RECURRENCE_H
#define CLINICD_RECURRENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/tz.h"

#define RECURRENCE_MAX 52

struct recurrence_date {
    int64_t requested; /* the instant of the date's wall-clock time */
    bool exists;       /* that wall-clock time exists (not in a skipped hour) */
};

/* Expands rrule from start in z into out[0..RECURRENCE_MAX), in strictly increasing
 * order.  Returns the count, or -1 with why (why_len bytes, 200 are enough) saying
 * what is wrong with the rule. */
int recurrence_expand(const char *rrule, int64_t start, const struct tz *z,
                      struct recurrence_date *out, char *why, size_t why_len);

#include "util/banned.h"
#endif
