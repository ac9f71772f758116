/* POST /api/v1/clinics/{clinic_id}/imports: a CSV file of practitioners, checked as a
 * whole (domain/practitioner_import.h) and written all or nothing (store/imports.h).
 * The route is staff_imports_create (staff/handlers.h); these are its parse pieces. */
#ifndef CLINICD_STAFF_IMPORTS_H
#define CLINICD_STAFF_IMPORTS_H

#include <stdbool.h>

#include "api/input.h"

/* True when content_type (may be NULL) is text/csv, in UTF-8 if a charset is named at
 * all.  Pure. */
bool import_csv_type(const char *content_type);

/* The query: only ?dry_run= (true or false; false when absent) into *dry_run.  False
 * with the problems recorded in in. */
bool import_query_parse(struct input *in, bool *dry_run);

#include "util/banned.h"
#endif
