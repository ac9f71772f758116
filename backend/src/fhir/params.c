/* The FHIR R4 facade's search parameters, read strictly: names, _count and _cursor,
 * comma lists, references, tokens, strings and dates with prefixes.  Pure: problems
 * are recorded, never replied (fhir.c replies them). */
#include "fhir/params.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/timefmt.h"
#include "http/query.h"
#include "http/request.h"
#include "util/parse.h"

/* Parameters every interaction accepts, and those of every search. */
static const char *const common_params[] = {"_format", "_pretty", NULL};
static const char *const paging_params[] = {"_count", "_cursor", NULL};

static bool in_list(const char *const *list, const char *key)
{
    for (const char *const *k = list; k && *k; k++)
        if (strcmp(*k, key) == 0)
            return true;
    return false;
}

bool fhir_param_used(const struct fhir_req *f, const char *key)
{
    return in_list(common_params, key) || (f->known && (in_list(paging_params, key) ||
                                                        in_list(f->known, key)));
}

bool fhir_is_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!isalnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '.')
            return false;
    return n >= 1 && n <= 64;
}

json_t *fhir_issue_new(const char *severity, const char *code, const char *diagnostics)
{
    return json_pack("{s:s, s:s, s:s}", "severity", severity, "code", code, "diagnostics",
                     diagnostics);
}

void fhir_issue(struct fhir_req *f, const char *code, const char *param, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!f->issues)
        f->issues = json_array();
    json_t *issue = fhir_issue_new("error", code, msg);
    if (param) /* where: FHIR's http.<name> convention for parameters */
        json_object_set_new(issue, "location", json_pack("[s+]", "http.", param));
    json_array_append_new(f->issues, issue);
}

void fhir_release(struct fhir_req *f)
{
    json_decref(f->issues);
    f->issues = NULL;
}

/* _format values meaning JSON. */
static bool format_is_json(const char *v)
{
    static const char *const ok[] = {"json", "application/json", "application/fhir+json",
                                     "application/json+fhir", NULL};
    size_t n = strcspn(v, ";");
    while (n > 0 && v[n - 1] == ' ')
        n--;
    for (const char *const *k = ok; *k; k++)
        if (strlen(*k) == n && strncasecmp(*k, v, n) == 0)
            return true;
    return false;
}

const char *fhir_one(struct fhir_req *f, const char *key)
{
    const char *vals[2];
    size_t n = target_param_all(f->target, key, vals, 2);
    if (n == 0)
        return NULL;
    if (n > 1) {
        fhir_issue(f, "invalid", key, "%s may be given only once", key);
        return NULL;
    }
    if (!vals[0][0]) {
        fhir_issue(f, "invalid", key, "%s has no value", key);
        return NULL;
    }
    return vals[0];
}

bool fhir_params_begin(struct fhir_req *f, const struct target *t, const char *prefer,
                       const char *type, const char *const *known, const char *cursor_kinds)
{
    memset(f, 0, sizeof(*f));
    f->target = t;
    f->type = type;
    f->known = known;
    f->count = FHIR_COUNT_DEFAULT;
    f->failure = DB_OK;
    f->lenient = prefer && strcasestr(prefer, "handling=lenient") != NULL;

    const char *fmt = fhir_one(f, "_format");
    if (fmt && !format_is_json(fmt)) {
        fhir_release(f);
        return false;
    }
    const char *pretty = fhir_one(f, "_pretty");
    if (pretty && strcmp(pretty, "true") != 0 && strcmp(pretty, "false") != 0)
        fhir_issue(f, "invalid", "_pretty", "_pretty must be true or false");

    for (size_t i = 0; i < t->nparams; i++) {
        const char *key = t->params[i].key;
        if (fhir_param_used(f, key) || f->lenient)
            continue;
        char base[64];
        size_t blen = strcspn(key, ":");
        snprintf(base, sizeof(base), "%.*s", (int)(blen < 63 ? blen : 63), key);
        if (!known)
            fhir_issue(f, "not-supported", key,
                       "%.60s: a read takes no parameters but _format and _pretty", key);
        else if (key[blen] == ':' && (in_list(known, base) || in_list(paging_params, base)))
            fhir_issue(f, "not-supported", key,
                       "%.60s: the modifier %.30s is not supported (handling is strict)", key,
                       key + blen);
        else
            fhir_issue(f, "not-supported", key,
                       "%.60s is not a search parameter of %s on this server (handling is "
                       "strict; see /fhir/r4/metadata)",
                       key, type ? type : "this interaction");
    }
    if (!known)
        return true;

    const char *count = fhir_one(f, "_count");
    if (count) {
        long v;
        int rc = parse_long(count, 0, 1000000000L, &v);
        if (rc == -1) {
            fhir_issue(f, "invalid", "_count", "_count must be a whole number");
        } else if (rc == -2 || v < 1) {
            fhir_issue(f, "invalid", "_count", "_count must be from 1 to %d", FHIR_COUNT_MAX);
        } else if (v > FHIR_COUNT_MAX && !f->lenient) {
            fhir_issue(f, "too-costly", "_count", "_count may be at most %d", FHIR_COUNT_MAX);
        } else {
            f->count = v > FHIR_COUNT_MAX ? FHIR_COUNT_MAX : v;
        }
    }
    const char *cur = fhir_one(f, "_cursor");
    if (cur) {
        if (strlen(cur) > CURSOR_MAX_TEXT || cursor_decode(cur, &f->cursor) < 0 ||
            !f->cursor.kind || !cursor_kinds || !strchr(cursor_kinds, f->cursor.kind))
            fhir_issue(f, "invalid", "_cursor",
                       "_cursor is not one this search produced; start again without it");
        else
            f->have_cursor = true;
    }
    return true;
}

