/* Unit tests for domain/contact: the contact key of an e-mail address (the same table
 * is checked against the SQL function in tests/api/contact-key.test.mjs). */
#include "unit.h"

#include "domain/contact.h"

static const struct {
    const char *email, *key; /* key NULL: refused */
} cases[] = {
    {"Ana@Example.org", "ana@example.org"},
    {"ana+1@example.org", "ana@example.org"},
    {"ana+clinic+2@example.org", "ana@example.org"},
    {"a.n.a@example.org", "a.n.a@example.org"},         /* dots count outside gmail */
    {"A.N.A+x@GMail.com", "ana@gmail.com"},
    {"ana@googlemail.com", "ana@gmail.com"},
    {"+tag@example.org", "+tag@example.org"},           /* folds to nothing: kept */
    {"...@gmail.com", "...@gmail.com"},
    {"ana@sub.example.org", "ana@sub.example.org"},
    {"\"a@b\"@example.org", "\"a@b\"@example.org"},     /* the last @ splits */
    {"no-at-sign", NULL},
    {"@example.org", NULL},
    {"ana@", NULL},
    {"", NULL},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[CONTACT_KEY_MAX + 1];
        bool ok = contact_key(cases[i].email, out, sizeof(out));
        if (!cases[i].key) {
            assert_false(ok);
            assert_string_equal(out, "");
        } else {
            assert_true(ok);
            assert_string_equal(out, cases[i].key);
        }
    }
}

/* A key that does not fit is refused whole, never cut. */
static void test_small_buffer(void **state)
{
    (void)state;
    char out[8];
    memset(out, '#', sizeof(out));
    assert_false(contact_key("abcdef@example.org", out, sizeof(out)));
    assert_string_equal(out, "");
    assert_true(contact_key("a@b.io", out, sizeof(out)));
    assert_string_equal(out, "a@b.io");
    assert_false(contact_key("a@b.io", out, 0));
    assert_false(contact_key(NULL, out, sizeof(out)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
