/* The libmicrohttpd daemon: limits, the request life cycle, logging and shutdown. */
#ifndef CLINICD_SERVER_H
#define CLINICD_SERVER_H

/* Serves until SIGTERM or SIGINT, then drains: readiness turns 503, no new
 * connections are accepted, in-flight requests get shutdown_grace_s to finish.
 * Uses app.cfg and app.pool.  Returns a process exit code. */
int server_run(void);

#include "util/banned.h"
#endif
