/* Strict parsers for numbers, booleans, identifiers and UTF-8 text taken from requests. */
#include "util/parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"

int parse_long(const char *s, long min, long max, long *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end != '\0')
        return -1;
    if (errno == ERANGE || v < min || v > max)
        return -2;
    *out = v;
    return 0;
}

int parse_double(const char *s, double min, double max, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    /* only plain decimal notation: no hex floats, inf or nan */
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p))
            return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || end == s)
        return -1;
    /* ERANGE also flags underflow (1e-310), which is a fine, tiny number */
    if (!isfinite(v) || v < min || v > max)
        return -2;
    *out = v;
    return 0;
}

int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "1", "yes"};
    static const char *const no[] = {"false", "0", "no"};
    if (!s)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -1;
}

bool is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

/* Decodes the character at s[*i] (len bytes in all) into *cp and moves *i past it;
 * false when the bytes there are not valid UTF-8 (overlong forms, surrogates, values
 * past U+10FFFF and sequences cut by len included). */
static bool utf8_next(const unsigned char *p, size_t len, size_t *i, unsigned int *cp)
{
    unsigned char c = p[*i];
    if (c < 0x80) {
        *cp = c;
        (*i)++;
        return true;
    }
    size_t n;
    unsigned int v;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        v = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        v = c & 0x07;
    } else {
        return false;
    }
    if (*i + n >= len)
        return false;
    for (size_t k = 1; k <= n; k++) {
        if ((p[*i + k] & 0xc0) != 0x80)
            return false;
        v = (v << 6) | (p[*i + k] & 0x3f);
    }
    if ((n == 2 && v < 0x800) || (n == 3 && v < 0x10000) || v > 0x10ffff ||
        (v >= 0xd800 && v <= 0xdfff))
        return false;
    *cp = v;
    *i += n + 1;
    return true;
}

/* What utf8_all lets through besides valid UTF-8: every code point (U_ANY); no NUL, C0
 * control but tab/LF/CR, or DEL (U_CLEAN); text_clean's TEXT_LINE and TEXT_LINES. */
enum utf8_rule { U_ANY, U_CLEAN, U_LINE, U_LINES };

static bool utf8_allowed(unsigned int c, enum utf8_rule rule)
{
    switch (rule) {
    case U_ANY:
        return true;
    case U_CLEAN:
        return !(c == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f);
    case U_LINE:
    case U_LINES:
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) /* C0, DEL, C1 (U+0085 NEL included) */
            return rule == U_LINES && (c == '\n' || c == '\r');
        return rule == U_LINES || (c != 0x2028 && c != 0x2029); /* line, paragraph separator */
    }
    return false;
}

/* s[0..len) is valid UTF-8 whose every code point rule allows. */
static bool utf8_all(const char *s, size_t len, enum utf8_rule rule)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned int c;
        if (!utf8_next(p, len, &i, &c) || !utf8_allowed(c, rule))
            return false;
    }
    return true;
}

bool is_clean_utf8(const char *s, size_t len)
{
    return utf8_all(s, len, U_CLEAN);
}

bool is_utf8(const char *s, size_t len)
{
    return utf8_all(s, len, U_ANY);
}

bool text_clean(const char *s, size_t len, enum text_kind kind)
{
    return utf8_all(s, len, kind == TEXT_LINES ? U_LINES : U_LINE);
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *percent_decode(const char *src, size_t len, bool plus_is_space)
{
    char *out = xmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '%') {
            if (i + 2 < len) {
                int hi = hex_digit(src[i + 1]);
                int lo = hex_digit(src[i + 2]);
                if (hi < 0 || lo < 0)
                    goto bad;
                c = (char)(hi * 16 + lo);
                i += 2;
            } else {
                goto bad;
            }
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (!is_clean_utf8(out, o))
        goto bad;
    return out;
bad:
    free(out);
    return NULL;
}

int parse_latlon(const char *s, double *lat, double *lon)
{
    const char *comma = strchr(s, ',');
    if (!comma || strchr(comma + 1, ','))
        return -1;
    char a[64], b[64];
    /* spaces around the comma are fine ("45.52, -122.68" as maps copy it) */
    const char *bs = comma + 1;
    while (*bs == ' ')
        bs++;
    size_t la = (size_t)(comma - s), lb = strlen(bs);
    while (la > 0 && s[la - 1] == ' ')
        la--;
    if (la == 0 || lb == 0 || la >= sizeof(a) || lb >= sizeof(b))
        return -1;
    memcpy(a, s, la);
    a[la] = '\0';
    memcpy(b, bs, lb + 1);
    double x, y;
    int r1 = parse_double(a, -1e9, 1e9, &x);
    int r2 = parse_double(b, -1e9, 1e9, &y);
    if (r1 == -1 || r2 == -1)
        return -1;
    if (r1 || r2 || x < -90 || x > 90 || y < -180 || y > 180)
        return -2;
    *lat = x;
    *lon = y;
    return 0;
}

void utf8_scrub(char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3
                 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
        if (n == 1) {
            i++;
        } else if (n > 1 && i + n <= len && is_clean_utf8(s + i, n)) {
            i += n;
        } else {
            s[i++] = '?';
        }
    }
}

const char *arg_value(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return NULL;
}

bool parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}
