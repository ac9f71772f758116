/* A practitioner's weekly hours in the database: the list the API answers with (JSON
 * that PostgreSQL builds), the rules as numbers for the overlap check, and the
 * writes.  Also whether a practitioner is the route's clinic's, and works at a
 * location.  Every function returns DB_OK or the status of what failed. */
#ifndef CLINICD_STORE_HOURS_H
#define CLINICD_STORE_HOURS_H

#include <stdbool.h>
#include <stddef.h>

#include "db/session.h"
#include "store/read.h"
#include "domain/weekly_hours.h"

/* DB_OK when practitioner_id is one of clinic_id's practitioners, else DB_NOT_FOUND. */
enum db_status store_practitioner_in_clinic(struct db_session *s, const char *practitioner_id,
                                            const char *clinic_id);

/* store_read_json with a: the practitioner.
 * {"items": [{id, weekday, start_time, end_time, location_id, valid_from, valid_to}],
 * "next_cursor": null}, malloc'd into *json (the caller frees it). */
extern const struct store_read store_hours_list;

/* The practitioner's rules, at most max of them, into out[0..*n). */
enum db_status store_hours_rules(struct db_session *s, const char *practitioner_id,
                                 struct week_rule *out, size_t max, size_t *n);

/* *works: the practitioner works at location_id. */
enum db_status store_hours_works_at(struct db_session *s, const char *practitioner_id,
                                    const char *location_id, bool *works);

/* A rule as written: times "HH:MM", dates "YYYY-MM-DD" or NULL. */
struct hours_row {
    int weekday;
    const char *location_id, *start_time, *end_time, *valid_from, *valid_to;
};

/* Inserts one rule; its new id into id_out (40 bytes) when not NULL. */
enum db_status store_hours_insert(struct db_session *s, const char *clinic_id,
                                  const char *practitioner_id, const struct hours_row *row,
                                  char *id_out);
/* Deletes every rule of the practitioner. */
enum db_status store_hours_delete_all(struct db_session *s, const char *practitioner_id);
/* Deletes rule id of the practitioner; DB_NOT_FOUND when there is none. */
enum db_status store_hours_delete(struct db_session *s, const char *id,
                                  const char *practitioner_id);

#include "util/banned.h"
#endif
