/* FHIR R4 Practitioner, PractitionerRole and Location: the public directory as FHIR
 * resources.  PostgreSQL writes each resource (store/fhir_directory.c); weekly hours
 * are merged here. */
#include "api/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"
#include "cache/vocab.h"
#include "fhir/fhir.h"
#include "fhir/params.h"
#include "http/reply.h"
#include "store/fhir_directory.h"
#include "util/parse.h"

/* --- shared ----------------------------------------------------------------------- */

typedef enum db_status (*read_fn)(struct db_session *s, const char *id, fhir_row_fn each,
                                  void *ctx);

/* A read of type by store_read: the id must be one of ours and have a row (else 404),
 * whose resource must parse (else 500); its hours go into hours_member (NULL: none),
 * as hours of operation when location. */
static void read_resource(struct req *r, const char *type, const char *hours_member,
                          bool location, read_fn store_read)
{
    struct fhir_req f;
    if (!fhir_begin(&f, r, type, NULL, NULL) || !fhir_checked(&f))
        return;
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        fhir_not_found(r, type, id);
        return;
    }
    struct fhir_read rd = {hours_member, location, 0, NULL};
    enum db_status st = store_read(&r->db, id, fhir_read_row, &rd);
    if (st != DB_OK)
        reply_failure(r, st);
    else if (rd.n != 1)
        fhir_not_found(r, type, id);
    else if (!rd.resource)
        reply_internal(r);
    else
        fhir_reply(r, 200, rd.resource);
}

/* --- Practitioner ----------------------------------------------------------------- */

void fhir_practitioner_read(struct req *r)
{
    read_resource(r, "Practitioner", NULL, false, store_fhir_practitioner_read);
}

void fhir_practitioner_search(struct req *r)
{
    static const char *const known[] = {"name", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Practitioner", known, "P"))
        return;
    char *names = fhir_strings(&f, "name");
    if (fhir_checked(&f)) {
        struct fhir_page_args page = fhir_page_args_of(&f);
        struct fhir_page p;
        fhir_page_init(&p, &f, 'P', NULL, false);
        fhir_page_reply(r, store_fhir_practitioner_search(&r->db, names, &page, fhir_page_row, &p), &p,
                   NULL);
    }
    free(names);
    fhir_release(&f);
}

/* --- PractitionerRole ------------------------------------------------------------- */

void fhir_role_read(struct req *r)
{
    read_resource(r, "PractitionerRole", "availableTime", false, store_fhir_role_read);
}

/* Token resolvers: our slugs (and, as a convenience, names and aliases such as MFR)
 * to the ids the statements compare. */
static int resolve_vocab(struct fhir_req *f, enum vocab_kind kind, const char *code, char *out,
                         size_t n)
{
    int id;
    bool found = false;
    if (f->failure == DB_OK) /* (after a failed read, none more) */
        f->failure = vocab_find(&f->r->db, kind, code, &id, &found);
    if (f->failure != DB_OK)
        return -2;
    if (found)
        snprintf(out, n, "%d", id);
    return found ? 1 : 0;
}

static int resolve_technique(struct fhir_req *f, const char *key, const char *code, char *out,
                             size_t n)
{
    (void)key;
    return resolve_vocab(f, VOCAB_TECHNIQUE, code, out, n);
}

static int resolve_profession(struct fhir_req *f, const char *key, const char *code, char *out,
                              size_t n)
{
    (void)key;
    return resolve_vocab(f, VOCAB_PROFESSION, code, out, n);
}

void fhir_role_search(struct req *r)
{
    static const char *const known[] = {"specialty", "role", "location", "practitioner", NULL};
    static const char *const loc_types[] = {"Location", NULL};
    static const char *const pract_types[] = {"Practitioner", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "PractitionerRole", known, "R"))
        return;
    bool failed_a = false, failed_b = false;
    char *specialty = fhir_tokens(&f, "specialty", FHIR_CS_TECHNIQUE, resolve_technique,
                                  &failed_a);
    char *role = fhir_tokens(&f, "role", FHIR_CS_PROFESSION, resolve_profession, &failed_b);
    char *locs = fhir_references(&f, "location", loc_types);
    char *practs = fhir_references(&f, "practitioner", pract_types);
    if (failed_a || failed_b) {
        reply_failure(r, f.failure);
    } else if (fhir_checked(&f)) {
        struct fhir_role_query q = {specialty, role, locs, practs};
        struct fhir_page_args page = fhir_page_args_of(&f);
        struct fhir_page p;
        fhir_page_init(&p, &f, 'R', "availableTime", false);
        enum db_status st = store_fhir_role_search(&r->db, &q, &page, fhir_page_row, &p);
        const char *note =
            fhir_groups_unmatchable(specialty) ? "No technique has that specialty code; see "
                                                 FHIR_CS_TECHNIQUE " codes at /api/v1/techniques."
            : fhir_groups_unmatchable(role) ? "No profession has that role code; see "
                                              FHIR_CS_PROFESSION " codes at /api/v1/professions."
                                            : NULL;
        fhir_page_reply(r, st, &p, note);
    }
    free(specialty);
    free(role);
    free(locs);
    free(practs);
    fhir_release(&f);
}

