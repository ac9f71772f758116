/* Unit tests for what every mail says (issue 14, "mails that are right"): the clinic's
 * name as the sender (quoted, or RFC 2047 encoded words), its address and phone number
 * in every mail, times as the clinic's country writes them (12-hour with the zone's
 * name for the US), the real rule inside the cancellation window, the calendar's
 * DTSTAMP from the change and its SEQUENCE, and a plan's one calendar file with a
 * VEVENT per session. */
#include "mail_fixture.h"

static void test_from_header(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 0);
    mail_from_header("Calm Clinic", "Clinic bookings <bookings@clinic.example>", &b);
    buf_putc(&b, '\0');
    assert_string_equal(b.data, "\"Calm Clinic\" <bookings@clinic.example>");
    buf_release(&b);

    buf_init(&b, 0);
    mail_from_header("The \"Quiet\" \\ Clinic", "bookings@clinic.example", &b);
    buf_putc(&b, '\0');
    assert_string_equal(b.data, "\"The \\\"Quiet\\\" \\\\ Clinic\" <bookings@clinic.example>");
    buf_release(&b);

    /* UTF-8: encoded words of whole characters, none longer than 75 */
    const char *name = "Praxis f\xc3\xbcr Faszien M\xc3\xbcnchen \xe2\x80\x93 S\xc3\xbc" "d-West Zentrum "
                       "f\xc3\xbcr Schmerztherapie";
    buf_init(&b, 0);
    mail_from_header(name, "bookings@clinic.example", &b);
    buf_putc(&b, '\0');
    assert_true(strncmp(b.data, "=?utf-8?B?", 10) == 0);
    assert_non_null(strstr(b.data, "?= <bookings@clinic.example>"));
    struct buf dec;
    buf_init(&dec, 0);
    for (const char *p = strstr(b.data, "=?utf-8?B?"); p; p = strstr(p + 1, "=?utf-8?B?")) {
        const char *s = p + 10, *e = strstr(s, "?=");
        assert_non_null(e);
        assert_true(e + 2 - p <= 75);
        unsigned char raw[128];
        size_t n = 0;
        assert_int_equal(sodium_base642bin(raw, sizeof(raw), s, (size_t)(e - s), NULL, &n, NULL,
                                           sodium_base64_VARIANT_ORIGINAL),
                         0);
        buf_append(&dec, raw, n);
    }
    buf_putc(&dec, '\0');
    assert_string_equal(dec.data, name);
    assert_null(strstr(b.data, "\n=")); /* folded lines start with a space */
    buf_release(&dec);
    buf_release(&b);

    /* the message: the clinic is the sender */
    struct mail m = mail_sample("booking_confirmed");
    char *msg = mail_composed(&m);
    const char *want = "From: \"Calm Clinic\" <bookings@clinic.example>\r\n";
    assert_true(strncmp(msg, want, strlen(want)) == 0);
    free(msg);
}

static void test_times_by_country(void **state)
{
    (void)state;
    char out[80];
    mail_when_in(1800000000, "America/Los_Angeles", "US", out, sizeof(out));
    assert_string_equal(out, "Friday, January 15, 2027, 12:00 AM PST");
    mail_when_in(1800000000 + 180 * 86400 + 13 * 3600 + 30 * 60, "America/Los_Angeles", "US", out,
                 sizeof(out));
    assert_string_equal(out, "Wednesday, July 14, 2027, 2:30 PM PDT");
    mail_when_in(1800000000, "America/New_York", "US", out, sizeof(out));
    assert_string_equal(out, "Friday, January 15, 2027, 3:00 AM EST");
    mail_when_in(1800000000, "Europe/Berlin", "DE", out, sizeof(out));
    assert_string_equal(out, "Friday 15 January 2027, 9:00");
    mail_when_in(1800000000 + 12 * 3600, "Europe/Berlin", "DE", out, sizeof(out));
    assert_string_equal(out, "Friday 15 January 2027, 21:00");

    struct mail m = mail_sample("booking_confirmed");
    char *msg = mail_composed(&m);
    assert_non_null(strstr(msg, "Subject: Booked: Friday, January 15, 2027, 12:00 AM PST\r\n"));
    char *text = mail_part(msg, "Content-Type: text/plain");
    assert_non_null(strstr(text, "When:  Friday, January 15, 2027, 12:00 AM PST to 1:00 AM PST\n"));
    free(text);
    free(msg);
}

/* Every kind names the clinic, its address and its phone number. */
static void test_clinic_in_every_mail(void **state)
{
    (void)state;
    const char *kinds[] = {"booking_confirmed", "booking_rescheduled", "booking_cancelled",
                           "reminder", "series_confirmed", "waitlist_offer"};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(kinds); i++) {
        struct mail m = mail_sample(kinds[i]);
        m.previous_start = m.start - 86400;
        char *msg = mail_composed(&m);
        char *text = mail_part(msg, "Content-Type: text/plain");
        if (!strstr(text, "Calm Clinic\n1 Test Street, Portland\nPhone: +1 503 555 0100\n"))
            fail_msg("%s: no clinic footer in:\n%s", kinds[i], text);
        if (strcmp(kinds[i], "waitlist_offer") != 0 && !strstr(text, m.manage_url))
            fail_msg("%s: no manage link in:\n%s", kinds[i], text);
        free(text);
        free(msg);
    }
}

