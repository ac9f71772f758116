/* FHIR R4 Practitioner, PractitionerRole and Location: the public directory as FHIR
 * resources.  PostgreSQL writes each resource; weekly hours are merged here.
 *
 * One PractitionerRole per practitioner (same id as the Practitioner): their
 * profession (code) at their clinic (organization, by name), their techniques
 * (specialty), every active location, and their current weekly hours. */
#include "fhir/handlers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fhir/fhir.h"
#include "cache/vocab.h"
#include "util/parse.h"

#define UTC_INSTANT(col) "to_char((" col ") AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* $n holds groups of values as JSON ([["a", "b"], ["c"]]): every group must have a
 * value gv.val for which match holds. */
#define ALL_GROUPS(n, match)                                                                \
    " AND (" n "::jsonb IS NULL OR NOT EXISTS (SELECT 1 FROM jsonb_array_elements(" n       \
    "::jsonb) AS grp(vals) WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text("       \
    "grp.vals) AS gv(val) WHERE " match ")))"

/* FHIR string search: the text starts with the value, or one of its words does
 * (case and accents folded). */
#define STARTS_A_WORD(col)                                                                  \
    "strpos(' ' || translate(f_fold(" col "), '-.,/', '    '), ' ' || f_fold(gv.val)) > 0"

#define HAS_LOCATION                                                                        \
    " EXISTS (SELECT 1 FROM practitioner_locations pl0 JOIN locations l0"                   \
    "   ON l0.id = pl0.location_id WHERE pl0.practitioner_id = p.id AND l0.active)"

/* ISO 639-1 codes the directory uses, with English names for Coding.display. */
#define LANGUAGE_NAMES                                                                      \
    "(VALUES ('en', 'English'), ('de', 'German'), ('es', 'Spanish'), ('zh', 'Chinese'),"    \
    " ('vi', 'Vietnamese'), ('ru', 'Russian'), ('fr', 'French'), ('pt', 'Portuguese'),"     \
    " ('ko', 'Korean'), ('ja', 'Japanese'), ('tl', 'Tagalog'), ('pl', 'Polish'),"           \
    " ('it', 'Italian'), ('el', 'Greek'), ('tr', 'Turkish'), ('pa', 'Punjabi'),"            \
    " ('ur', 'Urdu'), ('ar', 'Arabic'), ('hi', 'Hindi'), ('nl', 'Dutch'), ('sv', 'Swedish')," \
    " ('uk', 'Ukrainian'), ('fa', 'Persian'), ('he', 'Hebrew'), ('bn', 'Bengali'),"         \
    " ('ta', 'Tamil'), ('th', 'Thai'), ('id', 'Indonesian'), ('da', 'Danish'),"            \
    " ('no', 'Norwegian'), ('fi', 'Finnish'), ('cs', 'Czech'), ('hu', 'Hungarian'),"        \
    " ('ro', 'Romanian'), ('so', 'Somali'), ('sw', 'Swahili'), ('ht', 'Haitian Creole'),"   \
    " ('asl', 'American Sign Language')) AS ln(code, name)"

#define NAME_WORDS "regexp_split_to_array(btrim(p.name), '\\s+')"

/* Practitioner (p).  The name's last word is taken as the family name; text is the
 * name as the clinic wrote it.  Credentials ("PT, DPT") become one qualification each. */
