/* The FHIR facade's Practitioner, PractitionerRole and Location statements: the public
 * directory as FHIR resources, written by PostgreSQL as JSON text.
 *
 * One PractitionerRole per practitioner (same id as the Practitioner): their
 * profession (code) at their clinic (organization, by name), their techniques
 * (specialty), every active location, and their current weekly hours. */
#include "store/fhir_directory.h"

#include <stdio.h>

#include "store/fhir_sql.h"

/* FHIR string search: the text starts with the value, or one of its words does
 * (case and accents folded). */
#define STARTS_A_WORD(col)                                                                  \
    "strpos(' ' || translate(f_fold(" col "), '-.,/', '    '), ' ' || f_fold(gv.val)) > 0"

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

/* Every statement's columns: resource, hours (or NULL), sort key, id, distance. */
static const struct fhir_cols cols = {0, 1, 2, 3, 4};
/* ... and a read's: resource, hours (a Practitioner has none). */
static const struct fhir_cols read_cols = {0, 1, -1, -1, -1};
static const struct fhir_cols practitioner_read_cols = {0, -1, -1, -1, -1};

static void rows_text(long rows, char *out, size_t n)
{
    snprintf(out, n, "%ld", rows);
}

enum db_status store_fhir_practitioner_read(struct db_session *s, const char *id,
                                            fhir_row_fn each, void *ctx)
{
    const char *v[] = {id};
    return fhir_rows_query(s, &st_practitioner_read, v, &practitioner_read_cols, each, ctx);
}

enum db_status store_fhir_practitioner_search(struct db_session *s, const char *names,
                                              const struct fhir_page_args *page,
                                              fhir_row_fn each, void *ctx)
{
    char rows[24];
    rows_text(page->rows, rows, sizeof(rows));
    const char *v[] = {names, page->key, page->id, rows};
    return fhir_rows_query(s, &st_practitioner_search, v, &cols, each, ctx);
}

enum db_status store_fhir_role_read(struct db_session *s, const char *id, fhir_row_fn each,
                                    void *ctx)
{
    const char *v[] = {id};
    return fhir_rows_query(s, &st_role_read, v, &read_cols, each, ctx);
}

enum db_status store_fhir_role_search(struct db_session *s, const struct fhir_role_query *q,
                                      const struct fhir_page_args *page, fhir_row_fn each,
                                      void *ctx)
{
    char rows[24];
    rows_text(page->rows, rows, sizeof(rows));
    const char *v[] = {q->techniques, q->professions, q->locations, q->practitioners,
                       page->key, page->id, rows};
    return fhir_rows_query(s, &st_role_search, v, &cols, each, ctx);
}

enum db_status store_fhir_location_read(struct db_session *s, const char *id, fhir_row_fn each,
                                        void *ctx)
{
    const char *v[] = {id};
    return fhir_rows_query(s, &st_location_read, v, &read_cols, each, ctx);
}

enum db_status store_fhir_location_search(struct db_session *s,
                                          const struct fhir_location_query *q,
                                          const struct fhir_page_args *page, fhir_row_fn each,
                                          void *ctx)
{
    char rows[24], lat[32], lon[32], radius[32];
    rows_text(page->rows, rows, sizeof(rows));
    snprintf(lat, sizeof(lat), "%.7f", q->lat);
    snprintf(lon, sizeof(lon), "%.7f", q->lon);
    snprintf(radius, sizeof(radius), "%.3f", q->radius_m);
    const char *v[] = {q->names, q->cities, page->key, page->id, rows, lat, lon, radius};
    return fhir_rows_query(s, q->near ? &st_location_search_near : &st_location_search_name, v,
                           &cols, each, ctx);
}
