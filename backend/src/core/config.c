/* Service settings: defaults, then config/clinicd.conf, then environment variables. */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/netaddr.h"
#include "util/parse.h"

/* K_ADDRS: a list of addresses and CIDR ranges (util/netaddr.h), kept as text;
 * K_TOKEN: "-" (none) or a secret of 16 to 256 visible ASCII characters. */
enum kind { K_STR, K_LONG, K_ADDRS, K_TOKEN };

struct key {
    const char *name;
    enum kind kind;
    size_t offset;
    long min, max;         /* K_LONG bounds */
    const char *def;       /* default, as text */
    const char *const *choices; /* K_STR: allowed values, NULL-terminated, or NULL */
};

static const char *const log_levels[] = {"debug", "info", "warn", "error", NULL};

#define OFF(f) offsetof(struct config, f)
static const struct key keys[] = {
    {"listen_address", K_STR, OFF(listen_address), 0, 0, "127.0.0.1", NULL},
    {"port", K_LONG, OFF(port), 1, 65535, "8080", NULL},
    {"database_url", K_STR, OFF(database_url), 0, 0, "postgresql:///clinicd", NULL},
    {"db_pool_size", K_LONG, OFF(db_pool_size), 1, 512, "16", NULL},
    {"db_checkout_timeout_ms", K_LONG, OFF(db_checkout_timeout_ms), 1, 60000, "2000", NULL},
    {"db_connect_timeout_s", K_LONG, OFF(db_connect_timeout_s), 1, 60, "2", NULL},
    {"statement_timeout_ms", K_LONG, OFF(statement_timeout_ms), 10, 600000, "5000", NULL},
    {"http_threads", K_LONG, OFF(http_threads), 0, 1024, "auto", NULL},
    {"http_workers", K_LONG, OFF(http_workers), 0, 1024, "16", NULL},
    {"http_max_connections", K_LONG, OFF(http_max_connections), 1, 100000, "1024", NULL},
    {"http_max_per_ip", K_LONG, OFF(http_max_per_ip), 0, 100000, "64", NULL},
    {"http_timeout_s", K_LONG, OFF(http_timeout_s), 1, 3600, "15", NULL},
    {"http_head_timeout_s", K_LONG, OFF(http_head_timeout_s), 0, 3600, "10", NULL},
    {"http_read_workers", K_LONG, OFF(http_read_workers), 0, 1024, "auto", NULL},
    {"http_read_queue", K_LONG, OFF(http_read_queue), 1, 100000, "64", NULL},
    {"trusted_proxies", K_ADDRS, OFF(trusted_proxies), 0, 0, "-", NULL},
    {"metrics_allow", K_ADDRS, OFF(metrics_allow), 0, 0, "127.0.0.0/8 ::1", NULL},
    {"metrics_token", K_TOKEN, OFF(metrics_token), 0, 0, "-", NULL},
    {"http_memory_limit_kb", K_LONG, OFF(http_memory_limit_kb), 8, 1048576, "32", NULL},
    {"shutdown_grace_s", K_LONG, OFF(shutdown_grace_s), 0, 600, "10", NULL},
    {"web_root", K_STR, OFF(web_root), 0, 0, "web", NULL},
    {"log_level", K_STR, OFF(log_level), 0, 0, "info", log_levels},
    {"public_https", K_LONG, OFF(public_https), 0, 1, "0", NULL},
    {"public_origin", K_STR, OFF(public_origin), 0, 0, "-", NULL},
    {"common_passwords_file", K_STR, OFF(common_passwords_file), 0, 0,
     "build/common-passwords.txt", NULL},
    {"password_hash_slots", K_LONG, OFF(password_hash_slots), 1, 64, "2", NULL},
    {"public_base_url", K_STR, OFF(public_base_url), 0, 0, "http://127.0.0.1:8080", NULL},
    {"notification_key", K_STR, OFF(notification_key), 0, 0, "-", NULL},
    {"smtp_url", K_STR, OFF(smtp_url), 0, 0, "smtp://127.0.0.1:2525", NULL},
    {"smtp_from", K_STR, OFF(smtp_from), 0, 0, "Clinic bookings <bookings@clinicd.invalid>", NULL},
    {"smtp_username", K_STR, OFF(smtp_username), 0, 0, "-", NULL},
    {"smtp_password", K_STR, OFF(smtp_password), 0, 0, "-", NULL},
    {"smtp_starttls", K_LONG, OFF(smtp_starttls), 0, 1, "0", NULL},
    {"reminder_hours", K_LONG, OFF(reminder_hours), 1, 168, "24", NULL},
    {"worker_clock", K_STR, OFF(worker_clock), 0, 0, "-", NULL},
    {"worker_poll_ms", K_LONG, OFF(worker_poll_ms), 50, 60000, "1000", NULL},
    {"worker_lease_s", K_LONG, OFF(worker_lease_s), 10, 3600, "120", NULL},
    {"worker_stop_grace_s", K_LONG, OFF(worker_stop_grace_s), 0, 600, "10", NULL},
    {"smtp_timeout_s", K_LONG, OFF(smtp_timeout_s), 1, 600, "30", NULL},
    {"mail_per_address_per_hour", K_LONG, OFF(mail_per_address_per_hour), 0, 1000, "10", NULL},
    {"map_tile_url", K_STR, OFF(map_tile_url), 0, 0,
     "https://tile.openstreetmap.org/{z}/{x}/{y}.png", NULL},
    {"patient_writes_per_hour", K_LONG, OFF(patient_writes_per_hour), 0, 3600000, "60", NULL},
    {"patient_write_burst", K_LONG, OFF(patient_write_burst), 1, 100000, "60", NULL},
    {"audit_key", K_TOKEN, OFF(audit_key), 0, 0, "-", NULL},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* K_LONG keys that also take "auto": one per online CPU. */
static bool per_cpu(const struct key *k)
{
    return strcmp(k->name, "http_threads") == 0 || strcmp(k->name, "http_read_workers") == 0;
}

static int apply(struct config *cfg, const struct key *k, const char *value, const char *origin,
                 char *err, size_t errlen)
{
    char *base = (char *)cfg;
    if (k->kind == K_LONG) {
        long v;
        int rc = -1;
        if (per_cpu(k) && strcmp(value, "auto") == 0) {
            v = sysconf(_SC_NPROCESSORS_ONLN);
            v = v < 1 ? 1 : v > k->max ? k->max : v;
            rc = 0;
        } else {
            rc = parse_long(value, k->min, k->max, &v);
        }
        if (rc != 0) {
            snprintf(err, errlen, "%s%s: must be a whole number from %ld to %ld%s (got '%s')",
                     origin, k->name, k->min, k->max, per_cpu(k) ? ", or auto" : "", value);
            return -1;
        }
        *(long *)(base + k->offset) = v;
        return 0;
    }
    if (!*value) {
        snprintf(err, errlen, "%s%s: must not be empty", origin, k->name);
        return -1;
    }
    if (k->kind == K_ADDRS) {
        struct netaddr_list l;
        char why[160];
        if (netaddr_list_parse(value, &l, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s%s: %s (want addresses or CIDR ranges, or -)", origin,
                     k->name, why);
            return -1;
        }
        netaddr_list_free(&l);
    }
    if (k->kind == K_TOKEN && strcmp(value, "-") != 0) {
        size_t n = strlen(value);
        bool visible = true;
        for (size_t i = 0; i < n; i++)
            visible = visible && value[i] > 0x20 && value[i] < 0x7f;
        if (n < 16 || n > 256 || !visible) {
            snprintf(err, errlen,
                     "%s%s: must be - (none) or 16 to 256 visible ASCII characters without spaces",
                     origin, k->name);
            return -1;
        }
    }
    if (k->choices) {
        bool ok = false;
        for (const char *const *c = k->choices; *c; c++)
            ok = ok || strcmp(*c, value) == 0;
        if (!ok) {
            snprintf(err, errlen, "%s%s: not one of the allowed values (got '%s')", origin,
                     k->name, value);
            return -1;
        }
    }
    char **slot = (char **)(base + k->offset);
    free(*slot);
    *slot = xstrdup(value);
    return 0;
}

int config_set(struct config *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    const struct key *k = find_key(key);
    if (!k) {
        snprintf(err, errlen, "%s: unknown setting", key);
        return -1;
    }
    return apply(cfg, k, value, "", err, errlen);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    int rc = -1;
    char line[4096];
    unsigned lineno = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "%s:%u: line too long", path, lineno);
            goto out;
        }
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%u: expected 'key = value'", path, lineno);
            goto out;
        }
        *eq = '\0';
        char *key = trim(s), *value = trim(eq + 1);
        const struct key *k = find_key(key);
        if (!k) {
            snprintf(err, errlen, "%s:%u: %s: unknown setting", path, lineno, key);
            goto out;
        }
        char origin[512];
        snprintf(origin, sizeof(origin), "%s:%u: ", path, lineno);
        if (apply(cfg, k, value, origin, err, errlen) < 0)
            goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

