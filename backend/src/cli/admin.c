/* Operator commands: clinics, staff accounts and platform admins from the command line.
 * Passwords are read from standard input (one line), never from arguments, so they
 * do not show up in process lists or shell history. */
#include "cli/admin.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/password.h"
#include "util/parse.h"

static void usage(void)
{
    fputs("usage:\n"
          "  clinicd admin create-clinic --name NAME\n"
          "  clinicd admin create-user --clinic ID --email EMAIL --role clinic_admin|practitioner\n"
          "                            [--practitioner ID] [--name NAME] [--if-missing]\n"
          "  clinicd admin create-platform-admin --email EMAIL [--name NAME] [--if-missing]\n"
          "  clinicd admin reset-password --email EMAIL\n"
          "The password is read from standard input (one line).\n",
          stderr);
}

static bool flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return true;
    return false;
}

/* Reads one line of standard input into out; false when there is none. */
static bool read_password(char *out, size_t outlen)
{
    if (!fgets(out, (int)outlen, stdin))
        return false;
    size_t n = strcspn(out, "\r\n");
    if (out[n] == '\0' && n == outlen - 1)
        return false; /* longer than the buffer */
    out[n] = '\0';
    return true;
}

static PGresult *run(PGconn *pg, const char *sql, int n, const char *const *v)
{
    PGresult *res = PQexecParams(pg, sql, n, NULL, v, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        if (state && strcmp(state, "23505") == 0)
            fprintf(stderr, "clinicd admin: that e-mail address has an account already\n");
        else
            fprintf(stderr, "clinicd admin: %s", PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

static void audit_op(PGconn *pg, const char *clinic, const char *action, const char *rtype,
                     const char *rid)
{
    const char *v[] = {clinic, action, rtype, rid};
    PQclear(run(pg,
                "INSERT INTO audit_log (actor_type, clinic_id, action, resource_type, resource_id,"
                " outcome) VALUES ('operator', $1::uuid, $2, $3, $4, 'success')",
                4, v));
}

/* Reads and checks a password, then hashes it; false after printing why. */
static bool new_password_hash(const char *email, char *hash)
{
    char pw[PASSWORD_MAX_BYTES + 2];
    if (!read_password(pw, sizeof(pw))) {
        fprintf(stderr, "clinicd admin: give the password on standard input (one line, at most %d bytes)\n",
                PASSWORD_MAX_BYTES);
        return false;
    }
    const char *why = password_check(pw, email);
    if (why) {
        fprintf(stderr, "clinicd admin: password refused: %s\n", why);
        sodium_memzero(pw, sizeof(pw));
        return false;
    }
    int rc = password_hash(pw, hash, 60000);
    sodium_memzero(pw, sizeof(pw));
    if (rc != 0) {
        fprintf(stderr, "clinicd admin: hashing failed\n");
        return false;
    }
    return true;
}

static int create_clinic(PGconn *pg, int argc, char **argv)
{
    const char *name = arg_value(argc, argv, "--name");
    if (!name || !*name) {
        usage();
        return 2;
    }
    const char *v[] = {name};
    PGresult *res = run(pg, "INSERT INTO clinics (name) VALUES ($1) RETURNING id", 1, v);
    if (!res)
        return 1;
    printf("%s\n", PQgetvalue(res, 0, 0));
    audit_op(pg, PQgetvalue(res, 0, 0), "create_clinic", "clinic", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static int create_user(PGconn *pg, int argc, char **argv, bool platform)
{
    const char *email = arg_value(argc, argv, "--email");
    const char *clinic = platform ? NULL : arg_value(argc, argv, "--clinic");
    const char *role = platform ? "platform_admin" : arg_value(argc, argv, "--role");
    const char *pract = arg_value(argc, argv, "--practitioner");
    const char *name = arg_value(argc, argv, "--name");
    if (!email || !role || (!platform && !clinic)) {
        usage();
        return 2;
    }
    if (!platform && strcmp(role, "clinic_admin") != 0 && strcmp(role, "practitioner") != 0) {
        fprintf(stderr, "clinicd admin: --role must be clinic_admin or practitioner\n");
        return 2;
    }
    if ((strcmp(role, "practitioner") == 0) != (pract != NULL)) {
        fprintf(stderr, "clinicd admin: --practitioner goes with --role practitioner, and only with it\n");
        return 2;
    }
    if ((clinic && !is_uuid(clinic)) || (pract && !is_uuid(pract))) {
        fprintf(stderr, "clinicd admin: --clinic and --practitioner take ids\n");
        return 2;
    }
    if (flag(argc, argv, "--if-missing")) {
        const char *v[] = {email};
        PGresult *res = run(pg, "SELECT 1 FROM staff_users WHERE email = $1", 1, v);
        if (!res)
            return 1;
        bool exists = PQntuples(res) > 0;
        PQclear(res);
        if (exists) {
            char drain[PASSWORD_MAX_BYTES + 2];
            (void)read_password(drain, sizeof(drain));
            sodium_memzero(drain, sizeof(drain));
            fprintf(stderr, "clinicd admin: %s exists; nothing done\n", email);
            return 0;
        }
    }
    char hash[PASSWORD_HASH_MAX];
    if (!new_password_hash(email, hash))
        return 1;
    const char *v[] = {clinic, email, role, pract, hash, name ? name : ""};
    PGresult *res = run(pg,
                        "INSERT INTO staff_users (clinic_id, email, role, practitioner_id,"
                        " password_hash, name) VALUES ($1::uuid, $2, $3, $4::uuid, $5, $6)"
                        " RETURNING id",
                        6, v);
    if (!res)
        return 1;
    printf("%s\n", PQgetvalue(res, 0, 0));
    audit_op(pg, clinic, "create_user", "staff_user", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static int reset_password(PGconn *pg, int argc, char **argv)
{
    const char *email = arg_value(argc, argv, "--email");
    if (!email) {
        usage();
        return 2;
    }
    char hash[PASSWORD_HASH_MAX];
    if (!new_password_hash(email, hash))
        return 1;
    const char *v[] = {email, hash};
    PGresult *res = run(pg,
                        "WITH u AS (UPDATE staff_users SET password_hash = $2,"
                        " password_changed_at = now(), failed_logins = 0, locked_until = NULL"
                        " WHERE email = $1 RETURNING id, clinic_id),"
                        " s AS (UPDATE staff_sessions SET revoked_at = now()"
                        "  WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL)"
                        " SELECT id, clinic_id FROM u",
                        2, v);
    if (!res)
        return 1;
    if (PQntuples(res) != 1) {
        fprintf(stderr, "clinicd admin: no account for %s\n", email);
        PQclear(res);
        return 1;
    }
    audit_op(pg, PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1), "reset_password",
             "staff_user", PQgetvalue(res, 0, 0));
    PQclear(res);
    fprintf(stderr, "clinicd admin: password reset; every session of %s was ended\n", email);
    return 0;
}

int admin_cli(int argc, char **argv, const char *conninfo)
{
    if (argc < 2) {
        usage();
        return 2;
    }
    const char *cmd = argv[1];
    PGconn *pg = PQconnectdb(conninfo);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "clinicd admin: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return 1;
    }
    int rc;
    if (strcmp(cmd, "create-clinic") == 0)
        rc = create_clinic(pg, argc - 1, argv + 1);
    else if (strcmp(cmd, "create-user") == 0)
        rc = create_user(pg, argc - 1, argv + 1, false);
    else if (strcmp(cmd, "create-platform-admin") == 0)
        rc = create_user(pg, argc - 1, argv + 1, true);
    else if (strcmp(cmd, "reset-password") == 0)
        rc = reset_password(pg, argc - 1, argv + 1);
    else {
        usage();
        rc = 2;
    }
    PQfinish(pg);
    return rc;
}
