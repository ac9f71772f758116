/* Unit tests for api/input.c's checks: plausible_email, the body_* readers of a JSON
 * object (they do not touch in->r), and only_params/only_params_of on a parsed target. */
#include "unit.h"

#include <jansson.h>

#include "api/input.h"
#include "http/query.h"

struct email_case {
    const char *s;
    bool ok;
};

static const struct email_case email_cases[] = {
    {"ann@example.org", true},
    {"a.b+c@mail.example.co.uk", true},
    {"a@b.c", true},
    {"ann@localhost", false},
    {"ann.example.org", false},
    {"@example.org", false},
    {"ann@", false},
    {"ann@.example.org", false},
    {"ann@ex@ample.org", false},
    {"ann smith@example.org", false},
    {"ann\t@example.org", false},
    {"<ann@example.org>", false},
    {"ann@example.org,bob@example.org", false},
    {"ann@example.org;", false},
    {"a@", false},
    {"", false},
};

static void test_email_row(void **state)
{
    const struct email_case *c = UNIT_ROW(struct email_case, state);
    assert_int_equal(plausible_email(c->s), c->ok);
}

static void test_email_length(void **state)
{
    (void)state;
    char s[300];
    memset(s, 'a', sizeof(s));
    /* 254 characters in all is the most an address may hold */
    snprintf(s + 242, sizeof(s) - 242, "@example.org");
    assert_int_equal(strlen(s), 254);
    assert_true(plausible_email(s));
    memset(s, 'a', sizeof(s));
    snprintf(s + 243, sizeof(s) - 243, "@example.org");
    assert_false(plausible_email(s));
}

enum reader { STR, TEXT, UUID, INSTANT };

struct body_case {
    const char *what;
    enum reader reader;
    const char *body;  /* JSON object; the member read is "f" */
    bool required;
    size_t maxlen;
    bool ok;           /* a value came back */
    const char *error; /* the first problem's field, NULL: none */
};

static const struct body_case body_cases[] = {
    {"a line", STR, "{\"f\": \"hello\"}", true, 10, true, NULL},
    {"absent, optional", STR, "{}", false, 10, false, NULL},
    {"absent, required", STR, "{}", true, 10, false, "f"},
    {"null, required", STR, "{\"f\": null}", true, 10, false, "f"},
    {"not a string", STR, "{\"f\": 3}", false, 10, false, "f"},
    {"blank", STR, "{\"f\": \"  \"}", false, 10, false, "f"},
    {"too long", STR, "{\"f\": \"hello world\"}", false, 10, false, "f"},
    {"ten characters of two bytes", STR, "{\"f\": \"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}", false, 10, true, NULL},
    {"a line break in a line", STR, "{\"f\": \"a\\nb\"}", false, 10, false, "f"},
    {"a line break in text", TEXT, "{\"f\": \"a\\nb\"}", false, 10, true, NULL},
    {"a bell character in text", TEXT, "{\"f\": \"a\\u0007b\"}", false, 10, false, "f"},
    {"a uuid", UUID, "{\"f\": \"123e4567-e89b-12d3-a456-426614174000\"}", true, 0, true, NULL},
    {"not a uuid", UUID, "{\"f\": \"123\"}", true, 0, false, "f"},
    {"an instant", INSTANT, "{\"f\": \"2026-03-08T10:00:00-05:00\"}", true, 0, true, NULL},
    {"an instant without offset", INSTANT, "{\"f\": \"2026-03-08T10:00:00\"}", true, 0, false, "f"},
};

static void test_body_row(void **state)
{
    const struct body_case *c = UNIT_ROW(struct body_case, state);
    json_error_t err;
    json_t *obj = json_loads(c->body, 0, &err);
    assert_non_null(obj);
    struct input in;
    input_init(&in, NULL);
    bool ok = false;
    int64_t t = 0;
    switch (c->reader) {
    case STR:
        ok = body_str(&in, obj, NULL, "f", c->required, c->maxlen) != NULL;
        break;
    case TEXT:
        ok = body_text(&in, obj, NULL, "f", c->required, c->maxlen) != NULL;
        break;
    case UUID:
        ok = body_uuid(&in, obj, NULL, "f", c->required) != NULL;
        break;
    case INSTANT:
        ok = body_instant(&in, obj, NULL, "f", c->required, &t);
        break;
    }
    assert_int_equal(ok, c->ok);
    const char *field = json_string_value(json_object_get(json_array_get(in.errors, 0), "field"));
    if (c->error)
        assert_string_equal(field ? field : "(none)", c->error);
    else
        assert_true(input_ok(&in));
    input_release(&in);
    json_decref(obj);
}

/* body_only names each member not allowed, under the prefix given. */
static void test_body_only(void **state)
{
    (void)state;
    json_error_t err;
    json_t *obj = json_loads("{\"a\": 1, \"zz\": 2}", 0, &err);
    static const char *const allowed[] = {"a", "b", NULL};
    struct input in;
    input_init(&in, NULL);
    body_only(&in, obj, "plan", allowed);
    assert_int_equal(json_array_size(in.errors), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(in.errors, 0), "field")), "plan.zz");
    assert_false(in.malformed);
    input_release(&in);
    json_decref(obj);
}

struct params_case {
    const char *query;
    const char *what;    /* only_params_of's; NULL: only_params */
    size_t problems;
    const char *message; /* the first problem's */
};

static const struct params_case params_cases[] = {
    {"a=1&b=2", "a search parameter", 0, NULL},
    {"", "a search parameter", 0, NULL},
    {"a=1&radius_kms=5", "a search parameter", 1, "radius_kms is not a search parameter"},
    {"zz=1&a=1&yy=2", "a search parameter", 2, "zz is not a search parameter"},
    {"zz=1", NULL, 1, "zz is not a parameter of this request"},
    {"b=1", NULL, 0, NULL},
};

static void test_params_row(void **state)
{
    const struct params_case *c = UNIT_ROW(struct params_case, state);
    static const char *const allowed[] = {"a", "b", NULL};
    static struct req req; /* large: not on the stack */
    char uri[200];
    snprintf(uri, sizeof(uri), "/x%s%s", *c->query ? "?" : "", c->query);
    memset(&req, 0, sizeof(req));
    assert_int_equal(target_parse(&req.target, uri), TARGET_OK);
    struct input in;
    input_init(&in, &req);
    if (c->what)
        only_params_of(&in, allowed, c->what);
    else
        only_params(&in, allowed);
    assert_int_equal(json_array_size(in.errors), c->problems);
    if (c->message)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(in.errors, 0), "message")),
            c->message);
    assert_false(in.malformed);
    input_release(&in);
    target_release(&req.target);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(email_cases); i++)
        unit_add(&s, test_email_row, &email_cases[i], "plausible_email \"%s\"", email_cases[i].s);
    unit_add(&s, test_email_length, NULL, "plausible_email at 254 and 255 characters");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(body_cases); i++)
        unit_add(&s, test_body_row, &body_cases[i], "body reader: %s", body_cases[i].what);
    unit_add(&s, test_body_only, NULL, "body_only names unknown members with their prefix");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(params_cases); i++)
        unit_add(&s, test_params_row, &params_cases[i], "only_params%s \"%s\"",
                 params_cases[i].what ? "_of" : "", params_cases[i].query);
    return unit_run(&s, "api input checks", NULL, NULL);
}
