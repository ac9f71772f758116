/* The SQL of the offline gazetteer (directory/places.c): places by name or postcode. */
#ifndef CLINICD_STORE_PLACES_H
#define CLINICD_STORE_PLACES_H

#include <stdbool.h>
#include <stddef.h>

#include "db/session.h"
#include "util/buf.h"

/* The most populous city called name (region and country: qualifiers matching the
 * region's or the country's code or name, each may be NULL): *found, and *lat, *lon. */
enum db_status store_places_locate_city(struct db_session *s, const char *name,
                                        const char *region, const char *country, bool *found,
                                        double *lat, double *lon);
/* The place of a postcode (the first by id). */
enum db_status store_places_locate_postcode(struct db_session *s, const char *postcode,
                                            bool *found, double *lat, double *lon);

/* Suggestions: cities whose name starts with prefix (qualified as above), the exact
 * name first, then by population; or, by_postcode, postcodes starting with prefix.
 * At most limit, appended to out as a JSON array of place objects. */
enum db_status store_places_suggest(struct db_session *s, bool by_postcode, const char *prefix,
                                    const char *region, const char *country, long limit,
                                    struct buf *out);

#include "util/banned.h"
#endif
