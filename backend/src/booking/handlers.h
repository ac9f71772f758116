/* The patient's booking routes: availability, bookings, series and the waitlist. */
#ifndef CLINICD_BOOKING_HANDLERS_H
#define CLINICD_BOOKING_HANDLERS_H

#include "http/request.h"

void availability_get(struct req *r);
void bookings_create(struct req *r);
void bookings_get(struct req *r);
void bookings_cancel(struct req *r);
void bookings_reschedule(struct req *r);
void series_create(struct req *r);
void waitlist_create(struct req *r);

#include "util/banned.h"
#endif
