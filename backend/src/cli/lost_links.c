/* The worker's part of "e-mail me my bookings" (cli/lost_links.h).  The request wrote
 * only the outbox row (booking/lost_links.c); the lookup happens here, after the
 * patient's answer went out, so that its time tells nothing about the address. */
#include "cli/lost_links.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/smtp.h"
#include "domain/mail_links.h"
#include "domain/token.h"
#include "store/lost_links.h"
#include "store/outbox.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

#define LOST_LINKS_MAX_ATTEMPTS 8 /* as the worker's other rows */

/* The links for f's items: tokens (kept only to write the mail) and their hashes. */
struct links {
    char (*token)[TOKEN_TEXT_LEN + 1];
    char **hash;
    char **url;
};

static void links_make(struct links *l, const struct lost_links_found *f, const char *base)
{
    size_t n = (size_t)f->n + 1;
    l->token = xcalloc(n, sizeof(*l->token));
    l->hash = xcalloc(n, sizeof(*l->hash));
    l->url = xcalloc(n, sizeof(*l->url));
    for (int i = 0; i < f->n; i++) {
        l->hash[i] = xcalloc(1, TOKEN_HASH_HEX_LEN + 1);
        token_new(l->token[i], l->hash[i]);
        size_t len = strlen(base) + 200;
        l->url[i] = xmalloc(len);
        /* a plan's link opens its next session, from which the plan is reached */
        snprintf(l->url[i], len, "%s/manage#id=%s&token=%s", base, f->items[i].booking_id,
                 l->token[i]);
    }
}

static void links_release(struct links *l, int n)
{
    for (int i = 0; i < n; i++) {
        sodium_memzero(l->token[i], sizeof(l->token[i]));
        if (l->url[i])
            sodium_memzero(l->url[i], strlen(l->url[i]));
        free(l->hash[i]);
        free(l->url[i]);
    }
    free(l->token);
    free(l->hash);
    free(l->url);
}

/* The mail for request id to recipient, with links stored; into msg.  DB status. */
static enum db_status compose(struct db_direct *d, const struct config *cfg, const char *id,
                              const char *recipient, const char *msgid, struct buf *msg)
{
    struct lost_links_found f;
    enum db_status st = store_lost_links_find(d, recipient, &f);
    if (st != DB_OK)
        return st;
    struct links l;
    links_make(&l, &f, cfg->public_base_url);
    st = store_lost_links_save(d, id, &f, l.hash);
    if (st == DB_OK) {
        struct mail_link_item *items = xcalloc((size_t)f.n + 1, sizeof(*items));
        struct mail_link_zone *zones = xcalloc((size_t)f.n + 1, sizeof(*zones));
        for (int i = 0; i < f.n; i++) {
            const struct lost_link_found *it = &f.items[i];
            items[i] = (struct mail_link_item){
                it->practitioner_name, it->service_name, it->clinic_name, it->clinic_phone,
                it->address, it->tz, it->start, it->series_id ? it->sessions : 0, l.url[i]};
            zones[i] = (struct mail_link_zone){it->country, it->patient_tz};
        }
        struct mail_links m = {cfg->smtp_from, recipient, msgid, (int64_t)time(NULL),
                               LOST_LINKS_VALID_DAYS, items, (size_t)f.n};
        mail_links_compose_zoned(&m, zones, msg);
        free(items);
        free(zones);
    }
    links_release(&l, f.n);
    lost_links_found_release(&f);
    return st;
}

