/* Unit tests for http/query: splitting request targets into path segments and parameters. */
#include "unit.h"

#include "http/query.h"

#define MAXSEG 18
#define MAXPARAM 8
#define MAXLOOK 4

struct kv {
    const char *key, *value;
};

struct lookup {
    const char *key;
    const char *first; /* target_param, NULL when absent */
    size_t count;      /* target_param_all */
};

struct target_case {
    const char *uri;
    enum target_error rc;
    /* checked only when rc == TARGET_OK */
    const char *path;
    size_t nsegments;
    const char *segments[MAXSEG];
    size_t nparams;
    struct kv params[MAXPARAM];
    struct lookup lookups[MAXLOOK]; /* up to the first with key NULL */
};

static const struct target_case target_cases[] = {
    /* paths */
    {"/", TARGET_OK, "/", 0, {0}, 0, {{0}}, {{0}}},
    {"/api/v1/x", TARGET_OK, "/api/v1/x", 3, {"api", "v1", "x"}, 0, {{0}}, {{0}}},
    {"/healthz", TARGET_OK, "/healthz", 1, {"healthz"}, 0, {{0}}, {{0}}},
    {"/a/", TARGET_OK, "/a/", 2, {"a", ""}, 0, {{0}}, {{0}}},
    {"/a/b/", TARGET_OK, "/a/b/", 3, {"a", "b", ""}, 0, {{0}}, {{0}}},
    {"/a%2Fb/c", TARGET_OK, "/a/b/c", 2, {"a/b", "c"}, 0, {{0}}, {{0}}},
    {"/%2F", TARGET_OK, "//", 1, {"/"}, 0, {{0}}, {{0}}},
    {"/a%2F..%2Fb", TARGET_OK, "/a/../b", 1, {"a/../b"}, 0, {{0}}, {{0}}},
    {"/a%3Fb", TARGET_OK, "/a?b", 1, {"a?b"}, 0, {{0}}, {{0}}},
    {"/a%23b", TARGET_OK, "/a#b", 1, {"a#b"}, 0, {{0}}, {{0}}},
    {"/a+b", TARGET_OK, "/a+b", 1, {"a+b"}, 0, {{0}}, {{0}}},
    {"/a%20b", TARGET_OK, "/a b", 1, {"a b"}, 0, {{0}}, {{0}}},
    {"/caf%C3%A9", TARGET_OK, "/caf\xc3\xa9", 1, {"caf\xc3\xa9"}, 0, {{0}}, {{0}}},
    {"/...", TARGET_OK, "/...", 1, {"..."}, 0, {{0}}, {{0}}},
    {"/..a/.b", TARGET_OK, "/..a/.b", 2, {"..a", ".b"}, 0, {{0}}, {{0}}},
    {"/A/B", TARGET_OK, "/A/B", 2, {"A", "B"}, 0, {{0}}, {{0}}},
    /* malformed paths */
    {"", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"a/b", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"*", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"http://h/a", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"?x=1", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"#f", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"//", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"//a", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a//b", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a//", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/..", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/../etc/passwd", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a/../b", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a/..", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a/../", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a/./b", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/.", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/%2E%2E/x", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a/%2e%2e", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/.%2E", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a%", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a%4", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a%G1", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a%00b", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/%C3%28", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a/%C0%AF", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/\xc3\x28", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/a%01", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    /* a bad path is reported even when the query is bad too */
    {"/a//b?q=%", TARGET_BAD_PATH, NULL, 0, {0}, 0, {{0}}, {{0}}},
    /* queries */
    {"/x?a=1&b=&c&a=2", TARGET_OK, "/x", 1, {"x"},
     4, {{"a", "1"}, {"b", ""}, {"c", ""}, {"a", "2"}},
     {{"a", "1", 2}, {"b", "", 1}, {"c", "", 1}, {"d", NULL, 0}}},
    {"/x?", TARGET_OK, "/x", 1, {"x"}, 0, {{0}}, {{"x", NULL, 0}}},
    {"/?a=1", TARGET_OK, "/", 0, {0}, 1, {{"a", "1"}}, {{"a", "1", 1}}},
    {"/x?q=a+b", TARGET_OK, "/x", 1, {"x"}, 1, {{"q", "a b"}}, {{"q", "a b", 1}}},
    {"/x?a+b=c+d", TARGET_OK, "/x", 1, {"x"}, 1, {{"a b", "c d"}}, {{"a b", "c d", 1}}},
    {"/a+b?c+d=e", TARGET_OK, "/a+b", 1, {"a+b"}, 1, {{"c d", "e"}}, {{0}}},
    {"/x?q=a%2Bb", TARGET_OK, "/x", 1, {"x"}, 1, {{"q", "a+b"}}, {{0}}},
    {"/x?q=a%26b%3Dc", TARGET_OK, "/x", 1, {"x"}, 1, {{"q", "a&b=c"}}, {{0}}},
    {"/x?q=%2F", TARGET_OK, "/x", 1, {"x"}, 1, {{"q", "/"}}, {{0}}},
    {"/x?q=caf%C3%A9", TARGET_OK, "/x", 1, {"x"}, 1, {{"q", "caf\xc3\xa9"}}, {{0}}},
    {"/x?a==b", TARGET_OK, "/x", 1, {"x"}, 1, {{"a", "=b"}}, {{0}}},
    {"/x?=v", TARGET_OK, "/x", 1, {"x"}, 1, {{"", "v"}}, {{"", "v", 1}}},
    {"/x?a=1?b=2", TARGET_OK, "/x", 1, {"x"}, 1, {{"a", "1?b=2"}}, {{"b", NULL, 0}}},
    {"/a?b/c", TARGET_OK, "/a", 1, {"a"}, 1, {{"b/c", ""}}, {{0}}},
    {"/x?A=1&a=2", TARGET_OK, "/x", 1, {"x"}, 2, {{"A", "1"}, {"a", "2"}},
     {{"a", "2", 1}, {"A", "1", 1}}},
    /* empty pieces are ignored */
    {"/x?&&a=1&&", TARGET_OK, "/x", 1, {"x"}, 1, {{"a", "1"}}, {{"a", "1", 1}}},
    {"/x?&", TARGET_OK, "/x", 1, {"x"}, 0, {{0}}, {{0}}},
    {"/x?a&&b", TARGET_OK, "/x", 1, {"x"}, 2, {{"a", ""}, {"b", ""}}, {{0}}},
    /* bad escapes or invalid UTF-8 in the query */
    {"/x?q=%", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=%4", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=%G1", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?%=1", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?%ZZ", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=%00", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=%C3%28", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=%ED%A0%80", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=\xff", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?q=%1B", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    {"/x?a=1&b=%&c=3", TARGET_BAD_QUERY, NULL, 0, {0}, 0, {{0}}, {{0}}},
    /* fragments are stripped */
    {"/x#frag", TARGET_OK, "/x", 1, {"x"}, 0, {{0}}, {{0}}},
    {"/x/#", TARGET_OK, "/x/", 2, {"x", ""}, 0, {{0}}, {{0}}},
    {"/x?a=1#frag", TARGET_OK, "/x", 1, {"x"}, 1, {{"a", "1"}}, {{0}}},
    {"/x?a=1#frag&b=2", TARGET_OK, "/x", 1, {"x"}, 1, {{"a", "1"}}, {{"b", NULL, 0}}},
    {"/x?a=1#%", TARGET_OK, "/x", 1, {"x"}, 1, {{"a", "1"}}, {{0}}},
    {"/x#%", TARGET_OK, "/x", 1, {"x"}, 0, {{0}}, {{0}}},
    /* a '?' inside the fragment does not start a query */
    {"/x#frag?a=1", TARGET_OK, "/x", 1, {"x"}, 0, {{0}}, {{"a", NULL, 0}}},
};

static void check_target(const struct target *t, const struct target_case *c)
{
    assert_non_null(t->path);
    assert_string_equal(t->path, c->path);
    assert_int_equal(t->nsegments, c->nsegments);
    for (size_t i = 0; i < c->nsegments; i++)
        assert_string_equal(t->segments[i], c->segments[i]);
    assert_int_equal(t->nparams, c->nparams);
    for (size_t i = 0; i < c->nparams; i++) {
        assert_string_equal(t->params[i].key, c->params[i].key);
        assert_string_equal(t->params[i].value, c->params[i].value);
    }
    for (size_t i = 0; i < MAXLOOK && c->lookups[i].key; i++) {
        const struct lookup *l = &c->lookups[i];
        const char *first = target_param(t, l->key);
        if (l->first)
            assert_string_equal(first, l->first);
        else
            assert_null(first);
        const char *values[MAXPARAM] = {0};
        assert_int_equal(target_param_all(t, l->key, values, MAXPARAM), l->count);
        if (l->count > 0)
            assert_ptr_equal(values[0], first);
    }
}

/* The target under test; the teardown releases it, also when a row fails midway. */
static struct target cur;

static int cur_setup(void **state)
{
    (void)state;
    memset(&cur, 0, sizeof(cur));
    return 0;
}

static int cur_teardown(void **state)
{
    (void)state;
    target_release(&cur);
    return 0;
}

static void test_target_row(void **state)
{
    const struct target_case *c = UNIT_ROW(struct target_case, state);
    assert_int_equal(target_parse(&cur, c->uri), c->rc);
    if (c->rc == TARGET_OK)
        check_target(&cur, c);
    target_release(&cur);
    /* release leaves the target empty, so releasing twice is harmless */
    assert_null(cur.path);
    assert_int_equal(cur.nsegments, 0);
    assert_int_equal(cur.nparams, 0);
}

/* ---- generated targets: the segment and parameter limits ---------------------- */

struct gen_case {
    const char *what;
    size_t nsegments;   /* "/s0/s1/..." */
    bool trailing;      /* and a trailing '/' */
    size_t nparams;     /* "?p0=0&p1=1..." */
    const char *suffix; /* appended to the query */
    enum target_error rc;
};

static const struct gen_case gen_cases[] = {
    {"PATH_MAX_SEGMENTS segments", PATH_MAX_SEGMENTS, false, 0, "", TARGET_OK},
    {"PATH_MAX_SEGMENTS+1 segments", PATH_MAX_SEGMENTS + 1, false, 0, "", TARGET_TOO_MANY},
    {"PATH_MAX_SEGMENTS-1 segments and '/'", PATH_MAX_SEGMENTS - 1, true, 0, "", TARGET_OK},
    {"PATH_MAX_SEGMENTS segments and '/'", PATH_MAX_SEGMENTS, true, 0, "", TARGET_TOO_MANY},
    {"100 segments", 100, false, 0, "", TARGET_TOO_MANY},
    {"QUERY_MAX_PARAMS params", 1, false, QUERY_MAX_PARAMS, "", TARGET_OK},
    {"QUERY_MAX_PARAMS params and empty pieces", 1, false, QUERY_MAX_PARAMS, "&&&", TARGET_OK},
    {"QUERY_MAX_PARAMS+1 params", 1, false, QUERY_MAX_PARAMS + 1, "", TARGET_TOO_MANY},
    {"QUERY_MAX_PARAMS params and a key", 1, false, QUERY_MAX_PARAMS, "&k", TARGET_TOO_MANY},
    {"500 params", 1, false, 500, "", TARGET_TOO_MANY},
};

static void test_target_generated(void **state)
{
    const struct gen_case *c = UNIT_ROW(struct gen_case, state);
    char uri[8192];
    size_t n = 0;
    for (size_t i = 0; i < c->nsegments; i++)
        n += (size_t)snprintf(uri + n, sizeof(uri) - n, "/s%zu", i);
    if (c->trailing)
        n += (size_t)snprintf(uri + n, sizeof(uri) - n, "/");
    for (size_t i = 0; i < c->nparams; i++)
        n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%cp%zu=%zu", i ? '&' : '?', i, i);
    n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%s", c->suffix);
    assert_true(n < sizeof(uri));

    assert_int_equal(target_parse(&cur, uri), c->rc);
    if (c->rc == TARGET_OK) {
        assert_int_equal(cur.nsegments, c->nsegments + (c->trailing ? 1 : 0));
        assert_int_equal(cur.nparams, c->nparams);
        if (c->nsegments > 0) {
            char want[32];
            snprintf(want, sizeof(want), "s%zu", c->nsegments - 1);
            assert_string_equal(cur.segments[c->nsegments - 1], want);
        }
        if (c->nparams > 0) {
            char want[32];
            snprintf(want, sizeof(want), "%zu", c->nparams - 1);
            assert_string_equal(target_param(&cur, "p0"), "0");
            assert_string_equal(cur.params[c->nparams - 1].value, want);
        }
    }
}

/* target_param_all fills at most max values but counts them all */
static void test_param_all_max(void **state)
{
    (void)state;
    assert_int_equal(target_parse(&cur, "/x?a=1&a=2&b=0&a=3"), TARGET_OK);
    const char *v[3] = {NULL, NULL, "untouched"};
    assert_int_equal(target_param_all(&cur, "a", NULL, 0), 3);
    assert_int_equal(target_param_all(&cur, "a", v, 2), 3);
    assert_string_equal(v[0], "1");
    assert_string_equal(v[1], "2");
    assert_string_equal(v[2], "untouched");
}

/* parsing into a target that held an earlier result: the caller must release first,
 * and a released target can be parsed into again */
static void test_reuse_after_error(void **state)
{
    (void)state;
    assert_int_equal(target_parse(&cur, "/a/b?x=%"), TARGET_BAD_QUERY);
    target_release(&cur);
    assert_int_equal(target_parse(&cur, "/c?y=2"), TARGET_OK);
    assert_int_equal(cur.nsegments, 1);
    assert_string_equal(cur.segments[0], "c");
    assert_string_equal(target_param(&cur, "y"), "2");
    assert_null(target_param(&cur, "x"));
}

int main(void)
{
    struct unit_suite s = {0};
    char e[128];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(target_cases); i++) {
        const struct target_case *c = &target_cases[i];
        unit_add_full(&s, test_target_row, c, cur_setup, cur_teardown,
                      "target_parse[%zu] \"%s\"", i,
                      unit_escape(c->uri, strlen(c->uri), e, sizeof(e)));
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(gen_cases); i++)
        unit_add_full(&s, test_target_generated, &gen_cases[i], cur_setup, cur_teardown,
                      "target_parse limits[%zu] %s", i, gen_cases[i].what);
    unit_add_full(&s, test_param_all_max, NULL, cur_setup, cur_teardown,
                  "target_param_all fills at most max");
    unit_add_full(&s, test_reuse_after_error, NULL, cur_setup, cur_teardown,
                  "target_parse again after an error and a release");
    return unit_run(&s, "query", NULL, NULL);
}
