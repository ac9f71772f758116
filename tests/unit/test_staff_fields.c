/* Unit tests for staff/fields.c: the readers of body members the staff's parse
 * functions are made of. */
#include "unit.h"

#include "staff/fields.h"

enum reader { INT, NUMBER, BOOL, REACTIVATE, NOT_NULL };

/* A row: the reader, the body, the member, and the text expected (NULL: none) and
 * whether a problem is recorded. */
struct field_case {
    const char *name;
    enum reader reader;
    const char *body;
    const char *member;
    const char *want;
    bool problem;
};

static const struct field_case cases[] = {
    {"an int in range", INT, "{\"n\":5}", "n", "5", false},
    {"an int at the top", INT, "{\"n\":480}", "n", "480", false},
    {"an int too big", INT, "{\"n\":481}", "n", NULL, true},
    {"a huge int", INT, "{\"n\":9007199254740993}", "n", NULL, true},
    {"an int written as one", INT, "{\"n\":120}", "n", "120", false},
    {"an int too small", INT, "{\"n\":4}", "n", NULL, true},
    {"a fraction for an int", INT, "{\"n\":5.5}", "n", NULL, true},
    {"a string for an int", INT, "{\"n\":\"5\"}", "n", NULL, true},
    {"an absent int", INT, "{}", "n", NULL, false},
    {"a null int", INT, "{\"n\":null}", "n", NULL, false},
    {"a number", NUMBER, "{\"n\":1.25}", "n", "1.2500000", false},
    {"a whole number as a number", NUMBER, "{\"n\":-90}", "n", "-90.0000000", false},
    {"a number too small", NUMBER, "{\"n\":-90.5}", "n", NULL, true},
    {"a number at the top", NUMBER, "{\"n\":90}", "n", "90.0000000", false},
    {"a string for a number", NUMBER, "{\"n\":\"1\"}", "n", NULL, true},
    {"a boolean for a number", NUMBER, "{\"n\":true}", "n", NULL, true},
    {"true", BOOL, "{\"b\":true}", "b", "true", false},
    {"false", BOOL, "{\"b\":false}", "b", "false", false},
    {"a number for a boolean", BOOL, "{\"b\":1}", "b", NULL, true},
    {"an absent boolean", BOOL, "{}", "b", NULL, false},
    {"active brought back", REACTIVATE, "{\"active\":true}", "active", "true", false},
    {"active set false", REACTIVATE, "{\"active\":false}", "active", NULL, true},
    {"active absent", REACTIVATE, "{}", "active", NULL, false},
    {"active not a boolean", REACTIVATE, "{\"active\":\"yes\"}", "active", NULL, true},
    {"a member removed", NOT_NULL, "{\"name\":null}", "name", NULL, true},
    {"a member given", NOT_NULL, "{\"name\":\"x\"}", "name", NULL, false},
    {"a member absent", NOT_NULL, "{}", "name", NULL, false},
};

static void test_field(void **state)
{
    const struct field_case *c = UNIT_ROW(struct field_case, state);
    struct input in;
    input_init(&in, NULL);
    json_t *body = json_loads(c->body, 0, NULL);
    assert_non_null(body);
    char out[32];
    const char *got = NULL;
    const char *names[] = {c->member, NULL};
    switch (c->reader) {
    case INT:
        got = field_int(&in, body, c->member, 5, 480, out, sizeof(out));
        break;
    case NUMBER:
        got = field_number(&in, body, c->member, -90, 90, out, sizeof(out));
        break;
    case BOOL:
        got = field_bool(&in, body, c->member);
        break;
    case REACTIVATE:
        got = field_reactivate(&in, body);
        break;
    case NOT_NULL:
        fields_not_null(&in, body, names);
        break;
    }
    if (c->want)
        assert_string_equal(got, c->want);
    else
        assert_null(got);
    assert_int_equal(!input_ok(&in), c->problem);
    if (c->problem) {
        json_t *e = json_array_get(in.errors, 0);
        assert_string_equal(json_string_value(json_object_get(e, "field")), c->member);
    }
    input_release(&in);
    json_decref(body);
}

/* The problem's message of a number out of range, as the 422 lists it. */
struct message_case {
    enum reader reader;
    const char *body;
    const char *want;
};

static const struct message_case messages[] = {
    {INT, "{\"n\":481}", "n must be a whole number from 5 to 480"},
    {INT, "{\"n\":1.5}", "n must be a whole number from 5 to 480"},
    {NUMBER, "{\"n\":-90.5}", "n must be a number from -90 to 90"},
    {NUMBER, "{\"n\":false}", "n must be a number from -90 to 90"},
};

static void test_message(void **state)
{
    const struct message_case *c = UNIT_ROW(struct message_case, state);
    struct input in;
    input_init(&in, NULL);
    json_t *body = json_loads(c->body, 0, NULL);
    char out[32];
    if (c->reader == INT)
        assert_null(field_int(&in, body, "n", 5, 480, out, sizeof(out)));
    else
        assert_null(field_number(&in, body, "n", -90, 90, out, sizeof(out)));
    json_t *e = json_array_get(in.errors, 0);
    assert_string_equal(json_string_value(json_object_get(e, "message")), c->want);
    input_release(&in);
    json_decref(body);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_field, &cases[i], "staff field[%zu] %s", i, cases[i].name);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(messages); i++)
        unit_add(&s, test_message, &messages[i], "staff field message[%zu] %s", i,
                 messages[i].body);
    return unit_run(&s, "staff_fields", NULL, NULL);
}
