/* The availability answers kept gzipped (booking/availability.c): their owner. */
#ifndef CLINICD_BOOKING_AVAILABILITY_H
#define CLINICD_BOOKING_AVAILABILITY_H

#include "core/owner.h"

/* Registered by main.c: nothing to start or stop (the answers are kept in a bounded
 * cache made on first use); its /metrics lines count the answers sent gzipped, kept
 * from before or made (clinicd_availability_gzipped_total). */
extern const struct owner availability_answers_owner;

#include "util/banned.h"
#endif