size_t fhir_split(const char *value, char *buf, size_t buflen, const char **parts, size_t max)
{
    size_t n = 0, o = 0;
    if (buflen < 2)
        return 0;
    size_t start = 0;
    for (const char *p = value;; p++) {
        if (*p == '\\' && p[1] == ',') {
            p++;
        } else if (*p == ',' || *p == '\0') {
            buf[o++] = '\0';
            if (n < max)
                parts[n] = buf + start;
            n++;
            start = o;
            if (*p == '\0' || n > max || o >= buflen - 1)
                break;
            continue;
        }
        if (o < buflen - 2)
            buf[o++] = *p;
    }
    return n > max ? max + 1 : n;
}

/* The values of a repeatable, comma-listed parameter: calls each(value) for each part
 * of each repetition, between group starts.  Returns the groups as JSON, or NULL
 * when absent or after a problem. */
typedef int (*part_fn)(struct fhir_req *f, const char *key, const char *part, json_t *group,
                       void *ctx);

static char *groups_of(struct fhir_req *f, const char *key, part_fn each, void *ctx,
                       bool *failed)
{
    const char *vals[FHIR_MAX_AND + 1];
    size_t n = target_param_all(f->target, key, vals, FHIR_MAX_AND + 1);
    if (n == 0)
        return NULL;
    if (n > FHIR_MAX_AND) {
        fhir_issue(f, "too-costly", key, "%s may be given at most %d times", key, FHIR_MAX_AND);
        return NULL;
    }
    json_t *groups = json_array();
    bool bad = false;
    for (size_t i = 0; i < n && !bad; i++) {
        char buf[URL_MAX_BYTES + 2];
        const char *parts[FHIR_MAX_OR + 1];
        size_t np = fhir_split(vals[i], buf, sizeof(buf), parts, FHIR_MAX_OR);
        if (np > FHIR_MAX_OR) {
            fhir_issue(f, "too-costly", key, "%s may list at most %d values", key, FHIR_MAX_OR);
            bad = true;
            break;
        }
        json_t *g = json_array();
        for (size_t k = 0; k < np && !bad; k++) {
            if (!parts[k][0]) {
                fhir_issue(f, "invalid", key, "%s has an empty value", key);
                bad = true;
                break;
            }
            int rc = each(f, key, parts[k], g, ctx);
            if (rc == -2 && failed)
                *failed = true;
            bad = rc < 0;
        }
        json_array_append_new(groups, g);
    }
    char *s = bad ? NULL : json_dumps(groups, JSON_COMPACT);
    json_decref(groups);
    return s;
}

