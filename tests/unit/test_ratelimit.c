/* Unit tests for util/ratelimit: a bucket gives its burst, then refills at its rate
 * and says how long to wait; keys are independent; a cost above the burst passes from
 * a full bucket; the table stays within its size, forgetting the least recently seen
 * key first; threads sharing one key never take more than the bucket holds; client
 * addresses become keys (IPv6 by /64). */
#include "unit.h"

#include <pthread.h>

#include "util/ratelimit.h"

static void test_burst_then_wait(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1.0 / 60, 5, 16); /* 5 at once, then 1 a minute */
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_take(rl, "a", 1, 100.0), 0);
    assert_int_equal(ratelimit_take(rl, "a", 1, 100.0), 60);
    /* nothing was taken by the refusal: 30 s later half a token, 30 s to go */
    assert_int_equal(ratelimit_take(rl, "a", 1, 130.0), 30);
    assert_int_equal(ratelimit_take(rl, "a", 1, 160.0), 0);
    assert_int_equal(ratelimit_take(rl, "a", 1, 160.0), 60);
    /* a long pause fills the bucket again, never above the burst */
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_take(rl, "a", 1, 100000.0), 0);
    assert_true(ratelimit_take(rl, "a", 1, 100000.0) > 0);
    ratelimit_free(rl);
}

static void test_cost(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1, 60, 16);
    assert_int_equal(ratelimit_take(rl, "a", 52, 0.0), 0); /* a plan of 52 sessions */
    assert_int_equal(ratelimit_take(rl, "a", 8, 0.0), 0);
    /* 52 more need 52 s of refill */
    assert_int_equal(ratelimit_take(rl, "a", 52, 0.0), 52);
    assert_int_equal(ratelimit_take(rl, "a", 52, 10.0), 42);
    /* more than the burst counts as the burst: it passes from a full bucket only */
    assert_int_equal(ratelimit_take(rl, "b", 1000, 0.0), 0);
    assert_int_equal(ratelimit_take(rl, "b", 1, 0.0), 1);
    assert_int_equal(ratelimit_take(rl, "b", 1000, 30.0), 30);
    /* nothing to take: always passes */
    assert_int_equal(ratelimit_take(rl, "b", 0, 30.0), 0);
    ratelimit_free(rl);
}

static void test_keys_independent(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(0.5, 2, 16);
    assert_int_equal(ratelimit_take(rl, "192.0.2.1", 2, 5.0), 0);
    assert_int_equal(ratelimit_take(rl, "192.0.2.1", 1, 5.0), 2);
    assert_int_equal(ratelimit_take(rl, "192.0.2.2", 2, 5.0), 0);
    assert_int_equal(ratelimit_take(rl, "", 2, 5.0), 0); /* no address: a key like any */
    assert_int_equal(ratelimit_take(rl, NULL, 1, 5.0), 2); /* NULL is "" */
    assert_int_equal(ratelimit_keys(rl), 3);
    /* a clock that went back (it should not) neither refills nor breaks anything */
    assert_int_equal(ratelimit_take(rl, "192.0.2.1", 1, 1.0), 2);
    ratelimit_free(rl);
}

static void test_bounded_table(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1.0 / 3600, 1, 4);
    char k[32];
    for (int i = 0; i < 4; i++) {
        snprintf(k, sizeof(k), "10.0.0.%d", i);
        assert_int_equal(ratelimit_take(rl, k, 1, 0.0), 0);
    }
    assert_int_equal(ratelimit_keys(rl), 4);
    /* 10.0.0.0 seen again: now the most recent; 10.0.0.1 the least */
    assert_true(ratelimit_take(rl, "10.0.0.0", 1, 1.0) > 0);
    /* 1000 new keys: the table stays at 4 */
    for (int i = 0; i < 1000; i++) {
        snprintf(k, sizeof(k), "10.1.%d.%d", i / 256, i % 256);
        assert_int_equal(ratelimit_take(rl, k, 1, 2.0), 0);
        assert_true(ratelimit_keys(rl) <= 4);
    }
    /* the last three new keys are still remembered (empty buckets), older ones not */
    assert_true(ratelimit_take(rl, "10.1.3.231", 1, 3.0) > 0);
    assert_true(ratelimit_take(rl, "10.1.3.230", 1, 3.0) > 0);
    /* 10.0.0.0 was pushed out long ago: it starts again full */
    assert_int_equal(ratelimit_take(rl, "10.0.0.0", 1, 3.0), 0);
    ratelimit_free(rl);

    /* a table of one, and keys longer than a key may be (cut, still one key) */
    rl = ratelimit_new(0, 1, 1);
    char long_key[200];
    memset(long_key, 'x', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    assert_int_equal(ratelimit_take(rl, long_key, 1, 0.0), 0);
    assert_int_equal(ratelimit_take(rl, long_key, 1, 9.0), 3600); /* never refills */
    assert_int_equal(ratelimit_take(rl, "y", 1, 9.0), 0);
    assert_int_equal(ratelimit_keys(rl), 1);
    ratelimit_free(rl);
}

