/* Splitting a request target into decoded path segments and query parameters. */
#include "http/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/parse.h"

static enum target_error parse_path(struct target *t, const char *p, size_t len)
{
    if (len == 0 || p[0] != '/')
        return TARGET_BAD_PATH;
    t->path = percent_decode(p, len, false);
    if (!t->path)
        return TARGET_BAD_PATH;
    /* split the raw path, then decode each segment, so that %2F stays inside one */
    size_t i = 1;
    while (i <= len) {
        size_t j = i;
        while (j < len && p[j] != '/')
            j++;
        if (t->nsegments == PATH_MAX_SEGMENTS)
            return TARGET_TOO_MANY;
        bool last = j >= len;
        if (j == i && !last)
            return TARGET_BAD_PATH; /* "//" */
        char *seg = percent_decode(p + i, j - i, false);
        if (!seg)
            return TARGET_BAD_PATH;
        t->segments[t->nsegments++] = seg;
        if (strcmp(seg, "..") == 0 || strcmp(seg, ".") == 0)
            return TARGET_BAD_PATH;
        i = j + 1;
    }
    /* "/" alone is one empty segment; drop it so the root has none */
    if (t->nsegments == 1 && t->segments[0][0] == '\0') {
        free(t->segments[0]);
        t->nsegments = 0;
    }
    return TARGET_OK;
}

static enum target_error parse_query(struct target *t, const char *q)
{
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t n = amp ? (size_t)(amp - q) : strlen(q);
        if (n > 0) {
            if (t->nparams == QUERY_MAX_PARAMS)
                return TARGET_TOO_MANY;
            const char *eq = memchr(q, '=', n);
            size_t klen = eq ? (size_t)(eq - q) : n;
            char *key = percent_decode(q, klen, true);
            char *val = eq ? percent_decode(eq + 1, n - klen - 1, true) : xstrdup("");
            if (!key || !val) {
                /* name the parameter when at least its name decodes */
                snprintf(t->bad_param, sizeof(t->bad_param), "%s",
                         key && strlen(key) < sizeof(t->bad_param) ? key : "query");
                free(key);
                free(val);
                return TARGET_BAD_QUERY;
            }
            t->params[t->nparams].key = key;
            t->params[t->nparams].value = val;
            t->nparams++;
        }
        q += n;
        if (*q == '&')
            q++;
    }
    return TARGET_OK;
}

enum target_error target_parse(struct target *t, const char *uri)
{
    memset(t, 0, sizeof(*t));
    /* the fragment goes first: a '?' inside it starts no query */
    size_t ulen = strcspn(uri, "#");
    const char *qm = memchr(uri, '?', ulen);
    size_t plen = qm ? (size_t)(qm - uri) : ulen;
    enum target_error rc = parse_path(t, uri, plen);
    if (rc == TARGET_OK && qm) {
        char *q = xstrndup(qm + 1, ulen - plen - 1);
        rc = parse_query(t, q);
        free(q);
    }
    return rc;
}

void target_release(struct target *t)
{
    free(t->path);
    for (size_t i = 0; i < t->nsegments; i++)
        free(t->segments[i]);
    for (size_t i = 0; i < t->nparams; i++) {
        free(t->params[i].key);
        free(t->params[i].value);
    }
    memset(t, 0, sizeof(*t));
}

const char *target_param(const struct target *t, const char *key)
{
    for (size_t i = 0; i < t->nparams; i++)
        if (strcmp(t->params[i].key, key) == 0)
            return t->params[i].value;
    return NULL;
}

size_t target_param_all(const struct target *t, const char *key, const char **values, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nparams; i++)
        if (strcmp(t->params[i].key, key) == 0) {
            if (n < max)
                values[n] = t->params[i].value;
            n++;
        }
    return n;
}
