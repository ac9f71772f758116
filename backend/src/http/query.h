/* Splitting a request target into decoded path segments and query parameters. */
#ifndef CLINICD_QUERY_H
#define CLINICD_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#define QUERY_MAX_PARAMS 64
#define PATH_MAX_SEGMENTS 16

struct qparam {
    char *key;
    char *value;
};

struct target {
    char *path;                          /* decoded, NUL-terminated */
    char *segments[PATH_MAX_SEGMENTS];   /* decoded, non-empty except a trailing "" */
    size_t nsegments;
    struct qparam params[QUERY_MAX_PARAMS];
    size_t nparams;
    char bad_param[64];  /* after TARGET_BAD_QUERY: the parameter whose text was bad */
};

enum target_error {
    TARGET_OK = 0,
    TARGET_BAD_PATH = -1,     /* not absolute, bad escape, invalid UTF-8, '..' or empty segment */
    TARGET_BAD_QUERY = -2,    /* bad escape or invalid UTF-8 in the query */
    TARGET_TOO_MANY = -3,     /* more than QUERY_MAX_PARAMS parameters or too many segments */
};

/* Parses "/a/b?x=1&y=2" into t (which the caller releases with target_release, also
 * after an error).  '+' in the query is a space; a key without '=' has value "". */
enum target_error target_parse(struct target *t, const char *uri);
void target_release(struct target *t);

/* The first value of key, or NULL. */
const char *target_param(const struct target *t, const char *key);
/* How many times key occurs; fills up to max values. */
size_t target_param_all(const struct target *t, const char *key, const char **values, size_t max);

#include "util/banned.h"
#endif
