/* Input checks that collect problems per field: query parameters, a JSON body and its
 * members, replied as one problem+json listing every field. */
#include "api/input.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timefmt.h"
#include "http/reply.h"
#include "util/parse.h"

void input_init(struct input *in, struct req *r)
{
    in->r = r;
    in->errors = NULL;
    in->malformed = false;
}

void input_error(struct input *in, const char *field, bool malformed, const char *fmt, ...)
{
    char msg[300], f[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* names and values cut by a precision or a buffer may end inside a character */
    snprintf(f, sizeof(f), "%s", field);
    utf8_scrub(msg);
    utf8_scrub(f);
    if (!in->errors)
        in->errors = json_array();
    json_array_append_new(in->errors, problem_error(f, msg));
    in->malformed = in->malformed || malformed;
}

bool input_ok(const struct input *in)
{
    return in->errors == NULL;
}

void input_reply(struct input *in)
{
    int status = in->malformed ? 400 : 422;
    json_t *first = json_array_get(in->errors, 0);
    const char *detail = first ? json_string_value(json_object_get(first, "message")) : NULL;
    char d[400];
    snprintf(d, sizeof(d), "%s%s", detail ? detail : "The request has invalid values.",
             json_array_size(in->errors) > 1 ? " (and more: see errors)" : "");
    reply_problem(in->r, status, in->malformed ? "malformed" : "invalid",
                  in->malformed ? "Malformed request" : "Invalid values", d, in->errors);
    in->errors = NULL;
}

void input_release(struct input *in)
{
    json_decref(in->errors);
    in->errors = NULL;
}

const char *q_str(struct input *in, const char *key, size_t maxlen)
{
    const char *vals[2];
    size_t n = target_param_all(&in->r->target, key, vals, 2);
    if (n == 0)
        return NULL;
    if (n > 1) {
        input_error(in, key, true, "%s is given more than once", key);
        return NULL;
    }
    if (strlen(vals[0]) > maxlen) {
        input_error(in, key, false, "%s is longer than %zu characters", key, maxlen);
        return NULL;
    }
    if (!text_clean(vals[0], strlen(vals[0]), TEXT_LINE)) {
        input_error(in, key, false, "%s holds control characters (it must be one line of text)",
                    key);
        return NULL;
    }
    return vals[0];
}

/* The problem of a number parameter's text, from the parser's rc: -1 it is not a number
 * of that kind ("must be <kind>"), -2 outside the range (written with range, printf
 * style); nothing for 0. */
__attribute__((format(printf, 5, 6))) static void
number_problem(struct input *in, const char *key, int rc, const char *kind, const char *range, ...)
{
    if (rc == -1) {
        input_error(in, key, true, "%s must be %s", key, kind);
    } else if (rc == -2) {
        char text[96];
        va_list ap;
        va_start(ap, range);
        vsnprintf(text, sizeof(text), range, ap);
        va_end(ap);
        input_error(in, key, false, "%s must be from %s", key, text);
    }
}

bool q_long(struct input *in, const char *key, long min, long max, long *out)
{
    const char *s = q_str(in, key, 32);
    int rc = s ? parse_long(s, min, max, out) : 1;
    number_problem(in, key, rc, "a whole number", "%ld to %ld", min, max);
    return rc == 0;
}

bool q_double(struct input *in, const char *key, double min, double max, double *out)
{
    const char *s = q_str(in, key, 32);
    int rc = s ? parse_double(s, min, max, out) : 1;
    number_problem(in, key, rc, "a number", "%g to %g", min, max);
    return rc == 0;
}

bool q_bool(struct input *in, const char *key, bool *out)
{
    const char *s = q_str(in, key, 8);
    if (!s)
        return false;
    if (parse_bool(s, out) < 0) {
        input_error(in, key, true, "%s must be true or false", key);
        return false;
    }
    return true;
}

bool input_preview(struct input *in, json_t *body, bool *preview)
{
    *preview = false;
    q_bool(in, "preview", preview);
    json_t *d = body ? json_object_get(body, "dry_run") : NULL;
    if (d && !json_is_boolean(d))
        input_error(in, "dry_run", false, "dry_run must be true or false");
    else if (d && json_is_true(d))
        *preview = true;
    return input_ok(in);
}

size_t q_all(struct input *in, const char *key, const char **values, size_t max)
{
    size_t n = target_param_all(&in->r->target, key, values, max);
    if (n > max) {
        input_error(in, key, false, "%s may be given at most %zu times", key, max);
        return 0;
    }
    return n;
}

/* Records a problem for every string of v (named path) that holds a NUL; true when
 * one did.  Nesting is bounded by jansson's parser (2048 levels). */
static bool refuse_nul(struct input *in, json_t *v, const char *path)
{
    bool found = false;
    if (json_is_string(v)) {
        if (memchr(json_string_value(v), '\0', json_string_length(v))) {
            input_error(in, path ? path : "body", false,
                        "%s holds control characters (a NUL)", path ? path : "body");
            found = true;
        }
    } else if (json_is_object(v)) {
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x) {
            char p[160];
            snprintf(p, sizeof(p), "%s%s%s", path ? path : "", path ? "." : "", key);
            found = refuse_nul(in, x, p) || found;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            found = refuse_nul(in, x, path) || found;
        }
    }
    return found;
}

