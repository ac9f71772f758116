/* Unit tests for the practitioner checks (domain/practitioner_check) and the CSV import
 * check (domain/practitioner_import): what a body or a file resolves to against a small
 * catalog, and every problem named by field (and row and line). */
#include "unit.h"

#include <jansson.h>

#include "domain/practitioner_check.h"
#include "domain/practitioner_import.h"

#define LOC_MAIN "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
#define LOC_OLD "1b4e28ba-2fa1-41d2-883f-0016d3cca428"
#define LOC_TWIN "1b4e28ba-2fa1-41d2-883f-0016d3cca429"
#define SVC_60 "6ba7b810-9dad-41d1-80b4-00c04fd430c8"

static struct catalog_entry entries[] = {
    {'p', (char *)"massage-therapist", "1", true},
    {'p', (char *)"Massage therapist", "1", true},
    {'t', (char *)"cupping", "10", true},
    {'t', (char *)"Cupping therapy", "10", true},
    {'t', (char *)"dry-needling", "11", true},
    {'c', (char *)"back-pain", "20", true},
    {'L', (char *)"Main Street", LOC_MAIN, true},
    {'L', (char *)"Old Town", LOC_OLD, false},
    {'L', (char *)"Twin", LOC_MAIN, true},
    {'L', (char *)"Twin", LOC_TWIN, true},
    {'S', (char *)"Massage 60", SVC_60, true},
};
static const struct catalog cat = {entries, UNIT_ARRAY_LEN(entries)};

static json_t *load(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);
    if (!j)
        fail_msg("bad JSON in a case: %s: %s", text, jerr.text);
    return j;
}

/* Problems as "field,field,...". */
struct problems {
    char fields[512];
    size_t n;
};

static void collect(void *ctx, const char *field, const char *msg)
{
    struct problems *p = ctx;
    assert_true(msg && msg[0]);
    size_t o = strlen(p->fields);
    snprintf(p->fields + o, sizeof(p->fields) - o, "%s%s", p->n ? "," : "", field);
    p->n++;
}

/* ---- iso639_1 -------------------------------------------------------------------- */

struct lang_case {
    const char *code;
    bool ok;
};

static const struct lang_case lang_cases[] = {
    {"en", true}, {"zu", true}, {"aa", true}, {"EN", false}, {"e", false},  {"eng", false},
    {"xx", false}, {"", false}, {"e1", false}, {"qq", false}, {"nb", true}, {"zz", false},
};

static void test_lang_row(void **state)
{
    const struct lang_case *c = UNIT_ROW(struct lang_case, state);
    assert_int_equal(iso639_1(c->code), c->ok);
}

/* ---- pract_check ----------------------------------------------------------------- */

struct check_case {
    const char *what;
    enum pract_mode mode;
    bool by_name;
    const char *body;
    const char *problems;  /* "" when it resolves */
    const char *resolved;  /* members expected in the output, as JSON (a subset) */
};

