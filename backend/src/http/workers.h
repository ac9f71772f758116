/* Workers for requests that wait on PostgreSQL.  With a pool of epoll threads, a
 * thread that waits on the database holds up every connection it serves, and only as
 * many transactions are in flight as there are threads: writes would queue behind
 * each other and behind reads.  So writes are handed to one set of these workers while
 * their connection is suspended, reads that need SQL (a free-text search, a staff
 * page) to another, bounded one, and reads that memory answers stay on the epoll
 * threads: a flood of slow searches then starves neither writes nor cached reads. */
#ifndef CLINICD_WORKERS_H
#define CLINICD_WORKERS_H

#include <stdbool.h>
#include <stddef.h>

struct req;
struct workers;

/* Starts n threads; each runs run(r) for the requests given to workers_push, one
 * after another, in the order they came.  At most max_queued requests wait (0: no
 * bound).  NULL when no thread could be started. */
struct workers *workers_start(int n, size_t max_queued, void (*run)(struct req *r));

/* Queues r for a worker; false (r not queued) when max_queued are waiting, or once
 * the workers are stopping. */
bool workers_push(struct workers *w, struct req *r);

/* Lets the workers finish the request each is running, hands every request still
 * queued to left(r) and joins the threads; later pushes fail.  w stays valid (the
 * server may still be handed requests) until workers_free. */
void workers_stop(struct workers *w, void (*left)(struct req *r));
/* Stops w if need be and frees it; NULL is fine. */
void workers_free(struct workers *w);

#include "util/banned.h"
#endif
