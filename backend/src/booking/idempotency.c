/* Idempotency-Key: the same key and body replay the first response; the same key
 * with another body is refused.  The stored response is sealed with a key derived
 * from the idempotency key and the body, so the manage token inside it cannot be
 * read from the database alone. */
#include "booking/idempotency.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/outcome.h"

static void seal_key(const struct idem *id, unsigned char k[crypto_secretbox_KEYBYTES])
{
    unsigned char kh[32];
    crypto_generichash(kh, sizeof(kh), (const unsigned char *)id->key, strlen(id->key), NULL, 0);
    crypto_generichash(k, crypto_secretbox_KEYBYTES, id->req_hash, sizeof(id->req_hash), kh,
                       sizeof(kh));
}

static char *hex_bytea(const unsigned char *b, size_t n)
{
    char *s = malloc(2 * n + 3);
    if (!s)
        abort();
    s[0] = '\\';
    s[1] = 'x';
    sodium_bin2hex(s + 2, 2 * n + 1, b, n);
    return s;
}

/* bytea hex output ("\x...") to bytes; returns a malloc'd buffer or NULL. */
static unsigned char *unhex_bytea(const char *s, size_t *n)
{
    size_t len = strlen(s);
    if (len < 2 || s[0] != '\\' || s[1] != 'x')
        return NULL;
    unsigned char *b = malloc(len / 2 + 1);
    if (!b)
        abort();
    if (sodium_hex2bin(b, len / 2 + 1, s + 2, len - 2, NULL, n, NULL) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

static bool key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e)
            return false;
    return true;
}

bool idem_begin(struct req *r, const char *scope, json_t *body, struct idem *id)
{
    memset(id, 0, sizeof(*id));
    const char *k = req_header(r, "Idempotency-Key");
    if (!k)
        return true;
    if (!key_ok(k)) {
        id->state = IDEM_BAD_KEY;
        return false;
    }
    id->active = true;
    id->scope = scope;
    snprintf(id->key, sizeof(id->key), "%s", k);
    char *canon = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    crypto_generichash(id->req_hash, sizeof(id->req_hash), (const unsigned char *)canon,
                       canon ? strlen(canon) : 0, NULL, 0);
    free(canon);
    return !idem_again(r, id);
}

bool idem_again(struct req *r, struct idem *id)
{
    idem_record_release(&id->rec);
    id->st = store_idem_get(&r->db, id->scope, id->key, &id->rec);
    id->state = id->st == DB_OK ? IDEM_STORED : id->st == DB_NOT_FOUND ? IDEM_GO : IDEM_FAILED;
    return id->state != IDEM_GO;
}

void idem_take(struct idem *id, struct idem_record *rec)
{
    idem_record_release(&id->rec);
    id->rec = *rec;
    memset(rec, 0, sizeof(*rec));
    id->state = IDEM_STORED;
}

void idem_release(struct idem *id)
{
    idem_record_release(&id->rec);
}

/* Answers from a stored record: replays it when it was made for this body, else 422. */
static void idem_answer(struct req *r, const struct idem *id, const char *hash,
                        const char *status, const char *sealed_text)
{
    size_t hn = 0, sn = 0;
    unsigned char *h = unhex_bytea(hash, &hn);
    unsigned char *sealed = unhex_bytea(sealed_text, &sn);
    int st = (int)strtol(status, NULL, 10);
    bool same = h && hn == 32 && sodium_memcmp(h, id->req_hash, 32) == 0;
    free(h);
    if (!same) {
        free(sealed);
        reply_problem(r, 422, "idempotency-key-reused", NULL,
                      "This Idempotency-Key was used with a different request body.",
                      json_pack("[o]", problem_error("Idempotency-Key",
                                                     "already used with another body")));
        return;
    }
    unsigned char k2[crypto_secretbox_KEYBYTES];
    seal_key(id, k2);
    size_t plen = sn > crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES
                      ? sn - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES
                      : 0;
    char *plain = malloc(plen + 1);
    if (!plain)
        abort();
    if (!sealed || plen == 0 ||
        crypto_secretbox_open_easy((unsigned char *)plain, sealed + crypto_secretbox_NONCEBYTES,
                                   sn - crypto_secretbox_NONCEBYTES, sealed, k2) != 0) {
        free(plain);
        free(sealed);
        reply_internal(r);
        return;
    }
    free(sealed);
    plain[plen] = '\0';
    reply_owned(r, st, "application/json", plain, plen);
    reply_header(r, "Idempotent-Replayed", "true");
}

void idem_reply(struct req *r, const struct idem *id)
{
    switch (id->state) {
    case IDEM_STORED:
        idem_answer(r, id, id->rec.hash, id->rec.status, id->rec.sealed);
        break;
    case IDEM_BAD_KEY:
        reply_problem(r, 400, "malformed", NULL,
                      "Idempotency-Key must be 1 to 200 printable ASCII characters.",
                      json_pack("[o]", problem_error("Idempotency-Key", "not a usable key")));
        break;
    case IDEM_FAILED:
        reply_failure(r, id->st);
        break;
    case IDEM_GO:
        reply_internal(r);
        break;
    }
}

void idem_sealed_init(struct idem_sealed *out, const struct idem *id, const char *response)
{
    size_t plen = strlen(response);
    size_t sn = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plen;
    unsigned char *sealed = malloc(sn);
    if (!sealed)
        abort();
    unsigned char k[crypto_secretbox_KEYBYTES];
    seal_key(id, k);
    randombytes_buf(sealed, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(sealed + crypto_secretbox_NONCEBYTES, (const unsigned char *)response,
                          plen, sealed, k);
    out->sealed_hex = hex_bytea(sealed, sn);
    free(sealed);
    out->hash_hex[0] = '\\';
    out->hash_hex[1] = 'x';
    sodium_bin2hex(out->hash_hex + 2, sizeof(out->hash_hex) - 2, id->req_hash,
                   sizeof(id->req_hash));
}

void idem_sealed_release(struct idem_sealed *s)
{
    free(s->sealed_hex);
    s->sealed_hex = NULL;
}
