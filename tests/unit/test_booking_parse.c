/* Unit tests for the booking bodies' parse functions (booking/bookings.c): what each
 * accepts, and which field each refusal names.  They only read the JSON body, so the
 * input has no request (in.r = NULL). */
#include "unit.h"

#include <jansson.h>

#include "booking/bookings.h"

#define PID "\"practitioner_id\": \"6f1c1d9e-2b1a-4c3d-9e8f-0a1b2c3d4e5f\""
#define SID "\"service_id\": \"7a2b3c4d-5e6f-4a1b-8c9d-0e1f2a3b4c5d\""
#define START "\"start\": \"2026-03-09T10:00:00+01:00\""
#define PATIENT "\"patient\": {\"name\": \"Ana Ruiz\", \"email\": \"ana@example.org\"}"

enum parser { P_BOOKING, P_CANCEL, P_RESCHEDULE, P_STATUS, P_SERIES, P_WAITLIST };

static const struct parse_case {
    const char *name;
    enum parser parser;
    const char *body;    /* NULL: no body (a cancellation may have none) */
    bool ok;
    const char *field;   /* the first problem's field when refused */
    const char *value;   /* a value read when accepted (see check_value) */
} cases[] = {
    {"booking: complete", P_BOOKING, "{" PID ", " SID ", " START ", " PATIENT "}", true, NULL,
     "ana@example.org"},
    {"booking: with notes and phone", P_BOOKING,
     "{" PID ", " SID ", " START ", \"notes\": \"knee\", \"patient\": {\"name\": \"A\", "
     "\"email\": \"a@b.io\", \"phone\": \"+34 (91) 555-01.02\"}}",
     true, NULL, "a@b.io"},
    {"booking: unknown member", P_BOOKING, "{" PID ", " SID ", " START ", " PATIENT ", \"x\": 1}",
     false, "x", NULL},
    {"booking: no practitioner", P_BOOKING, "{" SID ", " START ", " PATIENT "}", false,
     "practitioner_id", NULL},
    {"booking: practitioner not a uuid", P_BOOKING,
     "{\"practitioner_id\": \"12\", " SID ", " START ", " PATIENT "}", false, "practitioner_id",
     NULL},
    {"booking: start without offset", P_BOOKING,
     "{" PID ", " SID ", \"start\": \"2026-03-09T10:00:00\", " PATIENT "}", false, "start", NULL},
    {"booking: no patient", P_BOOKING, "{" PID ", " SID ", " START "}", false, "patient", NULL},
    {"booking: patient not an object", P_BOOKING, "{" PID ", " SID ", " START ", \"patient\": 3}",
     false, "patient", NULL},
    {"booking: bad e-mail", P_BOOKING,
     "{" PID ", " SID ", " START ", \"patient\": {\"name\": \"A\", \"email\": \"nope\"}}", false,
     "patient.email", NULL},
    {"booking: bad phone", P_BOOKING,
     "{" PID ", " SID ", " START ", \"patient\": {\"name\": \"A\", \"email\": \"a@b.io\", "
     "\"phone\": \"call me\"}}",
     false, "patient.phone", NULL},
    {"booking: unknown patient member", P_BOOKING,
     "{" PID ", " SID ", " START ", \"patient\": {\"name\": \"A\", \"email\": \"a@b.io\", "
     "\"age\": 3}}",
     false, "patient.age", NULL},
    {"cancel: no body", P_CANCEL, NULL, true, NULL, "occurrence"},
    {"cancel: reason", P_CANCEL, "{\"reason\": \"ill\"}", true, NULL, "occurrence"},
    {"cancel: rest of series", P_CANCEL, "{\"scope\": \"rest_of_series\"}", true, NULL,
     "rest_of_series"},
    {"cancel: occurrence", P_CANCEL, "{\"scope\": \"occurrence\"}", true, NULL, "occurrence"},
    {"cancel: other scope", P_CANCEL, "{\"scope\": \"all\"}", false, "scope", NULL},
    {"cancel: unknown member", P_CANCEL, "{\"why\": \"ill\"}", false, "why", NULL},
    {"reschedule: start", P_RESCHEDULE, "{" START "}", true, NULL, NULL},
    {"reschedule: none", P_RESCHEDULE, "{}", false, "start", NULL},
    {"reschedule: more", P_RESCHEDULE, "{" START ", " PID "}", false, "practitioner_id", NULL},
    {"status: completed", P_STATUS, "{\"status\": \"completed\"}", true, NULL, "completed"},
    {"status: no_show", P_STATUS, "{\"status\": \"no_show\"}", true, NULL, "no_show"},
    {"status: booked", P_STATUS, "{\"status\": \"booked\"}", false, "status", NULL},
    {"status: none", P_STATUS, "{}", false, "status", NULL},
    {"series: default on_conflict", P_SERIES,
     "{" PID ", " SID ", " START ", " PATIENT ", \"rrule\": \"FREQ=WEEKLY;COUNT=4\"}", true, NULL,
     "fail"},
    {"series: nearest", P_SERIES,
     "{" PID ", " SID ", " START ", " PATIENT ", \"rrule\": \"FREQ=WEEKLY;COUNT=4\", "
     "\"on_conflict\": \"nearest\"}",
     true, NULL, "nearest"},
    {"series: other on_conflict", P_SERIES,
     "{" PID ", " SID ", " START ", " PATIENT ", \"rrule\": \"FREQ=WEEKLY;COUNT=4\", "
     "\"on_conflict\": \"retry\"}",
     false, "on_conflict", NULL},
    {"series: no rrule", P_SERIES, "{" PID ", " SID ", " START ", " PATIENT "}", false, "rrule",
     NULL},
    {"series: a booking's problem", P_SERIES,
     "{" SID ", " START ", " PATIENT ", \"rrule\": \"FREQ=WEEKLY;COUNT=4\"}", false,
     "practitioner_id", NULL},
    {"waitlist: a week", P_WAITLIST,
     "{" PID ", " SID ", \"from\": \"2026-03-09T00:00:00Z\", \"to\": \"2026-03-16T00:00:00Z\", " PATIENT
     "}",
     true, NULL, NULL},
    {"waitlist: to before from", P_WAITLIST,
     "{" PID ", " SID ", \"from\": \"2026-03-09T00:00:00Z\", \"to\": \"2026-03-08T00:00:00Z\", " PATIENT
     "}",
     false, "to", NULL},
    {"waitlist: 367 days", P_WAITLIST,
     "{" PID ", " SID ", \"from\": \"2026-01-01T00:00:00Z\", \"to\": \"2027-01-03T00:00:00Z\", " PATIENT
     "}",
     false, "to", NULL},
    {"waitlist: no from", P_WAITLIST,
     "{" PID ", " SID ", \"to\": \"2026-03-16T00:00:00Z\", " PATIENT "}", false, "from", NULL},
    {"waitlist: notes are not a field", P_WAITLIST,
     "{" PID ", " SID ", \"from\": \"2026-03-09T00:00:00Z\", \"to\": \"2026-03-16T00:00:00Z\", " PATIENT
     ", \"notes\": \"x\"}",
     false, "notes", NULL},
};

