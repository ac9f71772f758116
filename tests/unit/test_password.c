/* Unit tests for domain/password's policy: every row is one password (and the
 * account's e-mail), and either NULL (accepted) or a word the refusal must contain, so
 * that each refusal is shown to say why.  The API suite (staff-auth.test.mjs) sends
 * some of the same rows through POST /auth/password and `clinicd admin`. */
#include "unit.h"

#include "domain/password.h"

struct row {
    const char *password, *email;
    const char *why; /* NULL: accepted; else a word of the message */
};

#define EMAIL "jane.doe+clinic@example.org"

static const struct row rows[] = {
    /* accepted: long enough, not blank, no pattern, no run, not common, no e-mail name */
    {"lantern-orchard-tide-42", EMAIL, NULL},
    {"correct horse battery staple", EMAIL, NULL},
    {"Ünïcödé-wörds-hére", EMAIL, NULL},
    {"abcdefgh1", EMAIL, NULL},           /* a run with more: not a run */
    {"aaaaaaab", EMAIL, NULL},            /* almost repeated */
    {"x7x7x7x7x7x7", EMAIL, NULL},        /* a pattern, not one character: no composition rules */
    {"  spaced  out  ", EMAIL, NULL},     /* spaces among letters */
    {"zz-jo-zz-jo-top", "jo@example.org", NULL},   /* names under 3 characters are ignored */
    {"tide-river-stone", NULL, NULL},     /* no e-mail given */
    {"acegikmoqs", EMAIL, NULL},          /* every other letter: not a run */

    /* length and the lists */
    {"short", EMAIL, "at least 8"},
    {"ab\xc3\xa9" "de", EMAIL, "at least 8"},  /* 5 characters, 6 bytes */
    {"password", EMAIL, "common"},
    {"PassWord", EMAIL, "common"},
    {"iloveyou", EMAIL, "common"},

    /* only spaces or other blank characters */
    {"        ", EMAIL, "only spaces"},
    {"\t\t\t\t\t\t\t\t", EMAIL, "only spaces"},
    {"   \t\n    ", EMAIL, "only spaces"},
    {"\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0", EMAIL, "only spaces"},
    {"\xe3\x80\x80\xe3\x80\x80\xe3\x80\x80\xe2\x80\x83\xe2\x80\x83\xe2\x80\x83\xe2\x80\x8b\xe2\x80\x8b",
     EMAIL, "only spaces"},

    /* one character repeated */
    {"aaaaaaaa", EMAIL, "one character repeated"},
    {"AAAAAAAAAAAA", EMAIL, "one character repeated"},
    {"00000000", EMAIL, "one character repeated"},
    {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", EMAIL, "one character repeated"},
    {"\xe3\x80\x82\xe3\x80\x82\xe3\x80\x82\xe3\x80\x82\xe3\x80\x82\xe3\x80\x82\xe3\x80\x82\xe3\x80\x82", EMAIL,
     "one character repeated"},

    /* runs of the alphabet, the digits and the keyboard, both ways, any case */
    {"abcdefgh", EMAIL, "run"},
    {"ABCDEFGHIJ", EMAIL, "run"},
    {"hgfedcba", EMAIL, "run"},
    {"mnopqrstu", EMAIL, "run"},
    {"12345678", EMAIL, "run"},
    {"87654321", EMAIL, "run"},
    {"34567890", EMAIL, "run"},
    {"qwertyui", EMAIL, "run"},
    {"iuytrewq", EMAIL, "run"},
    {"asdfghjkl", EMAIL, "run"},
    {"qwertyuiopasdf", EMAIL, "run"},
    {"qwertzui", EMAIL, "run"},
    {"azertyui", EMAIL, "run"},
    {"1qaz2wsx3edc", EMAIL, "run"},
    {"zxcvbnm,./", EMAIL, "run"},

    /* the e-mail's name, anywhere, in any case; with and without its +tag */
    {"jane.doe+clinic@example.org", EMAIL, "e-mail"},
    {"my-jane.doe-pass", EMAIL, "address's name"},
    {"JANE.DOE-rocks-2024", EMAIL, "address's name"},
    {"x-jane.doe+clinic-x", EMAIL, "address's name"},
    {"bobcat-sunrise-hill", "bob@example.org", "address's name"},
    {"admin-river-tide", "Admin@clinic.example", "address's name"},
    {"ann@example.org", "ann@example.org", "e-mail address"},
};

static void test_row(void **state)
{
    const struct row *r = UNIT_ROW(struct row, state);
    const char *why = password_check(r->password, r->email);
    if (!r->why) {
        if (why)
            fail_msg("refused: %s", why);
        return;
    }
    if (!why)
        fail_msg("accepted; want a refusal saying \"%s\"", r->why);
    if (!strstr(why, r->why))
        fail_msg("refused with \"%s\"; want it to say \"%s\"", why, r->why);
}

/* Past 1024 bytes is refused whatever it holds; exactly 1024 is fine. */
static void test_lengths(void **state)
{
    (void)state;
    char pw[1100];
    for (size_t i = 0; i < sizeof(pw) - 1; i++)
        pw[i] = (char)('a' + (i * 7 + i / 26) % 26);
    pw[1025] = '\0';
    assert_non_null(password_check(pw, NULL));
    assert_non_null(strstr(password_check(pw, NULL), "1024"));
    pw[1024] = '\0';
    const char *why = password_check(pw, NULL);
    if (why)
        fail_msg("1024 bytes refused: %s", why);
}

static int setup(void **state)
{
    (void)state;
    password_load_common(NULL); /* the built-in short list */
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    password_free_common();
    return 0;
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(rows); i++) {
        char esc[200];
        unit_escape(rows[i].password, strlen(rows[i].password), esc, sizeof(esc));
        unit_add(&s, test_row, &rows[i], "%s \"%s\"", rows[i].why ? "refused" : "accepted", esc);
    }
    unit_add(&s, test_lengths, NULL, "lengths");
    return unit_run(&s, "password policy", setup, teardown);
}
