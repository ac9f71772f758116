/* The worker's part of "e-mail me my bookings": the lost_links rows of the outbox. */
#ifndef CLINICD_CLI_LOST_LINKS_H
#define CLINICD_CLI_LOST_LINKS_H

#include <stdbool.h>

#include "core/config.h"
#include "db/direct.h"

/* Delivers the lost_links rows that lease token holds (store_outbox_claim's), each on
 * its own: counts the attempt (store_outbox_refresh), finds the open bookings and plans
 * under the row's address at every clinic, stores a fresh link for each (7 days), and
 * sends one mail listing them, or saying there is none; then records the row sent, or
 * queued again / failed as the worker records any row.  A row so handled is no longer
 * 'sending', so the worker's own delivery of the token's rows passes it by.
 * Within the worker's limit per person (mail_per_address_per_hour, the same count as
 * every other mail): past it, the row waits as the others do (store_outbox_defer).
 * abort_now(arg) (may be NULL) is asked during a transfer, as the worker's smtp_send.
 * Returns DB_OK, or the database's failure (d->message says why). */
enum db_status lost_links_deliver(struct db_direct *d, const struct config *cfg,
                                  const char *token, bool (*abort_now)(void *), void *arg);

#include "util/banned.h"
#endif
