/* Unit tests for util/parse: strict number, boolean, UUID, UTF-8, percent and lat/lon parsers. */
#include "unit.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>

#include "util/parse.h"

_Static_assert(LONG_MAX == 9223372036854775807L, "the parse_long edge rows assume a 64-bit long");

#define SENTINEL_L 123456789L
#define SENTINEL_D -4242.5

/* ---- parse_long ---------------------------------------------------------------- */

struct long_case {
    const char *s;
    long min, max;
    int rc;
    long value; /* when rc == 0 */
};

static const struct long_case long_cases[] = {
    {"0", LONG_MIN, LONG_MAX, 0, 0},
    {"42", LONG_MIN, LONG_MAX, 0, 42},
    {"-17", LONG_MIN, LONG_MAX, 0, -17},
    {"+5", LONG_MIN, LONG_MAX, 0, 5},
    {"007", LONG_MIN, LONG_MAX, 0, 7},
    /* junk around the number */
    {"12abc", LONG_MIN, LONG_MAX, -1, 0},
    {"80x", LONG_MIN, LONG_MAX, -1, 0},
    {"1.5", LONG_MIN, LONG_MAX, -1, 0},
    {"1e3", LONG_MIN, LONG_MAX, -1, 0},
    {"0x10", LONG_MIN, LONG_MAX, -1, 0},
    {" 5", LONG_MIN, LONG_MAX, -1, 0},
    {"\t5", LONG_MIN, LONG_MAX, -1, 0},
    {"\n5", LONG_MIN, LONG_MAX, -1, 0},
    {"5 ", LONG_MIN, LONG_MAX, -1, 0},
    {"5\n", LONG_MIN, LONG_MAX, -1, 0},
    {"1 000", LONG_MIN, LONG_MAX, -1, 0},
    {"", LONG_MIN, LONG_MAX, -1, 0},
    {"-", LONG_MIN, LONG_MAX, -1, 0},
    {"+", LONG_MIN, LONG_MAX, -1, 0},
    {"--5", LONG_MIN, LONG_MAX, -1, 0},
    {"+-5", LONG_MIN, LONG_MAX, -1, 0},
    {"abc", LONG_MIN, LONG_MAX, -1, 0},
    {NULL, LONG_MIN, LONG_MAX, -1, 0},
    /* junk wins over overflow: the text is not a number at all */
    {"99999999999999999999x", LONG_MIN, LONG_MAX, -1, 0},
    /* the edges of long */
    {"9223372036854775807", LONG_MIN, LONG_MAX, 0, LONG_MAX},
    {"9223372036854775808", LONG_MIN, LONG_MAX, -2, 0},
    {"-9223372036854775808", LONG_MIN, LONG_MAX, 0, LONG_MIN},
    {"-9223372036854775809", LONG_MIN, LONG_MAX, -2, 0},
    {"99999999999999999999999999", LONG_MIN, LONG_MAX, -2, 0},
    {"-99999999999999999999999999", LONG_MIN, LONG_MAX, -2, 0},
    /* caller-given ranges, inclusive at both ends */
    {"1", 1, 65535, 0, 1},
    {"65535", 1, 65535, 0, 65535},
    {"0", 1, 65535, -2, 0},
    {"65536", 1, 65535, -2, 0},
    {"-1", 0, 10, -2, 0},
    {"-10", -10, -5, 0, -10},
    {"-4", -10, -5, -2, 0},
    {"7", 7, 7, 0, 7},
    {"8", 7, 7, -2, 0},
    {"80x", 1, 65535, -1, 0},
};

static void test_parse_long_row(void **state)
{
    const struct long_case *c = UNIT_ROW(struct long_case, state);
    long out = SENTINEL_L;
    assert_int_equal(parse_long(c->s, c->min, c->max, &out), c->rc);
    if (c->rc == 0)
        assert_int_equal(out, c->value);
    else
        assert_int_equal(out, SENTINEL_L); /* out is written only on success */
}

/* ---- parse_double ---------------------------------------------------------------- */

struct double_case {
    const char *s;
    double min, max;
    int rc;
    double value;
};

