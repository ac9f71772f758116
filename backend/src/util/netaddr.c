/* IP addresses as values: parsing and printing, lists of addresses and CIDR ranges,
 * and the client behind X-Forwarded-For. */
#include "util/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void from_v6(const uint8_t b[16], struct netaddr *out)
{
    memset(out, 0, sizeof(*out));
    if (memcmp(b, v4_mapped, sizeof(v4_mapped)) == 0) {
        out->family = 4;
        memcpy(out->b, b + 12, 4);
    } else {
        out->family = 6;
        memcpy(out->b, b, 16);
    }
}

bool netaddr_parse(const char *s, size_t n, struct netaddr *out)
{
    char tmp[NETADDR_TEXT_MAX];
    if (n == 0 || n >= sizeof(tmp))
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (strlen(tmp) != n) /* a NUL inside */
        return false;
    uint8_t b[16];
    /* inet_pton takes exactly dotted-quad IPv4 (no octal, no short forms) */
    if (inet_pton(AF_INET, tmp, b) == 1) {
        memset(out, 0, sizeof(*out));
        out->family = 4;
        memcpy(out->b, b, 4);
        return true;
    }
    if (inet_pton(AF_INET6, tmp, b) == 1) {
        from_v6(b, out);
        return true;
    }
    return false;
}

bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
    memset(out, 0, sizeof(*out));
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        out->family = 4;
        memcpy(out->b, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        from_v6((const uint8_t *)&in6->sin6_addr, out);
        return true;
    }
    return false;
}

void netaddr_format(const struct netaddr *a, char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    if (a->family == 4)
        inet_ntop(AF_INET, a->b, out, (socklen_t)outlen);
    else if (a->family == 6)
        inet_ntop(AF_INET6, a->b, out, (socklen_t)outlen);
}

bool netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
    if (a->family != b->family || a->family == 0)
        return false;
    return memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

static bool in_range(const struct netaddr_range *r, const struct netaddr *a)
{
    if (r->a.family != a->family)
        return false;
    int full = r->bits / 8, rest = r->bits % 8;
    if (memcmp(r->a.b, a->b, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (r->a.b[full] & mask) == (a->b[full] & mask);
}

static bool is_sep(char c)
{
    return c == ',' || c == ' ' || c == '\t';
}

/* One "address" or "address/bits" item. */
static bool parse_range(const char *s, size_t n, struct netaddr_range *out, const char **why)
{
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    if (!netaddr_parse(s, alen, &out->a)) {
        *why = "not an IP address";
        return false;
    }
    int max = out->a.family == 4 ? 32 : 128;
    out->bits = max;
    if (slash) {
        const char *p = slash + 1, *end = s + n;
        if (p == end || end - p > 3) {
            *why = "the prefix length is not a number";
            return false;
        }
        int bits = 0;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9') {
                *why = "the prefix length is not a number";
                return false;
            }
            bits = bits * 10 + (*p - '0');
        }
        /* "::ffff:10.0.0.0/104" names IPv4 10.0.0.0/8 */
        bool mapped_text = out->a.family == 4 && memchr(s, ':', alen);
        if (mapped_text)
            bits -= 96;
        if (bits < 0 || bits > max) {
            *why = "the prefix length is out of range";
            return false;
        }
        out->bits = bits;
        struct netaddr_range probe = *out;
        for (int i = bits; i < max; i++)
            if (probe.a.b[i / 8] & (0x80 >> (i % 8))) {
                *why = "it has bits set past its prefix length";
                return false;
            }
    }
    return true;
}

int netaddr_list_parse(const char *text, struct netaddr_list *out, char *err, size_t errlen)
{
    out->n = 0;
    out->items = NULL;
    if (!text)
        return 0;
    const char *p = text;
    while (*p && is_sep(*p))
        p++;
    if (*p == '-') { /* "-" alone: none */
        const char *q = p + 1;
        while (*q && is_sep(*q))
            q++;
        if (!*q)
            return 0;
    }
    size_t cap = 0;
    while (*p) {
        const char *start = p;
        while (*p && !is_sep(*p))
            p++;
        size_t n = (size_t)(p - start);
        struct netaddr_range r;
        const char *why = NULL;
        if (!parse_range(start, n, &r, &why)) {
            snprintf(err, errlen, "'%.*s': %s", (int)(n > 60 ? 60 : n), start, why);
            netaddr_list_free(out);
            return -1;
        }
        if (out->n == cap) {
            cap = cap ? cap * 2 : 4;
            out->items = xrealloc(out->items, cap * sizeof(*out->items));
        }
        out->items[out->n++] = r;
        while (*p && is_sep(*p))
            p++;
    }
    return 0;
}

bool netaddr_list_contains(const struct netaddr_list *l, const struct netaddr *a)
{
    if (!l || a->family == 0)
        return false;
    for (size_t i = 0; i < l->n; i++)
        if (in_range(&l->items[i], a))
            return true;
    return false;
}

void netaddr_list_free(struct netaddr_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* One X-Forwarded-For entry, s[0..n) trimmed: an address, "[v6]", "[v6]:port" or
 * "v4:port". */
static bool parse_hop(const char *s, size_t n, struct netaddr *out)
{
    if (n > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close)
            return false;
        size_t rest = n - (size_t)(close + 1 - s);
        const char *port = close + 1;
        if (rest > 0) {
            if (port[0] != ':' || rest < 2 || rest > 6)
                return false;
            for (size_t i = 1; i < rest; i++)
                if (port[i] < '0' || port[i] > '9')
                    return false;
        }
        return netaddr_parse(s + 1, (size_t)(close - s - 1), out) && out->family == 6;
    }
    if (netaddr_parse(s, n, out))
        return true;
    /* "192.0.2.1:4711" */
    const char *colon = memchr(s, ':', n);
    if (!colon || memchr(colon + 1, ':', n - (size_t)(colon + 1 - s)))
        return false;
    size_t plen = n - (size_t)(colon + 1 - s);
    if (plen < 1 || plen > 5)
        return false;
    for (size_t i = 0; i < plen; i++)
        if (colon[1 + i] < '0' || colon[1 + i] > '9')
            return false;
    return netaddr_parse(s, (size_t)(colon - s), out) && out->family == 4;
}

void netaddr_forwarded_client(const struct netaddr *peer, const char *const *xff, size_t nxff,
                              const struct netaddr_list *trusted, struct netaddr *client)
{
    *client = *peer;
    size_t hops = 0;
    for (size_t v = nxff; v-- > 0;) {
        const char *s = xff[v] ? xff[v] : "";
        size_t end = strlen(s);
        for (;;) {
            /* the element s[start..end), right to left */
            size_t start = end;
            while (start > 0 && s[start - 1] != ',')
                start--;
            size_t a = start, b = end;
            while (a < b && (s[a] == ' ' || s[a] == '\t'))
                a++;
            while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
                b--;
            if (a < b) { /* (empty list elements are allowed and skipped) */
                struct netaddr hop;
                if (++hops > XFF_MAX_HOPS || !parse_hop(s + a, b - a, &hop))
                    return;
                *client = hop;
                if (!netaddr_list_contains(trusted, &hop))
                    return;
            }
            if (start == 0)
                break;
            end = start - 1;
        }
    }
}
