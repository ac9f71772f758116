/* Unit tests for util/netaddr: addresses, lists of addresses and CIDR ranges, and the
 * client behind X-Forwarded-For (spoofed headers, chains of proxies, IPv6, garbage). */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "util/netaddr.h"

/* ---- netaddr_parse and netaddr_format ------------------------------------------- */

struct parse_case {
    const char *text;
    bool ok;
    const char *formatted; /* when ok */
};

static const struct parse_case parse_cases[] = {
    {"192.0.2.1", true, "192.0.2.1"},
    {"0.0.0.0", true, "0.0.0.0"},
    {"255.255.255.255", true, "255.255.255.255"},
    {"2001:db8::1", true, "2001:db8::1"},
    {"2001:DB8:0:0:0:0:0:1", true, "2001:db8::1"},
    {"::1", true, "::1"},
    {"::", true, "::"},
    {"::ffff:192.0.2.9", true, "192.0.2.9"}, /* IPv4-mapped: the IPv4 client */
    {"::FFFF:c000:0209", true, "192.0.2.9"},
    {"fe80::1%eth0", false, NULL}, /* zones are not client addresses */
    {"256.0.0.1", false, NULL},
    {"192.0.2", false, NULL},
    {"192.0.2.1.5", false, NULL},
    {"0x7f.0.0.1", false, NULL},
    {"010.0.0.1", false, NULL}, /* (octal, in inet_aton) */
    {" 192.0.2.1", false, NULL},
    {"192.0.2.1 ", false, NULL},
    {"192.0.2.1:80", false, NULL},
    {"[2001:db8::1]", false, NULL},
    {"2001:db8:::1", false, NULL},
    {"unknown", false, NULL},
    {"", false, NULL},
    {"1234567890123456789012345678901234567890123456789", false, NULL},
};

static void test_parse_row(void **state)
{
    const struct parse_case *c = UNIT_ROW(struct parse_case, state);
    struct netaddr a;
    bool ok = netaddr_parse(c->text, strlen(c->text), &a);
    assert_int_equal(ok, c->ok);
    if (ok) {
        char out[NETADDR_TEXT_MAX];
        netaddr_format(&a, out, sizeof(out));
        assert_string_equal(out, c->formatted);
    }
}

/* a NUL inside the given length is not an address */
static void test_parse_nul(void **state)
{
    (void)state;
    struct netaddr a;
    assert_false(netaddr_parse(UNIT_BYTES("10.0.0.1\0x"), &a));
    assert_true(netaddr_parse("10.0.0.1junk", 8, &a));
}

static void test_from_sockaddr(void **state)
{
    (void)state;
    struct sockaddr_in in = {.sin_family = AF_INET};
    inet_pton(AF_INET, "198.51.100.7", &in.sin_addr);
    struct netaddr a, b;
    char out[NETADDR_TEXT_MAX];
    assert_true(netaddr_from_sockaddr((struct sockaddr *)&in, &a));
    netaddr_format(&a, out, sizeof(out));
    assert_string_equal(out, "198.51.100.7");
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "::ffff:198.51.100.7", &in6.sin6_addr);
    assert_true(netaddr_from_sockaddr((struct sockaddr *)&in6, &b));
    assert_true(netaddr_equal(&a, &b)); /* one client, either way it came */
    struct sockaddr un = {.sa_family = AF_UNIX};
    assert_false(netaddr_from_sockaddr(&un, &a));
    assert_false(netaddr_from_sockaddr(NULL, &a));
    netaddr_format(&a, out, sizeof(out));
    assert_string_equal(out, "");
}

/* ---- lists ----------------------------------------------------------------------- */

struct list_case {
    const char *text;
    int rc;
    size_t n;
    const char *in[4];  /* addresses the list contains */
    const char *out[4]; /* and some it does not */
    const char *err;    /* in the message, on failure */
};

