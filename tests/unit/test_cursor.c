/* Unit tests for domain/cursor: round trips, and decoding text this service never made. */
#include "unit.h"

#include <sodium.h>

#include "domain/cursor.h"

#define U1 "123e4567-e89b-12d3-a456-426614174000"
#define U2 "ffffffff-0000-4000-8000-0123456789ab"
#define VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING

static bool is_urlsafe(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

/* ---- round trips ---------------------------------------------------------------- */

struct trip_case {
    const char *what;
    char kind;
    const char *key;
    const char *id;
};

static const struct trip_case trip_cases[] = {
    {"name key", 'n', "Smith, Anna", U1},
    {"distance key", 'd', "1234.5678901234567", U2},
    {"empty key", 'n', "", U1},
    {"unicode key", 'n', "Zo\xc3\xab \xc3\x9cnal \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", U1},
    {"key with tab and newline", 'n', "a\tb\nc", U1},
    {"key with base64 characters", 'n', "+/=-_==", U2},
    {"key that looks like a cursor", 'n', "1n\xc2\xb7" U1, U2},
    {"key with spaces only", 'n', "   ", U1},
    {"kind is the separator", '\x1f', "k", U1},
    {"kind is NUL", '\0', "k", U1},
    {"kind is a high byte", '\xff', "k", U1},
};

static void test_trip_row(void **state)
{
    const struct trip_case *c = UNIT_ROW(struct trip_case, state);
    struct cursor in;
    memset(&in, 0, sizeof(in));
    in.kind = c->kind;
    snprintf(in.key, sizeof(in.key), "%s", c->key);
    snprintf(in.id, sizeof(in.id), "%s", c->id);
    char text[CURSOR_MAX_TEXT + 1];
    assert_int_equal(cursor_encode(&in, text, sizeof(text)), 0);
    assert_true(strlen(text) <= CURSOR_MAX_TEXT);
    assert_true(is_urlsafe(text));
    struct cursor out;
    memset(&out, 0x55, sizeof(out));
    assert_int_equal(cursor_decode(text, &out), 0);
    assert_int_equal(out.kind, c->kind);
    assert_string_equal(out.key, c->key);
    assert_string_equal(out.id, c->id);
}

/* The longest key round-trips and its text stays within CURSOR_MAX_TEXT; one byte
 * more is refused by the encoder. */
static void test_trip_longest(void **state)
{
    (void)state;
    struct cursor in = {.kind = 'n'};
    memset(in.key, 'k', CURSOR_MAX_KEY - 1);
    in.key[CURSOR_MAX_KEY - 1] = '\0';
    snprintf(in.id, sizeof(in.id), "%s", U1);
    char text[CURSOR_MAX_TEXT + 1];
    assert_int_equal(cursor_encode(&in, text, sizeof(text)), 0);
    assert_true(strlen(text) <= CURSOR_MAX_TEXT);
    struct cursor out;
    assert_int_equal(cursor_decode(text, &out), 0);
    assert_int_equal(strlen(out.key), CURSOR_MAX_KEY - 1);
    assert_string_equal(out.key, in.key);
    /* multibyte characters up to the limit too */
    memset(in.key, 0, sizeof(in.key));
    for (size_t i = 0; i + 2 < CURSOR_MAX_KEY; i += 2)
        memcpy(in.key + i, "\xc3\xa9", 2);
    assert_int_equal(cursor_encode(&in, text, sizeof(text)), 0);
    assert_int_equal(cursor_decode(text, &out), 0);
    assert_string_equal(out.key, in.key);
}

struct enc_fail_case {
    const char *what;
    size_t keylen; /* 'k' repeated */
    size_t outlen; /* 0: exactly the text's length, no room for the NUL */
};

/* Keys decode would refuse are refused by encode already, so every cursor handed out
 * can be read back. */
static void test_encode_refuses_unsafe_keys(void **state)
{
    (void)state;
    static const char *const bad[] = {"Smith\x1f" "Anna", "Zo\xc3", "a\x01b"};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(bad); i++) {
        struct cursor in;
        memset(&in, 0, sizeof(in));
        in.kind = 'n';
        snprintf(in.key, sizeof(in.key), "%s", bad[i]);
        snprintf(in.id, sizeof(in.id), "%s", U1);
        char text[CURSOR_MAX_TEXT + 1];
        assert_int_equal(cursor_encode(&in, text, sizeof(text)), -1);
    }
}