#define PRACTITIONER_JSON                                                                   \
    "json_strip_nulls(json_build_object('resourceType', 'Practitioner', 'id', p.id,"        \
    " 'meta', json_build_object('lastUpdated', " UTC_INSTANT("p.updated_at") "),"           \
    " 'active', true,"                                                                      \
    " 'name', json_build_array(json_build_object('use', 'official', 'text', p.name,"        \
    "   'family', (" NAME_WORDS ")[cardinality(" NAME_WORDS ")],"                           \
    "   'given', (SELECT json_agg(w.word ORDER BY w.i) FROM unnest(" NAME_WORDS ")"         \
    "     WITH ORDINALITY AS w(word, i) WHERE w.i < cardinality(" NAME_WORDS ")))),"        \
    " 'qualification', (SELECT json_agg(json_build_object('code', json_build_object("       \
    "   'text', btrim(q.txt))) ORDER BY q.i) FROM regexp_split_to_table(p.credentials,"     \
    "   '[,;]') WITH ORDINALITY AS q(txt, i) WHERE btrim(q.txt) <> ''),"                    \
    " 'communication', (SELECT json_agg(json_build_object('coding', json_build_array("      \
    "   json_build_object('system', 'urn:ietf:bcp:47', 'code', u.lang, 'display', ln.name)),"\
    "   'text', coalesce(ln.name, u.lang)) ORDER BY u.i) FROM unnest(p.languages)"          \
    "   WITH ORDINALITY AS u(lang, i) LEFT JOIN " LANGUAGE_NAMES " ON ln.code = u.lang)))"

/* The clinic's (c) phone and web site as ContactPoints, or NULL. */
#define TELECOM                                                                             \
    "(SELECT json_agg(tc.cp ORDER BY tc.ord) FROM (SELECT 1 AS ord, json_build_object("     \
    "   'system', 'phone', 'value', btrim(c.phone), 'use', 'work') AS cp"                   \
    "   WHERE nullif(btrim(c.phone), '') IS NOT NULL UNION ALL SELECT 2, json_build_object(" \
    "   'system', 'url', 'value', c.website, 'use', 'work') WHERE c.website IS NOT NULL) tc)"

#define CODING(system, code, display)                                                       \
    "json_build_object('coding', json_build_array(json_build_object('system', '" system     \
    "', 'code', " code ", 'display', " display ")), 'text', " display ")"

/* The practitioner's (p) techniques as CodeableConcepts of our technique code system. */
#define SPECIALTIES                                                                         \
    "(SELECT json_agg(" CODING(FHIR_CS_TECHNIQUE, "t.slug", "t.name")                       \
    "   ORDER BY t.sort_order, t.slug) FROM practitioner_techniques x"                      \
    "   JOIN techniques t ON t.id = x.technique_id WHERE x.practitioner_id = p.id)"

/* PractitionerRole (p, c clinic, pr profession). */
#define ROLE_JSON                                                                           \
    "json_strip_nulls(json_build_object('resourceType', 'PractitionerRole', 'id', p.id,"    \
    " 'meta', json_build_object('lastUpdated', " UTC_INSTANT("p.updated_at") "),"           \
    " 'active', true,"                                                                      \
    " 'practitioner', json_build_object('reference', 'Practitioner/' || p.id, 'display', p.name)," \
    " 'organization', json_build_object('display', c.name),"                                \
    " 'code', json_build_array(" CODING(FHIR_CS_PROFESSION, "pr.slug", "pr.name") "),"      \
    " 'specialty', " SPECIALTIES ","                                                        \
    " 'location', (SELECT json_agg(json_build_object('reference', 'Location/' || l.id,"     \
    "   'display', l.name) ORDER BY l.id) FROM practitioner_locations x JOIN locations l"   \
    "   ON l.id = x.location_id WHERE x.practitioner_id = p.id AND l.active),"              \
    " 'telecom', " TELECOM ","                                                              \
    " 'availabilityExceptions', CASE WHEN NOT p.accepting_new"                              \
    "   THEN 'Not accepting new patients at present.' END))"

#define HOURS_ROW                                                                           \
    "json_build_array(h.weekday, extract(hour FROM h.start_time)::int * 60"                 \
    " + extract(minute FROM h.start_time)::int, extract(hour FROM h.end_time)::int * 60"    \
    " + extract(minute FROM h.end_time)::int)"
