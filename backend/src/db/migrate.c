/* Applying migrations/NNNN_name.sql in order, once each, with checksums. */
#include "db/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/log.h"
#include "util/parse.h"

#define MIGRATE_LOCK_KEY "7212026"
#define MAX_MIGRATIONS 1000
#define MAX_FILE_BYTES (16 * 1024 * 1024)

struct migration {
    long version;
    char name[256];
    char *sql;
    char checksum[crypto_hash_sha256_BYTES * 2 + 1];
};

static int cmp_migration(const void *a, const void *b)
{
    long x = ((const struct migration *)a)->version, y = ((const struct migration *)b)->version;
    return (x > y) - (x < y);
}

/* "0001_directory.sql" -> version 1; other names are not migrations. */
static bool migration_name(const char *name, long *version)
{
    size_t n = strlen(name);
    if (n < 10 || n >= 256 || strcmp(name + n - 4, ".sql") != 0 || name[4] != '_')
        return false;
    char num[5];
    memcpy(num, name, 4);
    num[4] = '\0';
    for (size_t i = 5; i < n - 4; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return parse_long(num, 1, 9999, version) == 0;
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

static void free_migrations(struct migration *m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(m[i].sql);
    free(m);
}

/* Reads dir; returns the count (sorted by version) or -1. */
static long load_migrations(const char *dir, struct migration **out)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("migrations: cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    struct migration *m = xcalloc(MAX_MIGRATIONS, sizeof(*m));
    size_t n = 0;
    struct dirent *e;
    long rc = -1;
    while ((e = readdir(d))) {
        long version;
        if (!migration_name(e->d_name, &version))
            continue;
        if (n == MAX_MIGRATIONS) {
            log_error("migrations: more than %d files", MAX_MIGRATIONS);
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            if (m[i].version == version) {
                log_error("migrations: two files with version %04ld", version);
                goto out;
            }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        m[n].sql = read_file(path);
        if (!m[n].sql) {
            log_error("migrations: cannot read %s", path);
            goto out;
        }
        m[n].version = version;
        snprintf(m[n].name, sizeof(m[n].name), "%s", e->d_name);
        unsigned char hash[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(hash, (const unsigned char *)m[n].sql, strlen(m[n].sql));
        sodium_bin2hex(m[n].checksum, sizeof(m[n].checksum), hash, sizeof(hash));
        n++;
    }
    qsort(m, n, sizeof(*m), cmp_migration);
    rc = (long)n;
out:
    closedir(d);
    if (rc < 0)
        free_migrations(m, n + 1 > MAX_MIGRATIONS ? MAX_MIGRATIONS : n + 1);
    else
        *out = m;
    return rc;
}

static bool run(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType s = PQresultStatus(res);
    bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok)
        log_error("migrations: %s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static PGconn *connect_db(const char *conninfo)
{
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        log_error("migrations: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    return pg;
}

/* The checksum recorded for version, or NULL (not applied).  *err on failure. */
static char *applied_checksum(PGconn *pg, long version, bool *err)
{
    char v[24];
    snprintf(v, sizeof(v), "%ld", version);
    const char *vals[] = {v};
    PGresult *res = PQexecParams(pg, "SELECT checksum FROM schema_migrations WHERE version = $1",
                                 1, NULL, vals, NULL, NULL, 0);
    char *sum = NULL;
    *err = PQresultStatus(res) != PGRES_TUPLES_OK;
    if (*err)
        log_error("migrations: %s", PQresultErrorMessage(res));
    else if (PQntuples(res) == 1)
        sum = xstrdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return sum;
}

/* Compares one file with what was applied: 1 applied and unchanged, 0 pending, -1
 * edited or error. */
static int check_one(PGconn *pg, const struct migration *m)
{
    bool err;
    char *sum = applied_checksum(pg, m->version, &err);
    if (err)
        return -1;
    if (!sum)
        return 0;
    int rc = 1;
    if (strcmp(sum, m->checksum) != 0) {
        log_error("migrations: %s was edited after it was applied (checksum %.12s..., now "
                  "%.12s...); add a new migration instead",
                  m->name, sum, m->checksum);
        rc = -1;
    }
    free(sum);
    return rc;
}

int migrate_apply(const char *conninfo, const char *dir)
{
    struct migration *m = NULL;
    long n = load_migrations(dir, &m);
    if (n < 0)
        return -1;
    int applied = -1;
    PGconn *pg = connect_db(conninfo);
    if (!pg)
        goto out;
    if (!run(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")"))
        goto out;
    if (!run(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())"))
        goto out;
    int count = 0;
    for (long i = 0; i < n; i++) {
        int st = check_one(pg, &m[i]);
        if (st < 0)
            goto out;
        if (st == 1)
            continue;
        char v[24];
        snprintf(v, sizeof(v), "%ld", m[i].version);
        const char *vals[] = {v, m[i].name, m[i].checksum};
        if (!run(pg, "BEGIN"))
            goto out;
        if (!run(pg, m[i].sql)) {
            log_error("migrations: %s failed; nothing of it was applied", m[i].name);
            run(pg, "ROLLBACK");
            goto out;
        }
        PGresult *res = PQexecParams(
            pg, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3,
            NULL, vals, NULL, NULL, 0);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!ok || !run(pg, "COMMIT")) {
            run(pg, "ROLLBACK");
            goto out;
        }
        log_info("migrations: applied %s", m[i].name);
        count++;
    }
    run(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
    applied = count;
out:
    if (pg)
        PQfinish(pg);
    free_migrations(m, (size_t)n);
    return applied;
}

int migrate_verify(const char *conninfo, const char *dir)
{
    struct migration *m = NULL;
    long n = load_migrations(dir, &m);
    if (n < 0)
        return -1;
    int rc = -1;
    PGconn *pg = connect_db(conninfo);
    if (!pg)
        goto out;
    for (long i = 0; i < n; i++) {
        int st = check_one(pg, &m[i]);
        if (st < 0)
            goto out;
        if (st == 0) {
            log_error("migrations: %s is not applied; run `clinicd migrate` first", m[i].name);
            goto out;
        }
    }
    rc = 0;
out:
    if (pg)
        PQfinish(pg);
    free_migrations(m, (size_t)n);
    return rc;
}
