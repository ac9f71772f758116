/* A clinic's practitioners as its staff keep them: the list, one, update (with the
 * lists of what they offer and where), deactivate.  A new practitioner is written by
 * the import engine's import_insert (staff/imports.h), as a CSV row would be. */
#ifndef CLINICD_STORE_PRACTITIONERS_H
#define CLINICD_STORE_PRACTITIONERS_H

#include <stddef.h>

#include "db/session.h"
#include "store/read.h"
#include "store/audit.h"
#include "store/open_bookings.h"
#include "store/staff_page.h"

/* A page of the clinic's practitioners by name ({"items", "next_cursor"}: a cursor of
 * kind 'n' after the last), active "true", "false" or NULL for all; after_name and
 * after_id NULL for the first page. */
enum db_status store_practitioners_list(struct db_session *s, const char *clinic_id,
                                        const char *active, const char *after_name,
                                        const char *after_id, long limit, struct staff_page *out);
/* store_read_json with a: the clinic, b: the id.  One practitioner as JSON text PostgreSQL built (malloc'd); DB_NOT_FOUND when the
 * clinic has none of this id. */
extern const struct store_read store_practitioners_get;

/* What an update changes, as text (NULL: unchanged).  languages is a JSON array;
 * location_ids the JSON array of the locations kept (NULL when not given); links the
 * JSON object of pract_check's output, whose location_ids, service_ids,
 * technique_ids and condition_ids lists replace the ones there are. */
struct practitioner_update {
    const char *name, *profession_id, *credentials, *bio, *languages;
    const char *accepting_new, *home_visits, *sliding_scale, *active;
    const char *location_ids, *links;
};
/* One transaction: the update; when location_ids is given, the open future bookings at
 * locations taken away (DB_CONFLICT and open->count when there are any: the update is
 * refused); the links; audit row e.  DB_NOT_FOUND when there is no such
 * practitioner. */
enum db_status store_practitioners_update(struct db_session *s, const char *clinic_id,
                                          const char *id, const struct practitioner_update *u,
                                          const struct audit_entry *e,
                                          struct open_bookings *open);
/* store_deactivate (store/open_bookings.h) with the practitioners' statements. */
enum db_status store_practitioners_deactivate(struct db_session *s, const char *clinic_id,
                                              const char *id, struct deactivation *d);

#include "util/banned.h"
#endif