#define DR -1e9, 1e9 /* a wide range for the form-only rows */

static const struct double_case double_cases[] = {
    {"45.5", DR, 0, 45.5},
    {"-122.6", DR, 0, -122.6},
    {"0", DR, 0, 0.0},
    {"-0", DR, 0, 0.0},
    {"+1.5", DR, 0, 1.5},
    {".5", DR, 0, 0.5},
    {"5.", DR, 0, 5.0},
    {"1e3", DR, 0, 1000.0},
    {"1E-3", DR, 0, 0.001},
    {"2.5e+2", DR, 0, 250.0},
    /* hex floats, infinities and NaNs are not plain decimals */
    {"0x10", DR, -1, 0},
    {"0X1p3", DR, -1, 0},
    {"0x1.8p1", DR, -1, 0},
    {"inf", DR, -1, 0},
    {"-inf", DR, -1, 0},
    {"INF", DR, -1, 0},
    {"infinity", DR, -1, 0},
    {"nan", DR, -1, 0},
    {"NaN", DR, -1, 0},
    {"-nan", DR, -1, 0},
    {"nan(0x1)", DR, -1, 0},
    /* not a number, or junk around one */
    {"", DR, -1, 0},
    {NULL, DR, -1, 0},
    {" 1", DR, -1, 0},
    {"\t1", DR, -1, 0},
    {"1 ", DR, -1, 0},
    {"1,5", DR, -1, 0},
    {"1.2.3", DR, -1, 0},
    {"abc", DR, -1, 0},
    {"-", DR, -1, 0},
    {"+", DR, -1, 0},
    {".", DR, -1, 0},
    {"e5", DR, -1, 0},
    {"1e", DR, -1, 0},
    {"1e+", DR, -1, 0},
    {"--1", DR, -1, 0},
    {"1-", DR, -1, 0},
    {"1e5e5", DR, -1, 0},
    /* ranges, inclusive */
    {"90", -90, 90, 0, 90.0},
    {"-90", -90, 90, 0, -90.0},
    {"90.0001", -90, 90, -2, 0},
    {"-90.0001", -90, 90, -2, 0},
    {"180.5", -180, 180, -2, 0},
    {"0", 1, 2, -2, 0},
    /* overflow is out of any finite range */
    {"1e400", DR, -2, 0},
    {"-1e400", DR, -2, 0},
    {"1e400", -HUGE_VAL, HUGE_VAL, -2, 0},
    /* underflow: 1e-400 is a real number inside [-1, 1], so it is not "outside [min,
     * max]"; it rounds to 0 (and 1e-310 is a representable subnormal) */
    {"1e-400", -1, 1, 0, 0.0},
    {"1e-310", -1, 1, 0, 1e-310},
};

static void test_parse_double_row(void **state)
{
    const struct double_case *c = UNIT_ROW(struct double_case, state);
    double out = SENTINEL_D;
    assert_int_equal(parse_double(c->s, c->min, c->max, &out), c->rc);
    if (c->rc == 0)
        assert_true(out == c->value);
    else
        assert_true(out == SENTINEL_D);
}

/* ---- parse_bool ---------------------------------------------------------------- */

struct bool_case {
    const char *s;
    int rc;
    bool value;
};

static const struct bool_case bool_cases[] = {
    {"true", 0, true},    {"TRUE", 0, true},    {"True", 0, true},   {"1", 0, true},
    {"yes", 0, true},     {"YES", 0, true},     {"yEs", 0, true},    {"false", 0, false},
    {"FALSE", 0, false},  {"0", 0, false},      {"no", 0, false},    {"No", 0, false},
    {"", -1, false},      {NULL, -1, false},    {"2", -1, false},    {"y", -1, false},
    {"n", -1, false},     {"t", -1, false},     {"on", -1, false},   {"off", -1, false},
    {" true", -1, false}, {"true ", -1, false}, {"tru", -1, false},  {"truee", -1, false},
    {"01", -1, false},    {"00", -1, false},    {"-1", -1, false},   {"yes\n", -1, false},
};

