/* Unit tests for fhir/params: the FHIR facade's search parameters read from a request
 * target: names and modifiers, _format, _pretty, _count and _cursor, dates with
 * prefixes, references, tokens, strings and comma lists.  Each row is one query. */
#include "unit.h"

#include <jansson.h>

#include "fhir/params.h"
#include "http/query.h"

#define D20261201 1796083200LL /* 2026-12-01T00:00:00Z */
#define DAY 86400LL

static const char *const appointment_known[] = {"date", "practitioner", "location", "status",
                                                NULL};
static const char *const slot_known[] = {"schedule", "start", "status", NULL};

/* Parses uri and starts f on it (a search of type with known when known is not
 * NULL); returns what fhir_params_begin returned. */
static bool begin(struct fhir_req *f, struct target *t, const char *uri, const char *prefer,
                  const char *const *known, const char *kinds)
{
    assert_int_equal(target_parse(t, uri), TARGET_OK);
    return fhir_params_begin(f, t, prefer, known ? "Appointment" : NULL, known, kinds);
}

/* The issues recorded: their number, and the first one's code and location. */
static void check_issues(const struct fhir_req *f, size_t n, const char *code, const char *where)
{
    assert_int_equal(json_array_size(f->issues), n);
    if (n == 0)
        return;
    json_t *first = json_array_get(f->issues, 0);
    assert_string_equal(json_string_value(json_object_get(first, "severity")), "error");
    if (code)
        assert_string_equal(json_string_value(json_object_get(first, "code")), code);
    if (where)
        assert_string_equal(json_string_value(json_array_get(json_object_get(first, "location"), 0)),
                            where);
}

/* ---- fhir_params_begin: names, _format, _pretty, _count, _cursor ----------------------- */

struct begin_case {
    const char *uri;
    const char *prefer;
    bool search;       /* Appointment's parameters; else a read */
    bool ok;           /* what fhir_params_begin returns */
    long count;
    size_t issues;
    const char *code;  /* of the first issue */
    const char *where; /* its location */
};

static const struct begin_case begin_cases[] = {
    {"/x", NULL, true, true, FHIR_COUNT_DEFAULT, 0, NULL, NULL},
    {"/x?date=2026-12-01", NULL, true, true, 20, 0, NULL, NULL},
    {"/x?_format=json&_pretty=true", NULL, true, true, 20, 0, NULL, NULL},
    {"/x?_format=application/fhir%2Bjson", NULL, true, true, 20, 0, NULL, NULL},
    {"/x?_format=application/json;%20charset=utf-8", NULL, true, true, 20, 0, NULL, NULL},
    {"/x?_format=xml", NULL, true, false, 20, 0, NULL, NULL},
    {"/x?_format=xml", NULL, false, false, 20, 0, NULL, NULL},
    {"/x?_pretty=maybe", NULL, true, true, 20, 1, "invalid", "http._pretty"},
    {"/x?_format=json&_format=json", NULL, true, true, 20, 1, "invalid", "http._format"},
    /* unknown parameters and modifiers: strict unless lenient */
    {"/x?colour=red", NULL, true, true, 20, 1, "not-supported", "http.colour"},
    {"/x?colour=red", "handling=lenient", true, true, 20, 0, NULL, NULL},
    {"/x?colour=red", "return=minimal, handling=lenient", true, true, 20, 0, NULL, NULL},
    {"/x?colour=red", "handling=strict", true, true, 20, 1, "not-supported", "http.colour"},
    {"/x?date:missing=true", NULL, true, true, 20, 1, "not-supported", "http.date:missing"},
    {"/x?_count:exact=3", NULL, true, true, 20, 1, "not-supported", "http._count:exact"},
    {"/x?a=1&b=2", NULL, true, true, 20, 2, "not-supported", "http.a"},
    {"/x?date=2026", NULL, false, true, 20, 1, "not-supported", "http.date"},
    {"/x?_count=5", NULL, false, true, 20, 1, "not-supported", "http._count"},
    {"/x?_pretty=false", NULL, false, true, 20, 0, NULL, NULL},
    /* _count */
    {"/x?_count=1", NULL, true, true, 1, 0, NULL, NULL},
    {"/x?_count=5", NULL, true, true, 5, 0, NULL, NULL},
    {"/x?_count=100", NULL, true, true, 100, 0, NULL, NULL},
    {"/x?_count=101", NULL, true, true, 20, 1, "too-costly", "http._count"},
    {"/x?_count=101", "handling=lenient", true, true, 100, 0, NULL, NULL},
    {"/x?_count=5000", "handling=lenient", true, true, 100, 0, NULL, NULL},
    {"/x?_count=0", NULL, true, true, 20, 1, "invalid", "http._count"},
    {"/x?_count=-1", NULL, true, true, 20, 1, "invalid", "http._count"},
    {"/x?_count=ten", NULL, true, true, 20, 1, "invalid", "http._count"},
    {"/x?_count=", NULL, true, true, 20, 1, "invalid", "http._count"},
    {"/x?_count=99999999999", NULL, true, true, 20, 1, "invalid", "http._count"},
    {"/x?_count=2&_count=3", NULL, true, true, 20, 1, "invalid", "http._count"},
    /* _cursor: one this search made, or a problem */
    {"/x?_cursor=nonsense", NULL, true, true, 20, 1, "invalid", "http._cursor"},
    {"/x?_cursor=", NULL, true, true, 20, 1, "invalid", "http._cursor"},
};

