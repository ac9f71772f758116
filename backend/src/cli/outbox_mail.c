/* A notification's mail: its fields from the row's details (store/outbox.h), its
 * links and ids, and the Message-ID of several folded into one. */
#include "cli/outbox_mail.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/seal.h"
#include "util/alloc.h"

void outbox_mail_release(struct outbox_mail *it)
{
    outbox_detail_release(&it->det);
    json_decref(it->payload);
    it->payload = NULL;
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
    json_t *prev = json_object_get(it->payload, "from_epoch"); /* a number: see bookings.c */
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
        .start = d->start,
        .end = d->end,
        .previous_start = json_is_integer(prev) ? (int64_t)json_integer_value(prev) : 0,
        .cancel_hours = d->cancel_hours,
        .manage_url = have_link ? it->manage : NULL,
        .book_url = it->book,
        .uid = it->uid,
        .sequence = d->sequence,
        .series_dates = d->series_dates,
        .now = now,
    };
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

