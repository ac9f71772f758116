/* The SQL of the offline gazetteer (see places.h). */
#include "store/places.h"

#include <stdio.h>
#include <stdlib.h>


#define PLACE_ITEM                                                                         \
    "json_strip_nulls(json_build_object('name', name, 'region', region_code, 'region_name',"  \
    " region_name, 'country', country_code, 'country_name', country_name, 'postcode',"       \
    " postcode, 'kind', kind, 'lat', lat, 'lon', lon, 'label', concat_ws(', ',"              \
    " CASE WHEN kind = 'postcode' THEN postcode || ' ' || name ELSE name END,"               \
    " CASE WHEN country_code IN ('US', 'CA', 'AU') THEN region_code ELSE region_name END,"    \
    " country_name)))::text, lat, lon"
/* a qualifier ($2, $3) matches the region's code or name, or the country's */
#define PLACE_QUALIFIED(n)                                                                 \
    " AND ($" #n "::text IS NULL OR lower(region_code) = lower($" #n ") OR f_fold(region_name)" \
    " = f_fold($" #n ") OR lower(country_code) = lower($" #n ") OR f_fold(country_name) ="    \
    " f_fold($" #n "))"

DB_STMT(st_place_exact,
        "SELECT " PLACE_ITEM " FROM places WHERE fold_name = f_fold($1) AND kind = 'city'"
        PLACE_QUALIFIED(2) PLACE_QUALIFIED(3)
        " ORDER BY population DESC NULLS LAST, id LIMIT $4",
        4);
DB_STMT(st_place_prefix,
        "SELECT " PLACE_ITEM " FROM places WHERE fold_name ~>=~ f_fold($1)"
        " AND fold_name ~<~ (f_fold($1) || chr(1114111)) AND kind = 'city'"
        PLACE_QUALIFIED(2) PLACE_QUALIFIED(3)
        " ORDER BY fold_name = f_fold($1) DESC, population DESC NULLS LAST, id LIMIT $4",
        4);
DB_STMT(st_postcode_exact,
        "SELECT " PLACE_ITEM " FROM places WHERE postcode = $1 ORDER BY id LIMIT 1", 1);
DB_STMT(st_postcode_prefix,
        "SELECT " PLACE_ITEM " FROM places WHERE postcode >= $1 AND postcode < $1 || ':'"
        " ORDER BY postcode, id LIMIT $2",
        2);

/* Row 0's coordinates of a PLACE_ITEM result, when there is a row. */
static enum db_status locate(struct db_session *s, struct db_stmt *st, const char *const *v,
                             bool *found, double *lat, double *lon)
{
    PGresult *res;
    enum db_status rc = db_query(s, st, v, &res);
    if (rc != DB_OK)
        return rc;
    *found = PQntuples(res) > 0;
    if (*found) {
        *lat = strtod(PQgetvalue(res, 0, 1), NULL);
        *lon = strtod(PQgetvalue(res, 0, 2), NULL);
    }
    PQclear(res);
    return DB_OK;
}

enum db_status store_places_locate_city(struct db_session *s, const char *name,
                                        const char *region, const char *country, bool *found,
                                        double *lat, double *lon)
{
    const char *v[] = {name, region, country, "1"};
    return locate(s, &st_place_exact, v, found, lat, lon);
}

enum db_status store_places_locate_postcode(struct db_session *s, const char *postcode,
                                            bool *found, double *lat, double *lon)
{
    const char *v[] = {postcode};
    return locate(s, &st_postcode_exact, v, found, lat, lon);
}

enum db_status store_places_suggest(struct db_session *s, bool by_postcode, const char *prefix,
                                    const char *region, const char *country, long limit,
                                    struct buf *out)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%ld", limit);
    const char *pv[] = {prefix, lim};
    const char *cv[] = {prefix, region, country, lim};
    PGresult *res;
    enum db_status st = by_postcode ? db_query(s, &st_postcode_prefix, pv, &res)
                                    : db_query(s, &st_place_prefix, cv, &res);
    if (st != DB_OK)
        return st;
    buf_putc(out, '[');
    for (int i = 0; i < PQntuples(res); i++) {
        if (i)
            buf_putc(out, ',');
        buf_append(out, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
    }
    buf_putc(out, ']');
    PQclear(res);
    return DB_OK;
}