static void test_parse_bool_row(void **state)
{
    const struct bool_case *c = UNIT_ROW(struct bool_case, state);
    /* out is written only on success: start from the opposite of the expectation */
    bool out = !c->value;
    assert_int_equal(parse_bool(c->s, &out), c->rc);
    assert_int_equal(out, c->rc == 0 ? c->value : !c->value);
}

/* ---- is_uuid ---------------------------------------------------------------- */

struct uuid_case {
    const char *s;
    bool ok;
};

static const struct uuid_case uuid_cases[] = {
    {"123e4567-e89b-12d3-a456-426614174000", true},
    {"00000000-0000-0000-0000-000000000000", true},
    {"ffffffff-ffff-ffff-ffff-ffffffffffff", true},
    {"0a1b2c3d-4e5f-6789-abcd-ef0123456789", true},
    /* canonical is lower case */
    {"123E4567-E89B-12D3-A456-426614174000", false},
    {"123e4567-e89b-12d3-a456-42661417400A", false},
    /* length */
    {"", false},
    {NULL, false},
    {"123e4567-e89b-12d3-a456-42661417400", false},
    {"123e4567-e89b-12d3-a456-4266141740000", false},
    {"123e4567-e89b-12d3-a456-426614174000\n", false},
    {" 123e4567-e89b-12d3-a456-426614174000", false},
    /* dashes */
    {"123e4567e89b12d3a456426614174000", false},
    {"123e4567e89b-12d3-a456-426614174000-", false},
    {"123e456-7e89b-12d3-a456-426614174000", false},
    {"123e4567-e89b-12d3-a4564-26614174000", false},
    {"123e4567_e89b_12d3_a456_426614174000", false},
    {"------------------------------------", false},
    /* non-hex */
    {"123e4567-e89b-12d3-a456-42661417400g", false},
    {"g23e4567-e89b-12d3-a456-426614174000", false},
    {"{23e4567-e89b-12d3-a456-42661417400}", false},
    {"123e4567-e89b-12d3-a456-4266141740 0", false},
};

static void test_is_uuid_row(void **state)
{
    const struct uuid_case *c = UNIT_ROW(struct uuid_case, state);
    assert_int_equal(is_uuid(c->s), c->ok);
}

/* ---- is_clean_utf8 ---------------------------------------------------------------- */

struct utf8_case {
    const char *s;
    size_t len;
    bool ok;
    const char *why;
};

