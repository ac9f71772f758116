/* The directory in memory, kept current (see dirindex.h).
 *
 * One background thread loads the cards in chunks, then every POLL_MS reads the change
 * log (migration 0007): 'c' rows make it read those practitioners' cards again and
 * swap in a new snapshot; 'n' rows forget their next free time.  Between polls it
 * computes the next free times that are unknown or about to expire, a batch at a
 * time, so that searches by availability find them ready.  A handler that changed
 * the directory applies the log itself right after its COMMIT (dirindex_commit):
 * concurrent committers share one read of the log.
 *
 * Snapshots are reference counted: a search holds one for its whole run; a new one
 * replaces it for later searches and the old one is freed by its last reader. */
#include "cache/index_keeper.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/schedule_cache.h"
#include "core/app.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/vcache.h"

#define POLL_MS 100
#define LOAD_CHUNK "5000"
/* more rows than this in one look at the log: read everything again */
#define MAX_CHANGES 20000
/* a log older than this may have been trimmed: read everything again */
#define STALE_S 300
/* computed next free times hold at most this long (days coming into the window,
 * hours that start on a date) */
#define NEXT_TTL_S 600
/* the background recomputes values this close to expiring */
#define NEXT_MARGIN_S 60
#define WARM_BATCH 500
#define ITEM_SETS 2048 /* of VCACHE_WAYS ways */
#define ITEM_MAX_BYTES 16384

#define CARD_COLUMNS                                                                         \
    "SELECT pc.practitioner_id, pc.location_id, ST_Y(pc.geog::geometry),"                    \
    " ST_X(pc.geog::geometry), pc.profession_id, pc.technique_ids::text,"                    \
    " pc.condition_ids::text, pc.languages::text, pc.accepting_new, pc.home_visits,"        \
    " pc.sliding_scale, pc.wheelchair_accessible, pc.timezone,"                              \
    " (SELECT coalesce(string_agg(s.duration_minutes || ':' || s.price_cents, ','), '')"    \
    "  FROM practitioner_services x JOIN services s ON s.id = x.service_id"                  \
    "  WHERE x.practitioner_id = pc.practitioner_id AND s.active)"                           \
    " FROM practitioner_cards pc"

DB_STMT(st_card_count, "SELECT count(DISTINCT practitioner_id), count(*) FROM practitioner_cards",
        0);
DB_STMT(st_cards_after,
        CARD_COLUMNS " WHERE pc.practitioner_id IN (SELECT DISTINCT practitioner_id"
        " FROM practitioner_cards WHERE practitioner_id > $1::uuid ORDER BY 1 LIMIT $2::int)"
        " ORDER BY pc.practitioner_id, pc.location_id",
        2);
DB_STMT(st_cards_of,
        CARD_COLUMNS " WHERE pc.practitioner_id = ANY ($1::uuid[])"
        " ORDER BY pc.practitioner_id, pc.location_id",
        1);
/* The oldest transaction still running, and the log rows of transactions from $1 on.
 * (In txid order, the index's: ordered by seq, a generic plan walked the whole log's
 * primary key and filtered every row out, 12 ms a poll at 66,000 rows.  The order of
 * the rows does not matter: more than $2 - 1 of them means reading everything.) */
DB_STMT(st_changes,
        "SELECT x.xmin::text, c.kind, c.practitioner_id, c.booked_from, c.booked_to"
        " FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) x"
        " LEFT JOIN LATERAL (SELECT d.kind, d.practitioner_id, d.booked_from, d.booked_to"
        "   FROM directory_changes d"
        "   WHERE d.txid >= $1::xid8 ORDER BY d.txid LIMIT $2::int) c ON true",
        2);
