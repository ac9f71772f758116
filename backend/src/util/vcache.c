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

static size_t set_of(const struct vcache *c, const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *key; key++)
        h = (h ^ (uint8_t)*key) * 16777619u;
    return h % c->sets;
}

char *vcache_get(struct vcache *c, const char *key, uint64_t version, size_t *len)
{
    size_t set = set_of(c, key);
    struct vc_entry *ways = &c->e[set * VCACHE_WAYS];
    char *copy = NULL;
    pthread_mutex_lock(&c->locks[set % VCACHE_LOCKS]);
    for (size_t w = 0; w < VCACHE_WAYS; w++) {
        struct vc_entry *x = &ways[w];
        if (x->value && x->version == version && strcmp(x->key, key) == 0) {
            copy = xmalloc(x->len + 1);
            memcpy(copy, x->value, x->len);
            copy[x->len] = '\0';
            *len = x->len;
            x->stamp = atomic_fetch_add(&c->clock, 1) + 1;
            break;
        }
    }
    pthread_mutex_unlock(&c->locks[set % VCACHE_LOCKS]);
    atomic_fetch_add(copy ? &c->hits : &c->misses, 1);
    return copy;
}

void vcache_put(struct vcache *c, const char *key, uint64_t version, const char *value,
                size_t len)
{
    if (len > c->max_value || strlen(key) >= VCACHE_KEY_MAX)
        return;
    size_t set = set_of(c, key);
    struct vc_entry *ways = &c->e[set * VCACHE_WAYS], *e = &ways[0];
    char *copy = xmalloc(len + 1);
    memcpy(copy, value, len);
    copy[len] = '\0';
    pthread_mutex_lock(&c->locks[set % VCACHE_LOCKS]);
    for (size_t w = 0; w < VCACHE_WAYS; w++) { /* the same key, an empty way, else the oldest */
        struct vc_entry *x = &ways[w];
        if (!x->value || strcmp(x->key, key) == 0) {
            e = x;
            break;
        }
        if (x->stamp < e->stamp)
            e = x;
    }
    char *old = e->value;
    snprintf(e->key, sizeof(e->key), "%s", key);
    e->version = version;
    e->value = copy;
    e->len = len;
    e->stamp = atomic_fetch_add(&c->clock, 1) + 1;
    pthread_mutex_unlock(&c->locks[set % VCACHE_LOCKS]);
    free(old);
}

void vcache_counts(struct vcache *c, long *hits, long *misses)
{
    *hits = atomic_load(&c->hits);
    *misses = atomic_load(&c->misses);
}
