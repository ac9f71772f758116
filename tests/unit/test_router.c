/* Unit tests for http/router: matching against a test table, Allow headers, and the
 * sanity of the service's real route table. */
#include "unit.h"

#include "http/router.h"

/* ---- a small table of our own ------------------------------------------------- */

static void h_dummy(struct req *r)
{
    (void)r;
}

enum {
    R_ROOT,
    R_ITEMS_GET,
    R_ITEMS_POST,
    R_ITEM_GET,
    R_ITEM_PUT,
    R_ITEM_DELETE,
    R_NOTE_GET,
    R_FILES_GET,
    R_OPTS_OPTIONS,
    R_FOUR_GET,
    R_FIVE_GET,
    R_ITEMS_NEW_POST,
    R_COUNT,
    NONE = -1,
};

static const struct route table[] = {
    [R_ROOT] = {M_GET, "/", h_dummy, 0},
    [R_ITEMS_GET] = {M_GET, "/items", h_dummy, 0},
    [R_ITEMS_POST] = {M_POST, "/items", h_dummy, ROUTE_BODY_JSON},
    [R_ITEM_GET] = {M_GET, "/items/{id}", h_dummy, 0},
    [R_ITEM_PUT] = {M_PUT, "/items/{id}", h_dummy, ROUTE_BODY_JSON},
    [R_ITEM_DELETE] = {M_DELETE, "/items/{id}", h_dummy, 0},
    [R_NOTE_GET] = {M_GET, "/items/{id}/notes/{note}", h_dummy, 0},
    [R_FILES_GET] = {M_GET, "/files/{*}", h_dummy, ROUTE_NO_DB},
    [R_OPTS_OPTIONS] = {M_OPTIONS, "/opts", h_dummy, 0},
    [R_FOUR_GET] = {M_GET, "/p/{a}/{b}/{c}/{d}", h_dummy, 0},
    /* more captures than ROUTE_MAX_PARAMS: must never match (nor overflow params) */
    [R_FIVE_GET] = {M_GET, "/q/{a}/{b}/{c}/{d}/{e}", h_dummy, 0},
    /* after "/items/{id}": a GET of /items/new goes to {id} (first match wins), a POST
     * falls through to this one */
    [R_ITEMS_NEW_POST] = {M_POST, "/items/new", h_dummy, 0},
};
_Static_assert(sizeof(table) / sizeof(table[0]) == R_COUNT, "one enum entry per route");

#define GH (M_GET | M_HEAD)

struct match_case {
    enum http_method m;
    const char *uri;
    int route; /* index in table, or NONE */
    size_t nparams;
    const char *params[ROUTE_MAX_PARAMS];
    unsigned allowed; /* checked when route == NONE */
};

