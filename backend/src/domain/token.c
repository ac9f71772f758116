/* Secret tokens handed to patients and staff: random, shown once, stored as a hash. */
#include "domain/token.h"

#include <sodium.h>
#include <string.h>

static void hash_of(const char *text, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)text, strlen(text), NULL, 0);
}

static void to_hex(const unsigned char h[32], char *hash_hex)
{
    hash_hex[0] = '\\';
    hash_hex[1] = 'x';
    sodium_bin2hex(hash_hex + 2, TOKEN_HASH_HEX_LEN - 1, h, 32);
}

void token_new(char *text, char *hash_hex)
{
    unsigned char raw[32], h[32];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(text, TOKEN_TEXT_LEN + 1, raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hash_of(text, h);
    to_hex(h, hash_hex);
    sodium_memzero(raw, sizeof(raw));
}

void token_hash_hex(const char *text, char *hash_hex)
{
    unsigned char h[32];
    hash_of(text, h);
    to_hex(h, hash_hex);
}

bool token_matches(const char *text, const char *stored_hex)
{
    if (!text || !stored_hex || strlen(text) > 256 || strlen(stored_hex) != TOKEN_HASH_HEX_LEN ||
        stored_hex[0] != '\\' || stored_hex[1] != 'x')
        return false;
    unsigned char want[32], got[32];
    size_t n = 0;
    if (sodium_hex2bin(want, sizeof(want), stored_hex + 2, 64, NULL, &n, NULL) != 0 || n != 32)
        return false;
    hash_of(text, got);
    return sodium_memcmp(want, got, 32) == 0;
}
