/* What a call into the database came to, and why it failed: the one vocabulary that
 * store/ functions answer in and api/outcome.c replies from. */
#ifndef CLINICD_DB_STATUS_H
#define CLINICD_DB_STATUS_H

/* What a call into the database came to.  Store functions return it; the outcomes of
 * the domain (a slot taken, a limit reached) travel in their output structs with
 * DB_OK. */
enum db_status {
    DB_OK = 0,
    DB_NOT_FOUND,   /* the row the call names does not exist (set by store functions) */
    DB_CONFLICT,    /* a unique or exclusion constraint (23505, 23P01) */
    DB_INVALID,     /* another rule of the schema (22xxx, 23xxx) */
    DB_RETRY,       /* a serialization failure or deadlock (40001, 40P01) */
    DB_TIMEOUT,     /* no pooled connection was free within the checkout timeout */
    DB_DOWN,        /* unreachable, lost, or a statement that ran out of time */
    DB_FAULT,       /* a state of the database that lasts a while (disk full, read-only...) */
    DB_DEFERRED,    /* a read on an epoll thread that must move to a read worker */
    DB_ERROR,       /* anything else: a defect */
};

/* Why the last call failed, for the reply and the log.  fault and retry_after are
 * static strings (NULL unless status is DB_FAULT). */
struct db_failure {
    enum db_status status;
    char sqlstate[6];
    char constraint[64];
    const char *fault;       /* "disk-full", "read-only", ... */
    const char *retry_after; /* seconds, as text */
    char message[240];
};

#include "util/banned.h"
#endif