static const struct check_case check_cases[] = {
    {"minimal create", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"" LOC_MAIN "\"]}", "",
     "{\"name\":\"Ann\",\"profession_id\":1,\"location_ids\":[\"" LOC_MAIN "\"],\"credentials\":\"\","
     "\"bio\":\"\",\"technique_ids\":[],\"condition_ids\":[],\"service_ids\":[],\"accepting_new\":true,"
     "\"home_visits\":false,\"sliding_scale\":false}"},
    {"terms by name and alias in any case, deduplicated", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"MASSAGE THERAPIST\",\"location_ids\":[\"" LOC_MAIN "\"],"
     "\"techniques\":[\"cupping therapy\",\"Cupping\",\"dry-needling\"],\"conditions\":[\"back-pain\"]}", "",
     "{\"profession_id\":1,\"technique_ids\":[10,11],\"condition_ids\":[20]}"},
    {"ids in upper case", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"1B4E28BA-2FA1-41D2-883F-0016D3CCA427\"],"
     "\"service_ids\":[\"" SVC_60 "\"]}", "",
     "{\"location_ids\":[\"" LOC_MAIN "\"],\"service_ids\":[\"" SVC_60 "\"]}"},
    {"languages lower-cased", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"" LOC_MAIN "\"],"
     "\"languages\":[\"EN\",\"es\"]}", "", "{\"languages\":[\"en\",\"es\"]}"},
    {"nothing given", PRACT_CREATE, false, "{}", "name,profession,location_ids", NULL},
    {"unknown terms", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"astrologer\",\"location_ids\":[\"" LOC_MAIN "\"],"
     "\"techniques\":[\"reiki\"],\"conditions\":[\"x\",\"y\"]}",
     "profession,techniques,conditions,conditions", NULL},
    {"blank name", PRACT_CREATE, false,
     "{\"name\":\"   \",\"profession\":\"massage-therapist\",\"location_ids\":[\"" LOC_MAIN "\"]}", "name", NULL},
    {"empty location list", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[]}", "location_ids", NULL},
    {"a location by name without by_name", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"Main Street\"]}",
     "location_ids", NULL},
    {"a location by name with by_name", PRACT_CREATE, true,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"main street\"]}", "",
     "{\"location_ids\":[\"" LOC_MAIN "\"]}"},
    {"two active locations of one name", PRACT_CREATE, true,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"Twin\"]}",
     "location_ids", NULL},
    {"another clinic's location id", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"00000000-0000-4000-8000-000000000000\"]}",
     "location_ids", NULL},
    {"bad languages and flags", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":[\"" LOC_MAIN "\"],"
     "\"languages\":[\"klingon\"],\"accepting_new\":\"yes\"}", "languages,accepting_new", NULL},
    {"list of the wrong type", PRACT_CREATE, false,
     "{\"name\":\"Ann\",\"profession\":\"massage-therapist\",\"location_ids\":\"" LOC_MAIN "\"}",
     "location_ids", NULL},
    {"update: nothing is fine", PRACT_UPDATE, false, "{}", "", "{}"},
    {"update: null clears the bio", PRACT_UPDATE, false, "{\"bio\":null}", "", "{\"bio\":\"\"}"},
    {"update: name and profession cannot be removed", PRACT_UPDATE, false,
     "{\"name\":null,\"profession\":null}", "name,profession", NULL},
    {"update: profession of the wrong type", PRACT_UPDATE, false, "{\"profession\":7}", "profession", NULL},
};

/* Every member of want is in got, equal. */
static void assert_subset(json_t *want, json_t *got)
{
    const char *key;
    json_t *v;
    json_object_foreach(want, key, v) {
        json_t *g = json_object_get(got, key);
        if (!g || !json_equal(v, g)) {
            char *w = json_dumps(v, JSON_ENCODE_ANY), *h = g ? json_dumps(g, JSON_ENCODE_ANY) : NULL;
            fail_msg("member %s: want %s, got %s", key, w, h ? h : "(absent)");
        }
    }
}

static void test_check_row(void **state)
{
    const struct check_case *c = UNIT_ROW(struct check_case, state);
    json_t *body = load(c->body);
    struct problems p = {{0}, 0};
    json_t *out = pract_check(&cat, body, c->mode, c->by_name, collect, &p);
    assert_string_equal(p.fields, c->problems);
    assert_int_equal(out == NULL, p.n > 0);
    if (out && c->resolved) {
        json_t *want = load(c->resolved);
        assert_subset(want, out);
        json_decref(want);
    }
    json_decref(out);
    json_decref(body);
}

/* ---- import_check ---------------------------------------------------------------- */

#define HEAD "name,profession,location_ids\n"

struct import_case {
    const char *what;
    const char *csv;
    size_t nrows, nresolved;
    bool malformed;
    /* the problems as "row/line/field;..." (row 0: null) */
    const char *problems;
};