static void test_begin_row(void **state)
{
    const struct begin_case *c = UNIT_ROW(struct begin_case, state);
    struct fhir_req f;
    struct target t;
    bool ok = begin(&f, &t, c->uri, c->prefer, c->search ? appointment_known : NULL, "A");
    assert_int_equal(ok, c->ok);
    if (ok) {
        assert_int_equal(f.count, c->count);
        assert_false(f.have_cursor);
        check_issues(&f, c->issues, c->code, c->where);
        assert_int_equal(f.lenient, c->prefer && strstr(c->prefer, "lenient") != NULL);
    }
    fhir_release(&f);
    target_release(&t);
}

/* A cursor this service wrote is taken back when its kind is the search's. */
static void test_cursor_kinds(void **state)
{
    (void)state;
    struct cursor c = {.kind = 'A', .key = "1796083200",
                       .id = "3f1c8a52-0a8e-4f8e-9d6e-2b1b8f7c9a01"};
    char text[CURSOR_MAX_TEXT + 1], uri[CURSOR_MAX_TEXT + 32];
    assert_int_equal(cursor_encode(&c, text, sizeof(text)), 0);
    snprintf(uri, sizeof(uri), "/x?_cursor=%s", text);
    struct fhir_req f;
    struct target t;
    assert_true(begin(&f, &t, uri, NULL, appointment_known, "A"));
    check_issues(&f, 0, NULL, NULL);
    assert_true(f.have_cursor);
    assert_string_equal(f.cursor.key, "1796083200");
    assert_string_equal(f.cursor.id, c.id);
    fhir_release(&f);
    target_release(&t);
    assert_true(begin(&f, &t, uri, NULL, appointment_known, "LD")); /* another search's */
    check_issues(&f, 1, "invalid", "http._cursor");
    assert_false(f.have_cursor);
    fhir_release(&f);
    target_release(&t);
}

/* ---- fhir_dates: prefixes, precision, instants and wall-clock times ------------------ */

struct bound_want {
    bool set;
    long long t;
};

struct date_case {
    const char *uri;
    struct bound_want lo, hi, lo_wall, hi_wall;
    size_t issues;
    const char *code;
};

#define NO {false, 0}
#define AT(t) {true, (t)}

