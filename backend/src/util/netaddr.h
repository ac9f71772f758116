/* IP addresses as values: parsing and printing, lists of addresses and CIDR ranges
 * (trusted_proxies, metrics_allow), and the client behind X-Forwarded-For. */
#ifndef CLINICD_NETADDR_H
#define CLINICD_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sockaddr;

/* One address.  IPv4 (family 4) uses b[0..4); an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) is taken as the IPv4 address it maps, so that one client has one
 * form whichever way it came. */
struct netaddr {
    uint8_t family; /* 4 or 6; 0: none */
    uint8_t b[16];
};

/* The longest text netaddr_format writes, with its NUL (INET6_ADDRSTRLEN). */
#define NETADDR_TEXT_MAX 46

/* s[0..n) is exactly one IPv4 or IPv6 address, nothing around it. */
bool netaddr_parse(const char *s, size_t n, struct netaddr *out);
/* From a socket address (AF_INET, AF_INET6); false for other families. */
bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);
/* "192.0.2.1", "2001:db8::1" (inet_ntop's forms); "" for none. */
void netaddr_format(const struct netaddr *a, char *out, size_t outlen);
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);

/* Addresses and CIDR ranges ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"). */
struct netaddr_range {
    struct netaddr a;
    int bits;
};
struct netaddr_list {
    size_t n;
    struct netaddr_range *items;
};

/* Parses a list separated by commas and/or blanks; "-" (or nothing) is the empty
 * list.  A range with bits set past its prefix ("10.0.0.1/8") is refused as a likely
 * typo.  Returns 0, or -1 with a message naming the bad item in err. */
int netaddr_list_parse(const char *text, struct netaddr_list *out, char *err, size_t errlen);
bool netaddr_list_contains(const struct netaddr_list *l, const struct netaddr *a);
void netaddr_list_free(struct netaddr_list *l);

/* Most hops of X-Forwarded-For looked at, from the right. */
#define XFF_MAX_HOPS 32

/* The client of a request whose peer is a trusted proxy: walks the X-Forwarded-For
 * values (each header line in the order received; together one comma-separated list)
 * from the right, past every address in trusted, and returns the first that is not
 * trusted.  When an entry is not an address (garbage, "unknown", an obfuscated
 * identifier) or there are more than XFF_MAX_HOPS, the walk stops and the last
 * trusted hop reached (at first, peer) is the client: what lies further left was
 * written by someone we do not trust.  Entries may be "[v6]", "[v6]:port" or
 * "v4:port".  The caller checks that peer itself is trusted. */
void netaddr_forwarded_client(const struct netaddr *peer, const char *const *xff, size_t nxff,
                              const struct netaddr_list *trusted, struct netaddr *client);

#include "util/banned.h"
#endif