static const struct list_case list_cases[] = {
    {"-", 0, 0, {0}, {"127.0.0.1", "::1"}, NULL},
    {"", 0, 0, {0}, {"127.0.0.1"}, NULL},
    {"  -  ", 0, 0, {0}, {"127.0.0.1"}, NULL},
    {"127.0.0.0/8 ::1", 0, 2, {"127.0.0.1", "127.255.0.3", "::1"}, {"128.0.0.1", "::2", "10.0.0.1"}, NULL},
    {"10.0.0.0/8,192.168.1.7, 2001:db8::/32", 0, 3,
     {"10.1.2.3", "192.168.1.7", "2001:db8:ffff::9"}, {"192.168.1.8", "2001:db9::1", "11.0.0.0"}, NULL},
    {"0.0.0.0/0", 0, 1, {"1.2.3.4", "255.255.255.255"}, {"::1"}, NULL},
    {"::/0", 0, 1, {"::1", "2001:db8::1"}, {"1.2.3.4"}, NULL},
    {"172.16.0.0/12", 0, 1, {"172.31.255.255", "172.16.0.0"}, {"172.32.0.0", "172.15.255.255"}, NULL},
    {"192.0.2.128/25", 0, 1, {"192.0.2.200"}, {"192.0.2.127"}, NULL},
    {"::ffff:10.0.0.0/104", 0, 1, {"10.9.9.9", "::ffff:10.1.1.1"}, {"11.0.0.1"}, NULL},
    {"192.0.2.1/32", 0, 1, {"192.0.2.1"}, {"192.0.2.2"}, NULL},
    {"10.0.0.1/8", -1, 0, {0}, {0}, "past its prefix"},
    {"10.0.0.0/33", -1, 0, {0}, {0}, "out of range"},
    {"10.0.0.0/", -1, 0, {0}, {0}, "not a number"},
    {"10.0.0.0/x", -1, 0, {0}, {0}, "not a number"},
    {"10.0.0.0/-1", -1, 0, {0}, {0}, "not a number"},
    {"127.0.0.1 localhost", -1, 0, {0}, {0}, "'localhost'"},
    {"127.0.0.1;10.0.0.1", -1, 0, {0}, {0}, "not an IP address"},
    {"- 10.0.0.1", -1, 0, {0}, {0}, "'-'"},
};

static void test_list_row(void **state)
{
    const struct list_case *c = UNIT_ROW(struct list_case, state);
    struct netaddr_list l;
    char err[200] = "";
    int rc = netaddr_list_parse(c->text, &l, err, sizeof(err));
    assert_int_equal(rc < 0 ? -1 : 0, c->rc < 0 ? -1 : 0);
    if (rc < 0) {
        assert_int_equal(l.n, 0);
        assert_null(l.items);
        if (!strstr(err, c->err))
            fail_msg("error '%s' does not mention '%s'", err, c->err);
        return;
    }
    assert_int_equal(l.n, c->n);
    struct netaddr a;
    for (size_t i = 0; i < 4 && c->in[i]; i++) {
        assert_true(netaddr_parse(c->in[i], strlen(c->in[i]), &a));
        if (!netaddr_list_contains(&l, &a))
            fail_msg("'%s' should contain %s", c->text, c->in[i]);
    }
    for (size_t i = 0; i < 4 && c->out[i]; i++) {
        assert_true(netaddr_parse(c->out[i], strlen(c->out[i]), &a));
        if (netaddr_list_contains(&l, &a))
            fail_msg("'%s' should not contain %s", c->text, c->out[i]);
    }
    netaddr_list_free(&l);
    assert_int_equal(l.n, 0);
}

/* ---- X-Forwarded-For -------------------------------------------------------------- */

#define MAXLINES 4

struct xff_case {
    const char *what;
    const char *trusted;
    const char *peer;
    const char *lines[MAXLINES]; /* X-Forwarded-For header lines, in order */
    const char *client;
};

