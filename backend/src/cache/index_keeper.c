/* The directory in memory, kept current (see index_keeper.h).
 *
 * One background thread loads the cards in chunks, then every POLL_MS reads the change
 * log (migration 0007): 'c' rows make it read those practitioners' cards again and
 * swap in a new snapshot; 'n' rows forget their next free time.  Between polls it
 * computes the next openings that are unknown or about to expire, a batch at a
 * time, so that searches by availability find them ready.  A handler that changed
 * the directory applies the log itself right after its COMMIT (dirindex_follow):
 * concurrent committers share one read of the log.
 *
 * Snapshots are reference counted: a search holds one for its whole run; a new one
 * replaces it for later searches and the old one is freed by its last reader. */
#include "cache/index_keeper.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/card_items.h"
#include "cache/schedule_cache.h"
#include "core/app.h"
#include "store/directory_index.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

#define POLL_MS 100
#define LOAD_CHUNK 5000
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

/* Where card rows go: the builder, and the practitioner the last row was of. */
struct adding {
    struct dir_builder *b;
    uint8_t last[16];
    uint32_t pidx;
    bool any, ok;
};

/* Adds a card row (rows come ordered by practitioner) to x->b.  False, with x->ok
 * false, when the card cannot be indexed. */
static bool add_row(const struct store_card_row *row, void *ctx)
{
    struct adding *x = ctx;
    uint8_t pid[16];
    struct dir_card_in c = {0};
    if (!dir_uuid_parse(row->practitioner_id, pid) || !dir_uuid_parse(row->location_id, c.location))
        return x->ok = false;
    if (!x->any || memcmp(pid, x->last, 16) != 0) {
        struct dir_service sv[32];
        size_t nsv = dir_parse_services(row->services, sv, 32);
        x->pidx = dir_builder_practitioner(x->b, pid, sv, nsv);
        memcpy(x->last, pid, 16);
        x->any = true;
    }
    int techs[DIR_MAX_VOCAB_ID], conds[DIR_MAX_VOCAB_ID];
    char langs[DIR_MAX_LANGUAGES][3];
    const char *lp[DIR_MAX_LANGUAGES];
    c.practitioner = x->pidx;
    c.lat = row->lat;
    c.lon = row->lon;
    c.profession = row->profession;
    if (!dir_parse_ids(row->technique_ids, techs, DIR_MAX_VOCAB_ID, &c.ntechniques) ||
        !dir_parse_ids(row->condition_ids, conds, DIR_MAX_VOCAB_ID, &c.nconditions) ||
        !dir_parse_langs(row->languages, langs, DIR_MAX_LANGUAGES, &c.nlanguages))
        return x->ok = false;
    for (size_t k = 0; k < c.nlanguages; k++)
        lp[k] = langs[k];
    c.techniques = techs;
    c.conditions = conds;
    c.languages = lp;
    c.flags = (uint8_t)((row->accepting_new ? DIR_ACCEPTING : 0) |
                        (row->home_visits ? DIR_HOME_VISITS : 0) |
                        (row->sliding_scale ? DIR_SLIDING : 0) |
                        (row->wheelchair_accessible ? DIR_WHEELCHAIR : 0));
    c.tz = tz_get(row->timezone);
    c.rev = atomic_fetch_add(&card_rev, 1) + 1;
    if (!c.tz || !dir_builder_card(x->b, &c))
        return x->ok = false;
    return true;
}

/* Every card, in chunks of practitioners (a bounded amount of memory at a time).
 * NULL after a database error (in s->fail) or when the data cannot be indexed. */
static struct dir_snapshot *load_all(struct db_session *s)
{
    size_t np, nc;
    if (store_directory_card_count(s, &np, &nc) != DB_OK)
        return NULL;
    struct adding x = {.b = dir_builder_new(np + np / 8 + 16, nc + nc / 8 + 16), .ok = true};
    char after[40] = "00000000-0000-0000-0000-000000000000";
    for (;;) {
        size_t n;
        if (store_directory_cards_after(s, after, LOAD_CHUNK, add_row, &x, &n, after) != DB_OK) {
            dir_snapshot_free(dir_builder_finish(x.b));
            return NULL;
        }
        if (!x.ok) {
            log_warn("directory index: a card cannot be indexed; searches use the database");
            dir_snapshot_free(dir_builder_finish(x.b));
            return NULL;
        }
        if (n == 0)
            break;
    }
    atomic_fetch_add(&loads, 1);
    return dir_builder_finish(x.b);
}

static int cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

