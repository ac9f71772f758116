/* Reading a whole file into memory, capped. */
#ifndef CLINICD_UTIL_FILE_H
#define CLINICD_UTIL_FILE_H

#include <stddef.h>

/* The contents of the regular file at path, NUL-terminated, in memory of the caller's
 * (free() it), with their length in *len; NULL when path is not a regular file, is
 * larger than max bytes or cannot be read whole. */
char *file_read(const char *path, size_t max, size_t *len);

#include "util/banned.h"
#endif
