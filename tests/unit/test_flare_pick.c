/* Unit tests for booking/flare.c's flare_pick: the times a flare move offers among the
 * free slots: from the window's start, one per local day, the one nearest the
 * session's time of day (the earlier of two as near), at most three, none ending after
 * the plan's following session, none the policy refuses; one row per case.  Times are
 * in UTC (the zone's day boundaries are tested with Berlin). */
#include "unit.h"

#include "booking/plan.h"

#define T0 1800000000LL /* Friday 15 January 2027, 08:00 UTC */
#define H 3600LL
#define D 86400LL
#define DAY0 (T0 - 8 * H) /* that day's midnight UTC */

/* slot k: day d at hour h, 60 minutes */
#define S(d, h) (DAY0 + (d) * D + (int64_t)((h) * H))
#define AT(d, h) {S(d, h), S(d, h) + H, 0}

struct pick_case {
    const char *name;
    const char *zone;
    int64_t session, from, until;
    int horizon_days;
    struct slot slots[12];
    size_t nslots;
    int64_t want[3];
    size_t nwant;
};

static const struct pick_case cases[] = {
    {"three days at the session's own hour", "UTC", DAY0 + 10 * H, DAY0 + 2 * D + 10 * H, 0, 120,
     {AT(2, 9), AT(2, 10), AT(2, 11), AT(3, 10), AT(4, 10), AT(5, 10)}, 6,
     {DAY0 + 2 * D + 10 * H, DAY0 + 3 * D + 10 * H, DAY0 + 4 * D + 10 * H}, 3},
    {"the own hour taken: the nearest, the earlier of two as near", "UTC", DAY0 + 10 * H,
     DAY0 + 2 * D + 10 * H, 0, 120,
     {AT(2, 11), AT(3, 9), AT(3, 11), AT(4, 12), AT(4, 13)}, 5,
     {DAY0 + 2 * D + 11 * H, DAY0 + 3 * D + 9 * H, DAY0 + 4 * D + 12 * H}, 3},
    {"nothing before the window's start", "UTC", DAY0 + 10 * H, DAY0 + 2 * D + 10 * H, 0, 120,
     {AT(1, 10), AT(2, 9), AT(6, 10)}, 3, {DAY0 + 6 * D + 10 * H}, 1},
    {"none ending after the following session", "UTC", DAY0 + 10 * H, DAY0 + 2 * D + 10 * H,
     DAY0 + 7 * D + 10 * H, 120,
     {AT(2, 10), AT(7, 9), AT(7, 9.5), AT(7, 10), AT(8, 10)}, 5,
     {DAY0 + 2 * D + 10 * H, DAY0 + 7 * D + 9 * H}, 2},
    {"nothing past the horizon", "UTC", DAY0 + 10 * H, DAY0 + 2 * D + 10 * H, 0, 3,
     {AT(2, 10), AT(3, 10), AT(4, 10)}, 3, {DAY0 + 2 * D + 10 * H}, 1},
    {"no slot: no choice", "UTC", DAY0 + 10 * H, DAY0 + 2 * D + 10 * H, 0, 120, {{0}}, 0, {0}, 0},
    /* 23:30 UTC is 00:30 the next day in Berlin (winter): a day of its own there */
    {"days are the zone's days", "Europe/Berlin", DAY0 + 9 * H, DAY0 + 2 * D + 9 * H, 0, 120,
     {AT(2, 9), AT(2, 23.5), AT(4, 9)}, 3, {S(2, 9), S(2, 23.5), S(4, 9)}, 3},
};

static void test_pick_row(void **state)
{
    const struct pick_case *c = UNIT_ROW(struct pick_case, state);
    struct flare_window win = {tz_get(c->zone), c->session, c->from, c->until, T0, 120,
                               c->horizon_days};
    assert_non_null(win.tz);
    struct slot out[FLARE_CHOICES];
    size_t n = flare_pick(&win, c->slots, c->nslots, out);
    assert_int_equal(n, c->nwant);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i].start, c->want[i]);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_pick_row, &cases[i], "flare pick: %s", cases[i].name);
    return unit_run(&s, "flare_pick", NULL, NULL);
}
