/* The checks a practitioner must pass: against the catalog, collecting every problem. */
#include "domain/practitioner_check.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/parse.h"

/* --- the catalog ------------------------------------------------------------------- */

void catalog_release(struct catalog *cat)
{
    for (size_t i = 0; i < cat->n; i++)
        free(cat->e[i].text);
    free(cat->e);
    cat->e = NULL;
    cat->n = 0;
}

/* A vocabulary term by slug, name or alias, in any case. */
static const struct catalog_entry *find_term(const struct catalog *cat, char kind, const char *s)
{
    for (size_t i = 0; i < cat->n; i++)
        if (cat->e[i].kind == kind && strcasecmp(cat->e[i].text, s) == 0)
            return &cat->e[i];
    return NULL;
}

static const struct catalog_entry *find_id(const struct catalog *cat, char kind, const char *id)
{
    for (size_t i = 0; i < cat->n; i++)
        if (cat->e[i].kind == kind && strcmp(cat->e[i].id, id) == 0)
            return &cat->e[i];
    return NULL;
}

/* A location or service by name in any case, preferring an active one; *active says
 * how many active ones have that name. */
static const struct catalog_entry *find_name(const struct catalog *cat, char kind, const char *s,
                                             int *active)
{
    const struct catalog_entry *hit = NULL;
    *active = 0;
    for (size_t i = 0; i < cat->n; i++)
        if (cat->e[i].kind == kind && strcasecmp(cat->e[i].text, s) == 0) {
            if (!hit || (!hit->active && cat->e[i].active))
                hit = &cat->e[i];
            *active += cat->e[i].active;
        }
    return hit;
}

/* --- checking a practitioner -------------------------------------------------------- */

/* ISO 639-1: every two-letter code. */
static const char iso639[] =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu "
    "cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi "
    "ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks "
    "ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl "
    "nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl "
    "sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve "
    "vi vo wa wo xh yi yo za zh zu";

bool iso639_1(const char *code)
{
    if (strlen(code) != 2 || !islower((unsigned char)code[0]) || !islower((unsigned char)code[1]))
        return false;
    for (size_t i = 0; i + 1 < sizeof(iso639); i += 3)
        if (iso639[i] == code[0] && iso639[i + 1] == code[1])
            return true;
    return false;
}

#define MAX_NAME_CHARS 200
#define MAX_CREDENTIALS_CHARS 500
#define MAX_BIO_CHARS 5000
#define MAX_LANGUAGES 20
#define MAX_TERMS 30    /* techniques, conditions */
#define MAX_LINKS 50    /* locations, services */

struct check {
    const struct catalog *cat;
    problem_fn problem;
    void *ctx;
    int problems;
};

static void problem(struct check *ck, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(struct check *ck, const char *field, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ck->problems++;
    ck->problem(ck->ctx, field, msg);
}

static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

const char *check_shown(const char *s, char *out, size_t n)
{
    size_t len = strlen(s);
    if (len + 1 <= n) {
        snprintf(out, n, "%s", s);
        return out;
    }
    size_t cut = n - 4; /* room for "..." */
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--;
    snprintf(out, n, "%.*s...", (int)cut, s);
    return out;
}

/* Member name of src when present, not null and of type; NULL otherwise, and after a
 * problem "<name> must be <what>" when it has another type (*bad). */
static json_t *typed_member(struct check *ck, json_t *src, const char *name, json_type type,
                            const char *what, bool *bad)
{
    json_t *v = json_object_get(src, name);
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    if (json_typeof(v) != type) {
        problem(ck, name, "%s must be %s", name, what);
        *bad = true;
        return NULL;
    }
    return v;
}

/* A text member: NULL when absent or null (*null tells which); NULL after a problem too. */
static const char *text_member(struct check *ck, json_t *src, const char *name, size_t max_chars,
                               bool single_line, bool *null)
{
    bool bad;
    json_t *v = typed_member(ck, src, name, JSON_STRING, "a string", &bad);
    *null = json_is_null(json_object_get(src, name));
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!text_clean(s, len, single_line ? TEXT_LINE : TEXT_LINES)) {
        problem(ck, name, "%s holds control characters%s", name,
                single_line ? " or line breaks (it must be one line of text)"
                            : " (line breaks are the only ones allowed)");
        return NULL;
    }
    if (utf8_chars(s, len) > max_chars) {
        problem(ck, name, "%s is longer than %zu characters", name, max_chars);
        return NULL;
    }
    return s;
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

/* A list member: an array of non-empty strings, at most max.  NULL when absent (or
 * after a problem: *bad). */
static json_t *list_member(struct check *ck, json_t *src, const char *name, size_t max, bool *bad)
{
    json_t *v = typed_member(ck, src, name, JSON_ARRAY, "a list of strings", bad);
    if (!v)
        return NULL;
    if (json_array_size(v) > max) {
        problem(ck, name, "%s may hold at most %zu entries", name, max);
        *bad = true;
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (!json_is_string(x) || blank(json_string_value(x)) || json_string_length(x) > 200) {
            problem(ck, name, "%s must hold non-empty strings of at most 200 bytes", name);
            *bad = true;
            return NULL;
        }
    }
    return v;
}

static void append_unique_int(json_t *arr, json_int_t v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (json_integer_value(x) == v)
            return;
    }
    json_array_append_new(arr, json_integer(v));
}

