/* Unit tests for the staff's parse functions: each route's body or query read into
 * its struct, with the problems named by field (staff/session_routes.h, clinic.h,
 * locations.h, services.h, api_keys.h, practitioners.h, notifications.h, fields.h). */
#include "unit.h"

#include "staff/api_keys.h"
#include "staff/clinic.h"
#include "staff/fields.h"
#include "staff/locations.h"
#include "staff/notifications.h"
#include "staff/practitioners.h"
#include "staff/services.h"
#include "staff/session_routes.h"

/* A row: a body (JSON text), whether it is a create, the field of the first problem
 * (NULL: none), and up to four members of the output as text (NULL: must be NULL). */
struct parse_case {
    const char *name;
    const char *body;
    bool create;
    const char *problem;
    const char *out[4];
};

/* The first recorded problem's field, or NULL. */
static const char *first_problem(const struct input *in)
{
    json_t *e = json_array_get(in->errors, 0);
    return e ? json_string_value(json_object_get(e, "field")) : NULL;
}

static void expect(const struct parse_case *c, const struct input *in, const char *const *got,
                   int n)
{
    if (c->problem)
        assert_string_equal(first_problem(in), c->problem);
    else
        assert_null(first_problem(in));
    for (int i = 0; i < n && !c->problem; i++) {
        if (c->out[i])
            assert_string_equal(got[i], c->out[i]);
        else
            assert_null(got[i]);
    }
}

/* --- sign-in and the password change ------------------------------------------------ */

static const struct parse_case login_cases[] = {
    {"both", "{\"email\":\"a@b.org\",\"password\":\"pw\"}", false, NULL, {"a@b.org", "pw"}},
    {"no password", "{\"email\":\"a@b.org\"}", false, "password", {0}},
    {"empty password", "{\"email\":\"a@b.org\",\"password\":\"\"}", false, "password", {0}},
    {"password a number", "{\"email\":\"a@b.org\",\"password\":5}", false, "password", {0}},
    {"no email", "{\"password\":\"pw\"}", false, "email", {0}},
    {"an unknown member", "{\"email\":\"a@b.org\",\"password\":\"pw\",\"x\":1}", false, "x", {0}},
    {"email on two lines", "{\"email\":\"a@b\\norg\",\"password\":\"pw\"}", false, "email", {0}},
};


static const struct parse_case password_cases[] = {
    {"a good one", "{\"current_password\":\"old\",\"new_password\":\"violet tram 42 umbrella\"}",
     false, NULL, {"old", "violet tram 42 umbrella"}},
    {"too short", "{\"current_password\":\"old\",\"new_password\":\"short\"}", false,
     "new_password", {0}},
    {"the e-mail's name", "{\"current_password\":\"old\",\"new_password\":\"xxsomebodyxx\"}",
     false, "new_password", {0}},
    {"no current", "{\"new_password\":\"violet tram 42 umbrella\"}", false, "current_password",
     {0}},
    {"no new", "{\"current_password\":\"old\"}", false, "new_password", {0}},
    {"a NUL inside", "{\"current_password\":\"old\",\"new_password\":\"violet\\u0000tram 42\"}",
     false, "new_password", {0}},
};


/* --- the clinic -------------------------------------------------------------------- */

static const struct parse_case clinic_cases[] = {
    {"nothing", "{}", false, NULL, {NULL, NULL, NULL, NULL}},
    {"name and policy", "{\"name\":\"Zen\",\"policy\":{\"slot_step_minutes\":15,\"min_notice_minutes\":60}}",
     false, NULL, {"Zen", "60", "15", NULL}},
    {"a step that does not divide an hour", "{\"policy\":{\"slot_step_minutes\":25}}", false,
     "policy.slot_step_minutes", {0}},
    {"a horizon too far", "{\"policy\":{\"booking_horizon_days\":731}}", false,
     "policy.booking_horizon_days", {0}},
    {"policy not an object", "{\"policy\":5}", false, "policy", {0}},
    {"an unknown policy member", "{\"policy\":{\"x\":1}}", false, "policy.x", {0}},
    {"a website without a scheme", "{\"website\":\"example.org\"}", false, "website", {0}},
    {"max open bookings", "{\"policy\":{\"max_open_bookings_per_contact\":3}}", false, NULL,
     {NULL, NULL, NULL, "3"}},
};


/* --- locations --------------------------------------------------------------------- */

#define LOC_OK "\"name\":\"Main\",\"address\":\"1 High St\",\"city\":\"Leeds\",\"timezone\":\"Europe/London\""

