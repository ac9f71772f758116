/* The offline gazetteer: place suggestions and turning "Portland, OR" into coordinates. */
#ifndef CLINICD_PLACES_H
#define CLINICD_PLACES_H

#include <stdbool.h>

#include "api/common.h"
#include "db/session.h"

/* Locates a `near` value: "lat,lon", a place name with optional ", region" and
 * ", country" qualifiers (the most populous match wins), or a US ZIP code, reading
 * the gazetteer on s when it is not coordinates.  *found with *lat and *lon set;
 * else a problem on field is recorded in `in`.  Any status but DB_OK: the read failed
 * (nothing recorded). */
enum db_status place_locate(struct db_session *s, struct input *in, const char *field,
                            const char *near, bool *found, double *lat, double *lon);

/* Splits "Portland, OR, US" into up to three trimmed parts (each under 128 bytes);
 * returns the count, or -1 when there are more parts, an empty one or a longer one. */
int place_split(const char *q, char parts[3][128]);
/* A US ZIP code, with or without the +4 part: the first five digits go into zip. */
bool place_is_zip(const char *s, char zip[6]);

#include "util/banned.h"
#endif
