/* Staff passwords: the policy (length, not common, not blank, repeated, a run along
 * the alphabet or the keyboard, nor holding the e-mail's name) and Argon2id hashing
 * with a bound on how many hashes run at once. */
#include "domain/password.h"

#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"

/* The shortest e-mail name looked for inside a password (shorter ones, like "jo", turn
 * up in too many good passwords by chance). */
#define PASSWORD_MIN_LOCAL_PART 3

/* OWASP's Argon2id baseline: 19 MiB, 2 passes, 1 lane. */
#define OPSLIMIT 2
#define MEMLIMIT (19u * 1024 * 1024)

static char **common;
static size_t ncommon;

static const char *const builtin_common[] = {
    "11111111", "12345678", "123456789", "1234567890", "abc12345", "abcd1234", "baseball",
    "football", "iloveyou", "password", "password1", "password123", "passw0rd", "princess",
    "qwerty123", "qwertyuiop", "sunshine", "superman", "trustno1", "welcome1", "letmein1",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

long password_load_common(const char *path)
{
    password_free_common();
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) {
        ncommon = sizeof(builtin_common) / sizeof(builtin_common[0]);
        common = xcalloc(ncommon, sizeof(char *));
        for (size_t i = 0; i < ncommon; i++)
            common[i] = xstrdup(builtin_common[i]);
        qsort(common, ncommon, sizeof(char *), cmp_str);
        return -1;
    }
    size_t cap = 1024;
    common = xcalloc(cap, sizeof(char *));
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (ncommon == cap) {
            cap *= 2;
            common = xrealloc(common, cap * sizeof(char *));
        }
        common[ncommon++] = xstrdup(line);
    }
    fclose(f);
    qsort(common, ncommon, sizeof(char *), cmp_str);
    return (long)ncommon;
}

void password_free_common(void)
{
    for (size_t i = 0; i < ncommon; i++)
        free(common[i]);
    free(common);
    common = NULL;
    ncommon = 0;
}

static bool is_common(const char *pw)
{
    char lower[PASSWORD_MAX_BYTES + 1];
    size_t n = strlen(pw);
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(pw[i] >= 'A' && pw[i] <= 'Z' ? pw[i] + 32 : pw[i]);
    const char *key = lower;
    return common && bsearch(&key, common, ncommon, sizeof(char *), cmp_str) != NULL;
}

/* --- the policy ------------------------------------------------------------------ */

/* The code points of s (at most max; a byte that does not start valid UTF-8 counts as
 * one code point of its own value).  Returns how many. */
static size_t code_points(const char *s, uint32_t *out, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p && n < max) {
        uint32_t c = *p;
        int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool ok = len > 0;
        for (int i = 1; i < len && ok; i++)
            ok = (p[i] & 0xc0) == 0x80;
        if (!ok) {
            out[n++] = c;
            p++;
            continue;
        }
        if (len > 1) {
            c &= 0x3fu >> (len - 1);
            for (int i = 1; i < len; i++)
                c = (c << 6) | (p[i] & 0x3fu);
        }
        out[n++] = c;
        p += len;
    }
    return n;
}

/* Blank: spaces, tabs and line breaks, Unicode's spaces, and the invisible joiners
 * and marks that show as nothing. */
static bool is_blank(uint32_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200f) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x2060 || c == 0x3000 || c == 0xfeff || c == 0x180e;
}

static char ascii_lower(char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Runs people type without thinking: the alphabet, the digits, keyboard rows (QWERTY,
 * QWERTZ, AZERTY, and the rows one after another), and keyboard columns. */
static const char *const runs[] = {
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertzuiopasdfghjklyxcvbnm",
    "azertyuiopqsdfghjklmwxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
};

/* Whether lower (ASCII, lower case, n bytes) is a stretch of one of the runs, forwards
 * or backwards. */
static bool is_run(const char *lower, size_t n)
{
    for (size_t k = 0; k < sizeof(runs) / sizeof(runs[0]); k++) {
        size_t m = strlen(runs[k]);
        for (size_t start = 0; start + n <= m; start++) {
            bool fwd = true, back = true;
            for (size_t i = 0; i < n && (fwd || back); i++) {
                fwd = fwd && lower[i] == runs[k][start + i];
                back = back && lower[i] == runs[k][start + n - 1 - i];
            }
            if (fwd || back)
                return true;
        }
    }
    return false;
}

/* Whether hay (n bytes) holds needle (m bytes), ASCII letters in any case. */
static bool contains_fold(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; m && i + m <= n; i++) {
        size_t j = 0;
        while (j < m && ascii_lower(hay[i + j]) == ascii_lower(needle[j]))
            j++;
        if (j == m)
            return true;
    }
    return false;
}

