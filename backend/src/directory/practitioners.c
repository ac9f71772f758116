/* Practitioner search (nearest first, every filter at once, keyset pages) and the
 * public profile.  Near a place the index in memory (api/dirindex.c) finds the
 * matches; otherwise one query does.  PostgreSQL writes the JSON of each item; we
 * only join them. */
#include "directory/handlers.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "cache/index_keeper.h"
#include "directory/places.h"
#include "cache/vocab.h"
#include "domain/cursor.h"
#include "domain/timefmt.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vcache.h"
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

/* The profile, with the same columns as a search row. */
DB_STMT(st_profile,
        "SELECT c.doc, NULL, c.practitioner_id, NULL::float8, c.timezone"
        " FROM practitioner_profiles c WHERE c.practitioner_id = $1::uuid",
        1);

#define MAX_TECHNIQUES 10
/* matches examined when filtering or ordering by availability */
#define CANDIDATES 300

/* One match, from the database or from the index. */
struct row {
    const char *item; /* the JSON object, without distance_km and next_available */
    size_t item_len;
    const char *key;  /* the name, when ordered by name */
    char id[37];
    double dist;      /* metres, or NAN without a place */
    const struct tz *tz;
    int64_t next;     /* -1: nothing free within DIRINDEX_NEXT_DAYS */
    uint32_t card;    /* from the index: its card, the item read only for the page */
    uint64_t order;   /* the id's first 8 bytes, big-endian: decides ties without strcmp */
};

/* Reads the items of the page's rows when they come from the index: 1 done, 0 a
 * card went meanwhile, -1 replied. */
struct fill {
    int (*fn)(struct fill *f, struct req *r, struct row *rows, int n);
    struct dir_snapshot *snapshot; /* the rows' cards are its own */
};

static int64_t next_key(const struct row *it)
{
    return it->next < 0 ? INT64_MAX : it->next;
}