DB_STMT(st_xmin, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", 0);
DB_STMT(st_changes_trim, "DELETE FROM directory_changes WHERE at < now() - interval '10 minutes'",
        0);
DB_STMT(st_items,
        "SELECT pc.practitioner_id, pc.location_id, pc.item"
        " FROM unnest($1::uuid[], $2::uuid[]) AS u(p, l)"
        " JOIN practitioner_cards pc ON pc.practitioner_id = u.p AND pc.location_id = u.l",
        2);

/* --- snapshots ---------------------------------------------------------------------- */

static pthread_mutex_t snap_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dir_snapshot *current;
static uint32_t installs; /* snapshots made current so far: part of schedule versions */
static atomic_uint card_rev;
static atomic_bool ready;
static atomic_long loads, changes_applied;

struct dir_snapshot *dirindex_acquire(void)
{
    pthread_mutex_lock(&snap_mu);
    struct dir_snapshot *s = current;
    if (s)
        s->refs++;
    pthread_mutex_unlock(&snap_mu);
    return s;
}

void dirindex_release(struct dir_snapshot *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&snap_mu);
    bool gone = --s->refs == 0 && s->retired;
    pthread_mutex_unlock(&snap_mu);
    if (gone)
        dir_snapshot_free(s);
}

/* Drops current's reference to s (may be NULL), no longer current: true when that was
 * the last one, so the caller frees it (after unlocking).  Under snap_mu. */
static bool retire_locked(struct dir_snapshot *s)
{
    if (!s)
        return false;
    s->retired = true;
    return --s->refs == 0;
}

/* Makes s current.  carry (may be NULL) maps s's practitioners to old ones whose next
 * free times still hold; they are copied under the lock, so that nothing forgotten in
 * the old snapshot meanwhile comes back. */
static void install(struct dir_snapshot *s, const long *carry)
{
    pthread_mutex_lock(&snap_mu);
    struct dir_snapshot *old = current;
    if (old && carry)
        for (size_t i = 0; i < s->npractitioners; i++)
            if (carry[i] >= 0) {
                const struct dir_practitioner *o = &old->practitioners[carry[i]];
                atomic_store(&s->practitioners[i].next, atomic_load(&o->next));
                atomic_store(&s->practitioners[i].gen, atomic_load(&o->gen) + 1);
            }
    current = s;
    installs++;
    s->refs = 1; /* current's own reference */
    bool gone = retire_locked(old);
    pthread_mutex_unlock(&snap_mu);
    if (gone)
        dir_snapshot_free(old);
}

static void forget_locked(struct dir_practitioner *p)
{
    atomic_fetch_add(&p->gen, 1);
    atomic_store(&p->next, 0);
}

/* The schedule of practitioner id changed: its version changes, and its next free
 * time is dropped, unless the change is a booking (booked: the range it blocks) that
 * cannot reach it. */
static void changed_id(const uint8_t id[16], const int64_t *booked)
{
    pthread_mutex_lock(&snap_mu);
    long i = current ? dir_find(current, id) : -1;
    if (i >= 0) {
        struct dir_practitioner *p = &current->practitioners[i];
        if (!booked)
            forget_locked(p);
        else {
            /* (gen first: a next free time being computed meanwhile is dropped) */
            atomic_fetch_add(&p->gen, 1);
            if (!dir_next_survives_booking(atomic_load(&p->next), booked[0], booked[1]))
                atomic_store(&p->next, 0);
        }
    }
    pthread_mutex_unlock(&snap_mu);
}

static void forget_id(const uint8_t id[16])
{
    changed_id(id, NULL);
}

void dirindex_booked(const char *practitioner_id, int64_t from, int64_t to)
{
    uint8_t id[16];
    const int64_t booked[2] = {from, to};
    if (practitioner_id && dir_uuid_parse(practitioner_id, id))
        changed_id(id, booked);
}

void dirindex_forget_next(const char *practitioner_id)
{
    uint8_t id[16];
    if (practitioner_id && dir_uuid_parse(practitioner_id, id))
        forget_id(id);
}

bool dirindex_schedule_version(const char *practitioner_id, uint64_t *version)
{
    uint8_t id[16];
    if (!practitioner_id || !dir_uuid_parse(practitioner_id, id))
        return false;
    pthread_mutex_lock(&snap_mu);
    long i = current ? dir_find(current, id) : -1;
    if (i >= 0) /* a new snapshot starts gens again: its number is part of the version */
        *version = (uint64_t)installs << 32 | atomic_load(&current->practitioners[i].gen);
    pthread_mutex_unlock(&snap_mu);
    return i >= 0;
}

bool dirindex_cards_version(uint64_t *version)
{
    pthread_mutex_lock(&snap_mu);
    bool loaded = current != NULL;
    *version = installs;
    pthread_mutex_unlock(&snap_mu);
    return loaded;
}