static const struct parse_case location_cases[] = {
    {"a whole one", "{" LOC_OK ",\"country\":\"gb\",\"lat\":53.8,\"lon\":-1.55}", true, NULL,
     {"Main", "GB", "53.8000000", "-1.5500000"}},
    {"a country that is not one", "{" LOC_OK ",\"country\":\"QQ\",\"lat\":1,\"lon\":1}", true,
     "country", {0}},
    {"no lat", "{" LOC_OK ",\"country\":\"GB\",\"lon\":1}", true, "lat", {0}},
    {"lat out of range", "{" LOC_OK ",\"country\":\"GB\",\"lat\":91,\"lon\":1}", true, "lat", {0}},
    {"no name", "{\"address\":\"a\",\"city\":\"c\",\"timezone\":\"UTC\",\"country\":\"GB\",\"lat\":1,\"lon\":1}",
     true, "name", {0}},
    {"an update of the city", "{\"city\":\"York\"}", false, NULL, {NULL, "", NULL, NULL}},
    {"an update removing the name", "{\"name\":null}", false, "name", {0}},
    {"an update deactivating", "{\"active\":false}", false, "active", {0}},
    {"wheelchair not a boolean", "{\"wheelchair_accessible\":\"yes\"}", false,
     "wheelchair_accessible", {0}},
};


/* --- services ---------------------------------------------------------------------- */

static const struct parse_case service_cases[] = {
    {"a whole one", "{\"name\":\"Massage\",\"duration_minutes\":60,\"price\":85.5,\"currency\":\"USD\"}",
     true, NULL, {"Massage", "60", "8550", "USD"}},
    {"three decimals", "{\"name\":\"M\",\"duration_minutes\":60,\"price\":1.005,\"currency\":\"USD\"}",
     true, "price", {0}},
    {"a price too high", "{\"name\":\"M\",\"duration_minutes\":60,\"price\":100000.01,\"currency\":\"USD\"}",
     true, "price", {0}},
    {"free", "{\"name\":\"M\",\"duration_minutes\":60,\"price\":0,\"currency\":\"EUR\"}", true,
     NULL, {"M", "60", "0", "EUR"}},
    {"a currency in small letters", "{\"name\":\"M\",\"duration_minutes\":60,\"price\":1,\"currency\":\"usd\"}",
     true, "currency", {0}},
    {"too short", "{\"name\":\"M\",\"duration_minutes\":4,\"price\":1,\"currency\":\"USD\"}", true,
     "duration_minutes", {0}},
    {"no price", "{\"name\":\"M\",\"duration_minutes\":60,\"currency\":\"USD\"}", true, "price",
     {0}},
    {"an update of the price", "{\"price\":12}", false, NULL, {NULL, NULL, "1200", NULL}},
    {"an update removing the currency", "{\"currency\":null}", false, "currency", {0}},
};


/* --- API keys ---------------------------------------------------------------------- */

static const struct parse_case api_key_cases[] = {
    {"read and write", "{\"name\":\"EHR\",\"scopes\":[\"read\",\"write\"]}", false, NULL,
     {"EHR", "[\"read\",\"write\"]"}},
    {"a scope twice", "{\"name\":\"EHR\",\"scopes\":[\"read\",\"read\",\"audit\"]}", false, NULL,
     {"EHR", "[\"read\",\"audit\"]"}},
    {"patient data", "{\"name\":\"EHR\",\"scopes\":[\"patient_data\"]}", false, NULL,
     {"EHR", "[\"patient_data\"]"}},
    {"no scope", "{\"name\":\"EHR\",\"scopes\":[]}", false, "scopes", {0}},
    {"an unknown scope", "{\"name\":\"EHR\",\"scopes\":[\"admin\"]}", false, "scopes", {0}},
    {"scopes not a list", "{\"name\":\"EHR\",\"scopes\":\"read\"}", false, "scopes", {0}},
    {"no name", "{\"scopes\":[\"read\"]}", false, "name", {0}},
    {"an unknown member", "{\"name\":\"EHR\",\"scopes\":[\"read\"],\"owner\":1}", false, "owner",
     {0}},
};


/* --- practitioners ----------------------------------------------------------------- */

#define LOC_MAIN "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define LOC_OLD "3f2504e0-4f89-41d3-9a0c-0305e82c3302"
static struct catalog_entry entries[] = {
    {'p', (char *)"massage-therapist", "1", true},
    {'t', (char *)"cupping", "10", true},
    {'c', (char *)"back-pain", "20", true},
    {'L', (char *)"Main Street", LOC_MAIN, true},
    {'L', (char *)"Old Town", LOC_OLD, false},
};
static const struct catalog cat = {entries, sizeof(entries) / sizeof(entries[0])};