static const struct utf8_case utf8_cases[] = {
    {UNIT_BYTES(""), true, "empty"},
    {UNIT_BYTES("hello, world"), true, "ascii"},
    {UNIT_BYTES("tab\there"), true, "tab allowed"},
    {UNIT_BYTES("line\nnext"), true, "newline allowed"},
    {UNIT_BYTES("crlf\r\n"), true, "CR allowed"},
    {UNIT_BYTES("caf\xc3\xa9"), true, "2-byte at the end"},
    {UNIT_BYTES("\xe2\x82\xac"), true, "3-byte euro"},
    {UNIT_BYTES("\xf0\x9f\x98\x80"), true, "4-byte emoji"},
    {UNIT_BYTES("\xc2\x80"), true, "U+0080, smallest 2-byte"},
    {UNIT_BYTES("\xdf\xbf"), true, "U+07FF, largest 2-byte"},
    {UNIT_BYTES("\xe0\xa0\x80"), true, "U+0800, smallest 3-byte"},
    {UNIT_BYTES("\xed\x9f\xbf"), true, "U+D7FF, just below surrogates"},
    {UNIT_BYTES("\xee\x80\x80"), true, "U+E000, just above surrogates"},
    {UNIT_BYTES("\xef\xbf\xbf"), true, "U+FFFF"},
    {UNIT_BYTES("\xf0\x90\x80\x80"), true, "U+10000, smallest 4-byte"},
    {UNIT_BYTES("\xf4\x8f\xbf\xbf"), true, "U+10FFFF, the last code point"},
    {UNIT_BYTES("Z\xc3\xbc" "rich \xe6\x97\xa5\xe6\x9c\xac"), true, "mixed"},
    /* overlong forms */
    {UNIT_BYTES("\xc0\xaf"), false, "overlong '/' C0 AF"},
    {UNIT_BYTES("\xc0\x80"), false, "overlong NUL C0 80"},
    {UNIT_BYTES("\xc1\xbf"), false, "overlong C1 BF"},
    {UNIT_BYTES("\xe0\x80\xaf"), false, "overlong '/' E0 80 AF"},
    {UNIT_BYTES("\xe0\x9f\xbf"), false, "overlong U+07FF in 3 bytes"},
    {UNIT_BYTES("\xf0\x80\x80\xaf"), false, "overlong '/' in 4 bytes"},
    {UNIT_BYTES("\xf0\x8f\xbf\xbf"), false, "overlong U+FFFF in 4 bytes"},
    /* surrogates and values past U+10FFFF */
    {UNIT_BYTES("\xed\xa0\x80"), false, "surrogate U+D800"},
    {UNIT_BYTES("\xed\xbf\xbf"), false, "surrogate U+DFFF"},
    {UNIT_BYTES("\xed\xa0\xbd\xed\xb8\x80"), false, "CESU-8 surrogate pair"},
    {UNIT_BYTES("\xf4\x90\x80\x80"), false, "U+110000"},
    {UNIT_BYTES("\xf5\x80\x80\x80"), false, "F5 lead"},
    {UNIT_BYTES("\xf8\x88\x80\x80\x80"), false, "5-byte form"},
    {UNIT_BYTES("\xfe"), false, "FE"},
    {UNIT_BYTES("\xff"), false, "FF"},
    /* truncated sequences at the end of the buffer */
    {UNIT_BYTES("\xc3"), false, "lone 2-byte lead"},
    {UNIT_BYTES("abc\xc3"), false, "2-byte lead at the end"},
    {UNIT_BYTES("\xe2\x82"), false, "3-byte missing one"},
    {UNIT_BYTES("\xe2"), false, "3-byte missing two"},
    {UNIT_BYTES("\xf0\x9f\x98"), false, "4-byte missing one"},
    {UNIT_BYTES("a\xf0\x9f"), false, "4-byte missing two"},
    /* len is honoured: the sequence is cut by len although the bytes continue */
    {"caf\xc3\xa9", 4, false, "len cuts a 2-byte sequence"},
    {"\xf0\x9f\x98\x80", 3, false, "len cuts a 4-byte sequence"},
    {"ok\x01", 2, true, "len stops before a control"},
    /* bad continuation bytes */
    {UNIT_BYTES("\x80"), false, "lone continuation"},
    {UNIT_BYTES("a\xbf" "b"), false, "continuation in ascii"},
    {UNIT_BYTES("\xc3\x28"), false, "2-byte, bad second"},
    {UNIT_BYTES("\xe2\x28\xa1"), false, "3-byte, bad second"},
    {UNIT_BYTES("\xe2\x82\x28"), false, "3-byte, bad third"},
    {UNIT_BYTES("\xf0\x9f\x98\x28"), false, "4-byte, bad fourth"},
    {UNIT_BYTES("\xc3\xa9\xa9"), false, "extra continuation"},
    /* NUL and controls */
    {UNIT_BYTES("a\0b"), false, "embedded NUL"},
    {UNIT_BYTES("\0"), false, "NUL alone"},
    {UNIT_BYTES("\x01"), false, "SOH"},
    {UNIT_BYTES("\x08"), false, "backspace"},
    {UNIT_BYTES("\x0b"), false, "vertical tab"},
    {UNIT_BYTES("\x0c"), false, "form feed"},
    {UNIT_BYTES("\x1b[31m"), false, "escape sequence"},
    {UNIT_BYTES("\x1f"), false, "unit separator"},
    {UNIT_BYTES("\x7f"), false, "DEL"},
};

static void test_is_clean_utf8_row(void **state)
{
    const struct utf8_case *c = UNIT_ROW(struct utf8_case, state);
    /* copy exactly len bytes to the heap so that valgrind sees any read past len */
    char *copy = malloc(c->len ? c->len : 1);
    assert_non_null(copy);
    memcpy(copy, c->s, c->len);
    bool got = is_clean_utf8(copy, c->len);
    free(copy);
    assert_int_equal(got, c->ok);
}

