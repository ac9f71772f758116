/* Service settings: defaults, then config/clinicd.conf, then environment variables. */
#ifndef CLINICD_CONFIG_H
#define CLINICD_CONFIG_H

#include <stddef.h>

struct config {
    char *listen_address;        /* IPv4 address to bind */
    long port;
    char *database_url;          /* libpq URL or key=value string */
    long db_pool_size;
    long db_checkout_timeout_ms; /* waiting for a pooled connection; then 503 */
    long db_connect_timeout_s;
    long statement_timeout_ms;   /* bounds every query */
    long http_threads;           /* 0: a thread per connection; N: a pool of N */
    long http_workers;           /* with a pool: threads that run writes (0: none) */
    long http_max_connections;
    long http_max_per_ip;        /* connections per client address (0: no cap) */
    long http_timeout_s;         /* idle connection timeout */
    long http_head_timeout_s;    /* the request head must arrive within this (0: no deadline) */
    long http_read_workers;      /* with a pool: threads that run reads needing SQL (0: none) */
    long http_read_queue;        /* reads waiting for them; more get 503 */
    char *trusted_proxies;       /* addresses/CIDRs whose X-Forwarded-For is believed; "-" none */
    char *metrics_allow;         /* who may read /metrics without the token; "-" none */
    char *metrics_token;         /* Bearer token for /metrics; "-" none */
    long http_memory_limit_kb;   /* per connection, headers and URL included */
    long shutdown_grace_s;       /* in-flight requests get this long on SIGTERM */
    char *web_root;              /* static pages */
    char *log_level;             /* debug | info | warn | error */
    long public_https;           /* 1 when served to browsers over TLS (by a proxy) */
    char *public_origin;         /* "https://clinic.example" for Origin checks; "" = from Host */
    char *common_passwords_file; /* passwords refused at set and change */
    long password_hash_slots;    /* Argon2id hashes allowed at once (19 MiB each) */
    char *public_base_url;       /* links in e-mails: "http://127.0.0.1:8080" */
    char *notification_key;      /* 64 hex digits sealing manage links in the outbox; "-" none */
    char *smtp_url;              /* smtp://host:port or smtps://host:port */
    char *smtp_from;
    char *smtp_username;         /* "-" for none */
    char *smtp_password;         /* "-" for none */
    long smtp_starttls;          /* 1: require STARTTLS on smtp:// */
    long reminder_hours;         /* reminders this long before a session */
    char *worker_clock;          /* tests only: the time ("2026-12-14T08:30:00Z") the
                                    worker takes as now for the week mails; "-": the clock */
    long worker_poll_ms;
    long worker_lease_s;         /* a claimed notification is the worker's this long */
    long worker_stop_grace_s;    /* SIGTERM: the mail being sent gets this long */
    long smtp_timeout_s;         /* one SMTP transfer, at most (less than the lease) */
    long mail_per_address_per_hour; /* mails to one contact key per hour (0: no limit) */
    char *map_tile_url;          /* map tiles for the web pages, {z}/{x}/{y}; "-" for none */
    long patient_writes_per_hour; /* refill of each client address's bucket; 0: no limit */
    long patient_write_burst;     /* what the bucket holds (sessions booked, or actions) */
    char *audit_key;              /* secret keying the audit log's hashes of addresses; "-" none */
};

/* Fills cfg with the defaults, then applies the file at path (if path is NULL, no
 * file), then the environment.  On an invalid value writes a message naming the key
 * into err and returns -1.  The caller releases cfg with config_release. */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
/* Applies one "key = value" setting; returns -1 with a message in err if the key is
 * unknown or the value invalid. */
int config_set(struct config *cfg, const char *key, const char *value, char *err, size_t errlen);
void config_release(struct config *cfg);

#include "util/banned.h"
#endif