static const struct date_case date_cases[] = {
    {"/x", NO, NO, NO, NO, 0, NULL},
    /* wall-clock (no offset): the whole day, month or year */
    {"/x?date=2026-12-01", NO, NO, AT(D20261201), AT(D20261201 + DAY), 0, NULL},
    {"/x?date=eq2026-12-01", NO, NO, AT(D20261201), AT(D20261201 + DAY), 0, NULL},
    {"/x?date=2026-12", NO, NO, AT(D20261201), AT(D20261201 + 31 * DAY), 0, NULL},
    {"/x?date=2026-02", NO, NO, AT(1769904000LL), AT(1772323200LL), 0, NULL},
    {"/x?date=2026", NO, NO, AT(1767225600LL), AT(1798761600LL), 0, NULL},
    {"/x?date=ge2026-12-01", NO, NO, AT(D20261201), NO, 0, NULL},
    {"/x?date=gt2026-12-01", NO, NO, AT(D20261201 + DAY), NO, 0, NULL},
    {"/x?date=lt2026-12-01", NO, NO, NO, AT(D20261201), 0, NULL},
    {"/x?date=le2026-12-01", NO, NO, NO, AT(D20261201 + DAY), 0, NULL},
    {"/x?date=ge2026-12-01&date=lt2026-12-08", NO, NO, AT(D20261201), AT(D20261201 + 7 * DAY),
     0, NULL},
    /* the narrowest of several bounds holds */
    {"/x?date=ge2026-12-01&date=ge2026-12-03&date=lt2026-12-20&date=lt2026-12-10", NO, NO,
     AT(D20261201 + 2 * DAY), AT(D20261201 + 9 * DAY), 0, NULL},
    {"/x?date=2026-12-01T09:30", NO, NO, AT(1796117400LL), AT(1796117400LL + 60), 0, NULL},
    {"/x?date=2026-12-01T09:30:00", NO, NO, AT(1796117400LL), AT(1796117401LL), 0, NULL},
    {"/x?date=2026-12-01T09:30:00.250", NO, NO, AT(1796117400LL), AT(1796117401LL), 0, NULL},
    /* instants */
    {"/x?date=ge2026-12-01T09:30:00Z", AT(1796117400LL), NO, NO, NO, 0, NULL},
    {"/x?date=lt2026-12-08T09:00:00Z", NO, AT(1796720400LL), NO, NO, 0, NULL},
    {"/x?date=ge2026-12-01T09:30:00-08:00", AT(1796117400LL + 8 * 3600), NO, NO, NO, 0, NULL},
    {"/x?date=ge2026-12-01T09:30:00%2B01:00", AT(1796117400LL - 3600), NO, NO, NO, 0, NULL},
    /* a '+' sent unescaped arrives as a space, and is read as the '+' it was */
    {"/x?date=ge2026-12-01T09:30:00+01:00", AT(1796117400LL - 3600), NO, NO, NO, 0, NULL},
    {"/x?date=2026-12-01T09:30:00Z", AT(1796117400LL), AT(1796117401LL), NO, NO, 0, NULL},
    {"/x?date=ge2026-12-01T00:00:00Z&date=lt2026-12-08", AT(D20261201), NO, NO,
     AT(D20261201 + 7 * DAY), 0, NULL},
    /* problems */
    {"/x?date=ne2026-12-01", NO, NO, NO, NO, 1, "not-supported"},
    {"/x?date=sa2026-12-01", NO, NO, NO, NO, 1, "not-supported"},
    {"/x?date=eb2026-12-01", NO, NO, NO, NO, 1, "not-supported"},
    {"/x?date=ap2026-12-01", NO, NO, NO, NO, 1, "not-supported"},
    {"/x?date=xx2026-12-01", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=g2026-12-01", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-12-01,2026-12-02", NO, NO, NO, NO, 1, "not-supported"},
    {"/x?date=2026-13-01", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-02-30", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-12-01T25:00", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-12-01T09", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-12-01T09:30:00+1:00", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-12-01T09:30:00%2B15:00", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026-12-01T09:30:00.Z", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=1899", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=26-12-01", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=today", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=", NO, NO, NO, NO, 1, "invalid"},
    {"/x?date=2026&date=2026&date=2026&date=2026&date=2026&date=2026", NO, NO, NO, NO, 1,
     "too-costly"},
    /* each bad value is a problem of its own; the good ones still count */
    {"/x?date=ne2026-12-01&date=ge2026-12-01&date=bad", NO, NO, AT(D20261201), NO, 2,
     "not-supported"},
};

