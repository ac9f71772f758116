/* What the mail suites (test_mail.c, test_mail_right.c, test_mail_links.c) share: a
 * sample notification and the readers of a composed message (its decoded parts, its
 * lines).  Each returned string is malloc'd: the test frees it. */
#ifndef CLINICD_TEST_MAIL_FIXTURE_H
#define CLINICD_TEST_MAIL_FIXTURE_H

#include <sodium.h>

#include "domain/mail.h"
#include "unit.h"

/* A notification of kind about one session at a US clinic, with every field set. */
static inline struct mail mail_sample(const char *kind)
{
    return (struct mail){
        .kind = kind,
        .from = "Clinic bookings <bookings@clinic.example>",
        .to = "ana@example.org",
        .message_id = "k.1@clinicd",
        .patient_name = "Ana",
        .practitioner_name = "Pat Fascia",
        .service_name = "MFR 60",
        .clinic_name = "Calm Clinic",
        .clinic_phone = "+1 503 555 0100",
        .address = "1 Test Street, Portland",
        .tz = "America/Los_Angeles",
        .country = "US",
        .start = 1800000000, /* 2027-01-15T08:00:00Z: midnight in Los Angeles */
        .end = 1800003600,
        .cancel_hours = 24,
        .manage_url = "https://clinic.example/manage#id=b1&token=t1",
        .book_url = "https://clinic.example/practitioners/x",
        .uid = "b1@clinicd",
        .sequence = 3,
        .stamp = 1790000100,
        .now = 1790000000 + 86400,
    };
}

/* The base64 body after the headers that start at p, decoded (up to the next MIME
 * boundary, or the end). */
static inline char *mail_decode_part(const char *p)
{
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    p += 4;
    const char *end = strstr(p, "\r\n--");
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char *out = malloc(len + 1);
    size_t n = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, len, p, len, "\r\n", &n, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[n] = '\0';
    return out;
}

/* The decoded part after the first "Content-Type: <type>" of msg (type given whole). */
static inline char *mail_part(const char *msg, const char *content_type)
{
    return mail_decode_part(strstr(msg, content_type));
}

/* True when some line of text starts with prefix. */
static inline bool mail_line_starts(const char *text, const char *prefix)
{
    for (const char *p = text; p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            return true;
        if (!*p)
            break;
    }
    return false;
}

/* How often needle occurs in s. */
static inline size_t mail_count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* mail_compose's message for m, which must compose. */
static inline char *mail_composed(const struct mail *m)
{
    struct buf out;
    buf_init(&out, 0);
    assert_int_equal(mail_compose(m, &out), 0);
    size_t len;
    return buf_detach(&out, &len);
}

#endif
