/* The JSON items of the index's cards, for a page of hits (see index_keeper.h,
 * dirindex_items): a bounded cache in memory, the misses read in one query. */
#include "cache/card_items.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index_keeper.h"
#include "store/directory_index.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/vcache.h"

#define ITEM_SETS 2048 /* of VCACHE_WAYS ways */
#define ITEM_MAX_BYTES 16384

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

/* The hits whose items a query reads. */
struct item_read {
    const struct dir_snapshot *s;
    const struct dir_hit *hits;
    size_t n;
    char **items;
    size_t *lens;
};

static void take_item(const char *practitioner_id, const char *location_id, const char *item,
                      size_t len, void *ctx)
{
    struct item_read *x = ctx;
    uint8_t pid[16], lid[16];
    if (!dir_uuid_parse(practitioner_id, pid) || !dir_uuid_parse(location_id, lid))
        return;
    for (size_t i = 0; i < x->n; i++) {
        const struct dir_card *c = &x->s->cards[x->hits[i].card];
        if (x->items[i] || memcmp(x->s->practitioners[c->practitioner].id, pid, 16) != 0 ||
            memcmp(c->location, lid, 16) != 0)
            continue;
        x->lens[i] = len;
        x->items[i] = xstrndup(item, len);
        char key[74];
        item_key(pid, lid, key);
        vcache_put(items_cache, key, c->rev, x->items[i], len);
    }
}

enum db_status dirindex_items(struct db_session *db, const struct dir_snapshot *s,
                              const struct dir_hit *hits, size_t n, char **items, size_t *lens)
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
    enum db_status st = DB_OK;
    if (misses > 0) {
        buf_putc(&pids, '}');
        buf_putc(&lids, '}');
        struct item_read x = {s, hits, n, items, lens};
        st = store_directory_items(db, pids.data, lids.data, take_item, &x);
        for (size_t i = 0; st == DB_OK && i < n; i++)
            if (!items[i])
                st = DB_NOT_FOUND; /* the card went after the snapshot was taken */
    }
    buf_release(&pids);
    buf_release(&lids);
    if (st != DB_OK)
        for (size_t i = 0; i < n; i++) {
            free(items[i]);
            items[i] = NULL;
        }
    return st;
}

void card_items_counts(long *hits, long *misses)
{
    *hits = *misses = 0;
    if (items_cache)
        vcache_counts(items_cache, hits, misses);
}

void card_items_free(void)
{
    vcache_free(items_cache);
    items_cache = NULL;
}
