/* A clinic's booking policy as pure rules: how far ahead a patient may book (minimum
 * notice, horizon), until when the holder may cancel or move online (the
 * cancellation window), and how many open bookings one contact may hold. */
#ifndef CLINICD_BOOKING_POLICY_H
#define CLINICD_BOOKING_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* What the policy says of a requested start. */
enum start_rule {
    START_OK,
    START_PAST,    /* at or before now */
    START_NOTICE,  /* inside the minimum notice */
    START_HORIZON, /* at or past the booking horizon */
};

/* The rule for start at now, with min_notice_min minutes of notice and a horizon of
 * horizon_days days. */
enum start_rule booking_start_rule(int64_t now, int min_notice_min, int horizon_days,
                                   int64_t start);

/* The last instant a booking starting at start can be cancelled or moved online,
 * with notice_hours hours of notice. */
int64_t booking_cancellable_until(int64_t start, int64_t notice_hours);
/* Whether at now the holder may still cancel or move it online. */
bool booking_cancellable(int64_t now, int64_t start, int64_t notice_hours);

/* Whether a contact holding open bookings may take adding more under a limit of
 * max_open. */
bool booking_within_limit(long open, long adding, int max_open);

#include "util/banned.h"
#endif