static const struct enc_fail_case enc_fail_cases[] = {
    {"out too small", 5, 10},
    {"out of one byte", 0, 1},
    {"out one byte short", 5, 0},
    {"out one byte short, longest key", CURSOR_MAX_KEY - 1, 0},
};

static void test_enc_fail_row(void **state)
{
    const struct enc_fail_case *c = UNIT_ROW(struct enc_fail_case, state);
    struct cursor in;
    memset(&in, 0, sizeof(in));
    in.kind = 'n';
    snprintf(in.id, sizeof(in.id), "%s", U1);
    memset(in.key, 'k', c->keylen);
    size_t outlen = c->outlen;
    char text[CURSOR_MAX_TEXT + 8];
    if (outlen == 0) {
        assert_int_equal(cursor_encode(&in, text, sizeof(text)), 0);
        outlen = strlen(text);
    }
    memset(text, 'Z', sizeof(text));
    assert_int_equal(cursor_encode(&in, text, outlen), -1);
    assert_int_equal(text[outlen], 'Z'); /* nothing written past outlen */
}

/* ---- decoding raw payloads this service did not make ---------------------------- */

struct raw_case {
    const char *what;
    const char *raw;
    size_t len;
    int rc;
    char kind;       /* when rc == 0 */
    const char *key; /* when rc == 0 */
};

static const struct raw_case raw_cases[] = {
    {"well formed", UNIT_BYTES("1n\x1f" U1 "\x1fSmith"), 0, 'n', "Smith"},
    {"empty key", UNIT_BYTES("1d\x1f" U1 "\x1f"), 0, 'd', ""},
    {"0x1f inside the key", UNIT_BYTES("1n\x1f" U1 "\x1f" "a\x1f" "b"), -1, 0, NULL},
    {"version 2", UNIT_BYTES("2n\x1f" U1 "\x1fSmith"), -1, 0, NULL},
    {"version 0", UNIT_BYTES("0n\x1f" U1 "\x1fSmith"), -1, 0, NULL},
    {"no version", UNIT_BYTES("n\x1f" U1 "\x1fSmith"), -1, 0, NULL},
    {"no separator after the kind", UNIT_BYTES("1n" U1 "\x1fSmith"), -1, 0, NULL},
    {"no separator after the id", UNIT_BYTES("1n\x1f" U1 "Smith"), -1, 0, NULL},
    {"id not a UUID", UNIT_BYTES("1n\x1fnot-a-uuid\x1fSmith"), -1, 0, NULL},
    {"id in upper case", UNIT_BYTES("1n\x1f" "123E4567-E89B-12D3-A456-426614174000\x1fS"), -1, 0,
     NULL},
    {"id too short", UNIT_BYTES("1n\x1f" "123e4567-e89b-12d3-a456-42661417400\x1fS"), -1, 0, NULL},
    {"id too long", UNIT_BYTES("1n\x1f" U1 "0000\x1fS"), -1, 0, NULL},
    {"id far too long", UNIT_BYTES("1n\x1f" U1 U1 "\x1fS"), -1, 0, NULL},
    {"empty id", UNIT_BYTES("1n\x1f\x1fSmith"), -1, 0, NULL},
    {"NUL in the id", UNIT_BYTES("1n\x1f" "123e4567-e89b-12d3-a456-42661417" "\0" "000" "\x1fS"),
     -1, 0, NULL},
    {"NUL in the key", UNIT_BYTES("1n\x1f" U1 "\x1f" "a\0b"), -1, 0, NULL},
    {"control in the key", UNIT_BYTES("1n\x1f" U1 "\x1f" "a\x01" "b"), -1, 0, NULL},
    {"invalid UTF-8 in the key", UNIT_BYTES("1n\x1f" U1 "\x1f" "\xc3\x28"), -1, 0, NULL},
    {"overlong UTF-8 in the key", UNIT_BYTES("1n\x1f" U1 "\x1f" "\xc0\xaf"), -1, 0, NULL},
    {"only the header", UNIT_BYTES("1n\x1f"), -1, 0, NULL},
    {"two bytes", UNIT_BYTES("1n"), -1, 0, NULL},
    {"one byte", UNIT_BYTES("1"), -1, 0, NULL},
    {"nothing", UNIT_BYTES(""), -1, 0, NULL},
};

