/* Bookings as FHIR Appointment resources, written by PostgreSQL (start and end are
 * left to C, in the location's time zone).  clinic NULL: any clinic (platform
 * admins); practitioner NULL: any practitioner. */
#ifndef CLINICD_STORE_FHIR_APPOINTMENT_H
#define CLINICD_STORE_FHIR_APPOINTMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"

/* Row i of n; the texts are valid only during the visitor's call. */
struct fhir_appointment_row {
    int i, n;
    const char *resource;   /* JSON text without start and end */
    int64_t start, end;     /* Unix times */
    const char *start_text; /* start as the database wrote it (the keyset key) */
    const char *timezone;   /* the location's */
    const char *id, *clinic_id;
};
typedef void (*fhir_appointment_fn)(void *ctx, const struct fhir_appointment_row *row);

struct fhir_time_bound {
    bool set;
    int64_t t;
};

struct fhir_appointment_query {
    const char *clinic, *practitioner;
    /* starts from (inclusive) and to (exclusive): instants, and wall-clock times in
     * the location's zone (seconds since 1970-01-01T00:00 local) */
    struct fhir_time_bound from, from_wall, to, to_wall;
    const char *practitioners, *locations; /* groups of "Type/id" (NULL: not asked) */
    const char *statuses;                  /* groups of booking statuses */
    const char *cursor_start, *cursor_id;  /* after this (start, id) when not NULL */
    long rows;
};

/* Visits the booking id when it is in scope (no row otherwise). */
enum db_status store_fhir_appointment_read(struct db_session *s, const char *clinic,
                                           const char *practitioner, const char *id,
                                           fhir_appointment_fn each, void *ctx);
/* The clinic of booking id into clinic (n bytes); DB_NOT_FOUND when there is none. */
enum db_status store_fhir_booking_clinic(struct db_session *s, const char *id, char *clinic,
                                         size_t n);
/* Visits up to q->rows bookings in (start, id) order. */
enum db_status store_fhir_appointment_search(struct db_session *s,
                                             const struct fhir_appointment_query *q,
                                             fhir_appointment_fn each, void *ctx);

#include "util/banned.h"
#endif
