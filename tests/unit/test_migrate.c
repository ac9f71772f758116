/* Unit tests for db/migrate_files: the names of migrations and function files, a
 * function file's "-- migrate: before NNNN" line and its one definition, and the lines
 * of migrations/former-checksums.  Table-driven: each row is one named case. */
#include "unit.h"

#include "db/migrate_files.h"

#define SUM "0d5812141d946aacd7980816625f99bca3b21662473c2c49c6ffe34c7a360976"

static const struct name_case {
    const char *file;
    long version;    /* as a migration: 0 = not one */
    const char *fn;  /* as a function file: NULL = not one */
} names[] = {
    {"0001_directory.sql", 1, "0001_directory"},
    {"0014_audit_chain.sql", 14, "0014_audit_chain"},
    {"probe.sql", 0, "probe"},
    {"0001_Directory.sql", 0, NULL},
    {"0001-directory.sql", 0, NULL},
    {"0000_zero.sql", 0, "0000_zero"},
    {"001_short.sql", 0, "001_short"},
    {"0001_.sql", 0, "0001_"},
    {"former-checksums", 0, NULL},
    {"README.md", 0, NULL},
    {".sql", 0, NULL},
    {"book slot.sql", 0, NULL},
};

static void test_name(void **state)
{
    const struct name_case *c = UNIT_ROW(struct name_case, state);
    long v = 0;
    assert_int_equal(migrate_migration_name(c->file, &v), c->version != 0);
    if (c->version)
        assert_int_equal(v, c->version);
    char fn[64];
    assert_int_equal(migrate_function_name(c->file, fn, sizeof(fn)), c->fn != NULL);
    if (c->fn)
        assert_string_equal(fn, c->fn);
}

static const struct before_case {
    const char *sql;
    int rc;
    long before;
} befores[] = {
    {"-- migrate: before 0008\nCREATE OR REPLACE FUNCTION f() ...", 1, 8},
    {"-- migrate: before 0014 (a note)\n", 1, 14},
    {"CREATE OR REPLACE FUNCTION f() ...", 0, 0},
    {"-- a note\n-- migrate: before 0008\n", 0, 0},
    {"-- migrate: before 8\n", -1, 0},
    {"-- migrate: before 00x8\n", -1, 0},
    {"-- migrate: before 0000\n", -1, 0},
    {"-- migrate: before 00080\n", -1, 0},
};

static void test_before(void **state)
{
    const struct before_case *c = UNIT_ROW(struct before_case, state);
    long before = -1;
    assert_int_equal(migrate_function_before(c->sql, &before), c->rc);
    assert_int_equal(before, c->before);
}

static const struct defines_case {
    const char *sql, *name;
    bool ok;
} defines[] = {
    {"-- x\nCREATE OR REPLACE FUNCTION probe(a int) ...", "probe", true},
    {"CREATE OR REPLACE FUNCTION probe (a int)", "probe", false},
    {"CREATE OR REPLACE FUNCTION probes(a int)", "probe", false},
    {"CREATE OR REPLACE FUNCTION other(a int)", "probe", false},
    {"CREATE FUNCTION probe(a int)", "probe", false},
    {"CREATE OR REPLACE FUNCTION probe() ...; CREATE FUNCTION x()", "probe", false},
    {"CREATE OR REPLACE FUNCTION probe() ...; CREATE OR REPLACE FUNCTION probe(x int)",
     "probe", false},
    {"-- nothing", "probe", false},
};

static void test_defines(void **state)
{
    const struct defines_case *c = UNIT_ROW(struct defines_case, state);
    assert_int_equal(migrate_function_defines(c->sql, c->name), c->ok);
}

static const struct former_case {
    const char *line;
    int rc;
    long version;
    const char *reason;
} formers[] = {
    {"0001 " SUM " issue 13: moved\n", 1, 1, "issue 13: moved"},
    {"0014 " SUM "    spaced out", 1, 14, "spaced out"},
    {"# a note\n", 0, 0, NULL},
    {"\n", 0, 0, NULL},
    {"   \n", 0, 0, NULL},
    {"0001 " SUM "\n", -1, 0, NULL},          /* no reason */
    {"0001 " SUM " \n", -1, 0, NULL},
    {"1 " SUM " why\n", -1, 0, NULL},
    {"0001 " SUM "0 why\n", -1, 0, NULL},     /* 65 digits */
    {"0001 0D5812141d946aacd7980816625f99bca3b21662473c2c49c6ffe34c7a360976 why", -1, 0, NULL},
    {"0001 abc why", -1, 0, NULL},
    {"00", -1, 0, NULL},
};

static void test_former(void **state)
{
    const struct former_case *c = UNIT_ROW(struct former_case, state);
    struct former_checksum f;
    memset(&f, 0, sizeof(f));
    assert_int_equal(migrate_former_line(c->line, &f), c->rc);
    if (c->rc == 1) {
        assert_int_equal(f.version, c->version);
        assert_string_equal(f.checksum, SUM);
        assert_string_equal(f.reason, c->reason);
    }
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(names); i++)
        unit_add(&s, test_name, &names[i], "name %s", names[i].file);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(befores); i++)
        unit_add(&s, test_before, &befores[i], "before %zu", i);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(defines); i++)
        unit_add(&s, test_defines, &defines[i], "defines %zu", i);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(formers); i++)
        unit_add(&s, test_former, &formers[i], "former %zu", i);
    return unit_run(&s, "migrate_files", NULL, NULL);
}
