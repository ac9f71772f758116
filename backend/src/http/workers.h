/* Workers for requests that wait on PostgreSQL's commit.  With a pool of epoll threads,
 * a thread that waits on the database holds up every connection it serves, and only
 * as many transactions are in flight as there are threads: writes would queue behind
 * each other and behind reads.  So writes are handed to these workers while their
 * connection is suspended, and reads that memory answers stay on the epoll threads. */
#ifndef CLINICD_WORKERS_H
#define CLINICD_WORKERS_H

#include <stdbool.h>

struct req;
struct workers;

/* Starts n threads; each runs run(r) for the requests given to workers_push, one
 * after another, in the order they came.  NULL when no thread could be started. */
struct workers *workers_start(int n, void (*run)(struct req *r));

/* Queues r for a worker. */
void workers_push(struct workers *w, struct req *r);

/* Lets the workers finish the request each is running, hands every request still
 * queued to left(r), joins the threads and frees w. */
void workers_stop(struct workers *w, void (*left)(struct req *r));

#include "util/banned.h"
#endif
