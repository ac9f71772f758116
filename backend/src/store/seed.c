/* The demo directory's load: its transaction, the vocabulary's ids, and COPY. */
#include "store/seed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const table_name[SEED_TB_COUNT] = {
    "clinics", "locations", "practitioners", "services", "practitioner_locations",
    "practitioner_techniques", "practitioner_conditions", "practitioner_services",
};

static const char *const copy_sql[SEED_TB_COUNT] = {
    [SEED_TB_CLINICS] = "COPY clinics (id, name, website, phone, created_at) FROM STDIN",
    [SEED_TB_LOCATIONS] = "COPY locations (id, clinic_id, name, address, city, region, postcode, "
                          "country, geog, timezone, wheelchair_accessible, active, created_at) "
                          "FROM STDIN",
    [SEED_TB_PRACTITIONERS] = "COPY practitioners (id, clinic_id, name, profession_id, "
                              "credentials, bio, languages, accepting_new, home_visits, "
                              "sliding_scale, active, created_at, updated_at) FROM STDIN",
    [SEED_TB_SERVICES] = "COPY services (id, clinic_id, name, duration_minutes, price_cents, "
                         "currency, buffer_before_minutes, buffer_after_minutes, active, "
                         "created_at) FROM STDIN",
    [SEED_TB_PLOCATIONS] = "COPY practitioner_locations (clinic_id, practitioner_id, "
                           "location_id) FROM STDIN",
    [SEED_TB_PTECHNIQUES] = "COPY practitioner_techniques (clinic_id, practitioner_id, "
                            "technique_id) FROM STDIN",
    [SEED_TB_PCONDITIONS] = "COPY practitioner_conditions (clinic_id, practitioner_id, "
                            "condition_id) FROM STDIN",
    [SEED_TB_PSERVICES] = "COPY practitioner_services (clinic_id, practitioner_id, "
                          "service_id) FROM STDIN",
};

static const struct {
    const char *table, *sql;
} vocab[] = {
    [SEED_PROFESSIONS] = {"professions", "SELECT slug, id FROM professions"},
    [SEED_TECHNIQUES] = {"techniques", "SELECT slug, id FROM techniques"},
    [SEED_CONDITIONS] = {"conditions", "SELECT slug, id FROM conditions"},
};

/* d->message becomes "what: PostgreSQL's text". */
static void say(struct db_direct *d, const char *what, const char *text)
{
    char msg[sizeof(d->message)];
    snprintf(msg, sizeof(msg), "%s: %s", what, text);
    memcpy(d->message, msg, sizeof(msg));
}

/* A command without parameters; on failure the message names it. */
static enum db_status step(struct db_direct *d, const char *sql)
{
    enum db_status st = db_direct_exec(d, sql, 0, NULL, NULL);
    if (st != DB_OK)
        say(d, sql, d->message);
    return st;
}

static void on_notice(void *arg, const PGresult *res)
{
    struct seed_notices *ns = arg;
    const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    if (ns->counting && severity && strcmp(severity, "WARNING") == 0) {
        ns->warnings++;
        return;
    }
    fprintf(stderr, "%s", PQresultErrorMessage(res));
}

enum db_status store_seed_connection(struct db_direct *d, struct seed_notices *ns)
{
    PQsetNoticeReceiver(d->pg, on_notice, ns);
    if (PQsetClientEncoding(d->pg, "UTF8") == 0)
        return DB_OK;
    d->status = DB_ERROR;
    say(d, "cannot use UTF8", PQerrorMessage(d->pg));
    return DB_ERROR;
}

