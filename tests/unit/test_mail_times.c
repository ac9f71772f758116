/* Unit tests for the inputs of the mails' times (issue 14, item 4): the patient's
 * time_zone of a booking and a plan (an IANA zone the system knows, else a field
 * error), and the clinic's reminder_hours and week_mail_hour (ranges; null: the global
 * reminder, no week mail).  They read the JSON body only (in.r = NULL). */
#include "unit.h"

#include <jansson.h>

#include "booking/bookings.h"
#include "staff/clinic.h"

#define BOOKING                                                                            \
    "\"practitioner_id\": \"6f1c1d9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f\", "                      \
    "\"service_id\": \"7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d\", "                           \
    "\"start\": \"2026-03-09T10:00:00+01:00\", "                                           \
    "\"patient\": {\"name\": \"Ana Ruiz\", \"email\": \"ana@example.org\"}"

static const struct zone_case {
    const char *name;
    const char *member; /* the time_zone member as JSON, or "" for none */
    const char *want;   /* the zone read; NULL: none (with problem, a field error) */
    bool problem;
} zones[] = {
    {"none", "", NULL, false},
    {"New York", "\"America/New_York\"", "America/New_York", false},
    {"Kolkata", "\"Asia/Kolkata\"", "Asia/Kolkata", false},
    {"UTC", "\"UTC\"", "UTC", false},
    {"unknown", "\"Mars/Olympus_Mons\"", NULL, true},
    {"a path up", "\"../../etc/passwd\"", NULL, true},
    {"absolute", "\"/etc/localtime\"", NULL, true},
    {"empty", "\"\"", NULL, true},
    {"a number", "5", NULL, true},
    {"null", "null", NULL, false},
    {"too long", "\"Europe/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", NULL,
     true},
    {"a control", "\"Europe/Berlin\\n\"", NULL, true},
};

static void check_zone(const struct zone_case *c, bool series)
{
    char text[1024];
    snprintf(text, sizeof(text), "{" BOOKING "%s%s%s}",
             series ? ", \"rrule\": \"FREQ=WEEKLY;COUNT=2\"" : "",
             *c->member ? ", \"time_zone\": " : "", c->member);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    struct input in;
    input_init(&in, NULL);
    const char *got;
    if (series) {
        struct series_req q;
        series_parse(&in, body, &q);
        got = q.b.time_zone;
    } else {
        struct booking_req q;
        booking_parse(&in, body, &q);
        got = q.time_zone;
    }
    json_t *e = json_array_get(in.errors, 0);
    const char *field = e ? json_string_value(json_object_get(e, "field")) : NULL;
    if (c->problem) {
        if (!field || strcmp(field, "time_zone") != 0)
            fail_msg("%s: want a problem naming time_zone, got %s", c->name, field ? field : "none");
        assert_null(got);
    } else {
        if (field)
            fail_msg("%s: unexpected problem with %s", c->name, field);
        if (c->want)
            assert_string_equal(got, c->want);
        else
            assert_null(got);
    }
    input_release(&in);
    json_decref(body);
}

static void test_zone_booking(void **state)
{
    check_zone(UNIT_ROW(struct zone_case, state), false);
}

static void test_zone_series(void **state)
{
    check_zone(UNIT_ROW(struct zone_case, state), true);
}

static const struct policy_case {
    const char *name;
    const char *policy; /* the body's policy object */
    const char *problem; /* the field named, or NULL */
    const char *set_reminder, *reminder, *set_week, *week;
} policies[] = {
    {"neither", "{\"cancellation_notice_hours\": 12}", NULL, "false", NULL, "false", NULL},
    {"both", "{\"reminder_hours\": 6, \"week_mail_hour\": 7}", NULL, "true", "6", "true", "7"},
    {"the bounds", "{\"reminder_hours\": 1, \"week_mail_hour\": 0}", NULL, "true", "1", "true", "0"},
    {"the other bounds", "{\"reminder_hours\": 168, \"week_mail_hour\": 23}", NULL, "true", "168",
     "true", "23"},
    {"null: the global, off", "{\"reminder_hours\": null, \"week_mail_hour\": null}", NULL, "true",
     NULL, "true", NULL},
    {"reminder 0", "{\"reminder_hours\": 0}", "policy.reminder_hours", NULL, NULL, NULL, NULL},
    {"reminder 169", "{\"reminder_hours\": 169}", "policy.reminder_hours", NULL, NULL, NULL, NULL},
    {"reminder as text", "{\"reminder_hours\": \"24\"}", "policy.reminder_hours", NULL, NULL, NULL, NULL},
    {"reminder a fraction", "{\"reminder_hours\": 1.5}", "policy.reminder_hours", NULL, NULL, NULL, NULL},
    {"week -1", "{\"week_mail_hour\": -1}", "policy.week_mail_hour", NULL, NULL, NULL, NULL},
    {"week 24", "{\"week_mail_hour\": 24}", "policy.week_mail_hour", NULL, NULL, NULL, NULL},
    {"week true", "{\"week_mail_hour\": true}", "policy.week_mail_hour", NULL, NULL, NULL, NULL},
};

static void test_policy(void **state)
{
    const struct policy_case *c = UNIT_ROW(struct policy_case, state);
    char text[512];
    snprintf(text, sizeof(text), "{\"policy\": %s}", c->policy);
    json_t *body = json_loads(text, 0, NULL);
    assert_non_null(body);
    struct input in;
    input_init(&in, NULL);
    struct clinic_patch p;
    clinic_patch_parse(&in, body, &p);
    json_t *e = json_array_get(in.errors, 0);
    const char *field = e ? json_string_value(json_object_get(e, "field")) : NULL;
    if (c->problem) {
        if (!field || strcmp(field, c->problem) != 0)
            fail_msg("%s: want %s, got %s", c->name, c->problem, field ? field : "none");
    } else {
        if (field)
            fail_msg("%s: unexpected problem with %s", c->name, field);
        const char *got[] = {p.set_reminder, p.reminder_hours, p.set_week_hour, p.week_hour};
        const char *want[] = {c->set_reminder, c->reminder, c->set_week, c->week};
        for (int i = 0; i < 4; i++) {
            if (want[i])
                assert_string_equal(got[i], want[i]);
            else
                assert_null(got[i]);
        }
    }
    input_release(&in);
    json_decref(body);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(zones); i++) {
        unit_add(&s, test_zone_booking, (void *)&zones[i], "booking time_zone: %s", zones[i].name);
        unit_add(&s, test_zone_series, (void *)&zones[i], "plan time_zone: %s", zones[i].name);
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(policies); i++)
        unit_add(&s, test_policy, (void *)&policies[i], "policy: %s", policies[i].name);
    return unit_run(&s, "mail times", NULL, NULL);
}
