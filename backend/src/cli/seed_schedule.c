/* Demo schedules: weekly hours, time off and existing bookings for the demo directory.
 * Everything is derived from the practitioners' ids (md5), so the same directory gets
 * the same week; bookings are placed relative to the current week so the directory
 * looks alive whenever it is loaded. */
#include "cli/seed_schedule.h"

#include <stdio.h>
#include <string.h>

#include "store/seed_schedule.h"
#include "util/parse.h"

int seed_schedule_cli(int argc, char **argv, const char *conninfo)
{
    long per = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bookings-per-practitioner") == 0 && i + 1 < argc &&
            parse_long(argv[i + 1], 0, 200, &per) == 0) {
            i++;
        } else {
            fprintf(stderr, "usage: clinicd seed-schedule [--bookings-per-practitioner N (0-200)]\n");
            return 2;
        }
    }
    struct db_direct d;
    struct seed_schedule_counts c;
    int rc = 1;
    if (!db_direct_open(&d, conninfo, 0)) {
        fprintf(stderr, "seed-schedule: cannot connect: %s", d.message);
        goto out;
    }
    if (store_seed_schedule_fill(&d, per, &c) != DB_OK) {
        fprintf(stderr, "seed-schedule: %s", d.message);
        goto out;
    }
    fprintf(stderr, "seed-schedule: %ld weekly hours, %ld time off, %ld bookings\n",
            c.weekly_hours, c.time_off, c.bookings);
    rc = 0;
out:
    db_direct_close(&d);
    return rc;
}
