/* Matching a method and decoded path against the one static route table. */
#include "http/router.h"

#include <stdio.h>
#include <string.h>

static const struct {
    enum http_method m;
    const char *name;
} method_names[] = {
    {M_GET, "GET"},     {M_HEAD, "HEAD"},     {M_POST, "POST"},       {M_PUT, "PUT"},
    {M_PATCH, "PATCH"}, {M_DELETE, "DELETE"}, {M_OPTIONS, "OPTIONS"},
};
#define NMETHODS (sizeof(method_names) / sizeof(method_names[0]))

enum http_method http_method_parse(const char *s)
{
    for (size_t i = 0; i < NMETHODS; i++)
        if (strcmp(s, method_names[i].name) == 0)
            return method_names[i].m;
    return M_OTHER;
}

const char *http_method_name(enum http_method m)
{
    for (size_t i = 0; i < NMETHODS; i++)
        if (method_names[i].m == m)
            return method_names[i].name;
    return "OTHER";
}

/* Matches pattern against the segments; fills params.  Returns 1 on a match. */
static int match_pattern(const char *pattern, const struct target *t, const char **params,
                         size_t *nparams)
{
    size_t seg = 0, np = 0;
    const char *p = pattern;
    if (*p == '/')
        p++;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 3 && memcmp(p, "{*}", 3) == 0) {
            if (seg >= t->nsegments || t->segments[seg][0] == '\0')
                return 0;
            if (np < ROUTE_MAX_PARAMS)
                params[np++] = t->segments[seg];
            seg = t->nsegments;
            break;
        }
        if (seg >= t->nsegments)
            return 0;
        const char *s = t->segments[seg];
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (*s == '\0' || np == ROUTE_MAX_PARAMS)
                return 0;
            params[np++] = s;
        } else if (strlen(s) != len || memcmp(s, p, len) != 0) {
            return 0;
        }
        seg++;
        p += len;
        if (*p == '/')
            p++;
    }
    if (seg != t->nsegments)
        return 0;
    *nparams = np;
    return 1;
}

const struct route *router_match(const struct route *table, size_t n, const struct target *t,
                                 enum http_method m, const char **params, size_t *nparams,
                                 unsigned *allowed)
{
    *allowed = 0;
    *nparams = 0;
    const char *tmp[ROUTE_MAX_PARAMS];
    size_t ntmp;
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(table[i].pattern, t, tmp, &ntmp))
            continue;
        enum http_method rm = table[i].method;
        *allowed |= rm;
        if (rm == M_GET)
            *allowed |= M_HEAD;
        if (rm == m || (m == M_HEAD && rm == M_GET)) {
            memcpy(params, tmp, ntmp * sizeof(*tmp));
            *nparams = ntmp;
            return &table[i];
        }
    }
    return NULL;
}

void router_allow_header(unsigned allowed, char *out, size_t outlen)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < NMETHODS; i++) {
        if (!(allowed & method_names[i].m))
            continue;
        int w = snprintf(out + len, outlen - len, "%s%s", len ? ", " : "", method_names[i].name);
        if (w < 0 || (size_t)w >= outlen - len)
            break;
        len += (size_t)w;
    }
}
