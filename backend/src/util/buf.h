/* A growable byte buffer with a hard cap: appends past the cap fail instead of growing. */
#ifndef CLINICD_BUF_H
#define CLINICD_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max;   /* the cap on len; 0 means SIZE_MAX */
    bool toobig;  /* set once an append was refused */
};

/* Starts an empty buffer that will never hold more than max bytes. */
void buf_init(struct buf *b, size_t max);
/* Frees what the buffer owns and empties it (it may be reused). */
void buf_release(struct buf *b);
/* Appends n bytes; returns -1 and sets toobig (appending nothing) past the cap. */
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hands the data to the caller (who frees it) and empties the buffer. */
char *buf_detach(struct buf *b, size_t *len);

#include "util/banned.h"
#endif
