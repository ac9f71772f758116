/* Structured log lines (one JSON object per line) on stderr for events, stdout for requests. */
#ifndef CLINICD_LOG_H
#define CLINICD_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
/* Writes {"ts","level","msg"} to stderr; msg is escaped as a JSON string. */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes one already-formatted JSON object line to stdout, atomically (buffered:
 * flushed every 100 ms and by log_flush). */
void log_line_stdout(const char *json_line);
void log_flush(void);
/* Formats the current UTC time as 2026-03-08T10:00:00.123Z into out (at least 32 bytes). */
void log_timestamp(char *out, unsigned long outlen);

#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#include "util/banned.h"
#endif