static int cmp_by_next(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int64_t kx = next_key(x), ky = next_key(y);
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* struct row's order from the id's text. */
static uint64_t order_of(const char *id)
{
    uint8_t bytes[16];
    return dir_uuid_parse(id, bytes) ? dir_id_order(bytes) : 0;
}

/* Rows of a search or profile result (columns as st_search_distance's). */
static struct row *rows_from_result(PGresult *res)
{
    int n = PQntuples(res);
    struct row *rows = xcalloc((size_t)(n ? n : 1), sizeof(*rows));
    for (int i = 0; i < n; i++) {
        rows[i].item = PQgetvalue(res, i, 0);
        rows[i].item_len = (size_t)PQgetlength(res, i, 0);
        rows[i].key = PQgetvalue(res, i, 1);
        snprintf(rows[i].id, sizeof(rows[i].id), "%s", PQgetvalue(res, i, 2));
        rows[i].order = order_of(rows[i].id);
        rows[i].dist = PQgetisnull(res, i, 3) ? NAN : strtod(PQgetvalue(res, i, 3), NULL);
        rows[i].tz = tz_get(PQgetvalue(res, i, 4));
    }
    return rows;
}

/* next_available of rows [0, n); s: the snapshot the rows' cards come from, or NULL.
 * False after replying. */
static bool compute_next(struct req *r, struct row *rows, int n, const char *minutes,
                         struct dir_snapshot *s)
{
    if (n <= 0)
        return true;
    const char **ids = xcalloc((size_t)n, sizeof(*ids));
    int64_t *next = xcalloc((size_t)n, sizeof(*next));
    uint32_t *at = s ? xcalloc((size_t)n, sizeof(*at)) : NULL;
    for (int i = 0; i < n; i++) {
        ids[i] = rows[i].id;
        if (s)
            at[i] = s->cards[rows[i].card].practitioner;
    }
    bool ok = s ? dirindex_next_free_held(r, s, at, ids, (size_t)n, minutes, next)
                : dirindex_next_free(r, ids, (size_t)n, minutes, next);
    for (int i = 0; ok && i < n; i++)
        rows[i].next = next[i];
    free(ids);
    free(next);
    free(at);
    return ok;
}

/* The JSON of one item with distance_km and next_available added: the stored object
 * minus its closing brace, then the fields (cheaper than parsing and writing every
 * item again). */
static void append_item(struct buf *b, const struct row *it)
{
    size_t len = it->item_len;
    while (len > 0 && it->item[len - 1] != '}')
        len--;
    if (len == 0) {
        buf_puts(b, "null");
        return;
    }
    buf_append(b, it->item, len - 1);
    if (!isnan(it->dist))
        buf_printf(b, ",\"distance_km\":%.2f", it->dist / 1000.0);
    if (it->next >= 0 && it->tz) {
        char t[40];
        rfc3339_format(it->next, tz_offset_at(it->tz, it->next), t, sizeof(t));
        buf_printf(b, ",\"next_available\":\"%s\"}", t);
    } else {
        buf_puts(b, ",\"next_available\":null}");
    }
}

static bool make_cursor(char kind, const struct row *it, char *out, size_t n)
{
    struct cursor c = {.kind = kind};
    snprintf(c.id, sizeof(c.id), "%s", it->id);
    if (kind == 'd') /* full precision so the next page starts exactly after */
        snprintf(c.key, sizeof(c.key), "%.17g", it->dist);
    else if (kind == 'a')
        snprintf(c.key, sizeof(c.key), "%lld", (long long)next_key(it));
    else
        snprintf(c.key, sizeof(c.key), "%s", it->key ? it->key : "");
    return cursor_encode(&c, out, n) == 0;
}

/* Builds the page from the n matches in rows (in distance or name order) and
 * replies.  full: n is as many as were asked for, so more may follow the last.
 * fill (may be NULL) reads the page's items.  Returns 0 when fill found a card gone
 * (nothing replied: ask the database), else 1. */
static int page_reply(struct req *r, struct row *rows, int n, bool full, char kind, long limit,
                      long within, const struct cursor *cur, const char *minutes,
                      struct fill *fill)
{
    int rc = 1;
    bool by_availability = kind == 'a' || within > 0;
    int examine = by_availability ? n : (n < limit ? n : (int)limit);
    struct buf b;
    buf_init(&b, 0);
    if (!compute_next(r, rows, examine, minutes, fill ? fill->snapshot : NULL))
        goto out;
    int64_t deadline = (int64_t)time(NULL) + within * 86400;
    int kept = 0;
    struct row marker = examine > 0 ? rows[examine - 1] : (struct row){0};
    for (int i = 0; i < examine; i++) /* drop those not free soon enough */
        if (within <= 0 || (rows[i].next >= 0 && rows[i].next < deadline))
            rows[kept++] = rows[i];
    const struct row *last = NULL;
    bool more = false;
    if (kind == 'a') {
        qsort(rows, (size_t)kept, sizeof(*rows), cmp_by_next);
        int first = 0;
        if (cur) {
            int64_t ck = strtoll(cur->key, NULL, 10);
            while (first < kept && (next_key(&rows[first]) < ck ||
                                    (next_key(&rows[first]) == ck &&
                                     strcmp(rows[first].id, cur->id) <= 0)))
                first++;
        }
        int end = first + (int)limit < kept ? first + (int)limit : kept;
        more = end < kept;
        memmove(rows, rows + first, (size_t)(end - first) * sizeof(*rows));
        kept = end - first;
        last = kept ? &rows[kept - 1] : NULL;
    } else if (within > 0) {
        if (kept > limit) {
            kept = (int)limit;
            more = true;
            last = &rows[kept - 1];
        } else if (full) {
            /* more matches may follow the last one examined: go on from there */
            more = true;
            last = &marker;
        }
    } else {
        more = n > limit;
        last = kept ? &rows[kept - 1] : NULL;
    }
    if (fill && (rc = fill->fn(fill, r, rows, kept)) != 1) {
        rc = rc == 0 ? 0 : 1;
        goto out;
    }
    buf_puts(&b, "{\"items\":[");
    for (int i = 0; i < kept; i++) {
        if (i)
            buf_putc(&b, ',');
        append_item(&b, &rows[i]);
    }
    buf_puts(&b, "],\"next_cursor\":");
    char next[CURSOR_MAX_TEXT + 1];
    if (more && last && make_cursor(kind, last, next, sizeof(next)))
        buf_printf(&b, "\"%s\"}", next);
    else
        buf_puts(&b, "null}");
    size_t len;
    char *data = buf_detach(&b, &len);
    reply_owned(r, 200, "application/json", data, len);
out:
    buf_release(&b);
    return rc;
}

/* The page's items from the index's item cache (or one query). */
struct index_fill {
    struct fill base;
    struct dir_snapshot *s;
    char **items;
    int nitems;
};

static int index_fill_fn(struct fill *f, struct req *r, struct row *rows, int n)
{
    struct index_fill *x = (struct index_fill *)f;
    struct dir_hit *hits = xcalloc((size_t)(n ? n : 1), sizeof(*hits));
    size_t *lens = xcalloc((size_t)(n ? n : 1), sizeof(*lens));
    x->items = xcalloc((size_t)(n ? n : 1), sizeof(*x->items));
    x->nitems = n;
    for (int i = 0; i < n; i++)
        hits[i].card = rows[i].card;
    int rc = dirindex_items(r, x->s, hits, (size_t)n, x->items, lens);
    for (int i = 0; rc == 1 && i < n; i++) {
        rows[i].item = x->items[i];
        rows[i].item_len = lens[i];
    }
    free(hits);
    free(lens);
    return rc;
}

/* The search from the index in memory.  Returns 1 when it replied, 0 when the
 * database must answer (no index yet, or a card went meanwhile). */
static int search_index(struct req *r, const struct dir_query *q, const char *language,
                        size_t want, char kind, long limit, long within,
                        const struct cursor *cur, const char *minutes)
{
    struct dir_snapshot *s = dirindex_acquire();
    if (!s)
        return 0;
    struct dir_query query = *q;
    if (language)
        query.language = dir_language(s, language);
    struct dir_hit *hits = xcalloc(want, sizeof(*hits));
    struct row *rows = xcalloc(want, sizeof(*rows));
    long n = dir_search(s, &query, hits, want);
    for (long i = 0; i < n; i++) {
        const struct dir_card *c = &s->cards[hits[i].card];
        dir_uuid_format(s->practitioners[c->practitioner].id, rows[i].id);
        rows[i].dist = hits[i].dist_m;
        rows[i].tz = c->tz;
        rows[i].card = hits[i].card;
        rows[i].order = c->order;
    }
    struct index_fill fill = {.base = {index_fill_fn, s}, .s = s};
    int rc = page_reply(r, rows, (int)n, (size_t)n == want, kind, limit, within, cur, minutes,
                        &fill.base);
    for (int i = 0; i < fill.nitems; i++)
        free(fill.items[i]);
    free(fill.items);
    free(rows);
    free(hits);
    dirindex_release(s);
    return rc;
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

static void set_bool(struct input *in, const char *key, char *out, const char **slot,
                     struct dir_query *dq, uint8_t flag)
{
    bool b;
    if (q_bool(in, key, &b)) {
        snprintf(out, 8, "%s", b ? "true" : "false");
        *slot = out;
        dq->flags_mask |= flag;
        if (b)
            dq->flags_value |= flag;
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
    /* the same search for the index; indexable stays true while it can answer */
    struct dir_query dq = {.profession = -1, .condition = -1, .language = -1,
                           .max_price_cents = -1, .minutes = -1};
    bool indexable = true;

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
            dq.lat = lat;
            dq.lon = lon;
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
    dq.radius_m = radius_km * 1000.0;
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
            if (found && (id < 0 || id >= DIR_MAX_VOCAB_ID))
                indexable = false;
            else if (found)
                dq.techniques |= UINT64_C(1) << id;
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
        dq.profession = id;
    }
    const char *cond = q_str(&in, "condition", 100);
    if (cond) {
        int id;
        bool found;
        if (vocab_param(&in, VOCAB_CONDITION, "condition", cond, &id, &found) < 0)
            goto out;
        snprintf(cond_s, sizeof(cond_s), "%d", id);
        v[5] = found ? cond_s : NULL;
        dq.condition = id;
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
    set_bool(&in, "accepting_new", acc_s, &v[8], &dq, DIR_ACCEPTING);
    set_bool(&in, "home_visits", home_s, &v[9], &dq, DIR_HOME_VISITS);
    set_bool(&in, "wheelchair_accessible", wheel_s, &v[10], &dq, DIR_WHEELCHAIR);
    set_bool(&in, "sliding_scale", slide_s, &v[16], &dq, DIR_SLIDING);
    double max_price;
    if (q_double(&in, "max_price", 0, 100000, &max_price)) {
        snprintf(price_s, sizeof(price_s), "%ld", (long)llround(max_price * 100.0));
        dq.max_price_cents = (int32_t)llround(max_price * 100.0);
        v[11] = price_s;
    }
    long minutes;
    if (q_long(&in, "session_minutes", 5, 480, &minutes)) {
        snprintf(mins_s, sizeof(mins_s), "%ld", minutes);
        dq.minutes = (int32_t)minutes;
        v[12] = mins_s;
    }
    long within = 0;
    q_long(&in, "available_within_days", 1, DIRINDEX_NEXT_DAYS, &within);

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
    long want = by_availability ? (long)CANDIDATES : limit + 1;
    const char *minutes_arg = mins_s[0] ? mins_s : NULL;
    /* Near a place and without free text, the index in memory answers (the database
     * while it is loading); the same order, filters and cursors either way. */
    if (have_cursor && kind == 'd') {
        dq.has_cursor = parse_double(c.key, 0, 1e8, &dq.cursor_dist) == 0 &&
                        dir_uuid_parse(c.id, dq.cursor_id);
        indexable = indexable && dq.has_cursor;
    }
    if (indexable && have_near && sql_kind == 'd' && !v[6] &&
        search_index(r, &dq, v[7], (size_t)want, kind, limit, within,
                     have_cursor ? &c : NULL, minutes_arg))
        goto out;
    snprintf(limit_s, sizeof(limit_s), "%ld", want);
    v[15] = limit_s;
    PGresult *res = api_query(r, sql_kind == 'd' ? &st_search_distance : &st_search_name, v);
    if (!res)
        goto out;
    struct row *rows = rows_from_result(res);
    int n = PQntuples(res);
    page_reply(r, rows, n, n == want, kind, limit, within, have_cursor ? &c : NULL, minutes_arg,
               NULL);
    free(rows);
    PQclear(res);
out:
    input_release(&in);
}

/* Profiles as the database wrote them ("time zone\0document"), valid for one version
 * of the cards (a profile is rewritten only with its cards: refresh_practitioner_cards). */
#define PROFILE_SETS 1024
#define PROFILE_MAX_BYTES 16384
static struct vcache *profiles;
static pthread_once_t profiles_once = PTHREAD_ONCE_INIT;

static void profiles_init(void)
{
    profiles = vcache_new(PROFILE_SETS, PROFILE_MAX_BYTES);
}

void practitioners_profile_counts(long *hits, long *misses)
{
    pthread_once(&profiles_once, profiles_init);
    vcache_counts(profiles, hits, misses);
}

void practitioners_profile(struct req *r)
{
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) { /* (canonical: lower case, so one key per practitioner) */
        reply_not_found(r);
        return;
    }
    pthread_once(&profiles_once, profiles_init);
    uint64_t version;
    bool cacheable = dirindex_cards_version(&version);
    size_t len = 0;
    char *blob = cacheable ? vcache_get(profiles, id, version, &len) : NULL;
    PGresult *res = NULL;
    if (!blob) {
        const char *v[] = {id};
        if (!(res = api_query(r, &st_profile, v)))
            return;
        if (PQntuples(res) != 1) {
            PQclear(res);
            reply_not_found(r);
            return;
        }
        struct buf k;
        buf_init(&k, 0);
        buf_puts(&k, PQgetvalue(res, 0, 4));
        buf_putc(&k, '\0');
        buf_append(&k, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
        blob = buf_detach(&k, &len);
        if (cacheable)
            vcache_put(profiles, id, version, blob, len);
        PQclear(res);
    }
    size_t tzlen = strlen(blob);
    struct row it = {.item = blob + tzlen + 1, .item_len = len - tzlen - 1, .dist = NAN,
                     .tz = tz_get(blob)};
    snprintf(it.id, sizeof(it.id), "%s", id);
    struct buf b;
    buf_init(&b, 0);
    if (compute_next(r, &it, 1, NULL, NULL)) {
        append_item(&b, &it);
        size_t n;
        char *data = buf_detach(&b, &n);
        reply_owned(r, 200, "application/json", data, n);
    }
    buf_release(&b);
    free(blob);
}