static size_t utf8_chars(const char *s, size_t bytes)
{
    size_t chars = 0;
    for (size_t i = 0; i < bytes; i++)
        chars += ((unsigned char)s[i] & 0xc0) != 0x80;
    return chars;
}

const char *password_check(const char *password, const char *email)
{
    size_t bytes = strlen(password);
    size_t chars = utf8_chars(password, bytes);
    if (chars < PASSWORD_MIN_CHARS)
        return "Use at least 8 characters; a few words together are easy to remember.";
    if (bytes > PASSWORD_MAX_BYTES)
        return "Use at most 1024 bytes.";
    uint32_t cp[PASSWORD_MAX_BYTES];
    size_t n = code_points(password, cp, PASSWORD_MAX_BYTES);
    size_t blank = 0;
    for (size_t i = 0; i < n; i++)
        blank += is_blank(cp[i]);
    if (blank == n)
        return "This password is only spaces; use a few words you can remember.";
    size_t same = 1;
    while (same < n && cp[same] == cp[0])
        same++;
    if (same == n)
        return "This password is one character repeated; use a few words you can remember.";
    char lower[PASSWORD_MAX_BYTES + 1];
    for (size_t i = 0; i <= bytes; i++)
        lower[i] = ascii_lower(password[i]);
    if (is_run(lower, bytes))
        return "This password is a run of letters, digits or keys in a row (like abcdefgh, "
               "12345678 or qwertyui, or backwards); choose another.";
    if (is_common(password))
        return "This password is one of the most common ones; choose another.";
    if (email && strcasecmp(password, email) == 0)
        return "Do not use your e-mail address as your password.";
    if (email) {
        /* the name before the last @, and that name without its +tag */
        const char *at = strrchr(email, '@');
        size_t local = at ? (size_t)(at - email) : strlen(email);
        const char *plus = memchr(email, '+', local);
        size_t base = plus ? (size_t)(plus - email) : local;
        if ((utf8_chars(email, local) >= PASSWORD_MIN_LOCAL_PART &&
             contains_fold(password, bytes, email, local)) ||
            (utf8_chars(email, base) >= PASSWORD_MIN_LOCAL_PART &&
             contains_fold(password, bytes, email, base)))
            return "This password holds your e-mail address's name (the part before the @); "
                   "choose one without it.";
    }
    return NULL;
}

static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cv = PTHREAD_COND_INITIALIZER;
static int slots_free = 2;

void password_set_slots(int n)
{
    pthread_mutex_lock(&slots_mu);
    slots_free = n > 0 ? n : 1;
    pthread_mutex_unlock(&slots_mu);
}

static bool take_slot(int wait_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += wait_ms / 1000;
    deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&slots_mu);
    while (slots_free == 0)
        if (pthread_cond_timedwait(&slots_cv, &slots_mu, &deadline) == ETIMEDOUT &&
            slots_free == 0) {
            pthread_mutex_unlock(&slots_mu);
            return false;
        }
    slots_free--;
    pthread_mutex_unlock(&slots_mu);
    return true;
}

static void give_slot(void)
{
    pthread_mutex_lock(&slots_mu);
    slots_free++;
    pthread_cond_signal(&slots_cv);
    pthread_mutex_unlock(&slots_mu);
}

int password_hash(const char *password, char *out, int wait_ms)
{
    if (!take_slot(wait_ms))
        return -2;
    int rc = crypto_pwhash_str(out, password, strlen(password), OPSLIMIT, MEMLIMIT) == 0 ? 0 : -1;
    give_slot();
    return rc;
}

int password_verify(const char *password, const char *hash, bool *rehash, int wait_ms)
{
    *rehash = false;
    if (!take_slot(wait_ms))
        return -2;
    int ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    give_slot();
    if (ok)
        *rehash = crypto_pwhash_str_needs_rehash(hash, OPSLIMIT, MEMLIMIT) != 0;
    return ok;
}

static char burn_hash[crypto_pwhash_STRBYTES];
static pthread_once_t burn_once = PTHREAD_ONCE_INIT;

static void make_burn_hash(void)
{
    if (crypto_pwhash_str(burn_hash, "not a real password", 19, OPSLIMIT, MEMLIMIT) != 0)
        burn_hash[0] = '\0';
}

void password_burn(int wait_ms)
{
    bool unused;
    pthread_once(&burn_once, make_burn_hash);
    if (burn_hash[0])
        password_verify("and not this either", burn_hash, &unused, wait_ms);
}
