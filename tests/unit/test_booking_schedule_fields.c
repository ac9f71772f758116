/* Unit tests for schedule_fields_ok (booking/bookings.c): what a booking, a series or
 * a waitlist entry records when the schedule read for its body's practitioner and
 * service came to DB_OK or DB_NOT_FOUND (the caller replies any other status).  The
 * input has no request (in.r = NULL). */
#include "unit.h"

#include "booking/bookings.h"

static const struct fields_case {
    const char *name;
    enum db_status st;
    bool service_found, service_offered;
    bool ok;
    const char *field;   /* the problem's field when refused */
    const char *message; /* and its message */
} cases[] = {
    {"offered", DB_OK, true, true, true, NULL, NULL},
    {"no such practitioner", DB_NOT_FOUND, false, false, false, "practitioner_id",
     "no such practitioner"},
    {"no such service", DB_OK, false, false, false, "service_id",
     "no such service at this practitioner's clinic"},
    {"service not offered", DB_OK, true, false, false, "service_id",
     "this practitioner does not offer that service"},
};

static void test_fields_row(void **state)
{
    const struct fields_case *c = UNIT_ROW(struct fields_case, state);
    struct schedule s = {0};
    s.service_found = c->service_found;
    s.service_offered = c->service_offered;
    struct input in;
    input_init(&in, NULL);
    assert_int_equal(schedule_fields_ok(&in, c->st, &s), c->ok);
    assert_int_equal(input_ok(&in), c->ok);
    if (!c->ok) {
        json_t *first = json_array_get(in.errors, 0);
        assert_non_null(first);
        assert_string_equal(json_string_value(json_object_get(first, "field")), c->field);
        assert_string_equal(json_string_value(json_object_get(first, "message")), c->message);
        assert_int_equal(json_array_size(in.errors), 1);
    }
    input_release(&in);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_fields_row, &cases[i], "%s", cases[i].name);
    return unit_run(&s, "booking_schedule_fields", NULL, NULL);
}
