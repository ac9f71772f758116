/* Practitioners in bulk: the CSV parser, the practitioner checks shared by the JSON API
 * and CSV imports, and the statements that load the catalog and insert in chunks. */
#include "staff/imports.h"
#include "util/buf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/parse.h"

/* --- CSV --------------------------------------------------------------------------- */

/* Offset of the first byte that is not clean UTF-8 text (NUL, a control character
 * other than tab and line breaks, a bad or overlong sequence), or len. */
static size_t utf8_bad_at(const unsigned char *p, size_t len, bool *control)
{
    size_t i = 0;
    *control = false;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                *control = true;
                return i;
            }
            i++;
            continue;
        }
        size_t n;
        unsigned int cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return i;
        }
        if (n >= len - i)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += n + 1;
    }
    return len;
}

/* Line number (from 1) of offset off, counting CRLF, LF and lone CR as one break. */
static size_t line_of(const char *d, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= off || d[i + 1] != '\n')))
            line++;
    return line;
}

static void csv_fail(struct csv_error *err, size_t line, size_t record, const char *msg)
{
    err->line = line;
    err->record = record;
    snprintf(err->message, sizeof(err->message), "%s", msg);
}

/* The growing arrays of a parse. */
struct csv_build {
    struct csv *c;
    size_t fcap, rcap, tlen;
};

static void push_field(struct csv_build *b, size_t start)
{
    struct csv *c = b->c;
    if (c->nfields == b->fcap) {
        b->fcap = b->fcap ? b->fcap * 2 : 64;
        c->field = xrealloc(c->field, b->fcap * sizeof(*c->field));
        c->field_len = xrealloc(c->field_len, b->fcap * sizeof(*c->field_len));
    }
    c->field[c->nfields] = start;
    c->field_len[c->nfields] = b->tlen - start;
    c->nfields++;
    c->text[b->tlen++] = '\0';
}

static void push_record(struct csv_build *b, size_t first, size_t line)
{
    struct csv *c = b->c;
    if (c->nrec == b->rcap) {
        b->rcap = b->rcap ? b->rcap * 2 : 16;
        c->rec = xrealloc(c->rec, b->rcap * sizeof(*c->rec));
    }
    c->rec[c->nrec].first = first;
    c->rec[c->nrec].nfields = c->nfields - first;
    c->rec[c->nrec].line = line;
    c->nrec++;
}

