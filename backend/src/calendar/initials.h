/* A patient's name as the practitioners' calendar feeds show it: initials only. */
#ifndef CLINICD_CALENDAR_INITIALS_H
#define CLINICD_CALENDAR_INITIALS_H

#include <stddef.h>

/* "Ann Lee" -> "A. L.", "jean-luc picard" -> "J. L. P.": the first letter of each
 * word (words split at spaces and hyphens), ASCII letters upper-cased, a word that
 * starts with a non-ASCII byte left out.  out holds n bytes (n >= 1). */
void initials_of(const char *name, char *out, size_t n);

#include "util/banned.h"
#endif
