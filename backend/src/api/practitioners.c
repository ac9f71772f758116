/* Practitioner search (nearest first, every filter in one query, keyset pages) and the
 * public profile.  PostgreSQL writes the JSON of each item; we only join them. */
#include "api/handlers.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "api/places.h"
#include "api/schedule.h"
#include "api/vocab.h"
#include "domain/cursor.h"
#include "domain/timefmt.h"
#include "util/parse.h"

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
 * key, 2 practitioner id, 3 distance (m) or NULL, 4 cached next free (epoch) or NULL,
 * 5 whether the cache answered, 6 the item location's time zone. */
#define NEXT_FREE_JOIN                                                                       \
    " LEFT JOIN practitioner_next_free nf ON nf.practitioner_id = c.practitioner_id"         \
    "   AND nf.minutes = coalesce($13::int, 0) AND nf.valid_until > now()"
#define ROW_TAIL                                                                             \
    " extract(epoch FROM nf.next_at)::bigint, nf.practitioner_id IS NOT NULL, c.timezone"

DB_STMT(st_search_distance,
        "SELECT c.item, c.dist, c.practitioner_id, c.dist," ROW_TAIL
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
        NEXT_FREE_JOIN
        " ORDER BY c.dist, c.practitioner_id",
        17);

DB_STMT(st_search_name,
        "SELECT c.item, c.name, c.practitioner_id, c.dist," ROW_TAIL
        " FROM (SELECT DISTINCT ON (pc.name, pc.practitioner_id) pc.item, pc.name,"
        "   pc.practitioner_id, pc.timezone,"
        "   CASE WHEN $1::float8 IS NULL THEN NULL ELSE pc.geog <-> " PT " END AS dist"
        "   FROM practitioner_cards pc"
        "   WHERE ($1::float8 IS NULL OR ST_DWithin(pc.geog, " PT ", $3::float8, false))"
        CARD_FILTERS
        "   AND ($14::text IS NULL OR (pc.name, pc.practitioner_id) > ($14::text, $15::uuid))"
        "   ORDER BY pc.name, pc.practitioner_id, 5 NULLS LAST, pc.location_id"
        "   LIMIT $16::int) c"
        NEXT_FREE_JOIN
        " ORDER BY c.name, c.practitioner_id",
        17);

/* The profile, with the same columns as a search row. */
DB_STMT(st_profile,
        "SELECT c.doc, NULL, c.practitioner_id, NULL::float8,"
        " extract(epoch FROM nf.next_at)::bigint, nf.practitioner_id IS NOT NULL, c.timezone"
        " FROM practitioner_profiles c"
        " LEFT JOIN practitioner_next_free nf ON nf.practitioner_id = c.practitioner_id"
        "   AND nf.minutes = 0 AND nf.valid_until > now()"
        " WHERE c.practitioner_id = $1::uuid",
        1);

/* Remembers computed next free times ($1 ids, $2 minutes, $3 epochs or -1, $4 valid
 * until epochs). */
DB_STMT(st_next_free_put,
        "INSERT INTO practitioner_next_free (practitioner_id, minutes, next_at, valid_until)"
        " SELECT u.id, $2::int, CASE WHEN u.nx >= 0 THEN to_timestamp(u.nx) END,"
        " to_timestamp(u.vu) FROM unnest($1::uuid[], $3::bigint[], $4::bigint[]) AS u(id, nx, vu)"
        " ON CONFLICT (practitioner_id, minutes) DO UPDATE SET next_at = EXCLUDED.next_at,"
        " valid_until = EXCLUDED.valid_until",
        4);

#define MAX_TECHNIQUES 10
/* next_available looks this many days ahead */
#define NEXT_AVAILABLE_DAYS 62
/* matches examined when filtering or ordering by availability */
#define CANDIDATES 300

struct item {
    int row;
    int64_t next; /* -1: nothing free within NEXT_AVAILABLE_DAYS */
};

static int64_t next_key(const struct item *it)
{
    return it->next < 0 ? INT64_MAX : it->next;
}

