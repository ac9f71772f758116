/* The offline gazetteer: place suggestions and turning "Portland, OR" into coordinates. */
#include "directory/places.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/handlers.h"
#include "util/parse.h"

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

/* Splits "Portland, OR, US" into up to three trimmed parts; returns the count, or -1
 * when there are more parts or an empty one. */
static int split_place(const char *q, char parts[3][128])
{
    int n = 0;
    const char *p = q;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        if (n == 3 || len == 0 || len >= sizeof(parts[0]))
            return -1;
        memcpy(parts[n], p, len);
        parts[n][len] = '\0';
        n++;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

/* A US ZIP code, with or without the +4 part: the first five digits go into zip. */
static bool is_zip(const char *s, char zip[6])
{
    size_t n = strlen(s);
    if (n != 5 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(i == 5 ? s[i] == '-' : isdigit((unsigned char)s[i])))
            return false;
    memcpy(zip, s, 5);
    zip[5] = '\0';
    return true;
}

int place_resolve(struct input *in, const char *field, const char *near, double *lat,
                  double *lon)
{
    int rc = parse_latlon(near, lat, lon);
    if (rc == 0)
        return 1;
    if (rc == -2) {
        input_error(in, field, false,
                    "%s: latitude must be from -90 to 90 and longitude from -180 to 180", field);
        return 0;
    }
    char parts[3][128];
    char zip[6];
    PGresult *res = NULL;
    if (is_zip(near, zip)) {
        const char *v[] = {zip};
        res = api_query(in->r, &st_postcode_exact, v);
    } else {
        int n = split_place(near, parts);
        if (n < 0) {
            input_error(in, field, false,
                        "%s must be \"lat,lon\", a place such as \"Portland, OR\" or a ZIP code",
                        field);
            return 0;
        }
        const char *v[] = {parts[0], n > 1 ? parts[1] : NULL, n > 2 ? parts[2] : NULL, "1"};
        res = api_query(in->r, &st_place_exact, v);
    }
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found) {
        *lat = strtod(PQgetvalue(res, 0, 1), NULL);
        *lon = strtod(PQgetvalue(res, 0, 2), NULL);
    } else {
        input_error(in, field, false, "%s: no place called \"%s\" is known", field, near);
    }
    PQclear(res);
    return found;
}

void places_search(struct req *r)
{
    struct input in;
    input_init(&in, r);
    const char *q = q_str(&in, "q", 200);
    long limit = 10;
    q_long(&in, "limit", 1, 100, &limit);
    if (input_ok(&in) && (!q || !*q))
        input_error(&in, "q", false, "q is required: the start of a place name or postcode");
    char parts[3][128];
    int nparts = 0;
    if (input_ok(&in)) {
        nparts = split_place(q, parts);
        if (nparts < 0)
            input_error(&in, "q", false, "q must be a name with at most two qualifiers, such as \"Portland, OR, US\"");
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    char lim[16];
    snprintf(lim, sizeof(lim), "%ld", limit);
    bool digits = true;
    for (const char *p = parts[0]; *p; p++)
        digits = digits && isdigit((unsigned char)*p);
    PGresult *res;
    if (digits && nparts == 1) {
        const char *v[] = {parts[0], lim};
        res = api_query(r, &st_postcode_prefix, v);
    } else {
        const char *v[] = {parts[0], nparts > 1 ? parts[1] : NULL, nparts > 2 ? parts[2] : NULL,
                           lim};
        res = api_query(r, &st_place_prefix, v);
    }
    if (!res)
        return;
    reply_items(r, res, PQntuples(res), 0, NULL);
    PQclear(res);
}
