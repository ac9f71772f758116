/* A clinic's services: the staff's list, one service, create, update, deactivate. */
#ifndef CLINICD_STORE_SERVICES_H
#define CLINICD_STORE_SERVICES_H

#include <stddef.h>

#include "db/session.h"
#include "store/read.h"
#include "store/audit.h"

/* A service's fields as text, NULL when not given (an update keeps those).  The
 * pointers are borrowed (from a request body, or the buffers here). */
struct service_fields {
    const char *name, *duration, *price, *currency, *before, *after, *active;
    char duration_s[24], price_s[24], before_s[24], after_s[24];
};

/* store_read_json with a: the clinic, b: active or the id.  As for locations (store/locations.h): JSON text PostgreSQL built, malloc'd. */
extern const struct store_read store_services_list;
extern const struct store_read store_services_get;
/* One transaction each, with audit row e: create (the new id into id, 40 bytes, and
 * into e's resource_id), update and deactivate (DB_NOT_FOUND when there is no such
 * service).  Booked sessions of a deactivated service still take place. */
enum db_status store_services_create(struct db_session *s, const char *clinic_id,
                                     const struct service_fields *f, struct audit_entry *e,
                                     char *id);
enum db_status store_services_update(struct db_session *s, const char *clinic_id, const char *id,
                                     const struct service_fields *f, struct audit_entry *e);
enum db_status store_services_deactivate(struct db_session *s, const char *clinic_id,
                                         const char *id, struct audit_entry *e);

#include "util/banned.h"
#endif
