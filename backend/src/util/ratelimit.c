/* Token buckets per key, in memory, in a table of bounded size: a hash table of
 * entries chained by index, and a list of them from the most to the least recently
 * used, whose tail is reused when the table is full. */
#include "util/ratelimit.h"

#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/alloc.h"

#define NONE UINT32_MAX

struct entry {
    char key[RATELIMIT_KEY_MAX + 1];
    double tokens, at;   /* tokens at time at */
    uint32_t next;       /* in its hash chain */
    uint32_t newer, older; /* in the recency list */
};

struct ratelimit {
    pthread_mutex_t mu;
    double per_second, burst;
    struct entry *e;
    uint32_t *heads; /* nbuckets chains */
    size_t nbuckets, max, used;
    uint32_t newest, oldest;
};

struct ratelimit *ratelimit_new(double per_second, double burst, size_t max_keys)
{
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    pthread_mutex_init(&rl->mu, NULL);
    rl->per_second = per_second > 0 ? per_second : 0;
    rl->burst = burst >= 1 ? burst : 1;
    rl->max = max_keys ? max_keys : 1;
    if (rl->max >= NONE)
        rl->max = NONE - 1;
    rl->nbuckets = 1;
    while (rl->nbuckets < rl->max * 2)
        rl->nbuckets *= 2;
    /* calloc'd: pages the table never reaches are never touched */
    rl->e = xcalloc(rl->max, sizeof(*rl->e));
    rl->heads = xmalloc(rl->nbuckets * sizeof(*rl->heads));
    for (size_t i = 0; i < rl->nbuckets; i++)
        rl->heads[i] = NONE;
    rl->newest = rl->oldest = NONE;
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl->e);
    free(rl->heads);
    free(rl);
}

static size_t bucket_of(const struct ratelimit *rl, const char *key)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 29)) & (rl->nbuckets - 1);
}

static void list_unlink(struct ratelimit *rl, uint32_t i)
{
    struct entry *x = &rl->e[i];
    if (x->newer != NONE)
        rl->e[x->newer].older = x->older;
    else
        rl->newest = x->older;
    if (x->older != NONE)
        rl->e[x->older].newer = x->newer;
    else
        rl->oldest = x->newer;
}

static void list_push_newest(struct ratelimit *rl, uint32_t i)
{
    struct entry *x = &rl->e[i];
    x->newer = NONE;
    x->older = rl->newest;
    if (rl->newest != NONE)
        rl->e[rl->newest].newer = i;
    rl->newest = i;
    if (rl->oldest == NONE)
        rl->oldest = i;
}

static void chain_remove(struct ratelimit *rl, uint32_t i)
{
    uint32_t *link = &rl->heads[bucket_of(rl, rl->e[i].key)];
    while (*link != NONE && *link != i)
        link = &rl->e[*link].next;
    if (*link == i)
        *link = rl->e[i].next;
}

/* The entry of key, made (full) when missing; the most recently used from now. */
static struct entry *find_or_add(struct ratelimit *rl, const char *key, double now)
{
    char k[RATELIMIT_KEY_MAX + 1];
    snprintf(k, sizeof(k), "%s", key);
    size_t b = bucket_of(rl, k);
    for (uint32_t i = rl->heads[b]; i != NONE; i = rl->e[i].next) {
        if (strcmp(rl->e[i].key, k) == 0) {
            list_unlink(rl, i);
            list_push_newest(rl, i);
            return &rl->e[i];
        }
    }
    uint32_t i;
    if (rl->used < rl->max) {
        i = (uint32_t)rl->used++;
    } else {
        i = rl->oldest;
        list_unlink(rl, i);
        chain_remove(rl, i);
    }
    struct entry *x = &rl->e[i];
    memcpy(x->key, k, sizeof(k));
    x->tokens = rl->burst;
    x->at = now;
    x->next = rl->heads[b];
    rl->heads[b] = i;
    list_push_newest(rl, i);
    return x;
}

long ratelimit_take(struct ratelimit *rl, const char *key, double cost, double now)
{
    if (cost > rl->burst)
        cost = rl->burst;
    if (cost <= 0)
        return 0;
    pthread_mutex_lock(&rl->mu);
    struct entry *x = find_or_add(rl, key ? key : "", now);
    if (now > x->at) {
        x->tokens += (now - x->at) * rl->per_second;
        if (x->tokens > rl->burst)
            x->tokens = rl->burst;
        x->at = now;
    }
    long wait = 0;
    /* (a hair of slack: refills of fractions of a token add up to a little less) */
    if (x->tokens + 1e-9 >= cost) {
        x->tokens -= cost;
        if (x->tokens < 0)
            x->tokens = 0;
    } else if (rl->per_second <= 0) {
        wait = 3600; /* never refills: say an hour */
    } else {
        double w = ceil((cost - x->tokens) / rl->per_second);
        wait = w < 1 ? 1 : w > 86400 ? 86400 : (long)w;
    }
    pthread_mutex_unlock(&rl->mu);
    return wait;
}

size_t ratelimit_keys(struct ratelimit *rl)
{
    pthread_mutex_lock(&rl->mu);
    size_t n = rl->used;
    pthread_mutex_unlock(&rl->mu);
    return n;
}

void ratelimit_client_key(const char *addr, char *out, size_t outlen)
{
    unsigned char a[16];
    if (outlen == 0)
        return;
    if (!addr || inet_pton(AF_INET6, addr, a) != 1) {
        snprintf(out, outlen, "%s", addr ? addr : "");
        return;
    }
    static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0) {
        char v4[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, a + 12, v4, sizeof(v4));
        snprintf(out, outlen, "%s", v4);
        return;
    }
    memset(a + 8, 0, 8);
    char text[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a, text, sizeof(text));
    snprintf(out, outlen, "%s/64", text);
}
