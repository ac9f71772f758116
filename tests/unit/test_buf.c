/* Unit tests for util/buf: the hard cap, printf growth and detaching. */
#include "unit.h"

#include "util/buf.h"

enum op_kind { OP_END, OP_PUTS, OP_PUTC, OP_APPEND, OP_PRINTF, OP_WIDTH, OP_RELEASE };

/* One operation on the buffer and the return it should give.
 *  OP_PUTS/OP_APPEND: s (n bytes for APPEND); OP_PUTC: s[0];
 *  OP_PRINTF: buf_printf(b, "%s=%d", s, (int)n);
 *  OP_WIDTH: buf_printf(b, "%*d", (int)n, 7) -- n bytes of output */
struct op {
    enum op_kind kind;
    const char *s;
    size_t n;
    int rc;
};

#define MAXOPS 8

struct buf_case {
    const char *what;
    size_t max;
    struct op ops[MAXOPS];
    const char *data; /* expected contents, len bytes */
    size_t len;
    bool toobig;
};

#define PUTS(s, rc) {OP_PUTS, (s), 0, (rc)}
#define PUTC(c, rc) {OP_PUTC, (c), 0, (rc)}
#define APPEND(s, rc) {OP_APPEND, s, sizeof(s) - 1, (rc)}
#define PRINTF(s, i, rc) {OP_PRINTF, (s), (i), (rc)}
#define WIDTH(w, rc) {OP_WIDTH, NULL, (w), (rc)}
#define RELEASE {OP_RELEASE, NULL, 0, 0}

static const struct buf_case buf_cases[] = {
    {"no cap", 0, {PUTS("hello", 0), PUTC(" ", 0), PRINTF("x", 42, 0)}, UNIT_BYTES("hello x=42"),
     false},
    {"nothing appended", 5, {{0}}, UNIT_BYTES(""), false},
    {"fill exactly to the cap", 5, {PUTS("hel", 0), PUTS("lo", 0)}, UNIT_BYTES("hello"), false},
    {"one byte past the cap", 5, {PUTS("hello", 0), PUTC("!", -1)}, UNIT_BYTES("hello"), true},
    {"a refused append leaves the contents", 5, {PUTS("hel", 0), PUTS("lo!", -1)},
     UNIT_BYTES("hel"), true},
    {"a smaller append after a refusal fits; toobig stays", 5,
     {PUTS("hel", 0), PUTS("lo!", -1), PUTS("lo", 0)}, UNIT_BYTES("hello"), true},
    {"the first append already too big", 3, {PUTS("abcd", -1)}, UNIT_BYTES(""), true},
    {"empty appends at the cap", 3, {PUTS("abc", 0), PUTS("", 0), APPEND("", 0)},
     UNIT_BYTES("abc"), false},
    {"cap of one byte", 1, {PUTC("a", 0), PUTC("b", -1)}, UNIT_BYTES("a"), true},
    {"bytes with NULs", 10, {APPEND("a\0b", 0), APPEND("\0", 0)}, UNIT_BYTES("a\0b\0"), false},
    {"printf exactly to the cap", 5, {PUTS("ab", 0), PRINTF("k", 1, 0)}, UNIT_BYTES("abk=1"),
     false},
    {"printf past the cap", 4, {PUTS("ab", 0), PRINTF("k", 10, -1)}, UNIT_BYTES("ab"), true},
    {"printf on an empty buffer past the cap", 3, {PRINTF("key", 1, -1)}, UNIT_BYTES(""), true},
    {"short printfs up to the cap", 3, {PRINTF("", 0, 0), WIDTH(0, 0)}, UNIT_BYTES("=07"), false},
    {"printf grows past the first allocation", 0, {PUTS("<", 0), WIDTH(1000, 0), PUTS(">", 0)},
     NULL, 1002, false},
    {"printf to exactly a big cap", 1000, {WIDTH(1000, 0), PUTC("x", -1)}, NULL, 1000, true},
    {"printf one past a big cap", 999, {WIDTH(1000, -1)}, UNIT_BYTES(""), true},
    {"release keeps the cap and clears toobig", 4,
     {PUTS("abcde", -1), PUTS("abcd", 0), RELEASE, PUTS("efgh", 0)}, UNIT_BYTES("efgh"), false},
    {"the cap still holds after a release", 4, {PUTS("ab", 0), RELEASE, PUTS("efghi", -1)},
     UNIT_BYTES(""), true},
};

/* The buffer under test; the teardown releases it, also after a failed assertion. */
static struct buf b;

static int buf_teardown(void **state)
{
    (void)state;
    buf_release(&b);
    return 0;
}

static void check_invariants(const struct buf *x, size_t max)
{
    assert_true(x->len <= (max ? max : SIZE_MAX));
    if (x->data) {
        assert_true(x->cap > x->len);
        assert_int_equal(x->data[x->len], '\0');
    } else {
        assert_int_equal(x->len, 0);
    }
}