static const struct xff_case xff_cases[] = {
    {"no header: the proxy itself", "10.0.0.1", "10.0.0.1", {0}, "10.0.0.1"},
    {"one hop", "10.0.0.1", "10.0.0.1", {"203.0.113.5"}, "203.0.113.5"},
    {"a spoofed entry left of the real one is not believed", "10.0.0.1", "10.0.0.1",
     {"1.2.3.4, 203.0.113.5"}, "203.0.113.5"},
    {"spoofed lines before the proxy's own", "10.0.0.1", "10.0.0.1",
     {"1.2.3.4", "5.6.7.8", "203.0.113.5"}, "203.0.113.5"},
    {"a chain of trusted proxies is walked past", "10.0.0.0/8", "10.0.0.1",
     {"198.51.100.9, 10.2.0.1, 10.3.0.1"}, "198.51.100.9"},
    {"chain over several lines", "10.0.0.0/8", "10.0.0.1",
     {"1.1.1.1, 198.51.100.9", "10.2.0.1", "10.3.0.1"}, "198.51.100.9"},
    {"every hop trusted: the leftmost", "10.0.0.0/8", "10.0.0.1", {"10.9.9.9, 10.2.0.1"}, "10.9.9.9"},
    {"IPv6 client", "10.0.0.1", "10.0.0.1", {"2001:DB8::7"}, "2001:db8::7"},
    {"IPv6 in brackets with a port", "10.0.0.1", "10.0.0.1", {"[2001:db8::7]:4711"}, "2001:db8::7"},
    {"IPv6 in brackets", "10.0.0.1", "10.0.0.1", {"[2001:db8::7]"}, "2001:db8::7"},
    {"IPv4 with a port", "10.0.0.1", "10.0.0.1", {"203.0.113.5:51000"}, "203.0.113.5"},
    {"IPv4-mapped IPv6", "10.0.0.1", "10.0.0.1", {"::ffff:203.0.113.5"}, "203.0.113.5"},
    {"IPv6 proxies", "2001:db8:1::/48", "2001:db8:1::5", {"192.0.2.44, 2001:db8:1::6"}, "192.0.2.44"},
    {"spaces and tabs around entries", "10.0.0.1", "10.0.0.1", {" \t203.0.113.5 \t"}, "203.0.113.5"},
    {"empty elements are skipped", "10.0.0.1", "10.0.0.1", {"203.0.113.5,, ,"}, "203.0.113.5"},
    {"an empty header", "10.0.0.1", "10.0.0.1", {""}, "10.0.0.1"},
    {"garbage: the proxy", "10.0.0.1", "10.0.0.1", {"unknown"}, "10.0.0.1"},
    {"garbage past a trusted hop: that hop", "10.0.0.0/8", "10.0.0.1", {"evil, 10.2.0.1"}, "10.2.0.1"},
    {"garbage left of the client is not reached", "10.0.0.1", "10.0.0.1",
     {"<script>, 203.0.113.5"}, "203.0.113.5"},
    {"obfuscated identifier (RFC 7239)", "10.0.0.1", "10.0.0.1", {"_hidden"}, "10.0.0.1"},
    {"a host name is not an address", "10.0.0.1", "10.0.0.1", {"client.example.com"}, "10.0.0.1"},
    {"an address glued to a port badly", "10.0.0.1", "10.0.0.1", {"203.0.113.5:"}, "10.0.0.1"},
    {"a port too long", "10.0.0.1", "10.0.0.1", {"203.0.113.5:123456"}, "10.0.0.1"},
    {"unbalanced bracket", "10.0.0.1", "10.0.0.1", {"[2001:db8::7"}, "10.0.0.1"},
    {"IPv4 in brackets", "10.0.0.1", "10.0.0.1", {"[203.0.113.5]"}, "10.0.0.1"},
    {"a NUL-free but huge entry", "10.0.0.1", "10.0.0.1",
     {"203.0.113.5203.0.113.5203.0.113.5203.0.113.5203.0.113.5"}, "10.0.0.1"},
    {"quoted (Forwarded syntax) is not XFF", "10.0.0.1", "10.0.0.1", {"\"203.0.113.5\""}, "10.0.0.1"},
};