#define HOURS_NOW                                                                           \
    " AND (h.valid_from IS NULL OR h.valid_from <= current_date)"                           \
    " AND (h.valid_to IS NULL OR h.valid_to >= current_date)"
/* Weekly hours in force today, at the practitioner's (p) active locations. */
#define PRACTITIONER_HOURS                                                                  \
    "(SELECT json_agg(" HOURS_ROW ") FROM weekly_hours h JOIN locations lh"                 \
    "   ON lh.id = h.location_id AND lh.active WHERE h.practitioner_id = p.id" HOURS_NOW ")::text"
/* ... and of the active practitioners at a location (l). */
#define LOCATION_HOURS                                                                      \
    "(SELECT json_agg(" HOURS_ROW ") FROM weekly_hours h JOIN practitioners ph"             \
    "   ON ph.id = h.practitioner_id AND ph.active WHERE h.location_id = l.id" HOURS_NOW ")::text"

/* Location (l, c clinic). */
#define LOCATION_JSON                                                                       \
    "json_strip_nulls(json_build_object('resourceType', 'Location', 'id', l.id,"            \
    " 'extension', json_build_array(json_build_object('url', '" FHIR_EXT_WHEELCHAIR "',"    \
    "   'valueBoolean', l.wheelchair_accessible), json_build_object('url', '"               \
    FHIR_EXT_TIMEZONE "', 'valueCode', l.timezone)),"                                       \
    " 'status', 'active', 'name', l.name, 'mode', 'instance',"                              \
    " 'telecom', " TELECOM ","                                                              \
    " 'address', json_build_object('use', 'work', 'type', 'physical', 'text',"              \
    "   concat_ws(', ', l.address, l.city, nullif(btrim(concat_ws(' ', nullif(l.region, ''),"\
    "   nullif(l.postcode, ''))), ''), l.country), 'line', json_build_array(l.address),"    \
    "   'city', l.city, 'state', nullif(l.region, ''), 'postalCode', nullif(l.postcode, ''),"\
    "   'country', l.country),"                                                             \
    " 'position', json_build_object('longitude', round(ST_X(l.geog::geometry)::numeric, 6)," \
    "   'latitude', round(ST_Y(l.geog::geometry)::numeric, 6)),"                            \
    " 'managingOrganization', json_build_object('display', c.name)))"

/* Every search statement's columns: resource, hours (or NULL), sort key, id, distance. */

DB_STMT(st_practitioner_read,
        "SELECT " PRACTITIONER_JSON "::text FROM practitioners p"
        " WHERE p.id = $1::uuid AND p.active AND" HAS_LOCATION,
        1);

/* $1 names  $2 cursor name  $3 cursor id  $4 rows */
DB_STMT(st_practitioner_search,
        "SELECT " PRACTITIONER_JSON "::text, NULL, p.name, p.id, NULL FROM practitioners p"
        " WHERE p.active AND" HAS_LOCATION ALL_GROUPS("$1", STARTS_A_WORD("p.name"))
        " AND ($2::text IS NULL OR (p.name, p.id) > ($2::text, $3::uuid))"
        " ORDER BY p.name, p.id LIMIT $4::int",
        4);

#define ROLE_FROM                                                                           \
    " FROM practitioners p JOIN clinics c ON c.id = p.clinic_id"                            \
    " JOIN professions pr ON pr.id = p.profession_id"

DB_STMT(st_role_read,
        "SELECT " ROLE_JSON "::text, " PRACTITIONER_HOURS ROLE_FROM
        " WHERE p.id = $1::uuid AND p.active AND" HAS_LOCATION,
        1);

/* $1 technique ids  $2 profession ids  $3 location refs  $4 practitioner refs
 * $5 cursor name  $6 cursor id  $7 rows */
