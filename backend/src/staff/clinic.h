/* The clinic as its staff change it: the body of a PATCH. */
#ifndef CLINICD_STAFF_CLINIC_H
#define CLINICD_STAFF_CLINIC_H

#include "api/common.h"
#include "store/clinic.h"

/* The members a PATCH may hold (NULL-terminated). */
extern const char *const clinic_patch_fields[];

/* Reads {name, website, phone, policy: {min_notice_minutes, booking_horizon_days,
 * cancellation_notice_hours, slot_step_minutes, max_open_bookings_per_contact}} into
 * p (its strings borrowed from body or p's buffers); policy's members are checked
 * against their own list. */
void clinic_patch_parse(struct input *in, json_t *body, struct clinic_patch *p);

#include "util/banned.h"
#endif