#define PRACT_OK "\"name\":\"Ann Lee\",\"profession\":\"massage-therapist\",\"languages\":[\"en\"]"

static const struct parse_case practitioner_cases[] = {
    {"a whole one", "{" PRACT_OK ",\"location_ids\":[\"" LOC_MAIN "\"]}", true, NULL,
     {"Ann Lee", "1", NULL, NULL}},
    {"active on create", "{" PRACT_OK ",\"location_ids\":[\"" LOC_MAIN "\"],\"active\":true}",
     true, "active", {0}},
    {"an inactive location", "{" PRACT_OK ",\"location_ids\":[\"" LOC_OLD "\"]}", true,
     "location_ids", {0}},
    {"an unknown profession", "{\"name\":\"A\",\"profession\":\"wizard\",\"languages\":[\"en\"],"
     "\"location_ids\":[\"" LOC_MAIN "\"]}", true, "profession", {0}},
    {"an update bringing one back", "{\"active\":true}", false, NULL, {NULL, NULL, "true", NULL}},
    {"an update deactivating", "{\"active\":false}", false, "active", {0}},
    {"an update of the name", "{\"name\":\"Ann Leigh\"}", false, NULL,
     {"Ann Leigh", NULL, NULL, NULL}},
};


/* --- one runner for every body ------------------------------------------------------ */

enum body_kind { LOGIN, PASSWORD, CLINIC, LOCATION, SERVICE, API_KEY, PRACTITIONER };

/* A table of one body kind. */
struct body_table {
    enum body_kind kind;
    const char *what;
    const struct parse_case *cases;
    size_t n;
};

/* Reads c->body as kind k into got[0..3] (text in buf, 4 x 64 bytes); what is to be
 * freed afterwards in *owned (a JSON value) and *text. */
static void parse_as(enum body_kind k, const struct parse_case *c, struct input *in, json_t *body,
                     const char **got, char (*buf)[64], json_t **owned, char **text)
{
    switch (k) {
    case LOGIN: {
        struct login_in l;
        login_parse(in, body, &l);
        got[0] = l.email, got[1] = l.password;
        break;
    }
    case PASSWORD: {
        struct password_change_in pc;
        password_change_parse(in, body, "somebody@example.org", &pc);
        got[0] = pc.current, got[1] = pc.next;
        break;
    }
    case CLINIC: {
        struct clinic_patch p;
        clinic_patch_parse(in, body, &p);
        const char *v[] = {p.name, p.min_notice, p.slot_step, p.max_open};
        for (int i = 0; i < 4; i++) /* copied: p's buffers end here */
            got[i] = v[i] ? (snprintf(buf[i], 64, "%s", v[i]), buf[i]) : NULL;
        break;
    }
    case LOCATION: {
        struct location_fields l;
        location_parse(in, body, c->create, &l);
        const char *v[] = {l.name, l.country, l.lat, l.lon};
        for (int i = 0; i < 4; i++)
            got[i] = v[i] ? (snprintf(buf[i], 64, "%s", v[i]), buf[i]) : NULL;
        break;
    }
    case SERVICE: {
        struct service_fields f;
        service_parse(in, body, c->create, &f);
        const char *v[] = {f.name, f.duration, f.price, f.currency};
        for (int i = 0; i < 4; i++)
            got[i] = v[i] ? (snprintf(buf[i], 64, "%s", v[i]), buf[i]) : NULL;
        break;
    }
    case API_KEY: {
        struct api_key_in key;
        api_key_parse(in, body, &key);
        *text = json_dumps(key.scopes, JSON_COMPACT);
        *owned = key.scopes;
        got[0] = key.name, got[1] = *text;
        break;
    }
    case PRACTITIONER: {
        const char *active = NULL;
        json_t *p = practitioner_parse(in, body, &cat, c->create, &active);
        json_t *pid = json_object_get(p, "profession_id");
        if (pid)
            snprintf(buf[1], 64, "%lld", (long long)json_integer_value(pid));
        got[0] = json_string_value(json_object_get(p, "name"));
        got[1] = pid ? buf[1] : NULL;
        got[2] = active;
        if (!c->problem)
            assert_non_null(p);
        *owned = p;
        break;
    }
    }
}

/* A row and its kind, as registered. */
struct body_row {
    enum body_kind kind;
    const struct parse_case *c;
};

static void test_body(void **state)
{
    const struct body_row *row = *state;
    const struct parse_case *c = row->c;
    struct input in;
    input_init(&in, NULL);
    json_t *body = json_loads(c->body, JSON_ALLOW_NUL, NULL);
    assert_non_null(body);
    const char *got[4] = {0};
    char buf[4][64];
    json_t *owned = NULL;
    char *text = NULL;
    parse_as(row->kind, c, &in, body, got, buf, &owned, &text);
    expect(c, &in, got, 4);
    free(text);
    json_decref(owned);
    input_release(&in);
    json_decref(body);
}