/* A new snapshot: old with the cards of ids (sorted, unique) read again. */
static struct dir_snapshot *reload_some(struct db_session *db, struct dir_snapshot *old,
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
    free(map);
    /* (read after the copies: the rows read again come after the cards kept) */
    struct adding x = {.b = b, .ok = true};
    bool ok = store_directory_cards_of(db, arr.data, add_row, &x) == DB_OK && x.ok;
    buf_release(&arr);
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
static bool reload_all(struct db_session *db)
{
    char x[32];
    if (store_directory_xmin(db, x) != DB_OK)
        return false;
    struct dir_snapshot *s = load_all(db);
    if (!s)
        return false;
    install(s, NULL);
    snprintf(xmin, sizeof(xmin), "%s", x);
    clock_gettime(CLOCK_MONOTONIC, &last_poll);
    log_info("directory index: %zu practitioners, %zu cards", s->npractitioners, s->ncards);
    return true;
}

/* What one read of the log found: practitioners whose cards to read again (ids), or
 * that everything must be (all_cards), or every next opening forgotten (all_next). */
struct changes {
    const size_t *rows; /* in the read: more than MAX_CHANGES means everything */
    uint8_t (*ids)[16];
    size_t nids, cap;
    bool all_cards, all_next;
};

static void take_change(const struct store_change_row *row, void *ctx)
{
    struct changes *c = ctx;
    c->all_cards = c->all_cards || *c->rows > MAX_CHANGES;
    if (c->all_cards)
        return;
    bool cards = row->kind == 'c';
    uint8_t id[16];
    if (!row->practitioner_id || !dir_uuid_parse(row->practitioner_id, id)) {
        c->all_cards = c->all_cards || cards;
        c->all_next = true;
    } else if (cards) {
        if (c->nids == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
            c->ids = xrealloc(c->ids, c->cap * 16);
        }
        memcpy(c->ids[c->nids++], id, 16);
    } else if (row->kind == 'b' && row->has_booked) {
        const int64_t booked[2] = {row->booked_from, row->booked_to};
        changed_id(id, booked);
    } else {
        forget_id(id);
    }
}

/* A new snapshot with the cards of c's practitioners read again. */
static bool apply_cards(struct db_session *db, struct changes *c)
{
    qsort(c->ids, c->nids, 16, cmp_id);
    size_t u = 0;
    for (size_t i = 0; i < c->nids; i++)
        if (u == 0 || memcmp(c->ids[u - 1], c->ids[i], 16) != 0)
            memcpy(c->ids[u++], c->ids[i], 16);
    struct dir_snapshot *old = dirindex_acquire();
    long *carry = NULL;
    struct dir_snapshot *s = old ? reload_some(db, old, c->ids, u, &carry) : NULL;
    dirindex_release(old);
    if (s)
        install(s, carry);
    free(carry);
    if (s)
        atomic_fetch_add(&changes_applied, (long)u);
    return s != NULL;
}

/* Reads the log once and applies it.  One poller at a time (polling). */
static bool poll_once(struct db_session *db)
{
    if (!xmin[0] || since(&last_poll) > STALE_S)
        return reload_all(db);
    char next_xmin[32];
    size_t n = 0;
    struct changes c = {.rows = &n};
    if (store_directory_changes(db, xmin, MAX_CHANGES + 1, take_change, &c, next_xmin, &n) !=
        DB_OK) {
        free(c.ids);
        return false;
    }
    c.all_cards = c.all_cards || n > MAX_CHANGES;
    bool ok = true;
    if (c.all_cards)
        ok = reload_all(db);
    else if (c.nids > 0)
        ok = apply_cards(db, &c);
    free(c.ids);
    if (c.all_next)
        forget_all();
    if (ok && !c.all_cards) {
        snprintf(xmin, sizeof(xmin), "%s", next_xmin);
        clock_gettime(CLOCK_MONOTONIC, &last_poll);
    }
    return ok;
}

/* Applies the log, sharing a read with concurrent callers: returns once a read that
 * started after the call has finished. */
static bool sync_with(struct db_session *db)
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
        ok = poll_once(db);
        pthread_mutex_lock(&sync_mu);
        polling = false;
        polls_done = mine;
        pthread_cond_broadcast(&sync_cv);
    }
    pthread_mutex_unlock(&sync_mu);
    return ok;
}

void dirindex_follow(struct db_session *s, const char *request_id)
{
    struct dir_snapshot *snap = dirindex_acquire();
    bool loaded = snap != NULL;
    dirindex_release(snap);
    /* The write is committed, so whatever happens now is not the writer's problem:
     * the background catches up. */
    if (loaded && !sync_with(s))
        log_warn("request %s: the directory index could not follow a change at once",
                 request_id);
}

/* --- next openings ------------------------------------------------------------------- */

/* held (may be NULL): a snapshot the caller holds, and at[i] the index of ids[i]'s
 * practitioner in it (saves reading the ids again). */
static enum db_status next_opening(struct db_session *db, const char *const *ids, size_t n,
                                   const char *minutes, int64_t *out, int64_t margin,
                                   struct dir_snapshot *held, const uint32_t *at)
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
    enum db_status st = DB_OK;
    if (nmiss > 0) {
        struct schedule *scheds = xcalloc(nmiss, sizeof(*scheds));
        int64_t to = now + (int64_t)DIRINDEX_NEXT_DAYS * 86400;
        size_t got = 0;
        st = schedule_fetch_many(db, miss, nmiss, minutes, now, to, scheds, &got);
        size_t m = 0;
        for (size_t k = 0; st == DB_OK && k < got; k++) {
            /* rows come in the order asked, inactive practitioners left out */
            while (m < nmiss && strcmp(miss[m], scheds[k].practitioner_id) != 0)
                m++;
            if (m == nmiss)
                break;
            int64_t next = schedule_next_opening(&scheds[k], scheds[k].now, to);
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
        for (size_t k = 0; k < got; k++)
            schedule_release(&scheds[k]);
        free(scheds);
    }
    free(miss);
    free(miss_at);
    free(pidx);
    free(gen);
    if (!held)
        dirindex_release(s);
    return st;
}