int csv_parse(const char *data, size_t len, size_t max_records, size_t max_fields,
              struct csv *out, struct csv_error *err)
{
    int rc = -1;
    memset(out, 0, sizeof(*out));
    memset(err, 0, sizeof(*err));
    size_t pos = 0, line = 1;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        pos = 3;
    bool control;
    size_t bad = pos + utf8_bad_at((const unsigned char *)data + pos, len - pos, &control);
    if (bad < len) {
        csv_fail(err, line_of(data, bad), 0,
                 control ? "the file holds a control character (only tab and line breaks may "
                           "appear in text)"
                         : "the file is not UTF-8 text (save it as \"CSV UTF-8\")");
        goto out;
    }
    /* unescaped text never outgrows the input: quotes and separators are dropped, and
     * each field's NUL takes the place of the separator that ended it */
    out->text = xmalloc(len - pos + 1);
    struct csv_build b = {.c = out};
    while (pos < len) {
        if (data[pos] == '\n' || data[pos] == '\r') { /* a blank line */
            pos += (data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n') ? 2 : 1;
            line++;
            continue;
        }
        if (out->nrec == max_records) {
            csv_fail(err, line, out->nrec + 1, "the file has too many rows");
            goto out;
        }
        size_t first = out->nfields, rec_line = line;
        for (;;) { /* one field */
            if (out->nfields - first == max_fields) {
                csv_fail(err, line, out->nrec + 1, "a row has too many columns");
                goto out;
            }
            size_t start = b.tlen, look = pos;
            while (look < len && (data[look] == ' ' || data[look] == '\t'))
                look++;
            if (look < len && data[look] == '"') {
                size_t open_line = line;
                pos = look + 1;
                for (;;) {
                    if (pos >= len) {
                        csv_fail(err, open_line, out->nrec + 1,
                                 "a quoted field is never closed (a missing double quote)");
                        goto out;
                    }
                    char ch = data[pos];
                    if (ch == '"') {
                        if (pos + 1 < len && data[pos + 1] == '"') {
                            out->text[b.tlen++] = '"';
                            pos += 2;
                            continue;
                        }
                        pos++;
                        break;
                    }
                    if (ch == '\r' || ch == '\n') { /* line breaks inside become LF */
                        pos += (ch == '\r' && pos + 1 < len && data[pos + 1] == '\n') ? 2 : 1;
                        out->text[b.tlen++] = '\n';
                        line++;
                        continue;
                    }
                    out->text[b.tlen++] = ch;
                    pos++;
                }
                while (pos < len && (data[pos] == ' ' || data[pos] == '\t'))
                    pos++;
                if (pos < len && data[pos] != ',' && data[pos] != '\r' && data[pos] != '\n') {
                    csv_fail(err, line, out->nrec + 1,
                             "text follows a closing double quote (inside quotes, write a "
                             "double quote twice)");
                    goto out;
                }
            } else {
                while (pos < len && data[pos] != ',' && data[pos] != '\r' && data[pos] != '\n') {
                    if (data[pos] == '"') {
                        csv_fail(err, line, out->nrec + 1,
                                 "a double quote inside a field that does not start with one "
                                 "(quote the whole field and write the quote twice)");
                        goto out;
                    }
                    out->text[b.tlen++] = data[pos++];
                }
            }
            push_field(&b, start);
            if (pos < len && data[pos] == ',') {
                pos++;
                continue;
            }
            if (pos < len) { /* a line break ends the record */
                pos += (data[pos] == '\r' && pos + 1 < len && data[pos + 1] == '\n') ? 2 : 1;
                line++;
            }
            break;
        }
        push_record(&b, first, rec_line);
    }
    rc = 0;
out:
    if (rc != 0)
        csv_release(out);
    return rc;
}

void csv_release(struct csv *c)
{
    free(c->text);
    free(c->field);
    free(c->field_len);
    free(c->rec);
    memset(c, 0, sizeof(*c));
}

const char *csv_field(const struct csv *c, size_t rec, size_t col, size_t *len)
{
    if (rec >= c->nrec || col >= c->rec[rec].nfields)
        return NULL;
    size_t f = c->rec[rec].first + col;
    if (len)
        *len = c->field_len[f];
    return c->text + c->field[f];
}

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

/* A value quoted for a message, shortened. */
static const char *shown(const char *s, char *out, size_t n)
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

/* A text member: NULL when absent or null (*null tells which); NULL after a problem too. */
static const char *text_member(struct check *ck, json_t *src, const char *name, size_t max_chars,
                               bool single_line, bool *null)
{
    json_t *v = json_object_get(src, name);
    *null = v && json_is_null(v);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        problem(ck, name, "%s must be a string", name);
        return NULL;
    }
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
    json_t *v = json_object_get(src, name);
    *bad = false;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v)) {
        problem(ck, name, "%s must be a list of strings", name);
        *bad = true;
        return NULL;
    }
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
    json_t *ids = json_array();
    size_t i;
    json_t *x;
    bool ok = true;
    json_array_foreach(list, i, x) {
        const struct catalog_entry *e = find_term(ck->cat, kind, json_string_value(x));
        if (!e) {
            char v[80];
            problem(ck, name, "%s: '%s' is not known (see %s)", name,
                    shown(json_string_value(x), v, sizeof(v)), listing);
            ok = false;
            continue;
        }
        append_unique_int(ids, (json_int_t)strtol(e->id, NULL, 10));
    }
    if (ok)
        json_object_set_new(out, out_name, ids);
    else
        json_decref(ids);
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
    json_t *ids = json_array();
    size_t i;
    json_t *x;
    bool ok = true;
    json_array_foreach(list, i, x) {
        const char *s = json_string_value(x);
        char id[37], v[80];
        const struct catalog_entry *e = NULL;
        if (uuid_norm(s, id)) {
            e = find_id(ck->cat, kind, id);
        } else if (by_name) {
            int active;
            e = find_name(ck->cat, kind, s, &active);
            if (active > 1) {
                problem(ck, name, "%s: %d %ss are named '%s'; give the id instead", name, active,
                        what, shown(s, v, sizeof(v)));
                ok = false;
                continue;
            }
        } else {
            problem(ck, name, "%s: '%s' is not an id of a %s of this clinic", name,
                    shown(s, v, sizeof(v)), what);
            ok = false;
            continue;
        }
        if (!e) {
            problem(ck, name, "%s: '%s' is not a %s of this clinic", name, shown(s, v, sizeof(v)),
                    what);
            ok = false;
        } else if (!e->active) {
            problem(ck, name, "%s: the %s '%s' is deactivated", name, what,
                    shown(e->text, v, sizeof(v)));
            ok = false;
        } else {
            append_unique_str(ids, e->id);
        }
    }
    if (ok)
        json_object_set_new(out, name, ids);
    else
        json_decref(ids);
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
    json_t *langs = json_array();
    size_t i;
    json_t *x;
    bool ok = true;
    json_array_foreach(list, i, x) {
        const char *s = json_string_value(x);
        char code[3] = {0}, v[40];
        if (strlen(s) == 2) {
            code[0] = (char)tolower((unsigned char)s[0]);
            code[1] = (char)tolower((unsigned char)s[1]);
        }
        if (!iso639_1(code)) {
            problem(ck, "languages", "languages: '%s' is not a two-letter ISO 639-1 code such as en",
                    shown(s, v, sizeof(v)));
            ok = false;
            continue;
        }
        append_unique_str(langs, code);
    }
    if (ok)
        json_object_set_new(out, "languages", langs);
    else
        json_decref(langs);
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
                    shown(json_string_value(pv), v, sizeof(v)));
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