/* --- queries ----------------------------------------------------------------------- */

/* A query string, and the expected problem and output (status, limit; reason, cancel). */
struct query_case {
    const char *name;
    const char *target;
    const char *problem;
    const char *out[2];
};

static const struct query_case notification_cases[] = {
    {"none", "/n", NULL, {"failed", "50"}},
    {"pending, 10", "/n?status=pending&limit=10", NULL, {"pending", "10"}},
    {"another status", "/n?status=sent", "status", {0}},
    {"a limit too high", "/n?limit=201", "limit", {0}},
    {"not a cursor", "/n?cursor=abc", "cursor", {0}},
    {"an unknown parameter", "/n?state=failed", "state", {0}},
};

static void test_notifications_query(void **state)
{
    const struct query_case *c = UNIT_ROW(struct query_case, state);
    struct req r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(target_parse(&r.target, c->target), TARGET_OK);
    struct input in;
    input_init(&in, &r);
    struct notifications_query q;
    bool ok = notifications_query_parse(&in, &q);
    assert_int_equal(ok, c->problem == NULL);
    if (c->problem) {
        assert_string_equal(first_problem(&in), c->problem);
    } else {
        char lim[24];
        snprintf(lim, sizeof(lim), "%ld", q.limit);
        assert_string_equal(q.status, c->out[0]);
        assert_string_equal(lim, c->out[1]);
    }
    input_release(&in);
    target_release(&r.target);
}

static const struct query_case cancel_cases[] = {
    {"none", "/x", NULL, {"the default", "false"}},
    {"cancel with a reason", "/x?cancel_bookings=true&reason=closed", NULL, {"closed", "true"}},
    {"cancel not a boolean", "/x?cancel_bookings=maybe", "cancel_bookings", {0}},
    {"an unknown parameter", "/x?force=1", "force", {0}},
};

static void test_cancel_params(void **state)
{
    const struct query_case *c = UNIT_ROW(struct query_case, state);
    struct req r;
    memset(&r, 0, sizeof(r));
    assert_int_equal(target_parse(&r.target, c->target), TARGET_OK);
    struct input in;
    input_init(&in, &r);
    struct cancel_params p;
    bool ok = cancel_params_parse(&in, "the default", &p);
    assert_int_equal(ok, c->problem == NULL);
    if (c->problem) {
        assert_string_equal(first_problem(&in), c->problem);
    } else {
        assert_string_equal(p.reason, c->out[0]);
        assert_string_equal(p.cancel ? "true" : "false", c->out[1]);
    }
    input_release(&in);
    target_release(&r.target);
}

#define ADD_QUERY(suite, fn, table, what)                                                \
    for (size_t i = 0; i < UNIT_ARRAY_LEN(table); i++)                                   \
        unit_add(suite, fn, &table[i], what "[%zu] %s", i, table[i].name)

static const struct body_table bodies[] = {
#define TABLE(k, what, t) {k, what, t, UNIT_ARRAY_LEN(t)}
    TABLE(LOGIN, "login_parse", login_cases),
    TABLE(PASSWORD, "password_change_parse", password_cases),
    TABLE(CLINIC, "clinic_patch_parse", clinic_cases),
    TABLE(LOCATION, "location_parse", location_cases),
    TABLE(SERVICE, "service_parse", service_cases),
    TABLE(API_KEY, "api_key_parse", api_key_cases),
    TABLE(PRACTITIONER, "practitioner_parse", practitioner_cases),
};

int main(void)
{
    struct unit_suite s = {0};
    size_t total = 0;
    for (size_t t = 0; t < UNIT_ARRAY_LEN(bodies); t++)
        total += bodies[t].n;
    struct body_row *rows = calloc(total, sizeof(*rows));
    assert_non_null(rows);
    size_t k = 0;
    for (size_t t = 0; t < UNIT_ARRAY_LEN(bodies); t++)
        for (size_t i = 0; i < bodies[t].n; i++, k++) {
            rows[k] = (struct body_row){bodies[t].kind, &bodies[t].cases[i]};
            unit_add(&s, test_body, &rows[k], "%s[%zu] %s", bodies[t].what, i,
                     bodies[t].cases[i].name);
        }
    ADD_QUERY(&s, test_notifications_query, notification_cases, "notifications_query_parse");
    ADD_QUERY(&s, test_cancel_params, cancel_cases, "cancel_params_parse");
    int failed = unit_run(&s, "staff_parse", NULL, NULL);
    free(rows);
    return failed;
}
