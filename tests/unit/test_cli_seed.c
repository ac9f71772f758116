/* Unit tests for cli/seed.c (`clinicd seed-demo`): its arguments, COPY's text
 * escaping, and the generator's determinism.  The .c file is included to reach its
 * static pieces (seed_cli is renamed so that it does not clash with the linked one). */
#define seed_cli seed_cli_under_test
#include "cli/seed.c"
#undef seed_cli

#include "unit.h"

static const struct {
    const char *name;
    const char *argv[5];
    int rc;             /* parse_args: 0 run, 1 --help, 2 usage error */
    long practitioners;
    uint64_t seed;
    bool force;
} arg_cases[] = {
    {"defaults", {"seed-demo"}, 0, DEFAULT_PRACTITIONERS, DEFAULT_SEED, false},
    {"count", {"seed-demo", "--practitioners", "100"}, 0, 100, DEFAULT_SEED, false},
    {"count=", {"seed-demo", "--practitioners=7"}, 0, 7, DEFAULT_SEED, false},
    {"max count", {"seed-demo", "--practitioners", "1000000"}, 0, 1000000, DEFAULT_SEED, false},
    {"seed and force", {"seed-demo", "--seed=0", "--force"}, 0, DEFAULT_PRACTITIONERS, 0, true},
    {"big seed", {"seed-demo", "--seed", "18446744073709551615"}, 0, DEFAULT_PRACTITIONERS,
     UINT64_MAX, false},
    {"help", {"seed-demo", "--help"}, 1, DEFAULT_PRACTITIONERS, DEFAULT_SEED, false},
    {"zero count", {"seed-demo", "--practitioners", "0"}, 2, 0, 0, false},
    {"too many", {"seed-demo", "--practitioners", "1000001"}, 2, 0, 0, false},
    {"negative", {"seed-demo", "--practitioners", "-5"}, 2, 0, 0, false},
    {"not a number", {"seed-demo", "--practitioners", "ten"}, 2, 0, 0, false},
    {"trailing", {"seed-demo", "--practitioners", "10x"}, 2, 0, 0, false},
    {"missing value", {"seed-demo", "--practitioners"}, 2, 0, 0, false},
    {"seed overflow", {"seed-demo", "--seed", "18446744073709551616"}, 2, 0, 0, false},
    {"unknown", {"seed-demo", "--forced"}, 2, 0, 0, false},
    {"prefix only", {"seed-demo", "--practitionersX=3"}, 2, 0, 0, false},
};

static void test_args(void **state)
{
    (void)state;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(arg_cases); i++) {
        char *argv[5] = {0};
        int argc = 0;
        while (argc < 5 && arg_cases[i].argv[argc]) {
            argv[argc] = (char *)arg_cases[i].argv[argc];
            argc++;
        }
        struct seed_opts o;
        /* what it prints (usage, why) goes nowhere */
        FILE *out = stdout, *err = stderr, *devnull = fopen("/dev/null", "w");
        assert_non_null(devnull);
        stdout = stderr = devnull;
        int rc = parse_args(argc, argv, &o);
        stdout = out;
        stderr = err;
        fclose(devnull);
        if (rc != arg_cases[i].rc)
            fail_msg("%s: rc %d, expected %d", arg_cases[i].name, rc, arg_cases[i].rc);
        if (rc == 0) {
            assert_int_equal(o.practitioners, arg_cases[i].practitioners);
            assert_true(o.seed == arg_cases[i].seed);
            assert_int_equal(o.force, arg_cases[i].force);
        }
    }
}

static const struct {
    const char *in, *out;
} text_cases[] = {
    {"plain", "plain"},
    {"tab\there", "tab\\there"},
    {"line\nbreak", "line\\nbreak"},
    {"cr\r", "cr\\r"},
    {"back\\slash", "back\\\\slash"},
    {"Zoë Müller", "Zoë Müller"},
    {"", ""},
};

static void test_copy_text(void **state)
{
    (void)state;
    struct copy_out *co = calloc(1, sizeof(*co));
    for (size_t i = 0; i < UNIT_ARRAY_LEN(text_cases); i++) {
        co->len = 0;
        co_text(co, text_cases[i].in);
        co_putc(co, '\0');
        assert_string_equal(co->buf, text_cases[i].out);
    }
    co->len = 0;
    co_micro(co, -122675000);
    co_tab(co);
    co_micro(co, 45512345);
    co_tab(co);
    co_time(co, 0);
    co_tab(co);
    co_bool(co, true);
    co_int(co, -3);
    co_putc(co, '\0');
    assert_string_equal(co->buf, "-122.675000\t45.512345\t1970-01-01 00:00:00+00\tt-3");
    free(co);
}

/* The same seed and count walk the same clinics; the walk makes exactly the count. */
static void test_generator(void **state)
{
    (void)state;
    static const long targets[] = {1, 20, 320, 1000};
    struct clinic *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
    for (size_t t = 0; t < UNIT_ARRAY_LEN(targets); t++) {
        struct gen ga, gb;
        gen_init(&ga, 42, targets[t]);
        gen_init(&gb, 42, targets[t]);
        long made = 0, clinics = 0;
        while (gen_next(&ga, a)) {
            assert_true(gen_next(&gb, b));
            assert_string_equal(a->id, b->id);
            assert_string_equal(a->name, b->name);
            assert_int_equal(a->nstaff, b->nstaff);
            assert_true(a->nstaff >= 1 && a->nloc >= 1 && a->nsvc >= 1);
            made += a->nstaff;
            clinics++;
        }
        assert_false(gen_next(&gb, b));
        assert_int_equal(made, targets[t]);
        assert_true(clinics >= 1);
    }
    /* another seed, another first clinic */
    struct gen g1, g2;
    gen_init(&g1, 42, 10);
    gen_init(&g2, 43, 10);
    assert_true(gen_next(&g1, a) && gen_next(&g2, b));
    assert_string_not_equal(a->id, b->id);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_copy_text),
        cmocka_unit_test(test_generator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