static const struct match_case match_cases[] = {
    /* exact matches */
    {M_GET, "/", R_ROOT, 0, {0}, 0},
    {M_GET, "/items", R_ITEMS_GET, 0, {0}, 0},
    {M_POST, "/items", R_ITEMS_POST, 0, {0}, 0},
    {M_GET, "/items?limit=5", R_ITEMS_GET, 0, {0}, 0},
    {M_OPTIONS, "/opts", R_OPTS_OPTIONS, 0, {0}, 0},
    /* HEAD is served by GET routes */
    {M_HEAD, "/", R_ROOT, 0, {0}, 0},
    {M_HEAD, "/items", R_ITEMS_GET, 0, {0}, 0},
    {M_HEAD, "/items/42", R_ITEM_GET, 1, {"42"}, 0},
    /* captures */
    {M_GET, "/items/42", R_ITEM_GET, 1, {"42"}, 0},
    {M_PUT, "/items/42", R_ITEM_PUT, 1, {"42"}, 0},
    {M_DELETE, "/items/abc-def", R_ITEM_DELETE, 1, {"abc-def"}, 0},
    {M_GET, "/items/a%2Fb", R_ITEM_GET, 1, {"a/b"}, 0},
    {M_GET, "/items/caf%C3%A9", R_ITEM_GET, 1, {"caf\xc3\xa9"}, 0},
    {M_GET, "/items/{id}", R_ITEM_GET, 1, {"{id}"}, 0},
    {M_GET, "/items/new", R_ITEM_GET, 1, {"new"}, 0},
    {M_PUT, "/items/new", R_ITEM_PUT, 1, {"new"}, 0},
    {M_POST, "/items/new", R_ITEMS_NEW_POST, 0, {0}, 0},
    {M_GET, "/items/7/notes/9", R_NOTE_GET, 2, {"7", "9"}, 0},
    {M_GET, "/p/1/2/3/4", R_FOUR_GET, 4, {"1", "2", "3", "4"}, 0},
    /* "{*}" takes the rest; its capture is the first segment of the rest */
    {M_GET, "/files/a", R_FILES_GET, 1, {"a"}, 0},
    {M_GET, "/files/a/b/c", R_FILES_GET, 1, {"a"}, 0},
    {M_GET, "/files/a/", R_FILES_GET, 1, {"a"}, 0},
    {M_HEAD, "/files/x/y", R_FILES_GET, 1, {"x"}, 0},
    /* 404: no route has this path */
    {M_GET, "/nope", NONE, 0, {0}, 0},
    {M_POST, "/nope", NONE, 0, {0}, 0},
    {M_GET, "/Items", NONE, 0, {0}, 0},
    {M_GET, "/item", NONE, 0, {0}, 0},
    {M_GET, "/itemsx", NONE, 0, {0}, 0},
    {M_GET, "/items%2F42", NONE, 0, {0}, 0},
    {M_GET, "/items/7/notes", NONE, 0, {0}, 0},
    {M_GET, "/items/7/notes/9/x", NONE, 0, {0}, 0},
    {M_GET, "/files", NONE, 0, {0}, 0},
    {M_GET, "/p/1/2/3", NONE, 0, {0}, 0},
    {M_GET, "/q/1/2/3/4/5", NONE, 0, {0}, 0},
    /* trailing slashes do not match */
    {M_GET, "/items/", NONE, 0, {0}, 0},
    {M_POST, "/items/", NONE, 0, {0}, 0},
    {M_GET, "/items/42/", NONE, 0, {0}, 0},
    {M_GET, "/opts/", NONE, 0, {0}, 0},
    {M_GET, "/files/", NONE, 0, {0}, 0},
    /* 405: the path is known, the method is not; HEAD comes with GET */
    {M_PUT, "/items", NONE, 0, {0}, GH | M_POST},
    {M_DELETE, "/items", NONE, 0, {0}, GH | M_POST},
    {M_OPTIONS, "/items", NONE, 0, {0}, GH | M_POST},
    {M_OTHER, "/items", NONE, 0, {0}, GH | M_POST},
    {M_POST, "/", NONE, 0, {0}, GH},
    {M_PATCH, "/items/42", NONE, 0, {0}, GH | M_PUT | M_DELETE},
    {M_POST, "/items/42", NONE, 0, {0}, GH | M_PUT | M_DELETE},
    {M_PATCH, "/items/new", NONE, 0, {0}, GH | M_PUT | M_DELETE | M_POST},
    {M_DELETE, "/files/a/b", NONE, 0, {0}, GH},
    {M_GET, "/opts", NONE, 0, {0}, M_OPTIONS},
    {M_HEAD, "/opts", NONE, 0, {0}, M_OPTIONS},
    {M_POST, "/items/7/notes/9", NONE, 0, {0}, GH},
};

static void test_match_row(void **state)
{
    const struct match_case *c = UNIT_ROW(struct match_case, state);
    struct target t;
    enum target_error trc = target_parse(&t, c->uri);
    const char *params[ROUTE_MAX_PARAMS + 1];
    for (size_t i = 0; i <= ROUTE_MAX_PARAMS; i++)
        params[i] = "untouched";
    size_t nparams = 99;
    unsigned allowed = 0xdead;
    const struct route *got = NULL;
    if (trc == TARGET_OK)
        got = router_match(table, R_COUNT, &t, c->m, params, &nparams, &allowed);
    /* the parameters point into t: compare them before releasing it */
    bool params_ok = true;
    for (size_t i = 0; got && i < c->nparams && i < nparams; i++)
        params_ok = params_ok && strcmp(params[i], c->params[i]) == 0;
    target_release(&t);

    assert_int_equal(trc, TARGET_OK);
    assert_string_equal(params[ROUTE_MAX_PARAMS], "untouched");
    if (c->route == NONE) {
        assert_null(got);
        assert_int_equal(nparams, 0);
        assert_int_equal(allowed, c->allowed);
        return;
    }
    assert_ptr_equal(got, &table[c->route]);
    assert_int_equal(nparams, c->nparams);
    assert_true(params_ok);
}

