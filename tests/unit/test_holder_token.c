/* Unit tests for booking/holder_token: a token that cannot be a lost link (wrong
 * length, characters outside base64url, none) and a check naming neither a booking nor
 * a plan are refused before any query (the session is never touched: NULL here). */
#include "unit.h"

#include "booking/holder_token.h"

static const char *const refused[] = {
    NULL,
    "",
    "short",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   /* 42 */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 44 */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  /* padding */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",  /* base64, not base64url */
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA ",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\xc3",
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(refused); i++)
        if (holder_token_matches(NULL, refused[i], "00000000-0000-4000-8000-000000000000", NULL) !=
            DB_NOT_FOUND)
            fail_msg("case %zu was not refused", i);
}

static void test_nothing_named(void **state)
{
    (void)state;
    assert_int_equal(holder_token_matches(NULL, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
                                          NULL),
                     DB_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_nothing_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