static int reference_part(struct fhir_req *f, const char *key, const char *v, json_t *g, void *ctx)
{
    const char *const *types = ctx;
    const char *slash = strrchr(v, '/');
    const char *id = slash ? slash + 1 : v;
    char type[64] = "";
    if (slash) {
        const char *t = slash;
        while (t > v && t[-1] != '/')
            t--;
        snprintf(type, sizeof(type), "%.*s", (int)(slash - t < 63 ? slash - t : 63), t);
    }
    if (!fhir_is_id(id) || (slash && !type[0])) {
        fhir_issue(f, "invalid", key, "%s: \"%.80s\" is not a reference such as %s/{id}", key, v,
                   types[0]);
        return -1;
    }
    if (slash && !in_list(types, type)) {
        fhir_issue(f, "invalid", key, "%s refers to %s resources, not %.60s", key, types[0], type);
        return -1;
    }
    char ref[160];
    for (const char *const *t = types; *t; t++) {
        if (slash && strcmp(*t, type) != 0)
            continue;
        snprintf(ref, sizeof(ref), "%s/%s", *t, id);
        json_array_append_new(g, json_string(ref));
    }
    return 0;
}

char *fhir_references(struct fhir_req *f, const char *key, const char *const *types)
{
    return groups_of(f, key, reference_part, (void *)types, NULL);
}

struct token_ctx {
    const char *system;
    fhir_token_fn resolve;
};

static int token_part(struct fhir_req *f, const char *key, const char *v, json_t *g, void *ctx)
{
    const struct token_ctx *tc = ctx;
    const char *bar = strchr(v, '|');
    const char *code = bar ? bar + 1 : v;
    if (!*code) {
        fhir_issue(f, "not-supported", key, "%s: a system without a code (\"%.80s\") is not supported",
                   key, v);
        return -1;
    }
    if (bar && ((size_t)(bar - v) != strlen(tc->system) ||
                strncmp(v, tc->system, (size_t)(bar - v)) != 0))
        return 0; /* another code system (or none): nothing of ours has that code */
    char out[64];
    int rc = tc->resolve(f, key, code, out, sizeof(out));
    if (rc == 1)
        json_array_append_new(g, json_string(out));
    return rc < 0 ? rc : 0;
}

char *fhir_tokens(struct fhir_req *f, const char *key, const char *system, fhir_token_fn resolve,
                  bool *failed)
{
    struct token_ctx tc = {system, resolve};
    *failed = false;
    return groups_of(f, key, token_part, &tc, failed);
}

static int string_part(struct fhir_req *f, const char *key, const char *v, json_t *g, void *ctx)
{
    (void)ctx;
    if (strlen(v) > 200) {
        fhir_issue(f, "invalid", key, "%s is longer than 200 characters", key);
        return -1;
    }
    json_array_append_new(g, json_string(v));
    return 0;
}

char *fhir_strings(struct fhir_req *f, const char *key)
{
    return groups_of(f, key, string_part, NULL, NULL);
}

/* --- dates ------------------------------------------------------------------------ */

int fhir_date_parse(const char *s, int64_t *lo, int64_t *hi, bool *wall)
{
    size_t len = strlen(s);
    int y, m, hh, mi, ss = 0;
    *wall = true;
    if (len == 4 && parse_digits(s, 4, &y) && y >= 1900 && y <= 9999) {
        *lo = days_from_civil(y, 1, 1) * 86400;
        *hi = days_from_civil(y + 1, 1, 1) * 86400;
        return 0;
    }
    if (len == 7 && parse_digits(s, 4, &y) && s[4] == '-' && parse_digits(s + 5, 2, &m) && y >= 1900 &&
        y <= 9999 && m >= 1 && m <= 12) {
        *lo = days_from_civil(y, (unsigned)m, 1) * 86400;
        *hi = (m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, (unsigned)m + 1, 1)) *
              86400;
        return 0;
    }
    char day[11];
    int64_t days;
    if (len < 10)
        return -1;
    memcpy(day, s, 10);
    day[10] = '\0';
    if (date_parse(day, &days) < 0)
        return -1;
    if (len == 10) {
        *lo = days * 86400;
        *hi = *lo + 86400;
        return 0;
    }
    const char *p = s + 10;
    if (*p != 'T' || !parse_digits(p + 1, 2, &hh) || p[3] != ':' || !parse_digits(p + 4, 2, &mi))
        return -1;
    p += 6;
    int64_t precision = 60;
    if (*p == ':') {
        if (!parse_digits(p + 1, 2, &ss))
            return -1;
        p += 3;
        precision = 1;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p))
                return -1;
            while (isdigit((unsigned char)*p))
                p++;
        }
    }
    if (hh > 23 || mi > 59 || ss > 59)
        return -1;
    int64_t t = days * 86400 + hh * 3600 + mi * 60 + ss;
    int32_t offset = 0;
    if (*p == '\0') {
        *lo = t;
        *hi = t + precision;
        return 0;
    }
    int oh, om;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        offset = 0;
    else if ((*p == '+' || *p == '-') && strlen(p) == 6 && parse_digits(p + 1, 2, &oh) &&
             p[3] == ':' && parse_digits(p + 4, 2, &om) && oh <= 14 && om <= 59)
        offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    else
        return -1;
    *wall = false;
    *lo = t - offset;
    *hi = *lo + precision;
    return 0;
}

