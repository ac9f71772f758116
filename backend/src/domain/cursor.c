/* Opaque keyset-pagination cursors: the sort key and id of the last item, base64url. */
#include "domain/cursor.h"

#include <sodium.h>
#include <string.h>

#include "util/parse.h"

#define SEP '\x1f'

int cursor_encode(const struct cursor *c, char *out, size_t outlen)
{
    char raw[CURSOR_MAX_KEY + 48];
    size_t klen = strlen(c->key), ilen = strlen(c->id);
    if (klen >= CURSOR_MAX_KEY || ilen >= sizeof(c->id) || memchr(c->key, SEP, klen) ||
        !is_clean_utf8(c->key, klen))
        return -1;
    size_t n = 0;
    raw[n++] = '1'; /* layout version */
    raw[n++] = c->kind;
    raw[n++] = SEP;
    memcpy(raw + n, c->id, ilen);
    n += ilen;
    raw[n++] = SEP;
    memcpy(raw + n, c->key, klen);
    n += klen;
    size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (need > outlen)
        return -1;
    sodium_bin2base64(out, outlen, (const unsigned char *)raw, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return 0;
}

int cursor_decode(const char *text, struct cursor *c)
{
    unsigned char raw[CURSOR_MAX_KEY + 48];
    size_t n = 0;
    const char *end = NULL;
    if (strlen(text) > CURSOR_MAX_TEXT)
        return -1;
    if (sodium_base642bin(raw, sizeof(raw) - 1, text, strlen(text), NULL, &n, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        *end != '\0')
        return -1;
    raw[n] = '\0';
    if (n < 4 || raw[0] != '1' || raw[2] != SEP)
        return -1;
    const char *id = (const char *)raw + 3;
    const char *sep = memchr(id, SEP, n - 3);
    if (!sep || (size_t)(sep - id) >= sizeof(c->id))
        return -1;
    const char *key = sep + 1;
    size_t klen = n - (size_t)(key - (const char *)raw);
    if (klen >= CURSOR_MAX_KEY || memchr(key, '\0', klen) || !is_clean_utf8(key, klen))
        return -1;
    c->kind = (char)raw[1];
    memcpy(c->id, id, (size_t)(sep - id));
    c->id[sep - id] = '\0';
    memcpy(c->key, key, klen);
    c->key[klen] = '\0';
    return is_uuid(c->id) ? 0 : -1;
}
