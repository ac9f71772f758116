/* Sealing small secrets (a manage token waiting in the outbox) with the service's
 * notification key, so that they are not readable from the database alone. */
#ifndef CLINICD_SEAL_H
#define CLINICD_SEAL_H

#include <stdbool.h>
#include <stddef.h>

/* Sets the key from 64 hex digits; false when malformed.  Without a key nothing is
 * sealed (seal_text returns false). */
bool seal_set_key_hex(const char *hex);
bool seal_have_key(void);
/* Seals text into base64url out; false without a key or when out is too small. */
bool seal_text(const char *text, char *out, size_t outlen);
/* Opens what seal_text made; false when it was not made with this key. */
bool unseal_text(const char *sealed, char *out, size_t outlen);

#include "util/banned.h"
#endif
