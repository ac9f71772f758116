/* Unit tests for directory/places.c: the pure pieces of reading a `near` value (its
 * parts, a ZIP code). */
#include "unit.h"

#include "directory/places.h"

struct split_case {
    const char *text;
    int n; /* -1: refused */
    const char *parts[3];
};

static const struct split_case split_cases[] = {
    {"Portland", 1, {"Portland"}},
    {"Portland, OR", 2, {"Portland", "OR"}},
    {"Portland, OR, US", 3, {"Portland", "OR", "US"}},
    {"  Portland ,OR  ,  US  ", 3, {"Portland", "OR", "US"}},
    {"Saint-Jean-de-Luz, Nouvelle-Aquitaine", 2, {"Saint-Jean-de-Luz", "Nouvelle-Aquitaine"}},
    {"a, b, c, d", -1, {NULL}},  /* more than three parts */
    {"Portland,", -1, {NULL}},   /* an empty part */
    {", OR", -1, {NULL}},
    {"", -1, {NULL}},
    {"   ", -1, {NULL}},
};

static void test_split_row(void **state)
{
    const struct split_case *c = UNIT_ROW(struct split_case, state);
    char parts[3][128];
    int n = place_split(c->text, parts);
    assert_int_equal(n, c->n);
    for (int i = 0; i < n; i++)
        assert_string_equal(parts[i], c->parts[i]);
}

static void test_split_long_part(void **state)
{
    (void)state;
    char text[300], parts[3][128];
    memset(text, 'a', 127);
    text[127] = '\0';
    assert_int_equal(place_split(text, parts), 1); /* 127 bytes fit */
    memset(text, 'a', 128);
    text[128] = '\0';
    assert_int_equal(place_split(text, parts), -1); /* 128 do not */
}

struct zip_case {
    const char *text;
    bool ok;
    const char *zip;
};

static const struct zip_case zip_cases[] = {
    {"97201", true, "97201"},
    {"97201-1234", true, "97201"},
    {"00000", true, "00000"},
    {"9720", false, NULL},
    {"972011", false, NULL},
    {"97201 1234", false, NULL},
    {"97201-123", false, NULL},
    {"9720a", false, NULL},
    {"Portland", false, NULL},
    {"", false, NULL},
};

static void test_zip_row(void **state)
{
    const struct zip_case *c = UNIT_ROW(struct zip_case, state);
    char zip[6] = "";
    assert_int_equal(place_is_zip(c->text, zip), c->ok);
    if (c->ok)
        assert_string_equal(zip, c->zip);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(split_cases); i++)
        unit_add(&s, test_split_row, &split_cases[i], "place_split \"%s\"", split_cases[i].text);
    unit_add(&s, test_split_long_part, NULL, "place_split: a part of 128 bytes is refused");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(zip_cases); i++)
        unit_add(&s, test_zip_row, &zip_cases[i], "place_is_zip \"%s\"", zip_cases[i].text);
    return unit_run(&s, "directory places", NULL, NULL);
}
