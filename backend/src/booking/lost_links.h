/* "E-mail me my bookings" (booking/lost_links.c): the owner of its long-lived parts.
 * The handler itself is declared in api/handlers.h. */
#ifndef CLINICD_BOOKING_LOST_LINKS_H
#define CLINICD_BOOKING_LOST_LINKS_H

#include "core/owner.h"

/* Registered by main.c.  start reads config audit_key (the secret of the keyed hash
 * that names an address in the audit log; "-": a random one for this process, with a
 * warning) and makes the per-client buckets (none while patient_writes_per_hour is 0);
 * stop frees them; stats gives /metrics the 429s by limit
 * (clinicd_lost_links_limited_total{limit="client"|"address"}), counts only.  Until it
 * has started, requests are not limited per client and are hashed with an all-zero
 * key: main.c starts it before serving. */
extern const struct owner lost_links_owner;

#include "util/banned.h"
#endif
