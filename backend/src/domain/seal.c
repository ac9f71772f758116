/* Sealing small secrets (a manage token waiting in the outbox) with the service's
 * notification key, so that they are not readable from the database alone. */
#include "domain/seal.h"

#include <sodium.h>
#include <string.h>

static unsigned char key[crypto_secretbox_KEYBYTES];
static bool have_key;

bool seal_set_key_hex(const char *hex)
{
    size_t n = 0;
    if (!hex || strlen(hex) != 2 * crypto_secretbox_KEYBYTES ||
        sodium_hex2bin(key, sizeof(key), hex, strlen(hex), NULL, &n, NULL) != 0 ||
        n != sizeof(key))
        return false;
    have_key = true;
    return true;
}

bool seal_have_key(void)
{
    return have_key;
}

bool seal_text(const char *text, char *out, size_t outlen)
{
    size_t len = strlen(text);
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
    if (!have_key || len > 256)
        return false;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, len,
                          box, key);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
    if (sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > outlen)
        return false;
    sodium_bin2base64(out, outlen, box, blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return true;
}

bool unseal_text(const char *sealed, char *out, size_t outlen)
{
    unsigned char box[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
    size_t blen = 0;
    if (!have_key ||
        sodium_base642bin(box, sizeof(box), sealed, strlen(sealed), NULL, &blen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return false;
    size_t len = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    if (len + 1 > outlen ||
        crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                   blen - crypto_secretbox_NONCEBYTES, box, key) != 0)
        return false;
    out[len] = '\0';
    return true;
}
