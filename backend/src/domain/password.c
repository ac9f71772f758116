/* Staff passwords: the policy (length, not a common password) and Argon2id hashing
 * with a bound on how many hashes run at once. */
#include "domain/password.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/alloc.h"

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

const char *password_check(const char *password, const char *email)
{
    size_t bytes = strlen(password), chars = 0;
    for (size_t i = 0; i < bytes; i++)
        chars += ((unsigned char)password[i] & 0xc0) != 0x80;
    if (chars < PASSWORD_MIN_CHARS)
        return "Use at least 8 characters; a few words together are easy to remember.";
    if (bytes > PASSWORD_MAX_BYTES)
        return "Use at most 1024 bytes.";
    if (is_common(password))
        return "This password is one of the most common ones; choose another.";
    if (email && strcasecmp(password, email) == 0)
        return "Do not use your e-mail address as your password.";
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
