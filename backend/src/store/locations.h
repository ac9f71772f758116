/* A clinic's locations: the staff's list, one location, create, update, deactivate. */
#ifndef CLINICD_STORE_LOCATIONS_H
#define CLINICD_STORE_LOCATIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "db/session.h"
#include "store/read.h"
#include "store/audit.h"
#include "store/open_bookings.h"

/* A location's fields as text, NULL when not given (an update keeps those).  The
 * pointers are borrowed (from a request body, or the buffers here). */
struct location_fields {
    const char *name, *address, *city, *region, *postcode, *timezone, *wheelchair, *active;
    const char *lat, *lon;
    bool set_region, set_postcode; /* an update: region, postcode given (null removes) */
    char country[3], lat_s[32], lon_s[32];
    bool has_country;
};

/* store_read_json with a: the clinic, b: active (list) or the location's id (get).
 * The list ({"items": [...], "next_cursor": null}) and one location, as JSON text
 * PostgreSQL built (malloc'd into *json; the caller frees it).  active: "true",
 * "false" or NULL for all.  get: DB_NOT_FOUND when the clinic has no such location. */
extern const struct store_read store_locations_list;
extern const struct store_read store_locations_get;
/* Whether tz is a time zone PostgreSQL knows (*known), and if not the one it probably
 * meant, case aside, into suggest (64 bytes; "" when none). */
enum db_status store_locations_tz_check(struct db_session *s, const char *tz, bool *known,
                                        char *suggest);
/* One transaction: the new location (its id into id, 40 bytes) and audit row e
 * (its resource_id set to the new id). */
enum db_status store_locations_create(struct db_session *s, const char *clinic_id,
                                      const struct location_fields *l, struct audit_entry *e,
                                      char *id);
/* One transaction: the fields given, and audit row e; DB_NOT_FOUND when none. */
enum db_status store_locations_update(struct db_session *s, const char *clinic_id, const char *id,
                                      const struct location_fields *l,
                                      struct audit_entry *e);
/* store_deactivate (store/open_bookings.h) with the locations' statements: fills d's
 * lock, deactivate and of. */
enum db_status store_locations_deactivate(struct db_session *s, const char *clinic_id,
                                          const char *id, struct deactivation *d);

#include "util/banned.h"
#endif
