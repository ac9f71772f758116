/* Building responses: JSON, RFC 9457 problem+json, plain text and files. */
#ifndef CLINICD_REPLY_H
#define CLINICD_REPLY_H

#include <jansson.h>

#include "http/request.h"

/* Each reply_* sets r's response once; a second reply on the same request is ignored
 * (the first one stands).  JSON arguments are stolen. */
void reply_json(struct req *r, int status, json_t *body);
void reply_text(struct req *r, int status, const char *content_type, const char *text,
                size_t len);
/* Takes ownership of data (malloc'd). */
void reply_owned(struct req *r, int status, const char *content_type, char *data, size_t len);

/* A problem: type is a short slug ("slot-unavailable") turned into a type URI; errors
 * (stolen, may be NULL) is an array of {field, message}. */
void reply_problem(struct req *r, int status, const char *type, const char *title,
                   const char *detail, json_t *errors);
/* The same with extension members (ext, stolen, may be NULL) merged in. */
void reply_problem_ext(struct req *r, int status, const char *type, const char *title,
                       const char *detail, json_t *errors, json_t *ext);
/* The common problems. */
void reply_not_found(struct req *r);
void reply_unavailable(struct req *r, const char *detail);
void reply_internal(struct req *r);

/* Adds a header to the reply already set (no-op without one). */
void reply_header(struct req *r, const char *name, const char *value);

/* Replaces the default Cache-Control: no-store of the reply already set. */
void reply_cache(struct req *r, const char *value);

/* One {field, message} entry for reply_problem's errors. */
json_t *problem_error(const char *field, const char *message);

#include "util/banned.h"
#endif