DB_STMT(st_role_search,
        "SELECT " ROLE_JSON "::text, " PRACTITIONER_HOURS ", p.name, p.id, NULL" ROLE_FROM
        " WHERE p.active AND" HAS_LOCATION
        ALL_GROUPS("$1", "EXISTS (SELECT 1 FROM practitioner_techniques x"
                         " WHERE x.practitioner_id = p.id AND x.technique_id = gv.val::int)")
        ALL_GROUPS("$2", "p.profession_id = gv.val::int")
        ALL_GROUPS("$3", "EXISTS (SELECT 1 FROM practitioner_locations x JOIN locations l"
                         " ON l.id = x.location_id WHERE x.practitioner_id = p.id AND l.active"
                         " AND 'Location/' || l.id = gv.val)")
        ALL_GROUPS("$4", "'Practitioner/' || p.id = gv.val")
        " AND ($5::text IS NULL OR (p.name, p.id) > ($5::text, $6::uuid))"
        " ORDER BY p.name, p.id LIMIT $7::int",
        7);

#define LOCATION_FROM " FROM locations l JOIN clinics c ON c.id = l.clinic_id"

DB_STMT(st_location_read,
        "SELECT " LOCATION_JSON "::text, " LOCATION_HOURS LOCATION_FROM
        " WHERE l.id = $1::uuid AND l.active",
        1);

/* $1 names  $2 cities  $3 cursor name  $4 cursor id  $5 rows */
DB_STMT(st_location_search_name,
        "SELECT " LOCATION_JSON "::text, " LOCATION_HOURS ", l.name, l.id, NULL" LOCATION_FROM
        " WHERE l.active" ALL_GROUPS("$1", STARTS_A_WORD("l.name"))
        ALL_GROUPS("$2", STARTS_A_WORD("l.city"))
        " AND ($3::text IS NULL OR (l.name, l.id) > ($3::text, $4::uuid))"
        " ORDER BY l.name, l.id LIMIT $5::int",
        5);

/* The near point, written out in full so that the planner walks the GiST index. */
#define PT "ST_SetSRID(ST_MakePoint($7::float8, $6::float8), 4326)::geography"

/* ... nearest first: $3 cursor distance  $6 lat  $7 lon  $8 radius (m) */
DB_STMT(st_location_search_near,
        "SELECT " LOCATION_JSON "::text, " LOCATION_HOURS ", l.name, l.id, l.geog <-> " PT
        LOCATION_FROM
        " WHERE l.active AND ST_DWithin(l.geog, " PT ", $8::float8, false)"
        ALL_GROUPS("$1", STARTS_A_WORD("l.name")) ALL_GROUPS("$2", STARTS_A_WORD("l.city"))
        " AND ($3::float8 IS NULL OR (l.geog <-> " PT ", l.id) > ($3::float8, $4::uuid))"
        " ORDER BY l.geog <-> " PT ", l.id LIMIT $5::int",
        8);

/* --- shared ----------------------------------------------------------------------- */

/* Replies with one resource (column 0, hours in column 1 when hours_member is set),
 * or 404 when the read found no row. */
static void reply_read(struct req *r, PGresult *res, const char *type, const char *id,
                       const char *hours_member, bool location)
{
    if (PQntuples(res) != 1) {
        fhir_not_found(r, type, id);
        return;
    }
    json_t *resource = fhir_row(res, 0, 0);
    if (!resource) {
        reply_internal(r);
        return;
    }
    if (hours_member && !PQgetisnull(res, 0, 1))
        fhir_add_hours(resource, hours_member, PQgetvalue(res, 0, 1), location);
    fhir_reply(r, 200, resource);
}

/* Starts a read of type: the id must be one of ours (else 404). */
static bool read_begin(struct fhir_req *f, struct req *r, const char *type)
{
    if (!fhir_begin(f, r, type, NULL, NULL))
        return false;
    if (!fhir_checked(f))
        return false;
    if (!is_uuid(req_param(r, 0))) {
        fhir_not_found(r, type, req_param(r, 0));
        return false;
    }
    return true;
}

