/* The migrations tree as read from disk (migrate_files.h). */
#include "db/migrate_files.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/parse.h"

#define MAX_MIGRATIONS 1000
#define MAX_FUNCTIONS 1000
#define MAX_FORMER 1000
#define MAX_FILE_BYTES (16 * 1024 * 1024)
#define BEFORE_TAG "-- migrate: before "
#define DEFINES_TAG "CREATE OR REPLACE FUNCTION "

static bool lower_word(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return n > 0;
}

/* "0001_directory.sql" -> version 1; other names are not migrations. */
bool migrate_migration_name(const char *name, long *version)
{
    size_t n = strlen(name);
    if (n < 10 || n >= 256 || strcmp(name + n - 4, ".sql") != 0 || name[4] != '_')
        return false;
    char num[5];
    memcpy(num, name, 4);
    num[4] = '\0';
    if (!lower_word(name + 5, n - 9))
        return false;
    return parse_long(num, 1, 9999, version) == 0;
}

/* "book_slot.sql" -> "book_slot"; other names are not function files. */
bool migrate_function_name(const char *file, char *name, unsigned long cap)
{
    size_t n = strlen(file);
    if (n < 5 || n - 4 >= cap || strcmp(file + n - 4, ".sql") != 0 || !lower_word(file, n - 4))
        return false;
    memcpy(name, file, n - 4);
    name[n - 4] = '\0';
    return true;
}

int migrate_function_before(const char *sql, long *before)
{
    *before = 0;
    if (strncmp(sql, BEFORE_TAG, strlen(BEFORE_TAG)) != 0)
        return 0;
    const char *v = sql + strlen(BEFORE_TAG);
    char num[5];
    size_t i = 0;
    for (; i < 4 && v[i] >= '0' && v[i] <= '9'; i++)
        num[i] = v[i];
    num[i] = '\0';
    if (i != 4 || (v[4] != '\n' && v[4] != ' ') || parse_long(num, 1, 9999, before) != 0) {
        *before = 0;
        return -1;
    }
    return 1;
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

bool migrate_function_defines(const char *sql, const char *name)
{
    const char *p = strstr(sql, DEFINES_TAG);
    if (!p || count_of(sql, DEFINES_TAG) != 1 || count_of(sql, "CREATE FUNCTION ") != 0)
        return false;
    p += strlen(DEFINES_TAG);
    size_t n = strlen(name);
    return strncmp(p, name, n) == 0 && p[n] == '(';
}

int migrate_former_line(const char *line, struct former_checksum *out)
{
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '\0' || *line == '\n' || *line == '#')
        return 0;
    if (strnlen(line, 5) < 5 || line[4] != ' ')
        return -1;
    char num[5];
    memcpy(num, line, 4);
    num[4] = '\0';
    if (parse_long(num, 1, 9999, &out->version) != 0)
        return -1;
    const char *sum = line + 5;
    for (int i = 0; i < 64; i++)
        if (!((sum[i] >= '0' && sum[i] <= '9') || (sum[i] >= 'a' && sum[i] <= 'f')))
            return -1;
    if (sum[64] != ' ')
        return -1;
    memcpy(out->checksum, sum, 64);
    out->checksum[64] = '\0';
    const char *why = sum + 65;
    while (*why == ' ')
        why++;
    size_t n = strcspn(why, "\n");
    if (n == 0)
        return -1;
    snprintf(out->reason, sizeof(out->reason), "%.*s", (int)n, why);
    return 1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (len + n > MAX_FILE_BYTES) {
            free(data);
            fclose(f);
            return NULL;
        }
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            data = xrealloc(data, cap);
        }
        memcpy(data + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!data)
        data = xstrdup("");
    else
        data[len] = '\0';
    return data;
}

static void sha256_hex(const char *s, char out[MIGRATE_SUM_LEN])
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, MIGRATE_SUM_LEN, hash, sizeof(hash));
}

static int cmp_migration(const void *a, const void *b)
{
    long x = ((const struct migration *)a)->version, y = ((const struct migration *)b)->version;
    return (x > y) - (x < y);
}

static int cmp_function(const void *a, const void *b)
{
    return strcmp(((const struct migrate_function *)a)->name,
                  ((const struct migrate_function *)b)->name);
}

