/* Applying numbered migrations once each and function files whenever they change
 * (migrate.h; the files are read by migrate_files.c). */
#include "db/migrate.h"

#include <libpq-fe.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate_files.h"
#include "util/alloc.h"
#include "util/log.h"

#define MIGRATE_LOCK_KEY "7212026"

enum { M_PENDING = 0, M_APPLIED = 1, M_FORMER = 2 };

/* The function table: the name and checksum of each function file applied.  Anyone may
 * read it (serve checks it as the service's role); only its owner, the migrations'
 * role, writes it, whatever default privileges migration 0001 gave on new tables. */
static const char functions_table[] =
    "CREATE TABLE IF NOT EXISTS schema_functions ("
    " name text PRIMARY KEY, checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "GRANT SELECT ON schema_functions TO PUBLIC;"
    "DO $$ DECLARE g text; BEGIN"
    " FOR g IN SELECT DISTINCT a.grantee::regrole::text FROM pg_class c, aclexplode(c.relacl) a"
    "  WHERE c.oid = 'schema_functions'::regclass AND a.grantee NOT IN (0, c.relowner) LOOP"
    "  EXECUTE format('REVOKE ALL ON schema_functions FROM %s', g);"
    " END LOOP; END $$";

/* Tracked functions whose file is gone, and whether the database still has them. */
static const char orphans_sql[] =
    "SELECT s.name, EXISTS (SELECT 1 FROM pg_proc p WHERE p.proname = s.name"
    " AND p.pronamespace = current_schema()::regnamespace)"
    " FROM schema_functions s WHERE NOT (s.name = ANY ($1::text[])) ORDER BY 1";

