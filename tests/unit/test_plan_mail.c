/* Unit tests for domain/mail_plan: the mails of a plan's changes (series_cancelled,
 * series_extended, series_grown, series_rescheduled, series_flare, flare_clinic) are
 * known kinds, each with its own subject, the dates still booked, the link and the
 * clinic's phone, and no calendar file when the change names no session; one row per
 * kind.  A change's sessions from a payload (table-driven): the added and moved ones
 * in a METHOD:REQUEST file with their SEQUENCE, the cancelled ones in a METHOD:CANCEL
 * file with one more, nothing else. */
#include "mail_fixture.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/mail_plan.h"

static const struct kind_case {
    const char *name, *kind, *subject;
    bool cancelled;   /* the change cancelled a session (a CANCEL file goes with it) */
    const char *lead; /* words the text must hold, or NULL */
} kinds[] = {
    {"cancel the rest", "series_cancelled", "Subject: The rest of your treatment plan is cancelled\r\n", false, NULL},
    {"sessions added", "series_extended", "Subject: Sessions added to your treatment plan\r\n", false, NULL},
    {"grown from one booking", "series_grown", "Subject: Your booking is now a treatment plan\r\n", false, NULL},
    {"a new cadence", "series_rescheduled", "Subject: Your treatment plan has new dates\r\n", false, NULL},
    {"a flare", "series_flare", "Subject: Your flare move is done\r\n", false,
     "Your next session is moved to a later day because of your flare"},
    {"a flare that cancelled", "series_flare", "Subject: Your flare move is done\r\n", true,
     "Your next session is cancelled because of your flare"},
    {"the clinic told of a flare", "flare_clinic", "Subject: A patient used a flare move\r\n", false, NULL},
};

static void test_kind_row(void **state)
{
    const struct kind_case *c = UNIT_ROW(struct kind_case, state);
    assert_true(mail_plan_kind(c->kind));
    struct mail m = mail_sample(c->kind);
    m.series_dates = "Monday 1 March 2027, 9:00\nMonday 8 March 2027, 9:00";
    const struct mail_session gone = {.uid = "g@clinicd", .start = 1803798000, .end = 1803801600, .sequence = 1};
    if (c->cancelled) {
        m.cancelled = &gone;
        m.ncancelled = 1;
    }
    char *msg = mail_composed(&m);
    assert_non_null(strstr(msg, c->subject));
    if (!c->cancelled)
        assert_null(strstr(msg, "text/calendar"));
    char *text = mail_part(msg, "Content-Type: text/plain");
    assert_non_null(strstr(text, "Monday 8 March 2027, 9:00"));
    assert_non_null(strstr(text, m.manage_url));
    assert_non_null(strstr(text, m.clinic_phone));
    if (c->lead)
        assert_non_null(strstr(text, c->lead));
    free(text);
    free(msg);
}

static void test_other_kinds(void **state)
{
    (void)state;
    assert_false(mail_plan_kind("series_confirmed"));
    assert_false(mail_plan_kind("booking_cancelled"));
    assert_false(mail_plan_kind(NULL));
}

/* A snapshot of three sessions (a: booked, moved twice; b: booked, new; c: cancelled
 * after one move) and the change's lists. */
#define SNAP                                                                                  \
    "\"snapshot\": {\"sessions\": ["                                                            \
    "{\"id\": \"a\", \"status\": \"booked\", \"start\": 1800000000, \"end\": 1800003600, \"sequence\": 2}," \
    "{\"id\": \"b\", \"status\": \"booked\", \"start\": 1800604800, \"end\": 1800608400, \"sequence\": 0}," \
    "{\"id\": \"c\", \"status\": \"cancelled\", \"start\": 1801209600, \"end\": 1801213200, \"sequence\": 1}]}"

static const struct fill_case {
    const char *name, *payload;
    size_t n;           /* sessions for the calendar files */
    const char *uids;   /* theirs, joined by spaces */
    const char *seqs;   /* their SEQUENCEs, "2 0 2" */
    const char *cancel; /* which are cancelled, "001" */
    int new_lines, moved_lines;
    int from_lines; /* "(moved from <the time before>)" */
} fills[] = {
    {"sessions added", "{" SNAP ", \"calendar\": {\"added\": [\"b\"], \"moved\": [], \"cancelled\": []}}",
     1, "b@clinicd", "0", "0", 1, 0, 0},
    {"a move and a cancellation", "{" SNAP ", \"calendar\": {\"added\": [], \"moved\": [\"a\"], \"cancelled\": [\"c\"]}}",
     2, "a@clinicd c@clinicd", "2 2", "01", 0, 1, 0},
    {"a move with its time before (a flare): the line says where from", "{" SNAP ", \"calendar\": {\"added\": [], \"moved\": [\"a\"], \"cancelled\": [], \"moved_from\": {\"a\": 1799996400}}}",
     1, "a@clinicd", "2", "0", 0, 0, 1},
    {"an id the snapshot does not hold is left out", "{" SNAP ", \"calendar\": {\"added\": [\"b\"], \"moved\": [], \"cancelled\": [\"c\", \"d\"]}}",
     2, "b@clinicd c@clinicd", "0 2", "01", 1, 0, 0},
    {"a cancelled session listed as moved is not requested", "{" SNAP ", \"calendar\": {\"added\": [], \"moved\": [\"c\"], \"cancelled\": []}}",
     0, "", "", "", 0, 0, 0},
    {"a booked session listed as cancelled is not cancelled", "{" SNAP ", \"calendar\": {\"added\": [], \"moved\": [], \"cancelled\": [\"a\"]}}",
     0, "", "", "", 0, 0, 0},
    {"no lists (the clinic's notice)", "{" SNAP "}", 0, "", "", "", 0, 0, 0},
    {"no snapshot", "{\"calendar\": {\"added\": [\"a\"]}}", 0, "", "", "", 0, 0, 0},
};

