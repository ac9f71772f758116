/* Unit tests for store/staff_page: the LIMIT parameter a page's statement gets (one row
 * more than the page holds, the row that says there is more). */
#include "unit.h"

#include "store/staff_page.h"

struct limit_case {
    long limit;
    const char *text;
};

/* a page of one, the default page, the largest, none but the extra row, near LONG_MAX */
static const struct limit_case limit_cases[] = {
    {1, "2"}, {50, "51"}, {200, "201"}, {0, "1"}, {9223372036854775806L, "9223372036854775807"},
};

static void test_limit_row(void **state)
{
    const struct limit_case *c = UNIT_ROW(struct limit_case, state);
    char text[STAFF_PAGE_LIMIT_TEXT];
    memset(text, 'x', sizeof(text));
    staff_page_limit(c->limit, text);
    assert_string_equal(text, c->text);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(limit_cases); i++)
        unit_add(&s, test_limit_row, &limit_cases[i], "staff_page_limit(%ld)",
                 limit_cases[i].limit);
    return unit_run(&s, "staff_page", NULL, NULL);
}