static int cmp_by_next(const void *a, const void *b, void *res)
{
    const struct item *x = a, *y = b;
    int64_t kx = next_key(x), ky = next_key(y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    return strcmp(PQgetvalue(res, x->row, 2), PQgetvalue(res, y->row, 2));
}

/* How long a computed next free time may be served from the cache. */
#define NEXT_FREE_TTL_S 120

/* next_available for rows [0, n) of res: from the cache where it answered, else
 * computed with the slot code (one batched schedule query) and remembered.  False
 * after replying. */
static bool compute_next(struct req *r, PGresult *res, int n, const char *minutes,
                         struct item *items)
{
    const char *miss[CANDIDATES];
    int miss_row[CANDIDATES];
    int nmiss = 0;
    for (int i = 0; i < n; i++) {
        items[i].row = i;
        items[i].next = -1;
        if (PQgetvalue(res, i, 5)[0] == 't') {
            if (!PQgetisnull(res, i, 4))
                items[i].next = strtoll(PQgetvalue(res, i, 4), NULL, 10);
        } else if (nmiss < CANDIDATES) {
            miss_row[nmiss] = i;
            miss[nmiss++] = PQgetvalue(res, i, 2);
        }
    }
    if (nmiss == 0)
        return true;
    struct schedule *scheds = calloc((size_t)nmiss, sizeof(*scheds));
    if (!scheds)
        abort();
    int64_t now = (int64_t)time(NULL);
    int64_t to = now + (int64_t)NEXT_AVAILABLE_DAYS * 86400;
    long nsched = schedule_load_many(r, miss, (size_t)nmiss, minutes, now, to, scheds);
    bool ok = nsched >= 0;
    struct buf ids, nexts, until;
    buf_init(&ids, 0);
    buf_init(&nexts, 0);
    buf_init(&until, 0);
    for (long k = 0; k < nsched; k++) {
        int64_t next = schedule_next_free(&scheds[k], scheds[k].now, to);
        for (int m = 0; m < nmiss; m++)
            if (strcmp(scheds[k].practitioner_id, miss[m]) == 0)
                items[miss_row[m]].next = next;
        /* valid until the cache's time to live, or until that time slips inside the
         * minimum notice, whichever comes first */
        int64_t valid = scheds[k].now + NEXT_FREE_TTL_S;
        if (next >= 0 && next - (int64_t)scheds[k].min_notice_min * 60 < valid)
            valid = next - (int64_t)scheds[k].min_notice_min * 60;
        buf_printf(&ids, "%s%s", k ? "," : "{", scheds[k].practitioner_id);
        buf_printf(&nexts, "%s%lld", k ? "," : "{", (long long)next);
        buf_printf(&until, "%s%lld", k ? "," : "{", (long long)valid);
    }
    if (ok && nsched > 0) {
        buf_putc(&ids, '}');
        buf_putc(&nexts, '}');
        buf_putc(&until, '}');
        const char *v[] = {ids.data, minutes ? minutes : "0", nexts.data, until.data};
        PGresult *put = api_query(r, &st_next_free_put, v);
        ok = put != NULL;
        PQclear(put);
    }
    for (long k = 0; k < (nsched > 0 ? nsched : 0); k++)
        schedule_release(&scheds[k]);
    free(scheds);
    buf_release(&ids);
    buf_release(&nexts);
    buf_release(&until);
    return ok;
}

/* The JSON of one item with distance_km and next_available added: the database's
 * object minus its closing brace, then the fields (cheaper than parsing and writing
 * every item again). */
static void append_item(struct buf *b, PGresult *res, const struct item *it)
{
    const char *text = PQgetvalue(res, it->row, 0);
    size_t len = (size_t)PQgetlength(res, it->row, 0);
    while (len > 0 && text[len - 1] != '}')
        len--;
    if (len == 0) {
        buf_puts(b, "null");
        return;
    }
    buf_append(b, text, len - 1);
    if (!PQgetisnull(res, it->row, 3))
        buf_printf(b, ",\"distance_km\":%.2f", strtod(PQgetvalue(res, it->row, 3), NULL) / 1000.0);
    const struct tz *z = tz_get(PQgetvalue(res, it->row, 6));
    if (it->next >= 0 && z) {
        char t[40];
        rfc3339_format(it->next, tz_offset_at(z, it->next), t, sizeof(t));
        buf_printf(b, ",\"next_available\":\"%s\"}", t);
    } else {
        buf_puts(b, ",\"next_available\":null}");
    }
}

static bool make_cursor(char kind, PGresult *res, const struct item *it, char *out, size_t n)
{
    struct cursor c = {.kind = kind};
    snprintf(c.id, sizeof(c.id), "%s", PQgetvalue(res, it->row, 2));
    if (kind == 'd') /* full precision so the next page starts exactly after */
        snprintf(c.key, sizeof(c.key), "%.17g", strtod(PQgetvalue(res, it->row, 1), NULL));
    else if (kind == 'a')
        snprintf(c.key, sizeof(c.key), "%lld", (long long)next_key(it));
    else
        snprintf(c.key, sizeof(c.key), "%s", PQgetvalue(res, it->row, 1));
    return cursor_encode(&c, out, n) == 0;
}

/* Builds the page from the matches in res (in SQL order) and replies. */
static void page_reply(struct req *r, PGresult *res, char kind, long limit, long within,
                       const struct cursor *cur, const char *minutes)
{
    int n = PQntuples(res);
    bool by_availability = kind == 'a' || within > 0;
    int examine = by_availability ? n : (n < limit ? n : (int)limit);
    struct item *items = calloc((size_t)(examine ? examine : 1), sizeof(*items));
    struct buf b;
    buf_init(&b, 0);
    if (!items || !compute_next(r, res, examine, minutes, items))
        goto out;
    int64_t deadline = (int64_t)time(NULL) + within * 86400;
    int kept = 0;
    for (int i = 0; i < examine; i++) /* drop those not free soon enough */
        if (within <= 0 || (items[i].next >= 0 && items[i].next < deadline))
            items[kept++] = items[i];
    const struct item *last = NULL;
    struct item marker = {0};
    bool more = false;
    if (kind == 'a') {
        qsort_r(items, (size_t)kept, sizeof(*items), cmp_by_next, res);
        int first = 0;
        if (cur) {
            int64_t ck = strtoll(cur->key, NULL, 10);
            while (first < kept &&
                   (next_key(&items[first]) < ck ||
                    (next_key(&items[first]) == ck &&
                     strcmp(PQgetvalue(res, items[first].row, 2), cur->id) <= 0)))
                first++;
        }
        int end = first + (int)limit < kept ? first + (int)limit : kept;
        more = end < kept;
        memmove(items, items + first, (size_t)(end - first) * sizeof(*items));
        kept = end - first;
        last = kept ? &items[kept - 1] : NULL;
    } else if (within > 0) {
        if (kept > limit) {
            kept = (int)limit;
            more = true;
            last = &items[kept - 1];
        } else if (n == CANDIDATES) {
            /* more matches may follow the last one examined: go on from there */
            marker.row = n - 1;
            more = true;
            last = &marker;
        }
    } else {
        more = n > limit;
        last = kept ? &items[kept - 1] : NULL;
    }
    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < kept; i++) {
        if (i)
            buf_putc(&b, ',');
        append_item(&b, res, &items[i]);
    }
    buf_puts(&b, "],\"next_cursor\":");
    char next[CURSOR_MAX_TEXT + 1];
    if (more && last && make_cursor(kind, res, last, next, sizeof(next)))
        buf_printf(&b, "\"%s\"}", next);
    else
        buf_puts(&b, "null}");
    size_t len;
    char *data = buf_detach(&b, &len);
    reply_owned(r, 200, "application/json", data, len);
out:
    buf_release(&b);
    free(items);
}