/* One row: attempt, compose, send, record.  DB status. */
static enum db_status deliver_one(struct db_direct *d, const struct config *cfg, const char *token,
                                  const char *id, const char *recipient,
                                  bool (*abort_now)(void *), void *arg)
{
    char ids[48], msgid[80];
    snprintf(ids, sizeof(ids), "{%s}", id);
    struct outbox_attempts mine;
    enum db_status st = store_outbox_refresh(d, ids, token, cfg->worker_lease_s, &mine);
    int attempts = mine.n > 0 ? mine.rows[0].attempts : -1;
    free(mine.rows);
    if (st != DB_OK || attempts < 0) /* no longer ours: its lease ran out */
        return st;
    struct outbox_failure fail = {NULL, true, 0, LOST_LINKS_MAX_ATTEMPTS};
    if (!smtp_plain_address(recipient)) {
        fail.error = "the address is not one mail can be sent to";
        return store_outbox_record_failure(d, ids, token, &fail);
    }
    snprintf(msgid, sizeof(msgid), "lost_links.%s@clinicd", id);
    struct buf msg;
    buf_init(&msg, 0);
    st = compose(d, cfg, id, recipient, msgid, &msg);
    if (st == DB_OK) {
        struct smtp_conf sc = {cfg, abort_now, arg};
        char err[700];
        enum smtp_outcome o = smtp_send(&sc, recipient, msg.data, msg.len, err, sizeof(err));
        if (o == SMTP_SENT) {
            st = store_outbox_record_sent(d, ids, msgid);
        } else {
            log_warn("worker: delivery of lost links %s failed (attempt %d)", id, attempts);
            fail = (struct outbox_failure){err, o == SMTP_PERMANENT,
                                           o == SMTP_ABORTED ? 0 : 30 << (attempts < 10 ? attempts : 10),
                                           LOST_LINKS_MAX_ATTEMPTS};
            st = store_outbox_record_failure(d, ids, token, &fail);
        }
    }
    if (msg.data) /* it holds the links */
        sodium_memzero(msg.data, msg.len);
    buf_release(&msg);
    return st;
}

/* The worker's hourly limit per person (mail_per_address_per_hour, counted as for
 * every other mail: store_outbox_budget) before row id, whose person is in h: *go when
 * it may go now; else its person's rows wait (store_outbox_defer) for the hour, or a
 * few seconds while another worker sends to them.  *locked: the person's lock was
 * taken (the caller releases it). */
static enum db_status within_limit(struct db_direct *d, const struct config *cfg,
                                   const char *token, const struct outbox_held *h,
                                   const char *id, const char **person, bool *locked, bool *go)
{
    long limit = cfg->mail_per_address_per_hour;
    *person = NULL;
    *locked = false;
    *go = true;
    for (int i = 0; i < h->n && !*person; i++)
        if (strcmp(h->rows[i].id, id) == 0)
            *person = h->rows[i].person;
    if (limit <= 0 || !*person)
        return DB_OK;
    enum db_status st = store_outbox_lock_person(d, *person, locked);
    if (st != DB_OK)
        return st;
    if (!*locked) {
        *go = false;
        return store_outbox_defer(d, token, *person, 5, "another worker is sending to this address");
    }
    struct outbox_budget b;
    st = store_outbox_budget(d, *person, &b);
    if (st != DB_OK || b.sent < limit)
        return st;
    *go = false;
    char why[160];
    snprintf(why, sizeof(why), "waiting: %ld mails went to this address in the last hour (the limit is %ld)",
             b.sent, limit);
    long wait = b.has_wait ? b.wait_s : 60;
    return store_outbox_defer(d, token, *person, wait < 1 ? 1 : wait, why);
}

enum db_status lost_links_deliver(struct db_direct *d, const struct config *cfg,
                                  const char *token, bool (*abort_now)(void *), void *arg)
{
    struct lost_links_rows rows;
    struct outbox_held h = {0};
    enum db_status st = store_lost_links_held(d, token, &rows);
    if (st == DB_OK && rows.n > 0)
        st = store_outbox_held(d, token, &h);
    for (int i = 0; i < rows.n && st == DB_OK; i++) {
        const char *person;
        bool locked, go;
        st = within_limit(d, cfg, token, &h, rows.id[i], &person, &locked, &go);
        if (st == DB_OK && go)
            st = deliver_one(d, cfg, token, rows.id[i], rows.recipient[i], abort_now, arg);
        if (locked && db_direct_alive(d)) {
            enum db_status un = store_outbox_unlock_person(d, person);
            st = st == DB_OK ? un : st;
        }
    }
    outbox_held_release(&h);
    lost_links_rows_release(&rows);
    return st;
}
