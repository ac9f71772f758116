/* Unit tests for calendar/initials: the patient's name as the practitioners' calendar
 * feeds show it. */
#include "unit.h"

#include "calendar/initials.h"

struct initials_case {
    const char *name;
    size_t n; /* the buffer's size */
    const char *want;
};

static const struct initials_case cases[] = {
    {"Ann Lee", 40, "A. L."},
    {"ann lee", 40, "A. L."},
    {"Jean-Luc Picard", 40, "J. L. P."},
    {"  Ann   Lee  ", 40, "A. L."},
    {"Ann", 40, "A."},
    {"", 40, ""},
    {" - ", 40, ""},
    {"\xc3\x89lodie Durand", 40, "D."}, /* a word starting outside ASCII is left out */
    {"Zoe \xc3\x96zt\xc3\xbcrk", 40, "Z."},
    {"o'Brien mc2", 40, "O. M."},
    {"1st Name", 40, "1. N."},
    {"A B C D E F G H I J K L", 40, "A. B. C. D. E. F. G. H. I. J. K. L."},
    /* cut to the buffer: whole initials only, never a dangling space */
    {"A B C D E F G H I J K L M N", 40, "A. B. C. D. E. F. G. H. I. J. K. L."},
    {"Ann Lee", 5, "A."},
    {"Ann Lee", 4, ""},
    {"Ann Lee", 1, ""},
};

static void test_row(void **state)
{
    const struct initials_case *c = UNIT_ROW(struct initials_case, state);
    char out[64];
    memset(out, '#', sizeof(out));
    initials_of(c->name, out, c->n);
    assert_string_equal(out, c->want);
    assert_int_equal(out[c->n], '#'); /* nothing written past the buffer */
}

int main(void)
{
    struct unit_suite s = {0};
    char esc[80];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(cases); i++)
        unit_add(&s, test_row, &cases[i], "initials_of[%zu] \"%s\" in %zu", i,
                 unit_escape(cases[i].name, strlen(cases[i].name), esc, sizeof(esc)), cases[i].n);
    return unit_run(&s, "calendar_initials", NULL, NULL);
}
