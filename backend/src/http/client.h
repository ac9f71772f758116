/* Who is on the other end of a request: the peer, or behind a trusted proxy the
 * client it names in X-Forwarded-For; and who may read the operators' pages. */
#ifndef CLINICD_CLIENT_H
#define CLINICD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/netaddr.h"

struct config;
struct req;

/* Reads trusted_proxies, metrics_allow and metrics_token (already checked by
 * config_load).  Returns 0, or -1 after logging. */
int client_init(const struct config *cfg);
void client_release(void);

/* Whether a is one of trusted_proxies. */
bool client_trusted_proxy(const struct netaddr *a);

/* The client's address as text ("192.0.2.1", "2001:db8::1"; "" when unknown), for
 * rate limits, throttling and the audit log: the peer's address, or when the peer is a
 * trusted proxy the client it forwarded for (X-Forwarded-For; netaddr.h).  A header
 * from any other peer is ignored.  (Also declared in api/auth.h.) */
void client_address(struct req *r, char *out, size_t outlen);

/* Whether r may read /metrics: its client address is in metrics_allow, or it carries
 * "Authorization: Bearer <metrics_token>". */
bool client_may_read_metrics(struct req *r);

#include "util/banned.h"
#endif
