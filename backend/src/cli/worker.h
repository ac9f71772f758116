/* The notification worker: delivers the outbox by SMTP and schedules reminders. */
#ifndef CLINICD_WORKER_H
#define CLINICD_WORKER_H

#include "core/config.h"

/* Runs `clinicd worker [--once]`: with --once, one pass (schedule reminders, deliver
 * what is due) then exit; else until SIGTERM.  Returns an exit code. */
int worker_cli(int argc, char **argv, const struct config *cfg);

#include "util/banned.h"
#endif
