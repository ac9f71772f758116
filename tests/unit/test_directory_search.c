/* Unit tests for directory/search.c: the practitioner search's query parameters into a
 * struct search, with the place and the vocabulary looked up in tables of their own. */
#include "unit.h"

#include <jansson.h>

#include "directory/search.h"
#include "http/query.h"

/* ---- the lookups: a gazetteer and a vocabulary of a few entries ---------------- */

static enum db_status fake_place(void *ctx, struct input *in, const char *near, bool *found,
                                 double *lat, double *lon)
{
    (void)ctx;
    *found = false;
    if (strcmp(near, "down") == 0)
        return DB_DOWN;
    if (strcmp(near, "Portland") == 0) {
        *lat = 45.5;
        *lon = -122.625;
        *found = true;
    } else {
        input_error(in, "near", false, "near: no place called \"%s\" is known", near);
    }
    return DB_OK;
}

static const struct {
    enum vocab_kind kind;
    const char *text;
    int id;
} terms[] = {
    {VOCAB_TECHNIQUE, "MFR", 3},           {VOCAB_TECHNIQUE, "myofascial-release", 3},
    {VOCAB_TECHNIQUE, "craniosacral", 5},  {VOCAB_TECHNIQUE, "rare", 70},
    {VOCAB_PROFESSION, "massage-therapist", 2}, {VOCAB_CONDITION, "back-pain", 4},
};

static enum db_status fake_term(void *ctx, enum vocab_kind kind, const char *text, int *id,
                                bool *found)
{
    (void)ctx;
    *found = false;
    if (strcmp(text, "timeout") == 0)
        return DB_TIMEOUT;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(terms); i++)
        if (terms[i].kind == kind && strcmp(terms[i].text, text) == 0) {
            *id = terms[i].id;
            *found = true;
        }
    return DB_OK;
}

static const struct search_lookups look = {fake_place, fake_term, NULL};

/* ---- the cases ---------------------------------------------------------------- */

#define NEAR "near=Portland"

struct parse_case {
    const char *query;
    enum db_status status;     /* of search_parse */
    const char *errors;        /* the fields named, in order, joined by ','; "" none */
    bool malformed;            /* a 400 rather than a 422 */
    char kind, sql_kind;
    bool use_index;
    long limit, want, within;
    /* SQL parameters (NULL: not set) */
    const char *lat, *radius_m, *techniques, *profession, *condition, *q, *language;
    const char *accepting_new, *max_price_cents, *minutes;
};

