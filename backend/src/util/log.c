/* Structured log lines (one JSON object per line) on stderr for events, stdout for requests. */
#include "util/log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

void log_timestamp(char *out, unsigned long outlen)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             ts.tv_nsec / 1000000);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    if (lvl < min_level)
        return;
    char msg[1024];
    char ts[40];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_timestamp(ts, sizeof(ts));
    json_t *o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level_names[lvl], "msg", msg);
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    pthread_mutex_lock(&out_mu);
    fprintf(stderr, "%s\n", line ? line : msg);
    fflush(stderr);
    pthread_mutex_unlock(&out_mu);
    free(line);
    json_decref(o);
}

/* Request lines are gathered and written whole, at most every 100 ms or when 48 KiB
 * are waiting, so a busy server does not pay a write() per request and a reader of
 * the log never sees half a line. */
static char pending[64 * 1024];
static size_t pending_len;

static void write_pending(void)
{
    size_t off = 0;
    while (off < pending_len) {
        ssize_t n = write(STDOUT_FILENO, pending + off, pending_len - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    pending_len = 0;
}

static void *flusher(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&out_mu);
        write_pending();
        pthread_mutex_unlock(&out_mu);
    }
    return NULL;
}

static void start_flusher(void)
{
    pthread_t t;
    if (pthread_create(&t, NULL, flusher, NULL) == 0)
        pthread_detach(t);
}

void log_line_stdout(const char *json_line)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, start_flusher);
    size_t n = strlen(json_line);
    pthread_mutex_lock(&out_mu);
    if (pending_len + n + 1 > 48 * 1024)
        write_pending();
    if (n + 1 <= sizeof(pending)) {
        memcpy(pending + pending_len, json_line, n);
        pending[pending_len + n] = '\n';
        pending_len += n + 1;
    }
    pthread_mutex_unlock(&out_mu);
}

void log_flush(void)
{
    pthread_mutex_lock(&out_mu);
    write_pending();
    pthread_mutex_unlock(&out_mu);
}
