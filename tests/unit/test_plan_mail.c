/* Unit tests for domain/mail_plan: the mails of a plan's changes (series_cancelled,
 * series_extended, series_grown, series_rescheduled, series_flare, flare_clinic) are known kinds,
 * each with its own subject, the dates still booked, the link and the clinic's phone,
 * and no calendar file (a plan's change is not one session); one row per kind. */
#include "unit.h"

#include <sodium.h>
#include <string.h>

#include "domain/mail.h"
#include "domain/mail_plan.h"

static const struct kind_case {
    const char *name, *kind, *subject;
} kinds[] = {
    {"cancel the rest", "series_cancelled", "Subject: The rest of your treatment plan is cancelled\r\n"},
    {"sessions added", "series_extended", "Subject: Sessions added to your treatment plan\r\n"},
    {"grown from one booking", "series_grown", "Subject: Your booking is now a treatment plan\r\n"},
    {"a new cadence", "series_rescheduled", "Subject: Your treatment plan has new dates\r\n"},
    {"a flare", "series_flare", "Subject: Your flare move is done\r\n"},
    {"the clinic told of a flare", "flare_clinic", "Subject: A patient used a flare move\r\n"},
};

static char *text_of(const char *msg)
{
    const char *p = strstr(msg, "Content-Type: text/plain");
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    p += 4;
    size_t len = strlen(p);
    char *out = malloc(len + 1);
    size_t n = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, len, p, len, "\r\n", &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[n] = '\0';
    return out;
}

static void test_kind_row(void **state)
{
    const struct kind_case *c = UNIT_ROW(struct kind_case, state);
    assert_true(mail_plan_kind(c->kind));
    struct mail m = {
        .kind = c->kind, .from = "Calm Clinic <bookings@clinic.example>", .to = "ana@example.org",
        .message_id = "x.1@clinicd", .patient_name = "Ana", .practitioner_name = "Pat Fascia",
        .service_name = "MFR 60", .clinic_name = "Calm Clinic", .clinic_phone = "+1 503 555 0100",
        .address = "1 Test Street", .tz = "America/Los_Angeles", .start = 1800000000,
        .end = 1800003600, .cancel_hours = 24, .manage_url = "https://clinic.example/manage#id=x",
        .uid = "b1@clinicd", .series_dates = "Monday 1 March 2027, 9:00\nMonday 8 March 2027, 9:00",
        .now = 1790000000,
    };
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_compose(&m, &out), 0);
    buf_putc(&out, '\0');
    assert_non_null(strstr(out.data, c->subject));
    assert_null(strstr(out.data, "text/calendar"));
    char *text = text_of(out.data);
    assert_non_null(strstr(text, "Monday 8 March 2027, 9:00"));
    assert_non_null(strstr(text, "https://clinic.example/manage#id=x"));
    assert_non_null(strstr(text, "+1 503 555 0100"));
    free(text);
    buf_release(&out);
}

static void test_other_kinds(void **state)
{
    (void)state;
    assert_false(mail_plan_kind("series_confirmed"));
    assert_false(mail_plan_kind("booking_cancelled"));
    assert_false(mail_plan_kind(NULL));
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(kinds); i++)
        unit_add(&s, test_kind_row, &kinds[i], "kind: %s", kinds[i].name);
    unit_add(&s, test_other_kinds, NULL, "other kinds are mail.c's own");
    return unit_run(&s, "plan_mail", NULL, NULL);
}