static void test_buf_row(void **state)
{
    const struct buf_case *c = UNIT_ROW(struct buf_case, state);
    buf_init(&b, c->max);
    for (size_t i = 0; i < MAXOPS && c->ops[i].kind != OP_END; i++) {
        const struct op *o = &c->ops[i];
        int rc = 0;
        switch (o->kind) {
        case OP_PUTS:
            rc = buf_puts(&b, o->s);
            break;
        case OP_PUTC:
            rc = buf_putc(&b, o->s[0]);
            break;
        case OP_APPEND:
            rc = buf_append(&b, o->s, o->n);
            break;
        case OP_PRINTF:
            rc = buf_printf(&b, "%s=%d", o->s, (int)o->n);
            break;
        case OP_WIDTH:
            rc = buf_printf(&b, "%*d", (int)o->n, 7);
            break;
        case OP_RELEASE:
            buf_release(&b);
            assert_null(b.data);
            assert_int_equal(b.len, 0);
            break;
        case OP_END:
            break;
        }
        if (rc != o->rc)
            fail_msg("operation %zu returned %d, want %d", i, rc, o->rc);
        check_invariants(&b, c->max);
    }
    assert_int_equal(b.len, c->len);
    assert_int_equal(b.toobig, c->toobig);
    if (c->data) {
        if (c->len == 0)
            assert_true(b.data == NULL || b.data[0] == '\0');
        else
            assert_memory_equal(b.data, c->data, c->len);
    } else {
        /* rows with a WIDTH of w: w-1 spaces then '7', maybe between '<' and '>' */
        assert_non_null(b.data);
        size_t i = 0, end = b.len;
        if (b.data[0] == '<') {
            assert_int_equal(b.data[end - 1], '>');
            i = 1;
            end--;
        }
        assert_int_equal(b.data[end - 1], '7');
        for (; i < end - 1; i++)
            assert_int_equal(b.data[i], ' ');
    }
}

/* Many small printfs: the contents come out in order whatever the reallocations. */
static void test_buf_printf_growth(void **state)
{
    (void)state;
    buf_init(&b, 0);
    size_t cap_changes = 0, last_cap = 0;
    for (int i = 0; i < 5000; i++) {
        assert_int_equal(buf_printf(&b, "%05d|", i), 0);
        if (b.cap != last_cap) {
            cap_changes++;
            last_cap = b.cap;
        }
        check_invariants(&b, 0);
    }
    assert_int_equal(b.len, 5000 * 6);
    assert_true(cap_changes >= 2); /* it did grow, */
    assert_true(cap_changes < 20); /* geometrically */
    for (int i = 0; i < 5000; i++) {
        char want[16];
        snprintf(want, sizeof(want), "%05d|", i);
        assert_memory_equal(b.data + (size_t)i * 6, want, 6);
    }
}

/* buf_vprintf used through a variadic wrapper of our own */
static int wrap(struct buf *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int wrap(struct buf *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(x, fmt, ap);
    va_end(ap);
    return rc;
}

static void test_buf_vprintf(void **state)
{
    (void)state;
    buf_init(&b, 8);
    assert_int_equal(wrap(&b, "%s-%d", "ab", 12), 0);
    assert_string_equal(b.data, "ab-12");
    assert_int_equal(wrap(&b, "%s", "xyzw"), -1);
    assert_string_equal(b.data, "ab-12");
    assert_true(b.toobig);
}

/* ---- detach ---------------------------------------------------------------- */

struct detach_case {
    const char *what;
    size_t max;
    const char *before; /* puts before the detach; NULL: none */
    bool want_len;      /* pass a len pointer */
    const char *want;
};

static const struct detach_case detach_cases[] = {
    {"a fresh buffer gives an empty string", 0, NULL, true, ""},
    {"a fresh buffer, no len", 0, NULL, false, ""},
    {"contents", 0, "abc", true, "abc"},
    {"contents, no len", 0, "abc", false, "abc"},
    {"capped contents", 3, "abc", true, "abc"},
    {"an empty append", 3, "", true, ""},
};

static void test_detach_row(void **state)
{
    const struct detach_case *c = UNIT_ROW(struct detach_case, state);
    buf_init(&b, c->max);
    if (c->before)
        assert_int_equal(buf_puts(&b, c->before), 0);
    size_t len = 12345;
    char *d = buf_detach(&b, c->want_len ? &len : NULL);
    /* the caller owns d: compare, free, then assert */
    bool same = d && strcmp(d, c->want) == 0;
    free(d);
    assert_true(same);
    if (c->want_len)
        assert_int_equal(len, strlen(c->want));
    else
        assert_int_equal(len, 12345);
    /* the buffer is empty and reusable, with the same cap */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(buf_puts(&b, "x"), 0);
    assert_string_equal(b.data, "x");
    if (c->max) {
        assert_int_equal(buf_puts(&b, "xyzxyz"), -1);
        assert_string_equal(b.data, "x");
    }
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(buf_cases); i++)
        unit_add_full(&s, test_buf_row, &buf_cases[i], NULL, buf_teardown, "buf[%zu] %s", i,
                      buf_cases[i].what);
    unit_add_full(&s, test_buf_printf_growth, NULL, NULL, buf_teardown,
                  "buf_printf grows over many calls");
    unit_add_full(&s, test_buf_vprintf, NULL, NULL, buf_teardown,
                  "buf_vprintf through a variadic wrapper");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(detach_cases); i++)
        unit_add_full(&s, test_detach_row, &detach_cases[i], NULL, buf_teardown,
                      "buf_detach[%zu] %s", i, detach_cases[i].what);
    return unit_run(&s, "buf", NULL, NULL);
}