static const struct parse_case parse_cases[] = {
    {.query = "", .status = DB_OK, .errors = "", .kind = 'n', .sql_kind = 'n', .limit = 20,
     .want = 21, .radius_m = "25000.000"},
    {.query = NEAR, .status = DB_OK, .errors = "", .kind = 'd', .sql_kind = 'd',
     .use_index = true, .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&radius_km=10&limit=5", .status = DB_OK, .errors = "", .kind = 'd',
     .sql_kind = 'd', .use_index = true, .limit = 5, .want = 6, .lat = "45.5000000",
     .radius_m = "10000.000"},
    {.query = NEAR "&technique=MFR&technique=myofascial-release&technique=craniosacral",
     .status = DB_OK, .errors = "", .kind = 'd', .sql_kind = 'd', .use_index = true,
     .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000",
     .techniques = "{3,5}"},
    {.query = NEAR "&technique=rare", .status = DB_OK, .errors = "", .kind = 'd',
     .sql_kind = 'd', .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000",
     .techniques = "{70}"},
    {.query = NEAR "&technique=MFR&technique=levitation", .status = DB_OK,
     .errors = "technique", .kind = 'd', .sql_kind = 'd', .use_index = true, .limit = 20,
     .want = 21, .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&profession=massage-therapist&condition=back-pain", .status = DB_OK,
     .errors = "", .kind = 'd', .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21,
     .lat = "45.5000000", .radius_m = "25000.000", .profession = "2", .condition = "4"},
    {.query = NEAR "&profession=wizard&condition=hangover", .status = DB_OK,
     .errors = "profession,condition", .kind = 'd', .sql_kind = 'd', .use_index = true,
     .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&q=fascia", .status = DB_OK, .errors = "", .kind = 'd', .sql_kind = 'd',
     .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000", .q = "fascia"},
    {.query = NEAR "&q=", .status = DB_OK, .errors = "q", .kind = 'd', .sql_kind = 'd',
     .use_index = true, .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&language=es&accepting_new=true&max_price=80.5&session_minutes=60",
     .status = DB_OK, .errors = "", .kind = 'd', .sql_kind = 'd', .use_index = true,
     .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000", .language = "es",
     .accepting_new = "true", .max_price_cents = "8050", .minutes = "60"},
    {.query = NEAR "&language=english", .status = DB_OK, .errors = "language", .kind = 'd',
     .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21, .lat = "45.5000000",
     .radius_m = "25000.000"},
    {.query = NEAR "&sort=next_available", .status = DB_OK, .errors = "", .kind = 'a',
     .sql_kind = 'd', .use_index = true, .limit = 20, .want = 300, .lat = "45.5000000",
     .radius_m = "25000.000"},
    {.query = "sort=next_available", .status = DB_OK, .errors = "", .kind = 'a',
     .sql_kind = 'n', .limit = 20, .want = 300, .radius_m = "25000.000"},
    {.query = NEAR "&available_within_days=7&sort=name", .status = DB_OK, .errors = "",
     .kind = 'n', .sql_kind = 'n', .limit = 20, .want = 300, .within = 7, .lat = "45.5000000",
     .radius_m = "25000.000"},
    {.query = NEAR "&available_within_days=63", .status = DB_OK,
     .errors = "available_within_days", .kind = 'd', .sql_kind = 'd', .use_index = true,
     .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = "sort=distance", .status = DB_OK, .errors = "sort", .kind = 'd', .sql_kind = 'd',
     .limit = 20, .want = 21, .radius_m = "25000.000"},
    {.query = NEAR "&sort=price", .status = DB_OK, .errors = "sort", .kind = 'd',
     .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21, .lat = "45.5000000",
     .radius_m = "25000.000"},
    {.query = "radius_km=10", .status = DB_OK, .errors = "radius_km", .kind = 'n',
     .sql_kind = 'n', .limit = 20, .want = 21, .radius_m = "10000.000"},
    {.query = NEAR "&radius_km=abc", .status = DB_OK, .errors = "radius_km", .malformed = true,
     .kind = 'd', .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21,
     .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&limit=0", .status = DB_OK, .errors = "limit", .kind = 'd', .sql_kind = 'd',
     .use_index = true, .limit = 20, .want = 21, .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&limit=5&limit=6", .status = DB_OK, .errors = "limit", .malformed = true,
     .kind = 'd', .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21,
     .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&colour=blue&Technique=MFR", .status = DB_OK, .errors = "colour,Technique",
     .kind = 'd', .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21,
     .lat = "45.5000000", .radius_m = "25000.000"},
    {.query = NEAR "&cursor=garbage", .status = DB_OK, .errors = "cursor", .kind = 'd',
     .sql_kind = 'd', .use_index = true, .limit = 20, .want = 21, .lat = "45.5000000",
     .radius_m = "25000.000"},
    /* a place nobody knows: sorted by distance still, so sort=distance is no problem */
    {.query = "near=Nowhere&sort=distance", .status = DB_OK, .errors = "near", .kind = 'd',
     .sql_kind = 'd', .limit = 20, .want = 21, .radius_m = "25000.000"},
    /* problems are listed in the order the parameters are read */
    {.query = "limit=0&near=Nowhere&technique=levitation&colour=1", .status = DB_OK,
     .errors = "colour,near,technique,limit", .kind = 'd', .sql_kind = 'd', .limit = 20,
     .want = 21, .radius_m = "25000.000"},
    /* a failed lookup stops the parse */
    {.query = "near=down&limit=0", .status = DB_DOWN, .errors = "", .kind = 'd', .limit = 20},
    {.query = NEAR "&technique=timeout&limit=0", .status = DB_TIMEOUT, .errors = "",
     .kind = 'd', .limit = 20, .lat = "45.5000000", .radius_m = "25000.000"},
};

static void check_text(const char *what, const char *want, const char *got)
{
    if (!want && got)
        fail_msg("%s: expected none, got \"%s\"", what, got);
    if (want && (!got || strcmp(want, got) != 0))
        fail_msg("%s: expected \"%s\", got \"%s\"", what, want, got ? got : "(none)");
}

/* The fields in.errors names, joined by ','. */
static void error_fields(const struct input *in, char *out, size_t n)
{
    out[0] = '\0';
    size_t len = 0;
    for (size_t i = 0; i < json_array_size(in->errors); i++) {
        const char *f = json_string_value(json_object_get(json_array_get(in->errors, i), "field"));
        len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "," : "", f ? f : "?");
        if (len >= n)
            break;
    }
}

static struct req req;
static struct input in;
static struct search q;