static const struct import_case import_cases[] = {
    {"two good rows", HEAD "Ann,massage-therapist," LOC_MAIN "\nBob,Massage therapist,Main Street\n", 2, 2,
     false, ""},
    {"columns in any order, case and spaces", " Location_IDs ,NAME,profession\n" LOC_MAIN ",Ann,massage-therapist\n",
     1, 1, false, ""},
    {"lists, flags and languages",
     "name,profession,location_ids,techniques,languages,accepting_new\n"
     "Ann,massage-therapist,Main Street; " LOC_MAIN ",cupping; dry-needling,en es,no\n", 1, 1, false, ""},
    {"empty file", "", 0, 0, false, "1/1/file"},
    {"header only", HEAD, 0, 0, false, "1/1/file"},
    {"missing required column", "name,profession\nAnn,massage-therapist\n", 1, 0, false,
     "1/1/location_ids"},
    {"unknown and repeated columns", "name,profession,location_ids,name,colour\nAnn,massage-therapist," LOC_MAIN ",x,red\n",
     1, 1, false, "1/1/name;1/1/colour"},
    {"a nameless column", "name,,profession,location_ids\nAnn,x,massage-therapist," LOC_MAIN "\n", 1, 1, false,
     "1/1/header"},
    {"bad rows named by row and line", HEAD "Ann,astrologer," LOC_MAIN "\n\n\"Bob\nJr\",massage-therapist,Nowhere\nCy,massage-therapist\n",
     3, 0, false, "2/2/profession;3/4/name;3/4/location_ids;4/6/row"},
    {"an inactive location by name", HEAD "Ann,massage-therapist,Old Town\n", 1, 0, false,
     "2/2/location_ids"},
    {"a bad boolean", "name,profession,location_ids,home_visits\nAnn,massage-therapist," LOC_MAIN ",perhaps\n",
     1, 0, false, "2/2/home_visits"},
    {"unreadable CSV", HEAD "\"Ann,massage-therapist\n", 0, 0, true, "2/2/file"},
    {"not UTF-8", HEAD "Ren\xe9,massage-therapist," LOC_MAIN "\n", 0, 0, true, "0/2/file"},
};

static void problems_of(json_t *errors, char *out, size_t outlen)
{
    size_t i, o = 0;
    json_t *e;
    out[0] = '\0';
    json_array_foreach(errors, i, e) {
        json_t *row = json_object_get(e, "row");
        int w = snprintf(out + o, outlen - o, "%s%lld/%lld/%s", i ? ";" : "",
                         json_is_null(row) ? 0LL : (long long)json_integer_value(row),
                         (long long)json_integer_value(json_object_get(e, "line")),
                         json_string_value(json_object_get(e, "field")));
        assert_true(w >= 0 && (size_t)w < outlen - o);
        o += (size_t)w;
        assert_true(json_string_length(json_object_get(e, "message")) > 0);
    }
}

static void test_import_row(void **state)
{
    const struct import_case *c = UNIT_ROW(struct import_case, state);
    struct import_result res;
    size_t n = import_check(&cat, c->csv, strlen(c->csv), &res, NULL, NULL);
    char got[512];
    problems_of(res.errors, got, sizeof(got));
    assert_string_equal(got, c->problems);
    assert_int_equal(n, json_array_size(res.errors));
    assert_int_equal(res.nrows, c->nrows);
    assert_int_equal(json_array_size(res.rows), c->nresolved);
    assert_int_equal(res.malformed, c->malformed);
    import_result_release(&res);
    assert_null(res.rows);
}

/* Progress is told as rows are checked, and once at the end. */
static void progress(void *ctx, size_t done, size_t total)
{
    size_t *calls = ctx;
    assert_true(done <= total);
    (*calls)++;
}

static void test_import_progress(void **state)
{
    (void)state;
    char *csv = malloc(600 * 64);
    assert_non_null(csv);
    size_t o = (size_t)snprintf(csv, 64, "%s", HEAD);
    for (int i = 0; i < 600; i++)
        o += (size_t)snprintf(csv + o, 64, "P %d,massage-therapist,Main Street\n", i);
    struct import_result res;
    size_t calls = 0;
    assert_int_equal(import_check(&cat, csv, o, &res, progress, &calls), 0);
    assert_int_equal(json_array_size(res.rows), 600);
    assert_int_equal(calls, 3); /* rows 256 and 512, then the end */
    import_result_release(&res);
    free(csv);
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(lang_cases); i++)
        unit_add(&s, test_lang_row, &lang_cases[i], "iso639_1[%zu] \"%s\"", i, lang_cases[i].code);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(check_cases); i++)
        unit_add(&s, test_check_row, &check_cases[i], "pract_check[%zu] %s", i,
                 check_cases[i].what);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(import_cases); i++)
        unit_add(&s, test_import_row, &import_cases[i], "import_check[%zu] %s", i,
                 import_cases[i].what);
    unit_add(&s, test_import_progress, NULL, "import_check tells its progress");
    return unit_run(&s, "imports", NULL, NULL);
}
