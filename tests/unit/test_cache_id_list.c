/* Unit tests for cache/id_list.c: the uuid[] literal of a list of ids. */
#include "unit.h"

#include <stdlib.h>

#include "cache/id_list.h"

struct list_case {
    const char *what;
    const char *ids[3];
    size_t n;
    const char *want;
};

static const struct list_case list_cases[] = {
    {"none", {NULL}, 0, "{}"},
    {"one", {"8f14e45f-ceea-467f-a8f1-2f0a7d1e2b3c"}, 1, "{8f14e45f-ceea-467f-a8f1-2f0a7d1e2b3c}"},
    {"two", {"a", "b"}, 2, "{a,b}"},
    {"three", {"a", "b", "c"}, 3, "{a,b,c}"},
    {"the first of three", {"a", "b", "c"}, 1, "{a}"},
};

static void test_list_row(void **state)
{
    const struct list_case *c = UNIT_ROW(struct list_case, state);
    char *got = id_list_literal(c->ids, c->n);
    assert_string_equal(got, c->want);
    free(got);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(list_cases); i++)
        unit_add(&s, test_list_row, &list_cases[i], "id_list_literal: %s", list_cases[i].what);
    return unit_run(&s, "id list literal", NULL, NULL);
}
