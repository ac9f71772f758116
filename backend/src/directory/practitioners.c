/* Practitioner search (nearest first, every filter at once, keyset pages) and the
 * public profile.  The query is parsed into a struct search (search.c); near a place
 * the index in memory (cache/index_keeper.c) finds the matches, otherwise one query
 * (store/directory_search.c) does.  PostgreSQL writes the JSON of each item; we
 * only join them. */
#include "api/handlers.h"
#include "directory/practitioners.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include "api/common.h"
#include "cache/index_keeper.h"
#include "cache/vocab.h"
#include "directory/places.h"
#include "directory/search.h"
#include "domain/cursor.h"
#include "domain/timefmt.h"
#include "store/directory_search.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/parse.h"
#include "util/vcache.h"

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

/* next_available of rows [0, n); snap: the snapshot the rows' cards come from, or NULL. */
static enum db_status compute_next(struct db_session *db, struct row *rows, int n,
                                   const char *minutes, struct dir_snapshot *snap)
{
    if (n <= 0)
        return DB_OK;
    const char **ids = xcalloc((size_t)n, sizeof(*ids));
    int64_t *next = xcalloc((size_t)n, sizeof(*next));
    uint32_t *at = snap ? xcalloc((size_t)n, sizeof(*at)) : NULL;
    for (int i = 0; i < n; i++) {
        ids[i] = rows[i].id;
        if (snap)
            at[i] = snap->cards[rows[i].card].practitioner;
    }
    enum db_status st =
        snap ? dirindex_next_opening_held(db, snap, at, ids, (size_t)n, minutes, next)
             : dirindex_next_opening(db, ids, (size_t)n, minutes, next);
    for (int i = 0; st == DB_OK && i < n; i++)
        rows[i].next = next[i];
    free(ids);
    free(next);
    free(at);
    return st;
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

/* Reads the items of the page's rows when they come from the index: DB_NOT_FOUND when
 * a card went meanwhile. */
struct fill {
    enum db_status (*fn)(struct fill *f, struct db_session *db, struct row *rows, int n);
    struct dir_snapshot *snapshot; /* the rows' cards are its own */
};

/* The page: rows[0..n) the matches read, in distance or name order; full: as many
 * as were asked for, so more may follow the last. */
struct page {
    struct row *rows;
    int n;
    bool full;
    int kept;               /* rows[0..kept): the page's items */
    bool more;
    const struct row *last; /* the cursor's row when more */
    struct row marker;      /* the last row examined (a copy: rows are moved) */
};

/* sort=next_available: the rows by next opening, the page after the cursor. */
static void cut_by_next(struct page *p, const struct search *q)
{
    struct row *rows = p->rows;
    qsort(rows, (size_t)p->kept, sizeof(*rows), cmp_by_next);
    int first = 0;
    if (q->have_cursor) {
        int64_t ck = strtoll(q->cursor.key, NULL, 10);
        while (first < p->kept && (next_key(&rows[first]) < ck ||
                                   (next_key(&rows[first]) == ck &&
                                    strcmp(rows[first].id, q->cursor.id) <= 0)))
            first++;
    }
    int end = first + (int)q->limit < p->kept ? first + (int)q->limit : p->kept;
    p->more = end < p->kept;
    memmove(rows, rows + first, (size_t)(end - first) * sizeof(*rows));
    p->kept = end - first;
    p->last = p->kept ? &rows[p->kept - 1] : NULL;
}

/* Which rows make the page, after their next openings are known. */
static void page_choose(struct page *p, const struct search *q, int examine)
{
    int64_t deadline = (int64_t)time(NULL) + q->within * 86400;
    p->kept = 0;
    p->marker = examine > 0 ? p->rows[examine - 1] : (struct row){0};
    for (int i = 0; i < examine; i++) /* drop those not free soon enough */
        if (q->within <= 0 || (p->rows[i].next >= 0 && p->rows[i].next < deadline))
            p->rows[p->kept++] = p->rows[i];
    p->last = NULL;
    p->more = false;
    if (q->kind == 'a') {
        cut_by_next(p, q);
    } else if (q->within > 0) {
        if (p->kept > q->limit) {
            p->kept = (int)q->limit;
            p->more = true;
            p->last = &p->rows[p->kept - 1];
        } else if (p->full) {
            /* more matches may follow the last one examined: go on from there */
            p->more = true;
            p->last = &p->marker;
        }
    } else {
        p->more = p->n > q->limit;
        p->last = p->kept ? &p->rows[p->kept - 1] : NULL;
    }
}

/* The page's body into out: {"items": [...], "next_cursor": ...}. */
static void page_write(const struct page *p, char kind, struct buf *out)
{
    buf_puts(out, "{\"items\":[");
    for (int i = 0; i < p->kept; i++) {
        if (i)
            buf_putc(out, ',');
        append_item(out, &p->rows[i]);
    }
    buf_puts(out, "],\"next_cursor\":");
    char next[CURSOR_MAX_TEXT + 1];
    if (p->more && p->last && make_cursor(kind, p->last, next, sizeof(next)))
        buf_printf(out, "\"%s\"}", next);
    else
        buf_puts(out, "null}");
}

/* Builds the page of search q from p's rows into out.  fill (may be NULL) reads the
 * page's items (DB_NOT_FOUND: a card went, ask the database). */
static enum db_status page_build(struct db_session *db, struct page *p, const struct search *q,
                                 struct fill *fill, struct buf *out)
{
    bool by_availability = q->kind == 'a' || q->within > 0;
    int examine = by_availability ? p->n : (p->n < q->limit ? p->n : (int)q->limit);
    enum db_status st =
        compute_next(db, p->rows, examine, q->minutes, fill ? fill->snapshot : NULL);
    if (st != DB_OK)
        return st;
    page_choose(p, q, examine);
    if (fill && (st = fill->fn(fill, db, p->rows, p->kept)) != DB_OK)
        return st;
    page_write(p, q->kind, out);
    return DB_OK;
}

/* The page's items from the index's item cache (or one query). */
struct index_fill {
    struct fill base;
    char **items;
    int nitems;
};

static enum db_status index_fill_fn(struct fill *f, struct db_session *db, struct row *rows,
                                    int n)
{
    struct index_fill *x = (struct index_fill *)f;
    struct dir_hit *hits = xcalloc((size_t)(n ? n : 1), sizeof(*hits));
    size_t *lens = xcalloc((size_t)(n ? n : 1), sizeof(*lens));
    x->items = xcalloc((size_t)(n ? n : 1), sizeof(*x->items));
    x->nitems = n;
    for (int i = 0; i < n; i++)
        hits[i].card = rows[i].card;
    enum db_status st = dirindex_items(db, f->snapshot, hits, (size_t)n, x->items, lens);
    for (int i = 0; st == DB_OK && i < n; i++) {
        rows[i].item = x->items[i];
        rows[i].item_len = lens[i];
    }
    free(hits);
    free(lens);
    return st;
}

/* The search from the index in memory into out.  DB_NOT_FOUND when the database must
 * answer (no index yet, or a card went meanwhile). */
static enum db_status search_index(struct db_session *db, const struct search *q,
                                   struct buf *out)
{
    struct dir_snapshot *s = dirindex_acquire();
    if (!s)
        return DB_NOT_FOUND;
    struct dir_query query = q->index;
    if (q->language)
        query.language = dir_language(s, q->language);
    size_t want = (size_t)q->want;
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
    struct index_fill fill = {.base = {index_fill_fn, s}};
    struct page p = {.rows = rows, .n = (int)n, .full = (size_t)n == want};
    enum db_status st = page_build(db, &p, q, &fill.base, out);
    for (int i = 0; i < fill.nitems; i++)
        free(fill.items[i]);
    free(fill.items);
    free(rows);
    free(hits);
    dirindex_release(s);
    return st;
}

/* The rows of a search read from the database. */
struct db_rows {
    struct row *rows;
    size_t n;
};

static void take_row(const struct store_search_row *r, size_t i, size_t n, void *ctx)
{
    struct db_rows *x = ctx;
    if (!x->rows)
        x->rows = xcalloc(n, sizeof(*x->rows));
    struct row *it = &x->rows[i];
    it->item = r->item;
    it->item_len = r->item_len;
    it->key = r->key;
    snprintf(it->id, sizeof(it->id), "%s", r->practitioner_id);
    it->order = order_of(it->id);
    it->dist = r->dist;
    it->tz = tz_get(r->timezone);
    x->n = i + 1;
}

/* The search from the database into out. */
static enum db_status search_database(struct db_session *db, const struct search *q,
                                      struct buf *out)
{
    struct db_rows x = {0};
    struct store_held *held;
    enum db_status st = store_directory_search(db, q->sql_kind == 'n', &q->sql, take_row, &x,
                                               &held);
    if (st == DB_OK) {
        if (!x.rows)
            x.rows = xcalloc(1, sizeof(*x.rows));
        struct page p = {.rows = x.rows, .n = (int)x.n, .full = (long)x.n == q->want};
        st = page_build(db, &p, q, NULL, out);
        store_held_release(held);
    }
    free(x.rows);
    return st;
}

static enum db_status look_place(void *ctx, struct input *in, const char *near, bool *found,
                                 double *lat, double *lon)
{
    return place_locate(ctx, in, "near", near, found, lat, lon);
}

static enum db_status look_term(void *ctx, enum vocab_kind kind, const char *text, int *id,
                                bool *found)
{
    return vocab_find(ctx, kind, text, id, found);
}

void practitioners_search(struct req *r)
{
    struct input in;
    input_init(&in, r);
    struct search q;
    const struct search_lookups look = {look_place, look_term, &r->db};
    enum db_status st = search_parse(&in, &look, &q);
    struct buf b;
    buf_init(&b, 0);
    if (st == DB_OK && input_ok(&in)) {
        st = q.use_index ? search_index(&r->db, &q, &b) : DB_NOT_FOUND;
        if (st == DB_NOT_FOUND) {
            buf_release(&b);
            st = search_database(&r->db, &q, &b);
        }
    }
    if (st != DB_OK) {
        reply_failure(r, st);
    } else if (!input_ok(&in)) {
        input_reply(&in);
    } else {
        size_t len;
        char *data = buf_detach(&b, &len);
        reply_owned(r, 200, "application/json", data, len);
    }
    buf_release(&b);
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

/* The profile blob of id (see profiles) into *blob, from memory when it holds it. */
static enum db_status profile_blob(struct db_session *db, const char *id, char **blob,
                                   size_t *len)
{
    pthread_once(&profiles_once, profiles_init);
    uint64_t version;
    bool cacheable = dirindex_cards_version(&version);
    *blob = cacheable ? vcache_get(profiles, id, version, len) : NULL;
    if (*blob)
        return DB_OK;
    struct buf k;
    buf_init(&k, 0);
    enum db_status st = store_directory_profile(db, id, &k);
    if (st != DB_OK) {
        buf_release(&k);
        return st;
    }
    *blob = buf_detach(&k, len);
    if (cacheable)
        vcache_put(profiles, id, version, *blob, *len);
    return DB_OK;
}

void practitioners_profile(struct req *r)
{
    const char *id = req_param(r, 0);
    if (!is_uuid(id)) { /* (canonical: lower case, so one key per practitioner) */
        reply_not_found(r);
        return;
    }
    char *blob;
    size_t len;
    enum db_status st = profile_blob(&r->db, id, &blob, &len);
    if (st != DB_OK) {
        reply_failure(r, st);
        return;
    }
    size_t tzlen = strlen(blob);
    struct row it = {.item = blob + tzlen + 1, .item_len = len - tzlen - 1, .dist = NAN,
                     .tz = tz_get(blob)};
    snprintf(it.id, sizeof(it.id), "%s", id);
    st = compute_next(&r->db, &it, 1, NULL, NULL);
    if (st == DB_OK) {
        struct buf b;
        buf_init(&b, 0);
        append_item(&b, &it);
        size_t n;
        char *data = buf_detach(&b, &n);
        reply_owned(r, 200, "application/json", data, n);
    } else {
        reply_failure(r, st);
    }
    free(blob);
}

static void owner_stats(struct buf *b)
{
    long hits, misses;
    practitioners_profile_counts(&hits, &misses);
    buf_printf(b,
               "# HELP clinicd_profiles_total Profiles served, by where they came from.\n"
               "# TYPE clinicd_profiles_total counter\n"
               "clinicd_profiles_total{source=\"cache\"} %ld\n"
               "clinicd_profiles_total{source=\"database\"} %ld\n",
               hits, misses);
}

const struct owner profiles_owner = {.name = "the profile cache", .stats = owner_stats};
