/* Unit tests for domain/mail: fields that hold CR, LF or other controls (rows written
 * before input refused them) never add a header or start a line, and a folded mail
 * lists every notification with its own link. */
#include "mail_fixture.h"

static const struct {
    const char *in, *out;
} lines[] = {
    {"Ana Lima", "Ana Lima"},
    {"Eve\r\nBcc: x@example.org", "Eve Bcc: x@example.org"},
    {"a\r\n\r\n\r\nb", "a b"},                  /* a run is one space */
    {"a\tb\vc\fd\x1b[31me\x7f", "a b c d [31me"}, /* none at the end */
    {"\r\nleading", "leading"},                 /* nothing to separate at the start */
    {"nel\xc2\x85line", "nel line"},            /* U+0085, NEL */
    {"c1\xc2\x9b" "x", "c1 x"},                 /* U+009B, CSI */
    {"ls\xe2\x80\xa8ps\xe2\x80\xa9", "ls ps"}, /* U+2028, U+2029 */
    {"rtl\xe2\x80\xae" "evil\xe2\x81\xa6", "rtl evil"}, /* U+202E, U+2066 */
    {"Jos\xc3\xa9 \xe6\x9d\x8e \xf0\x9f\x8c\xbf", "Jos\xc3\xa9 \xe6\x9d\x8e \xf0\x9f\x8c\xbf"},
    {"bad\xff" "byte", "bad?byte"},
    {"overlong\xc0\x8a", "overlong??"},         /* an overlong LF is not a LF either */
    {"surrogate\xed\xa0\x80", "surrogate???"},
    {"cut\xe2\x80", "cut??"},
    {"", ""},
};

static void test_clean_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(lines); i++) {
        char *got = mail_clean_line(lines[i].in);
        assert_non_null(got);
        if (strcmp(got, lines[i].out) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, got, lines[i].out);
        free(got);
    }
    assert_null(mail_clean_line(NULL));
}

/* --- whole messages ------------------------------------------------------------------ */

/* The fixture's sample as these cases were written: the configured sender, no
 * country (24-hour times), the first version of the booking. */
static struct mail sample(const char *kind, const char *name, const char *manage)
{
    struct mail m = mail_sample(kind);
    m.from = "Clinic <bookings@clinic.example>";
    m.message_id = "booking_confirmed.1@clinicd";
    m.patient_name = name;
    m.country = NULL;
    m.manage_url = manage;
    m.sequence = 0;
    m.stamp = 0;
    m.now = 1790000000;
    return m;
}

/* The header block (up to the first empty line). */
static char *headers_of(const char *msg)
{
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    return strndup(msg, (size_t)(end - msg) + 2);
}

/* The decoded text/plain part. */
static char *text_of(const char *msg)
{
    return mail_part(msg, "Content-Type: text/plain");
}

static void test_injection(void **state)
{
    (void)state;
    struct mail m = sample("booking_confirmed", "Eve\r\nBcc: victim@example.org\r\n\r\nInjected",
                           "https://clinic.example/manage#id=1&token=t1");
    m.to = "ana@example.org\r\nBcc: victim@example.org";
    m.clinic_name = "Calm\nClinic";
    m.address = "1 Test Street\r\nX-Evil: 1";
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_compose(&m, &out), 0);
    char *head = headers_of(out.data);
    assert_false(mail_line_starts(head, "Bcc"));
    assert_false(mail_line_starts(head, "X-Evil"));
    assert_non_null(strstr(head, "To: ana@example.org Bcc: victim@example.org\r\n"));
    char *text = text_of(out.data);
    assert_true(strncmp(text, "Hello Eve Bcc: victim@example.org Injected,\n", 44) == 0);
    assert_false(mail_line_starts(text, "Bcc"));
    assert_false(mail_line_starts(text, "Injected"));
    assert_false(mail_line_starts(text, "X-Evil"));
    assert_false(mail_line_starts(text, "Clinic"));
    assert_non_null(strstr(text, "Where: Calm Clinic, 1 Test Street X-Evil: 1\n"));
    free(head);
    free(text);
    buf_release(&out);
}

static void test_series_dates_stay_lines(void **state)
{
    (void)state;
    struct mail m = sample("series_confirmed", "Ana", NULL);
    m.series_dates = "Monday 1 June 2026, 9:00\r\nMonday 8 June 2026, 9:00\x0b" "x\nMonday 15 June 2026, 9:00";
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_compose(&m, &out), 0);
    char *text = text_of(out.data);
    assert_non_null(strstr(text, "The dates:\nMonday 1 June 2026, 9:00\nMonday 8 June 2026, 9:00 x\n"
                                 "Monday 15 June 2026, 9:00\n"));
    free(text);
    buf_release(&out);
}

static void test_folded(void **state)
{
    (void)state;
    struct mail items[3] = {
        sample("booking_confirmed", "Ana", "https://clinic.example/manage#id=1&token=t1"),
        sample("booking_confirmed", "Ana", "https://clinic.example/manage#id=2&token=t2"),
        sample("booking_cancelled", "Ana", NULL),
    };
    items[1].to = "ana+2@example.org";
    items[1].start += 86400;
    items[1].end += 86400;
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_compose_folded(items, 3, "folded.abc@clinicd", &out), 0);
    char *head = headers_of(out.data);
    assert_non_null(strstr(head, "Subject: 3 updates about your sessions\r\n"));
    assert_non_null(strstr(head, "Message-ID: <folded.abc@clinicd>\r\n"));
    assert_non_null(strstr(head, "To: ana@example.org\r\n"));
    char *text = text_of(out.data);
    assert_true(strncmp(text, "Hello Ana,\n\nHere are 3 messages", 31) == 0);
    assert_non_null(strstr(text, "https://clinic.example/manage#id=1&token=t1\n"));
    assert_non_null(strstr(text, "https://clinic.example/manage#id=2&token=t2\n"));
    assert_true(mail_line_starts(text, "1. Booked: "));
    assert_true(mail_line_starts(text, "2. Booked: "));
    assert_true(mail_line_starts(text, "3. Cancelled: "));
    assert_int_equal(mail_count(out.data, "Content-Type: text/calendar"), 3);
    assert_non_null(strstr(out.data, "method=CANCEL"));
    free(head);
    free(text);
    buf_release(&out);

    /* different names: no name in the greeting */
    items[2].patient_name = "Bea";
    buf_init(&out, 0);
    assert_int_equal(mail_compose_folded(items, 3, "folded.abd@clinicd", &out), 0);
    text = text_of(out.data);
    assert_true(strncmp(text, "Hello,\n\n", 8) == 0);
    free(text);
    buf_release(&out);

    /* one item: the plain mail, under the id given */
    buf_init(&out, 0);
    assert_int_equal(mail_compose_folded(items, 1, "one@clinicd", &out), 0);
    assert_non_null(strstr(out.data, "Message-ID: <one@clinicd>\r\n"));
    assert_non_null(strstr(out.data, "Subject: Booked: "));
    buf_release(&out);

    /* nothing, or an unknown kind: refused */
    buf_init(&out, 0);
    assert_int_equal(mail_compose_folded(items, 0, "x@clinicd", &out), -1);
    items[1].kind = "spam";
    assert_int_equal(mail_compose_folded(items, 3, "x@clinicd", &out), -1);
    assert_int_equal(mail_compose(&items[1], &out), -1);
    assert_int_equal(out.len, 0);
    buf_release(&out);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_line),
        cmocka_unit_test(test_injection),
        cmocka_unit_test(test_series_dates_stay_lines),
        cmocka_unit_test(test_folded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