/* --- importing a CSV file ----------------------------------------------------------- */

enum col_kind { COL_TEXT, COL_BOOL, COL_LANGS, COL_LIST };

static const struct {
    const char *name;
    enum col_kind kind;
    bool required;
} columns[] = {
    {"name", COL_TEXT, true},         {"profession", COL_TEXT, true},
    {"credentials", COL_TEXT, false}, {"bio", COL_TEXT, false},
    {"languages", COL_LANGS, false},  {"accepting_new", COL_BOOL, false},
    {"home_visits", COL_BOOL, false}, {"sliding_scale", COL_BOOL, false},
    {"techniques", COL_LIST, false},  {"conditions", COL_LIST, false},
    {"location_ids", COL_LIST, true}, {"service_ids", COL_LIST, false},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

struct row_ctx {
    json_t *errors;
    size_t row, line;
    const bool *missing; /* columns[] the header lacks: reported once, not per row */
};

/* row 0: not known (the file could not be read that far as CSV) */
static void add_error(json_t *errors, size_t row, size_t line, const char *field, const char *msg)
{
    json_array_append_new(errors, json_pack("{s:o, s:I, s:s, s:s}", "row",
                                            row ? json_integer((json_int_t)row) : json_null(),
                                            "line", (json_int_t)line, "field", field, "message",
                                            msg));
}

static void row_problem(void *ctx, const char *field, const char *msg)
{
    struct row_ctx *rc = ctx;
    for (size_t j = 0; rc->missing && j < NCOLUMNS; j++)
        if (rc->missing[j] && strcmp(columns[j].name, field) == 0)
            return;
    add_error(rc->errors, rc->row, rc->line, field, msg);
}

/* s[0..len) without surrounding white space, as a new JSON string. */
static json_t *trimmed(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    return len ? json_stringn(s, len) : NULL;
}

/* Splits a cell at any of seps into an array of trimmed, non-empty strings. */
static json_t *split(const char *s, size_t len, const char *seps)
{
    json_t *arr = json_array();
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && !strchr(seps, s[i]))
            continue;
        json_t *part = trimmed(s + start, i - start);
        if (part)
            json_array_append_new(arr, part);
        start = i + 1;
    }
    return arr;
}

/* Reads the header into col_of (CSV column -> columns[] index, -1 for a column that
 * is unknown or repeated) and missing (required columns[] it lacks); reports every
 * problem.  The rows can be checked after any of them. */