/* ---- text_clean: one line, or several ------------------------------------------------ */

struct text_case {
    const char *s;
    size_t len;
    bool line, lines; /* accepted as TEXT_LINE, as TEXT_LINES */
    const char *why;
};

static const struct text_case text_cases[] = {
    {UNIT_BYTES("Ana Lima"), true, true, "a name"},
    {UNIT_BYTES(""), true, true, "empty (the caller refuses blanks)"},
    {UNIT_BYTES("Jos\xc3\xa9 M\xc3\xbcller-\xc3\x98st"), true, true, "accents"},
    {UNIT_BYTES("\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99"), true, true, "CJK"},
    {UNIT_BYTES("Ana \xf0\x9f\x98\x80"), true, true, "an emoji"},
    {UNIT_BYTES("O'Brien (\"Pat\") <pat>"), true, true, "punctuation"},
    {UNIT_BYTES("\xc2\xa0no-break space"), true, true, "U+00A0 is not a control"},
    {UNIT_BYTES("~"), true, true, "U+007E, just below DEL"},
    {UNIT_BYTES("\xc2\xa1"), true, true, "U+00A1, just past the C1 block"},
    /* line breaks: several lines only */
    {UNIT_BYTES("Ana\nBcc: x@example.org"), false, true, "LF (a header injected)"},
    {UNIT_BYTES("Ana\r\nBcc: x@example.org"), false, true, "CR LF"},
    {UNIT_BYTES("Ana\r"), false, true, "CR at the end"},
    {UNIT_BYTES("\n"), false, true, "LF alone"},
    {UNIT_BYTES("a\xe2\x80\xa8" "b"), false, true, "U+2028 line separator"},
    {UNIT_BYTES("a\xe2\x80\xa9" "b"), false, true, "U+2029 paragraph separator"},
    /* other controls: never */
    {UNIT_BYTES("a\tb"), false, false, "tab"},
    {UNIT_BYTES("a\0b"), false, false, "NUL"},
    {UNIT_BYTES("\x01"), false, false, "SOH"},
    {UNIT_BYTES("\x08"), false, false, "backspace"},
    {UNIT_BYTES("\x0b"), false, false, "vertical tab"},
    {UNIT_BYTES("\x0c"), false, false, "form feed"},
    {UNIT_BYTES("\x1b[2J"), false, false, "escape sequence"},
    {UNIT_BYTES("\x1f"), false, false, "unit separator"},
    {UNIT_BYTES("a\x7f"), false, false, "DEL"},
    {UNIT_BYTES("\xc2\x80"), false, false, "U+0080, C1"},
    {UNIT_BYTES("a\xc2\x85" "b"), false, false, "U+0085 NEL"},
    {UNIT_BYTES("\xc2\x9b" "31m"), false, false, "U+009B CSI"},
    {UNIT_BYTES("\xc2\x9f"), false, false, "U+009F, last of C1"},
    {UNIT_BYTES("line\n\x07"), false, false, "BEL after a line break"},
    /* not UTF-8 */
    {UNIT_BYTES("\xc3"), false, false, "cut sequence"},
    {UNIT_BYTES("\xc0\x8a"), false, false, "overlong LF"},
    {UNIT_BYTES("\xed\xa0\x80"), false, false, "surrogate"},
    {UNIT_BYTES("\xff"), false, false, "FF"},
    /* len is honoured */
    {"ok\n", 2, true, true, "len stops before LF"},
};

static void test_text_clean_row(void **state)
{
    const struct text_case *c = UNIT_ROW(struct text_case, state);
    char *copy = malloc(c->len ? c->len : 1);
    assert_non_null(copy);
    memcpy(copy, c->s, c->len);
    assert_int_equal(text_clean(copy, c->len, TEXT_LINE), c->line);
    assert_int_equal(text_clean(copy, c->len, TEXT_LINES), c->lines);
    /* is_utf8 takes every control; only malformed bytes fail it */
    bool malformed = strstr(c->why, "cut") || strstr(c->why, "overlong") ||
                     strstr(c->why, "surrogate") || strcmp(c->why, "FF") == 0;
    assert_int_equal(is_utf8(copy, c->len), !malformed);
    free(copy);
}

