/* A notification's mail, ready to compose: what the worker sends for one outbox row. */
#ifndef CLINICD_CLI_OUTBOX_MAIL_H
#define CLINICD_CLI_OUTBOX_MAIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "domain/mail.h"
#include "store/outbox.h"

/* One row's mail.  m's strings point into det and the buffers here, so m lives as
 * long as the struct; outbox_mail_release frees what it holds. */
struct outbox_mail {
    char id[40];              /* the row */
    struct outbox_detail det; /* filled by store_outbox_detail */
    json_t *payload;          /* det.payload, parsed */
    char manage[600], book[600], uid[80], msgid[200];
    struct mail_session *sessions; /* a plan's booked sessions (from the snapshot) */
    char (*uids)[80];              /* their UIDs */
    char (*ids)[40];               /* their booking ids */
    size_t nsessions_all;          /* how many (a week mail lists them without a file) */
    char *dates;                   /* a plan's dates as the mail lists them */
    struct mail m;
};

/* Fills the links, ids and m from det (already read: the snapshot of the change) and
 * the configuration; a plan's sessions and dates from the payload's snapshot and
 * occurrences (moved dates with the time asked for, unbookable ones with why).  The
 * manage link only when the payload carries a sealed token that opens; the
 * Message-ID from the dedupe key, so that a resend keeps it.  now: epoch seconds. */
void outbox_mail_fill(struct outbox_mail *it, const struct config *cfg, int64_t now);
void outbox_mail_release(struct outbox_mail *it);

/* A reminder or a week mail carries no manage token of its own (the worker wrote it):
 * when it has no link yet, a fresh single-purpose one is made for it, stored hashed as
 * the lost links' are (store_lost_links_save: the booking, or for a week mail the
 * plan; valid LOST_LINKS_VALID_DAYS) and set as m.manage_url.  DB status. */
enum db_status outbox_mail_link(struct db_direct *d, struct outbox_mail *it,
                                const struct config *cfg);

/* A folded mail's Message-ID ("folded.<hex>@clinicd"): the same set of rows, in any
 * order, gives the same one. */
void outbox_mail_fold_id(struct outbox_mail *const *its, int n, char *out, size_t outlen);

#include "util/banned.h"
#endif