/* --- Location --------------------------------------------------------------------- */

void fhir_location_read(struct req *r)
{
    read_resource(r, "Location", "hoursOfOperation", true, store_fhir_location_read);
}

#define NEAR_DEFAULT_KM 25.0
#define NEAR_MAX_KM 500.0

/* near=latitude|longitude|distance|units (distance and units optional: 25 km, and km).
 * Returns true with the point and radius in metres; false after recording a problem. */
static bool parse_near(struct fhir_req *f, const char *v, double *lat, double *lon, double *m)
{
    char buf[200];
    const char *parts[5] = {NULL};
    size_t n = 0;
    if (strlen(v) < sizeof(buf)) {
        snprintf(buf, sizeof(buf), "%s", v);
        char *p = buf;
        for (;;) {
            char *bar = strchr(p, '|');
            if (n < 5)
                parts[n] = p;
            n++;
            if (!bar)
                break;
            *bar = '\0';
            p = bar + 1;
        }
    }
    double dist = NEAR_DEFAULT_KM, factor = 1000.0;
    bool ok = n >= 2 && n <= 4 && parse_double(parts[0], -90, 90, lat) == 0 &&
              parse_double(parts[1], -180, 180, lon) == 0;
    if (ok && n >= 3 && parts[2][0])
        ok = parse_double(parts[2], 0, 1e9, &dist) == 0 && dist > 0;
    if (ok && n == 4 && parts[3][0]) {
        if (strcmp(parts[3], "km") == 0)
            factor = 1000.0;
        else if (strcmp(parts[3], "m") == 0)
            factor = 1.0;
        else if (strcmp(parts[3], "[mi_i]") == 0 || strcmp(parts[3], "mi") == 0)
            factor = 1609.344;
        else
            ok = false;
    }
    if (!ok) {
        fhir_issue(f, "invalid", "near",
                   "near must be latitude|longitude|distance|units with units km, m or [mi_i], "
                   "such as 45.52|-122.68|25|km (got \"%.80s\")",
                   v);
        return false;
    }
    *m = dist * factor;
    if (*m > NEAR_MAX_KM * 1000.0) {
        fhir_issue(f, "too-costly", "near", "near: the distance may be at most %g km",
                   NEAR_MAX_KM);
        return false;
    }
    return true;
}

void fhir_location_search(struct req *r)
{
    static const char *const known[] = {"near", "name", "address-city", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Location", known, "LD"))
        return;
    const char *near = fhir_one(&f, "near");
    double lat = 0, lon = 0, radius = 0;
    bool have_near = near && parse_near(&f, near, &lat, &lon, &radius);
    char *names = fhir_strings(&f, "name");
    char *cities = fhir_strings(&f, "address-city");
    double d;
    if (f.have_cursor && f.cursor.kind == 'D' && parse_double(f.cursor.key, 0, 1e8, &d) != 0)
        fhir_issue(&f, "invalid", "_cursor", "_cursor is not one this search produced");
    else if (f.have_cursor && f.cursor.kind != (near ? 'D' : 'L'))
        fhir_issue(&f, "invalid", "_cursor",
                   "_cursor belongs to a search with%s near; start again without it",
                   near ? "out" : "");
    if (fhir_checked(&f)) {
        struct fhir_location_query q = {names, cities, have_near, lat, lon, radius};
        struct fhir_page_args page = fhir_page_args_of(&f);
        struct fhir_page p;
        fhir_page_init(&p, &f, have_near ? 'D' : 'L', "hoursOfOperation", true);
        fhir_page_reply(r, store_fhir_location_search(&r->db, &q, &page, fhir_page_row, &p), &p, NULL);
    }
    free(names);
    free(cities);
    fhir_release(&f);
}
