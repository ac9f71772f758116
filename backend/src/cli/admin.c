/* Operator commands: clinics, staff accounts and platform admins from the command line.
 * Passwords are read from standard input (one line), never from arguments, so they
 * do not show up in process lists or shell history. */
#include "cli/admin.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/password.h"
#include "store/admin.h"
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

/* Says why a statement failed. */
static void report(const struct db_direct *d)
{
    if (d->status == DB_CONFLICT && strcmp(d->sqlstate, "23505") == 0)
        fprintf(stderr, "clinicd admin: that e-mail address has an account already\n");
    else
        fprintf(stderr, "clinicd admin: %s", d->message);
}

static void audit_op(struct db_direct *d, const char *clinic, const char *action,
                     const char *rtype, const char *rid)
{
    if (store_admin_audit(d, clinic, action, rtype, rid) != DB_OK)
        report(d);
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

static int create_clinic(struct db_direct *d, int argc, char **argv)
{
    const char *name = arg_value(argc, argv, "--name");
    if (!name || !*name) {
        usage();
        return 2;
    }
    char id[ADMIN_ID_MAX];
    if (store_admin_clinic_create(d, name, id) != DB_OK) {
        report(d);
        return 1;
    }
    printf("%s\n", id);
    audit_op(d, id, "create_clinic", "clinic", id);
    return 0;
}

static int create_user(struct db_direct *d, int argc, char **argv, bool platform)
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
        bool exists;
        if (store_admin_user_exists(d, email, &exists) != DB_OK) {
            report(d);
            return 1;
        }
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
    struct admin_user u = {clinic, email, role, pract, hash, name ? name : ""};
    char id[ADMIN_ID_MAX];
    if (store_admin_user_create(d, &u, id) != DB_OK) {
        report(d);
        return 1;
    }
    printf("%s\n", id);
    audit_op(d, clinic, "create_user", "staff_user", id);
    return 0;
}

static int reset_password(struct db_direct *d, int argc, char **argv)
{
    const char *email = arg_value(argc, argv, "--email");
    if (!email) {
        usage();
        return 2;
    }
    char hash[PASSWORD_HASH_MAX];
    if (!new_password_hash(email, hash))
        return 1;
    struct admin_reset r;
    if (store_admin_password_reset(d, email, hash, &r) != DB_OK) {
        report(d);
        return 1;
    }
    if (!r.found) {
        fprintf(stderr, "clinicd admin: no account for %s\n", email);
        return 1;
    }
    audit_op(d, r.clinic[0] ? r.clinic : NULL, "reset_password", "staff_user", r.id);
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
    struct db_direct d;
    if (!db_direct_open(&d, conninfo, 0)) {
        fprintf(stderr, "clinicd admin: cannot connect: %s", d.message);
        db_direct_close(&d);
        return 1;
    }
    int rc;
    if (strcmp(cmd, "create-clinic") == 0)
        rc = create_clinic(&d, argc - 1, argv + 1);
    else if (strcmp(cmd, "create-user") == 0)
        rc = create_user(&d, argc - 1, argv + 1, false);
    else if (strcmp(cmd, "create-platform-admin") == 0)
        rc = create_user(&d, argc - 1, argv + 1, true);
    else if (strcmp(cmd, "reset-password") == 0)
        rc = reset_password(&d, argc - 1, argv + 1);
    else {
        usage();
        rc = 2;
    }
    db_direct_close(&d);
    return rc;
}
