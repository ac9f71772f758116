/* Unit tests for config: defaults, single settings, config files and the environment. */
#include "unit.h"

#include <unistd.h>

#include "core/config.h"

extern char **environ;

enum field_kind { F_NONE, F_LONG, F_STR };

/* One field of struct config and the value it should hold. */
struct field {
    enum field_kind kind;
    size_t off;
    long lv;
    const char *sv;
};

#define L(f, v) {F_LONG, offsetof(struct config, f), (v), NULL}
#define S(f, v) {F_STR, offsetof(struct config, f), 0, (v)}
#define MAXFIELDS 4
#define MAXNEEDLES 3

static void check_field(const struct config *cfg, const struct field *f)
{
    const char *base = (const char *)cfg;
    if (f->kind == F_LONG) {
        assert_int_equal(*(const long *)(base + f->off), f->lv);
    } else if (f->kind == F_STR) {
        const char *v = *(char *const *)(base + f->off);
        assert_non_null(v);
        assert_string_equal(v, f->sv);
    }
}

static void check_err(const char *err, const char *const *needles)
{
    for (size_t i = 0; i < MAXNEEDLES && needles[i]; i++)
        if (!strstr(err, needles[i]))
            fail_msg("error message '%s' does not mention '%s'", err, needles[i]);
}

/* Every environment variable config_load reads, so tests start from a clean slate. */
static void clear_env(void)
{
    unsetenv("PORT");
    unsetenv("DATABASE_URL");
    /* collect first: unsetenv while walking environ would skip entries */
    char *names[256];
    size_t n = 0;
    for (char **e = environ; e && *e && n < UNIT_ARRAY_LEN(names); e++)
        if (strncmp(*e, "CLINICD_", 8) == 0) {
            const char *eq = strchr(*e, '=');
            size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
            names[n] = malloc(len + 1);
            assert_non_null(names[n]);
            memcpy(names[n], *e, len);
            names[n][len] = '\0';
            n++;
        }
    for (size_t i = 0; i < n; i++) {
        unsetenv(names[i]);
        free(names[i]);
    }
}

/* Per-test state: a config to release, a temporary file to remove.  The teardown
 * cleans both, also after a failed assertion. */
static struct config cfg;
static bool cfg_loaded;
static char tmp_path[64];
static const char *set_names[2]; /* variables a row set, whatever their name */

static int env_setup(void **state)
{
    (void)state;
    clear_env();
    memset(&cfg, 0, sizeof(cfg));
    cfg_loaded = false;
    tmp_path[0] = '\0';
    return 0;
}

static int env_teardown(void **state)
{
    (void)state;
    if (cfg_loaded)
        config_release(&cfg);
    cfg_loaded = false;
    if (tmp_path[0])
        unlink(tmp_path);
    tmp_path[0] = '\0';
    for (size_t i = 0; i < UNIT_ARRAY_LEN(set_names); i++)
        if (set_names[i])
            unsetenv(set_names[i]);
    memset(set_names, 0, sizeof(set_names));
    clear_env();
    return 0;
}

static void load(const char *path, int want_rc, char *err, size_t errlen)
{
    err[0] = '\0';
    int rc = config_load(&cfg, path, err, errlen);
    cfg_loaded = true; /* released also after an error */
    if (rc != want_rc)
        fail_msg("config_load returned %d, want %d (err '%s')", rc, want_rc, err);
    if (rc < 0 && !err[0])
        fail_msg("config_load failed without a message");
}

