/* GET /api/v1/openapi.json: the OpenAPI 3.1 description of the API, served from
 * backend/openapi.json (found beside the web root: <web_root>/../backend/openapi.json,
 * which from the repository's root, as `make run` and the tests run, is the file in
 * the tree).  Read and checked once, at the first request that finds it, then served
 * from memory; a missing or unreadable file is a 503 until it is there. */
#include "api/handlers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "http/reply.h"
#include "util/file.h"
#include "util/log.h"

#define OPENAPI_MAX_BYTES (4 * 1024 * 1024)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *doc;     /* the file's bytes, once read */
static size_t doc_len;

/* Reads and checks the file; returns a malloc'd copy or NULL (logged). */
static char *load(size_t *len)
{
    char path[1024];
    int n = snprintf(path, sizeof(path), "%s/../backend/openapi.json",
                     app.cfg && app.cfg->web_root ? app.cfg->web_root : "web");
    if (n < 0 || (size_t)n >= sizeof(path))
        return NULL;
    size_t got;
    char *data = file_read(path, OPENAPI_MAX_BYTES, &got);
    if (!data || got == 0) {
        free(data);
        log_warn("openapi: %s is missing or not a readable file", path);
        return NULL;
    }
    json_error_t err;
    json_t *j = json_loadb(data, got, 0, &err);
    if (!json_is_object(j)) {
        log_error("openapi: %s is not a JSON object (line %d: %s)", path, err.line, err.text);
        json_decref(j);
        free(data);
        return NULL;
    }
    json_decref(j);
    *len = got;
    return data;
}

void openapi_get(struct req *r)
{
    pthread_mutex_lock(&lock);
    if (!doc)
        doc = load(&doc_len);
    char *copy = doc ? malloc(doc_len + 1) : NULL;
    if (copy)
        memcpy(copy, doc, doc_len + 1);
    size_t len = doc_len;
    pthread_mutex_unlock(&lock);
    if (!copy) {
        reply_unavailable(r, "The API description is not available on this server.");
        return;
    }
    reply_owned(r, 200, "application/json", copy, len);
    reply_cache(r, "no-cache");
}
