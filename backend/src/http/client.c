/* Who is on the other end of a request, and who may read the operators' pages. */
#include "http/client.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "http/request.h"
#include "util/alloc.h"
#include "util/log.h"

/* Set once before the daemon starts, read-only after. */
static struct netaddr_list trusted, metrics_allow;
static char *metrics_token; /* NULL: none */

int client_init(const struct config *cfg)
{
    char err[200];
    client_release();
    if (netaddr_list_parse(cfg->trusted_proxies, &trusted, err, sizeof(err)) < 0 ||
        netaddr_list_parse(cfg->metrics_allow, &metrics_allow, err, sizeof(err)) < 0) {
        log_error("config: %s", err);
        client_release();
        return -1;
    }
    if (cfg->metrics_token && strcmp(cfg->metrics_token, "-") != 0)
        metrics_token = xstrdup(cfg->metrics_token);
    return 0;
}

void client_release(void)
{
    netaddr_list_free(&trusted);
    netaddr_list_free(&metrics_allow);
    if (metrics_token)
        sodium_memzero(metrics_token, strlen(metrics_token));
    free(metrics_token);
    metrics_token = NULL;
}

bool client_trusted_proxy(const struct netaddr *a)
{
    return netaddr_list_contains(&trusted, a);
}

#define XFF_MAX_LINES 8

/* The last XFF_MAX_LINES X-Forwarded-For lines (a ring): the walk starts at the
 * right, and more lines than that hold more hops than it looks at anyway. */
struct xff_lines {
    const char *v[XFF_MAX_LINES];
    size_t n;
};

static enum MHD_Result collect_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct xff_lines *x = cls;
    if (key && strcasecmp(key, "X-Forwarded-For") == 0)
        x->v[x->n++ % XFF_MAX_LINES] = value ? value : "";
    return MHD_YES;
}

static void resolve(struct req *r, struct netaddr *out)
{
    memset(out, 0, sizeof(*out));
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    struct netaddr peer;
    if (!ci || !netaddr_from_sockaddr(ci->client_addr, &peer))
        return;
    *out = peer;
    if (!client_trusted_proxy(&peer))
        return;
    struct xff_lines x = {.n = 0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_xff, &x);
    const char *lines[XFF_MAX_LINES];
    size_t n = x.n < XFF_MAX_LINES ? x.n : XFF_MAX_LINES;
    for (size_t i = 0; i < n; i++)
        lines[i] = x.v[(x.n - n + i) % XFF_MAX_LINES];
    netaddr_forwarded_client(&peer, lines, n, &trusted, out);
}

void client_address(struct req *r, char *out, size_t outlen)
{
    if (!r->client_known) {
        struct netaddr a;
        resolve(r, &a);
        netaddr_format(&a, r->client, sizeof(r->client));
        r->client_addr = a;
        r->client_known = true;
    }
    snprintf(out, outlen, "%s", r->client);
}

bool client_may_read_metrics(struct req *r)
{
    if (metrics_token) {
        const char *h = req_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
        size_t n = strlen(metrics_token);
        if (h && strncasecmp(h, "Bearer ", 7) == 0 && strlen(h + 7) == n &&
            sodium_memcmp(h + 7, metrics_token, n) == 0)
            return true;
    }
    char ignored[NETADDR_TEXT_MAX];
    client_address(r, ignored, sizeof(ignored));
    return netaddr_list_contains(&metrics_allow, &r->client_addr);
}
