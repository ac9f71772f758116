/* A practitioner's time off in the database: the list the API answers with and the
 * writes, as JSON that PostgreSQL builds. */
#ifndef CLINICD_STORE_TIME_OFF_H
#define CLINICD_STORE_TIME_OFF_H

#include <stddef.h>
#include <stdint.h>

#include "db/session.h"
#include "store/read.h"

/* store_read_json with a: the practitioner.
 * {"items": [{id, start, end, reason}] (ending within the last 31 days or later),
 * "next_cursor": null}, malloc'd into *json (the caller frees it). */
extern const struct store_read store_time_off_list;

/* What an insert answers: the new time off as {id, start, end, reason}, malloc'd (the
 * caller frees json), and its id. */
struct time_off_row {
    char *json;
    size_t len;
    char id[40];
};
/* Inserts time off over [start, end) (epoch seconds) with reason ("" for none). */
enum db_status store_time_off_insert(struct db_session *s, const char *clinic_id,
                                     const char *practitioner_id, int64_t start, int64_t end,
                                     const char *reason, struct time_off_row *out);
/* Deletes time off id of the practitioner; DB_NOT_FOUND when there is none. */
enum db_status store_time_off_delete(struct db_session *s, const char *id,
                                     const char *practitioner_id);

#include "util/banned.h"
#endif
