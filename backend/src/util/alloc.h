/* Allocation wrappers that abort on exhaustion, so call sites need no NULL checks. */
#ifndef CLINICD_ALLOC_H
#define CLINICD_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#include "util/banned.h"
#endif