static void check_bound(const struct fhir_bound *got, const struct bound_want *want)
{
    assert_int_equal(got->set, want->set);
    if (want->set)
        assert_int_equal(got->t, want->t);
}

static void test_date_row(void **state)
{
    const struct date_case *c = UNIT_ROW(struct date_case, state);
    struct fhir_req f;
    struct target t;
    assert_true(begin(&f, &t, c->uri, NULL, appointment_known, "A"));
    struct fhir_range range = {0};
    fhir_dates(&f, "date", &range);
    check_issues(&f, c->issues, c->code, c->issues ? "http.date" : NULL);
    check_bound(&range.lo, &c->lo);
    check_bound(&range.hi, &c->hi);
    check_bound(&range.lo_wall, &c->lo_wall);
    check_bound(&range.hi_wall, &c->hi_wall);
    fhir_release(&f);
    target_release(&t);
}

/* ---- fhir_references ----------------------------------------------------------------- */

static const char *const practitioner_types[] = {"Practitioner", NULL};
static const char *const actor_types[] = {"Practitioner", "PractitionerRole", "Location", NULL};

struct ref_case {
    const char *uri;
    bool actors;      /* actor_types, else practitioner_types */
    const char *want; /* the groups as JSON text; NULL when none */
    size_t issues;
    const char *code;
};

static const struct ref_case ref_cases[] = {
    {"/x", false, NULL, 0, NULL},
    {"/x?practitioner=Practitioner/abc", false, "[[\"Practitioner/abc\"]]", 0, NULL},
    {"/x?practitioner=abc", false, "[[\"Practitioner/abc\"]]", 0, NULL},
    {"/x?practitioner=https://h.example/fhir/r4/Practitioner/a-1.b", false,
     "[[\"Practitioner/a-1.b\"]]", 0, NULL},
    {"/x?practitioner=a,b", false, "[[\"Practitioner/a\",\"Practitioner/b\"]]", 0, NULL},
    {"/x?practitioner=a&practitioner=b", false, "[[\"Practitioner/a\"],[\"Practitioner/b\"]]", 0,
     NULL},
    {"/x?practitioner=abc", true,
     "[[\"Practitioner/abc\",\"PractitionerRole/abc\",\"Location/abc\"]]", 0, NULL},
    {"/x?practitioner=Location/abc", true, "[[\"Location/abc\"]]", 0, NULL},
    {"/x?practitioner=Location/abc", false, NULL, 1, "invalid"},
    {"/x?practitioner=Practitioner/", false, NULL, 1, "invalid"},
    {"/x?practitioner=/abc", false, NULL, 1, "invalid"},
    {"/x?practitioner=a%20b", false, NULL, 1, "invalid"},
    {"/x?practitioner=a,", false, NULL, 1, "invalid"},
    {"/x?practitioner=", false, NULL, 1, "invalid"},
    {"/x?practitioner=0123456789012345678901234567890123456789012345678901234567890123456789",
     false, NULL, 1, "invalid"},
    {"/x?practitioner=1,2,3,4,5,6,7,8,9,10", false,
     "[[\"Practitioner/1\",\"Practitioner/2\",\"Practitioner/3\",\"Practitioner/4\","
     "\"Practitioner/5\",\"Practitioner/6\",\"Practitioner/7\",\"Practitioner/8\","
     "\"Practitioner/9\",\"Practitioner/10\"]]",
     0, NULL},
    {"/x?practitioner=1,2,3,4,5,6,7,8,9,10,11", false, NULL, 1, "too-costly"},
    {"/x?practitioner=a&practitioner=a&practitioner=a&practitioner=a&practitioner=a"
     "&practitioner=a",
     false, NULL, 1, "too-costly"},
};