/* Runs the case's parser; *value gets the value the case checks. */
static bool run_parser(const struct parse_case *c, struct input *in, json_t *body,
                       const char **value)
{
    struct booking_req b;
    struct cancel_req k;
    struct series_req s;
    struct waitlist_req w;
    int64_t start;
    bool ok = false;
    *value = NULL;
    switch (c->parser) {
    case P_BOOKING:
        ok = booking_parse(in, body, &b);
        *value = b.patient.email;
        break;
    case P_CANCEL:
        ok = cancel_parse(in, body, &k);
        *value = k.rest_of_series ? "rest_of_series" : "occurrence";
        break;
    case P_RESCHEDULE:
        ok = reschedule_parse(in, body, &start);
        if (ok)
            assert_true(start > 0);
        break;
    case P_STATUS:
        ok = booking_status_parse(in, body, value);
        break;
    case P_SERIES:
        ok = series_parse(in, body, &s);
        *value = s.mode;
        break;
    case P_WAITLIST:
        ok = waitlist_parse(in, body, &w);
        if (ok)
            assert_true(w.to > w.from);
        break;
    }
    return ok;
}

static void test_parse_row(void **state)
{
    const struct parse_case *c = UNIT_ROW(struct parse_case, state);
    json_t *body = NULL;
    if (c->body) {
        json_error_t err;
        body = json_loads(c->body, 0, &err);
        if (!body)
            fail_msg("the case's body is not JSON: %s", err.text);
    }
    struct input in;
    input_init(&in, NULL);
    const char *value;
    bool ok = run_parser(c, &in, body, &value);
    assert_int_equal(ok, c->ok);
    assert_int_equal(input_ok(&in), c->ok);
    if (c->ok) {
        if (c->value)
            assert_string_equal(value, c->value);
    } else {
        json_t *first = json_array_get(in.errors, 0);
        assert_non_null(first);
        assert_string_equal(json_string_value(json_object_get(first, "field")), c->field);
    }
    input_release(&in);
    json_decref(body);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_parse_row, &cases[i], "%s", cases[i].name);
    return unit_run(&s, "booking_parse", NULL, NULL);
}