static void forget_all(void)
{
    pthread_mutex_lock(&snap_mu);
    for (size_t i = 0; current && i < current->npractitioners; i++)
        forget_locked(&current->practitioners[i]);
    pthread_mutex_unlock(&snap_mu);
}

/* --- loading ------------------------------------------------------------------------ */

/* "{1,2,3}" -> ids; false when it is not such a list or holds more than max. */
static bool parse_ids(const char *text, int *ids, size_t max, size_t *n)
{
    *n = 0;
    if (*text++ != '{')
        return false;
    while (*text && *text != '}') {
        char *end;
        long v = strtol(text, &end, 10);
        if (end == text || *n == max)
            return false;
        ids[(*n)++] = (int)v;
        text = *end == ',' ? end + 1 : end;
    }
    return *text == '}';
}

/* "{en,es}" -> codes (two letters each, else false). */
static bool parse_langs(const char *text, char (*codes)[3], size_t max, size_t *n)
{
    *n = 0;
    if (*text++ != '{')
        return false;
    while (*text && *text != '}') {
        if (*n == max || text[0] < 'a' || text[0] > 'z' || text[1] < 'a' || text[1] > 'z' ||
            (text[2] != ',' && text[2] != '}'))
            return false;
        codes[*n][0] = text[0];
        codes[*n][1] = text[1];
        codes[(*n)++][2] = '\0';
        text += text[2] == ',' ? 3 : 2;
    }
    return *text == '}';
}

/* "30:4500,60:8000" -> services. */
static size_t parse_services(const char *text, struct dir_service *out, size_t max)
{
    size_t n = 0;
    while (*text && n < max) {
        char *end;
        long minutes = strtol(text, &end, 10);
        if (*end != ':')
            break;
        long price = strtol(end + 1, &end, 10);
        out[n++] = (struct dir_service){(int32_t)minutes, (int32_t)price};
        if (*end != ',')
            break;
        text = end + 1;
    }
    return n;
}

/* Adds the practitioners and cards of a CARD_COLUMNS result (ordered by practitioner)
 * to b.  False when a card cannot be indexed. */
static bool add_rows(struct dir_builder *b, PGresult *res)
{
    uint8_t last[16] = {0};
    uint32_t pidx = 0;
    bool any = false;
    for (int i = 0; i < PQntuples(res); i++) {
        uint8_t pid[16], lid[16];
        if (!dir_uuid_parse(PQgetvalue(res, i, 0), pid) || !dir_uuid_parse(PQgetvalue(res, i, 1), lid))
            return false;
        if (!any || memcmp(pid, last, 16) != 0) {
            struct dir_service sv[32];
            size_t nsv = parse_services(PQgetvalue(res, i, 13), sv, 32);
            pidx = dir_builder_practitioner(b, pid, sv, nsv);
            memcpy(last, pid, 16);
            any = true;
        }
        int techs[DIR_MAX_VOCAB_ID], conds[DIR_MAX_VOCAB_ID];
        char langs[DIR_MAX_LANGUAGES][3];
        const char *lp[DIR_MAX_LANGUAGES];
        struct dir_card_in c = {.practitioner = pidx};
        memcpy(c.location, lid, 16);
        c.lat = strtod(PQgetvalue(res, i, 2), NULL);
        c.lon = strtod(PQgetvalue(res, i, 3), NULL);
        c.profession = (int)strtol(PQgetvalue(res, i, 4), NULL, 10);
        if (!parse_ids(PQgetvalue(res, i, 5), techs, DIR_MAX_VOCAB_ID, &c.ntechniques) ||
            !parse_ids(PQgetvalue(res, i, 6), conds, DIR_MAX_VOCAB_ID, &c.nconditions) ||
            !parse_langs(PQgetvalue(res, i, 7), langs, DIR_MAX_LANGUAGES, &c.nlanguages))
            return false;
        for (size_t k = 0; k < c.nlanguages; k++)
            lp[k] = langs[k];
        c.techniques = techs;
        c.conditions = conds;
        c.languages = lp;
        c.flags = (uint8_t)((PQgetvalue(res, i, 8)[0] == 't' ? DIR_ACCEPTING : 0) |
                            (PQgetvalue(res, i, 9)[0] == 't' ? DIR_HOME_VISITS : 0) |
                            (PQgetvalue(res, i, 10)[0] == 't' ? DIR_SLIDING : 0) |
                            (PQgetvalue(res, i, 11)[0] == 't' ? DIR_WHEELCHAIR : 0));
        c.tz = tz_get(PQgetvalue(res, i, 12));
        c.rev = atomic_fetch_add(&card_rev, 1) + 1;
        if (!c.tz || !dir_builder_card(b, &c))
            return false;
    }
    return true;
}

