/* Practitioners in bulk, in the database: the catalog the checks need (the vocabulary
 * and one clinic's locations and services) in one query, and many practitioners
 * inserted in a few round trips.  Used by POST .../imports, POST .../practitioners
 * and `clinicd import`. */
#ifndef CLINICD_STORE_IMPORTS_H
#define CLINICD_STORE_IMPORTS_H

#include <jansson.h>
#include <stddef.h>

#include "db/session.h"
#include "store/audit.h"
#include "domain/practitioner_check.h"
#include "domain/practitioner_import.h"

/* Rows inserted per statement: large enough to be fast, small enough to show progress. */
#define IMPORT_CHUNK 500

/* Loads the vocabulary and clinic_id's locations and services into cat (the caller
 * releases it with catalog_release, whatever the status). */
enum db_status store_imports_catalog(struct db_session *s, const char *clinic_id,
                                     struct catalog *cat);

/* Inside the caller's transaction: inserts rows[from, from + n) of resolved
 * practitioners (pract_check's PRACT_CREATE output) with their links, appending their
 * new ids in order to ids. */
enum db_status store_imports_insert(struct db_session *s, const char *clinic_id, json_t *rows,
                                    size_t from, size_t n, json_t *ids);

/* A staff member's import (POST .../imports): in one transaction (retried on a
 * serialization failure), every row in chunks of IMPORT_CHUNK, then the audit row e.
 * ids gets the new ids in order (only those of the run that committed). */
enum db_status store_imports_by_staff(struct db_session *s, const char *clinic_id,
                                      json_t *rows, const struct audit_entry *e, json_t *ids);

/* One practitioner p (pract_check's PRACT_CREATE output) written as an imported row,
 * with the audit row e naming it: one transaction, as store_imports_by_staff.  The new
 * id into id (40 bytes), which is also the audit row's resource_id. */
enum db_status store_imports_one(struct db_session *s, const char *clinic_id, json_t *p,
                                 const struct audit_entry *e, char *id);

/* The clinic's name into name (namelen bytes); DB_NOT_FOUND when there is no such
 * clinic. */
enum db_status store_imports_clinic_name(struct db_session *s, const char *clinic_id,
                                         char *name, size_t namelen);

/* `clinicd import`'s unit of work: in one transaction (retried on a serialization
 * failure), every row in chunks of IMPORT_CHUNK (progress called after each) and the
 * operator's audit row with detail (JSON text).  ids gets the new ids in order (only
 * those of the run that committed). */
enum db_status store_imports_by_operator(struct db_session *s, const char *clinic_id,
                                         json_t *rows, const char *detail, json_t *ids,
                                         progress_fn progress, void *ctx);

#include "util/banned.h"
#endif
