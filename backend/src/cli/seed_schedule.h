/* Demo schedules: weekly hours, time off and existing bookings for the demo directory. */
#ifndef CLINICD_SEED_SCHEDULE_H
#define CLINICD_SEED_SCHEDULE_H

/* Runs `clinicd seed-schedule [--bookings-per-practitioner N]`.  Gives every
 * practitioner without hours a believable week (derived from their id, so the same
 * directory always gets the same hours), time off for some, and N future bookings
 * each that fit their hours (relative to the current week).  Practitioners who have
 * hours already are left alone.  Returns an exit code. */
int seed_schedule_cli(int argc, char **argv, const char *conninfo);

#include "util/banned.h"
#endif
