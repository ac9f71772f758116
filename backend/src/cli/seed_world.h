/* The demo directory's generator (`clinicd seed-demo`): clinics with their locations,
 * services and practitioners, drawn one clinic at a time from a deterministic random
 * stream, so that the same seed and count give the same world, byte for byte. */
#ifndef CLINICD_CLI_SEED_WORLD_H
#define CLINICD_CLI_SEED_WORLD_H

#include "cli/seed_data.h"

#define UUID_LEN 37

/* ------------------------------------------------------------------------ */
/* The generated world, one clinic at a time.                                */

#define MAX_LOCS 3
#define MAX_STAFF 14
#define MAX_SVCS 20
#define MAX_TECH 6
#define MAX_COND 6
#define MAX_LANGS 6
#define MAX_PSVC 5

/* 2021-06-01T00:00:00Z: clinics join the directory over the following years. */
#define EPOCH_START INT64_C(1622505600)
#define DAY INT64_C(86400)

struct location {
    char id[UUID_LEN];
    const struct hood *hood;
    char address[160];
    char postcode[16];
    long lat_u, lon_u;     /* microdegrees */
    bool wheelchair;
    int64_t created;
};

struct practitioner {
    char id[UUID_LEN];
    char first[64];
    char name[160];
    enum profession prof;
    const char *credentials;
    char bio[2048];
    const char *langs[MAX_LANGS];
    int nlangs;
    bool accepting, home, sliding;
    int years;
    int64_t created, updated;
    int loc[2], nloc;
    int tech[MAX_TECH], ntech;
    int cond[MAX_COND], ncond;
    int svc[MAX_PSVC], nsvc;
};

struct service {
    char id[UUID_LEN];
    enum svc_type type;
    const char *name;
    int minutes, price_cents, before, after;
    int64_t created;
};

struct clinic {
    char id[UUID_LEN];
    const struct city *city;
    enum clinic_kind kind;
    char name[200];
    char website[200];
    bool has_website;
    char phone[40];
    int64_t created;
    struct location loc[MAX_LOCS];
    int nloc;
    struct practitioner staff[MAX_STAFF];
    int nstaff;
    struct service svc[MAX_SVCS];
    int nsvc;
};

/* Walks the clinics in order; the same seed and target give the same walk. */
struct gen {
    uint64_t seed;
    long target, made, index;
    long city_made[NCITIES];
    long kind_made[CO_COUNT][K_COUNT];
};

/* Starts the walk that makes target practitioners from seed. */
void gen_init(struct gen *g, uint64_t seed, long target);
/* Generates the next clinic into *c; false once every practitioner exists. */
bool gen_next(struct gen *g, struct clinic *c);

#include "util/banned.h"
#endif