static void read_header(const struct csv *c, int *col_of, bool *missing, json_t *errors)
{
    bool seen[NCOLUMNS] = {0};
    size_t ncols = c->rec[0].nfields, line = c->rec[0].line;
    for (size_t k = 0; k < ncols; k++) {
        size_t len = 0;
        const char *h = csv_field(c, 0, k, &len);
        json_t *name = trimmed(h, len);
        char msg[400], v[64];
        col_of[k] = -1;
        for (size_t j = 0; name && j < NCOLUMNS && col_of[k] < 0; j++)
            if (strcasecmp(json_string_value(name), columns[j].name) == 0)
                col_of[k] = (int)j;
        if (!name) {
            snprintf(msg, sizeof(msg), "column %zu has no name in the header row", k + 1);
            add_error(errors, 1, line, "header", msg);
        } else if (col_of[k] < 0) {
            snprintf(msg, sizeof(msg),
                     "unknown column '%s'; the columns are name, profession, credentials, bio, "
                     "languages, accepting_new, home_visits, sliding_scale, techniques, "
                     "conditions, location_ids and service_ids",
                     shown(json_string_value(name), v, sizeof(v)));
            add_error(errors, 1, line, shown(json_string_value(name), v, sizeof(v)), msg);
        } else if (seen[col_of[k]]) {
            snprintf(msg, sizeof(msg), "the column '%s' appears twice", columns[col_of[k]].name);
            add_error(errors, 1, line, columns[col_of[k]].name, msg);
            col_of[k] = -1;
        } else {
            seen[col_of[k]] = true;
        }
        json_decref(name);
    }
    for (size_t j = 0; j < NCOLUMNS; j++)
        if (columns[j].required && !seen[j]) {
            char msg[200];
            snprintf(msg, sizeof(msg), "the header row needs a '%s' column", columns[j].name);
            add_error(errors, 1, line, columns[j].name, msg);
            missing[j] = true;
        }
}

/* The row's cells as a practitioner in the API's JSON shape; problems go to rc. */
static json_t *row_source(const struct csv *c, size_t rec, const int *col_of, struct row_ctx *rc)
{
    json_t *src = json_object();
    for (size_t k = 0; k < c->rec[rec].nfields; k++) {
        size_t len = 0;
        const char *s = csv_field(c, rec, k, &len);
        if (col_of[k] < 0)
            continue; /* reported with the header */
        const char *name = columns[col_of[k]].name;
        if (len > CSV_MAX_FIELD_BYTES) {
            char msg[120];
            snprintf(msg, sizeof(msg), "%s is longer than %d bytes", name, CSV_MAX_FIELD_BYTES);
            row_problem(rc, name, msg);
            continue;
        }
        json_t *cell = trimmed(s, len);
        if (!cell)
            continue; /* empty: absent */
        switch (columns[col_of[k]].kind) {
        case COL_TEXT:
            json_object_set(src, name, cell);
            break;
        case COL_BOOL: {
            bool b;
            if (parse_bool(json_string_value(cell), &b) == 0) {
                json_object_set_new(src, name, json_boolean(b));
            } else {
                char msg[160], v[40];
                snprintf(msg, sizeof(msg), "%s must be true or false (or yes/no, 1/0), not '%s'",
                         name, shown(json_string_value(cell), v, sizeof(v)));
                row_problem(rc, name, msg);
            }
            break;
        }
        case COL_LANGS:
            json_object_set_new(src, name, split(s, len, " ;,\t\n"));
            break;
        case COL_LIST:
            json_object_set_new(src, name, split(s, len, ";"));
            break;
        }
        json_decref(cell);
    }
    return src;
}

