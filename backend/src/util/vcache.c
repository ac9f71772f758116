/* Versioned bounded cache (see vcache.h). */
#include "util/vcache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

#define VCACHE_LOCKS 64

struct vc_entry {
    char key[VCACHE_KEY_MAX];
    uint64_t version, stamp;
    char *value; /* NULL: empty */
    size_t len;
};

struct vcache {
    size_t sets, max_value;
    struct vc_entry *e; /* sets * VCACHE_WAYS */
    pthread_mutex_t locks[VCACHE_LOCKS];
    _Atomic uint64_t clock;
    _Atomic long hits, misses;
};

struct vcache *vcache_new(size_t sets, size_t max_value)
{
    struct vcache *c = xcalloc(1, sizeof(*c));
    c->sets = sets ? sets : 1;
    c->max_value = max_value;
    c->e = xcalloc(c->sets * VCACHE_WAYS, sizeof(*c->e));
    for (size_t i = 0; i < VCACHE_LOCKS; i++)
        pthread_mutex_init(&c->locks[i], NULL);
    return c;
}

void vcache_free(struct vcache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->sets * VCACHE_WAYS; i++)
        free(c->e[i].value);
    for (size_t i = 0; i < VCACHE_LOCKS; i++)
        pthread_mutex_destroy(&c->locks[i]);
    free(c->e);
    free(c);
}

/* The two sets a key may live in, from two independent hashes (FNV-1a and djb2): a
 * key goes to whichever has room, or has the older entry, so that a few sets that
 * draw more keys than they have ways do not make those keys miss every time (with
 * one set per key and about as many keys as sets, 2 % of keys did). */
static void sets_of(const struct vcache *c, const char *key, size_t set[2])
{
    uint32_t h = 2166136261u, g = 5381;
    for (; *key; key++) {
        h = (h ^ (uint8_t)*key) * 16777619u;
        g = g * 33 + (uint8_t)*key;
    }
    set[0] = h % c->sets;
    set[1] = g % c->sets;
}

static void lock_sets(struct vcache *c, const size_t set[2])
{
    size_t a = set[0] % VCACHE_LOCKS, b = set[1] % VCACHE_LOCKS;
    pthread_mutex_lock(&c->locks[a < b ? a : b]); /* in order: no deadlock */
    if (a != b)
        pthread_mutex_lock(&c->locks[a < b ? b : a]);
}

static void unlock_sets(struct vcache *c, const size_t set[2])
{
    size_t a = set[0] % VCACHE_LOCKS, b = set[1] % VCACHE_LOCKS;
    pthread_mutex_unlock(&c->locks[a]);
    if (a != b)
        pthread_mutex_unlock(&c->locks[b]);
}

/* The way holding key in either set, or NULL. */
static struct vc_entry *find(struct vcache *c, const size_t set[2], const char *key)
{
    for (int k = 0; k < 2; k++) {
        struct vc_entry *ways = &c->e[set[k] * VCACHE_WAYS];
        for (size_t w = 0; w < VCACHE_WAYS; w++)
            if (ways[w].value && strcmp(ways[w].key, key) == 0)
                return &ways[w];
        if (set[1] == set[0])
            break;
    }
    return NULL;
}

char *vcache_get(struct vcache *c, const char *key, uint64_t version, size_t *len)
{
    size_t set[2];
    sets_of(c, key, set);
    char *copy = NULL;
    lock_sets(c, set);
    struct vc_entry *x = find(c, set, key);
    if (x && x->version == version) {
        copy = xmalloc(x->len + 1);
        memcpy(copy, x->value, x->len);
        copy[x->len] = '\0';
        *len = x->len;
        x->stamp = atomic_fetch_add(&c->clock, 1) + 1;
    }
    unlock_sets(c, set);
    atomic_fetch_add(copy ? &c->hits : &c->misses, 1);
    return copy;
}

void vcache_put(struct vcache *c, const char *key, uint64_t version, const char *value,
                size_t len)
{
    if (len > c->max_value || strlen(key) >= VCACHE_KEY_MAX)
        return;
    size_t set[2];
    sets_of(c, key, set);
    char *copy = xmalloc(len + 1);
    memcpy(copy, value, len);
    copy[len] = '\0';
    lock_sets(c, set);
    /* the same key, else an empty way, else the oldest of the two sets */
    struct vc_entry *e = find(c, set, key);
    for (int k = 0; !e && k < 2; k++)
        for (size_t w = 0; !e && w < VCACHE_WAYS; w++)
            if (!c->e[set[k] * VCACHE_WAYS + w].value)
                e = &c->e[set[k] * VCACHE_WAYS + w];
    if (!e) {
        e = &c->e[set[0] * VCACHE_WAYS];
        for (int k = 0; k < 2; k++)
            for (size_t w = 0; w < VCACHE_WAYS; w++)
                if (c->e[set[k] * VCACHE_WAYS + w].stamp < e->stamp)
                    e = &c->e[set[k] * VCACHE_WAYS + w];
    }
    char *old = e->value;
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->version = version;
    e->value = copy;
    e->len = len;
    e->stamp = atomic_fetch_add(&c->clock, 1) + 1;
    unlock_sets(c, set);
    free(old);
}

void vcache_counts(struct vcache *c, long *hits, long *misses)
{
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
}
