/* Unit tests for booking/lost_links.c's long-lived parts: the audit name of an address
 * (BLAKE2b-128 of its contact key keyed with BLAKE2b-256 of config audit_key; vectors
 * from Python's hashlib), the same for every spelling of one person and never the plain
 * hash; without audit_key a random key per start; the owner making the per-client
 * buckets only while the patients' limit is on, freeing them at stop (valgrind), and
 * its /metrics lines.  The .c file is included to reach its static pieces (its public
 * names are renamed so that they do not clash with the linked ones). */
#define lost_links_create lost_links_create_under_test
#define lost_links_owner lost_links_owner_under_test
#include "booking/lost_links.c"
#undef lost_links_create
#undef lost_links_owner

#include "unit.h"

#define SECRET "unit-test-audit-secret-0123"

static struct config cfg;

/* Starts the owner with audit_key and the patients' limit per hour as given. */
static void start_with(const char *audit_key_text, long per_hour)
{
    cfg.audit_key = (char *)audit_key_text;
    cfg.patient_writes_per_hour = per_hour;
    app.cfg = &cfg;
    assert_true(lost_links_owner_under_test.start());
}

static const struct {
    const char *email;
    const char *keyed; /* with SECRET */
    const char *plain; /* what an unkeyed hash gave */
} vectors[] = {
    {"robin.vale@example.org", "c5ad877db58aa11fbd2f71bd5cfad151",
     "7625da9531c4ef2a040b44f2863e71e5"},
    {"Robin.Vale+lost@Example.org", "c5ad877db58aa11fbd2f71bd5cfad151",
     "7625da9531c4ef2a040b44f2863e71e5"},
    {"robinvale@gmail.com", "0eaf12e28bceb5bace85061a588465d6",
     "180b5821ecf65fb62b03f9d962662705"},
    {"Robin.Vale+x@googlemail.com", "0eaf12e28bceb5bace85061a588465d6",
     "180b5821ecf65fb62b03f9d962662705"},
    {"x@example.org", "54467116c305144ebb021825aa182935", "2fee1019f147c15791afe8770d850641"},
};

static void test_keyed_hash(void **state)
{
    (void)state;
    start_with(SECRET, 0);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(vectors); i++) {
        char got[33];
        contact_hash(vectors[i].email, got);
        if (strcmp(got, vectors[i].keyed) != 0)
            fail_msg("%s: %s, expected %s", vectors[i].email, got, vectors[i].keyed);
        if (strcmp(got, vectors[i].plain) == 0)
            fail_msg("%s: the plain hash", vectors[i].email);
    }
    lost_links_owner_under_test.stop();
}

static void test_no_key_random_per_start(void **state)
{
    (void)state;
    char first[33], second[33];
    start_with("-", 0);
    contact_hash(vectors[0].email, first);
    lost_links_owner_under_test.stop();
    start_with("-", 0);
    contact_hash(vectors[0].email, second);
    lost_links_owner_under_test.stop();
    assert_string_not_equal(first, second);
    assert_string_not_equal(first, vectors[0].plain);
    assert_string_not_equal(first, vectors[0].keyed);
}

static void test_buckets_and_stats(void **state)
{
    (void)state;
    static const struct {
        long per_hour;
        bool buckets;
    } cases[] = {{0, false}, {60, true}, {1, true}};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++) {
        start_with(SECRET, cases[i].per_hour);
        if ((client_rl != NULL) != cases[i].buckets)
            fail_msg("per hour %ld: buckets %s", cases[i].per_hour, client_rl ? "made" : "not made");
        lost_links_owner_under_test.stop();
        assert_null(client_rl);
    }
    atomic_store(&limited_client, 3);
    atomic_store(&limited_address, 7);
    struct buf b;
    buf_init(&b, 4096);
    lost_links_owner_under_test.stats(&b);
    assert_non_null(strstr(b.data, "clinicd_lost_links_limited_total{limit=\"client\"} 3\n"));
    assert_non_null(strstr(b.data, "clinicd_lost_links_limited_total{limit=\"address\"} 7\n"));
    assert_non_null(strstr(b.data, "# TYPE clinicd_lost_links_limited_total counter\n"));
    buf_release(&b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyed_hash),
        cmocka_unit_test(test_no_key_random_per_start),
        cmocka_unit_test(test_buckets_and_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
