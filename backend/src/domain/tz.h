/* IANA time zones read from the system's compiled tz database (TZif files), so that
 * local wall-clock times convert to instants without touching the process's TZ. */
#ifndef CLINICD_TZ_H
#define CLINICD_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* The zone called name ("America/New_York"), loaded once and kept for the life of the
 * process (thread-safe).  NULL when there is no such zone or its file is unreadable.
 * The directory is $TZDIR, else /usr/share/zoneinfo. */
const struct tz *tz_get(const char *name);
const char *tz_name(const struct tz *z);
/* The UTC offset in seconds in effect at the instant utc (seconds since the epoch). */
int32_t tz_offset_at(const struct tz *z, int64_t utc);
/* Converts a wall-clock time, given as seconds since 1970-01-01T00:00 local, to
 * instants.  Returns how many instants show that wall time: 0 (it falls in a gap,
 * when clocks go forward), 1, or 2 (it repeats, when clocks go back); *first and
 * *second get the earlier and later instant (equal when there is one). */
int tz_local_to_utc(const struct tz *z, int64_t local, int64_t *first, int64_t *second);

/* Writes an iCalendar VTIMEZONE for the zone's current rules (TZID is the IANA
 * name; a DAYLIGHT and a STANDARD part with yearly RRULEs, or one STANDARD part for
 * a zone without summer time).  Returns 0, or -1 when the zone has no rule to tell. */
int tz_vtimezone(const struct tz *z, char *out, size_t outlen);

/* Calendar helpers on days since 1970-01-01 (proleptic Gregorian). */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);
/* ISO weekday of a day number: 1 = Monday ... 7 = Sunday. */
int iso_weekday(int64_t days);
/* Floor division of seconds into days. */
int64_t day_of(int64_t secs);

#include "util/banned.h"
#endif
