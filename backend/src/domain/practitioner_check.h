/* The checks a practitioner must pass, shared by the JSON API and CSV imports: against
 * a catalog of what practitioners may refer to (the vocabulary, the clinic's locations
 * and services), loaded by store/imports.h.  Pure: no I/O. */
#ifndef CLINICD_DOMAIN_PRACTITIONER_CHECK_H
#define CLINICD_DOMAIN_PRACTITIONER_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* --- what practitioners may refer to ------------------------------------------------ */

/* The vocabulary (professions, techniques, conditions with names and aliases) and one
 * clinic's locations and services, loaded in one query (import_catalog_load). */
struct catalog_entry {
    char kind;     /* 'p' profession, 't' technique, 'c' condition, 'L' location, 'S' service */
    char *text;    /* slug, name or alias; a location's or service's name */
    char id[40];   /* a vocabulary id or a uuid */
    bool active;
};
struct catalog {
    struct catalog_entry *e;
    size_t n;
};
void catalog_release(struct catalog *cat);

/* --- checking a practitioner -------------------------------------------------------- */

/* Where problems go: field names the input field ("techniques"), msg says what is
 * wrong with it in a sentence. */
typedef void (*problem_fn)(void *ctx, const char *field, const char *msg);

enum pract_mode {
    PRACT_CREATE,  /* name, profession and location_ids are required */
    PRACT_UPDATE,  /* any subset; null clears credentials and bio */
};

/* Checks a practitioner given as JSON, the shape of the API's POST body:
 * {name, profession, credentials, bio, languages [], accepting_new, home_visits,
 *  sliding_scale, techniques [], conditions [], service_ids [], location_ids []}.
 * Techniques, conditions and the profession are matched by slug, name or alias in any
 * case; with by_name, locations and services may also be given by their name (CSV).
 * Reports every problem through problem and returns NULL, or returns a new object
 * holding only what was given, resolved: profession_id, technique_ids, condition_ids,
 * languages lower-cased, ids as uuid text (and with PRACT_CREATE, every column with
 * its default filled in).  Does not look at members it does not know (the caller
 * rejects those).  Pure. */
json_t *pract_check(const struct catalog *cat, json_t *src, enum pract_mode mode, bool by_name,
                    problem_fn problem, void *ctx);

/* True for a two-letter ISO 639-1 language code (lower case). */
bool iso639_1(const char *code);

/* s quoted for a message: as is when it fits in n bytes, else cut (on a character
 * boundary) and ended with "...".  Returns out. */
const char *check_shown(const char *s, char *out, size_t n);

#include "util/banned.h"
#endif
