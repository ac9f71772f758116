/* Unit tests for api/gate: what each access rule of the route table asks of the caller
 * (gate_rule_of), the rules the gate refuses as defects of the table, the real table's
 * rules (every route one the gate knows, the staff levels on the clinic's routes, the
 * practitioner requirement only where {id} is a practitioner), and the gate deciding
 * before any handler: a route without a rule is answered 500 by the gate alone. */
#include "unit.h"

#include <microhttpd.h>

#include "api/gate.h"
#include "domain/actor.h"
#include "http/router.h"

/* ---- what a rule asks --------------------------------------------------------- */

struct rule_case {
    const char *name;
    unsigned access;
    struct gate_rule want;
};

#define R SCOPE_READ
#define W SCOPE_WRITE
#define PD SCOPE_PATIENT_DATA

static const struct rule_case rules[] = {
    {"public", ACCESS_PUBLIC, {0}},
    {"operators (http/server.c)", ACCESS_OPS, {0}},
    {"holder token (with its row)", ACCESS_HOLDER, {0}},
    {"feed token (with its row)", ACCESS_FEED, {0}},
    {"signed in", ACCESS_SIGNED_IN, {.signed_in = true}},
    {"signed in, a person", ACCESS_SIGNED_IN | ACCESS_PEOPLE,
     {.signed_in = true, .people = true}},
    {"signed in, patient data (FHIR Appointment)", ACCESS_SIGNED_IN | ACCESS_PATIENT_DATA,
     {.signed_in = true, .data_scope = R | PD}},
    {"staff read", ACCESS_STAFF_READ, {.signed_in = true, .clinic = true, .scope = R}},
    {"staff read, patient data", ACCESS_STAFF_READ | ACCESS_PATIENT_DATA,
     {.signed_in = true, .clinic = true, .scope = R, .data_scope = PD}},
    {"staff read, practitioner", ACCESS_STAFF_READ | ACCESS_PRACTITIONER,
     {.signed_in = true, .clinic = true, .scope = R, .practitioner = true}},
    {"admin read", ACCESS_STAFF_ADMIN_READ,
     {.signed_in = true, .clinic = true, .scope = R, .admin = true}},
    {"admin read, a person (API keys)", ACCESS_STAFF_ADMIN_READ | ACCESS_PEOPLE,
     {.signed_in = true, .clinic = true, .scope = R, .admin = true, .people = true}},
    {"admin write", ACCESS_STAFF_ADMIN_WRITE,
     {.signed_in = true, .clinic = true, .scope = W, .admin = true}},
    {"self write", ACCESS_STAFF_SELF_WRITE, {.signed_in = true, .clinic = true, .scope = W}},
    {"self write, practitioner", ACCESS_STAFF_SELF_WRITE | ACCESS_PRACTITIONER,
     {.signed_in = true, .clinic = true, .scope = W, .practitioner = true}},
    {"self write, patient data", ACCESS_STAFF_SELF_WRITE | ACCESS_PATIENT_DATA,
     {.signed_in = true, .clinic = true, .scope = W, .data_scope = PD}},
    {"audit: the audit scope, not read", ACCESS_STAFF_AUDIT,
     {.signed_in = true, .clinic = true, .scope = SCOPE_AUDIT, .admin = true}},
    {"every requirement at once",
     ACCESS_STAFF_SELF_WRITE | ACCESS_PEOPLE | ACCESS_PRACTITIONER | ACCESS_PATIENT_DATA,
     {.signed_in = true, .clinic = true, .scope = W, .people = true, .practitioner = true,
      .data_scope = PD}},
};

static void test_rule(void **state)
{
    const struct rule_case *c = UNIT_ROW(struct rule_case, state);
    struct gate_rule g;
    memset(&g, 0xa5, sizeof(g));
    assert_true(gate_rule_of(c->access, &g));
    assert_int_equal(g.signed_in, c->want.signed_in);
    assert_int_equal(g.clinic, c->want.clinic);
    assert_int_equal(g.scope, c->want.scope);
    assert_int_equal(g.admin, c->want.admin);
    assert_int_equal(g.people, c->want.people);
    assert_int_equal(g.practitioner, c->want.practitioner);
    assert_int_equal(g.data_scope, c->want.data_scope);
}