/* ---- Allow header ---------------------------------------------------------------- */

struct allow_case {
    unsigned allowed;
    size_t outlen;
    const char *want; /* NULL: only check the result is a NUL-terminated prefix */
};

static const struct allow_case allow_cases[] = {
    {M_GET | M_HEAD | M_POST, 96, "GET, HEAD, POST"},
    {M_POST | M_HEAD | M_GET, 96, "GET, HEAD, POST"},
    {M_GET, 96, "GET"},
    {M_HEAD, 96, "HEAD"},
    {M_OPTIONS | M_GET, 96, "GET, OPTIONS"},
    {M_DELETE | M_PUT, 96, "PUT, DELETE"},
    {M_GET | M_HEAD | M_POST | M_PUT | M_PATCH | M_DELETE | M_OPTIONS, 96,
     "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"},
    {0, 96, ""},
    {M_OTHER, 96, ""},
    {M_GET | M_OTHER, 96, "GET"},
    /* exactly enough room */
    {M_GET | M_HEAD | M_POST, 16, "GET, HEAD, POST"},
    /* too little room: never overflows, always terminated */
    {M_GET | M_HEAD | M_POST, 15, NULL},
    {M_GET | M_HEAD | M_POST, 4, NULL},
    {M_GET | M_HEAD | M_POST, 1, NULL},
};

static void test_allow_row(void **state)
{
    const struct allow_case *c = UNIT_ROW(struct allow_case, state);
    char out[128];
    memset(out, 'Z', sizeof(out));
    router_allow_header(c->allowed, out, c->outlen);
    assert_true(memchr(out, '\0', c->outlen) != NULL);
    assert_true(out[c->outlen] == 'Z'); /* nothing written past outlen */
    if (c->want) {
        assert_string_equal(out, c->want);
        return;
    }
    char full[128];
    router_allow_header(c->allowed, full, sizeof(full));
    assert_true(strlen(out) < c->outlen);
    assert_memory_equal(out, full, strlen(out));
}

/* ---- method names ---------------------------------------------------------------- */

struct method_case {
    const char *name;
    enum http_method m;
};

static const struct method_case method_cases[] = {
    {"GET", M_GET},         {"HEAD", M_HEAD},     {"POST", M_POST},    {"PUT", M_PUT},
    {"PATCH", M_PATCH},     {"DELETE", M_DELETE}, {"OPTIONS", M_OPTIONS},
    {"get", M_OTHER},       {"Get", M_OTHER},     {"", M_OTHER},       {"TRACE", M_OTHER},
    {"CONNECT", M_OTHER},   {"GET ", M_OTHER},    {"GETX", M_OTHER},
};

static void test_method_row(void **state)
{
    const struct method_case *c = UNIT_ROW(struct method_case, state);
    assert_int_equal(http_method_parse(c->name), c->m);
    if (c->m != M_OTHER)
        assert_string_equal(http_method_name(c->m), c->name);
    else
        assert_string_equal(http_method_name(c->m), "OTHER");
}

/* ---- the real route table ------------------------------------------------------ */

static void test_real_table_patterns(void **state)
{
    (void)state;
    assert_true(routes_count > 0);
    for (size_t i = 0; i < routes_count; i++) {
        const struct route *r = &routes[i];
        assert_non_null(r->pattern);
        assert_non_null(r->handler);
        if (r->pattern[0] != '/')
            fail_msg("routes[%zu] pattern '%s' does not start with '/'", i, r->pattern);
        if (strstr(r->pattern, "//"))
            fail_msg("routes[%zu] pattern '%s' has an empty segment", i, r->pattern);
        size_t len = strlen(r->pattern);
        if (len > 1 && r->pattern[len - 1] == '/')
            fail_msg("routes[%zu] pattern '%s' ends with '/' (never matches)", i, r->pattern);
        if (__builtin_popcount((unsigned)r->method) != 1 || r->method == M_OTHER)
            fail_msg("routes[%zu] '%s' has no single real method", i, r->pattern);
        /* every capture is a whole segment, and there are few enough of them */
        size_t captures = 0;
        for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
            const char *close = strchr(p, '}');
            if (p[-1] != '/' || !close || (close[1] != '/' && close[1] != '\0'))
                fail_msg("routes[%zu] '%s': a capture must be a whole segment", i, r->pattern);
            captures++;
        }
        if (captures > ROUTE_MAX_PARAMS)
            fail_msg("routes[%zu] '%s' has more than ROUTE_MAX_PARAMS captures", i,
                     r->pattern);
    }
}