/* ---- percent_decode ---------------------------------------------------------------- */

#define WHOLE SIZE_MAX /* decode the whole string */

struct pct_case {
    const char *src;
    size_t len;
    bool plus_is_space;
    const char *want; /* NULL: rejected */
};

static const struct pct_case pct_cases[] = {
    {"abc", WHOLE, false, "abc"},
    {"", WHOLE, false, ""},
    {"", WHOLE, true, ""},
    {"a+b", WHOLE, true, "a b"},
    {"a+b", WHOLE, false, "a+b"},
    {"++", WHOLE, true, "  "},
    {"a%20b", WHOLE, false, "a b"},
    {"a%20b", WHOLE, true, "a b"},
    {"%2B", WHOLE, true, "+"},
    {"%2F", WHOLE, false, "/"},
    {"a%2fb", WHOLE, false, "a/b"},
    {"%25", WHOLE, false, "%"},
    {"%2525", WHOLE, false, "%25"},
    {"%41%42%43", WHOLE, false, "ABC"},
    {"%C3%A9", WHOLE, false, "\xc3\xa9"},
    {"%c3%a9", WHOLE, false, "\xc3\xa9"},
    {"caf\xc3\xa9", WHOLE, false, "caf\xc3\xa9"},
    {"%F0%9F%98%80", WHOLE, false, "\xf0\x9f\x98\x80"},
    {"%09%0A%0D", WHOLE, false, "\t\n\r"},
    {"a=b&c", WHOLE, false, "a=b&c"},
    /* bad escapes */
    {"%", WHOLE, false, NULL},
    {"abc%", WHOLE, false, NULL},
    {"%4", WHOLE, false, NULL},
    {"abc%4", WHOLE, false, NULL},
    {"%G1", WHOLE, false, NULL},
    {"%1G", WHOLE, false, NULL},
    {"%%", WHOLE, false, NULL},
    {"%%41", WHOLE, false, NULL},
    {"% 1", WHOLE, false, NULL},
    {"%+1", WHOLE, true, NULL},
    {"%-1", WHOLE, false, NULL},
    /* encoded NUL and controls */
    {"%00", WHOLE, false, NULL},
    {"a%00b", WHOLE, false, NULL},
    {"%01", WHOLE, false, NULL},
    {"%1F", WHOLE, false, NULL},
    {"%7F", WHOLE, false, NULL},
    {"%1B[0m", WHOLE, false, NULL},
    /* invalid UTF-8, escaped or raw */
    {"%C3%28", WHOLE, false, NULL},
    {"%C3", WHOLE, false, NULL},
    {"%C0%AF", WHOLE, false, NULL},
    {"%E0%80%AF", WHOLE, false, NULL},
    {"%ED%A0%80", WHOLE, false, NULL},
    {"%F4%90%80%80", WHOLE, false, NULL},
    {"%FF", WHOLE, false, NULL},
    {"\xc3\x28", WHOLE, false, NULL},
    /* len is honoured */
    {"abc%41", 3, false, "abc"},
    {"ab%41", 4, false, NULL},
    {"ab%41", 5, false, "abA"},
    {"a+b", 1, true, "a"},
};

static void test_percent_decode_row(void **state)
{
    const struct pct_case *c = UNIT_ROW(struct pct_case, state);
    size_t len = c->len == WHOLE ? strlen(c->src) : c->len;
    /* layout 0: exactly len bytes on the heap, so valgrind sees a read past len;
     * layout 1: hex digits after len, so a read past len changes the result */
    for (int layout = 0; layout < 2; layout++) {
        size_t size = layout ? len + 2 : (len ? len : 1);
        char *src = malloc(size);
        assert_non_null(src);
        memcpy(src, c->src, len);
        if (layout)
            memcpy(src + len, "41", 2);
        char *got = percent_decode(src, len, c->plus_is_space);
        free(src);
        if (!c->want) {
            free(got);
            assert_null(got);
            continue;
        }
        char want[64], have[64];
        unit_escape(c->want, strlen(c->want), want, sizeof(want));
        unit_escape(got, got ? strlen(got) : 0, have, sizeof(have));
        bool same = got && strcmp(got, c->want) == 0;
        free(got);
        assert_string_equal(have, want);
        assert_true(same);
    }
}

