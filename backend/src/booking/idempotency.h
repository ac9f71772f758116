/* Idempotency-Key: the same key and body replay the first response; the same key
 * with another body is refused. */
#ifndef CLINICD_IDEMPOTENCY_H
#define CLINICD_IDEMPOTENCY_H

#include <stdbool.h>

#include "api/common.h"
#include "store/booking.h"

/* Where a request with a key stands. */
enum idem_state {
    IDEM_GO,      /* no key, or no record of it: do the work */
    IDEM_STORED,  /* a record: answer from it (idem_reply) */
    IDEM_BAD_KEY, /* the header is not a usable key: 400 */
    IDEM_FAILED,  /* the look-up failed: st says how */
};

struct idem {
    bool active;                 /* the request carried a key */
    const char *scope;
    char key[201];
    unsigned char req_hash[32];  /* of the canonical body */
    enum idem_state state;
    enum db_status st;           /* IDEM_FAILED */
    struct idem_record rec;      /* IDEM_STORED */
};

/* A response sealed for storing under an active key (bytea hex input): the request's
 * hash and the response sealed with a key derived from the idempotency key and the
 * body.  idem_sealed_release frees sealed_hex. */
struct idem_sealed {
    char hash_hex[2 * 32 + 3];
    char *sealed_hex;
};

/* Reads the request's Idempotency-Key for scope and body and looks its record up.
 * True to go on (IDEM_GO); false when idem_reply must answer.  idem_release frees. */
bool idem_begin(struct req *r, const char *scope, json_t *body, struct idem *id);
/* Looks the record of an active key up again (another request with the key may have
 * finished meanwhile).  True when there is one to answer from, or the look-up failed
 * (idem_reply answers either way). */
bool idem_again(struct req *r, struct idem *id);
/* Takes a record another statement read (book_slot's replay): state IDEM_STORED. */
void idem_take(struct idem *id, struct idem_record *rec);
/* The reply for a state other than IDEM_GO: the stored response replayed when it was
 * made for this body (else 422), 400 for a bad key, or the failure. */
void idem_reply(struct req *r, const struct idem *id);
void idem_release(struct idem *id);

/* Seals response for storing under an active key (id->active). */
void idem_sealed_init(struct idem_sealed *out, const struct idem *id, const char *response);
void idem_sealed_release(struct idem_sealed *s);

#include "util/banned.h"
#endif
