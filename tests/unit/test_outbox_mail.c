/* Unit tests for cli/outbox_mail.c: a notification's mail is filled from the snapshot
 * of its change (the move's previous time, the change's time for DTSTAMP, the
 * country), and a plan's mail gets one calendar session per booked session of the
 * snapshot and its dates listed with what happened to each (moved with the time asked
 * for, unbookable with why). */
#include "unit.h"

#include <sodium.h>

#include "cli/outbox_mail.h"
#include "util/alloc.h"

static void detail(struct outbox_mail *it, const char *kind, const char *payload)
{
    *it = (struct outbox_mail){0};
    snprintf(it->id, sizeof(it->id), "row-1");
    it->det.booking_id = xstrdup("b-1");
    it->det.dedupe_key = xstrdup("k:b-1");
    it->det.payload = xstrdup(payload);
    it->det.kind = xstrdup(kind);
    it->det.recipient = xstrdup("ana@example.org");
    it->det.tz = xstrdup("America/Los_Angeles");
    it->det.country = xstrdup("US");
    it->det.stamp = 1790000100;
    it->det.start = 1800000000;
    it->det.end = 1800003600;
}

static void test_snapshot_fields(void **state)
{
    (void)state;
    struct config cfg = {0};
    cfg.public_base_url = "https://x.example";
    cfg.smtp_from = "Bookings <clinic@x.example>";
    struct outbox_mail it;
    detail(&it, "booking_rescheduled",
           "{\"from_epoch\": 5, \"snapshot\": {\"previous_start\": 1799913600}}");
    outbox_mail_fill(&it, &cfg, 1790000900);
    assert_true(it.m.previous_start == 1799913600);
    assert_true(it.m.stamp == 1790000100);
    assert_true(it.m.now == 1790000900);
    assert_string_equal(it.m.country, "US");
    assert_int_equal(it.m.nsessions, 0);
    assert_null(it.m.series_dates);
    outbox_mail_release(&it);
}

static void test_plan(void **state)
{
    (void)state;
    struct config cfg = {0};
    cfg.public_base_url = "https://x.example";
    cfg.smtp_from = "clinic@x.example";
    struct outbox_mail it;
    detail(&it, "series_confirmed",
           "{\"snapshot\": {\"sessions\": ["
           "{\"id\": \"s1\", \"status\": \"booked\", \"start\": 1800000000, \"end\": 1800003600, \"sequence\": 0},"
           "{\"id\": \"s2\", \"status\": \"cancelled\", \"start\": 1800604800, \"end\": 1800608400, \"sequence\": 1},"
           "{\"id\": \"s3\", \"status\": \"booked\", \"start\": 1801209600, \"end\": 1801213200, \"sequence\": 2}]},"
           " \"occurrences\": ["
           "{\"requested_start\": \"2027-01-15T00:00:00-08:00\", \"status\": \"booked\", \"start\": \"2027-01-15T00:00:00-08:00\"},"
           "{\"requested_start\": \"2027-01-22T00:00:00-08:00\", \"status\": \"moved\", \"start\": \"2027-01-22T02:00:00-08:00\"},"
           "{\"requested_start\": \"2027-01-29T00:00:00-08:00\", \"status\": \"skipped\", \"start\": \"2027-01-29T00:00:00-08:00\", \"reason\": \"time off\"}]}");
    outbox_mail_fill(&it, &cfg, 1790000900);
    assert_int_equal(it.m.nsessions, 2); /* the booked ones */
    assert_string_equal(it.m.sessions[0].uid, "s1@clinicd");
    assert_string_equal(it.m.sessions[1].uid, "s3@clinicd");
    assert_true(it.m.sessions[1].start == 1801209600);
    assert_int_equal(it.m.sessions[1].sequence, 2);
    assert_string_equal(it.m.series_dates,
                        "Friday, January 15, 2027, 12:00 AM PST\n"
                        "Friday, January 22, 2027, 2:00 AM PST (moved: Friday, January 22, 2027, "
                        "12:00 AM PST was not free)\n"
                        "Friday, January 29, 2027, 12:00 AM PST: could not be booked (time off)");
    outbox_mail_release(&it);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_fields),
        cmocka_unit_test(test_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
