/* libFuzzer harness: request targets matched against the service's real route table
 * (routes.c) with every method, and the Allow header built from the result.
 *
 * Linking routes.c pulls in every handler and so most of the backend: that is wanted,
 * so that the table fuzzed is the one served.  No handler is ever called. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/query.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_router: %s:%d: invariant failed: %s\n", __FILE__,     \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static const enum http_method methods[] = {M_GET,   M_HEAD,   M_POST,    M_PUT,
                                           M_PATCH, M_DELETE, M_OPTIONS, M_OTHER};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

/* Whether the pattern's segment count fits t: a plain pattern needs exactly as many
 * segments; one ending in "{*}" at least one more than its fixed part. */
static bool shape_fits(const char *pattern, const struct target *t)
{
    size_t n = 0;
    bool rest = false;
    for (const char *p = pattern; *p; p++)
        if (*p == '/')
            n++;
    if (strcmp(pattern, "/") == 0)
        n = 0;
    size_t len = strlen(pattern);
    if (len >= 4 && strcmp(pattern + len - 4, "/{*}") == 0)
        rest = true;
    return rest ? t->nsegments >= n : t->nsegments == n;
}

static void check_allow(unsigned allowed)
{
    /* in full: each name listed is an allowed method, each once, all of them */
    char full[128];
    router_allow_header(allowed, full, sizeof(full));
    unsigned seen = 0;
    char copy[128];
    memcpy(copy, full, sizeof(copy));
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        enum http_method m = http_method_parse(tok);
        CHECK(m != M_OTHER && (allowed & m) && !(seen & m));
        seen |= m;
    }
    CHECK(seen == (allowed & (unsigned)~M_OTHER));
    /* short buffers: NUL-terminated inside, nothing written past, a prefix of the
     * full text.  (A name cut short, "GET, HEA", is left in the buffer: harmless as
     * server.c's buffer holds every name, so only the bounds are checked.) */
    static const size_t sizes[] = {1, 4, 5, 9, 16, 44};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char buf[64];
        memset(buf, 'X', sizeof(buf));
        router_allow_header(allowed, buf, sizes[i]);
        size_t len = strnlen(buf, sizes[i]);
        CHECK(len < sizes[i]);
        CHECK(buf[sizes[i]] == 'X');
        CHECK(strncmp(buf, full, len) == 0);
    }
}

static void check_method_token(const char *s)
{
    enum http_method m = http_method_parse(s);
    bool known = false;
    for (size_t i = 0; i < NMETHODS; i++)
        known = known || m == methods[i];
    CHECK(known);
    if (m != M_OTHER)
        CHECK(strcmp(http_method_name(m), s) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *uri = malloc(size + 1);
    if (!uri)
        return 0;
    memcpy(uri, data, size);
    uri[size] = '\0';

    /* the first word may also be a method name ("GET /x" is not a target, but
     * http_method_parse gets the word) */
    char word[16];
    size_t wl = strcspn(uri, " /");
    snprintf(word, sizeof(word), "%.*s", (int)(wl < 15 ? wl : 15), uri);
    check_method_token(word);

    struct target t;
    if (target_parse(&t, uri) == TARGET_OK) {
        unsigned matched = 0, allowed_when_none = 0;
        bool any_none = false;
        for (size_t i = 0; i < NMETHODS; i++) {
            enum http_method m = methods[i];
            const char *params[ROUTE_MAX_PARAMS + 1];
            params[ROUTE_MAX_PARAMS] = (const char *)&t; /* a canary: never written */
            size_t np = 99;
            unsigned allowed = 0xdead;
            const struct route *rt = router_match(routes, routes_count, &t, m, params, &np,
                                                  &allowed);
            CHECK(params[ROUTE_MAX_PARAMS] == (const char *)&t);
            if (rt) {
                CHECK(rt >= routes && rt < routes + routes_count);
                CHECK(rt->method == m || (m == M_HEAD && rt->method == M_GET));
                CHECK(np <= ROUTE_MAX_PARAMS);
                CHECK(shape_fits(rt->pattern, &t));
                /* each parameter is one of the path's own non-empty segments */
                for (size_t k = 0; k < np; k++) {
                    bool found = false;
                    for (size_t s = 0; s < t.nsegments; s++)
                        found = found || params[k] == t.segments[s];
                    CHECK(found && params[k][0] != '\0');
                }
                /* the earliest route of the table that matches wins */
                for (const struct route *e = routes; e < rt; e++) {
                    if (e->method != m && !(m == M_HEAD && e->method == M_GET))
                        continue;
                    const char *p2[ROUTE_MAX_PARAMS];
                    size_t n2;
                    unsigned a2;
                    CHECK(router_match(e, 1, &t, m, p2, &n2, &a2) == NULL);
                }
                matched |= m;
                CHECK(allowed & m);
            } else {
                CHECK(np == 0);
                CHECK(!(allowed & m));
                if (any_none)
                    CHECK(allowed == allowed_when_none); /* the same path, the same set */
                any_none = true;
                allowed_when_none = allowed;
            }
            check_allow(allowed);
        }
        /* the Allow set of a refusal is exactly the methods that match */
        if (any_none)
            CHECK(allowed_when_none == matched);
        CHECK(!(matched & M_OTHER));
        if (matched & M_GET)
            CHECK(matched & M_HEAD);
    }
    target_release(&t);
    free(uri);
    return 0;
}
