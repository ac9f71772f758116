/* Unit tests for cli/worker.c's pure pieces: the uuid[] literal of a mail's rows,
 * the lease token, and a folded mail's Message-ID (the same set of rows, in any
 * order, gives the same one, so a resend is folded by mail clients).  The .c file is
 * included to reach them (worker_cli is renamed so that it does not clash). */
#define worker_cli worker_cli_under_test
#include "cli/worker.c"
#undef worker_cli

#include "unit.h"

static const struct {
    const char *ids[4];
    int n;
    const char *literal;
} id_cases[] = {
    {{"a"}, 1, "{a}"},
    {{"a", "b"}, 2, "{a,b}"},
    {{"4fcc89ac-984f-4749-8326-ba34999a2e1f", "21e632fb-4e7a-417d-b122-59be2591fb82"}, 2,
     "{4fcc89ac-984f-4749-8326-ba34999a2e1f,21e632fb-4e7a-417d-b122-59be2591fb82}"},
    {{0}, 0, "{}"},
};

static void test_id_array(void **state)
{
    (void)state;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(id_cases); i++) {
        char *got = id_array((char *const *)id_cases[i].ids, id_cases[i].n);
        assert_string_equal(got, id_cases[i].literal);
        free(got);
    }
}

static void test_token(void **state)
{
    (void)state;
    char a[37], b[37];
    new_token(a);
    new_token(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[14], '4');                 /* version 4 */
    assert_non_null(strchr("89ab", a[19]));       /* the RFC 4122 variant */
}

/* Message-ID of a fold of the given dedupe keys. */
static void fold(const char *const *keys, int n, char *out, size_t outlen)
{
    struct item *items = calloc((size_t)n, sizeof(*items));
    struct item **its = calloc((size_t)n, sizeof(*its));
    for (int i = 0; i < n; i++) {
        items[i].det.dedupe_key = (char *)keys[i];
        its[i] = &items[i];
    }
    fold_message_id(its, n, out, outlen);
    free(its);
    free(items);
}

static void test_fold_message_id(void **state)
{
    (void)state;
    const char *abc[] = {"booked:1", "reminder:2:100", "cancelled:3"};
    const char *cab[] = {"cancelled:3", "booked:1", "reminder:2:100"};
    const char *ab[] = {"booked:1", "reminder:2:100"};
    char x[200], y[200], z[200];
    fold(abc, 3, x, sizeof(x));
    fold(cab, 3, y, sizeof(y));
    fold(ab, 2, z, sizeof(z));
    assert_string_equal(x, y);
    assert_string_not_equal(x, z);
    assert_int_equal(strncmp(x, "folded.", 7), 0);
    assert_int_equal(strlen(x), strlen("folded.") + 32 + strlen("@clinicd"));
    assert_string_equal(x + strlen(x) - 8, "@clinicd");
    /* keys are hashed with their ends: ("ab", "c") is not ("a", "bc") */
    const char *p1[] = {"ab", "c"}, *p2[] = {"a", "bc"};
    fold(p1, 2, x, sizeof(x));
    fold(p2, 2, y, sizeof(y));
    assert_string_not_equal(x, y);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_array),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_fold_message_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
