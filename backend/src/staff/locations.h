/* A clinic's locations, as its staff keep them: the body of a create or an update. */
#ifndef CLINICD_STAFF_LOCATIONS_H
#define CLINICD_STAFF_LOCATIONS_H

#include <stdbool.h>

#include "api/common.h"
#include "store/locations.h"

/* The members a create and an update may hold (NULL-terminated). */
extern const char *const location_create_fields[];
extern const char *const location_patch_fields[];

/* Reads a location body into l (its strings borrowed from body); create requires the
 * address fields, the position and the time zone.  The time zone is checked against
 * the database afterwards. */
void location_parse(struct input *in, json_t *body, bool create, struct location_fields *l);
/* s as an ISO 3166-1 alpha-2 code (or XK), in capitals into out (3 bytes). */
bool iso3166_alpha2(const char *s, char *out);

#include "util/banned.h"
#endif