static void test_cancellation_window(void **state)
{
    (void)state;
    struct mail m = mail_sample("booking_confirmed");
    m.now = m.start - 3 * 3600; /* booked 3 hours before, the clinic asks 24 */
    char *msg = mail_composed(&m);
    char *text = mail_part(msg, "Content-Type: text/plain");
    assert_non_null(strstr(text, "can no longer be moved or cancelled online"));
    assert_non_null(strstr(text, "call Calm Clinic on +1 503 555 0100"));
    assert_null(strstr(text, "To cancel or move it, open this link"));
    assert_null(strstr(text, "at any time"));
    free(text);
    free(msg);

    m.now = m.start - 48 * 3600;
    msg = mail_composed(&m);
    text = mail_part(msg, "Content-Type: text/plain");
    assert_null(strstr(text, "can no longer be moved"));
    assert_non_null(strstr(text, "To cancel or move it, open this link:\n" "https://clinic"));
    assert_non_null(strstr(text, "until 24 hours before the session. After that, please call "
                                 "Calm Clinic on +1 503 555 0100."));
    free(text);
    free(msg);
}

static void test_calendar_order(void **state)
{
    (void)state;
    struct mail m = mail_sample("booking_rescheduled");
    m.previous_start = m.start - 86400;
    char *msg = mail_composed(&m);
    char *ics = mail_part(msg, "Content-Type: text/calendar");
    assert_non_null(strstr(ics, "DTSTAMP:20260921T141500Z")); /* the change's time, not now */
    assert_non_null(strstr(ics, "SEQUENCE:3"));
    assert_non_null(strstr(ics, "STATUS:CONFIRMED"));
    char *text = mail_part(msg, "Content-Type: text/plain");
    assert_non_null(strstr(text, "Your session has moved from Thursday, January 14, 2027, 12:00 AM "
                                 "PST to Friday, January 15, 2027, 12:00 AM PST.\n"));
    free(text);
    free(ics);
    free(msg);

    m = mail_sample("booking_cancelled");
    m.sequence = 4;
    msg = mail_composed(&m);
    ics = mail_part(msg, "Content-Type: text/calendar");
    assert_non_null(strstr(ics, "METHOD:CANCEL"));
    assert_non_null(strstr(ics, "SEQUENCE:4"));
    assert_non_null(strstr(ics, "STATUS:CANCELLED"));
    assert_null(strstr(ics, "CONFIRMED"));
    free(ics);
    free(msg);
}

static void test_plan_calendar(void **state)
{
    (void)state;
    struct mail_session s[3] = {
        {"s1@clinicd", 1800000000, 1800003600, 0},
        {"s2@clinicd", 1800000000 + 7 * 86400, 1800003600 + 7 * 86400, 1},
        {"s3@clinicd", 1800000000 + 14 * 86400, 1800003600 + 14 * 86400, 0},
    };
    struct mail m = mail_sample("series_confirmed");
    m.sessions = s;
    m.nsessions = 3;
    m.series_dates = "a\nb (moved: c was not free)\nd: could not be booked (time off)";
    char *msg = mail_composed(&m);
    assert_int_equal(mail_count(msg, "Content-Type: text/calendar"), 1);
    char *ics = mail_part(msg, "Content-Type: text/calendar");
    assert_non_null(strstr(ics, "METHOD:REQUEST"));
    assert_int_equal(mail_count(ics, "BEGIN:VEVENT"), 3);
    assert_non_null(strstr(ics, "UID:s1@clinicd"));
    assert_non_null(strstr(ics, "UID:s2@clinicd"));
    assert_non_null(strstr(ics, "UID:s3@clinicd"));
    char *text = mail_part(msg, "Content-Type: text/plain");
    assert_non_null(strstr(text, "d: could not be booked (time off)\n"));
    assert_non_null(strstr(text, "adds all 3 sessions"));
    free(text);
    free(ics);
    free(msg);
}