static void test_ref_row(void **state)
{
    const struct ref_case *c = UNIT_ROW(struct ref_case, state);
    struct fhir_req f;
    struct target t;
    assert_true(begin(&f, &t, c->uri, NULL, appointment_known, "A"));
    char *got = fhir_references(&f, "practitioner", c->actors ? actor_types : practitioner_types);
    check_issues(&f, c->issues, c->code, c->issues ? "http.practitioner" : NULL);
    if (c->want)
        assert_string_equal(got, c->want);
    else
        assert_null(got);
    free(got);
    fhir_release(&f);
    target_release(&t);
}

/* ---- fhir_tokens --------------------------------------------------------------------- */

#define STATUS_SYSTEM "http://hl7.org/fhir/slotstatus"

/* free -> "free", busy names nothing, anything else is malformed. */
static int resolve(struct fhir_req *f, const char *key, const char *code, char *out, size_t n)
{
    if (strcmp(code, "free") == 0) {
        snprintf(out, n, "free");
        return 1;
    }
    if (strcmp(code, "busy") == 0)
        return 0;
    fhir_issue(f, "invalid", key, "%s: %s is not a slot status", key, code);
    return -1;
}

struct token_case {
    const char *uri;
    const char *want; /* groups; NULL when none */
    bool unmatchable;
    size_t issues;
    const char *code;
};

static const struct token_case token_cases[] = {
    {"/x", NULL, false, 0, NULL},
    {"/x?status=free", "[[\"free\"]]", false, 0, NULL},
    {"/x?status=" STATUS_SYSTEM "|free", "[[\"free\"]]", false, 0, NULL},
    {"/x?status=busy", "[[]]", true, 0, NULL},
    {"/x?status=busy,free", "[[\"free\"]]", false, 0, NULL},
    {"/x?status=free&status=busy", "[[\"free\"],[]]", true, 0, NULL},
    {"/x?status=http://other.example|free", "[[]]", true, 0, NULL},
    {"/x?status=|free", "[[]]", true, 0, NULL},
    {"/x?status=odd", NULL, false, 1, "invalid"},
    {"/x?status=" STATUS_SYSTEM "|", NULL, false, 1, "not-supported"},
    {"/x?status=free,", NULL, false, 1, "invalid"},
};

static void test_token_row(void **state)
{
    const struct token_case *c = UNIT_ROW(struct token_case, state);
    struct fhir_req f;
    struct target t;
    assert_true(begin(&f, &t, c->uri, NULL, slot_known, "s"));
    bool replied = true;
    char *got = fhir_tokens(&f, "status", STATUS_SYSTEM, resolve, &replied);
    assert_false(replied);
    check_issues(&f, c->issues, c->code, c->issues ? "http.status" : NULL);
    if (c->want)
        assert_string_equal(got, c->want);
    else
        assert_null(got);
    assert_int_equal(fhir_groups_unmatchable(got), c->unmatchable);
    free(got);
    fhir_release(&f);
    target_release(&t);
}

/* ---- fhir_strings, fhir_one, fhir_split, fhir_is_id ------------------------------------ */

static void test_strings(void **state)
{
    (void)state;
    struct fhir_req f;
    struct target t;
    assert_true(begin(&f, &t, "/x?date=Ann,Bo%5C,b&date=lee", NULL, appointment_known, "A"));
    char *got = fhir_strings(&f, "date");
    assert_string_equal(got, "[[\"Ann\",\"Bo,b\"],[\"lee\"]]");
    free(got);
    check_issues(&f, 0, NULL, NULL);
    fhir_release(&f);
    target_release(&t);

    char uri[300] = "/x?date=";
    memset(uri + 8, 'a', 201);
    uri[209] = '\0';
    assert_true(begin(&f, &t, uri, NULL, appointment_known, "A"));
    assert_null(fhir_strings(&f, "date"));
    check_issues(&f, 1, "invalid", "http.date");
    fhir_release(&f);
    target_release(&t);
}