static void append_unique_str(json_t *arr, const char *v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) {
        if (strcmp(json_string_value(x), v) == 0)
            return;
    }
    json_array_append_new(arr, json_string(v));
}

/* A UUID in any case, lower-cased into out (37 bytes). */
static bool uuid_norm(const char *s, char *out)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[36] = '\0';
    return is_uuid(out);
}

/* One entry s of list name, resolved into the list into (true), or a problem (false). */
typedef bool (*entry_fn)(struct check *ck, const char *name, const char *s, json_t *into,
                         const void *arg);

/* Every entry of list through each; out[out_name] is the resolved list when each entry
 * resolved, and is left alone after any problem (all of them are told). */
static void resolve_list(struct check *ck, json_t *list, json_t *out, const char *name,
                         const char *out_name, entry_fn each, const void *arg)
{
    json_t *into = json_array();
    size_t i;
    json_t *x;
    bool ok = true;
    json_array_foreach(list, i, x) {
        if (!each(ck, name, json_string_value(x), into, arg))
            ok = false;
    }
    if (ok)
        json_object_set_new(out, out_name, into);
    else
        json_decref(into);
}

struct term_kind {
    char kind;
    const char *listing; /* where the known ones are listed */
};

static bool term_entry(struct check *ck, const char *name, const char *s, json_t *into,
                       const void *arg)
{
    const struct term_kind *t = arg;
    const struct catalog_entry *e = find_term(ck->cat, t->kind, s);
    if (!e) {
        char v[80];
        problem(ck, name, "%s: '%s' is not known (see %s)", name, check_shown(s, v, sizeof(v)),
                t->listing);
        return false;
    }
    append_unique_int(into, (json_int_t)strtol(e->id, NULL, 10));
    return true;
}

/* Techniques or conditions: each by slug, name or alias. */
static void resolve_terms(struct check *ck, json_t *src, json_t *out, const char *name, char kind,
                          const char *out_name, const char *listing)
{
    bool bad;
    json_t *list = list_member(ck, src, name, MAX_TERMS, &bad);
    if (!list) {
        if (!bad && json_is_null(json_object_get(src, name)))
            json_object_set_new(out, out_name, json_array());
        return;
    }
    struct term_kind t = {kind, listing};
    resolve_list(ck, list, out, name, out_name, term_entry, &t);
}

struct link_kind {
    char kind;
    const char *what; /* "location" or "service" */
    bool by_name;
};

static bool link_entry(struct check *ck, const char *name, const char *s, json_t *into,
                       const void *arg)
{
    const struct link_kind *l = arg;
    char id[37], v[80];
    const struct catalog_entry *e = NULL;
    if (uuid_norm(s, id)) {
        e = find_id(ck->cat, l->kind, id);
    } else if (l->by_name) {
        int active;
        e = find_name(ck->cat, l->kind, s, &active);
        if (active > 1) {
            problem(ck, name, "%s: %d %ss are named '%s'; give the id instead", name, active,
                    l->what, check_shown(s, v, sizeof(v)));
            return false;
        }
    } else {
        problem(ck, name, "%s: '%s' is not an id of a %s of this clinic", name,
                check_shown(s, v, sizeof(v)), l->what);
        return false;
    }
    if (!e) {
        problem(ck, name, "%s: '%s' is not a %s of this clinic", name, check_shown(s, v, sizeof(v)),
                l->what);
        return false;
    }
    if (!e->active) {
        problem(ck, name, "%s: the %s '%s' is deactivated", name, l->what,
                check_shown(e->text, v, sizeof(v)));
        return false;
    }
    append_unique_str(into, e->id);
    return true;
}

/* Locations or services of this clinic, by id (or, with by_name, by name).  With
 * at_least_one the list may not be empty; with required it may not be absent. */
static void resolve_links(struct check *ck, json_t *src, json_t *out, const char *name, char kind,
                          const char *what, bool by_name, bool at_least_one, bool required)
{
    bool bad;
    json_t *given = json_object_get(src, name);
    json_t *list = list_member(ck, src, name, MAX_LINKS, &bad);
    if (bad)
        return;
    if (!list && !given) {
        if (required)
            problem(ck, name, "%s is required (at least one %s)", name, what);
        return;
    }
    if (at_least_one && (!list || json_array_size(list) == 0)) {
        problem(ck, name, "a practitioner needs at least one %s", what);
        return;
    }
    struct link_kind l = {kind, what, by_name};
    resolve_list(ck, list, out, name, name, link_entry, &l);
}