static void test_real_table_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < routes_count; i++)
        for (size_t j = i + 1; j < routes_count; j++)
            if (routes[i].method == routes[j].method &&
                strcmp(routes[i].pattern, routes[j].pattern) == 0)
                fail_msg("routes[%zu] and routes[%zu] are both %s %s", i, j,
                         http_method_name(routes[i].method), routes[i].pattern);
}

/* Every route is reachable: a concrete path made from its pattern ("{x}" -> "x1")
 * matches that route, not an earlier one that shadows it. */
static void test_real_table_reachable(void **state)
{
    (void)state;
    for (size_t i = 0; i < routes_count; i++) {
        char uri[512];
        size_t n = 0;
        for (const char *p = routes[i].pattern; *p && n + 8 < sizeof(uri);) {
            if (*p == '{') {
                const char *close = strchr(p, '}');
                assert_non_null(close);
                n += (size_t)snprintf(uri + n, sizeof(uri) - n, "x1");
                p = close + 1;
            } else {
                uri[n++] = *p++;
            }
        }
        uri[n] = '\0';
        struct target t;
        enum target_error trc = target_parse(&t, uri);
        const char *params[ROUTE_MAX_PARAMS];
        size_t nparams;
        unsigned allowed;
        const struct route *got = trc == TARGET_OK
            ? router_match(routes, routes_count, &t, routes[i].method, params, &nparams,
                           &allowed)
            : NULL;
        target_release(&t);
        if (got != &routes[i])
            fail_msg("routes[%zu] %s %s is not reached by %s (got %s)", i,
                     http_method_name(routes[i].method), routes[i].pattern, uri,
                     got ? got->pattern : "none");
    }
}

int main(void)
{
    static const char *const names[] = {
        [R_ROOT] = "root",          [R_ITEMS_GET] = "GET items",
        [R_ITEMS_POST] = "POST items", [R_ITEM_GET] = "GET item",
        [R_ITEM_PUT] = "PUT item",  [R_ITEM_DELETE] = "DELETE item",
        [R_NOTE_GET] = "GET note",  [R_FILES_GET] = "GET files",
        [R_OPTS_OPTIONS] = "OPTIONS opts", [R_FOUR_GET] = "GET four",
        [R_FIVE_GET] = "GET five",  [R_ITEMS_NEW_POST] = "POST items/new",
    };
    struct unit_suite s = {0};
    char e[96];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(match_cases); i++) {
        const struct match_case *c = &match_cases[i];
        unit_add(&s, test_match_row, c, "router_match[%zu] %s %s -> %s", i,
                 http_method_name(c->m), unit_escape(c->uri, strlen(c->uri), e, sizeof(e)),
                 c->route == NONE ? (c->allowed ? "405" : "404") : names[c->route]);
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(allow_cases); i++)
        unit_add(&s, test_allow_row, &allow_cases[i], "router_allow_header[%zu] 0x%x len %zu",
                 i, allow_cases[i].allowed, allow_cases[i].outlen);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(method_cases); i++)
        unit_add(&s, test_method_row, &method_cases[i], "http_method_parse[%zu] \"%s\"", i,
                 method_cases[i].name);
    unit_add(&s, test_real_table_patterns, NULL, "routes: patterns are well formed");
    unit_add(&s, test_real_table_unique, NULL, "routes: no duplicate method+pattern");
    unit_add(&s, test_real_table_reachable, NULL, "routes: every route is reachable");
    return unit_run(&s, "router", NULL, NULL);
}