/* ---- parse_latlon ---------------------------------------------------------------- */

struct latlon_case {
    const char *s;
    int rc;
    double lat, lon;
};

static const struct latlon_case latlon_cases[] = {
    {"45.5,-122.6", 0, 45.5, -122.6},
    {"0,0", 0, 0, 0},
    {"-90,-180", 0, -90, -180},
    {"90,180", 0, 90, 180},
    {"1e1,2e1", 0, 10, 20},
    {"+45,+10", 0, 45, 10},
    /* out of range */
    {"90.1,0", -2, 0, 0},
    {"-90.1,0", -2, 0, 0},
    {"0,180.5", -2, 0, 0},
    {"0,-181", -2, 0, 0},
    {"1e10,0", -2, 0, 0},
    {"0,1e400", -2, 0, 0},
    /* not the form */
    {"1,2,3", -1, 0, 0},
    {"abc,1", -1, 0, 0},
    {"1,abc", -1, 0, 0},
    {",1", -1, 0, 0},
    {"1,", -1, 0, 0},
    {",", -1, 0, 0},
    {"", -1, 0, 0},
    {"45.5", -1, 0, 0},
    {"45.5;-122.6", -1, 0, 0},
    {"45.5, -122.6", 0, 45.5, -122.6}, /* as maps copy coordinates */
    {"45.5 ,-122.6", 0, 45.5, -122.6},
    {" 45.5,-122.6", -1, 0, 0},
    {"45.5,-122.6 ", -1, 0, 0},
    {"nan,0", -1, 0, 0},
    {"0,inf", -1, 0, 0},
    {"0x10,0", -1, 0, 0},
    /* form beats range: one side is not a number */
    {"91,abc", -1, 0, 0},
    {"abc,181", -1, 0, 0},
    /* longer than the parser's 63-byte scratch buffers */
    {"1.0000000000000000000000000000000000000000000000000000000000000000000,2", -1, 0, 0},
    {"1,2.0000000000000000000000000000000000000000000000000000000000000000000", -1, 0, 0},
};

static void test_parse_latlon_row(void **state)
{
    const struct latlon_case *c = UNIT_ROW(struct latlon_case, state);
    double lat = SENTINEL_D, lon = SENTINEL_D;
    assert_int_equal(parse_latlon(c->s, &lat, &lon), c->rc);
    if (c->rc == 0) {
        assert_true(lat == c->lat);
        assert_true(lon == c->lon);
    } else {
        assert_true(lat == SENTINEL_D);
        assert_true(lon == SENTINEL_D);
    }
}

/* ---- arg_value ---------------------------------------------------------------------- */

static const struct arg_case {
    const char *args; /* space-separated; argv[0] is "cmd" */
    const char *name, *want;
} arg_cases[] = {
    {"cmd --clinic c1", "--clinic", "c1"},
    {"cmd verify --clinic c1 --heads h", "--heads", "h"},
    {"cmd --clinic c1 --clinic c2", "--clinic", "c1"}, /* the first one */
    {"cmd --clinic", "--clinic", NULL},                /* last, no value */
    {"cmd --heads h", "--clinic", NULL},
    {"--clinic c0 x", "--clinic", NULL},               /* argv[0] is not an option */
    {"cmd", "--clinic", NULL},
};

static void test_arg_value_row(void **state)
{
    const struct arg_case *c = UNIT_ROW(struct arg_case, state);
    char buf[128], *argv[16];
    int argc = 0;
    snprintf(buf, sizeof(buf), "%s", c->args);
    for (char *p = buf; *p && argc < 16;) {
        argv[argc++] = p;
        p += strcspn(p, " ");
        if (*p)
            *p++ = '\0';
    }
    const char *got = arg_value(argc, argv, c->name);
    if (c->want)
        assert_string_equal(got, c->want);
    else
        assert_null(got);
}