static void test_raw_row(void **state)
{
    const struct raw_case *c = UNIT_ROW(struct raw_case, state);
    char text[CURSOR_MAX_TEXT + 8];
    assert_true(sodium_base64_ENCODED_LEN(c->len, VARIANT) <= sizeof(text));
    sodium_bin2base64(text, sizeof(text), (const unsigned char *)c->raw, c->len, VARIANT);
    struct cursor out;
    assert_int_equal(cursor_decode(text, &out), c->rc);
    if (c->rc == 0) {
        assert_int_equal(out.kind, c->kind);
        assert_string_equal(out.key, c->key);
        assert_true(strlen(out.id) == 36);
    }
}

/* a key of CURSOR_MAX_KEY bytes in a hand-made payload is refused */
static void test_raw_key_too_long(void **state)
{
    (void)state;
    unsigned char raw[3 + 36 + 1 + CURSOR_MAX_KEY];
    memcpy(raw, "1n\x1f" U1 "\x1f", 40);
    memset(raw + 40, 'k', CURSOR_MAX_KEY);
    char text[CURSOR_MAX_TEXT + 8];
    sodium_bin2base64(text, sizeof(text), raw, sizeof(raw), VARIANT);
    assert_true(strlen(text) <= CURSOR_MAX_TEXT); /* it is the key, not the text, that is long */
    struct cursor out;
    assert_int_equal(cursor_decode(text, &out), -1);
    /* one byte shorter is fine */
    sodium_bin2base64(text, sizeof(text), raw, sizeof(raw) - 1, VARIANT);
    assert_int_equal(cursor_decode(text, &out), 0);
    assert_int_equal(strlen(out.key), CURSOR_MAX_KEY - 1);
}

/* ---- decoding text that is not base64url of the right shape --------------------- */

static const char *const garbage_cases[] = {
    "",
    "A",
    "AA",
    "====",
    "not base64!",
    "MW4f",     /* base64url of "1n\x1f": too short */
    "$$$$$$$$",
    "MW4f\n",
    " MW4f",
    "MW4f%3D",
};

static void test_garbage_row(void **state)
{
    const char *text = *(const char *const *)*state;
    struct cursor out;
    assert_int_equal(cursor_decode(text, &out), -1);
}

/* A valid cursor with one change: each must be refused. */
enum mutation {
    MUT_PAD1,       /* "=" appended */
    MUT_PAD2,       /* "==" appended */
    MUT_SPACE,      /* " " appended */
    MUT_NEWLINE,    /* "\n" appended */
    MUT_DOT,        /* "." inserted in the middle */
    MUT_STD_PLUS,   /* '-' of base64url replaced by '+' of standard base64 */
    MUT_STD_SLASH,  /* '_' replaced by '/' */
    MUT_TRAILBITS,  /* unused low bits of the last character set: not canonical */
    MUT_OVERLONG,   /* a valid-looking text longer than CURSOR_MAX_TEXT */
};

struct mut_case {
    const char *what;
    enum mutation m;
};