size_t import_check(const struct catalog *cat, const char *data, size_t len,
                    struct import_result *res, progress_fn progress, void *ctx)
{
    struct csv c;
    struct csv_error cerr;
    int *col_of = NULL;
    res->rows = json_array();
    res->errors = json_array();
    res->nrows = 0;
    res->malformed = false;
    if (csv_parse(data, len, CSV_MAX_ROWS + 1, CSV_MAX_COLUMNS, &c, &cerr) < 0) {
        char msg[260];
        if (cerr.record > CSV_MAX_ROWS)
            snprintf(msg, sizeof(msg), "the file has more than %d rows; split it", CSV_MAX_ROWS);
        else if (strstr(cerr.message, "too many columns"))
            snprintf(msg, sizeof(msg), "a row has more than %d columns", CSV_MAX_COLUMNS);
        else
            snprintf(msg, sizeof(msg), "%s", cerr.message);
        add_error(res->errors, cerr.record, cerr.line, "file", msg);
        res->malformed = cerr.record <= CSV_MAX_ROWS && !strstr(cerr.message, "too many");
        return 1;
    }
    if (c.nrec == 0) {
        add_error(res->errors, 1, 1, "file",
                  "the file is empty: it needs a header row naming the columns, then one row "
                  "per practitioner");
        goto out;
    }
    col_of = xcalloc(c.rec[0].nfields, sizeof(*col_of));
    bool missing[NCOLUMNS] = {0};
    read_header(&c, col_of, missing, res->errors);
    size_t ncols = c.rec[0].nfields;
    res->nrows = c.nrec - 1;
    if (res->nrows == 0) {
        add_error(res->errors, 1, c.rec[0].line, "file",
                  "the file has a header row but no practitioners");
        goto out;
    }
    for (size_t rec = 1; rec < c.nrec; rec++) {
        struct row_ctx rc = {res->errors, rec + 1, c.rec[rec].line, missing};
        if (progress && rec % 256 == 0)
            progress(ctx, rec, res->nrows);
        if (c.rec[rec].nfields != ncols) {
            char msg[200];
            snprintf(msg, sizeof(msg),
                     "the row has %zu fields where the header has %zu (a missing or extra comma, "
                     "or a quote left open?)",
                     c.rec[rec].nfields, ncols);
            row_problem(&rc, "row", msg);
            continue;
        }
        size_t before = json_array_size(res->errors);
        json_t *src = row_source(&c, rec, col_of, &rc);
        json_t *p = pract_check(cat, src, PRACT_CREATE, true, row_problem, &rc);
        json_decref(src);
        if (p && json_array_size(res->errors) == before)
            json_array_append_new(res->rows, p);
        else
            json_decref(p);
    }
    if (progress)
        progress(ctx, res->nrows, res->nrows);
out:
    free(col_of);
    csv_release(&c);
    return json_array_size(res->errors);
}

void import_result_release(struct import_result *res)
{
    json_decref(res->rows);
    json_decref(res->errors);
    res->rows = res->errors = NULL;
}

/* --- the database ------------------------------------------------------------------- */

DB_STMT(st_catalog,
        "SELECT 'p', slug::text, id::text, true FROM professions"
        " UNION ALL SELECT 'p', name, id::text, true FROM professions"
        " UNION ALL SELECT 't', slug::text, id::text, true FROM techniques"
        " UNION ALL SELECT 't', name, id::text, true FROM techniques"
        " UNION ALL SELECT 't', alias::text, technique_id::text, true FROM technique_aliases"
        " UNION ALL SELECT 'c', slug::text, id::text, true FROM conditions"
        " UNION ALL SELECT 'c', name, id::text, true FROM conditions"
        " UNION ALL SELECT 'c', alias::text, condition_id::text, true FROM condition_aliases"
        " UNION ALL SELECT 'L', name, id::text, active FROM locations WHERE clinic_id = $1::uuid"
        " UNION ALL SELECT 'S', name, id::text, active FROM services WHERE clinic_id = $1::uuid",
        1);

/* $2 is a JSON array of pract_check's PRACT_CREATE objects.  The ids are made first
 * (a materialized CTE runs once) so that every link table can use them; the foreign
 * keys are checked at the end of the statement, when the practitioners exist. */
