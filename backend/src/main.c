/* clinicd's command line: serve | migrate | seed-demo. */
#include <sodium.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/rate.h"
#include "cli/admin.h"
#include "cli/audit.h"
#include "booking/availability.h"
#include "booking/lost_links.h"
#include "cache/vocab.h"
#include "core/app.h"
#include "core/config.h"
#include "db/migrate.h"
#include "db/pool.h"
#include "domain/password.h"
#include "domain/seal.h"
#include "http/server.h"
#include "cache/index_keeper.h"
#include "cache/schedule_cache.h"
#include "core/owner.h"
#include "directory/practitioners.h"
#include "cli/import.h"
#include "cli/seed.h"
#include "cli/seed_schedule.h"
#include "util/log.h"
#include "util/parse.h"
#include "cli/worker.h"

static void usage(FILE *f)
{
    fputs("usage: clinicd [--config FILE] COMMAND [ARGS]\n"
          "commands:\n"
          "  serve                      serve HTTP (the default)\n"
          "  migrate [--dir DIR]        apply pending migrations and changed functions\n"
          "                             (DIR/functions), as CLINICD_MIGRATE_URL, else\n"
          "                             database_url\n"
          "  seed-demo [--practitioners N] [--seed S] [--force]\n"
          "                             load the deterministic demo directory\n"
          "  seed-schedule [--bookings-per-practitioner N]\n"
          "                             demo hours, time off and bookings\n"
          "  worker [--once]            deliver notifications (e-mail) and reminders\n"
          "  admin SUBCOMMAND ...       clinics and staff accounts (clinicd admin help)\n"
          "  audit verify [--clinic ID] [--heads FILE]\n"
          "                             check the audit log's hash chains (exit 1 naming\n"
          "                             the first row that does not match)\n"
          "  audit heads                print each chain's last row and hash, to keep elsewhere\n"
          "  import --clinic ID [--dry-run] FILE.csv\n"
          "                             import practitioners from a CSV file (all or nothing)\n"
          "The default configuration file is config/clinicd.conf when it exists.\n",
          f);
}

static enum log_level level_of(const char *s)
{
    if (strcmp(s, "debug") == 0)
        return LOG_DEBUG;
    if (strcmp(s, "warn") == 0)
        return LOG_WARN;
    if (strcmp(s, "error") == 0)
        return LOG_ERROR;
    return LOG_INFO;
}

static const char *migrations_dir(int argc, char **argv)
{
    const char *dir = arg_value(argc, argv, "--dir");
    return dir ? dir : "migrations";
}

/* Applies migrations/ (as CLINICD_MIGRATE_URL, else database_url) and says what it did:
 * each file applied or re-applied on its own line, then one line of counts. */
static int cmd_migrate(struct config *cfg, int argc, char **argv)
{
    const char *url = getenv("CLINICD_MIGRATE_URL");
    struct migrate_report r;
    if (migrate_apply(url && *url ? url : cfg->database_url, migrations_dir(argc, argv), &r) < 0)
        return 1;
    log_info("migrations: %d applied, %d functions re-applied, %d rewritten migrations recorded; "
             "schema up to date",
             r.applied, r.reapplied, r.rewritten);
    return 0;
}

static int cmd_serve(struct config *cfg)
{
    if (migrate_verify(cfg->database_url, "migrations") < 0) {
        log_error("refusing to start: the database schema does not match migrations/");
        return 1;
    }
    app.cfg = cfg;
    if (password_load_common(cfg->common_passwords_file) < 0)
        log_warn("%s not found: refusing only a short built-in list of common passwords",
                 cfg->common_passwords_file);
    password_set_slots((int)cfg->password_hash_slots);
    if (strcmp(cfg->notification_key, "-") != 0 && !seal_set_key_hex(cfg->notification_key)) {
        log_error("config: notification_key: must be 64 hex digits or -");
        return 2;
    }
    app.pool = db_pool_new(cfg->database_url, (int)cfg->db_pool_size,
                           (int)cfg->db_checkout_timeout_ms, (int)cfg->db_connect_timeout_s,
                           (int)cfg->statement_timeout_ms);
    /* At most two malloc arenas: with a thread per connection glibc would otherwise
     * give each busy thread an arena of its own and keep what they freed, which is most
     * of the difference in memory between the two threading modes.  Threads keep their
     * own caches of small blocks, so the arenas' locks are rarely taken. */
    mallopt(M_ARENA_MAX, 2);
    /* the long-lived parts: started in this order, stopped in reverse; readiness and
     * /metrics ask each (core/owner.h) */
    owners_add(&vocab_owner);
    owners_add(&dirindex_owner);
    owners_add(&schedule_cache_owner);
    owners_add(&profiles_owner);
    owners_add(&patient_rate_owner);
    owners_add(&lost_links_owner);
    owners_add(&availability_answers_owner);
    int rc = 1;
    if (owners_start()) {
        rc = server_run();
        owners_stop();
    }
    db_pool_free(app.pool);
    app.pool = NULL;
    password_free_common();
    return rc;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int argi = 1;
    if (argi + 1 < argc && strcmp(argv[argi], "--config") == 0) {
        config_path = argv[argi + 1];
        argi += 2;
    } else if (access("config/clinicd.conf", R_OK) == 0) {
        config_path = "config/clinicd.conf";
    }
    const char *cmd = argi < argc ? argv[argi] : "serve";
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "clinicd: libsodium failed to start\n");
        return 1;
    }
    struct config cfg;
    char err[512];
    if (config_load(&cfg, config_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "clinicd: configuration: %s\n", err);
        config_release(&cfg);
        return 2;
    }
    log_set_level(level_of(cfg.log_level));
    int rc;
    int sub_argc = argc - argi;
    char **sub_argv = argv + argi;
    if (strcmp(cmd, "serve") == 0) {
        rc = cmd_serve(&cfg);
    } else if (strcmp(cmd, "migrate") == 0) {
        rc = cmd_migrate(&cfg, sub_argc, sub_argv);
    } else if (strcmp(cmd, "seed-schedule") == 0) {
        rc = seed_schedule_cli(sub_argc, sub_argv, cfg.database_url);
    } else if (strcmp(cmd, "worker") == 0) {
        rc = worker_cli(sub_argc, sub_argv, &cfg);
    } else if (strcmp(cmd, "admin") == 0) {
        password_load_common(cfg.common_passwords_file);
        rc = admin_cli(sub_argc, sub_argv, cfg.database_url);
        password_free_common();
    } else if (strcmp(cmd, "audit") == 0) {
        rc = audit_cli(sub_argc, sub_argv, cfg.database_url);
    } else if (strcmp(cmd, "import") == 0) {
        rc = import_cli(sub_argc, sub_argv, cfg.database_url);
    } else if (strcmp(cmd, "seed-demo") == 0) {
        rc = seed_cli(sub_argc, sub_argv, cfg.database_url);
    } else {
        fprintf(stderr, "clinicd: unknown command '%s'\n", cmd);
        usage(stderr);
        rc = 2;
    }
    config_release(&cfg);
    return rc;
}
