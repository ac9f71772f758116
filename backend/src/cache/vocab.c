/* The directory's vocabulary (professions, techniques, conditions) held in memory, so
 * that a search resolves "MFR" to its technique without a database round trip. */
#include "cache/vocab.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/common.h"
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

DB_STMT(st_vocab,
        "SELECT 'p', slug, id FROM professions UNION ALL SELECT 'p', name, id FROM professions"
        " UNION ALL SELECT 't', slug, id FROM techniques UNION ALL SELECT 't', name, id FROM techniques"
        " UNION ALL SELECT 't', alias::text, technique_id FROM technique_aliases"
        " UNION ALL SELECT 'c', slug, id FROM conditions UNION ALL SELECT 'c', name, id FROM conditions"
        " UNION ALL SELECT 'c', alias::text, condition_id FROM condition_aliases",
        0);

static void free_terms(struct term *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].text);
    free(t);
}

static int reload(struct req *r)
{
    PGresult *res = api_query(r, &st_vocab, NULL);
    if (!res)
        return -1;
    size_t n = (size_t)PQntuples(res);
    struct term *t = xcalloc(n, sizeof(*t));
    for (size_t i = 0; i < n; i++) {
        t[i].kind = PQgetvalue(res, (int)i, 0)[0];
        t[i].text = xstrdup(PQgetvalue(res, (int)i, 1));
        t[i].id = (int)strtol(PQgetvalue(res, (int)i, 2), NULL, 10);
    }
    PQclear(res);
    pthread_rwlock_wrlock(&lock);
    free_terms(terms, nterms);
    terms = t;
    nterms = n;
    loaded_at = time(NULL);
    pthread_rwlock_unlock(&lock);
    return 0;
}

static int find(enum vocab_kind kind, const char *text, int *id)
{
    int found = 0;
    pthread_rwlock_rdlock(&lock);
    for (size_t i = 0; i < nterms && !found; i++)
        if (terms[i].kind == (char)kind && strcasecmp(terms[i].text, text) == 0) {
            *id = terms[i].id;
            found = 1;
        }
    pthread_rwlock_unlock(&lock);
    return found;
}

int vocab_lookup(struct req *r, enum vocab_kind kind, const char *text, int *id)
{
    pthread_rwlock_rdlock(&lock);
    bool stale = terms == NULL || time(NULL) - loaded_at >= RELOAD_AFTER_MISS_S;
    pthread_rwlock_unlock(&lock);
    if (find(kind, text, id))
        return 1;
    if (!stale)
        return 0;
    if (reload(r) < 0)
        return -1;
    return find(kind, text, id);
}

void vocab_free(void)
{
    pthread_rwlock_wrlock(&lock);
    free_terms(terms, nterms);
    terms = NULL;
    nterms = 0;
    pthread_rwlock_unlock(&lock);
}
