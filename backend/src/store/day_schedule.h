/* The clinic's day schedule in the database: bookings with patient details over a
 * range, for the front desk and the practitioners. */
#ifndef CLINICD_STORE_DAY_SCHEDULE_H
#define CLINICD_STORE_DAY_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"

#define DAY_SCHEDULE_MAX_ITEMS 2000

/* {"items": [booking...], "next_cursor": null}: the clinic's bookings overlapping
 * [from, to) (epoch seconds), of one practitioner when practitioner_id is not NULL,
 * cancelled ones only with with_cancelled; in start order, at most
 * DAY_SCHEDULE_MAX_ITEMS.  Malloc'd into *json (the caller frees it). */
enum db_status store_day_schedule(struct db_session *s, const char *clinic_id, int64_t from,
                                  int64_t to, const char *practitioner_id, bool with_cancelled,
                                  char **json, size_t *len);

#include "util/banned.h"
#endif
