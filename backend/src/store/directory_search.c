/* The SQL of the practitioner search and the profile (see directory_search.h). */
#include "store/directory_search.h"

#include <math.h>
#include <stdlib.h>

/* The search point.  Written out in full (not joined from a CTE) so that the planner
 * can walk the GiST index nearest-first. */
#define PT "ST_SetSRID(ST_MakePoint($2::float8, $1::float8), 4326)::geography"

/* The search reads practitioner_cards (migration 0006): one row per active
 * practitioner and location with everything it filters on and the item's JSON.
 * Parameters common to both orderings:
 *  $1 lat  $2 lon  $3 radius (m)  $4 technique ids (all required)  $5 profession
 *  $6 condition  $7 free text  $8 language  $9 accepting_new  $10 home_visits
 *  $11 wheelchair_accessible  $12 max price (cents)  $13 session minutes
 *  $14 cursor key  $15 cursor id  $16 rows to fetch  $17 sliding_scale */
#define CARD_FILTERS                                                                         \
    " AND ($4::smallint[] IS NULL OR pc.technique_ids @> $4::smallint[])"                   \
    " AND ($5::int IS NULL OR pc.profession_id = $5::int)"                                   \
    " AND ($6::int IS NULL OR pc.condition_ids @> ARRAY[$6::smallint])"                      \
    /* free text: the whole phrase is close (an index search), and every word of three  \
     * letters or more is close on its own, so "Alberta Arts Chiropractic" does not     \
     * find every chiropractic clinic */                                                \
    " AND ($7::text IS NULL OR (f_fold($7::text) <% pc.search_doc AND NOT EXISTS (SELECT 1" \
    "      FROM regexp_split_to_table(f_fold($7::text), '[^[:alnum:]]+') AS w(word)"       \
    "      WHERE length(w.word) >= 3 AND NOT (w.word <% pc.search_doc))))"                  \
    " AND ($8::text IS NULL OR pc.languages @> ARRAY[$8::text])"                             \
    " AND ($9::bool IS NULL OR pc.accepting_new = $9::bool)"                                 \
    " AND ($10::bool IS NULL OR pc.home_visits = $10::bool)"                                 \
    " AND ($11::bool IS NULL OR pc.wheelchair_accessible = $11::bool)"                       \
    " AND ($17::bool IS NULL OR pc.sliding_scale = $17::bool)"                               \
    " AND (($12::int IS NULL AND $13::int IS NULL) OR EXISTS (SELECT 1"                      \
    "      FROM practitioner_services x JOIN services s ON s.id = x.service_id"              \
    "      WHERE x.practitioner_id = pc.practitioner_id AND s.active"                        \
    "      AND ($12::int IS NULL OR s.price_cents <= $12::int)"                              \
    "      AND ($13::int IS NULL OR s.duration_minutes = $13::int)))"

/* Columns of every search row: 0 item JSON (no distance, no next_available), 1 sort
 * key, 2 practitioner id, 3 distance (m) or NULL, 4 the item location's time zone. */
DB_STMT(st_search_distance,
        "SELECT c.item, c.dist, c.practitioner_id, c.dist, c.timezone"
        " FROM (SELECT pc.item, pc.practitioner_id, pc.timezone, pc.geog <-> " PT " AS dist"
        "   FROM practitioner_cards pc"
        "   WHERE ST_DWithin(pc.geog, " PT ", $3::float8, false)" CARD_FILTERS
        /* one row per practitioner: skip a location when the same practitioner has a
         * nearer one (ties broken by location id) */
        "   AND NOT EXISTS (SELECT 1 FROM practitioner_cards pc2"
        "     WHERE pc2.practitioner_id = pc.practitioner_id AND pc2.location_id <> pc.location_id"
        "     AND ($11::bool IS NULL OR pc2.wheelchair_accessible = $11::bool)"
        "     AND (pc2.geog <-> " PT ", pc2.location_id) < (pc.geog <-> " PT ", pc.location_id))"
        "   AND ($14::float8 IS NULL OR (pc.geog <-> " PT ", pc.practitioner_id)"
        "     > ($14::float8, $15::uuid))"
        /* distance alone, so the GiST index is walked nearest-first and stops early;
         * WITH TIES keeps every row tied with the last, and the outer ORDER BY breaks
         * ties by id */
        "   ORDER BY pc.geog <-> " PT " FETCH FIRST ($16::int) ROWS WITH TIES) c"
        " ORDER BY c.dist, c.practitioner_id",
        17);