enum db_status store_seed_begin(struct db_direct *d, long *clinics)
{
    enum db_status st = step(d, "BEGIN");
    if (st == DB_OK)
        st = step(d, "SET LOCAL statement_timeout = 0");
    if (st == DB_OK)
        st = step(d, "LOCK TABLE clinics IN SHARE ROW EXCLUSIVE MODE");
    if (st != DB_OK)
        return st;
    PGresult *res;
    st = db_direct_exec(d, "SELECT count(*) FROM clinics", 0, NULL, &res);
    if (st != DB_OK) {
        say(d, "counting clinics", d->message);
        return st;
    }
    char *end;
    errno = 0;
    *clinics = strtol(PQgetvalue(res, 0, 0), &end, 10);
    if (errno != 0 || *end != '\0' || *clinics < 0) {
        st = d->status = DB_ERROR;
        snprintf(d->message, sizeof(d->message), "unexpected clinic count '%s'\n",
                 PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return st;
}

/* Bookings and plans first: they refer to their practitioner, service and location
 * without a cascade (a location or service that has bookings must not vanish with
 * them), so deleting the clinics alone fails once anything was booked (seed-schedule's
 * bookings, or a patient's). */
enum db_status store_seed_clear(struct db_direct *d)
{
    enum db_status st = step(d, "DELETE FROM bookings");
    if (st == DB_OK)
        st = step(d, "DELETE FROM booking_series");
    if (st == DB_OK)
        st = step(d, "DELETE FROM clinics");
    return st;
}

/* The id of slug in res, or -1. */
static int id_of(PGresult *res, const char *slug)
{
    for (int row = 0; row < PQntuples(res); row++) {
        if (strcmp(PQgetvalue(res, row, 0), slug) != 0)
            continue;
        char *end;
        errno = 0;
        long v = strtol(PQgetvalue(res, row, 1), &end, 10);
        return errno == 0 && *end == '\0' && v > 0 && v <= 32767 ? (int)v : -1;
    }
    return -1;
}

enum db_status store_seed_vocabulary(struct db_direct *d, enum seed_vocab v,
                                     const char *const *slugs, int n, int *ids)
{
    PGresult *res;
    enum db_status st = db_direct_exec(d, vocab[v].sql, 0, NULL, &res);
    if (st != DB_OK) {
        char what[64];
        snprintf(what, sizeof(what), "reading %s", vocab[v].table);
        say(d, what, d->message);
        return st;
    }
    for (int i = 0; i < n && st == DB_OK; i++) {
        ids[i] = id_of(res, slugs[i]);
        if (ids[i] < 0) {
            st = d->status = DB_NOT_FOUND;
            snprintf(d->message, sizeof(d->message),
                     "%s has no '%s' (are the migrations applied?)\n", vocab[v].table, slugs[i]);
        }
    }
    PQclear(res);
    return st;
}

enum db_status store_seed_copy_start(struct db_direct *d, enum seed_table t)
{
    PGresult *res = PQexec(d->pg, copy_sql[t]);
    enum db_status st = DB_OK;
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        char what[64];
        snprintf(what, sizeof(what), "loading %s", table_name[t]);
        st = d->status = DB_ERROR;
        say(d, what, PQerrorMessage(d->pg));
    }
    PQclear(res);
    return st;
}

bool store_seed_copy_send(struct db_direct *d, const char *data, size_t len)
{
    if (PQputCopyData(d->pg, data, (int)len) == 1)
        return true;
    d->status = DB_DOWN;
    say(d, "sending COPY data", PQerrorMessage(d->pg));
    return false;
}

enum db_status store_seed_copy_end(struct db_direct *d, enum seed_table t, bool failed)
{
    if (PQputCopyEnd(d->pg, failed ? "seed-demo could not send its data" : NULL) != 1) {
        d->status = DB_DOWN;
        say(d, "ending COPY", PQerrorMessage(d->pg));
        return DB_DOWN;
    }
    enum db_status st = failed ? DB_ERROR : DB_OK;
    PGresult *res;
    while ((res = PQgetResult(d->pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && st == DB_OK) {
            char what[64];
            snprintf(what, sizeof(what), "loading %s", table_name[t]);
            st = d->status = DB_ERROR;
            say(d, what, PQresultErrorMessage(res));
        }
        PQclear(res);
    }
    return st;
}

enum db_status store_seed_commit(struct db_direct *d)
{
    return step(d, "COMMIT");
}

void store_seed_rollback(struct db_direct *d)
{
    PQclear(PQexec(d->pg, "ROLLBACK"));
}

enum db_status store_seed_analyze(struct db_direct *d, struct seed_notices *ns, int *skipped)
{
    ns->counting = true;
    ns->warnings = 0;
    enum db_status st = step(d, "ANALYZE clinics, locations, practitioners, services, "
                                "practitioner_locations, practitioner_techniques, "
                                "practitioner_conditions, practitioner_services");
    ns->counting = false;
    *skipped = ns->warnings;
    return st;
}