static const struct mut_case mut_cases[] = {
    {"padding '='", MUT_PAD1},
    {"padding '=='", MUT_PAD2},
    {"trailing space", MUT_SPACE},
    {"trailing newline", MUT_NEWLINE},
    {"a '.' inside", MUT_DOT},
    {"standard '+' for '-'", MUT_STD_PLUS},
    {"standard '/' for '_'", MUT_STD_SLASH},
    {"non-canonical last character", MUT_TRAILBITS},
    {"longer than CURSOR_MAX_TEXT", MUT_OVERLONG},
};

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void test_mut_row(void **state)
{
    const struct mut_case *c = UNIT_ROW(struct mut_case, state);
    /* The payload before the key is 40 bytes; "ab" aligns the rest to a 3-byte group,
     * where "~~~" encodes to "fn5-" and "\xef\xbf\xbf" (U+FFFF) to "77-_", so the text
     * holds both '-' and '_'.  The final "z" makes 49 bytes: the last character then
     * carries 4 unused bits. */
    struct cursor in = {.kind = 'n'};
    snprintf(in.key, sizeof(in.key), "ab~~~\xef\xbf\xbfz");
    snprintf(in.id, sizeof(in.id), "%s", U1);
    char text[2 * CURSOR_MAX_TEXT];
    assert_int_equal(cursor_encode(&in, text, sizeof(text)), 0);
    struct cursor out;
    assert_int_equal(cursor_decode(text, &out), 0); /* the unchanged text is fine */
    size_t n = strlen(text);
    char *p;
    switch (c->m) {
    case MUT_PAD1:
        snprintf(text + n, sizeof(text) - n, "=");
        break;
    case MUT_PAD2:
        snprintf(text + n, sizeof(text) - n, "==");
        break;
    case MUT_SPACE:
        snprintf(text + n, sizeof(text) - n, " ");
        break;
    case MUT_NEWLINE:
        snprintf(text + n, sizeof(text) - n, "\n");
        break;
    case MUT_DOT:
        memmove(text + n / 2 + 1, text + n / 2, n - n / 2 + 1);
        text[n / 2] = '.';
        break;
    case MUT_STD_PLUS:
        p = strchr(text, '-');
        assert_non_null(p);
        *p = '+';
        break;
    case MUT_STD_SLASH:
        p = strchr(text, '_');
        assert_non_null(p);
        *p = '/';
        break;
    case MUT_TRAILBITS: {
        /* the payload length must leave unused bits in the last character */
        assert_true(n % 4 != 0);
        p = strchr(b64url, text[n - 1]);
        assert_non_null(p);
        text[n - 1] = b64url[(p - b64url) ^ 1];
        break;
    }
    case MUT_OVERLONG:
        while (n <= CURSOR_MAX_TEXT) {
            memcpy(text + n, "AAAA", 4);
            n += 4;
        }
        text[n] = '\0';
        break;
    }
    assert_int_equal(cursor_decode(text, &out), -1);
}

/* Every proper prefix of a cursor with an empty key is refused: cutting the text
 * cuts the id or its separator. */
static void test_truncated(void **state)
{
    (void)state;
    struct cursor in = {.kind = 'n'};
    snprintf(in.id, sizeof(in.id), "%s", U1);
    char text[CURSOR_MAX_TEXT + 1];
    assert_int_equal(cursor_encode(&in, text, sizeof(text)), 0);
    size_t n = strlen(text);
    assert_true(n > 50);
    for (size_t len = 0; len < n; len++) {
        char cut[CURSOR_MAX_TEXT + 1];
        memcpy(cut, text, len);
        cut[len] = '\0';
        struct cursor out;
        if (cursor_decode(cut, &out) != -1)
            fail_msg("the first %zu of %zu characters decoded", len, n);
    }
}

int main(void)
{
    struct unit_suite s = {0};
    if (sodium_init() < 0)
        return 1;
    for (size_t i = 0; i < UNIT_ARRAY_LEN(trip_cases); i++)
        unit_add(&s, test_trip_row, &trip_cases[i], "cursor round trip[%zu] %s", i,
                 trip_cases[i].what);
    unit_add(&s, test_trip_longest, NULL, "cursor round trip of the longest key");
    unit_add(&s, test_encode_refuses_unsafe_keys, NULL, "cursor_encode refuses unsafe keys");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(enc_fail_cases); i++)
        unit_add(&s, test_enc_fail_row, &enc_fail_cases[i], "cursor_encode refuses[%zu] %s", i,
                 enc_fail_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(raw_cases); i++)
        unit_add(&s, test_raw_row, &raw_cases[i], "cursor_decode payload[%zu] %s", i,
                 raw_cases[i].what);
    unit_add(&s, test_raw_key_too_long, NULL, "cursor_decode payload with a key too long");
    char e[64];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(garbage_cases); i++)
        unit_add(&s, test_garbage_row, &garbage_cases[i], "cursor_decode garbage[%zu] \"%s\"",
                 i, unit_escape(garbage_cases[i], strlen(garbage_cases[i]), e, sizeof(e)));
    for (size_t i = 0; i < UNIT_ARRAY_LEN(mut_cases); i++)
        unit_add(&s, test_mut_row, &mut_cases[i], "cursor_decode mutated[%zu] %s", i,
                 mut_cases[i].what);
    unit_add(&s, test_truncated, NULL, "cursor_decode truncated text");
    return unit_run(&s, "cursor", NULL, NULL);
}
