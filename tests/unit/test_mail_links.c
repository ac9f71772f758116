/* Unit tests for domain/mail_links: the lost-links mail lists every item with its own
 * link, says plainly when there is none, and no field (names written before input was
 * checked) can add a header or start a line of its own. */
#include "mail_fixture.h"
#include "domain/mail_links.h"

/* The decoded body (one text/plain part, base64 after the headers). */
static char *text_of(const char *msg)
{
    return mail_decode_part(msg);
}

static const struct mail_link_item items[] = {
    {"Pat Lee", "MFR 60", "Harbour Clinic", "+1 503 555 0142", "1 Test Street, Portland",
     "America/Los_Angeles", 1796400000, 0, "http://x/manage#id=a&token=T1"},
    {"Eve\r\nBcc: evil@example.org", "MFR\nPhone: 0900 666", "Other\r\n\r\nClinic", NULL,
     "2 Road", "Europe/London", 1796500000, 4, "http://x/manage#id=b&token=T2"},
};

static void test_list(void **state)
{
    (void)state;
    struct mail_links m = {"Clinic <no-reply@example.org>", "pat@example.org", "lost_links.1@clinicd",
                           1796000000, 7, items, 2};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_links_compose(&m, &out), 0);
    assert_non_null(strstr(out.data, "Subject: Your links to your bookings\r\n"));
    assert_non_null(strstr(out.data, "Message-ID: <lost_links.1@clinicd>\r\n"));
    assert_null(strstr(out.data, "Bcc:"));
    char *text = text_of(out.data);
    assert_non_null(strstr(text, "http://x/manage#id=a&token=T1"));
    assert_non_null(strstr(text, "http://x/manage#id=b&token=T2"));
    assert_non_null(strstr(text, "Phone: +1 503 555 0142"));
    assert_non_null(strstr(text, "4 open sessions"));
    assert_non_null(strstr(text, "works for 7 days"));
    assert_false(mail_line_starts(text, "Bcc:"));
    assert_false(mail_line_starts(text, "Phone: 0900"));
    assert_false(mail_line_starts(text, "Clinic"));
    free(text);
    buf_release(&out);
}

static void test_none(void **state)
{
    (void)state;
    struct mail_links m = {"Clinic <no-reply@example.org>", "pat@example.org\r\nBcc: x@y",
                           "lost_links.2@clinicd", 1796000000, 7, NULL, 0};
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_links_compose(&m, &out), 0);
    assert_non_null(strstr(out.data, "Subject: Your bookings: none found\r\n"));
    assert_null(strstr(out.data, "\r\nBcc:"));
    char *text = text_of(out.data);
    assert_non_null(strstr(text, "We found no open bookings under this address"));
    assert_null(strstr(text, "manage#"));
    free(text);
    buf_release(&out);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