static const char *const search_params[] = {
    "near", "radius_km", "technique", "profession", "condition", "q", "language",
    "accepting_new", "home_visits", "wheelchair_accessible", "sliding_scale", "max_price",
    "session_minutes", "available_within_days", "sort", "limit", "cursor", NULL};

static void check_known_params(struct input *in)
{
    const struct target *t = &in->r->target;
    for (size_t i = 0; i < t->nparams; i++) {
        bool known = false;
        for (const char *const *k = search_params; *k && !known; k++)
            known = strcmp(*k, t->params[i].key) == 0;
        if (!known)
            input_error(in, t->params[i].key, false, "%.60s is not a search parameter",
                        t->params[i].key);
    }
}

static void set_bool(struct input *in, const char *key, char *out, const char **slot)
{
    bool b;
    if (q_bool(in, key, &b)) {
        snprintf(out, 8, "%s", b ? "true" : "false");
        *slot = out;
    }
}

/* Resolves a vocabulary parameter; returns -1 after replying, else 0. */
static int vocab_param(struct input *in, enum vocab_kind kind, const char *key, const char *text,
                       int *id, bool *found)
{
    int rc = vocab_lookup(in->r, kind, text, id);
    if (rc < 0)
        return -1;
    *found = rc == 1;
    if (!*found)
        input_error(in, key, false, "%s: \"%.80s\" is not a known %s", key, text, key);
    return 0;
}

