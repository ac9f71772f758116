/* The key under which one person's e-mail addresses count as one contact, for the
 * per-contact limits and for rate-limiting mail: the same rules as the SQL function
 * contact_key() (migration 0011), so that the database and the service agree. */
#ifndef CLINICD_CONTACT_H
#define CLINICD_CONTACT_H

#include <stdbool.h>
#include <stddef.h>

#define CONTACT_KEY_MAX 320

/* Writes the contact key of email into out (outlen bytes, CONTACT_KEY_MAX + 1 is
 * enough for any address the API accepts).  The rules, for every domain: case is
 * ignored, and a sub-address ("+tag" in the local part) is dropped; for gmail.com and
 * googlemail.com (one mailbox under two names) dots in the local part are ignored too
 * and the domain is gmail.com.  Returns false, with out empty, when email has no "@"
 * or the key would not fit. */
bool contact_key(const char *email, char *out, size_t outlen);

#include "util/banned.h"
#endif
