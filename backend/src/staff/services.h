/* A clinic's services, as its staff keep them: the body of a create or an update. */
#ifndef CLINICD_STAFF_SERVICES_H
#define CLINICD_STAFF_SERVICES_H

#include <stdbool.h>

#include "api/common.h"
#include "store/services.h"

#define MAX_PRICE_CENTS 10000000L /* the schema's bound: 100,000.00 */

/* The members a create and an update may hold (NULL-terminated). */
extern const char *const service_create_fields[];
extern const char *const service_patch_fields[];

/* Reads a service body into f (its strings borrowed from body or f's buffers): the
 * price in cents, at most two decimals; the currency an ISO 4217 code. */
void service_parse(struct input *in, json_t *body, bool create, struct service_fields *f);

#include "util/banned.h"
#endif