static bool run(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    ExecStatusType s = PQresultStatus(res);
    /* (a migration may hold only notes: 0009 does since issue 13) */
    bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
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

static bool run_params(PGconn *pg, const char *sql, int n, const char *const *vals)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        log_error("migrations: %s", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* Compares one file with what was applied, setting m->state: 1 applied and unchanged,
 * 0 pending, 2 applied as a former version listed in former-checksums, -1 edited or
 * error. */
static int check_one(PGconn *pg, const struct migrate_tree *t, struct migration *m)
{
    bool err;
    char *sum = applied_checksum(pg, m->version, &err);
    if (err)
        return -1;
    int rc = M_PENDING;
    if (sum && strcmp(sum, m->checksum) == 0) {
        rc = M_APPLIED;
    } else if (sum && (m->former_reason = migrate_former_reason(t, m->version, sum))) {
        rc = M_FORMER;
    } else if (sum) {
        log_error("migrations: %s was edited after it was applied (checksum %.12s..., now "
                  "%.12s...); add a new migration instead",
                  m->name, sum, m->checksum);
        rc = -1;
    }
    m->state = rc;
    free(sum);
    return rc;
}

/* A comma-separated array literal of the function files' names (plain words). */
static char *names_array(const struct migrate_tree *t)
{
    size_t cap = (size_t)t->nf * sizeof(t->f[0].name) + 3, len = 0;
    char *s = xmalloc(cap);
    s[len++] = '{';
    for (long i = 0; i < t->nf; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? "," : "", t->f[i].name);
    snprintf(s + len, cap - len, "}");
    return s;
}

/* Reads schema_functions into each file's recorded checksum ("" when not there, or
 * when the table is not: a database that never had function files).  False on error. */
static bool read_recorded(PGconn *pg, struct migrate_tree *t, bool *have_table)
{
    PGresult *res = PQexec(pg, "SELECT to_regclass('schema_functions') IS NOT NULL");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    *have_table = ok && PQgetvalue(res, 0, 0)[0] == 't';
    if (*have_table) {
        PQclear(res);
        res = PQexec(pg, "SELECT name, checksum FROM schema_functions");
        ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    }
    if (!ok)
        log_error("migrations: %s", PQresultErrorMessage(res));
    for (int r = 0; ok && *have_table && r < PQntuples(res); r++)
        for (long i = 0; i < t->nf; i++)
            if (strcmp(t->f[i].name, PQgetvalue(res, r, 0)) == 0)
                snprintf(t->f[i].recorded, sizeof(t->f[i].recorded), "%s", PQgetvalue(res, r, 1));
    PQclear(res);
    return ok;
}

/* Runs function file f and records its checksum; the transaction is open. */
static bool apply_function(PGconn *pg, struct migrate_function *f)
{
    if (!run(pg, f->sql)) {
        log_error("migrations: functions/%s.sql failed; nothing of this step was applied",
                  f->name);
        return false;
    }
    const char *vals[] = {f->name, f->checksum};
    if (!run_params(pg,
                    "INSERT INTO schema_functions (name, checksum) VALUES ($1, $2)"
                    " ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum,"
                    " applied_at = now()",
                    2, vals))
        return false;
    if (f->recorded[0])
        log_info("migrations: re-applied functions/%s.sql (changed: checksum %.12s..., was "
                 "%.12s...)",
                 f->name, f->checksum, f->recorded);
    else
        log_info("migrations: re-applied functions/%s.sql (new: checksum %.12s...)", f->name,
                 f->checksum);
    snprintf(f->recorded, sizeof(f->recorded), "%s", f->checksum);
    f->applied = true;
    return true;
}

/* In the open transaction, applies each function file that changed and is due before
 * migration upto (LONG_MAX: every one), with bodies unchecked (the tables they read
 * may come in a later migration; the last transaction checks them).  The count or -1. */
static int apply_due(PGconn *pg, struct migrate_tree *t, long upto)
{
    int n = 0;
    for (long i = 0; i < t->nf; i++) {
        struct migrate_function *f = &t->f[i];
        if (strcmp(f->recorded, f->checksum) == 0)
            continue;
        if (upto != LONG_MAX && (f->before == 0 || f->before > upto))
            continue;
        if (n == 0 && (!run(pg, functions_table) ||
                       !run(pg, "SET LOCAL check_function_bodies = off")))
            return -1;
        if (!apply_function(pg, f))
            return -1;
        n++;
    }
    if (n > 0 && !run(pg, "SET LOCAL check_function_bodies = on"))
        return -1;
    return n;
}

/* Pending migration m in a transaction of its own, after the functions due before it. */
static bool apply_migration(PGconn *pg, struct migrate_tree *t, const struct migration *m,
                            struct migrate_report *r)
{
    char v[24];
    snprintf(v, sizeof(v), "%ld", m->version);
    const char *vals[] = {v, m->name, m->checksum};
    if (!run(pg, "BEGIN"))
        return false;
    int n = apply_due(pg, t, m->version);
    bool ok = n >= 0 && run(pg, m->sql);
    if (n >= 0 && !ok)
        log_error("migrations: %s failed; nothing of it was applied", m->name);
    ok = ok && run_params(pg, "INSERT INTO schema_migrations (version, name, checksum)"
                              " VALUES ($1, $2, $3)", 3, vals) && run(pg, "COMMIT");
    if (!ok) {
        run(pg, "ROLLBACK");
        return false;
    }
    log_info("migrations: applied %s", m->name);
    r->applied++;
    r->reapplied += n;
    return true;
}

/* Records the current checksum of each migration applied as a former version. */
static bool adopt_former(PGconn *pg, struct migrate_tree *t, struct migrate_report *r)
{
    for (long i = 0; i < t->nm; i++) {
        const struct migration *m = &t->m[i];
        if (m->state != M_FORMER)
            continue;
        char v[24];
        snprintf(v, sizeof(v), "%ld", m->version);
        const char *vals[] = {m->checksum, v};
        if (!run_params(pg, "UPDATE schema_migrations SET checksum = $1 WHERE version = $2", 2,
                        vals))
            return false;
        log_info("migrations: %s was applied as a former version listed in former-checksums "
                 "(%s); now recorded with checksum %.12s...",
                 m->name, m->former_reason, m->checksum);
        r->rewritten++;
    }
    return true;
}

/* Each function file must be exactly one function of its name in the database (an
 * older signature left behind would make calls ambiguous). */
static bool check_names(PGconn *pg, const char *names)
{
    const char *vals[] = {names};
    PGresult *res = PQexecParams(
        pg,
        "SELECT f.name, count(p.oid) FROM unnest($1::text[]) AS f(name) LEFT JOIN pg_proc p"
        " ON p.proname = f.name AND p.pronamespace = current_schema()::regnamespace"
        " GROUP BY f.name HAVING count(p.oid) <> 1 ORDER BY 1",
        1, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        log_error("migrations: %s", PQresultErrorMessage(res));
    for (int r = 0; r < PQntuples(res); r++)
        log_error("migrations: functions/%s.sql: the database has %s functions of that name, "
                  "not one (drop an older signature in a numbered migration)",
                  PQgetvalue(res, r, 0), PQgetvalue(res, r, 1));
    PQclear(res);
    return ok;
}

/* Tracked functions whose file is gone: forgotten when the database dropped them (a
 * numbered migration's DROP FUNCTION), else warned of (when forget; else only warned
 * of).  Nothing is dropped here: a function may carry triggers or columns. */
static bool orphans(PGconn *pg, const char *names, bool forget)
{
    const char *vals[] = {names};
    PGresult *res = PQexecParams(pg, orphans_sql, 1, NULL, vals, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        log_error("migrations: %s", PQresultErrorMessage(res));
    for (int r = 0; ok && r < PQntuples(res); r++) {
        const char *name = PQgetvalue(res, r, 0);
        bool there = PQgetvalue(res, r, 1)[0] == 't';
        if (forget && !there) {
            const char *v[] = {name};
            ok = run_params(pg, "DELETE FROM schema_functions WHERE name = $1", 1, v);
            log_info("migrations: functions/%s.sql is gone and so is the function: no longer "
                     "tracked",
                     name);
        } else {
            log_warn("migrations: functions/%s.sql is gone but %s() is still in the database; "
                     "drop it in a numbered migration (DROP FUNCTION)",
                     name, name);
        }
    }
    PQclear(res);
    return ok;
}

/* The last transaction: former checksums recorded as the files', the function files
 * not applied yet that changed, then every function applied by this run once more
 * with its body checked, and the names checked. */
static bool final_pass(PGconn *pg, struct migrate_tree *t, struct migrate_report *r)
{
    if (!run(pg, "BEGIN"))
        return false;
    bool ok = adopt_former(pg, t, r);
    int n = ok ? apply_due(pg, t, LONG_MAX) : -1;
    ok = n >= 0;
    if (ok && t->nf > 0) {
        r->reapplied += n;
        char *names = names_array(t);
        ok = run(pg, functions_table) && run(pg, "SET LOCAL check_function_bodies = on");
        for (long i = 0; ok && i < t->nf; i++)
            if (t->f[i].applied && !run(pg, t->f[i].sql)) {
                log_error("migrations: functions/%s.sql does not hold against the schema",
                          t->f[i].name);
                ok = false;
            }
        ok = ok && check_names(pg, names) && orphans(pg, names, true);
        free(names);
    }
    ok = ok && run(pg, "COMMIT");
    if (!ok)
        run(pg, "ROLLBACK");
    return ok;
}

int migrate_apply(const char *conninfo, const char *dir, struct migrate_report *report)
{
    memset(report, 0, sizeof(*report));
    struct migrate_tree t;
    if (migrate_tree_load(dir, &t) < 0)
        return -1;
    int rc = -1;
    bool have_table;
    PGconn *pg = connect_db(conninfo);
    if (!pg || !run(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")"))
        goto out;
    if (!run(pg, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                 " applied_at timestamptz NOT NULL DEFAULT now())"))
        goto out;
    for (long i = 0; i < t.nm; i++)
        if (check_one(pg, &t, &t.m[i]) < 0)
            goto out;
    if (t.nf > 0 && !read_recorded(pg, &t, &have_table))
        goto out;
    for (long i = 0; i < t.nm; i++)
        if (t.m[i].state == M_PENDING && !apply_migration(pg, &t, &t.m[i], report))
            goto out;
    if (!final_pass(pg, &t, report))
        goto out;
    run(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
    rc = 0;
out:
    if (pg)
        PQfinish(pg);
    migrate_tree_free(&t);
    return rc;
}

/* serve's check of the function files: each applied with its current checksum. */
static int verify_functions(PGconn *pg, struct migrate_tree *t)
{
    bool have_table;
    if (!read_recorded(pg, t, &have_table))
        return -1;
    int rc = 0;
    for (long i = 0; i < t->nf && rc == 0; i++) {
        const struct migrate_function *f = &t->f[i];
        if (!f->recorded[0]) {
            log_error("migrations: functions/%s.sql is not applied; run `clinicd migrate` first",
                      f->name);
            rc = -1;
        } else if (strcmp(f->recorded, f->checksum) != 0) {
            log_error("migrations: functions/%s.sql changed since it was applied (checksum "
                      "%.12s..., now %.12s...); run `clinicd migrate` first",
                      f->name, f->recorded, f->checksum);
            rc = -1;
        }
    }
    if (rc == 0 && have_table) {
        char *names = names_array(t);
        rc = orphans(pg, names, false) ? 0 : -1;
        free(names);
    }
    return rc;
}

int migrate_verify(const char *conninfo, const char *dir)
{
    struct migrate_tree t;
    if (migrate_tree_load(dir, &t) < 0)
        return -1;
    int rc = -1;
    PGconn *pg = connect_db(conninfo);
    if (!pg)
        goto out;
    for (long i = 0; i < t.nm; i++) {
        int st = check_one(pg, &t, &t.m[i]);
        if (st < 0)
            goto out;
        if (st == M_PENDING) {
            log_error("migrations: %s is not applied; run `clinicd migrate` first", t.m[i].name);
            goto out;
        }
        if (st == M_FORMER) {
            log_error("migrations: %s is recorded as a former version (%s); run `clinicd "
                      "migrate` first",
                      t.m[i].name, t.m[i].former_reason);
            goto out;
        }
    }
    rc = t.nf > 0 ? verify_functions(pg, &t) : 0;
out:
    if (pg)
        PQfinish(pg);
    migrate_tree_free(&t);
    return rc;
}
