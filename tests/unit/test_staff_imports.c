/* Unit tests for staff/imports.c's parse pieces: the CSV body's Content-Type and the
 * query (?dry_run=). */
#include "unit.h"

#include <jansson.h>

#include "http/query.h"
#include "staff/imports.h"

struct type_case {
    const char *content_type; /* NULL: no header */
    bool ok;
};

static const struct type_case type_cases[] = {
    {"text/csv", true},
    {"TEXT/CSV", true},
    {"text/csv; charset=utf-8", true},
    {"text/csv;charset=UTF-8", true},
    {"text/csv; charset=\"utf-8\"", true},
    {"text/csv; charset=utf8", true},
    {"text/csv; header=present", true},
    {"text/csv; charset=latin1", false},
    {"text/csv; charset=\"iso-8859-1\"", false},
    {"text/csvx", false},
    {"text/cs", false},
    {"text/plain", false},
    {"application/json", false},
    {"", false},
    {NULL, false},
};

static void test_type_row(void **state)
{
    const struct type_case *c = UNIT_ROW(struct type_case, state);
    assert_int_equal(import_csv_type(c->content_type), c->ok);
}

struct query_case {
    const char *query;
    bool ok, dry_run, malformed;
    const char *first_field; /* of the first problem; NULL: none */
};

static const struct query_case query_cases[] = {
    {"", true, false, false, NULL},
    {"dry_run=true", true, true, false, NULL},
    {"dry_run=false", true, false, false, NULL},
    {"dry_run=yes", true, true, false, NULL},
    {"dry_run=maybe", false, false, true, "dry_run"},
    {"dry_run=true&dry_run=false", false, false, true, "dry_run"},
    {"dryrun=true", false, false, false, "dryrun"},
    {"dry_run=true&chunk=5", false, true, false, "chunk"},
};

static void test_query_row(void **state)
{
    const struct query_case *c = UNIT_ROW(struct query_case, state);
    struct req req;
    memset(&req, 0, sizeof(req));
    char uri[200];
    snprintf(uri, sizeof(uri), "/api/v1/clinics/x/imports%s%s", *c->query ? "?" : "", c->query);
    assert_int_equal(target_parse(&req.target, uri), TARGET_OK);
    struct input in;
    input_init(&in, &req);
    bool dry_run = !c->dry_run; /* set by the parse whatever it finds */
    assert_int_equal(import_query_parse(&in, &dry_run), c->ok);
    assert_int_equal(dry_run, c->dry_run);
    assert_int_equal(in.malformed, c->malformed);
    const char *field = json_string_value(json_object_get(json_array_get(in.errors, 0), "field"));
    if (c->first_field)
        assert_string_equal(field ? field : "(none)", c->first_field);
    else
        assert_null(field);
    input_release(&in);
    target_release(&req.target);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(type_cases); i++)
        unit_add(&s, test_type_row, &type_cases[i], "import_csv_type %s",
                 type_cases[i].content_type ? type_cases[i].content_type : "(none)");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(query_cases); i++)
        unit_add(&s, test_query_row, &query_cases[i], "import_query_parse ?%s",
                 query_cases[i].query);
    return unit_run(&s, "staff imports parse", NULL, NULL);
}
