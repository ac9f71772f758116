/* Unit tests for booking/plan_rules: why a date of a plan cannot be booked (the real
 * cause, not "no free time"), the weekly dates of a cadence across a clock change,
 * a plan's progress, and which sessions can still be changed online; one row per
 * case. */
#include "unit.h"

#include <string.h>

#include "booking/plan_rules.h"

#define NOW 1800000000LL /* a Friday, 8:00 UTC */
#define H 3600LL
#define D 86400LL

static struct interval off_week[] = {{NOW + 10 * D, NOW + 17 * D}};
static struct interval busy_one[] = {{NOW + 3 * D, NOW + 3 * D + H}};

static const struct reason_case {
    const char *name;
    int64_t start;
    bool exists;
    enum plan_reason want;
} reason_cases[] = {
    {"a wall-clock time that does not exist", NOW + 5 * D, false, PR_CLOCK_CHANGE},
    {"past the 120-day horizon", NOW + 121 * D, true, PR_PAST_HORIZON},
    {"inside the minimum notice", NOW + H, true, PR_INSIDE_NOTICE},
    {"in the past", NOW - D, true, PR_INSIDE_NOTICE},
    {"inside the time off", NOW + 12 * D, true, PR_TIME_OFF},
    {"overlapping another booking", NOW + 3 * D + 30 * 60, true, PR_TAKEN},
    {"none of those: outside hours", NOW + 20 * D, true, PR_OUTSIDE_HOURS},
    {"horizon wins over time off", NOW + 121 * D, true, PR_PAST_HORIZON},
};

static void test_reason_row(void **state)
{
    const struct reason_case *c = UNIT_ROW(struct reason_case, state);
    struct schedule s = {0};
    s.now = NOW;
    s.min_notice_min = 120;
    s.horizon_days = 120;
    s.duration_min = 60;
    s.off = off_week;
    s.noff = 1;
    s.busy = busy_one;
    s.nbusy = 1;
    assert_int_equal(plan_reason_of(&s, c->start, c->exists), c->want);
}

static void test_reason_codes(void **state)
{
    (void)state;
    for (int r = PR_TIME_OFF; r <= PR_CLOCK_CHANGE; r++) {
        const char *code = plan_reason_code((enum plan_reason)r);
        assert_true(strlen(code) > 0);
        assert_true(strlen(plan_reason_text((enum plan_reason)r)) > 0);
        assert_int_equal(plan_reason_parse(code), r);
    }
    assert_int_equal(plan_reason_parse("no such reason"), PR_NONE);
    assert_int_equal(plan_reason_parse(NULL), PR_NONE);
}

static void test_weekly_dates_keep_wall_clock(void **state)
{
    (void)state;
    const struct tz *z = tz_get("Europe/Berlin");
    assert_non_null(z);
    /* Monday 19 October 2026, 9:00 CEST (7:00 UTC); clocks go back on 25 October */
    int64_t anchor = 1792393200LL;
    struct recurrence_date d[4];
    assert_int_equal(plan_weekly_dates(anchor, z, 2, 3, false, d), 3);
    assert_int_equal(d[0].requested, anchor + 14 * D + H); /* 9:00 CET is 8:00 UTC */
    assert_int_equal(d[1].requested, anchor + 28 * D + H);
    assert_int_equal(d[2].requested, anchor + 42 * D + H);
    assert_int_equal(plan_weekly_dates(anchor, z, 1, 2, true, d), 2);
    assert_int_equal(d[0].requested, anchor);
    assert_int_equal(d[1].requested, anchor + 7 * D + H);
}

static void test_weekly_dates_nonsense(void **state)
{
    (void)state;
    const struct tz *z = tz_get("UTC");
    struct recurrence_date d[RECURRENCE_MAX];
    assert_int_equal(plan_weekly_dates(NOW, z, 0, 2, false, d), -1);
    assert_int_equal(plan_weekly_dates(NOW, z, 13, 2, false, d), -1);
    assert_int_equal(plan_weekly_dates(NOW, z, 1, 0, false, d), -1);
    assert_int_equal(plan_weekly_dates(NOW, z, 1, RECURRENCE_MAX, false, d), -1);
    assert_int_equal(plan_weekly_dates(NOW, z, 1, RECURRENCE_MAX, true, d), RECURRENCE_MAX);
}

static void test_progress(void **state)
{
    (void)state;
    const char *st[] = {"completed", "completed", "no_show", "booked", "cancelled", "unbookable",
                        "booked"};
    int done, total;
    plan_progress(st, 7, &done, &total);
    assert_int_equal(done, 2);
    assert_int_equal(total, 5);
    plan_progress(st, 0, &done, &total);
    assert_int_equal(done + total, 0);
}

static void test_changeable(void **state)
{
    (void)state;
    assert_true(plan_session_changeable("booked", NOW, NOW + 2 * D, 24));
    assert_false(plan_session_changeable("booked", NOW, NOW + 23 * H, 24));
    assert_false(plan_session_changeable("cancelled", NOW, NOW + 9 * D, 24));
    assert_false(plan_session_changeable("unbookable", NOW, NOW + 9 * D, 24));
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(reason_cases); i++)
        unit_add(&s, test_reason_row, &reason_cases[i], "reason: %s", reason_cases[i].name);
    unit_add(&s, test_reason_codes, NULL, "reason codes round-trip");
    unit_add(&s, test_weekly_dates_keep_wall_clock, NULL, "weekly dates keep 9:00 across a clock change");
    unit_add(&s, test_weekly_dates_nonsense, NULL, "weekly dates: nonsense refused");
    unit_add(&s, test_progress, NULL, "progress counts completed of the sessions to happen");
    unit_add(&s, test_changeable, NULL, "changeable only when booked and outside the window");
    return unit_run(&s, "plan_rules", NULL, NULL);
}