/* Every card, in chunks of practitioners (a bounded amount of memory at a time).
 * NULL after a database error (replied into r) or when the data cannot be indexed. */
static struct dir_snapshot *load_all(struct req *r)
{
    PGresult *res = api_query(r, &st_card_count, NULL);
    if (!res)
        return NULL;
    size_t np = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
    size_t nc = strtoul(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    struct dir_builder *b = dir_builder_new(np + np / 8 + 16, nc + nc / 8 + 16);
    char after[40] = "00000000-0000-0000-0000-000000000000";
    for (;;) {
        const char *v[] = {after, LOAD_CHUNK};
        res = api_query(r, &st_cards_after, v);
        if (!res) {
            dir_snapshot_free(dir_builder_finish(b));
            return NULL;
        }
        int n = PQntuples(res);
        bool ok = add_rows(b, res);
        if (n > 0)
            snprintf(after, sizeof(after), "%s", PQgetvalue(res, n - 1, 0));
        PQclear(res);
        if (!ok) {
            log_warn("directory index: a card cannot be indexed; searches use the database");
            dir_snapshot_free(dir_builder_finish(b));
            return NULL;
        }
        if (n == 0)
            break;
    }
    atomic_fetch_add(&loads, 1);
    return dir_builder_finish(b);
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* A new snapshot: old with the cards of ids (sorted, unique) read again. */
static struct dir_snapshot *reload_some(struct req *r, struct dir_snapshot *old,
                                        uint8_t (*ids)[16], size_t nids, long **carry_out)
{
    struct buf arr;
    buf_init(&arr, 0);
    buf_putc(&arr, '{');
    for (size_t i = 0; i < nids; i++) {
        char text[37];
        dir_uuid_format(ids[i], text);
        buf_printf(&arr, "%s%s", i ? "," : "", text);
    }
    buf_putc(&arr, '}');
    const char *v[] = {arr.data};
    PGresult *res = api_query(r, &st_cards_of, v);
    buf_release(&arr);
    if (!res)
        return NULL;
    struct dir_builder *b = dir_builder_from(old, old->npractitioners + nids, old->ncards + nids);
    long *map = xmalloc((old->npractitioners ? old->npractitioners : 1) * sizeof(*map));
    long *carry = xmalloc((old->npractitioners + nids + 1) * sizeof(*carry));
    size_t kept = 0;
    for (size_t i = 0; i < old->npractitioners; i++) {
        const struct dir_practitioner *p = &old->practitioners[i];
        if (bsearch(p->id, ids, nids, 16, cmp_id)) {
            map[i] = -1;
            continue;
        }
        map[i] = dir_builder_practitioner(b, p->id, &old->services[p->first_service], p->nservices);
        carry[kept++] = (long)i;
    }
    for (size_t i = 0; i < old->ncards; i++)
        if (map[old->cards[i].practitioner] >= 0)
            dir_builder_copy_card(b, &old->cards[i], (uint32_t)map[old->cards[i].practitioner]);
    bool ok = add_rows(b, res);
    PQclear(res);
    free(map);
    struct dir_snapshot *s = dir_builder_finish(b);
    if (!ok || !s) {
        free(carry);
        dir_snapshot_free(s);
        return NULL;
    }
    for (size_t i = kept; i < s->npractitioners; i++)
        carry[i] = -1;
    *carry_out = carry;
    return s;
}

/* --- the change log ----------------------------------------------------------------- */

static pthread_mutex_t sync_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sync_cv = PTHREAD_COND_INITIALIZER;
static unsigned long polls_started, polls_done;
static bool polling;
static char xmin[32];       /* the log is read from this transaction id on */
static struct timespec last_poll;

static double since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Loads everything again (also the first time).  Called by one poller at a time. */
static bool reload_all(struct req *r)
{
    PGresult *res = api_query(r, &st_xmin, NULL);
    if (!res)
        return false;
    char x[32];
    snprintf(x, sizeof(x), "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    struct dir_snapshot *s = load_all(r);
    if (!s)
        return false;
    install(s, NULL);
    snprintf(xmin, sizeof(xmin), "%s", x);
    clock_gettime(CLOCK_MONOTONIC, &last_poll);
    log_info("directory index: %zu practitioners, %zu cards", s->npractitioners, s->ncards);
    return true;
}

/* Reads the log once and applies it.  One poller at a time (polling). */
static bool poll_once(struct req *r)
{
    if (!xmin[0] || since(&last_poll) > STALE_S)
        return reload_all(r);
    char limit[16];
    snprintf(limit, sizeof(limit), "%d", MAX_CHANGES + 1);
    const char *v[] = {xmin, limit};
    PGresult *res = api_query(r, &st_changes, v);
    if (!res)
        return false;
    int n = PQntuples(res);
    char next_xmin[32];
    snprintf(next_xmin, sizeof(next_xmin), "%s", PQgetvalue(res, 0, 0));
    bool all_cards = n > MAX_CHANGES, all_next = false;
    uint8_t(*ids)[16] = xmalloc((size_t)(n ? n : 1) * 16);
    size_t nids = 0;
    for (int i = 0; i < n && !all_cards; i++) {
        if (PQgetisnull(res, i, 1))
            continue; /* no rows: the LEFT JOIN's empty row */
        bool cards = PQgetvalue(res, i, 1)[0] == 'c';
        uint8_t id[16];
        if (PQgetisnull(res, i, 2) || !dir_uuid_parse(PQgetvalue(res, i, 2), id)) {
            all_cards = all_cards || cards;
            all_next = true;
        } else if (cards) {
            memcpy(ids[nids++], id, 16);
        } else if (PQgetvalue(res, i, 1)[0] == 'b' && !PQgetisnull(res, i, 3) &&
                   !PQgetisnull(res, i, 4)) {
            const int64_t booked[2] = {strtoll(PQgetvalue(res, i, 3), NULL, 10),
                                       strtoll(PQgetvalue(res, i, 4), NULL, 10)};
            changed_id(id, booked);
        } else {
            forget_id(id);
        }
    }
    PQclear(res);
    bool ok = true;
    if (all_cards) {
        ok = reload_all(r);
    } else if (nids > 0) {
        qsort(ids, nids, 16, cmp_id);
        size_t u = 0;
        for (size_t i = 0; i < nids; i++)
            if (u == 0 || memcmp(ids[u - 1], ids[i], 16) != 0)
                memcpy(ids[u++], ids[i], 16);
        struct dir_snapshot *old = dirindex_acquire();
        long *carry = NULL;
        struct dir_snapshot *s = old ? reload_some(r, old, ids, u, &carry) : NULL;
        dirindex_release(old);
        if (s)
            install(s, carry);
        free(carry);
        ok = s != NULL;
        if (ok)
            atomic_fetch_add(&changes_applied, (long)u);
    }
    free(ids);
    if (all_next)
        forget_all();
    if (ok && !all_cards) {
        snprintf(xmin, sizeof(xmin), "%s", next_xmin);
        clock_gettime(CLOCK_MONOTONIC, &last_poll);
    }
    return ok;
}

/* Applies the log, sharing a read with concurrent callers: returns once a read that
 * started after the call has finished. */
static bool sync_with(struct req *r)
{
    pthread_mutex_lock(&sync_mu);
    unsigned long want = polls_started + 1;
    bool ok = true;
    while (polls_done < want) {
        if (polling) {
            pthread_cond_wait(&sync_cv, &sync_mu);
            continue;
        }
        polling = true;
        unsigned long mine = ++polls_started;
        pthread_mutex_unlock(&sync_mu);
        ok = poll_once(r);
        pthread_mutex_lock(&sync_mu);
        polling = false;
        polls_done = mine;
        pthread_cond_broadcast(&sync_cv);
    }
    pthread_mutex_unlock(&sync_mu);
    return ok;
}

bool dirindex_commit(struct req *r)
{
    if (!api_commit(r))
        return false;
    struct dir_snapshot *s = dirindex_acquire();
    bool loaded = s != NULL;
    dirindex_release(s);
    if (!loaded)
        return true;
    /* The write is committed, so whatever happens now is not the writer's problem:
     * read the log on the request's connection through a request of our own, whose
     * error replies nobody sees (the background catches up). */
    struct req own;
    memset(&own, 0, sizeof(own));
    snprintf(own.request_id, sizeof(own.request_id), "%s", r->request_id);
    own.db = r->db;
    if (!sync_with(&own))
        log_warn("request %s: the directory index could not follow a change at once",
                 r->request_id);
    if (own.response)
        MHD_destroy_response(own.response);
    if (own.db.conn != r->db.conn && own.db.conn) /* checked out anew (the request had none) */
        db_session_end(&own.db);
    return true;
}

/* --- next free times ---------------------------------------------------------------- */

/* held (may be NULL): a snapshot the caller holds, and at[i] the index of ids[i]'s
 * practitioner in it (saves reading the ids again). */
static bool next_free(struct req *r, const char *const *ids, size_t n, const char *minutes,
                      int64_t *out, int64_t margin, struct dir_snapshot *held, const uint32_t *at)
{
    struct dir_snapshot *s = held ? held : dirindex_acquire();
    int64_t now = (int64_t)time(NULL);
    const char **miss = xcalloc(n ? n : 1, sizeof(*miss));
    size_t *miss_at = xcalloc(n ? n : 1, sizeof(*miss_at));
    long *pidx = xcalloc(n ? n : 1, sizeof(*pidx));
    uint32_t *gen = xcalloc(n ? n : 1, sizeof(*gen));
    size_t nmiss = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t id[16];
        long p = !s || minutes ? -1
                 : held        ? (long)at[i]
                 : dir_uuid_parse(ids[i], id) ? dir_find(s, id) : -1;
        out[i] = -1;
        /* the generation before the value is read: a change after it voids our result */
        uint32_t g = p >= 0 ? atomic_load(&s->practitioners[p].gen) : 0;
        if (p >= 0 &&
            dir_next_unpack(atomic_load(&s->practitioners[p].next), now + margin, &out[i]))
            continue;
        gen[nmiss] = g;
        pidx[nmiss] = p;
        miss_at[nmiss] = i;
        miss[nmiss++] = ids[i];
    }
    bool ok = true;
    if (nmiss > 0) {
        struct schedule *scheds = xcalloc(nmiss, sizeof(*scheds));
        int64_t to = now + (int64_t)DIRINDEX_NEXT_DAYS * 86400;
        long got = schedule_load_many(r, miss, nmiss, minutes, now, to, scheds);
        ok = got >= 0;
        size_t m = 0;
        for (long k = 0; k < got; k++) {
            /* rows come in the order asked, inactive practitioners left out */
            while (m < nmiss && strcmp(miss[m], scheds[k].practitioner_id) != 0)
                m++;
            if (m == nmiss)
                break;
            int64_t next = schedule_next_free(&scheds[k], scheds[k].now, to);
            out[miss_at[m]] = next;
            int64_t valid = scheds[k].now + NEXT_TTL_S;
            if (next >= 0 && next - (int64_t)scheds[k].min_notice_min * 60 < valid)
                valid = next - (int64_t)scheds[k].min_notice_min * 60;
            if (pidx[m] >= 0) {
                struct dir_practitioner *p = &s->practitioners[pidx[m]];
                atomic_store(&p->next, dir_next_pack(next, valid));
                if (atomic_load(&p->gen) != gen[m]) /* changed while we computed */
                    atomic_store(&p->next, 0);
            }
            m++;
        }
        for (long k = 0; k < got; k++)
            schedule_release(&scheds[k]);
        free(scheds);
    }
    free(miss);
    free(miss_at);
    free(pidx);
    free(gen);
    if (!held)
        dirindex_release(s);
    return ok;
}

bool dirindex_next_free(struct req *r, const char *const *ids, size_t n, const char *minutes,
                        int64_t *out)
{
    return next_free(r, ids, n, minutes, out, 0, NULL, NULL);
}

bool dirindex_next_free_held(struct req *r, struct dir_snapshot *s, const uint32_t *at,
                             const char *const *ids, size_t n, const char *minutes, int64_t *out)
{
    return next_free(r, ids, n, minutes, out, 0, s, at);
}

/* --- items -------------------------------------------------------------------------- */

/* Items by practitioner and location, each valid for its card's revision: sets of four
 * ways (two ways made a quarter of the keys share a set with two others). */
static struct vcache *items_cache;
static pthread_once_t item_once = PTHREAD_ONCE_INIT;

static void item_init(void)
{
    items_cache = vcache_new(ITEM_SETS, ITEM_MAX_BYTES);
}

static void item_key(const uint8_t pid[16], const uint8_t lid[16], char key[74])
{
    dir_uuid_format(pid, key);
    key[36] = '/';
    dir_uuid_format(lid, key + 37);
}

int dirindex_items(struct req *r, const struct dir_snapshot *s, const struct dir_hit *hits,
                   size_t n, char **items, size_t *lens)
{
    pthread_once(&item_once, item_init);
    struct buf pids, lids;
    buf_init(&pids, 0);
    buf_init(&lids, 0);
    size_t misses = 0;
    for (size_t i = 0; i < n; i++) {
        const struct dir_card *c = &s->cards[hits[i].card];
        const uint8_t *pid = s->practitioners[c->practitioner].id;
        char key[74];
        item_key(pid, c->location, key);
        items[i] = vcache_get(items_cache, key, c->rev, &lens[i]);
        if (items[i])
            continue;
        key[36] = '\0'; /* the practitioner's id, then the location's */
        buf_printf(&pids, "%s%s", misses ? "," : "{", key);
        buf_printf(&lids, "%s%s", misses ? "," : "{", key + 37);
        misses++;
    }
    int rc = 1;
    if (misses > 0) {
        buf_putc(&pids, '}');
        buf_putc(&lids, '}');
        const char *v[] = {pids.data, lids.data};
        PGresult *res = api_query(r, &st_items, v);
        if (!res) {
            rc = -1;
        } else {
            for (int k = 0; k < PQntuples(res); k++) {
                uint8_t pid[16], lid[16];
                if (!dir_uuid_parse(PQgetvalue(res, k, 0), pid) ||
                    !dir_uuid_parse(PQgetvalue(res, k, 1), lid))
                    continue;
                for (size_t i = 0; i < n; i++) {
                    const struct dir_card *c = &s->cards[hits[i].card];
                    if (items[i] || memcmp(s->practitioners[c->practitioner].id, pid, 16) != 0 ||
                        memcmp(c->location, lid, 16) != 0)
                        continue;
                    lens[i] = (size_t)PQgetlength(res, k, 2);
                    items[i] = xstrndup(PQgetvalue(res, k, 2), lens[i]);
                    char key[74];
                    item_key(pid, lid, key);
                    vcache_put(items_cache, key, c->rev, items[i], lens[i]);
                }
            }
            PQclear(res);
            for (size_t i = 0; i < n; i++)
                if (!items[i])
                    rc = 0; /* the card went after the snapshot was taken */
        }
    }
    buf_release(&pids);
    buf_release(&lids);
    if (rc != 1)
        for (size_t i = 0; i < n; i++) {
            free(items[i]);
            items[i] = NULL;
        }
    return rc;
}

/* --- the background ----------------------------------------------------------------- */

static pthread_t thread;
static bool started;
static atomic_bool stopping;
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;

/* The background works through a request of its own: a pooled connection, and replies
 * (errors) that nobody receives. */
static void bg_reset(struct req *r)
{
    if (r->db.conn) {
        api_rollback(r);
        db_session_end(&r->db);
    }
    if (r->response) {
        MHD_destroy_response(r->response);
        r->response = NULL;
    }
    r->status = 0;
}

static void pause_ms(long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&stop_mu);
    if (!atomic_load(&stopping))
        pthread_cond_timedwait(&stop_cv, &stop_mu, &until);
    pthread_mutex_unlock(&stop_mu);
}

/* Computes up to WARM_BATCH next free times that are unknown or about to expire,
 * going round the practitioners from *at.  Returns how many it computed, -1 on error. */
static long warm(struct req *r, size_t *at)
{
    struct dir_snapshot *s = dirindex_acquire();
    if (!s)
        return 0;
    int64_t now = (int64_t)time(NULL);
    char(*text)[37] = xmalloc(WARM_BATCH * sizeof(*text));
    const char **ids = xmalloc(WARM_BATCH * sizeof(*ids));
    int64_t *out = xmalloc(WARM_BATCH * sizeof(*out));
    size_t n = 0;
    for (size_t seen = 0; seen < s->npractitioners && n < WARM_BATCH; seen++) {
        size_t i = (*at + seen) % s->npractitioners;
        int64_t next;
        if (dir_next_unpack(atomic_load(&s->practitioners[i].next), now + NEXT_MARGIN_S, &next))
            continue;
        dir_uuid_format(s->practitioners[i].id, text[n]);
        ids[n] = text[n];
        n++;
        *at = i + 1;
    }
    dirindex_release(s);
    long rc = (long)n;
    if (n > 0 && !next_free(r, ids, n, NULL, out, NEXT_MARGIN_S, NULL, NULL))
        rc = -1;
    free(text);
    free(ids);
    free(out);
    return rc;
}

static void *run(void *arg)
{
    (void)arg;
    struct req bg;
    memset(&bg, 0, sizeof(bg));
    db_session_init(&bg.db, app.pool, NULL, NULL);
    snprintf(bg.request_id, sizeof(bg.request_id), "directory-index");
    size_t at = 0;
    struct timespec trimmed;
    clock_gettime(CLOCK_MONOTONIC, &trimmed);
    while (!atomic_load(&stopping)) {
        bool ok = sync_with(&bg);
        bg_reset(&bg);
        if (!ok) {
            pause_ms(1000);
            continue;
        }
        long warmed = warm(&bg, &at);
        bg_reset(&bg);
        if (warmed == 0 && !atomic_load(&ready)) {
            atomic_store(&ready, true);
            log_info("directory index ready: every next free time computed");
        }
        if (since(&trimmed) > 60) {
            PGresult *res = api_query(&bg, &st_changes_trim, NULL);
            PQclear(res);
            bg_reset(&bg);
            clock_gettime(CLOCK_MONOTONIC, &trimmed);
        }
        if (warmed <= 0)
            pause_ms(warmed < 0 ? 1000 : POLL_MS);
    }
    return NULL;
}

void dirindex_start(void)
{
    atomic_store(&stopping, false);
    if (pthread_create(&thread, NULL, run, NULL) == 0)
        started = true;
    else
        log_error("directory index: cannot start its thread; searches use the database");
}

void dirindex_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&stop_mu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&stop_cv);
    pthread_mutex_unlock(&stop_mu);
    pthread_join(thread, NULL);
    started = false;
    pthread_mutex_lock(&snap_mu);
    struct dir_snapshot *s = current;
    current = NULL;
    bool gone = retire_locked(s);
    pthread_mutex_unlock(&snap_mu);
    if (gone)
        dir_snapshot_free(s);
    vcache_free(items_cache);
    items_cache = NULL;
}

bool dirindex_ready(void)
{
    return atomic_load(&ready);
}

void dirindex_stats(struct dirindex_stats *out)
{
    memset(out, 0, sizeof(*out));
    struct dir_snapshot *s = dirindex_acquire();
    if (s) {
        out->practitioners = (long)s->npractitioners;
        out->cards = (long)s->ncards;
        int64_t now = (int64_t)time(NULL), next;
        for (size_t i = 0; i < s->npractitioners; i++)
            out->next_known += dir_next_unpack(atomic_load(&s->practitioners[i].next), now, &next);
    }
    dirindex_release(s);
    out->loads = atomic_load(&loads);
    out->changes_applied = atomic_load(&changes_applied);
    out->item_hits = out->item_misses = 0;
    if (items_cache)
        vcache_counts(items_cache, &out->item_hits, &out->item_misses);
    out->ready = atomic_load(&ready);
    pthread_mutex_lock(&sync_mu);
    out->log_reads = polls_done;
    pthread_mutex_unlock(&sync_mu);
}
