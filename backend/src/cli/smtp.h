/* Sending one message by SMTP with libcurl, and telling a permanent refusal from a
 * failure worth retrying. */
#ifndef CLINICD_SMTP_H
#define CLINICD_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

enum smtp_outcome {
    SMTP_SENT,      /* the server accepted the message (250 after the data) */
    SMTP_TRANSIENT, /* anything worth trying again: no connection, a timeout, a 4xx... */
    SMTP_PERMANENT, /* a 5xx to RCPT TO, to DATA or to the message: it will never go */
    SMTP_ABORTED,   /* abort_now said so */
};

struct smtp_conf {
    const struct config *cfg; /* smtp_url, smtp_from, credentials, smtp_timeout_s */
    /* Asked about once a second while a transfer runs (may be NULL): true aborts it. */
    bool (*abort_now)(void *arg);
    void *arg;
};

/* Sends msg (len bytes, a whole RFC 5322 message) to the address to, which must pass
 * smtp_plain_address.  On anything but SMTP_SENT writes what happened into err: for a
 * permanent refusal "the mail server refused it: " and the server's first negative
 * reply (libcurl sends QUIT after it). */
enum smtp_outcome smtp_send(const struct smtp_conf *sc, const char *to, const char *msg, size_t len,
                            char *err, size_t errlen);

/* True when to can go into RCPT TO as it is: an "@", no spaces or controls, no angle
 * brackets (which would end the command early or add another). */
bool smtp_plain_address(const char *to);

#include "util/banned.h"
#endif
