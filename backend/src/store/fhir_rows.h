/* What the FHIR facade's store functions hand back: rows visited one by one while the
 * database's answer is held, so that resources PostgreSQL wrote as JSON text are
 * parsed once, in place, without a copy. */
#ifndef CLINICD_STORE_FHIR_ROWS_H
#define CLINICD_STORE_FHIR_ROWS_H

/* Our own code systems and extensions, in the resources PostgreSQL writes and in
 * those written in C. */
#define FHIR_OURS "https://clinicd.example/fhir"
#define FHIR_CS_PROFESSION FHIR_OURS "/CodeSystem/profession"
#define FHIR_CS_TECHNIQUE FHIR_OURS "/CodeSystem/technique"
#define FHIR_CS_SERVICE FHIR_OURS "/CodeSystem/service"
#define FHIR_EXT_WHEELCHAIR FHIR_OURS "/StructureDefinition/wheelchair-accessible"
#define FHIR_EXT_TIMEZONE FHIR_OURS "/StructureDefinition/timezone"
#define FHIR_EXT_SLOT_LOCATION FHIR_OURS "/StructureDefinition/slot-location"

/* A keyset page: after (key, id) when key is not NULL, at most rows rows. */
struct fhir_page_args {
    const char *key, *id;
    long rows;
};

/* Row i of n of a read or search.  The texts belong to the store function's answer:
 * they are valid only during the visitor's call.  Members a statement does not have
 * are NULL (and so are SQL NULLs). */
struct fhir_row {
    int i, n;
    const char *resource; /* the resource as JSON text */
    const char *hours;    /* weekly hours, JSON text of [[weekday, start_min, end_min], ...] */
    const char *key;      /* the keyset sort key (a name) */
    const char *id;       /* the keyset id */
    const char *distance; /* metres from the near point, as text */
};

/* Called once per row, in order; not called when there is no row. */
typedef void (*fhir_row_fn)(void *ctx, const struct fhir_row *row);

#include "util/banned.h"
#endif