/* ---- rules the gate does not know: defects of the table ------------------------ */

struct refused_case {
    const char *name;
    unsigned access;
};

static const struct refused_case refused[] = {
    {"no rule (ACCESS_NONE)", ACCESS_NONE},
    {"the count of levels", ACCESS_LEVELS},
    {"a level past the known ones", 0x7f},
    {"a requirement alone", ACCESS_PEOPLE},
    {"public with a requirement", ACCESS_PUBLIC | ACCESS_PATIENT_DATA},
    {"a feed token with a requirement", ACCESS_FEED | ACCESS_PRACTITIONER},
    {"an unknown requirement bit", ACCESS_STAFF_READ | (1u << 11)},
    {"route flags in the access column", ACCESS_STAFF_READ | (1u << 20)},
};

static void test_refused(void **state)
{
    const struct refused_case *c = UNIT_ROW(struct refused_case, state);
    struct gate_rule g;
    assert_false(gate_rule_of(c->access, &g));
}

/* ---- the real table ------------------------------------------------------------ */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Every route names a rule the gate knows; the clinic's routes take a staff level (the
 * caller must be of {clinic_id}), and no other route does; the practitioner
 * requirement reads parameter 1 as a practitioner's id. */
static void test_table(void **state)
{
    (void)state;
    assert_true(routes_count > 50);
    for (size_t i = 0; i < routes_count; i++) {
        const struct route *rt = &routes[i];
        struct gate_rule g;
        char what[200];
        snprintf(what, sizeof(what), "%s %s (access %#x)", http_method_name(rt->method),
                 rt->pattern, rt->access);
        if (!gate_rule_of(rt->access, &g))
            fail_msg("%s: a rule the gate does not know", what);
        bool under_clinic = starts_with(rt->pattern, "/api/v1/clinics/{clinic_id}");
        if (g.clinic != under_clinic)
            fail_msg("%s: a clinic's route must take a staff level, and only those", what);
        if (g.practitioner && !starts_with(rt->pattern, "/api/v1/clinics/{clinic_id}/practitioners/{id}"))
            fail_msg("%s: the practitioner requirement without a practitioner {id}", what);
        if (starts_with(rt->pattern, "/api/v1/clinics") && !g.signed_in)
            fail_msg("%s: a staff route open without a caller", what);
    }
}

/* ---- the gate decides before any handler ---------------------------------------- */

/* Public levels let the handler run without a caller and without a reply. */
static void test_gate_open(void **state)
{
    (void)state;
    static const unsigned open[] = {ACCESS_PUBLIC, ACCESS_OPS, ACCESS_HOLDER, ACCESS_FEED};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(open); i++) {
        struct req r;
        memset(&r, 0, sizeof(r));
        r.actor_known = true; /* left over: the gate must say anew */
        assert_true(api_gate(&r, open[i]));
        assert_false(r.actor_known);
        assert_int_equal(r.status, 0);
        assert_null(r.response);
    }
}

/* A route whose rule the gate does not know is answered 500 by the gate itself: its
 * handler never runs, so a route without a rule cannot serve anyone. */
static void test_gate_unknown(void **state)
{
    const struct refused_case *c = UNIT_ROW(struct refused_case, state);
    struct req r;
    memset(&r, 0, sizeof(r));
    r.actor_known = true;
    assert_false(api_gate(&r, c->access));
    assert_false(r.actor_known);
    assert_int_equal(r.status, 500);
    assert_non_null(r.response);
    MHD_destroy_response(r.response);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(rules); i++)
        unit_add(&s, test_rule, &rules[i], "gate_rule_of[%zu] %s", i, rules[i].name);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(refused); i++)
        unit_add(&s, test_refused, &refused[i], "gate_rule_of refuses[%zu] %s", i,
                 refused[i].name);
    unit_add(&s, test_table, NULL, "routes.c: every route's rule is one the gate knows");
    unit_add(&s, test_gate_open, NULL, "api_gate: public levels, no caller, no reply");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(refused); i++)
        unit_add(&s, test_gate_unknown, &refused[i], "api_gate answers 500[%zu] %s", i,
                 refused[i].name);
    return unit_run(&s, "gate", NULL, NULL);
}