static void parse(const char *query)
{
    char uri[600];
    snprintf(uri, sizeof(uri), "/api/v1/practitioners%s%s", *query ? "?" : "", query);
    memset(&req, 0, sizeof(req));
    assert_int_equal(target_parse(&req.target, uri), TARGET_OK);
    input_init(&in, &req);
}

static int teardown(void **state)
{
    (void)state;
    input_release(&in);
    target_release(&req.target);
    return 0;
}

static void test_parse_row(void **state)
{
    const struct parse_case *c = UNIT_ROW(struct parse_case, state);
    parse(c->query);
    assert_int_equal(search_parse(&in, &look, &q), c->status);
    char fields[200];
    error_fields(&in, fields, sizeof(fields));
    assert_string_equal(fields, c->errors);
    assert_int_equal(in.malformed, c->malformed);
    assert_int_equal(q.kind, c->kind);
    check_text("lat", c->lat, q.sql.lat);
    check_text("radius_m", c->radius_m, q.sql.radius_m);
    if (c->status != DB_OK)
        return;
    assert_int_equal(q.sql_kind, c->sql_kind);
    assert_int_equal(q.use_index, c->use_index);
    assert_int_equal(q.limit, c->limit);
    assert_int_equal(q.want, c->want);
    assert_int_equal(q.within, c->within);
    check_text("technique_ids", c->techniques, q.sql.technique_ids);
    check_text("profession_id", c->profession, q.sql.profession_id);
    check_text("condition_id", c->condition, q.sql.condition_id);
    check_text("q", c->q, q.sql.q);
    check_text("language", c->language, q.sql.language);
    check_text("accepting_new", c->accepting_new, q.sql.accepting_new);
    check_text("max_price_cents", c->max_price_cents, q.sql.max_price_cents);
    check_text("minutes", c->minutes, q.sql.minutes);
    char want[24];
    snprintf(want, sizeof(want), "%ld", c->want);
    check_text("sql limit", want, q.sql.limit);
}

/* ---- cursors: one this search made goes on after its row; the index too --------- */

struct cursor_case {
    const char *what;
    const char *query; /* the cursor is appended */
    char kind;         /* of the cursor */
    const char *key;
    bool ok;
    bool keyset;       /* cursor_key/cursor_id set for the database */
    bool use_index;
};

#define ID "123e4567-e89b-12d3-a456-426614174000"

static const struct cursor_case cursor_cases[] = {
    {"distance page 2", NEAR, 'd', "1234.5", true, true, true},
    {"distance cursor, key not a number", NEAR, 'd', "far", false, false, true},
    {"name page 2", "sort=name", 'n', "Smith, Anna", true, true, false},
    {"a name cursor with distance order", NEAR, 'n', "Smith", false, false, true},
    {"next_available page 2", NEAR "&sort=next_available", 'a', "1767225600", true, false, true},
    {"next_available cursor, key not a number", NEAR "&sort=next_available", 'a', "soon", false,
     false, true},
};

static void test_cursor_row(void **state)
{
    const struct cursor_case *c = UNIT_ROW(struct cursor_case, state);
    struct cursor cur = {.kind = c->kind};
    snprintf(cur.key, sizeof(cur.key), "%s", c->key);
    snprintf(cur.id, sizeof(cur.id), "%s", ID);
    char text[CURSOR_MAX_TEXT + 1], query[CURSOR_MAX_TEXT + 200];
    assert_int_equal(cursor_encode(&cur, text, sizeof(text)), 0);
    snprintf(query, sizeof(query), "%s&cursor=%s", c->query, text);
    parse(query);
    assert_int_equal(search_parse(&in, &look, &q), DB_OK);
    assert_int_equal(input_ok(&in), c->ok);
    assert_int_equal(q.have_cursor, c->ok);
    check_text("cursor_key", c->keyset ? c->key : NULL, q.sql.cursor_key);
    check_text("cursor_id", c->keyset ? ID : NULL, q.sql.cursor_id);
    assert_int_equal(q.use_index, c->use_index);
    if (c->ok && c->kind == 'd')
        assert_true(q.index.has_cursor);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(parse_cases); i++)
        unit_add_full(&s, test_parse_row, &parse_cases[i], NULL, teardown, "search_parse ?%s",
                      parse_cases[i].query);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cursor_cases); i++)
        unit_add_full(&s, test_cursor_row, &cursor_cases[i], NULL, teardown, "cursor: %s",
                      cursor_cases[i].what);
    return unit_run(&s, "directory search_parse", NULL, NULL);
}