static void test_fill_row(void **state)
{
    const struct fill_case *c = UNIT_ROW(struct fill_case, state);
    json_t *payload = json_loads(c->payload, 0, NULL);
    assert_non_null(payload);
    struct mail_plan_fill f;
    const struct mail m = {.tz = "Europe/Berlin", .country = "DE"};
    mail_plan_from_payload(payload, &m, &f);
    assert_int_equal(f.n + f.ncancelled, c->n);
    char uids[200] = "", seqs[64] = "", cancel[16] = "";
    for (size_t i = 0; i < f.n + f.ncancelled; i++) {
        const struct mail_session *x = i < f.n ? &f.sessions[i] : &f.cancelled[i - f.n];
        size_t u = strlen(uids), q = strlen(seqs), k = strlen(cancel);
        snprintf(uids + u, sizeof(uids) - u, "%s%s", i ? " " : "", x->uid);
        snprintf(seqs + q, sizeof(seqs) - q, "%s%d", i ? " " : "", x->sequence);
        snprintf(cancel + k, sizeof(cancel) - k, "%d", i >= f.n);
    }
    assert_string_equal(uids, c->uids);
    assert_string_equal(seqs, c->seqs);
    assert_string_equal(cancel, c->cancel);
    assert_non_null(f.dates);
    assert_int_equal(mail_count(f.dates, "(new)"), c->new_lines);
    assert_int_equal(mail_count(f.dates, "(moved)"), c->moved_lines);
    assert_int_equal(mail_count(f.dates, "(moved from "), c->from_lines);
    if (c->from_lines)
        assert_non_null(strstr(f.dates, "(moved from Friday 15 January 2027, 8:00)"));
    free(f.sessions);
    free(f.uids);
    free(f.dates);
    json_decref(payload);
}

static void test_change_calendars(void **state)
{
    (void)state;
    struct mail_session s[] = {
        {.uid = "a@clinicd", .start = 1800000000, .end = 1800003600, .sequence = 2},
        {.uid = "c@clinicd", .start = 1801209600, .end = 1801213200, .sequence = 2},
    };
    struct mail m = mail_sample("series_rescheduled");
    m.tz = "Europe/Berlin";
    m.country = NULL;
    m.uid = "a@clinicd";
    m.series_dates = "x";
    m.sessions = s;
    m.nsessions = 1;
    m.cancelled = s + 1;
    m.ncancelled = 1;
    char *msg = mail_composed(&m);
    char *req = mail_part(msg, "filename=\"appointment.ics\"");
    char *can = mail_part(msg, "filename=\"cancel-appointment.ics\"");
    assert_non_null(strstr(msg, "method=REQUEST"));
    assert_non_null(strstr(msg, "method=CANCEL"));
    assert_non_null(strstr(req, "METHOD:REQUEST"));
    assert_non_null(strstr(req, "UID:a@clinicd"));
    assert_null(strstr(req, "UID:c@clinicd"));
    assert_non_null(strstr(req, "SEQUENCE:2"));
    assert_non_null(strstr(req, "DTSTAMP:20260921T141500Z"));
    assert_non_null(strstr(can, "METHOD:CANCEL"));
    assert_non_null(strstr(can, "UID:c@clinicd"));
    assert_null(strstr(can, "UID:a@clinicd"));
    assert_non_null(strstr(can, "STATUS:CANCELLED"));
    free(req);
    free(can);
    free(msg);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(kinds); i++)
        unit_add(&s, test_kind_row, &kinds[i], "kind: %s", kinds[i].name);
    unit_add(&s, test_other_kinds, NULL, "other kinds are mail.c's own");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(fills); i++)
        unit_add(&s, test_fill_row, &fills[i], "sessions from a payload: %s", fills[i].name);
    unit_add(&s, test_change_calendars, NULL,
             "a change's mail: a REQUEST file of its new and moved sessions, a CANCEL file of "
             "those it cancelled");
    return unit_run(&s, "plan_mail", NULL, NULL);
}
