/* Idempotency-Key: the same key and body replay the first response; the same key
 * with another body is refused. */
#ifndef CLINICD_IDEMPOTENCY_H
#define CLINICD_IDEMPOTENCY_H

#include <stdbool.h>

#include "api/common.h"

struct idem {
    bool active;                 /* the request carried a key */
    const char *scope;
    char key[201];
    unsigned char req_hash[32];  /* of the canonical body */
};

/* A response in the form it is stored in, both as bytea hex input: the request's
 * hash and the response sealed with a key derived from the idempotency key and the
 * body.  idem_sealed_release frees sealed_hex. */
struct idem_sealed {
    char hash_hex[2 * 32 + 3];
    char *sealed_hex;
};

/* Looks the key up before any work.  Returns true when the request is answered
 * already (replayed, refused with 422, or 503); false to go on (also without a key). */
bool idem_check(struct req *r, const char *scope, json_t *body, struct idem *id);
/* Answers from a stored record (idempotency_get's columns, bytea in hex output
 * form, status as text): replays it when it was made for this body, else 422. */
void idem_answer(struct req *r, const struct idem *id, const char *hash, const char *status,
                 const char *sealed_text);
/* Seals response for storing under an active key (id->active). */
void idem_sealed_init(struct idem_sealed *out, const struct idem *id, const char *response);
void idem_sealed_release(struct idem_sealed *s);
/* Inside the transaction that did the work: records the response.  Returns 1 when
 * recorded, 0 when another request with the same key got there first (roll back,
 * then call idem_check again to replay its answer), -1 after replying an error. */
int idem_record(struct req *r, const struct idem *id, int status, const char *response);

#include "util/banned.h"
#endif