DB_STMT(st_search_name,
        "SELECT c.item, c.name, c.practitioner_id, c.dist, c.timezone"
        " FROM (SELECT DISTINCT ON (pc.name, pc.practitioner_id) pc.item, pc.name,"
        "   pc.practitioner_id, pc.timezone,"
        "   CASE WHEN $1::float8 IS NULL THEN NULL ELSE pc.geog <-> " PT " END AS dist"
        "   FROM practitioner_cards pc"
        "   WHERE ($1::float8 IS NULL OR ST_DWithin(pc.geog, " PT ", $3::float8, false))"
        CARD_FILTERS
        "   AND ($14::text IS NULL OR (pc.name, pc.practitioner_id) > ($14::text, $15::uuid))"
        "   ORDER BY pc.name, pc.practitioner_id, 5 NULLS LAST, pc.location_id"
        "   LIMIT $16::int) c"
        " ORDER BY c.name, c.practitioner_id",
        17);

/* The profile, with the same columns as a search row, and 5: the clinic's public phone
 * and cancellation notice as JSON members to add to it (read from clinics here, not kept
 * in the profile: a change of the clinic rewrites the cards, so a profile kept in
 * memory goes with them). */
DB_STMT(st_profile,
        "SELECT c.doc, NULL, c.practitioner_id, NULL::float8, c.timezone,"
        " ',\"clinic_phone\":' || coalesce(to_json(nullif(btrim(cl.phone), ''))::text, 'null')"
        " || ',\"cancellation_notice_hours\":' || cl.cancellation_notice_hours"
        " FROM practitioner_profiles c JOIN practitioners p ON p.id = c.practitioner_id"
        " JOIN clinics cl ON cl.id = p.clinic_id WHERE c.practitioner_id = $1::uuid",
        1);

void store_held_release(struct store_held *h)
{
    PQclear((PGresult *)h);
}

enum db_status store_directory_search(struct db_session *s, bool by_name,
                                      const struct store_search_params *p, store_search_fn fn,
                                      void *ctx, struct store_held **held)
{
    const char *v[17] = {p->lat, p->lon, p->radius_m, p->technique_ids, p->profession_id,
                         p->condition_id, p->q, p->language, p->accepting_new, p->home_visits,
                         p->wheelchair_accessible, p->max_price_cents, p->minutes,
                         p->cursor_key, p->cursor_id, p->limit, p->sliding_scale};
    PGresult *res;
    *held = NULL;
    enum db_status st = db_query(s, by_name ? &st_search_name : &st_search_distance, v, &res);
    if (st != DB_OK)
        return st;
    size_t n = (size_t)PQntuples(res);
    for (size_t i = 0; i < n; i++) {
        int k = (int)i;
        const struct store_search_row row = {
            .item = PQgetvalue(res, k, 0),
            .item_len = (size_t)PQgetlength(res, k, 0),
            .key = PQgetvalue(res, k, 1),
            .practitioner_id = PQgetvalue(res, k, 2),
            .dist = PQgetisnull(res, k, 3) ? NAN : strtod(PQgetvalue(res, k, 3), NULL),
            .timezone = PQgetvalue(res, k, 4),
        };
        fn(&row, i, n, ctx);
    }
    *held = (struct store_held *)res;
    return DB_OK;
}

enum db_status store_directory_profile(struct db_session *s, const char *id, struct buf *out)
{
    const char *v[] = {id};
    PGresult *res;
    enum db_status st = db_query_one(s, &st_profile, v, &res);
    if (st == DB_OK) {
        buf_puts(out, PQgetvalue(res, 0, 4));
        buf_putc(out, '\0');
        /* the document without its closing brace, the clinic's members, the brace */
        const char *doc = PQgetvalue(res, 0, 0);
        size_t len = (size_t)PQgetlength(res, 0, 0);
        while (len > 0 && doc[len - 1] != '}')
            len--;
        if (len > 1) {
            buf_append(out, doc, len - 1);
            buf_puts(out, PQgetvalue(res, 0, 5));
            buf_putc(out, '}');
        } else {
            buf_append(out, doc, (size_t)PQgetlength(res, 0, 0));
        }
    }
    PQclear(res);
    return st;
}
