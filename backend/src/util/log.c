/* Structured log lines (one JSON object per line) on stderr for events, stdout for requests. */
#include "log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

void log_line_stdout(const char *json_line)
{
    pthread_mutex_lock(&out_mu);
    fputs(json_line, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    pthread_mutex_unlock(&out_mu);
}
