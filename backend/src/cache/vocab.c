/* The directory's vocabulary (professions, techniques, conditions) held in memory, so
 * that a search resolves "MFR" to its technique without a database round trip. */
#include "cache/vocab.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/directory_vocab.h"
#include "util/alloc.h"

struct term {
    char kind;
    char *text;
    int id;
};

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct term *terms;
static size_t nterms;
static time_t loaded_at;

/* Reference data changes only through migrations; a miss reloads at most every 10 s
 * so that a new technique shows up without a restart. */
#define RELOAD_AFTER_MISS_S 10

static void free_terms(struct term *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].text);
    free(t);
}

/* The terms being read. */
struct reading {
    struct term *t;
    size_t n;
};

static void take_term(char kind, const char *text, int id, size_t i, size_t n, void *ctx)
{
    struct reading *x = ctx;
    if (!x->t)
        x->t = xcalloc(n, sizeof(*x->t));
    x->t[i] = (struct term){kind, xstrdup(text), id};
    x->n = i + 1;
}

static enum db_status reload(struct db_session *s)
{
    struct reading x = {0};
    enum db_status st = store_directory_vocab_terms(s, take_term, &x);
    if (st != DB_OK) {
        free_terms(x.t, x.n);
        return st;
    }
    if (!x.t) /* (no term at all) */
        x.t = xcalloc(1, sizeof(*x.t));
    pthread_rwlock_wrlock(&lock);
    free_terms(terms, nterms);
    terms = x.t;
    nterms = x.n;
    loaded_at = time(NULL);
    pthread_rwlock_unlock(&lock);
    return DB_OK;
}

static bool find(enum vocab_kind kind, const char *text, int *id)
{
    bool found = false;
    pthread_rwlock_rdlock(&lock);
    for (size_t i = 0; i < nterms && !found; i++)
        if (terms[i].kind == (char)kind && strcasecmp(terms[i].text, text) == 0) {
            *id = terms[i].id;
            found = true;
        }
    pthread_rwlock_unlock(&lock);
    return found;
}

enum db_status vocab_find(struct db_session *s, enum vocab_kind kind, const char *text, int *id,
                          bool *found)
{
    pthread_rwlock_rdlock(&lock);
    bool stale = terms == NULL || time(NULL) - loaded_at >= RELOAD_AFTER_MISS_S;
    pthread_rwlock_unlock(&lock);
    *found = find(kind, text, id);
    if (*found || !stale)
        return DB_OK;
    enum db_status st = reload(s);
    if (st == DB_OK)
        *found = find(kind, text, id);
    return st;
}

static void vocab_stop(void)
{
    pthread_rwlock_wrlock(&lock);
    free_terms(terms, nterms);
    terms = NULL;
    nterms = 0;
    pthread_rwlock_unlock(&lock);
}

void vocab_free(void)
{
    vocab_stop();
}

const struct owner vocab_owner = {.name = "the directory vocabulary", .stop = vocab_stop};