static void split_lines(const struct xff_case *c, const char **lines, size_t *n)
{
    *n = 0;
    for (size_t i = 0; i < MAXLINES && c->lines[i]; i++)
        lines[(*n)++] = c->lines[i];
}

static void test_xff_row(void **state)
{
    const struct xff_case *c = UNIT_ROW(struct xff_case, state);
    struct netaddr_list trusted;
    char err[200];
    assert_int_equal(netaddr_list_parse(c->trusted, &trusted, err, sizeof(err)), 0);
    struct netaddr peer, client;
    assert_true(netaddr_parse(c->peer, strlen(c->peer), &peer));
    const char *lines[MAXLINES];
    size_t n;
    split_lines(c, lines, &n);
    netaddr_forwarded_client(&peer, lines, n, &trusted, &client);
    char out[NETADDR_TEXT_MAX];
    netaddr_format(&client, out, sizeof(out));
    assert_string_equal(out, c->client);
    netaddr_list_free(&trusted);
}

/* More hops than XFF_MAX_HOPS, all trusted: the walk stops at the limit, on a
 * trusted hop, and never reaches the forged client far to the left. */
static void test_xff_hop_limit(void **state)
{
    (void)state;
    struct netaddr_list trusted;
    char err[200];
    assert_int_equal(netaddr_list_parse("10.0.0.0/8", &trusted, err, sizeof(err)), 0);
    char line[4096];
    size_t o = (size_t)snprintf(line, sizeof(line), "203.0.113.66");
    for (int i = 0; i < XFF_MAX_HOPS + 5; i++)
        o += (size_t)snprintf(line + o, sizeof(line) - o, ", 10.0.%d.%d", i / 200, i % 200 + 1);
    const char *lines[] = {line};
    struct netaddr peer, client;
    assert_true(netaddr_parse(UNIT_BYTES("10.255.255.255"), &peer));
    netaddr_forwarded_client(&peer, lines, 1, &trusted, &client);
    char out[NETADDR_TEXT_MAX];
    netaddr_format(&client, out, sizeof(out));
    assert_string_not_equal(out, "203.0.113.66");
    assert_true(netaddr_list_contains(&trusted, &client));
    /* within the limit the client is found */
    o = (size_t)snprintf(line, sizeof(line), "203.0.113.66");
    for (int i = 0; i < XFF_MAX_HOPS - 1; i++)
        o += (size_t)snprintf(line + o, sizeof(line) - o, ", 10.0.0.%d", i + 1);
    netaddr_forwarded_client(&peer, lines, 1, &trusted, &client);
    netaddr_format(&client, out, sizeof(out));
    assert_string_equal(out, "203.0.113.66");
    netaddr_list_free(&trusted);
}

int main(void)
{
    struct unit_suite s = {0};
    char e[128];
    for (size_t i = 0; i < UNIT_ARRAY_LEN(parse_cases); i++)
        unit_add(&s, test_parse_row, &parse_cases[i], "netaddr_parse[%zu] \"%s\"", i,
                 unit_escape(parse_cases[i].text, strlen(parse_cases[i].text), e, sizeof(e)));
    unit_add(&s, test_parse_nul, NULL, "netaddr_parse: a NUL inside");
    unit_add(&s, test_from_sockaddr, NULL, "netaddr_from_sockaddr");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(list_cases); i++)
        unit_add(&s, test_list_row, &list_cases[i], "netaddr_list_parse[%zu] \"%s\"", i,
                 list_cases[i].text);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(xff_cases); i++)
        unit_add(&s, test_xff_row, &xff_cases[i], "X-Forwarded-For[%zu] %s", i,
                 xff_cases[i].what);
    unit_add(&s, test_xff_hop_limit, NULL, "X-Forwarded-For: at most XFF_MAX_HOPS hops");
    return unit_run(&s, "netaddr", NULL, NULL);
}
