/* Secret tokens handed to patients and staff: random, shown once, stored as a hash. */
#ifndef CLINICD_TOKEN_H
#define CLINICD_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_TEXT_LEN 43      /* 32 random bytes, base64url without padding */
#define TOKEN_HASH_HEX_LEN 66  /* "\x" and 64 hex digits: PostgreSQL bytea input */

/* Makes a new token (256 random bits) into text (TOKEN_TEXT_LEN + 1 bytes) and its
 * hash, ready to store, into hash_hex (TOKEN_HASH_HEX_LEN + 1 bytes). */
void token_new(char *text, char *hash_hex);
/* The stored form of a token presented by a client. */
void token_hash_hex(const char *text, char *hash_hex);
/* Compares a presented token with a stored hash (bytea in hex output form), in
 * constant time.  False for NULLs and malformed input. */
bool token_matches(const char *text, const char *stored_hex);

#include "util/banned.h"
#endif