/* Keys that collide in the hash table's chains are still told apart, and a reused
 * entry leaves its old chain. */
static void test_many_keys_chains(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(0, 3, 300);
    char k[32];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 300; i++) {
            snprintf(k, sizeof(k), "k%d", i);
            assert_int_equal(ratelimit_take(rl, k, 1, 0.0), 0);
        }
    for (int i = 0; i < 300; i++) {
        snprintf(k, sizeof(k), "k%d", i);
        assert_true(ratelimit_take(rl, k, 1, 0.0) > 0);
    }
    /* 300 new keys push every old one out, each found again afterwards as new */
    for (int i = 0; i < 300; i++) {
        snprintf(k, sizeof(k), "n%d", i);
        assert_int_equal(ratelimit_take(rl, k, 3, 0.0), 0);
    }
    for (int i = 0; i < 300; i++) {
        snprintf(k, sizeof(k), "n%d", i);
        assert_true(ratelimit_take(rl, k, 1, 0.0) > 0);
    }
    assert_int_equal(ratelimit_keys(rl), 300);
    ratelimit_free(rl);
}

struct shared {
    struct ratelimit *rl;
    int taken;
    pthread_mutex_t mu;
};

static void *taker(void *arg)
{
    struct shared *s = arg;
    for (int i = 0; i < 1000; i++)
        if (ratelimit_take(s->rl, "one", 1, 0.0) == 0) {
            pthread_mutex_lock(&s->mu);
            s->taken++;
            pthread_mutex_unlock(&s->mu);
        }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct shared s = {ratelimit_new(0, 500, 8), 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, taker, &s), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(s.taken, 500);
    ratelimit_free(s.rl);
}

struct key_case {
    const char *addr, *key;
};

static const struct key_case key_cases[] = {
    {"192.0.2.7", "192.0.2.7"},
    {"127.0.0.1", "127.0.0.1"},
    {"::ffff:192.0.2.7", "192.0.2.7"},
    {"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
    {"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
    {"2001:DB8:1:2:aaaa::1", "2001:db8:1:2::/64"},
    {"::1", "::/64"},
    {"fe80::1", "fe80::/64"},
    {"", ""},
    {"not an address", "not an address"},
};

static void test_client_key_row(void **state)
{
    const struct key_case *c = UNIT_ROW(struct key_case, state);
    char out[RATELIMIT_KEY_MAX + 1];
    ratelimit_client_key(c->addr, out, sizeof(out));
    assert_string_equal(out, c->key);
}

int main(void)
{
    struct unit_suite s = {0};
    unit_add(&s, test_burst_then_wait, NULL, "burst, then one a minute, with the wait told");
    unit_add(&s, test_cost, NULL, "costs of several tokens; above the burst");
    unit_add(&s, test_keys_independent, NULL, "keys are independent");
    unit_add(&s, test_bounded_table, NULL, "the table is bounded; the oldest key goes first");
    unit_add(&s, test_many_keys_chains, NULL, "many keys in chains, reused entries");
    unit_add(&s, test_threads, NULL, "threads never take more than the bucket holds");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(key_cases); i++)
        unit_add(&s, test_client_key_row, &key_cases[i], "client key[%zu] \"%s\"", i,
                 key_cases[i].addr);
    return unit_run(&s, "ratelimit", NULL, NULL);
}