static void raise_to(struct fhir_bound *b, int64_t t)
{
    if (!b->set || t > b->t)
        b->t = t, b->set = true;
}

static void lower_to(struct fhir_bound *b, int64_t t)
{
    if (!b->set || t < b->t)
        b->t = t, b->set = true;
}

void fhir_dates(struct fhir_req *f, const char *key, struct fhir_range *range)
{
    const char *vals[FHIR_MAX_AND + 1];
    size_t n = target_param_all(f->target, key, vals, FHIR_MAX_AND + 1);
    if (n > FHIR_MAX_AND) {
        fhir_issue(f, "too-costly", key, "%s may be given at most %d times", key, FHIR_MAX_AND);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *v = vals[i];
        char prefix[3] = "eq";
        if (isalpha((unsigned char)v[0])) {
            if (!isalpha((unsigned char)v[1])) {
                fhir_issue(f, "invalid", key, "%s: \"%.60s\" does not start with a date or a prefix",
                           key, v);
                continue;
            }
            prefix[0] = v[0], prefix[1] = v[1];
            v += 2;
        }
        static const char *const unsupported[] = {"ne", "sa", "eb", "ap", NULL};
        static const char *const supported[] = {"eq", "ge", "gt", "le", "lt", NULL};
        if (in_list(unsupported, prefix)) {
            fhir_issue(f, "not-supported", key,
                       "%s: the prefix %s is not supported (use eq, ge, gt, le or lt)", key, prefix);
            continue;
        }
        if (!in_list(supported, prefix)) {
            fhir_issue(f, "invalid", key,
                       "%s: %.2s is not a search prefix (eq, ge, gt, le or lt)", key, prefix);
            continue;
        }
        int64_t a, b;
        bool wall;
        if (strchr(v, ',')) {
            fhir_issue(f, "not-supported", key, "%s takes one date per parameter (repeat it)", key);
            continue;
        }
        char when[64]; /* a '+' of an offset sent unescaped arrives as a space */
        snprintf(when, sizeof(when), "%s", v);
        for (char *p = when; *p; p++)
            if (*p == ' ')
                *p = '+';
        if (strlen(v) >= sizeof(when) || fhir_date_parse(when, &a, &b, &wall) < 0) {
            fhir_issue(f, "invalid", key,
                       "%s: \"%.60s\" is not a date such as 2026-12-01 or 2026-12-01T09:00:00-08:00",
                       key, vals[i]);
            continue;
        }
        struct fhir_bound *lo = wall ? &range->lo_wall : &range->lo;
        struct fhir_bound *hi = wall ? &range->hi_wall : &range->hi;
        if (strcmp(prefix, "eq") == 0) {
            raise_to(lo, a);
            lower_to(hi, b);
        } else if (strcmp(prefix, "ge") == 0) {
            raise_to(lo, a);
        } else if (strcmp(prefix, "gt") == 0) {
            raise_to(lo, b);
        } else if (strcmp(prefix, "lt") == 0) {
            lower_to(hi, a);
        } else {
            lower_to(hi, b);
        }
    }
}

int64_t fhir_wall_to_utc(const struct tz *z, int64_t wall)
{
    for (int64_t w = wall; w < wall + 4 * 3600; w += 60) {
        int64_t a, b;
        if (tz_local_to_utc(z, w, &a, &b) > 0)
            return a;
    }
    return wall - tz_offset_at(z, wall);
}

bool fhir_groups_unmatchable(const char *groups)
{
    json_t *g = groups ? json_loads(groups, 0, NULL) : NULL;
    bool empty = false;
    for (size_t i = 0; i < json_array_size(g) && !empty; i++)
        empty = json_array_size(json_array_get(g, i)) == 0;
    json_decref(g);
    return empty;
}