/* Writes content into a new temporary file; its name goes to tmp_path. */
static void write_tmp(const char *content)
{
    snprintf(tmp_path, sizeof(tmp_path), "/tmp/clinicd-test-config-XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fputs(content, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* ---- defaults ---------------------------------------------------------------- */

static const struct field defaults[] = {
    S(listen_address, "127.0.0.1"),
    L(port, 8080),
    S(database_url, "postgresql:///clinicd"),
    L(db_pool_size, 16),
    L(db_checkout_timeout_ms, 2000),
    L(db_connect_timeout_s, 2),
    L(statement_timeout_ms, 5000),
    L(http_workers, 16),
    L(http_max_connections, 1024),
    L(http_max_per_ip, 64),
    L(http_timeout_s, 15),
    L(http_head_timeout_s, 10),
    L(http_read_queue, 64),
    S(trusted_proxies, "-"),
    S(metrics_allow, "127.0.0.0/8 ::1"),
    S(metrics_token, "-"),
    L(http_memory_limit_kb, 32),
    L(shutdown_grace_s, 10),
    S(web_root, "web"),
    S(log_level, "info"),
    L(worker_lease_s, 120),
    L(worker_stop_grace_s, 10),
    L(smtp_timeout_s, 30),
    L(mail_per_address_per_hour, 10),
};

static void test_defaults(void **state)
{
    (void)state;
    char err[256];
    load(NULL, 0, err, sizeof(err));
    for (size_t i = 0; i < UNIT_ARRAY_LEN(defaults); i++)
        check_field(&cfg, &defaults[i]);
    /* http_threads and http_read_workers: auto, one per online CPU */
    assert_int_equal(cfg.http_threads, sysconf(_SC_NPROCESSORS_ONLN));
    assert_int_equal(cfg.http_read_workers, sysconf(_SC_NPROCESSORS_ONLN));
    assert_int_equal(config_set(&cfg, "http_threads", "auto", err, sizeof(err)), 0);
    assert_int_equal(cfg.http_threads, sysconf(_SC_NPROCESSORS_ONLN));
    config_release(&cfg);
    cfg_loaded = false;
    /* release frees the strings and leaves NULLs */
    assert_null(cfg.listen_address);
    assert_null(cfg.database_url);
    assert_null(cfg.web_root);
    assert_null(cfg.log_level);
}

/* ---- config_set ---------------------------------------------------------------- */

struct set_case {
    const char *key, *value;
    int rc;
    struct field want;              /* after success */
    const char *needles[MAXNEEDLES]; /* in the error message after failure */
};

static const struct set_case set_cases[] = {
    {"port", "8081", 0, L(port, 8081), {0}},
    {"port", "1", 0, L(port, 1), {0}},
    {"port", "65535", 0, L(port, 65535), {0}},
    {"port", "0", -1, L(port, 8080), {"port", "'0'"}},
    {"port", "65536", -1, L(port, 8080), {"port", "65536"}},
    {"port", "-1", -1, L(port, 8080), {"port"}},
    {"port", "abc", -1, L(port, 8080), {"port", "abc"}},
    {"port", "80x", -1, L(port, 8080), {"port", "80x"}},
    {"port", " 80", -1, L(port, 8080), {"port"}},
    {"port", "", -1, L(port, 8080), {"port"}},
    {"port", "99999999999999999999999", -1, L(port, 8080), {"port"}},
    {"db_pool_size", "512", 0, L(db_pool_size, 512), {0}},
    {"db_pool_size", "513", -1, L(db_pool_size, 16), {"db_pool_size"}},
    {"db_pool_size", "0", -1, L(db_pool_size, 16), {"db_pool_size"}},
    {"http_threads", "0", 0, L(http_threads, 0), {0}},
    {"http_threads", "1025", -1, L(port, 8080), {"http_threads", "or auto"}},
    {"http_threads", "many", -1, L(port, 8080), {"http_threads", "or auto"}},
    {"http_threads", "2", 0, L(http_threads, 2), {0}},
    {"http_workers", "0", 0, L(http_workers, 0), {0}},
    {"http_workers", "-1", -1, L(http_workers, 16), {"http_workers"}},
    {"http_read_workers", "0", 0, L(http_read_workers, 0), {0}},
    {"http_read_workers", "3", 0, L(http_read_workers, 3), {0}},
    {"http_read_workers", "lots", -1, L(http_head_timeout_s, 10), {"http_read_workers", "or auto"}},
    {"http_read_queue", "0", -1, L(http_read_queue, 64), {"http_read_queue"}},
    {"http_head_timeout_s", "0", 0, L(http_head_timeout_s, 0), {0}},
    {"http_head_timeout_s", "3601", -1, L(http_head_timeout_s, 10), {"http_head_timeout_s"}},
    {"http_max_per_ip", "0", 0, L(http_max_per_ip, 0), {0}},
    {"trusted_proxies", "10.0.0.0/8, 192.0.2.7 2001:db8::/32", 0,
     S(trusted_proxies, "10.0.0.0/8, 192.0.2.7 2001:db8::/32"), {0}},
    {"trusted_proxies", "-", 0, S(trusted_proxies, "-"), {0}},
    {"trusted_proxies", "10.0.0.1/8", -1, S(trusted_proxies, "-"), {"trusted_proxies", "10.0.0.1/8"}},
    {"trusted_proxies", "proxy.internal", -1, S(trusted_proxies, "-"),
     {"trusted_proxies", "proxy.internal", "not an IP address"}},
    {"trusted_proxies", "", -1, S(trusted_proxies, "-"), {"trusted_proxies"}},
    {"metrics_allow", "-", 0, S(metrics_allow, "-"), {0}},
    {"metrics_allow", "192.0.2.0/24", 0, S(metrics_allow, "192.0.2.0/24"), {0}},
    {"metrics_allow", "192.0.2.0/33", -1, S(metrics_allow, "127.0.0.0/8 ::1"), {"metrics_allow"}},
    {"metrics_token", "0123456789abcdef", 0, S(metrics_token, "0123456789abcdef"), {0}},
    {"metrics_token", "short", -1, S(metrics_token, "-"), {"metrics_token", "16 to 256"}},
    {"metrics_token", "0123456789 abcdef", -1, S(metrics_token, "-"), {"metrics_token"}},
    {"statement_timeout_ms", "10", 0, L(statement_timeout_ms, 10), {0}},
    {"statement_timeout_ms", "9", -1, L(statement_timeout_ms, 5000), {"statement_timeout_ms"}},
    {"http_memory_limit_kb", "1048576", 0, L(http_memory_limit_kb, 1048576), {0}},
    {"shutdown_grace_s", "600", 0, L(shutdown_grace_s, 600), {0}},
    {"shutdown_grace_s", "601", -1, L(shutdown_grace_s, 10), {"shutdown_grace_s"}},
    {"worker_lease_s", "9", -1, L(worker_lease_s, 120), {"worker_lease_s", "10 to 3600"}},
    {"worker_stop_grace_s", "0", 0, L(worker_stop_grace_s, 0), {0}},
    {"mail_per_address_per_hour", "0", 0, L(mail_per_address_per_hour, 0), {0}},
    {"mail_per_address_per_hour", "1001", -1, L(mail_per_address_per_hour, 10), {"mail_per_address_per_hour"}},
    {"log_level", "debug", 0, S(log_level, "debug"), {0}},
    {"log_level", "warn", 0, S(log_level, "warn"), {0}},
    {"log_level", "error", 0, S(log_level, "error"), {0}},
    {"log_level", "verbose", -1, S(log_level, "info"), {"log_level", "verbose"}},
    {"log_level", "INFO", -1, S(log_level, "info"), {"log_level"}},
    {"log_level", "", -1, S(log_level, "info"), {"log_level"}},
    {"listen_address", "0.0.0.0", 0, S(listen_address, "0.0.0.0"), {0}},
    {"listen_address", "", -1, S(listen_address, "127.0.0.1"), {"listen_address"}},
    {"database_url", "host=db dbname=x", 0, S(database_url, "host=db dbname=x"), {0}},
    {"web_root", "/srv/www", 0, S(web_root, "/srv/www"), {0}},
    {"nope", "1", -1, L(port, 8080), {"nope"}},
    {"Port", "1", -1, L(port, 8080), {"Port"}},
    {"port ", "1", -1, L(port, 8080), {"port "}},
    {"", "1", -1, L(port, 8080), {"unknown"}},
};

static void test_set_row(void **state)
{
    const struct set_case *c = UNIT_ROW(struct set_case, state);
    char err[256];
    load(NULL, 0, err, sizeof(err));
    err[0] = '\0';
    assert_int_equal(config_set(&cfg, c->key, c->value, err, sizeof(err)), c->rc);
    /* on failure the field keeps its default */
    check_field(&cfg, &c->want);
    if (c->rc < 0) {
        assert_true(err[0] != '\0');
        check_err(err, c->needles);
    }
}

/* a setting applied twice keeps the last value and frees the first (valgrind) */
static void test_set_twice(void **state)
{
    (void)state;
    char err[256];
    load(NULL, 0, err, sizeof(err));
    assert_int_equal(config_set(&cfg, "web_root", "a", err, sizeof(err)), 0);
    assert_int_equal(config_set(&cfg, "web_root", "b", err, sizeof(err)), 0);
    assert_string_equal(cfg.web_root, "b");
}

/* a short error buffer truncates the message, it does not overflow */
static void test_set_short_err(void **state)
{
    (void)state;
    char err[9];
    load(NULL, 0, err, sizeof(err));
    memset(err, 'Z', sizeof(err));
    assert_int_equal(config_set(&cfg, "port", "70000", err, 8), -1);
    assert_string_equal(err, "port: m"); /* 7 characters and the NUL */
    assert_int_equal(err[8], 'Z');
}

/* ---- config files ---------------------------------------------------------------- */

struct file_case {
    const char *what;
    const char *content;
    int rc;
    struct field want[MAXFIELDS];
    const char *needles[MAXNEEDLES]; /* "@" stands for "<path>:" */
};

static const struct file_case file_cases[] = {
    {"comments, blanks and spaces",
     "# clinicd settings\n"
     "\n"
     "   \n"
     "  port = 9090  \n"
     "\tlog_level=debug\n"
     "   # an indented comment\n"
     "db_pool_size =4\n",
     0, {L(port, 9090), S(log_level, "debug"), L(db_pool_size, 4), L(http_timeout_s, 15)}, {0}},
    {"empty file", "", 0, {L(port, 8080), S(log_level, "info")}, {0}},
    {"no newline at the end", "port = 7000", 0, {L(port, 7000)}, {0}},
    {"CRLF line ends", "port = 7001\r\nweb_root = /w\r\n", 0, {L(port, 7001), S(web_root, "/w")},
     {0}},
    {"the value keeps later '='", "database_url = host=db dbname=x\n", 0,
     {S(database_url, "host=db dbname=x")}, {0}},
    {"inner spaces kept", "web_root =  /srv/my site \n", 0, {S(web_root, "/srv/my site")},
     {0}},
    {"the last setting wins", "port = 1\nport = 2\n", 0, {L(port, 2)}, {0}},
    {"unknown key", "port = 1\n\nbogus = 2\n", -1, {{0}}, {"@3:", "bogus"}},
    {"unknown key, first line", "Port = 1\n", -1, {{0}}, {"@1:", "Port"}},
    {"line without '='", "# ok\nport 9090\n", -1, {{0}}, {"@2:"}},
    {"only a key", "log_level\n", -1, {{0}}, {"@1:"}},
    {"invalid value", "# c\nport = 0\n", -1, {{0}}, {"@2:", "port"}},
    {"invalid choice", "log_level = loud\n", -1, {{0}}, {"@1:", "log_level", "loud"}},
    {"empty value", "web_root =\n", -1, {{0}}, {"@1:", "web_root"}},
    {"empty key", "= 5\n", -1, {{0}}, {"@1:"}},
    {"an inline comment is part of the value", "port = 80 # http\n", -1, {{0}},
     {"@1:", "port"}},
};

static void test_file_row(void **state)
{
    const struct file_case *c = UNIT_ROW(struct file_case, state);
    write_tmp(c->content);
    char err[512];
    load(tmp_path, c->rc, err, sizeof(err));
    for (size_t i = 0; i < MAXFIELDS; i++)
        check_field(&cfg, &c->want[i]);
    for (size_t i = 0; i < MAXNEEDLES && c->needles[i]; i++) {
        char needle[128];
        if (c->needles[i][0] == '@')
            snprintf(needle, sizeof(needle), "%s:%s", tmp_path, c->needles[i] + 1);
        else
            snprintf(needle, sizeof(needle), "%s", c->needles[i]);
        const char *one[MAXNEEDLES] = {needle, NULL, NULL};
        check_err(err, one);
    }
}

static void test_file_missing(void **state)
{
    (void)state;
    char err[512];
    load("/nonexistent/clinicd.conf", -1, err, sizeof(err));
    const char *needles[MAXNEEDLES] = {"/nonexistent/clinicd.conf", NULL, NULL};
    check_err(err, needles);
}

static void test_file_long_line(void **state)
{
    (void)state;
    size_t n = 5000;
    char *content = malloc(n + 32);
    assert_non_null(content);
    int w = snprintf(content, n + 32, "port = 1\nweb_root = ");
    memset(content + w, 'a', n);
    snprintf(content + w + n, 32, "\nport = 2\n");
    write_tmp(content);
    free(content);
    char err[512];
    load(tmp_path, -1, err, sizeof(err));
    char needle[128];
    snprintf(needle, sizeof(needle), "%s:2:", tmp_path);
    const char *needles[MAXNEEDLES] = {needle, "too long", NULL};
    check_err(err, needles);
}

/* ---- the environment ---------------------------------------------------------------- */

struct env_case {
    const char *what;
    const char *file; /* NULL: no file */
    const char *env[2][2]; /* name, value */
    int rc;
    struct field want[MAXFIELDS];
    const char *needles[MAXNEEDLES];
};

static const struct env_case env_cases[] = {
    {"PORT", NULL, {{"PORT", "9191"}}, 0, {L(port, 9191)}, {0}},
    {"CLINICD_PORT", NULL, {{"CLINICD_PORT", "9292"}}, 0, {L(port, 9292)}, {0}},
    {"PORT beats CLINICD_PORT", NULL, {{"CLINICD_PORT", "9292"}, {"PORT", "9393"}}, 0,
     {L(port, 9393)}, {0}},
    {"CLINICD_DB_POOL_SIZE", NULL, {{"CLINICD_DB_POOL_SIZE", "8"}}, 0, {L(db_pool_size, 8)},
     {0}},
    {"DATABASE_URL", NULL, {{"DATABASE_URL", "postgresql://u@h/db"}}, 0,
     {S(database_url, "postgresql://u@h/db")}, {0}},
    {"DATABASE_URL beats CLINICD_DATABASE_URL", NULL,
     {{"CLINICD_DATABASE_URL", "postgresql:///a"}, {"DATABASE_URL", "postgresql:///b"}}, 0,
     {S(database_url, "postgresql:///b")}, {0}},
    {"CLINICD_LOG_LEVEL", NULL, {{"CLINICD_LOG_LEVEL", "warn"}}, 0, {S(log_level, "warn")},
     {0}},
    {"CLINICD_HTTP_MAX_PER_IP", NULL, {{"CLINICD_HTTP_MAX_PER_IP", "20"}}, 0,
     {L(http_max_per_ip, 20)}, {0}},
    {"CLINICD_TRUSTED_PROXIES", NULL, {{"CLINICD_TRUSTED_PROXIES", "127.0.0.4"}}, 0,
     {S(trusted_proxies, "127.0.0.4")}, {0}},
    {"invalid CLINICD_TRUSTED_PROXIES", NULL, {{"CLINICD_TRUSTED_PROXIES", "10.0.0.0/40"}}, -1,
     {{0}}, {"CLINICD_TRUSTED_PROXIES", "10.0.0.0/40"}},
    {"the environment beats the file", "port = 1000\nweb_root = /f\n", {{"PORT", "2000"}}, 0,
     {L(port, 2000), S(web_root, "/f")}, {0}},
    {"unrelated variables are ignored", NULL, {{"CLINICD_NOPE", "1"}, {"port", "1"}}, 0,
     {L(port, 8080)}, {0}},
    {"invalid PORT", NULL, {{"PORT", "abc"}}, -1, {{0}}, {"PORT", "abc"}},
    {"empty PORT", NULL, {{"PORT", ""}}, -1, {{0}}, {"PORT"}},
    {"invalid PORT beats a valid CLINICD_PORT", NULL, {{"CLINICD_PORT", "1"}, {"PORT", "0"}},
     -1, {{0}}, {"PORT"}},
    {"invalid CLINICD_DB_POOL_SIZE", NULL, {{"CLINICD_DB_POOL_SIZE", "0"}}, -1, {{0}},
     {"CLINICD_DB_POOL_SIZE"}},
    {"invalid CLINICD_LOG_LEVEL", NULL, {{"CLINICD_LOG_LEVEL", "verbose"}}, -1, {{0}},
     {"CLINICD_LOG_LEVEL", "verbose"}},
    {"empty DATABASE_URL", NULL, {{"DATABASE_URL", ""}}, -1, {{0}}, {"DATABASE_URL"}},
};

static void test_env_row(void **state)
{
    const struct env_case *c = UNIT_ROW(struct env_case, state);
    if (c->file)
        write_tmp(c->file);
    for (size_t i = 0; i < 2; i++)
        if (c->env[i][0]) {
            set_names[i] = c->env[i][0];
            assert_int_equal(setenv(c->env[i][0], c->env[i][1], 1), 0);
        }
    char err[512];
    load(c->file ? tmp_path : NULL, c->rc, err, sizeof(err));
    for (size_t i = 0; i < MAXFIELDS; i++)
        check_field(&cfg, &c->want[i]);
    if (c->rc < 0)
        check_err(err, c->needles);
}

int main(void)
{
    struct unit_suite s = {0};
    unit_add_full(&s, test_defaults, NULL, env_setup, env_teardown, "config_load defaults");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(set_cases); i++)
        unit_add_full(&s, test_set_row, &set_cases[i], env_setup, env_teardown,
                      "config_set[%zu] %s = \"%s\"", i, set_cases[i].key, set_cases[i].value);
    unit_add_full(&s, test_set_twice, NULL, env_setup, env_teardown, "config_set twice");
    unit_add_full(&s, test_set_short_err, NULL, env_setup, env_teardown,
                  "config_set with a short error buffer");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(file_cases); i++)
        unit_add_full(&s, test_file_row, &file_cases[i], env_setup, env_teardown,
                      "config file[%zu] %s", i, file_cases[i].what);
    unit_add_full(&s, test_file_missing, NULL, env_setup, env_teardown, "config file missing");
    unit_add_full(&s, test_file_long_line, NULL, env_setup, env_teardown,
                  "config file with a line too long");
    for (size_t i = 0; i < UNIT_ARRAY_LEN(env_cases); i++)
        unit_add_full(&s, test_env_row, &env_cases[i], env_setup, env_teardown,
                      "config env[%zu] %s", i, env_cases[i].what);
    return unit_run(&s, "config", NULL, NULL);
}
