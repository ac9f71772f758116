/* Unit tests for domain/ics.c's ics_wall_time: an instant as the wall-clock time of a
 * zone, a floating libical time (shared by ics_time and the recurrence expansion). */
#include "unit.h"

#include "domain/ics.h"

struct wall_case {
    const char *zone;
    int64_t t; /* Unix time */
    int year, month, day, hour, minute, second;
};

static const struct wall_case wall_cases[] = {
    {"UTC", 0, 1970, 1, 1, 0, 0, 0},
    {"America/New_York", 1772982000, 2026, 3, 8, 11, 0, 0},   /* 15:00Z, after the change */
    {"America/New_York", 1772953199, 2026, 3, 8, 1, 59, 59},  /* 06:59:59Z, the last of EST */
    {"America/New_York", 1772953200, 2026, 3, 8, 3, 0, 0},    /* 07:00Z, the first of EDT */
    {"Europe/Berlin", 1767225599, 2026, 1, 1, 0, 59, 59},     /* 2025-12-31T23:59:59Z */
    {"America/Los_Angeles", 1767225600, 2025, 12, 31, 16, 0, 0},
};

static void test_wall_row(void **state)
{
    const struct wall_case *c = UNIT_ROW(struct wall_case, state);
    const struct tz *z = tz_get(c->zone);
    assert_non_null(z);
    struct icaltimetype it = ics_wall_time(c->t, z);
    assert_int_equal(it.year, c->year);
    assert_int_equal(it.month, c->month);
    assert_int_equal(it.day, c->day);
    assert_int_equal(it.hour, c->hour);
    assert_int_equal(it.minute, c->minute);
    assert_int_equal(it.second, c->second);
    assert_int_equal(it.is_date, 0);
    assert_null(it.zone); /* floating */
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(wall_cases); i++)
        unit_add(&s, test_wall_row, &wall_cases[i], "ics_wall_time %s at %lld",
                 wall_cases[i].zone, (long long)wall_cases[i].t);
    return unit_run(&s, "ics wall-clock times", NULL, NULL);
}