void practitioners_search(struct req *r)
{
    struct input in;
    input_init(&in, r);
    check_known_params(&in);

    const char *v[17] = {NULL};
    char lat_s[32], lon_s[32], radius_s[32], tech_s[128], prof_s[16], cond_s[16];
    char acc_s[8], home_s[8], wheel_s[8], slide_s[8], price_s[24], mins_s[16] = "";
    char key_s[CURSOR_MAX_KEY], id_s[40], limit_s[24];

    /* place */
    const char *near = q_str(&in, "near", 200);
    bool have_near = false;
    if (near) {
        double lat, lon;
        int rc = place_resolve(&in, "near", near, &lat, &lon);
        if (rc < 0)
            goto out;
        if (rc == 1) {
            have_near = true;
            snprintf(lat_s, sizeof(lat_s), "%.7f", lat);
            snprintf(lon_s, sizeof(lon_s), "%.7f", lon);
            v[0] = lat_s;
            v[1] = lon_s;
        }
    }
    double radius_km = 25;
    if (q_double(&in, "radius_km", 0.1, 500, &radius_km) && !near)
        input_error(&in, "radius_km", false, "radius_km needs near");
    snprintf(radius_s, sizeof(radius_s), "%.3f", radius_km * 1000.0);
    v[2] = radius_s;

    /* vocabulary */
    const char *techs[MAX_TECHNIQUES];
    size_t ntech = q_all(&in, "technique", techs, MAX_TECHNIQUES);
    if (ntech) {
        size_t len = 0;
        int ids[MAX_TECHNIQUES];
        size_t nids = 0;
        bool all = true;
        for (size_t i = 0; i < ntech; i++) {
            int id;
            bool found;
            if (vocab_param(&in, VOCAB_TECHNIQUE, "technique", techs[i], &id, &found) < 0)
                goto out;
            all = all && found;
            bool dup = false; /* "MFR" and "myofascial-release" are one technique */
            for (size_t k = 0; k < nids; k++)
                dup = dup || ids[k] == id;
            if (found && !dup)
                ids[nids++] = id;
        }
        tech_s[len++] = '{';
        for (size_t k = 0; k < nids; k++)
            len += (size_t)snprintf(tech_s + len, sizeof(tech_s) - len, "%s%d", k ? "," : "",
                                    ids[k]);
        snprintf(tech_s + len, sizeof(tech_s) - len, "}");
        if (all)
            v[3] = tech_s;
    }
    const char *prof = q_str(&in, "profession", 100);
    if (prof) {
        int id;
        bool found;
        if (vocab_param(&in, VOCAB_PROFESSION, "profession", prof, &id, &found) < 0)
            goto out;
        snprintf(prof_s, sizeof(prof_s), "%d", id);
        v[4] = found ? prof_s : NULL;
    }
    const char *cond = q_str(&in, "condition", 100);
    if (cond) {
        int id;
        bool found;
        if (vocab_param(&in, VOCAB_CONDITION, "condition", cond, &id, &found) < 0)
            goto out;
        snprintf(cond_s, sizeof(cond_s), "%d", id);
        v[5] = found ? cond_s : NULL;
    }

    /* free text and filters */
    const char *q = q_str(&in, "q", 200);
    if (q && !*q)
        input_error(&in, "q", false, "q must not be empty");
    v[6] = q && *q ? q : NULL;
    const char *lang = q_str(&in, "language", 8);
    if (lang) {
        if (strlen(lang) == 2 && lang[0] >= 'a' && lang[0] <= 'z' && lang[1] >= 'a' &&
            lang[1] <= 'z')
            v[7] = lang;
        else
            input_error(&in, "language", false, "language must be a two-letter ISO 639-1 code such as en or es");
    }
    set_bool(&in, "accepting_new", acc_s, &v[8]);
    set_bool(&in, "home_visits", home_s, &v[9]);
    set_bool(&in, "wheelchair_accessible", wheel_s, &v[10]);
    set_bool(&in, "sliding_scale", slide_s, &v[16]);
    double max_price;
    if (q_double(&in, "max_price", 0, 100000, &max_price)) {
        snprintf(price_s, sizeof(price_s), "%ld", (long)llround(max_price * 100.0));
        v[11] = price_s;
    }
    long minutes;
    if (q_long(&in, "session_minutes", 5, 480, &minutes)) {
        snprintf(mins_s, sizeof(mins_s), "%ld", minutes);
        v[12] = mins_s;
    }
    long within = 0;
    q_long(&in, "available_within_days", 1, NEXT_AVAILABLE_DAYS, &within);

    /* order and page */
    const char *sort = q_str(&in, "sort", 20);
    char kind = near ? 'd' : 'n';
    if (sort) {
        if (strcmp(sort, "distance") == 0) {
            kind = 'd';
            if (!near)
                input_error(&in, "sort", false, "sort=distance needs near");
        } else if (strcmp(sort, "name") == 0) {
            kind = 'n';
        } else if (strcmp(sort, "next_available") == 0) {
            kind = 'a';
        } else {
            input_error(&in, "sort", false, "sort must be distance, next_available or name");
        }
    }
    long limit = 20;
    q_long(&in, "limit", 1, 100, &limit);
    struct cursor c = {0};
    const char *cur = q_str(&in, "cursor", CURSOR_MAX_TEXT);
    bool have_cursor = false;
    if (cur) {
        double d;
        long long a;
        if (cursor_decode(cur, &c) < 0 || c.kind != kind ||
            (kind == 'd' && parse_double(c.key, 0, 1e8, &d) != 0) ||
            (kind == 'a' && sscanf(c.key, "%lld", &a) != 1)) {
            input_error(&in, "cursor", false,
                        "cursor is not one this search produced; start again without it");
        } else {
            have_cursor = true;
        }
    }
    if (!input_ok(&in)) {
        input_reply(&in);
        goto out;
    }
    /* Availability is computed here, not in SQL: with the filter or that order, the
     * search looks at up to CANDIDATES matches in distance (or name) order. */
    bool by_availability = kind == 'a' || within > 0;
    char sql_kind = kind == 'a' ? (have_near ? 'd' : 'n') : kind;
    if (have_cursor && kind != 'a') {
        snprintf(key_s, sizeof(key_s), "%s", c.key);
        snprintf(id_s, sizeof(id_s), "%s", c.id);
        v[13] = key_s;
        v[14] = id_s;
    }
    snprintf(limit_s, sizeof(limit_s), "%ld", by_availability ? (long)CANDIDATES : limit + 1);
    v[15] = limit_s;
    PGresult *res = api_query(r, sql_kind == 'd' ? &st_search_distance : &st_search_name, v);
    if (!res)
        goto out;
    page_reply(r, res, kind, limit, within, have_cursor ? &c : NULL, mins_s[0] ? mins_s : NULL);
    PQclear(res);
out:
    input_release(&in);
}

void practitioners_profile(struct req *r)
{
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) {
        reply_not_found(r);
        return;
    }
    const char *v[] = {id};
    PGresult *res = api_query(r, &st_profile, v);
    if (!res)
        return;
    if (PQntuples(res) != 1) {
        PQclear(res);
        reply_not_found(r);
        return;
    }
    struct item it = {0};
    struct buf b;
    buf_init(&b, 0);
    if (compute_next(r, res, 1, NULL, &it)) {
        append_item(&b, res, &it);
        size_t len;
        char *data = buf_detach(&b, &len);
        reply_owned(r, 200, "application/json", data, len);
    }
    buf_release(&b);
    PQclear(res);
}
