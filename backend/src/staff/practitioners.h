/* A clinic's practitioners, as its staff keep them: the body of a create or an
 * update, checked against the clinic's catalog (domain/practitioner_check.h: pract_check, the
 * same checks as a CSV row's), and the way into the import engine that writes a new
 * one (store/imports.h, shared with the CSV import's route, staff/imports.c). */
#ifndef CLINICD_STAFF_PRACTITIONERS_H
#define CLINICD_STAFF_PRACTITIONERS_H

#include <stdbool.h>

#include "api/audit.h"
#include "domain/practitioner_check.h"
#include "domain/practitioner_import.h"
#include "store/practitioners.h"

/* The members a body may hold (NULL-terminated). */
extern const char *const practitioner_fields[];

/* pract_check's output for body (a new reference), or NULL with the problems recorded
 * in in.  create: "active" may not be given; an update: *active is "true" when
 * given (it may only bring a practitioner back), else NULL. */
json_t *practitioner_parse(struct input *in, json_t *body, const struct catalog *cat,
                           bool create, const char **active);
/* What the audit log keeps of a practitioner body: everything but the bio's text (a
 * new reference). */
json_t *pract_audit_detail(json_t *body);

/* An update as text for the store, from pract_check's output p (borrowed: p and the
 * text made here, which practitioner_update_release frees, must outlive u). */
struct practitioner_update_text {
    struct practitioner_update u;
    char profession[24];
    char *languages, *location_ids, *links;
};
void practitioner_update_make(json_t *p, const char *active, struct practitioner_update_text *t);
void practitioner_update_release(struct practitioner_update_text *t);

/* The catalog of the route's clinic (vocabulary, locations, services). */
enum db_status practitioner_catalog_load(struct req *r, struct catalog *cat);
/* One transaction: the practitioner p (pract_check's output) written as the import
 * engine writes a row, and audit row e naming it (its resource_id is the new id); the
 * new id into id (40 bytes). */
enum db_status practitioner_insert(struct req *r, json_t *p, const struct audit_entry *e,
                                   char *id);

#include "util/banned.h"
#endif
