/* Staff passwords: the policy (length, not common, not blank, repeated, a run along
 * the alphabet or the keyboard, nor holding the e-mail's name) and Argon2id hashing
 * with a bound on how many hashes run at once. */
#ifndef CLINICD_PASSWORD_H
#define CLINICD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN_CHARS 8
#define PASSWORD_MAX_BYTES 1024
#define PASSWORD_HASH_MAX 128

/* Loads the list of common passwords (one per line) refused by password_check;
 * returns how many, or -1 when the file cannot be read (a short built-in list is
 * used then). */
long password_load_common(const char *path);
void password_free_common(void);

/* NULL when the password is acceptable, else a message for the user.  No
 * composition rules: 8 characters to 1024 bytes, and not one of these: only blank
 * characters; one character repeated; a stretch of the
 * alphabet, the digits, a keyboard row or column, forwards or backwards; a common
 * password; the user's e-mail, or anything holding its name (before the @, with or
 * without a +tag) when that is 3 characters or more, in any case.  email may be
 * NULL. */
const char *password_check(const char *password, const char *email);

/* Hashes with Argon2id into out (PASSWORD_HASH_MAX bytes); at most `password_slots`
 * hashes run at once, others wait up to wait_ms.  Returns 0, -1 on failure, -2 when
 * the wait timed out (the caller answers 503). */
int password_hash(const char *password, char *out, int wait_ms);
/* 1 when password matches hash, 0 when not, -2 when the wait timed out.  *rehash is
 * set when the hash uses older parameters. */
int password_verify(const char *password, const char *hash, bool *rehash, int wait_ms);
/* Runs one verification against a fixed hash, so that an unknown e-mail costs the
 * same time as a wrong password. */
void password_burn(int wait_ms);
/* How many hashes may run at once (default 2: each takes 19 MiB). */
void password_set_slots(int n);

#include "util/banned.h"
#endif