/* Times in the patient's zone, next to the clinic's, only when the offsets differ. */
static const struct {
    const char *clinic_tz, *country, *patient_tz;
    int64_t t;
    const char *want; /* NULL: the clinic's time alone */
} patient_times[] = {
    {"America/Los_Angeles", "US", "America/New_York", 1800000000,
     "Friday, January 15, 2027, 12:00 AM PST (3:00 AM EST, your time)"},
    {"Europe/Berlin", "DE", "America/New_York", 1800000000,
     "Friday 15 January 2027, 9:00 Europe/Berlin time (3:00 AM EST, your time)"},
    {"Europe/Berlin", "DE", "Asia/Tokyo", 1800000000,
     "Friday 15 January 2027, 9:00 Europe/Berlin time (17:00 Asia/Tokyo, your time)"},
    {"America/Los_Angeles", "US", "Asia/Tokyo", 1800000000 + 10 * 3600,
     "Friday, January 15, 2027, 10:00 AM PST (Saturday 16 January, 3:00 Asia/Tokyo, your time)"},
    {"America/Los_Angeles", "US", "America/Los_Angeles", 1800000000, NULL},
    {"Europe/Berlin", "DE", "Europe/Paris", 1800000000, NULL}, /* another name, one offset */
    {"Europe/Berlin", "DE", "Nowhere/City", 1800000000, NULL},
    {"Europe/Berlin", "DE", "../../etc/passwd", 1800000000, NULL},
    {"Europe/Berlin", "DE", NULL, 1800000000, NULL},
};

static void test_patient_time(void **state)
{
    (void)state;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(patient_times); i++) {
        struct mail m = mail_sample("booking_confirmed");
        m.tz = patient_times[i].clinic_tz;
        m.country = patient_times[i].country;
        m.patient_tz = patient_times[i].patient_tz;
        char got[MAIL_WHEN_MAX], alone[MAIL_WHEN_MAX];
        mail_when_for(&m, patient_times[i].t, got, sizeof(got));
        mail_when_in(patient_times[i].t, m.tz, m.country, alone, sizeof(alone));
        const char *want = patient_times[i].want ? patient_times[i].want : alone;
        if (strcmp(got, want) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, want);
        /* the mail's text says it too; the subject keeps the clinic's time alone */
        m.start = patient_times[i].t;
        m.end = m.start + 3600;
        char *msg = mail_composed(&m);
        char *text = mail_part(msg, "Content-Type: text/plain");
        char line[MAIL_WHEN_MAX + 16];
        snprintf(line, sizeof(line), "When:  %s to ", want);
        if (!strstr(text, line))
            fail_msg("case %zu: no '%s' in\n%s", i, line, text);
        char subject[MAIL_WHEN_MAX + 32];
        snprintf(subject, sizeof(subject), "Subject: Booked: %s\r\n", alone);
        assert_non_null(strstr(msg, subject));
        free(text);
        free(msg);
    }
}

/* The week mail: the week's sessions, the plan's link, the rule and the clinic's phone;
 * no calendar file. */
static void test_week_mail(void **state)
{
    (void)state;
    struct mail m = mail_sample("week_ahead");
    m.series_dates = "Tuesday, January 19, 2027, 10:00 AM PST\nThursday, January 21, 2027, 10:00 AM PST";
    char *msg = mail_composed(&m);
    assert_non_null(strstr(msg, "Subject: Your sessions this week\r\n"));
    assert_non_null(strstr(msg, "From: \"Calm Clinic\" <bookings@clinic.example>\r\n"));
    assert_int_equal(mail_count(msg, "Content-Type: text/calendar"), 0);
    char *text = mail_part(msg, "Content-Type: text/plain");
    static const char *const wants[] = {
        "Your sessions this week (MFR 60 with Pat Fascia at Calm Clinic):\n\n"
        "Tuesday, January 19, 2027, 10:00 AM PST\nThursday, January 21, 2027, 10:00 AM PST\n",
        "https://clinic.example/manage#id=b1&token=t1\n",
        "until 24 hours before each one. After that, please call Calm Clinic on +1 503 555 0100.",
        "1 Test Street, Portland\nPhone: +1 503 555 0100\n",
    };
    for (size_t i = 0; i < UNIT_ARRAY_LEN(wants); i++)
        if (!strstr(text, wants[i]))
            fail_msg("no '%s' in\n%s", wants[i], text);
    free(text);
    free(msg);
    /* the dates are lines; a CR or a Unicode line separator in one starts none */
    m.series_dates = "Tuesday\rBcc: x@example.org\xe2\x80\xa8X-Evil: 1";
    msg = mail_composed(&m);
    assert_false(mail_line_starts(msg, "Bcc"));
    text = mail_part(msg, "Content-Type: text/plain");
    assert_false(mail_line_starts(text, "Bcc"));
    assert_false(mail_line_starts(text, "X-Evil"));
    assert_non_null(strstr(text, "Tuesday Bcc: x@example.org X-Evil: 1\n"));
    free(text);
    free(msg);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_from_header),
        cmocka_unit_test(test_times_by_country),
        cmocka_unit_test(test_clinic_in_every_mail),
        cmocka_unit_test(test_cancellation_window),
        cmocka_unit_test(test_calendar_order),
        cmocka_unit_test(test_plan_calendar),
        cmocka_unit_test(test_patient_time),
        cmocka_unit_test(test_week_mail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
