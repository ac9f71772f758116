/* The clinic's day schedule (bookings with patient details): its query, read into a
 * struct. */
#ifndef CLINICD_STAFF_DAY_SCHEDULE_H
#define CLINICD_STAFF_DAY_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "api/common.h"

#define SCHEDULE_MAX_DAYS 62

/* The range from the query's from and to (either may be NULL): dates (whole days in
 * any clinic's zone: from the earliest zone's midnight to the latest zone's end of
 * day) or RFC 3339 instants.  from defaults to today's midnight UTC (now's), to to a
 * week after from.  At most SCHEDULE_MAX_DAYS days; to not before from.  Problems are
 * named "from" and "to".  Returns input_ok(in). */
bool day_range_parse(struct input *in, const char *from_s, const char *to_s, int64_t now,
                     int64_t *from, int64_t *to);

/* GET .../schedule?from&to&practitioner&include_cancelled */
struct day_schedule_query {
    int64_t from, to;
    const char *practitioner; /* NULL: every practitioner */
    bool with_cancelled;
};
bool day_schedule_parse(struct input *in, int64_t now, struct day_schedule_query *q);

#include "util/banned.h"
#endif
