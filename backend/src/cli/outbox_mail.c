/* A notification's mail: its fields from the row's details (store/outbox.h), its
 * links and ids, and the Message-ID of several folded into one. */
#include "cli/outbox_mail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/mail_plan.h"
#include "domain/seal.h"
#include "domain/timefmt.h"
#include "domain/token.h"
#include "store/lost_links.h"
#include "util/alloc.h"
#include "util/buf.h"

void outbox_mail_release(struct outbox_mail *it)
{
    outbox_detail_release(&it->det);
    json_decref(it->payload);
    it->payload = NULL;
    free(it->sessions);
    free(it->uids);
    free(it->ids);
    free(it->dates);
    it->sessions = NULL;
    it->uids = NULL;
    it->ids = NULL;
    it->dates = NULL;
}

static int64_t json_epoch(json_t *v)
{
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* A plan's booked sessions, from the snapshot taken when it was booked; with a window
 * (to > 0) only those starting in [from, to). */
static void plan_sessions(struct outbox_mail *it, int64_t from, int64_t to)
{
    json_t *all = json_object_get(json_object_get(it->payload, "snapshot"), "sessions");
    size_t n = json_array_size(all);
    if (n == 0)
        return;
    it->sessions = xcalloc(n, sizeof(*it->sessions));
    it->uids = xcalloc(n, sizeof(*it->uids));
    it->ids = xcalloc(n, sizeof(*it->ids));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(all, i);
        const char *id = json_string_value(json_object_get(s, "id"));
        const char *st = json_string_value(json_object_get(s, "status"));
        int64_t start = json_epoch(json_object_get(s, "start"));
        if (!id || !st || strcmp(st, "booked") != 0 || (to > 0 && (start < from || start >= to)))
            continue;
        snprintf(it->ids[k], sizeof(it->ids[k]), "%s", id);
        snprintf(it->uids[k], sizeof(it->uids[k]), "%s@clinicd", id);
        it->sessions[k] = (struct mail_session){
            .uid = it->uids[k],
            .start = start,
            .end = json_epoch(json_object_get(s, "end")),
            .sequence = (int)json_epoch(json_object_get(s, "sequence")),
        };
        k++;
    }
    it->m.sessions = it->sessions;
    it->m.nsessions = k;
    it->nsessions_all = k;
}

/* An occurrence's time (an RFC 3339 string), as the clinic's country writes it. */
static bool occurrence_when(json_t *o, const char *key, const struct mail *m, char *out,
                            size_t outlen)
{
    int64_t t;
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || rfc3339_parse(s, &t) != 0)
        return false;
    mail_when_for(m, t, out, outlen);
    return true;
}

/* A plan's dates, one a line: each booked one, a moved one with the time asked for,
 * one that could not be booked with why; from the plan's occurrences when the payload
 * has them, else the booked sessions. */
static void plan_dates(struct outbox_mail *it)
{
    const struct mail *m = &it->m;
    json_t *occ = json_object_get(it->payload, "occurrences");
    struct buf b;
    buf_init(&b, 0);
    size_t n = json_array_size(occ);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(occ, i);
        const char *st = json_string_value(json_object_get(o, "status"));
        char when[MAIL_WHEN_MAX], asked[MAIL_WHEN_MAX];
        if (!st || !occurrence_when(o, "start", m, when, sizeof(when)))
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        if (strcmp(st, "skipped") == 0) {
            const char *why = json_string_value(json_object_get(o, "reason"));
            buf_printf(&b, "%s: could not be booked (%s)", when, why ? why : "no free time");
        } else if (strcmp(st, "moved") == 0 && occurrence_when(o, "requested_start", m, asked,
                                                                  sizeof(asked))) {
            buf_printf(&b, "%s (moved: %s was not free)", when, asked);
        } else {
            buf_puts(&b, when);
        }
    }
    for (size_t i = 0; n == 0 && i < it->m.nsessions; i++) {
        char when[MAIL_WHEN_MAX];
        mail_when_for(m, it->m.sessions[i].start, when, sizeof(when));
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, when);
    }
    size_t len;
    it->dates = buf_detach(&b, &len);
    it->m.series_dates = it->dates;
}

