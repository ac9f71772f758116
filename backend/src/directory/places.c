/* The offline gazetteer: place suggestions and turning "Portland, OR" into coordinates. */
#include "directory/places.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "store/places.h"
#include "util/buf.h"
#include "util/parse.h"

int place_split(const char *q, char parts[3][128])
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

bool place_is_zip(const char *s, char zip[6])
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

enum db_status place_locate(struct db_session *s, struct input *in, const char *field,
                            const char *near, bool *found, double *lat, double *lon)
{
    *found = false;
    int rc = parse_latlon(near, lat, lon);
    if (rc == 0) {
        *found = true;
        return DB_OK;
    }
    if (rc == -2) {
        input_error(in, field, false,
                    "%s: latitude must be from -90 to 90 and longitude from -180 to 180", field);
        return DB_OK;
    }
    char parts[3][128];
    char zip[6];
    enum db_status st;
    if (place_is_zip(near, zip)) {
        st = store_places_locate_postcode(s, zip, found, lat, lon);
    } else {
        int n = place_split(near, parts);
        if (n < 0) {
            input_error(in, field, false,
                        "%s must be \"lat,lon\", a place such as \"Portland, OR\" or a ZIP code",
                        field);
            return DB_OK;
        }
        st = store_places_locate_city(s, parts[0], n > 1 ? parts[1] : NULL,
                                      n > 2 ? parts[2] : NULL, found, lat, lon);
    }
    if (st == DB_OK && !*found)
        input_error(in, field, false, "%s: no place called \"%s\" is known", field, near);
    return st;
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
        nparts = place_split(q, parts);
        if (nparts < 0)
            input_error(&in, "q", false, "q must be a name with at most two qualifiers, such as \"Portland, OR, US\"");
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        return;
    }
    bool digits = true;
    for (const char *p = parts[0]; *p; p++)
        digits = digits && isdigit((unsigned char)*p);
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "{\"items\":");
    enum db_status st = store_places_suggest(&r->db, digits && nparts == 1, parts[0],
                                             nparts > 1 ? parts[1] : NULL,
                                             nparts > 2 ? parts[2] : NULL, limit, &b);
    if (st != DB_OK) {
        buf_release(&b);
        reply_failure(r, st);
        return;
    }
    buf_puts(&b, ",\"next_cursor\":null}");
    size_t n;
    char *data = buf_detach(&b, &n);
    reply_owned(r, 200, "application/json", data, n);
}
