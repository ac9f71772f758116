/* The per-client limit on patients' writes, and its owner. */
#include "api/rate.h"

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include <microhttpd.h>

#include "core/app.h"
#include "http/client.h"
#include "http/reply.h"
#include "util/buf.h"
#include "util/ratelimit.h"

/* Client addresses remembered at once (about 100 bytes each, touched only as used). */
#define PATIENT_RATE_KEYS 16384

/* Made by start before the server runs, freed by stop after it stopped: read-only in
 * between. */
static struct ratelimit *patient_rl;
static atomic_long patient_limited;

static bool patient_rate_start(void)
{
    if (app.cfg && app.cfg->patient_writes_per_hour > 0)
        patient_rl = ratelimit_new((double)app.cfg->patient_writes_per_hour / 3600.0,
                                   (double)app.cfg->patient_write_burst, PATIENT_RATE_KEYS);
    return true;
}

static void patient_rate_stop(void)
{
    ratelimit_free(patient_rl);
    patient_rl = NULL;
}

static void patient_rate_stats(struct buf *out)
{
    buf_printf(out,
               "# HELP clinicd_patient_writes_limited_total Patients' writes refused 429 by the per-address limit.\n"
               "# TYPE clinicd_patient_writes_limited_total counter\nclinicd_patient_writes_limited_total %ld\n",
               atomic_load(&patient_limited));
}

const struct owner patient_rate_owner = {
    .name = "the limit on patients' writes",
    .start = patient_rate_start,
    .stop = patient_rate_stop,
    .stats = patient_rate_stats,
};

long client_rate_wait(struct ratelimit *rl, struct req *r, double cost)
{
    char addr[64], key[RATELIMIT_KEY_MAX + 1];
    client_address(r, addr, sizeof(addr));
    ratelimit_client_key(addr, key, sizeof(key));
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ratelimit_take(rl, key, cost, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

bool patient_rate(struct req *r, long cost)
{
    if (!patient_rl || cost <= 0)
        return true;
    long wait = client_rate_wait(patient_rl, r, (double)cost);
    if (wait == 0)
        return true;
    atomic_fetch_add(&patient_limited, 1);
    char d[300], ra[24];
    snprintf(d, sizeof(d),
             "Too many bookings and changes from this address in a short time%s; please try "
             "again in %ld seconds.",
             cost > 1 ? " for a plan of this size" : "", wait);
    snprintf(ra, sizeof(ra), "%ld", wait);
    reply_problem(r, 429, "too-many-requests", "Too many requests", d, NULL);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    return false;
}