json_t *body_object(struct input *in)
{
    struct buf *b = &in->r->body;
    if (b->len == 0) {
        input_error(in, "body", true, "the request needs a JSON object as its body");
        return NULL;
    }
    /* (control characters inside strings are each field's to refuse, by name) */
    if (memchr(b->data, '\0', b->len) || !is_utf8(b->data, b->len)) {
        input_error(in, "body", true, "the body is not valid UTF-8 text");
        return NULL;
    }
    json_error_t err;
    /* NUL ("\u0000") is let through the parser only to be refused here by the name of
     * the field that holds it: no handler ever sees a string cut short at a NUL */
    json_t *j = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    if (!j) {
        input_error(in, "body", true, "the body is not valid JSON (line %d, column %d: %s)",
                    err.line, err.column, err.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        input_error(in, "body", true, "the body must be a JSON object");
        return NULL;
    }
    if (refuse_nul(in, j, NULL)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static void field_name(char *out, size_t n, const char *prefix, const char *name)
{
    snprintf(out, n, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", name);
}

void body_only(struct input *in, json_t *obj, const char *prefix, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            char f[128];
            field_name(f, sizeof(f), prefix, key);
            input_error(in, f, false, "%.80s is not a field of this request", f);
        }
    }
}

/* body_str and body_text: a string member of at most maxlen characters, clean as
 * text_clean says for kind. */
static const char *body_string(struct input *in, json_t *obj, const char *prefix,
                               const char *name, bool required, size_t maxlen,
                               enum text_kind kind)
{
    char f[128];
    field_name(f, sizeof(f), prefix, name);
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        if (required)
            input_error(in, f, false, "%s is required", f);
        return NULL;
    }
    if (!json_is_string(v)) {
        input_error(in, f, false, "%s must be a string", f);
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!text_clean(s, len, kind)) {
        input_error(in, f, false,
                    kind == TEXT_LINE
                        ? "%s holds control characters or line breaks (it must be one line of text)"
                        : "%s holds control characters (line breaks are the only ones allowed)",
                    f);
        return NULL;
    }
    size_t chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    bool blank = true;
    for (size_t i = 0; i < len && blank; i++)
        blank = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
    if (blank) {
        input_error(in, f, false, "%s must not be empty", f);
        return NULL;
    }
    if (chars > maxlen) {
        input_error(in, f, false, "%s is longer than %zu characters", f, maxlen);
        return NULL;
    }
    return s;
}

const char *body_str(struct input *in, json_t *obj, const char *prefix, const char *name,
                     bool required, size_t maxlen)
{
    return body_string(in, obj, prefix, name, required, maxlen, TEXT_LINE);
}

const char *body_text(struct input *in, json_t *obj, const char *prefix, const char *name,
                      bool required, size_t maxlen)
{
    return body_string(in, obj, prefix, name, required, maxlen, TEXT_LINES);
}

const char *body_uuid(struct input *in, json_t *obj, const char *prefix, const char *name,
                      bool required)
{
    const char *s = body_str(in, obj, prefix, name, required, 64);
    if (s && !is_uuid(s)) {
        char f[128];
        field_name(f, sizeof(f), prefix, name);
        input_error(in, f, false, "%s must be an id as returned by this API", f);
        return NULL;
    }
    return s;
}

bool body_instant(struct input *in, json_t *obj, const char *prefix, const char *name,
                  bool required, int64_t *out)
{
    const char *s = body_str(in, obj, prefix, name, required, 40);
    if (!s)
        return false;
    if (rfc3339_parse(s, out) < 0) {
        char f[128];
        field_name(f, sizeof(f), prefix, name);
        input_error(in, f, false,
                    "%s must be a date and time with an offset, such as 2026-03-08T10:00:00-05:00",
                    f);
        return false;
    }
    return true;
}

bool plausible_email(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || at == s || strchr(at + 1, '@') || !at[1] || at[1] == '.')
        return false;
    for (const char *p = s; *p; p++)
        if (*p == ' ' || *p == '\t' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
            return false;
    return strchr(at + 1, '.') != NULL;
}

void only_params_of(struct input *in, const char *const *allowed, const char *what)
{
    const struct target *t = &in->r->target;
    for (size_t i = 0; i < t->nparams; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, t->params[i].key) == 0;
        if (!ok)
            input_error(in, t->params[i].key, false, "%.60s is not %s", t->params[i].key, what);
    }
}

void only_params(struct input *in, const char *const *allowed)
{
    only_params_of(in, allowed, "a parameter of this request");
}