enum db_status dirindex_next_opening(struct db_session *db, const char *const *ids, size_t n,
                                    const char *minutes, int64_t *out)
{
    return next_opening(db, ids, n, minutes, out, 0, NULL, NULL);
}

enum db_status dirindex_next_opening_held(struct db_session *db, struct dir_snapshot *s,
                                          const uint32_t *at, const char *const *ids, size_t n,
                                          const char *minutes, int64_t *out)
{
    return next_opening(db, ids, n, minutes, out, 0, s, at);
}

/* --- the background ----------------------------------------------------------------- */

static pthread_t thread;
static bool started;
static atomic_bool stopping;
static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;

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
static long warm(struct db_session *db, size_t *at)
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
    if (n > 0 && next_opening(db, ids, n, NULL, out, NEXT_MARGIN_S, NULL, NULL) != DB_OK)
        rc = -1;
    free(text);
    free(ids);
    free(out);
    return rc;
}

static void *run(void *arg)
{
    (void)arg;
    struct db_session bg;
    db_session_init(&bg, app.pool, NULL, NULL);
    size_t at = 0;
    struct timespec trimmed;
    clock_gettime(CLOCK_MONOTONIC, &trimmed);
    while (!atomic_load(&stopping)) {
        bool ok = sync_with(&bg);
        db_session_end(&bg); /* (a transaction left open is rolled back) */
        if (!ok) {
            pause_ms(1000);
            continue;
        }
        long warmed = warm(&bg, &at);
        db_session_end(&bg);
        if (warmed == 0 && !atomic_load(&ready)) {
            atomic_store(&ready, true);
            log_info("directory index ready: every next opening computed");
        }
        if (since(&trimmed) > 60) {
            store_directory_changes_trim(&bg);
            db_session_end(&bg);
            clock_gettime(CLOCK_MONOTONIC, &trimmed);
        }
        if (warmed <= 0)
            pause_ms(warmed < 0 ? 1000 : POLL_MS);
    }
    db_session_end(&bg);
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
    card_items_free();
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
    card_items_counts(&out->item_hits, &out->item_misses);
    out->ready = atomic_load(&ready);
    pthread_mutex_lock(&sync_mu);
    out->log_reads = polls_done;
    pthread_mutex_unlock(&sync_mu);
}

static bool owner_start(void)
{
    dirindex_start(); /* (without its thread, searches use the database) */
    return true;
}

static const char *owner_not_ready(void)
{
    return dirindex_ready() ? NULL : "The directory index is still loading.";
}

static void owner_stats(struct buf *b)
{
    struct dirindex_stats d;
    dirindex_stats(&d);
    buf_printf(b,
               "# HELP clinicd_directory_index_ready 1 once the index is loaded and every next free time computed.\n"
               "# TYPE clinicd_directory_index_ready gauge\nclinicd_directory_index_ready %d\n"
               "# HELP clinicd_directory_index_practitioners Practitioners in the search index.\n"
               "# TYPE clinicd_directory_index_practitioners gauge\nclinicd_directory_index_practitioners %ld\n"
               "# HELP clinicd_directory_index_cards Practitioner locations in the search index.\n"
               "# TYPE clinicd_directory_index_cards gauge\nclinicd_directory_index_cards %ld\n"
               "# HELP clinicd_directory_next_free_known Practitioners whose next free time is computed and current.\n"
               "# TYPE clinicd_directory_next_free_known gauge\nclinicd_directory_next_free_known %ld\n"
               "# HELP clinicd_directory_index_loads_total Full loads of the search index.\n"
               "# TYPE clinicd_directory_index_loads_total counter\nclinicd_directory_index_loads_total %ld\n"
               "# HELP clinicd_directory_changes_applied_total Practitioners read again after a change.\n"
               "# TYPE clinicd_directory_changes_applied_total counter\nclinicd_directory_changes_applied_total %ld\n"
               "# HELP clinicd_directory_log_reads_total Reads of the change log (migration 0007) finished.\n"
               "# TYPE clinicd_directory_log_reads_total counter\nclinicd_directory_log_reads_total %lu\n"
               "# HELP clinicd_directory_items_total Search items served, by where they came from.\n"
               "# TYPE clinicd_directory_items_total counter\n"
               "clinicd_directory_items_total{source=\"cache\"} %ld\n"
               "clinicd_directory_items_total{source=\"database\"} %ld\n",
               d.ready ? 1 : 0, d.practitioners, d.cards, d.next_known, d.loads,
               d.changes_applied, d.log_reads, d.item_hits, d.item_misses);
}

const struct owner dirindex_owner = {
    .name = "the directory index keeper",
    .start = owner_start,
    .stop = dirindex_stop,
    .stats = owner_stats,
    .not_ready = owner_not_ready,
};
