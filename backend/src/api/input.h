/* Input checks that collect problems per field: query parameters (q_*, only_params),
 * the JSON body and its members (body_*), replied together as one problem+json (400 or
 * 422) listing every field.  The body_* helpers read only the JSON they are given (they
 * do not touch in->r), so parse functions built on them run without a request. */
#ifndef CLINICD_API_INPUT_H
#define CLINICD_API_INPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

/* Collected input problems; replied as one problem+json listing every field. */
struct input {
    struct req *r;
    json_t *errors;
    bool malformed; /* something did not parse at all: 400 rather than 422 */
};

void input_init(struct input *in, struct req *r);
void input_error(struct input *in, const char *field, bool malformed, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* True when no problem was recorded. */
bool input_ok(const struct input *in);
/* Replies 400 or 422 with every recorded problem, and frees them. */
void input_reply(struct input *in);
/* Frees what input holds without replying. */
void input_release(struct input *in);

/* Query parameters.  Each returns true when the parameter is present and valid (out
 * set); false when absent (out untouched) or invalid (a problem recorded).  A
 * parameter given twice is a problem, except through q_all. */
const char *q_str(struct input *in, const char *key, size_t maxlen);
bool q_long(struct input *in, const char *key, long min, long max, long *out);
bool q_double(struct input *in, const char *key, double min, double max, double *out);
bool q_bool(struct input *in, const char *key, bool *out);
/* Whether a write asks for a preview only: ?preview=true or "dry_run": true in body
 * (which may be NULL); false after recording a problem. */
bool input_preview(struct input *in, json_t *body, bool *preview);
size_t q_all(struct input *in, const char *key, const char **values, size_t max);

/* The request body as a JSON object, or NULL after recording a problem (400 for
 * malformed JSON, invalid UTF-8 or a body that is not an object; a missing body too). */
json_t *body_object(struct input *in);
/* Records a problem for every member of obj not named in allowed (NULL-terminated). */
void body_only(struct input *in, json_t *obj, const char *prefix, const char *const *allowed);
/* Member name of obj as one line of text, 1..maxlen characters: no control
 * character, line break or DEL (util/parse.h, text_clean TEXT_LINE; a 422 naming the
 * field).  Returns NULL when absent (a problem when required) or of the wrong type,
 * content or length (a problem).  Every single-line field of the API is read with it
 * (q_str holds query parameters to the same rule). */
const char *body_str(struct input *in, json_t *obj, const char *prefix, const char *name,
                     bool required, size_t maxlen);
/* The same for text of several lines (notes, a bio, a cancellation reason typed in a
 * text area): line feeds and carriage returns allowed, no other control character. */
const char *body_text(struct input *in, json_t *obj, const char *prefix, const char *name,
                      bool required, size_t maxlen);
/* Member name as a UUID string; a problem when it is not one. */
const char *body_uuid(struct input *in, json_t *obj, const char *prefix, const char *name,
                      bool required);
/* Member name as an RFC 3339 instant; returns true when present and valid. */
bool body_instant(struct input *in, json_t *obj, const char *prefix, const char *name,
                  bool required, int64_t *out);
/* A plausible e-mail address (one '@', no spaces, at most 254 characters). */
bool plausible_email(const char *s);

/* Records a problem in in for every query parameter not in allowed (NULL-terminated):
 * a typo must not silently change what a request does. */
void only_params(struct input *in, const char *const *allowed);
/* The same, each problem saying "<key> is not <what>" (what: "a search parameter"). */
void only_params_of(struct input *in, const char *const *allowed, const char *what);

#include "util/banned.h"
#endif
