/* The demo schedules' statements: weekly hours, time off and bookings for the demo
 * directory (`clinicd seed-schedule`). */
#ifndef CLINICD_STORE_SEED_SCHEDULE_H
#define CLINICD_STORE_SEED_SCHEDULE_H

#include "db/direct.h"

struct seed_schedule_counts {
    long weekly_hours, time_off, bookings;
};

/* In one transaction: a week of hours for every active practitioner without hours,
 * time off for some, and per_practitioner future bookings for each who has none.
 * The rows each step added into out; on failure d->message says why. */
enum db_status store_seed_schedule_fill(struct db_direct *d, long per_practitioner,
                                        struct seed_schedule_counts *out);

#include "util/banned.h"
#endif
