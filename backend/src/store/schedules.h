/* The SQL of a practitioner's schedule for one service (cache/schedule_cache.c): the
 * policy of the clinic, the service, and the locations, weekly hours, time off and
 * bookings as JSON arrays that PostgreSQL built.  Rows are handed to a visitor: their
 * text is the result's own, valid only during the call. */
#ifndef CLINICD_STORE_SCHEDULES_H
#define CLINICD_STORE_SCHEDULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/session.h"

struct store_schedule_row {
    const char *practitioner_id, *clinic_id;
    const char *service_id; /* NULL: no such active service */
    int duration_min, buffer_before_min, buffer_after_min;
    int min_notice_min, horizon_days, step_min, cancel_notice_hours, max_open_per_contact;
    bool service_offered;   /* the practitioner offers the service */
    int64_t now;            /* the database's clock, epoch seconds */
    int64_t revision;       /* migrations/0010_schedule_revisions.sql */
    const char *locations;  /* [[id, time zone], ...] of the active locations, by id */
    const char *hours;      /* [[weekday, start min, end min, valid from day, to day, location]] */
    const char *time_off;   /* [[from, to], ...] epoch seconds */
    const char *busy;       /* [[from, to], ...] the other bookings' blocked ranges */
};
typedef void (*store_schedule_fn)(const struct store_schedule_row *row, void *ctx);

/* The schedules of the practitioners ids (one uuid when one, else a uuid[] literal),
 * active ones only, in the order asked, through fn; *rows: how many.  service_id NULL:
 * each one's shortest service (of minutes length when minutes is not NULL).  Time off
 * and bookings overlapping [from - 1 day, to + 1 day); exclude_booking (may be NULL)
 * left out of the bookings. */
enum db_status store_schedules_read(struct db_session *s, bool one, const char *ids,
                                    const char *service_id, const char *minutes, int64_t from,
                                    int64_t to, const char *exclude_booking,
                                    store_schedule_fn fn, void *ctx, size_t *rows);

#include "util/banned.h"
#endif