/* Replies a searchset from rows of res (fetched with count + 1 rows, in order):
 * cursor kind, hours as member, and the distance extension when kind is 'D'.  note
 * (may be NULL) is added as an informational OperationOutcome. */
static void reply_search(struct fhir_req *f, PGresult *res, char kind, const char *hours_member,
                         bool location, const char *note)
{
    int n = PQntuples(res);
    bool more = n > f->count;
    int shown = more ? (int)f->count : n;
    struct fhir_bundle b;
    fhir_bundle_init(&b, f);
    for (int i = 0; i < shown; i++) {
        json_t *resource = fhir_row(res, i, 0);
        if (!resource)
            continue;
        if (hours_member && !PQgetisnull(res, i, 1))
            fhir_add_hours(resource, hours_member, PQgetvalue(res, i, 1), location);
        json_t *ext = NULL;
        if (kind == 'D')
            ext = json_pack("[{s:s, s:{s:f, s:s, s:s, s:s}}]", "url", FHIR_EXT_DISTANCE,
                            "valueDistance", "value",
                            (double)llround(strtod(PQgetvalue(res, i, 4), NULL)) / 1000.0,
                            "unit", "km", "system", "http://unitsofmeasure.org", "code", "km");
        fhir_bundle_add(&b, resource, ext);
    }
    if (note)
        fhir_bundle_note(&b, note);
    struct cursor next = {.kind = kind};
    if (more) {
        int last = shown - 1;
        snprintf(next.id, sizeof(next.id), "%s", PQgetvalue(res, last, 3));
        if (kind == 'D')
            snprintf(next.key, sizeof(next.key), "%.17g", strtod(PQgetvalue(res, last, 4), NULL));
        else
            snprintf(next.key, sizeof(next.key), "%s", PQgetvalue(res, last, 2));
    }
    fhir_bundle_reply(&b, !f->have_cursor && !more ? (long)n : -1, more ? &next : NULL);
}

static void set_rows(const struct fhir_req *f, char *out, size_t n)
{
    snprintf(out, n, "%ld", f->count + 1);
}

/* --- Practitioner ----------------------------------------------------------------- */

static void practitioner_read(struct req *r)
{
    struct fhir_req f;
    if (!read_begin(&f, r, "Practitioner"))
        return;
    const char *v[] = {req_param(r, 0)};
    PGresult *res = api_query(r, &st_practitioner_read, v);
    if (!res)
        return;
    reply_read(r, res, "Practitioner", v[0], NULL, false);
    PQclear(res);
}

static void practitioner_search(struct req *r)
{
    static const char *const known[] = {"name", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "Practitioner", known, "P"))
        return;
    char *names = fhir_strings(&f, "name");
    char rows[24];
    set_rows(&f, rows, sizeof(rows));
    if (fhir_checked(&f)) {
        const char *v[] = {names, f.have_cursor ? f.cursor.key : NULL,
                           f.have_cursor ? f.cursor.id : NULL, rows};
        PGresult *res = api_query(r, &st_practitioner_search, v);
        if (res) {
            reply_search(&f, res, 'P', NULL, false, NULL);
            PQclear(res);
        }
    }
    free(names);
    fhir_release(&f);
}

void fhir_practitioner_read(struct req *r)
{
    fhir_run(r, practitioner_read);
}

void fhir_practitioner_search(struct req *r)
{
    fhir_run(r, practitioner_search);
}

/* --- PractitionerRole ------------------------------------------------------------- */

static void role_read(struct req *r)
{
    struct fhir_req f;
    if (!read_begin(&f, r, "PractitionerRole"))
        return;
    const char *v[] = {req_param(r, 0)};
    PGresult *res = api_query(r, &st_role_read, v);
    if (!res)
        return;
    reply_read(r, res, "PractitionerRole", v[0], "availableTime", false);
    PQclear(res);
}

/* Token resolvers: our slugs (and, as a convenience, names and aliases such as MFR)
 * to the ids the statements compare. */