DB_STMT(st_insert,
        "WITH r AS MATERIALIZED (SELECT gen_random_uuid() AS id, t.ord, t.e"
        "   FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS t(e, ord)),"
        " p AS (INSERT INTO practitioners (id, clinic_id, name, profession_id, credentials, bio,"
        "   languages, accepting_new, home_visits, sliding_scale)"
        "   SELECT r.id, $1::uuid, r.e->>'name', (r.e->>'profession_id')::smallint,"
        "   r.e->>'credentials', r.e->>'bio', ARRAY(SELECT jsonb_array_elements_text(r.e->'languages')),"
        "   (r.e->>'accepting_new')::bool, (r.e->>'home_visits')::bool,"
        "   (r.e->>'sliding_scale')::bool FROM r),"
        " pl AS (INSERT INTO practitioner_locations (clinic_id, practitioner_id, location_id)"
        "   SELECT $1::uuid, r.id, x::uuid FROM r, jsonb_array_elements_text(r.e->'location_ids') x),"
        " pt AS (INSERT INTO practitioner_techniques (clinic_id, practitioner_id, technique_id)"
        "   SELECT $1::uuid, r.id, x::smallint FROM r, jsonb_array_elements_text(r.e->'technique_ids') x),"
        " pc AS (INSERT INTO practitioner_conditions (clinic_id, practitioner_id, condition_id)"
        "   SELECT $1::uuid, r.id, x::smallint FROM r, jsonb_array_elements_text(r.e->'condition_ids') x),"
        " ps AS (INSERT INTO practitioner_services (clinic_id, practitioner_id, service_id)"
        "   SELECT $1::uuid, r.id, x::uuid FROM r, jsonb_array_elements_text(r.e->'service_ids') x)"
        " SELECT r.id FROM r ORDER BY r.ord",
        2);

static bool result_ok(PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK;
}

int import_catalog_load(const struct import_db *db, const char *clinic_id, struct catalog *cat,
                        PGresult **failed)
{
    const char *v[] = {clinic_id};
    PGresult *res = db->exec(db->ctx, &st_catalog, v);
    cat->e = NULL;
    cat->n = 0;
    *failed = NULL;
    if (!res || !result_ok(res)) {
        *failed = res;
        return -1;
    }
    size_t n = (size_t)PQntuples(res);
    cat->e = xcalloc(n ? n : 1, sizeof(*cat->e));
    for (size_t i = 0; i < n; i++) {
        struct catalog_entry *e = &cat->e[i];
        e->kind = PQgetvalue(res, (int)i, 0)[0];
        e->text = xstrdup(PQgetvalue(res, (int)i, 1));
        snprintf(e->id, sizeof(e->id), "%s", PQgetvalue(res, (int)i, 2));
        e->active = PQgetvalue(res, (int)i, 3)[0] == 't';
    }
    cat->n = n;
    PQclear(res);
    return 0;
}

/* The read models (migration 0006) are rebuilt once per chunk rather than by every
 * table's trigger in turn: bulk mode for the insert, then one refresh of the chunk. */
DB_STMT(st_bulk_on, "SELECT set_config('clinicd.bulk_load', 'on', true)", 0);
DB_STMT(st_refresh_chunk,
        "SELECT set_config('clinicd.bulk_load', 'off', true),"
        " refresh_practitioner_cards($1::uuid[])",
        1);

int import_insert(const struct import_db *db, const char *clinic_id, json_t *rows, size_t from,
                  size_t n, json_t *ids, PGresult **failed)
{
    int rc = -1;
    PGresult *res = NULL;
    json_t *chunk = json_array();
    for (size_t i = from; i < from + n && i < json_array_size(rows); i++)
        json_array_append(chunk, json_array_get(rows, i));
    char *text = json_dumps(chunk, JSON_COMPACT);
    *failed = NULL;
    const char *v[] = {clinic_id, text};
    res = db->exec(db->ctx, &st_bulk_on, NULL);
    if (!res || !result_ok(res)) {
        *failed = res;
        res = NULL;
        goto out;
    }
    PQclear(res);
    res = db->exec(db->ctx, &st_insert, v);
    if (!res || !result_ok(res)) {
        *failed = res;
        res = NULL;
        goto out;
    }
    struct buf chunk_ids;
    buf_init(&chunk_ids, 0);
    buf_putc(&chunk_ids, '{');
    for (int i = 0; i < PQntuples(res); i++) {
        json_array_append_new(ids, json_string(PQgetvalue(res, i, 0)));
        buf_printf(&chunk_ids, "%s%s", i ? "," : "", PQgetvalue(res, i, 0));
    }
    buf_putc(&chunk_ids, '}');
    PQclear(res);
    const char *rv[] = {chunk_ids.data};
    res = db->exec(db->ctx, &st_refresh_chunk, rv);
    buf_release(&chunk_ids);
    if (!res || !result_ok(res)) {
        *failed = res;
        res = NULL;
        goto out;
    }
    rc = 0;
out:
    PQclear(res);
    free(text);
    json_decref(chunk);
    return rc;
}