/* One numbered migration file into t->m[t->nm]; 1 added, 0 not a migration, -1. */
static int add_migration(struct migrate_tree *t, const char *dir, const char *file)
{
    long version;
    if (!migrate_migration_name(file, &version))
        return 0;
    if (t->nm == MAX_MIGRATIONS) {
        log_error("migrations: more than %d files", MAX_MIGRATIONS);
        return -1;
    }
    for (long i = 0; i < t->nm; i++)
        if (t->m[i].version == version) {
            log_error("migrations: two files with version %04ld", version);
            return -1;
        }
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    struct migration *m = &t->m[t->nm];
    m->sql = read_file(path);
    if (!m->sql) {
        log_error("migrations: cannot read %s", path);
        return -1;
    }
    m->version = version;
    snprintf(m->name, sizeof(m->name), "%s", file);
    sha256_hex(m->sql, m->checksum);
    t->nm++;
    return 1;
}

/* One function file into t->f[t->nf]; 1 added, 0 not a function file, -1. */
static int add_function(struct migrate_tree *t, const char *dir, const char *file)
{
    char name[sizeof(t->f[0].name)];
    if (!migrate_function_name(file, name, sizeof(name)))
        return 0;
    if (t->nf == MAX_FUNCTIONS) {
        log_error("migrations: more than %d function files", MAX_FUNCTIONS);
        return -1;
    }
    struct migrate_function *f = &t->f[t->nf];
    snprintf(f->name, sizeof(f->name), "%s", name);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    f->sql = read_file(path);
    if (!f->sql) {
        log_error("migrations: cannot read %s", path);
        return -1;
    }
    t->nf++;
    if (migrate_function_before(f->sql, &f->before) < 0) {
        log_error("migrations: %s: the first line must read \"-- migrate: before NNNN\"", path);
        return -1;
    }
    if (!migrate_function_defines(f->sql, f->name)) {
        log_error("migrations: %s must define the one function %s, with "
                  "\"CREATE OR REPLACE FUNCTION %s(\"",
                  path, f->name, f->name);
        return -1;
    }
    sha256_hex(f->sql, f->checksum);
    return 1;
}

/* Every file of dir through add (a missing directory is empty when optional). */
static int read_dir(struct migrate_tree *t, const char *dir, bool optional,
                    int (*add)(struct migrate_tree *, const char *, const char *))
{
    DIR *d = opendir(dir);
    if (!d) {
        if (optional && errno == ENOENT)
            return 0;
        log_error("migrations: cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)))
        rc = add(t, dir, e->d_name) < 0 ? -1 : 0;
    closedir(d);
    return rc;
}

static int read_former(struct migrate_tree *t, const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/former-checksums", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    char line[512];
    int rc = 0, lineno = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        lineno++;
        struct former_checksum c;
        int st = migrate_former_line(line, &c);
        if (st < 0 || (st == 1 && t->nformer == MAX_FORMER)) {
            log_error("migrations: %s:%d: expected \"NNNN <sha256> reason\"", path, lineno);
            rc = -1;
        } else if (st == 1) {
            t->former[t->nformer++] = c;
        }
    }
    fclose(f);
    return rc;
}

int migrate_tree_load(const char *dir, struct migrate_tree *t)
{
    memset(t, 0, sizeof(*t));
    t->m = xcalloc(MAX_MIGRATIONS, sizeof(*t->m));
    t->f = xcalloc(MAX_FUNCTIONS, sizeof(*t->f));
    t->former = xcalloc(MAX_FORMER, sizeof(*t->former));
    char fdir[4096];
    snprintf(fdir, sizeof(fdir), "%s/functions", dir);
    if (read_dir(t, dir, false, add_migration) < 0 || read_dir(t, fdir, true, add_function) < 0 ||
        read_former(t, dir) < 0) {
        migrate_tree_free(t);
        return -1;
    }
    qsort(t->m, (size_t)t->nm, sizeof(*t->m), cmp_migration);
    qsort(t->f, (size_t)t->nf, sizeof(*t->f), cmp_function);
    return 0;
}

void migrate_tree_free(struct migrate_tree *t)
{
    for (long i = 0; i < t->nm; i++)
        free(t->m[i].sql);
    for (long i = 0; i < t->nf; i++)
        free(t->f[i].sql);
    free(t->m);
    free(t->f);
    free(t->former);
    memset(t, 0, sizeof(*t));
}

const char *migrate_former_reason(const struct migrate_tree *t, long version, const char *sum)
{
    for (long i = 0; i < t->nformer; i++)
        if (t->former[i].version == version && strcmp(t->former[i].checksum, sum) == 0)
            return t->former[i].reason;
    return NULL;
}