static int resolve_vocab(struct fhir_req *f, enum vocab_kind kind, const char *code, char *out,
                         size_t n)
{
    int id;
    int rc = vocab_lookup(f->r, kind, code, &id);
    if (rc < 0)
        return -2;
    if (rc == 1)
        snprintf(out, n, "%d", id);
    return rc;
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

static void role_search(struct req *r)
{
    static const char *const known[] = {"specialty", "role", "location", "practitioner", NULL};
    static const char *const loc_types[] = {"Location", NULL};
    static const char *const pract_types[] = {"Practitioner", NULL};
    struct fhir_req f;
    if (!fhir_begin(&f, r, "PractitionerRole", known, "R"))
        return;
    bool replied_a = false, replied_b = false;
    char *specialty = fhir_tokens(&f, "specialty", FHIR_CS_TECHNIQUE, resolve_technique,
                                  &replied_a);
    char *role = fhir_tokens(&f, "role", FHIR_CS_PROFESSION, resolve_profession, &replied_b);
    char *locs = fhir_references(&f, "location", loc_types);
    char *practs = fhir_references(&f, "practitioner", pract_types);
    char rows[24];
    set_rows(&f, rows, sizeof(rows));
    if (!replied_a && !replied_b && fhir_checked(&f)) {
        const char *v[] = {specialty, role, locs, practs, f.have_cursor ? f.cursor.key : NULL,
                           f.have_cursor ? f.cursor.id : NULL, rows};
        PGresult *res = api_query(r, &st_role_search, v);
        if (res) {
            const char *note =
                fhir_groups_unmatchable(specialty) ? "No technique has that specialty code; see "
                                             FHIR_CS_TECHNIQUE " codes at /api/v1/techniques."
                : fhir_groups_unmatchable(role) ? "No profession has that role code; see "
                                          FHIR_CS_PROFESSION " codes at /api/v1/professions."
                                        : NULL;
            reply_search(&f, res, 'R', "availableTime", false, note);
            PQclear(res);
        }
    }
    free(specialty);
    free(role);
    free(locs);
    free(practs);
    fhir_release(&f);
}

void fhir_role_read(struct req *r)
{
    fhir_run(r, role_read);
}

void fhir_role_search(struct req *r)
{
    fhir_run(r, role_search);
}

/* --- Location --------------------------------------------------------------------- */

static void location_read(struct req *r)
{
    struct fhir_req f;
    if (!read_begin(&f, r, "Location"))
        return;
    const char *v[] = {req_param(r, 0)};
    PGresult *res = api_query(r, &st_location_read, v);
    if (!res)
        return;
    reply_read(r, res, "Location", v[0], "hoursOfOperation", true);
    PQclear(res);
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

static void location_search(struct req *r)
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
    char rows[24], lat_s[32], lon_s[32], radius_s[32];
    set_rows(&f, rows, sizeof(rows));
    snprintf(lat_s, sizeof(lat_s), "%.7f", lat);
    snprintf(lon_s, sizeof(lon_s), "%.7f", lon);
    snprintf(radius_s, sizeof(radius_s), "%.3f", radius);
    if (fhir_checked(&f)) {
        const char *key = f.have_cursor ? f.cursor.key : NULL;
        const char *id = f.have_cursor ? f.cursor.id : NULL;
        const char *v[] = {names, cities, key, id, rows, lat_s, lon_s, radius_s};
        PGresult *res = api_query(r, have_near ? &st_location_search_near
                                               : &st_location_search_name, v);
        if (res) {
            reply_search(&f, res, have_near ? 'D' : 'L', "hoursOfOperation", true, NULL);
            PQclear(res);
        }
    }
    free(names);
    free(cities);
    fhir_release(&f);
}

void fhir_location_read(struct req *r)
{
    fhir_run(r, location_read);
}

void fhir_location_search(struct req *r)
{
    fhir_run(r, location_search);
}
