/* RFC 3339 instants and ISO dates, strictly parsed and formatted. */
#include "domain/timefmt.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "domain/tz.h"
#include "util/parse.h"

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Parses "YYYY-MM-DD" at s (exactly 10 characters). */
static int parse_ymd(const char *s, int64_t *days)
{
    int y, m, d;
    if (!parse_digits(s, 4, &y) || s[4] != '-' || !parse_digits(s + 5, 2, &m) || s[7] != '-' ||
        !parse_digits(s + 8, 2, &d))
        return -1;
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

int date_parse(const char *s, int64_t *days)
{
    if (strlen(s) != 10)
        return -1;
    return parse_ymd(s, days);
}

int rfc3339_parse(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    int64_t days;
    int hh, mm, ss;
    if (n < 20 || parse_ymd(s, &days) < 0 || (s[10] != 'T' && s[10] != 't') ||
        !parse_digits(s + 11, 2, &hh) || s[13] != ':' || !parse_digits(s + 14, 2, &mm) || s[16] != ':' ||
        !parse_digits(s + 17, 2, &ss))
        return -1;
    if (hh > 23 || mm > 59 || ss > 59)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        while (*p >= '0' && *p <= '9')
            if (*p++ != '0')
                return -1;
    }
    int32_t offset = 0;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (!parse_digits(p + 1, 2, &oh) || !parse_digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else {
        return -1;
    }
    *out = days * 86400 + hh * 3600 + mm * 60 + ss - offset;
    return 0;
}

/* "00" to "99", so that two digits are one copy */
static const char two_digits[201] = "00010203040506070809101112131415161718192021222324"
                                    "25262728293031323334353637383940414243444546474849"
                                    "50515253545556575859606162636465666768697071727374"
                                    "75767778798081828384858687888990919293949596979899";

static char *put2(char *p, unsigned v)
{
    memcpy(p, two_digits + 2 * v, 2);
    return p + 2;
}

/* Years out of 0..9999 and offsets of 100 hours or more: what rfc3339_format always
 * wrote with "%04lld" and "%02d". */
static size_t write_unusual(int64_t y, unsigned m, unsigned d, unsigned secs, int32_t offset,
                            char *out)
{
    char off[16] = "Z";
    int32_t a = offset < 0 ? -offset : offset;
    if (offset != 0)
        snprintf(off, sizeof(off), "%c%02d:%02d", offset < 0 ? '-' : '+', (int)(a / 3600),
                 (int)(a % 3600 / 60));
    int n = snprintf(out, RFC3339_MAX, "%04lld-%02u-%02uT%02u:%02u:%02u%s", (long long)y, m, d,
                     secs / 3600, secs % 3600 / 60, secs % 60, off);
    return n < 0 ? 0 : (size_t)n < RFC3339_MAX ? (size_t)n : RFC3339_MAX - 1;
}

size_t rfc3339_write_memo(struct rfc3339_memo *memo, int64_t t, int32_t offset, char *out)
{
    int64_t local = t + offset;
    int64_t day = day_of(local);
    unsigned secs = (unsigned)(local - day * 86400);
    int32_t a = offset < 0 ? -offset : offset; /* offsets are far from INT32_MIN */
    if (day != memo->day || a / 3600 > 99) {
        int64_t y;
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        if (y < 0 || y > 9999 || a / 3600 > 99)
            return write_unusual(y, m, d, secs, offset, out);
        char *p = put2(memo->date, (unsigned)(y / 100));
        p = put2(p, (unsigned)(y % 100));
        *p++ = '-';
        p = put2(p, m);
        *p++ = '-';
        p = put2(p, d);
        *p = 'T';
        memo->day = day;
    }
    memcpy(out, memo->date, sizeof(memo->date));
    char *p = out + sizeof(memo->date);
    p = put2(p, secs / 3600);
    *p++ = ':';
    p = put2(p, secs % 3600 / 60);
    *p++ = ':';
    p = put2(p, secs % 60);
    if (offset == 0) {
        *p++ = 'Z';
    } else {
        *p++ = offset < 0 ? '-' : '+';
        p = put2(p, (unsigned)(a / 3600));
        *p++ = ':';
        p = put2(p, (unsigned)(a % 3600 / 60)); /* seconds of an offset are not written */
    }
    return (size_t)(p - out);
}

size_t rfc3339_write(int64_t t, int32_t offset, char *out)
{
    struct rfc3339_memo memo = RFC3339_MEMO_INIT;
    return rfc3339_write_memo(&memo, t, offset, out);
}

void rfc3339_format(int64_t t, int32_t offset, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    char text[RFC3339_MAX];
    size_t n = rfc3339_write(t, offset, text);
    if (n > outlen - 1)
        n = outlen - 1; /* truncated, as snprintf would */
    memcpy(out, text, n);
    out[n] = '\0';
}

void date_format(int64_t days, char *out, size_t outlen)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(out, outlen, "%04lld-%02u-%02u", (long long)y, m, d);
}