struct digits_case {
    const char *s;
    int n;
    bool ok;
    int want;
};

static const struct digits_case digits_cases[] = {
    {"2026", 4, true, 2026},      {"0007", 4, true, 7},      {"12", 2, true, 12},
    {"123", 2, true, 12},         {"1a", 2, false, 0},       {"+1", 2, false, 0},
    {"-1", 2, false, 0},          {" 1", 2, false, 0},       {"1", 2, false, 0},
    {"", 1, false, 0},            {"9", 0, true, 0},         {"99999", 5, true, 99999},
};

static void test_parse_digits_row(void **state)
{
    const struct digits_case *c = UNIT_ROW(struct digits_case, state);
    int out = -1;
    assert_int_equal(parse_digits(c->s, c->n, &out), c->ok);
    assert_int_equal(out, c->ok ? c->want : -1);
}

int main(void)
{
    struct unit_suite s = {0};
    char e[96];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(digits_cases); i++)
        unit_add(&s, test_parse_digits_row, &digits_cases[i], "parse_digits[%zu] \"%s\" n=%d", i,
                 digits_cases[i].s, digits_cases[i].n);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(long_cases); i++) {
        const struct long_case *c = &long_cases[i];
        unit_add(&s, test_parse_long_row, c, "parse_long[%zu] \"%s\" in [%ld,%ld]", i,
                 unit_escape(c->s, c->s ? strlen(c->s) : 0, e, sizeof(e)), c->min, c->max);
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(double_cases); i++) {
        const struct double_case *c = &double_cases[i];
        unit_add(&s, test_parse_double_row, c, "parse_double[%zu] \"%s\" in [%g,%g]", i,
                 unit_escape(c->s, c->s ? strlen(c->s) : 0, e, sizeof(e)), c->min, c->max);
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(bool_cases); i++) {
        const struct bool_case *c = &bool_cases[i];
        unit_add(&s, test_parse_bool_row, c, "parse_bool[%zu] \"%s\"", i,
                 unit_escape(c->s, c->s ? strlen(c->s) : 0, e, sizeof(e)));
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(uuid_cases); i++) {
        const struct uuid_case *c = &uuid_cases[i];
        unit_add(&s, test_is_uuid_row, c, "is_uuid[%zu] \"%s\"", i,
                 unit_escape(c->s, c->s ? strlen(c->s) : 0, e, sizeof(e)));
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(utf8_cases); i++) {
        const struct utf8_case *c = &utf8_cases[i];
        unit_add(&s, test_is_clean_utf8_row, c, "is_clean_utf8[%zu] %s: \"%s\"", i, c->why,
                 unit_escape(c->s, c->len, e, sizeof(e)));
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(text_cases); i++) {
        const struct text_case *c = &text_cases[i];
        unit_add(&s, test_text_clean_row, c, "text_clean[%zu] %s: \"%s\"", i, c->why,
                 unit_escape(c->s, c->len, e, sizeof(e)));
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(pct_cases); i++) {
        const struct pct_case *c = &pct_cases[i];
        size_t len = c->len == WHOLE ? strlen(c->src) : c->len;
        unit_add(&s, test_percent_decode_row, c, "percent_decode[%zu] \"%s\" len %zu%s", i,
                 unit_escape(c->src, strlen(c->src), e, sizeof(e)), len,
                 c->plus_is_space ? " plus_is_space" : "");
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(latlon_cases); i++) {
        const struct latlon_case *c = &latlon_cases[i];
        unit_add(&s, test_parse_latlon_row, c, "parse_latlon[%zu] \"%s\"", i,
                 unit_escape(c->s, strlen(c->s), e, sizeof(e)));
    }
    for (size_t i = 0; i < UNIT_ARRAY_LEN(arg_cases); i++) {
        const struct arg_case *c = &arg_cases[i];
        unit_add(&s, test_arg_value_row, c, "arg_value[%zu] \"%s\" %s", i, c->args, c->name);
    }
    return unit_run(&s, "parse", NULL, NULL);
}
