/* Unit tests for util/vcache: a value is found under its key and version only; the
 * least recently used way of a full set goes first; values too large or keys too long
 * are not kept; counts of hits and misses; threads sharing one cache. */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "util/vcache.h"

static char *get(struct vcache *c, const char *key, uint64_t version)
{
    size_t len = 0;
    char *v = vcache_get(c, key, version, &len);
    if (v)
        assert_int_equal(len, strlen(v));
    return v;
}

static void test_key_and_version(void **state)
{
    (void)state;
    struct vcache *c = vcache_new(16, 100);
    assert_null(get(c, "a", 1));
    vcache_put(c, "a", 1, "alpha", 5);
    char *v = get(c, "a", 1);
    assert_string_equal(v, "alpha");
    free(v);
    assert_null(get(c, "a", 2)); /* another version: stale */
    assert_null(get(c, "b", 1));
    vcache_put(c, "a", 2, "alpha 2", 7); /* the same key replaces its entry */
    v = get(c, "a", 2);
    assert_string_equal(v, "alpha 2");
    free(v);
    assert_null(get(c, "a", 1));
    long hits, misses;
    vcache_counts(c, &hits, &misses);
    assert_int_equal(hits, 2);
    assert_int_equal(misses, 4);
    vcache_free(c);
}

/* With two sets to choose from, keys that fill 80 % of the entries all stay: with
 * one set per key, the sets that drew more keys than ways lost some at once. */
static void test_two_choices(void **state)
{
    (void)state;
    struct vcache *c = vcache_new(64, 100);
    char key[32];
    int n = 64 * VCACHE_WAYS * 8 / 10;
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "practitioner-%d/", i);
        vcache_put(c, key, 1, key, strlen(key));
    }
    int kept = 0;
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "practitioner-%d/", i);
        char *v = get(c, key, 1);
        if (v && strcmp(v, key) == 0)
            kept++;
        free(v);
    }
    assert_int_equal(kept, n);
    vcache_free(c);
}

static void test_least_recently_used_goes(void **state)
{
    (void)state;
    struct vcache *c = vcache_new(1, 100); /* one set: VCACHE_WAYS entries in all */
    char key[16];
    for (int i = 0; i < VCACHE_WAYS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        vcache_put(c, key, 7, key, strlen(key));
    }
    free(get(c, "k0", 7)); /* k0 used again: k1 is now the oldest */
    vcache_put(c, "new", 7, "new", 3);
    char *v = get(c, "k1", 7);
    assert_null(v);
    for (const char *k = "k0"; k; k = strcmp(k, "k0") == 0 ? "new" : NULL) {
        v = get(c, k, 7);
        assert_non_null(v);
        assert_string_equal(v, k);
        free(v);
    }
    for (int i = 2; i < VCACHE_WAYS; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        v = get(c, key, 7);
        assert_non_null(v);
        free(v);
    }
    vcache_free(c);
}

static void test_refuses_large(void **state)
{
    (void)state;
    struct vcache *c = vcache_new(4, 8);
    vcache_put(c, "big", 1, "123456789", 9);
    assert_null(get(c, "big", 1));
    vcache_put(c, "fits", 1, "12345678", 8);
    char *v = get(c, "fits", 1);
    assert_string_equal(v, "12345678");
    free(v);
    char key[VCACHE_KEY_MAX + 8];
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    vcache_put(c, key, 1, "x", 1);
    assert_null(get(c, key, 1));
    vcache_free(c);
}

struct worker {
    struct vcache *c;
    int id;
    int wrong;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    char key[16], val[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "k%d", i % 50);
        snprintf(val, sizeof(val), "v%d-%d", i % 50, i % 3);
        vcache_put(w->c, key, (uint64_t)(i % 3), val, strlen(val));
        size_t len;
        char *got = vcache_get(w->c, key, (uint64_t)((i + 1) % 3), &len);
        if (got) { /* whatever it finds is the value for that key and version */
            char want[32];
            snprintf(want, sizeof(want), "v%d-%d", i % 50, (i + 1) % 3);
            w->wrong += strcmp(got, want) != 0 || len != strlen(want);
            free(got);
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct vcache *c = vcache_new(8, 64);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){c, i, 0};
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].wrong, 0);
    }
    vcache_free(c);
}

int main(void)
{
    struct unit_suite s = {0};
    unit_add(&s, test_key_and_version, NULL, "a value is found under its key and version only");
    unit_add(&s, test_least_recently_used_goes, NULL, "a full set gives up its least recently used way");
    unit_add(&s, test_two_choices, NULL, "keys filling 80 percent of the entries all stay (two sets per key)");
    unit_add(&s, test_refuses_large, NULL, "values over the limit and keys too long are not kept");
    unit_add(&s, test_threads, NULL, "threads sharing a cache read only what was put under that key and version");
    return unit_run(&s, "vcache", NULL, NULL);
}
