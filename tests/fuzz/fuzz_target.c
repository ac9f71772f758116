/* libFuzzer harness: request targets (http/query.h) and the strict value parsers of
 * util/parse.h on arbitrary bytes, with the invariants their contracts promise. */
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/query.h"
#include "util/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_target: %s:%d: invariant failed: %s\n", __FILE__,     \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

/* RFC 3629 UTF-8 without NUL and C0 controls other than tab, LF and CR, and without
 * DEL: written independently of is_clean_utf8 to compare against it. */
static bool ref_clean_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0x7f || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
                return false;
            i++;
            continue;
        }
        unsigned lo = 0x80, hi = 0xbf;
        size_t extra;
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
        } else if (c == 0xe0) {
            extra = 2;
            lo = 0xa0;
        } else if (c == 0xed) {
            extra = 2;
            hi = 0x9f;
        } else if (c >= 0xe1 && c <= 0xef) {
            extra = 2;
        } else if (c == 0xf0) {
            extra = 3;
            lo = 0x90;
        } else if (c == 0xf4) {
            extra = 3;
            hi = 0x8f;
        } else if (c >= 0xf1 && c <= 0xf3) {
            extra = 3;
        } else {
            return false;
        }
        if (len - i <= extra)
            return false;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= extra; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xbf)
                return false;
        i += extra + 1;
    }
    return true;
}

static int hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* What percent_decode must return: the decoded bytes, or NULL. */
static char *ref_percent_decode(const char *s, size_t len, bool plus)
{
    char *o = malloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            if (len - i < 3 || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
                free(o);
                return NULL;
            }
            c = hex(s[i + 1]) * 16 + hex(s[i + 2]);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        o[n++] = (char)c;
    }
    o[n] = '\0';
    if (!ref_clean_utf8((const unsigned char *)o, n)) {
        free(o);
        return NULL;
    }
    return o;
}

static void check_percent_decode(const char *s, size_t len)
{
    for (int plus = 0; plus < 2; plus++) {
        char *got = percent_decode(s, len, plus);
        char *want = ref_percent_decode(s, len, plus);
        CHECK((got == NULL) == (want == NULL));
        if (got) {
            CHECK(strcmp(got, want) == 0);
            CHECK(strlen(got) <= len);
            CHECK(is_clean_utf8(got, strlen(got)));
        }
        free(got);
        free(want);
    }
}

static void check_value_parsers(const char *s)
{
    static const long lranges[][2] = {
        {0, 100}, {1, 10000}, {-90, 90}, {LONG_MIN, LONG_MAX}, {5, 5}, {0, 0}};
    for (size_t i = 0; i < sizeof(lranges) / sizeof(lranges[0]); i++) {
        long v = 12345;
        int rc = parse_long(s, lranges[i][0], lranges[i][1], &v);
        CHECK(rc == 0 || rc == -1 || rc == -2);
        if (rc == 0) {
            CHECK(v >= lranges[i][0] && v <= lranges[i][1]);
            char again[32];
            snprintf(again, sizeof(again), "%ld", v);
            long w = 0;
            CHECK(parse_long(again, lranges[i][0], lranges[i][1], &w) == 0 && w == v);
        } else {
            CHECK(v == 12345); /* out is written only on success */
        }
    }
    static const double dranges[][2] = {{-90, 90}, {-180, 180}, {0, 1e6}, {-1e300, 1e300}};
    for (size_t i = 0; i < sizeof(dranges) / sizeof(dranges[0]); i++) {
        double v = 7.5;
        int rc = parse_double(s, dranges[i][0], dranges[i][1], &v);
        CHECK(rc == 0 || rc == -1 || rc == -2);
        if (rc == 0)
            CHECK(isfinite(v) && v >= dranges[i][0] && v <= dranges[i][1]);
        else
            CHECK(v == 7.5);
    }
    bool b = false;
    int rc = parse_bool(s, &b);
    CHECK(rc == 0 || rc == -1);
    double lat = 1000, lon = 1000;
    rc = parse_latlon(s, &lat, &lon);
    CHECK(rc == 0 || rc == -1 || rc == -2);
    if (rc == 0)
        CHECK(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
    else
        CHECK(lat == 1000 && lon == 1000);
    if (is_uuid(s))
        CHECK(strlen(s) == 36);
}

static const char *const probe_keys[] = {"q", "near", "limit", "cursor", "from", "to",
                                         "profession", "technique", "service_id", ""};

static void check_target(const char *uri)
{
    struct target t;
    enum target_error rc = target_parse(&t, uri);
    CHECK(rc == TARGET_OK || rc == TARGET_BAD_PATH || rc == TARGET_BAD_QUERY ||
          rc == TARGET_TOO_MANY);
    CHECK(t.nsegments <= PATH_MAX_SEGMENTS);
    CHECK(t.nparams <= QUERY_MAX_PARAMS);
    CHECK(memchr(t.bad_param, '\0', sizeof(t.bad_param)) != NULL);
    /* the parameter named in the 400 (it may be "", the name of "?=%zz") */
    if (rc == TARGET_BAD_QUERY)
        CHECK(is_clean_utf8(t.bad_param, strlen(t.bad_param)));
    if (rc == TARGET_OK) {
        CHECK(uri[0] == '/' && t.path && t.path[0] == '/');
        CHECK(is_clean_utf8(t.path, strlen(t.path)));
        for (size_t i = 0; i < t.nsegments; i++) {
            const char *seg = t.segments[i];
            CHECK(seg != NULL);
            CHECK(is_clean_utf8(seg, strlen(seg)));
            CHECK(strcmp(seg, ".") != 0 && strcmp(seg, "..") != 0);
            /* only the last segment may be empty (a trailing slash) */
            CHECK(seg[0] != '\0' || i + 1 == t.nsegments);
        }
        for (size_t i = 0; i < t.nparams; i++) {
            const char *k = t.params[i].key, *v = t.params[i].value;
            CHECK(k && v);
            CHECK(is_clean_utf8(k, strlen(k)) && is_clean_utf8(v, strlen(v)));
            /* the first value of a key is what target_param answers */
            const char *first = target_param(&t, k);
            CHECK(first != NULL);
            size_t j = 0;
            while (strcmp(t.params[j].key, k) != 0)
                j++;
            CHECK(first == t.params[j].value);
            const char *vals[3];
            size_t n = target_param_all(&t, k, vals, 3);
            size_t want = 0;
            for (size_t m = 0; m < t.nparams; m++)
                want += strcmp(t.params[m].key, k) == 0;
            CHECK(n == want && n >= 1 && vals[0] == first);
            check_value_parsers(v);
        }
        for (size_t i = 0; i < sizeof(probe_keys) / sizeof(probe_keys[0]); i++) {
            const char *v = target_param(&t, probe_keys[i]);
            size_t n = target_param_all(&t, probe_keys[i], NULL, 0);
            CHECK((v == NULL) == (n == 0));
        }
    }
    target_release(&t);
    CHECK(t.path == NULL && t.nsegments == 0 && t.nparams == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    check_target(s);

    CHECK(is_clean_utf8((const char *)data, size) == ref_clean_utf8(data, size));
    check_percent_decode(s, size);
    check_value_parsers(s);

    free(s);
    return 0;
}
