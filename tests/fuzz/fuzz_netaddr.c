/* libFuzzer harness: addresses, address lists and X-Forwarded-For (util/netaddr.h) on
 * arbitrary bytes, with the invariants their contracts promise.  The input is split at
 * '\n' into: a trusted_proxies list, a peer address, and X-Forwarded-For lines. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/netaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_netaddr: %s:%d: invariant failed: %s\n", __FILE__,     \
                    __LINE__, #cond);                                                    \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#define MAXLINES 8

/* Every address that can be read out of s (any substring between separators, with
 * brackets and ports taken off) - a superset of what the X-Forwarded-For walk reads. */
static bool appears_in(const char *s, const struct netaddr *a)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j <= n && j - i < NETADDR_TEXT_MAX; j++) {
            struct netaddr b;
            if (netaddr_parse(s + i, j - i, &b) && netaddr_equal(&b, a))
                return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    /* one address: parse, format, parse again gives the same */
    struct netaddr a, b;
    if (netaddr_parse((const char *)data, size, &a)) {
        char out[NETADDR_TEXT_MAX];
        netaddr_format(&a, out, sizeof(out));
        CHECK(out[0] != '\0');
        CHECK(netaddr_parse(out, strlen(out), &b));
        CHECK(netaddr_equal(&a, &b));
        CHECK(a.family == 4 || a.family == 6);
    }

    char *lines[MAXLINES + 2];
    size_t nlines = 0;
    for (char *p = text; nlines < MAXLINES + 2;) {
        lines[nlines++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }

    struct netaddr_list trusted;
    char err[200];
    if (netaddr_list_parse(lines[0], &trusted, err, sizeof(err)) == 0) {
        /* every range contains its own address */
        for (size_t i = 0; i < trusted.n; i++) {
            CHECK(trusted.items[i].bits >= 0);
            CHECK(trusted.items[i].bits <= (trusted.items[i].a.family == 4 ? 32 : 128));
            CHECK(netaddr_list_contains(&trusted, &trusted.items[i].a));
        }
        struct netaddr peer;
        if (nlines >= 2 && netaddr_parse(lines[1], strlen(lines[1]), &peer)) {
            const char *xff[MAXLINES];
            size_t nxff = 0;
            for (size_t i = 2; i < nlines && nxff < MAXLINES; i++)
                xff[nxff++] = lines[i];
            struct netaddr client;
            netaddr_forwarded_client(&peer, xff, nxff, &trusted, &client);
            CHECK(client.family == 4 || client.family == 6);
            bool from_header = false;
            for (size_t i = 0; i < nxff && !from_header; i++)
                from_header = appears_in(xff[i], &client);
            /* the client is the peer or was named in a header line */
            CHECK(netaddr_equal(&client, &peer) || from_header);
        }
        netaddr_list_free(&trusted);
    } else {
        CHECK(err[0] != '\0');
        CHECK(trusted.n == 0 && trusted.items == NULL);
    }
    free(text);
    return 0;
}
