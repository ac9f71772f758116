/* Unit tests for domain/token: new tokens, their stored hashes, and matching a presented
 * token against a stored hash. */
#include "unit.h"

#include <sodium.h>

#include "domain/token.h"

static bool is_base64url(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static bool is_stored_form(const char *h)
{
    if (strlen(h) != TOKEN_HASH_HEX_LEN || h[0] != '\\' || h[1] != 'x')
        return false;
    for (const char *p = h + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* ---- token_new ---------------------------------------------------------------------- */

/* The text is 43 base64url characters that decode to 32 bytes, the hash is the stored
 * form of exactly that text, and the buffers are not overrun. */
static void test_new_shape(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        char text[TOKEN_TEXT_LEN + 2], hash[TOKEN_HASH_HEX_LEN + 2];
        memset(text, '#', sizeof(text));
        memset(hash, '#', sizeof(hash));
        token_new(text, hash);
        assert_int_equal(text[TOKEN_TEXT_LEN + 1], '#');
        assert_int_equal(hash[TOKEN_HASH_HEX_LEN + 1], '#');
        assert_int_equal(strlen(text), TOKEN_TEXT_LEN);
        assert_true(is_base64url(text));
        unsigned char raw[40];
        size_t n = 0;
        assert_int_equal(sodium_base642bin(raw, sizeof(raw), text, strlen(text), NULL, &n, NULL,
                                           sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                         0);
        assert_int_equal(n, 32);
        assert_true(is_stored_form(hash));
        char again[TOKEN_HASH_HEX_LEN + 1];
        token_hash_hex(text, again);
        assert_string_equal(again, hash);
        assert_true(token_matches(text, hash));
    }
}

/* Tokens differ: no repeat among many, and no repeated hash. */
#define MANY 2000
static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_new_distinct(void **state)
{
    (void)state;
    char(*texts)[TOKEN_TEXT_LEN + 1] = calloc(MANY, sizeof(*texts));
    char(*hashes)[TOKEN_HASH_HEX_LEN + 1] = calloc(MANY, sizeof(*hashes));
    assert_non_null(texts);
    assert_non_null(hashes);
    for (int i = 0; i < MANY; i++)
        token_new(texts[i], hashes[i]);
    qsort(texts, MANY, sizeof(*texts), cmp_str);
    qsort(hashes, MANY, sizeof(*hashes), cmp_str);
    for (int i = 1; i < MANY; i++) {
        assert_string_not_equal(texts[i], texts[i - 1]);
        assert_string_not_equal(hashes[i], hashes[i - 1]);
    }
    /* and the bits look random: every base64url character shows up */
    bool seen[128] = {false};
    for (int i = 0; i < MANY; i++)
        for (const char *p = texts[i]; *p; p++)
            seen[(unsigned char)*p] = true;
    const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const char *p = alphabet; *p; p++)
        if (!seen[(unsigned char)*p])
            fail_msg("'%c' never appears in %d tokens", *p, MANY);
    free(texts);
    free(hashes);
}

/* ---- token_hash_hex ------------------------------------------------------------------ */

struct hash_case {
    const char *text;
    const char *want; /* BLAKE2b-256, Python's hashlib.blake2b(text, digest_size=32) */
};

static const struct hash_case hash_cases[] = {
    {"abc", "\\xbddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"},
    {"", "\\x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
     "\\x6342b384e5d6294c5df1110132b93b97b395a2ff4cca498af637b3e06b3095dd"},
    {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
     "\\x4aa2c4c4befded4dcc4a5e042f4bfb98e645f40cc8fb05b70e41855cc2823cf9"},
    {"Zm9vYmFyLWJhei1xdXV4LXRoaXMtaXMtYS10b2tlbg",
     "\\x40fa43a091f4b956126d213bea154b733e8b0a4f1864ecba746cb2bc51a9e3dc"},
};

/* Deterministic, in the stored form, and the known BLAKE2b-256 of the text: the hashes
 * already stored for issued tokens must keep matching. */
static void test_hash_row(void **state)
{
    const struct hash_case *c = UNIT_ROW(struct hash_case, state);
    char a[TOKEN_HASH_HEX_LEN + 1], b[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(c->text, a);
    token_hash_hex(c->text, b);
    assert_string_equal(a, b);
    assert_true(is_stored_form(a));
    assert_string_equal(a, c->want);
    assert_true(token_matches(c->text, a));
}

/* Texts one character apart hash differently. */
static void test_hash_differs(void **state)
{
    (void)state;
    char a[TOKEN_HASH_HEX_LEN + 1], b[TOKEN_HASH_HEX_LEN + 1];
    token_hash_hex(hash_cases[2].text, a);
    token_hash_hex(hash_cases[3].text, b);
    assert_string_not_equal(a, b);
    token_hash_hex("abc", a);
    token_hash_hex("abd", b);
    assert_string_not_equal(a, b);
}

/* ---- token_matches --------------------------------------------------------------------- */

/* Which stored hash a row presents: the right one, or one made from it. */
enum stored_kind {
    RIGHT,          /* the token's own hash */
    RIGHT_UPPER_X,  /* "\X..." */
    NO_PREFIX,      /* the 64 hex digits alone */
    SHORT,          /* one digit missing */
    LONG,           /* one digit more */
    NON_HEX,        /* a 'g' in place of a digit */
    SPACE_INSIDE,   /* a space in place of a digit */
    EMPTY,          /* "" */
    PREFIX_ONLY,    /* "\x" */
    FLIP_FIRST,     /* the first digit changed to another hex digit */
    FLIP_MIDDLE,    /* a middle digit changed */
    FLIP_LAST,      /* the last digit changed */
    OTHER_TOKEN,    /* another token's hash */
    NUL_HASH,       /* NULL */
    TRAILING_NEWLINE,
};

struct match_case {
    const char *what;
    enum stored_kind stored;
    int text; /* 0: the token, 1: the token with its last character changed, 2: NULL,
                 3: the token plus a character, 4: empty text */
    bool want;
};

static const struct match_case match_cases[] = {
    {"right token", RIGHT, 0, true},
    {"wrong token: last character changed", RIGHT, 1, false},
    {"wrong token: one character more", RIGHT, 3, false},
    {"wrong token: empty", RIGHT, 4, false},
    {"NULL token", RIGHT, 2, false},
    {"NULL stored hash", NUL_HASH, 0, false},
    {"NULL both", NUL_HASH, 2, false},
    {"another token's hash", OTHER_TOKEN, 0, false},
    {"stored hash with its first digit changed", FLIP_FIRST, 0, false},
    {"stored hash with a middle digit changed", FLIP_MIDDLE, 0, false},
    {"stored hash with its last digit changed", FLIP_LAST, 0, false},
    {"stored hash without \\x", NO_PREFIX, 0, false},
    {"stored hash with \\X", RIGHT_UPPER_X, 0, false},
    {"stored hash one digit short", SHORT, 0, false},
    {"stored hash one digit long", LONG, 0, false},
    {"stored hash with a non-hex digit", NON_HEX, 0, false},
    {"stored hash with a space", SPACE_INSIDE, 0, false},
    {"stored hash with a trailing newline", TRAILING_NEWLINE, 0, false},
    {"stored hash empty", EMPTY, 0, false},
    {"stored hash just \\x", PREFIX_ONLY, 0, false},
};

static void test_match_row(void **state)
{
    const struct match_case *c = UNIT_ROW(struct match_case, state);
    char text[TOKEN_TEXT_LEN + 2], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(text, hash);
    char stored[TOKEN_HASH_HEX_LEN + 8];
    snprintf(stored, sizeof(stored), "%s", hash);
    const char *sp = stored;
    switch (c->stored) {
    case RIGHT:
        break;
    case RIGHT_UPPER_X:
        stored[1] = 'X';
        break;
    case NO_PREFIX:
        sp = stored + 2;
        break;
    case SHORT:
        stored[TOKEN_HASH_HEX_LEN - 1] = '\0';
        break;
    case LONG:
        stored[TOKEN_HASH_HEX_LEN] = '0';
        stored[TOKEN_HASH_HEX_LEN + 1] = '\0';
        break;
    case NON_HEX:
        stored[40] = 'g';
        break;
    case SPACE_INSIDE:
        stored[40] = ' ';
        break;
    case EMPTY:
        stored[0] = '\0';
        break;
    case PREFIX_ONLY:
        stored[2] = '\0';
        break;
    case FLIP_FIRST:
        stored[2] = stored[2] == '0' ? '1' : '0';
        break;
    case FLIP_MIDDLE:
        stored[34] = stored[34] == '0' ? '1' : '0';
        break;
    case FLIP_LAST:
        stored[TOKEN_HASH_HEX_LEN - 1] = stored[TOKEN_HASH_HEX_LEN - 1] == '0' ? '1' : '0';
        break;
    case OTHER_TOKEN: {
        char t2[TOKEN_TEXT_LEN + 1];
        token_new(t2, stored);
        break;
    }
    case NUL_HASH:
        sp = NULL;
        break;
    case TRAILING_NEWLINE:
        stored[TOKEN_HASH_HEX_LEN] = '\n';
        stored[TOKEN_HASH_HEX_LEN + 1] = '\0';
        break;
    }
    const char *tp = text;
    switch (c->text) {
    case 1:
        text[TOKEN_TEXT_LEN - 1] = text[TOKEN_TEXT_LEN - 1] == 'A' ? 'B' : 'A';
        break;
    case 2:
        tp = NULL;
        break;
    case 3:
        text[TOKEN_TEXT_LEN] = 'A';
        text[TOKEN_TEXT_LEN + 1] = '\0';
        break;
    case 4:
        text[0] = '\0';
        break;
    default:
        break;
    }
    assert_int_equal(token_matches(tp, sp), c->want);
}

int main(void)
{
    struct unit_suite s = {0};
    if (sodium_init() < 0)
        return 1;
    unit_add(&s, test_new_shape, NULL, "token_new text and hash shape");
    unit_add(&s, test_new_distinct, NULL, "token_new gives %d distinct tokens", MANY);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(hash_cases); i++)
        unit_add(&s, test_hash_row, &hash_cases[i], "token_hash_hex[%zu] \"%s\"", i,
                 hash_cases[i].text);
    unit_add(&s, test_hash_differs, NULL, "token_hash_hex differs for different texts");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(match_cases); i++)
        unit_add(&s, test_match_row, &match_cases[i], "token_matches[%zu] %s", i,
                 match_cases[i].what);
    return unit_run(&s, "token", NULL, NULL);
}