void outbox_mail_fill(struct outbox_mail *it, const struct config *cfg, int64_t now)
{
    const struct outbox_detail *d = &it->det;
    it->payload = json_loads(d->payload, 0, NULL);
    char token[128];
    const char *sealed = json_string_value(json_object_get(it->payload, "manage_token_sealed"));
    const char *subject_id = d->booking_id;
    bool have_link = sealed && subject_id && unseal_text(sealed, token, sizeof(token));
    if (have_link)
        snprintf(it->manage, sizeof(it->manage), "%s/manage#id=%s&token=%s", cfg->public_base_url,
                 subject_id, token);
    sodium_memzero(token, sizeof(token));
    snprintf(it->book, sizeof(it->book), "%s/practitioners/%s", cfg->public_base_url,
             d->practitioner_id ? d->practitioner_id : "");
    snprintf(it->uid, sizeof(it->uid), "%s@clinicd", subject_id ? subject_id : it->id);
    /* the dedupe key names the event: a resend keeps the same Message-ID */
    snprintf(it->msgid, sizeof(it->msgid), "%s@clinicd", d->dedupe_key);
    for (char *p = it->msgid; *p; p++)
        if (*p == ':')
            *p = '.';
    /* the previous start of a move, as the snapshot took it from the payload */
    json_t *prev = json_object_get(json_object_get(it->payload, "snapshot"), "previous_start");
    it->m = (struct mail){
        .kind = d->kind,
        .from = cfg->smtp_from,
        .to = d->recipient,
        .message_id = it->msgid,
        .patient_name = d->patient_name,
        .practitioner_name = d->practitioner_name,
        .service_name = d->service_name,
        .clinic_name = d->clinic_name,
        .clinic_phone = d->clinic_phone,
        .address = d->address,
        .tz = d->tz,
        .country = d->country,
        .start = d->start,
        .end = d->end,
        .previous_start = json_is_integer(prev) ? (int64_t)json_integer_value(prev) : 0,
        .cancel_hours = d->cancel_hours,
        .manage_url = have_link ? it->manage : NULL,
        .book_url = it->book,
        .uid = it->uid,
        .sequence = d->sequence,
        .stamp = d->stamp,
        .now = now,
    };
    it->m.patient_tz = d->patient_tz && *d->patient_tz ? d->patient_tz : NULL;
    if (strcmp(d->kind, "series_confirmed") == 0) {
        plan_sessions(it, 0, 0);
        plan_dates(it);
    } else if (strcmp(d->kind, "week_ahead") == 0) {
        /* the sessions of the week the row was written for */
        plan_sessions(it, json_epoch(json_object_get(it->payload, "week_from")),
                      json_epoch(json_object_get(it->payload, "week_to")));
        plan_dates(it);
        it->m.sessions = NULL; /* listed, without a calendar file */
        it->m.nsessions = 0;
    } else if (mail_plan_kind(d->kind)) {
        /* a plan's change: its sessions and dates from the snapshot (domain/mail_plan.h) */
        struct mail_plan_fill f;
        mail_plan_from_payload(it->payload, &it->m, &f);
        it->sessions = f.sessions;
        it->uids = f.uids;
        it->dates = f.dates;
        it->m.sessions = f.sessions;
        it->m.nsessions = f.n;
        it->m.cancelled = f.cancelled;
        it->m.ncancelled = f.ncancelled;
        it->m.series_dates = f.dates;
    }
}

/* The booking (or the week's first session) a minted link opens, and the plan the
 * link is for (NULL: the booking alone). */
static void link_subject(const struct outbox_mail *it, const char **booking, const char **series)
{
    *booking = it->det.booking_id;
    *series = NULL;
    if (strcmp(it->det.kind, "week_ahead") == 0) {
        *booking = it->nsessions_all > 0 ? it->ids[0] : NULL;
        *series = json_string_value(json_object_get(it->payload, "series_id"));
    }
}

enum db_status outbox_mail_link(struct db_direct *d, struct outbox_mail *it,
                                const struct config *cfg)
{
    const char *booking, *series;
    bool minted = strcmp(it->det.kind, "reminder") == 0 || strcmp(it->det.kind, "week_ahead") == 0;
    if (!minted || it->m.manage_url)
        return DB_OK;
    link_subject(it, &booking, &series);
    if (!booking)
        return DB_OK;
    char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token, hash);
    struct lost_link_found one = {.booking_id = (char *)booking, .series_id = (char *)series};
    struct lost_links_found f = {1, &one};
    char *hashes[] = {hash};
    enum db_status st = store_lost_links_save(d, it->id, &f, hashes);
    if (st == DB_OK) {
        snprintf(it->manage, sizeof(it->manage), "%s/manage#id=%s&token=%s", cfg->public_base_url,
                 booking, token);
        it->m.manage_url = it->manage;
    }
    sodium_memzero(token, sizeof(token));
    return st;
}

/* A folded mail's Message-ID: the same set of rows gives the same one. */
void outbox_mail_fold_id(struct outbox_mail *const *its, int n, char *out, size_t outlen)
{
    const char **keys = xcalloc((size_t)n, sizeof(*keys));
    for (int i = 0; i < n; i++)
        keys[i] = its[i]->det.dedupe_key;
    /* sorted, so that the order they were claimed in does not matter */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(keys[j - 1], keys[j]) > 0; j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    crypto_generichash_state st;
    unsigned char h[16];
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    for (int i = 0; i < n; i++)
        crypto_generichash_update(&st, (const unsigned char *)keys[i], strlen(keys[i]) + 1);
    crypto_generichash_final(&st, h, sizeof(h));
    free(keys);
    char hex[sizeof(h) * 2 + 1];
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    snprintf(out, outlen, "folded.%s@clinicd", hex);
}