static int load_env(struct config *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < NKEYS; i++) {
        char name[64] = "CLINICD_";
        size_t n = strlen(name);
        for (const char *p = keys[i].name; *p && n + 1 < sizeof(name); p++)
            name[n++] = (char)toupper((unsigned char)*p);
        name[n] = '\0';
        const char *v = getenv(name);
        /* the conventional short names win over the prefixed ones */
        if (strcmp(keys[i].name, "database_url") == 0 && getenv("DATABASE_URL")) {
            v = getenv("DATABASE_URL");
            snprintf(name, sizeof(name), "DATABASE_URL");
        } else if (strcmp(keys[i].name, "port") == 0 && getenv("PORT")) {
            v = getenv("PORT");
            snprintf(name, sizeof(name), "PORT");
        }
        if (!v)
            continue;
        char origin[80];
        snprintf(origin, sizeof(origin), "environment %s: ", name);
        if (apply(cfg, &keys[i], v, origin, err, errlen) < 0)
            return -1;
    }
    return 0;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < NKEYS; i++)
        if (apply(cfg, &keys[i], keys[i].def, "default ", err, errlen) < 0)
            return -1;
    if (path && load_file(cfg, path, err, errlen) < 0)
        return -1;
    return load_env(cfg, err, errlen);
}

void config_release(struct config *cfg)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (keys[i].kind != K_LONG) {
            char **slot = (char **)((char *)cfg + keys[i].offset);
            free(*slot);
            *slot = NULL;
        }
}
