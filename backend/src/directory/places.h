/* The offline gazetteer: place suggestions and turning "Portland, OR" into coordinates. */
#ifndef CLINICD_PLACES_H
#define CLINICD_PLACES_H

#include "api/common.h"

/* Resolves a `near` value: "lat,lon", a place name with optional ", region" and
 * ", country" qualifiers (the most populous match wins), or a US ZIP code.  Returns
 * 1 with *lat and *lon set; 0 after recording a problem on field in `in`; -1 after
 * replying (database unavailable). */
int place_resolve(struct input *in, const char *field, const char *near, double *lat,
                  double *lon);

#include "util/banned.h"
#endif
