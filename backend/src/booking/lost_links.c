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
 * buckets), off when the patients' writes limit is off (patient_writes_per_hour = 0, as
 * on the test server, where every suite is 127.0.0.1).  Either is a 429 with
 * Retry-After.  The audit row names the address only by a hash of its contact key. */
#include "api/handlers.h"

#include <pthread.h>
#include <sodium.h>
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
#include "util/ratelimit.h"

#define LOST_LINKS_PER_ADDRESS 5
#define LOST_LINKS_PER_CLIENT 20
#define LOST_LINKS_CLIENT_KEYS 16384

/* Made once, at the first request, and kept for the life of the process. */
static struct ratelimit *client_rl;
static pthread_once_t client_rl_once = PTHREAD_ONCE_INIT;

static void client_rl_make(void)
{
    if (app.cfg && app.cfg->patient_writes_per_hour > 0)
        client_rl = ratelimit_new((double)LOST_LINKS_PER_CLIENT / 3600.0,
                                  (double)LOST_LINKS_PER_CLIENT, LOST_LINKS_CLIENT_KEYS);
}

static void reply_limited(struct req *r, long wait)
{
    char d[200], ra[24];
    snprintf(d, sizeof(d),
             "Too many requests for links in a short time; please try again in %ld seconds.",
             wait);
    snprintf(ra, sizeof(ra), "%ld", wait);
    reply_problem(r, 429, "too-many-requests", "Too many requests", d, NULL);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
}

/* The client's bucket: true when it had a token; false after replying 429. */
static bool client_take(struct req *r)
{
    pthread_once(&client_rl_once, client_rl_make);
    if (!client_rl)
        return true;
    long wait = client_rate_wait(client_rl, r, 1);
    if (wait == 0)
        return true;
    reply_limited(r, wait);
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

/* The audit log's name for the address: BLAKE2b-128 of its contact key, in hex. */
static void contact_hash(const char *email, char out[33])
{
    char key[CONTACT_KEY_MAX + 1];
    if (!contact_key(email, key, sizeof(key)))
        snprintf(key, sizeof(key), "%s", email);
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), NULL, 0);
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
            reply_limited(r, wait);
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
