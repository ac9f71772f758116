/* Helpers for table-driven cmocka suites: every row of a case table becomes one named
 * test case, so a failure names the row and adding a case is adding data. */
#ifndef CLINICD_UNIT_H
#define CLINICD_UNIT_H

/* cmocka needs these before its header */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define UNIT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* A string literal and its length without the terminating NUL (it may hold NULs). */
#define UNIT_BYTES(s) s, (sizeof(s) - 1)

struct unit_suite {
    struct CMUnitTest *tests;
    size_t n, cap;
};

/* Writes s[0..len) into out as a C-like literal: printable ASCII as is, the rest as \xNN. */
static inline const char *unit_escape(const char *s, size_t len, char *out, size_t outlen)
{
    size_t o = 0;
    if (outlen == 0)
        return out;
    if (!s) {
        snprintf(out, outlen, "(null)");
        return out;
    }
    for (size_t i = 0; i < len && o + 5 < outlen; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out[o++] = (char)c;
        } else {
            int w = snprintf(out + o, outlen - o, "\\x%02x", c);
            if (w < 0)
                break;
            o += (size_t)w;
        }
    }
    if (o >= outlen)
        o = outlen - 1;
    out[o] = '\0';
    return out;
}

/* Adds one test case named by fmt; fn gets *state == row.  setup/teardown may be NULL. */
static inline void unit_add_full(struct unit_suite *s, CMUnitTestFunction fn, const void *row,
                                 CMFixtureFunction setup, CMFixtureFunction teardown,
                                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static inline void unit_add_full(struct unit_suite *s, CMUnitTestFunction fn, const void *row,
                                 CMFixtureFunction setup, CMFixtureFunction teardown,
                                 const char *fmt, ...)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->tests = realloc(s->tests, s->cap * sizeof(*s->tests));
        if (!s->tests)
            abort();
    }
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (w < 0)
        tmp[0] = '\0';
    size_t len = strlen(tmp);
    char *name = malloc(len + 1);
    if (!name)
        abort();
    memcpy(name, tmp, len + 1);
    s->tests[s->n].name = name;
    s->tests[s->n].test_func = fn;
    s->tests[s->n].setup_func = setup;
    s->tests[s->n].teardown_func = teardown;
    s->tests[s->n].initial_state = (void *)(uintptr_t)row;
    s->n++;
}

#define unit_add(s, fn, row, ...) unit_add_full((s), (fn), (row), NULL, NULL, __VA_ARGS__)

/* Runs every case of the suite as one cmocka group and frees the suite; returns the
 * number of failed cases (cmocka's convention). */
static inline int unit_run(struct unit_suite *s, const char *group, CMFixtureFunction setup,
                           CMFixtureFunction teardown)
{
    /* cmocka reports on stdout and stderr: unbuffered, the two stay in order in a log */
    setvbuf(stdout, NULL, _IONBF, 0);
    int failed = _cmocka_run_group_tests(group, s->tests, s->n, setup, teardown);
    for (size_t i = 0; i < s->n; i++)
        free((void *)(uintptr_t)s->tests[i].name);
    free(s->tests);
    s->tests = NULL;
    s->n = s->cap = 0;
    return failed;
}

/* The row a table-driven case was registered with. */
#define UNIT_ROW(type, state) ((const type *)*(state))

#endif