static void check_bool(struct check *ck, json_t *src, json_t *out, const char *name, bool update,
                       bool dflt)
{
    json_t *v = json_object_get(src, name);
    if (!v || (json_is_null(v) && !update)) {
        if (!update)
            json_object_set_new(out, name, json_boolean(dflt));
        return;
    }
    if (!json_is_boolean(v)) {
        problem(ck, name, "%s must be true or false", name);
        return;
    }
    json_object_set_new(out, name, json_boolean(json_is_true(v)));
}

static bool language_entry(struct check *ck, const char *name, const char *s, json_t *into,
                           const void *arg)
{
    (void)arg;
    char code[3] = {0}, v[40];
    if (strlen(s) == 2) {
        code[0] = (char)tolower((unsigned char)s[0]);
        code[1] = (char)tolower((unsigned char)s[1]);
    }
    if (!iso639_1(code)) {
        problem(ck, name, "%s: '%s' is not a two-letter ISO 639-1 code such as en", name,
                check_shown(s, v, sizeof(v)));
        return false;
    }
    append_unique_str(into, code);
    return true;
}

static void check_languages(struct check *ck, json_t *src, json_t *out, bool update)
{
    bool bad;
    json_t *list = list_member(ck, src, "languages", MAX_LANGUAGES, &bad);
    if (!list) {
        if (!bad && !update)
            json_object_set_new(out, "languages", json_pack("[s]", "en"));
        else if (!bad && json_is_null(json_object_get(src, "languages")))
            problem(ck, "languages", "languages needs at least one language");
        return;
    }
    if (json_array_size(list) == 0) {
        problem(ck, "languages", "languages needs at least one language");
        return;
    }
    resolve_list(ck, list, out, "languages", "languages", language_entry, NULL);
}

json_t *pract_check(const struct catalog *cat, json_t *src, enum pract_mode mode, bool by_name,
                    problem_fn cb, void *ctx)
{
    struct check ck = {cat, cb, ctx, 0};
    bool update = mode == PRACT_UPDATE, null;
    json_t *out = json_object();

    json_t *nv = json_object_get(src, "name");
    if (!nv || json_is_null(nv)) {
        if (nv || !update)
            problem(&ck, "name", update ? "name cannot be removed" : "name is required");
    } else {
        const char *name = text_member(&ck, src, "name", MAX_NAME_CHARS, true, &null);
        if (name && blank(name))
            problem(&ck, "name", "name must not be empty");
        else if (name)
            json_object_set_new(out, "name", json_string(name));
    }

    json_t *pv = json_object_get(src, "profession");
    if (json_is_string(pv)) {
        const struct catalog_entry *e = find_term(cat, 'p', json_string_value(pv));
        char v[80];
        if (e)
            json_object_set_new(out, "profession_id",
                                json_integer((json_int_t)strtol(e->id, NULL, 10)));
        else
            problem(&ck, "profession",
                    "profession: '%s' is not known (see GET /api/v1/professions)",
                    check_shown(json_string_value(pv), v, sizeof(v)));
    } else if (pv && !json_is_null(pv)) {
        problem(&ck, "profession", "profession must be a string such as massage-therapist");
    } else if (pv || !update) {
        problem(&ck, "profession", update ? "profession cannot be removed" : "profession is required");
    }

    static const struct {
        const char *name;
        size_t max;
        bool single_line;
    } texts[] = {{"credentials", MAX_CREDENTIALS_CHARS, true}, {"bio", MAX_BIO_CHARS, false}};
    for (size_t i = 0; i < 2; i++) {
        const char *s =
            text_member(&ck, src, texts[i].name, texts[i].max, texts[i].single_line, &null);
        if (s)
            json_object_set_new(out, texts[i].name, json_string(s));
        else if (null || (!update && !json_object_get(src, texts[i].name)))
            json_object_set_new(out, texts[i].name, json_string("")); /* null clears */
    }

    check_languages(&ck, src, out, update);
    check_bool(&ck, src, out, "accepting_new", update, true);
    check_bool(&ck, src, out, "home_visits", update, false);
    check_bool(&ck, src, out, "sliding_scale", update, false);
    resolve_terms(&ck, src, out, "techniques", 't', "technique_ids", "GET /api/v1/techniques");
    resolve_terms(&ck, src, out, "conditions", 'c', "condition_ids", "GET /api/v1/conditions");
    if (!update) {
        if (!json_object_get(out, "technique_ids"))
            json_object_set_new(out, "technique_ids", json_array());
        if (!json_object_get(out, "condition_ids"))
            json_object_set_new(out, "condition_ids", json_array());
    }
    resolve_links(&ck, src, out, "service_ids", 'S', "service", by_name, false, false);
    if (!update && !json_object_get(out, "service_ids"))
        json_object_set_new(out, "service_ids", json_array());
    resolve_links(&ck, src, out, "location_ids", 'L', "location", by_name, true, !update);

    if (ck.problems) {
        json_decref(out);
        return NULL;
    }
    return out;
}
