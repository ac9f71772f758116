/* The public directory as FHIR Practitioner, PractitionerRole and Location resources,
 * written by PostgreSQL.  Reads visit at most one row (resource, hours); searches
 * visit up to page->rows rows in keyset order (resource, hours, key, id, and for a
 * near search the distance).  Parameters given as groups are JSON text from
 * fhir/params.h (NULL: not asked). */
#ifndef CLINICD_STORE_FHIR_DIRECTORY_H
#define CLINICD_STORE_FHIR_DIRECTORY_H

#include <stdbool.h>

#include "db/session.h"
#include "store/fhir_rows.h"

struct fhir_role_query {
    const char *techniques, *professions; /* groups of vocabulary ids */
    const char *locations, *practitioners; /* groups of "Type/id" */
};

struct fhir_location_query {
    const char *names, *cities; /* groups of strings */
    bool near;                  /* nearest first, within radius_m of (lat, lon) */
    double lat, lon, radius_m;
};

enum db_status store_fhir_practitioner_read(struct db_session *s, const char *id,
                                            fhir_row_fn each, void *ctx);
enum db_status store_fhir_practitioner_search(struct db_session *s, const char *names,
                                              const struct fhir_page_args *page,
                                              fhir_row_fn each, void *ctx);
enum db_status store_fhir_role_read(struct db_session *s, const char *id, fhir_row_fn each,
                                    void *ctx);
enum db_status store_fhir_role_search(struct db_session *s, const struct fhir_role_query *q,
                                      const struct fhir_page_args *page, fhir_row_fn each,
                                      void *ctx);
enum db_status store_fhir_location_read(struct db_session *s, const char *id, fhir_row_fn each,
                                        void *ctx);
enum db_status store_fhir_location_search(struct db_session *s,
                                          const struct fhir_location_query *q,
                                          const struct fhir_page_args *page, fhir_row_fn each,
                                          void *ctx);

#include "util/banned.h"
#endif
