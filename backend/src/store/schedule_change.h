/* What a change to a practitioner's hours or time off does to their open bookings,
 * in the database: the lock that keeps bookings out while it runs, the open future
 * bookings, and cancelling one the change strands (with the patient's notice). */
#ifndef CLINICD_STORE_SCHEDULE_CHANGE_H
#define CLINICD_STORE_SCHEDULE_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "db/session.h"

/* Inside a transaction: takes the practitioner's booking lock (the one
 * store_booking_lock_practitioner takes, "practitioner:<id>"), so that no booking
 * lands while the change runs. */
enum db_status store_schedule_change_lock(struct db_session *s, const char *practitioner_id);

struct open_booking {
    char id[40];
    int64_t start, end;     /* epoch seconds */
    char email[320];
};
/* The practitioner's open bookings that have not ended, in start order: a malloc'd
 * array into *out (the caller frees it; NULL when none) of *n. */
enum db_status store_schedule_change_bookings(struct db_session *s, const char *practitioner_id,
                                     struct open_booking **out, size_t *n);

/* Cancels open booking b by staff for reason and writes the patient's notice with
 * payload (JSON text). */
enum db_status store_schedule_change_cancel(struct db_session *s, const char *clinic_id,
                                   const struct open_booking *b, const char *reason,
                                   const char *payload);

#include "util/banned.h"
#endif
