/* Opaque keyset-pagination cursors: the sort key and id of the last item, base64url. */
#ifndef CLINICD_CURSOR_H
#define CLINICD_CURSOR_H

#include <stddef.h>

#define CURSOR_MAX_KEY 1024
#define CURSOR_MAX_TEXT 1500

struct cursor {
    char kind;                  /* which ordering the cursor belongs to */
    char key[CURSOR_MAX_KEY];   /* the sort key, as text */
    char id[40];                /* the tie-breaking id (a UUID) */
};

/* Writes the cursor text into out (at least CURSOR_MAX_TEXT bytes); returns 0, or -1
 * if the key is too long, is not clean UTF-8 or holds the 0x1f separator. */
int cursor_encode(const struct cursor *c, char *out, size_t outlen);
/* Parses text made by cursor_encode; returns 0, or -1 when it is not a cursor of
 * this service (bad base64, wrong layout, id not a UUID). */
int cursor_decode(const char *text, struct cursor *c);

#include "util/banned.h"
#endif
