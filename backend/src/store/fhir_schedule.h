/* FHIR Schedule resources, written by PostgreSQL: a read visits at most one row
 * (resource); a search up to page->rows rows in keyset order (resource, key, id).
 * actors: groups of "Type/id" references (fhir/params.h), NULL when not asked. */
#ifndef CLINICD_STORE_FHIR_SCHEDULE_H
#define CLINICD_STORE_FHIR_SCHEDULE_H

#include <stddef.h>

#include "db/session.h"
#include "store/fhir_rows.h"

enum db_status store_fhir_schedule_read(struct db_session *s, const char *id, fhir_row_fn each,
                                        void *ctx);
enum db_status store_fhir_schedule_search(struct db_session *s, const char *actors,
                                          const struct fhir_page_args *page, fhir_row_fn each,
                                          void *ctx);
/* The name of a service into out (n bytes): "" when there is none. */
enum db_status store_fhir_service_name(struct db_session *s, const char *service_id, char *out,
                                       size_t n);

#include "util/banned.h"
#endif
