/* "E-mail me my bookings" (POST /api/v1/lost-links): a patient who lost their link
 * gives an e-mail address and gets one mail with a fresh link to every open booking and
 * plan under it, at every clinic.
 *
 * Nothing here looks at bookings: the request writes one outbox row (kind lost_links)
 * and its audit row in one transaction, and the notification worker finds the
 * bookings, makes the links and sends the mail (cli/lost_links.c).  So the answer, its
 * body and the work behind it (hence its time) are the same whether or not the address
 * has bookings, and whether or not it has any at all: nothing can be learnt from them.
 *
 * Limits: LOST_LINKS_PER_ADDRESS requests an hour per contact key (contact_key():
 * case, "+tags" and gmail's dots folded), counted in PostgreSQL so that every process
 * agrees; and LOST_LINKS_PER_CLIENT an hour per client address, in memory (api/rate.c's
 * buckets, made by the owner below), off when the patients' writes limit is off
 * (patient_writes_per_hour = 0, as on the test server, where every suite is
 * 127.0.0.1).  Either is a 429 with Retry-After, counted in /metrics.  The audit row
 * names the address only by a hash of its contact key keyed with config audit_key, so
 * that a list of addresses cannot be tested against the audit log. */
#include "api/handlers.h"
#include "booking/lost_links.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "api/audit.h"
#include "api/common.h"
#include "api/rate.h"
#include "core/app.h"
#include "domain/contact.h"
#include "store/lost_links.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/ratelimit.h"

#define LOST_LINKS_PER_ADDRESS 5
#define LOST_LINKS_PER_CLIENT 20
#define LOST_LINKS_CLIENT_KEYS 16384

/* Set by the owner's start before the server runs (client_rl freed by its stop after
 * the server stopped): read-only in between. */
static struct ratelimit *client_rl;
static unsigned char audit_key[crypto_generichash_KEYBYTES];
static atomic_long limited_client, limited_address;

/* The audit hash's key from config audit_key: BLAKE2b-256 of the secret's text, so any
 * secret config accepts (16 to 256 visible characters) gives a full-length key.
 * Without one ("-"), a random key: hashes then differ from one start to the next. */
static void audit_key_load(void)
{
    const char *secret = app.cfg ? app.cfg->audit_key : NULL;
    if (secret && strcmp(secret, "-") != 0) {
        crypto_generichash(audit_key, sizeof(audit_key), (const unsigned char *)secret,
                           strlen(secret), NULL, 0);
        return;
    }
    randombytes_buf(audit_key, sizeof(audit_key));
    log_warn("config: audit_key is not set: the audit log names lost-link requests by a "
             "hash that changes at every start (set audit_key to keep it comparable)");
}

static bool lost_links_start(void)
{
    audit_key_load();
    if (app.cfg && app.cfg->patient_writes_per_hour > 0)
        client_rl = ratelimit_new((double)LOST_LINKS_PER_CLIENT / 3600.0,
                                  (double)LOST_LINKS_PER_CLIENT, LOST_LINKS_CLIENT_KEYS);
    return true;
}

static void lost_links_stop(void)
{
    ratelimit_free(client_rl);
    client_rl = NULL;
    sodium_memzero(audit_key, sizeof(audit_key));
}

static void lost_links_stats(struct buf *out)
{
    buf_printf(out,
               "# HELP clinicd_lost_links_limited_total Lost-link requests refused 429, by the "
               "limit that refused them (per client address, per contact key).\n"
               "# TYPE clinicd_lost_links_limited_total counter\n"
               "clinicd_lost_links_limited_total{limit=\"client\"} %ld\n"
               "clinicd_lost_links_limited_total{limit=\"address\"} %ld\n",
               atomic_load(&limited_client), atomic_load(&limited_address));
}

const struct owner lost_links_owner = {
    .name = "the lost-links limit and audit key",
    .start = lost_links_start,
    .stop = lost_links_stop,
    .stats = lost_links_stats,
};

static void reply_limited(struct req *r, long wait, atomic_long *count)
{
    char d[200], ra[24];
    atomic_fetch_add(count, 1);
    snprintf(d, sizeof(d),
             "Too many requests for links in a short time; please try again in %ld seconds.",
             wait);
    snprintf(ra, sizeof(ra), "%ld", wait);
    reply_problem(r, 429, "too-many-requests", "Too many requests", d, NULL);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
}

/* The client's bucket: true when it had a token (or there is no limit); false after
 * replying 429. */
static bool client_take(struct req *r)
{
    if (!client_rl)
        return true;
    long wait = client_rate_wait(client_rl, r, 1);
    if (wait == 0)
        return true;
    reply_limited(r, wait, &limited_client);
    return false;
}

/* {"email"}: the address, or NULL after recording the problems. */
static const char *email_parse(struct input *in, json_t *body)
{
    static const char *const allowed[] = {"email", NULL};
    body_only(in, body, NULL, allowed);
    const char *email = body_str(in, body, NULL, "email", true, 254);
    if (email && !plausible_email(email)) {
        input_error(in, "email", false, "email is not an e-mail address");
        email = NULL;
    }
    return input_ok(in) ? email : NULL;
}

/* The audit log's name for the address: BLAKE2b-128 of its contact key keyed with the
 * audit key, in hex.  Unkeyed, anyone with the log could hash a list of addresses and
 * look them up. */
static void contact_hash(const char *email, char out[33])
{
    char key[CONTACT_KEY_MAX + 1];
    if (!contact_key(email, key, sizeof(key)))
        snprintf(key, sizeof(key), "%s", email);
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), audit_key,
                       sizeof(audit_key));
    sodium_bin2hex(out, 33, h, sizeof(h));
    sodium_memzero(key, sizeof(key));
}

void lost_links_create(struct req *r)
{
    struct input in;
    input_init(&in, r);
    json_t *body = body_object(&in);
    const char *email = body ? email_parse(&in, body) : NULL;
    if (!email) {
        input_reply(&in);
    } else if (client_take(r)) {
        char who[33];
        contact_hash(email, who);
        struct audit_entry e;
        audit_entry_make(&e, r, NULL, "anonymous", NULL, "request_lost_links", "contact", who,
                         true, "success", NULL);
        long wait = 0;
        enum db_status st =
            store_lost_links_request(&r->db, email, LOST_LINKS_PER_ADDRESS, &e, &wait);
        audit_entry_release(&e);
        if (st != DB_OK)
            reply_failure(r, st);
        else if (wait > 0)
            reply_limited(r, wait, &limited_address);
        else
            reply_json(r, 202, json_pack("{s:s, s:s}", "status", "accepted", "detail",
                                         "If there are open bookings under this address, a "
                                         "mail with a link to each is on its way to it. If it "
                                         "does not arrive within a few minutes, check your "
                                         "spam folder or call the clinic."));
    }
    input_release(&in);
    json_decref(body);
}
