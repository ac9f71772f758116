/* Fair shares of the connections: a cap per client address (http_max_per_ip; trusted
 * proxies are exempt) and a deadline for each request head (http_head_timeout_s).
 *
 * libmicrohttpd 0.9.75 has neither in a usable form: its per-IP limit exempts no one,
 * and its only timeout is an idle one, which a client sending a byte now and then
 * never reaches.  So every connection is tracked from its accept (the accept policy
 * and the connection notifications) to its close, and a timer shuts down the socket
 * of a connection whose request head is late; libmicrohttpd then sees the connection
 * end and closes it as usual.  The timer and the close notification take one lock,
 * and the notification comes before libmicrohttpd closes the socket, so the timer
 * never touches a descriptor that has been closed (and perhaps reused). */
#ifndef CLINICD_CONNS_H
#define CLINICD_CONNS_H

#include <microhttpd.h>

struct config;

/* Reads the limits, starts the timer.  Returns 0, or -1 after logging. */
int conns_start(const struct config *cfg);
/* Stops the timer; after MHD_stop_daemon (which reports every connection closed). */
void conns_stop(void);

/* libmicrohttpd's accept policy (MHD_start_daemon's apc): refuses a connection
 * from an address that already has http_max_per_ip open, unless it is a trusted
 * proxy. */
enum MHD_Result conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
/* MHD_OPTION_NOTIFY_CONNECTION: starts and ends the tracking of a connection. */
void conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                  enum MHD_ConnectionNotificationCode code);

/* The head of c's current request has arrived (the access handler's first call):
 * no deadline runs until the request is answered. */
void conns_head_done(struct MHD_Connection *c);
/* c's request is over (answered, or abandoned): the next head is due within the
 * deadline from now, which also bounds how long an idle kept-alive connection stays. */
void conns_request_done(struct MHD_Connection *c);

#include "util/banned.h"
#endif
