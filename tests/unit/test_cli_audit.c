/* Unit tests for cli/audit.c: the lines of a file `clinicd audit heads` wrote, as
 * `clinicd audit verify --heads FILE` reads them.  The .c file is included to reach
 * its static pieces (audit_cli is renamed so that it does not clash). */
#define audit_cli audit_cli_under_test
#include "cli/audit.c"
#undef audit_cli

#include "unit.h"

#define HASH "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CLINIC "4fcc89ac-984f-4749-8326-ba34999a2e1f"

static const struct {
    const char *line;
    enum heads_parse want;
    const char *chain, *id;
} cases[] = {
    {CLINIC " 17 " HASH " 4\n", HEADS_LINE, CLINIC, "17"},
    {"none 1 " HASH "\n", HEADS_LINE, "none", "1"},
    {"none 9223372036854775807 " HASH, HEADS_LINE, "none", "9223372036854775807"},
    {"# clinicd audit heads: clinic, last row id, its hash, rows in the chain\n", HEADS_SKIP, NULL, NULL},
    {"# at 2026-12-07 02:00:00+00\n", HEADS_SKIP, NULL, NULL},
    {"\n", HEADS_SKIP, NULL, NULL},
    {"  \t\r\n", HEADS_SKIP, NULL, NULL},
    {"none 0 " HASH "\n", HEADS_BAD, NULL, NULL},                       /* ids start at 1 */
    {"none -1 " HASH "\n", HEADS_BAD, NULL, NULL},
    {"none 9223372036854775808 " HASH "\n", HEADS_BAD, NULL, NULL},
    {"none x1 " HASH "\n", HEADS_BAD, NULL, NULL},
    {"clinic 1 " HASH "\n", HEADS_BAD, NULL, NULL},                     /* neither an id nor none */
    {"none 1 " "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n", HEADS_BAD, NULL, NULL},
    {"none 1 0123\n", HEADS_BAD, NULL, NULL},                           /* too short */
    {"none 1 " HASH "00\n", HEADS_BAD, NULL, NULL},                     /* too long */
    {"none 1\n", HEADS_BAD, NULL, NULL},
    {" none 1 " HASH "\n", HEADS_LINE, "none", "1"},       /* leading blanks: sscanf skips */
};

static void test_heads_lines(void **state)
{
    (void)state;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++) {
        struct heads_line h;
        enum heads_parse got = heads_line_parse(cases[i].line, &h);
        if (got != cases[i].want)
            fail_msg("case %zu (%s): got %d, expected %d", i, cases[i].line, got, cases[i].want);
        if (got == HEADS_LINE) {
            assert_string_equal(h.chain, cases[i].chain);
            assert_string_equal(h.id, cases[i].id);
            assert_string_equal(h.hash, HASH);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heads_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
