/* Unit tests for cache/id_list.c: the uuid[] literal of a list of ids (the schedule
 * cache's reads of several practitioners, the notification worker's rows). */
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
    {"one", {"a"}, 1, "{a}"},
    {"two", {"a", "b"}, 2, "{a,b}"},
    {"two uuids",
     {"4fcc89ac-984f-4749-8326-ba34999a2e1f", "21e632fb-4e7a-417d-b122-59be2591fb82"}, 2,
     "{4fcc89ac-984f-4749-8326-ba34999a2e1f,21e632fb-4e7a-417d-b122-59be2591fb82}"},
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