static void test_one(void **state)
{
    (void)state;
    struct fhir_req f;
    struct target t;
    assert_true(begin(&f, &t, "/x?date=a&status=b&status=c&location=", NULL, appointment_known,
                      "A"));
    assert_string_equal(fhir_one(&f, "date"), "a");
    assert_null(fhir_one(&f, "practitioner"));
    check_issues(&f, 0, NULL, NULL);
    assert_null(fhir_one(&f, "status"));
    check_issues(&f, 1, "invalid", "http.status");
    assert_null(fhir_one(&f, "location"));
    assert_int_equal(json_array_size(f.issues), 2);
    fhir_release(&f);
    target_release(&t);
}

struct split_case {
    const char *value;
    size_t max;
    size_t n;
    const char *parts[4];
};

static const struct split_case split_cases[] = {
    {"a", 3, 1, {"a"}},
    {"a,b", 3, 2, {"a", "b"}},
    {"a\\,b,c", 3, 2, {"a,b", "c"}},
    {"a,,c", 3, 3, {"a", "", "c"}},
    {",", 3, 2, {"", ""}},
    {"", 3, 1, {""}},
    {"a,b,c,d", 3, 4, {"a", "b", "c"}},
    {"a\\b", 3, 1, {"a\\b"}},
};

static void test_split_row(void **state)
{
    const struct split_case *c = UNIT_ROW(struct split_case, state);
    char buf[64];
    const char *parts[4] = {NULL};
    size_t n = fhir_split(c->value, buf, sizeof(buf), parts, c->max);
    assert_int_equal(n, c->n);
    for (size_t i = 0; i < n && i < c->max; i++)
        assert_string_equal(parts[i], c->parts[i]);
}

struct id_case {
    const char *id;
    bool ok;
};

static const struct id_case id_cases[] = {
    {"abc", true},
    {"3f1c8a52-0a8e-4f8e-9d6e-2b1b8f7c9a01", true},
    {"a.b-C9", true},
    {"", false},
    {"a b", false},
    {"a/b", false},
    {"a_b", false},
    {"0123456789012345678901234567890123456789012345678901234567890123", true},
    {"01234567890123456789012345678901234567890123456789012345678901234", false},
};

static void test_id_row(void **state)
{
    const struct id_case *c = UNIT_ROW(struct id_case, state);
    assert_int_equal(fhir_is_id(c->id), c->ok);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(begin_cases); i++)
        unit_add(&s, test_begin_row, &begin_cases[i], "fhir_params_begin[%zu] %s%s%s", i,
                 begin_cases[i].uri, begin_cases[i].prefer ? " Prefer: " : "",
                 begin_cases[i].prefer ? begin_cases[i].prefer : "");
    unit_add(&s, test_cursor_kinds, NULL, "fhir_params_begin _cursor of this search's kind");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(date_cases); i++)
        unit_add(&s, test_date_row, &date_cases[i], "fhir_dates[%zu] %s", i, date_cases[i].uri);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(ref_cases); i++)
        unit_add(&s, test_ref_row, &ref_cases[i], "fhir_references[%zu] %s%s", i,
                 ref_cases[i].uri, ref_cases[i].actors ? " (actor types)" : "");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(token_cases); i++)
        unit_add(&s, test_token_row, &token_cases[i], "fhir_tokens[%zu] %s", i,
                 token_cases[i].uri);
    unit_add(&s, test_strings, NULL, "fhir_strings groups, escapes and length");
    unit_add(&s, test_one, NULL, "fhir_one once, absent, repeated, empty");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(split_cases); i++)
        unit_add(&s, test_split_row, &split_cases[i], "fhir_split[%zu] \"%s\" max %zu", i,
                 split_cases[i].value, split_cases[i].max);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(id_cases); i++)
        unit_add(&s, test_id_row, &id_cases[i], "fhir_is_id[%zu] \"%s\"", i, id_cases[i].id);
    return unit_run(&s, "fhir_params", NULL, NULL);
}
