/* Unit tests for api/audit.c's audit_entry_make: the row audit() writes, as a store
 * transaction gets it made ahead (who acted, in which clinic, the detail as text). */
#include "unit.h"

#include "api/audit.h"

enum who { NOBODY, STAFF, API_KEY, ANON_STAFF };

struct entry_case {
    const char *name;
    enum who who;
    const char *actor_type; /* the argument */
    const char *clinic_id;  /* the argument */
    const char *detail;     /* JSON text, or NULL */
    /* expected */
    const char *want_type, *want_actor, *want_email, *want_role, *want_clinic, *want_detail;
};

#define CLINIC "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
#define USER "6ba7b810-9dad-41d1-80b4-00c04fd430c8"

static const struct entry_case cases[] = {
    {"a person", STAFF, NULL, CLINIC, NULL, "staff", USER, "ann@example.org", "clinic_admin",
     CLINIC, NULL},
    {"an API key", API_KEY, NULL, CLINIC, NULL, "api_key", USER, NULL, "api_key", CLINIC, NULL},
    {"nobody signed in", NOBODY, NULL, NULL, "{\"email\":\"x@y.org\"}", "anonymous", NULL, NULL,
     NULL, NULL, "{\"email\":\"x@y.org\"}"},
    {"anonymous by name, for a known account's clinic", NOBODY, "anonymous", CLINIC, NULL,
     "anonymous", NULL, NULL, NULL, CLINIC, NULL},
    {"another clinic's row: no id, no e-mail", ANON_STAFF, NULL, CLINIC,
     "{\"reason\":\"another clinic\",\"method\":\"GET\"}", "staff", NULL, NULL, "clinic_admin",
     CLINIC, "{\"reason\":\"another clinic\",\"method\":\"GET\"}"},
    {"a platform admin's row, in no clinic", STAFF, NULL, "", NULL, "staff", USER,
     "ann@example.org", "clinic_admin", NULL, NULL},
    {"an operator", NOBODY, "operator", CLINIC, "{\"rows\":2}", "operator", NULL, NULL, NULL,
     CLINIC, "{\"rows\":2}"},
};

static void str_or_null(const char *got, const char *want)
{
    if (want)
        assert_string_equal(got, want);
    else
        assert_null(got);
}

static void test_entry(void **state)
{
    const struct entry_case *c = UNIT_ROW(struct entry_case, state);
    struct req r;
    memset(&r, 0, sizeof(r));
    snprintf(r.request_id, sizeof(r.request_id), "%s", "req-1");
    struct auth a = {0};
    snprintf(a.user_id, sizeof(a.user_id), "%s", USER);
    snprintf(a.clinic_id, sizeof(a.clinic_id), "%s", CLINIC);
    if (c->who == API_KEY) {
        a.api_key = true;
        snprintf(a.role, sizeof(a.role), "api_key");
    } else {
        snprintf(a.email, sizeof(a.email), "ann@example.org");
        snprintf(a.role, sizeof(a.role), "clinic_admin");
    }
    if (c->who == ANON_STAFF)
        a.user_id[0] = a.email[0] = '\0';
    json_t *detail = c->detail ? json_loads(c->detail, JSON_PRESERVE_ORDER, NULL) : NULL;
    struct audit_entry e;
    audit_entry_make(&e, &r, c->who == NOBODY ? NULL : &a, c->actor_type, c->clinic_id, "act",
                     "thing", "id-1", true, "success", detail);
    str_or_null(e.actor_type, c->want_type);
    str_or_null(e.actor_id, c->want_actor);
    str_or_null(e.actor_email, c->want_email);
    str_or_null(e.role, c->want_role);
    str_or_null(e.clinic_id, c->want_clinic);
    str_or_null(e.detail, c->want_detail ? c->want_detail : NULL);
    assert_string_equal(e.request_id, "req-1");
    assert_string_equal(e.action, "act");
    assert_string_equal(e.resource_type, "thing");
    assert_string_equal(e.resource_id, "id-1");
    assert_true(e.patient_data);
    assert_string_equal(e.outcome, "success");
    audit_entry_release(&e);
    assert_null(e.detail);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_entry, &cases[i], "audit_entry_make[%zu] %s", i, cases[i].name);
    return unit_run(&s, "staff_audit", NULL, NULL);
}
