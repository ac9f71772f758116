/* Unit tests for domain/booking_policy: the minimum notice, the horizon, the
 * cancellation window and the per-contact limit, one row per case. */
#include "unit.h"

#include "domain/booking_policy.h"

#define NOW 1800000000LL /* any instant: the rules are relative to it */

static const struct start_case {
    const char *name;
    int64_t start;
    int notice_min, horizon_days;
    enum start_rule want;
} start_cases[] = {
    {"in the past", NOW - 60, 0, 30, START_PAST},
    {"now itself is past", NOW, 0, 30, START_PAST},
    {"a second ahead, no notice", NOW + 1, 0, 30, START_OK},
    {"inside a 2 h notice", NOW + 7199, 120, 30, START_NOTICE},
    {"exactly the notice", NOW + 7200, 120, 30, START_OK},
    {"past and inside notice: past wins", NOW - 1, 120, 30, START_PAST},
    {"last second before the horizon", NOW + 30 * 86400 - 1, 120, 30, START_OK},
    {"at the horizon", NOW + 30 * 86400, 120, 30, START_HORIZON},
    {"far past the horizon", NOW + 400 * 86400, 0, 365, START_HORIZON},
    {"staff: no notice, ten years", NOW + 3000 * 86400LL, 0, 3650, START_OK},
};

static void test_start_row(void **state)
{
    const struct start_case *c = UNIT_ROW(struct start_case, state);
    assert_int_equal(booking_start_rule(NOW, c->notice_min, c->horizon_days, c->start), c->want);
}

static const struct window_case {
    const char *name;
    int64_t now, start, hours;
    bool cancellable;
    int64_t until;
} window_cases[] = {
    {"a day ahead, 24 h notice: last moment", NOW, NOW + 86400, 24, true, NOW},
    {"a second late", NOW + 1, NOW + 86400, 24, false, NOW},
    {"no notice asked, before the start", NOW, NOW + 60, 0, true, NOW + 60},
    {"no notice asked, after the start", NOW + 61, NOW + 60, 0, false, NOW + 60},
    {"48 h notice, three days ahead", NOW, NOW + 3 * 86400, 48, true, NOW + 86400},
    {"48 h notice, a day ahead", NOW, NOW + 86400, 48, false, NOW - 86400},
};

static void test_window_row(void **state)
{
    const struct window_case *c = UNIT_ROW(struct window_case, state);
    assert_int_equal(booking_cancellable_until(c->start, c->hours), c->until);
    assert_int_equal(booking_cancellable(c->now, c->start, c->hours), c->cancellable);
}

static const struct limit_case {
    const char *name;
    long open, adding;
    int max;
    bool ok;
} limit_cases[] = {
    {"none held, one more of 3", 0, 1, 3, true},
    {"two held, one more of 3", 2, 1, 3, true},
    {"three held, one more of 3", 3, 1, 3, false},
    {"a plan of 4 with none held, limit 3", 0, 4, 3, false},
    {"a plan of 3 with none held, limit 3", 0, 3, 3, true},
    {"limit 0", 0, 1, 0, false},
};

static void test_limit_row(void **state)
{
    const struct limit_case *c = UNIT_ROW(struct limit_case, state);
    assert_int_equal(booking_within_limit(c->open, c->adding, c->max), c->ok);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(start_cases); i++)
        unit_add(&s, test_start_row, &start_cases[i], "start: %s", start_cases[i].name);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(window_cases); i++)
        unit_add(&s, test_window_row, &window_cases[i], "window: %s", window_cases[i].name);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(limit_cases); i++)
        unit_add(&s, test_limit_row, &limit_cases[i], "limit: %s", limit_cases[i].name);
    return unit_run(&s, "booking_policy", NULL, NULL);
}
