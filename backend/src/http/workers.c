/* Workers for requests that wait on PostgreSQL (see workers.h): a FIFO of requests,
 * linked through the requests themselves, and the threads that take from it. */
#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>

#include "http/request.h"
#include "util/alloc.h"
#include "util/log.h"

struct workers {
    pthread_mutex_t mu;
    pthread_cond_t ready;
    struct req *head, *tail;
    size_t queued, max_queued; /* max_queued 0: no bound */
    bool stopping;
    void (*run)(struct req *r);
    int nthreads;
    pthread_t *threads;
};

static void *work(void *arg)
{
    struct workers *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->ready, &w->mu);
        if (w->stopping)
            break;
        struct req *r = w->head;
        w->head = r->queued_next;
        if (!w->head)
            w->tail = NULL;
        r->queued_next = NULL;
        w->queued--;
        pthread_mutex_unlock(&w->mu);
        w->run(r);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

struct workers *workers_start(int n, size_t max_queued, void (*run)(struct req *r))
{
    struct workers *w = xcalloc(1, sizeof(*w));
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->ready, NULL);
    w->run = run;
    w->max_queued = max_queued;
    w->threads = xcalloc((size_t)n, sizeof(*w->threads));
    for (int i = 0; i < n; i++) {
        if (pthread_create(&w->threads[w->nthreads], NULL, work, w) != 0) {
            log_warn("http: started %d of %d workers", w->nthreads, n);
            break;
        }
        w->nthreads++;
    }
    if (w->nthreads == 0) {
        workers_free(w);
        return NULL;
    }
    return w;
}

bool workers_push(struct workers *w, struct req *r)
{
    r->queued_next = NULL;
    pthread_mutex_lock(&w->mu);
    if (w->stopping || (w->max_queued && w->queued >= w->max_queued)) {
        pthread_mutex_unlock(&w->mu);
        return false;
    }
    w->queued++;
    if (w->tail)
        w->tail->queued_next = r;
    else
        w->head = r;
    w->tail = r;
    pthread_cond_signal(&w->ready);
    pthread_mutex_unlock(&w->mu);
    return true;
}

void workers_stop(struct workers *w, void (*left)(struct req *r))
{
    pthread_mutex_lock(&w->mu);
    bool already = w->stopping;
    w->stopping = true;
    pthread_cond_broadcast(&w->ready);
    pthread_mutex_unlock(&w->mu);
    if (already)
        return;
    for (int i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    /* the threads are gone and nothing is queued any more: what is queued is ours */
    while (w->head) {
        struct req *r = w->head;
        w->head = r->queued_next;
        r->queued_next = NULL;
        w->queued--;
        if (left)
            left(r);
    }
    w->tail = NULL;
}

void workers_free(struct workers *w)
{
    if (!w)
        return;
    workers_stop(w, NULL);
    pthread_cond_destroy(&w->ready);
    pthread_mutex_destroy(&w->mu);
    free(w->threads);
    free(w);
}
