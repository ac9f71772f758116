/* The demo directory's raw material (`clinicd seed-demo`): the vocabulary's slugs,
 * real cities and neighbourhoods, names by language, credentials, kinds of clinic,
 * services and bio templates.  Data only; cli/seed_world.c draws from it. */
#ifndef CLINICD_CLI_SEED_DATA_H
#define CLINICD_CLI_SEED_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A constant list of strings. */
struct strlist {
    const char *const *v;
    size_t n;
};

enum profession { PR_MASSAGE, PR_PT, PR_CHIRO, PR_OT, PR_OSTEO, PR_PHYSIO, PR_MYO, PR_COUNT };

enum technique {
    T_MFR, T_TRIGGER, T_DEEP, T_REMEDIAL, T_SWEDISH, T_CRANIO, T_IASTM, T_CUPPING,
    T_DRYNEEDLE, T_SPINAL, T_EXERCISE, T_HYDRO, T_HEAT, T_STRETCH, T_FOAM, T_MOVEMENT,
    T_COUNT
};

enum condition {
    C_FIBRO, C_CFS, C_MPS, C_BACK, C_NECK, C_HEAD, C_SPORTS, C_WHIPLASH, C_ARTHRITIS, C_COUNT
};

enum country { CO_US, CO_CA, CO_GB, CO_DE, CO_AU, CO_COUNT };

struct country_info {
    const char *iso2;
    const char *tld;
    bool number_after_street;   /* "Kastanienallee 34" rather than "34 Upper Street" */
    const char *centre;         /* spelling */
};

struct hood {
    const char *name;
    double lat, lon;
    int radius_m;
    const char *postcode;
    const char *street[3];
};

struct lang_odds {
    const char *code;
    int permille;
};

struct city {
    const char *name, *region;
    enum country country;
    const char *tz, *currency;
    int weight;            /* share of practitioners */
    int price_pct;         /* local price level, currency included (USD = 100) */
    int m_per_deg_lon;     /* 111320 * cos(latitude) */
    const char *phone_prefix;
    int phone_digits;      /* random digits after the (fictional-range) prefix */
    const char *base_lang;
    const struct lang_odds *langs;
    size_t nlangs;
    const struct hood *hoods;
    size_t nhoods;
    struct strlist stems;  /* local names for clinics */
    int max_street_no;     /* highest US/CA house number here; 0 elsewhere */
};

struct name_pool {
    const char *lang;
    struct strlist female, male, last;
};

struct profile {
    int mfr_permille;
    int core;                  /* technique, or -1 */
    int female_permille;
    unsigned char tech_w[T_COUNT];
    unsigned char cond_w[C_COUNT];
};

enum clinic_kind { K_MFR, K_MASSAGE, K_PHYSIO, K_CHIRO, K_INTEGRATIVE, K_OSTEO, K_COUNT };

enum svc_type {
    SV_ASSESS, SV_MFR, SV_MASSAGE, SV_PT, SV_CHIRO, SV_OT, SV_OSTEO, SV_MYO, SV_DRYNEEDLE,
    SV_CRANIO, SV_HOME, SV_FIBRO, SV_COUNT
};

#define NCITIES 17 /* entries of cities[] (checked where it is defined) */

extern const char *const profession_slug[PR_COUNT];
extern const char *const technique_slug[T_COUNT];
extern const char *const technique_phrase[T_COUNT];
extern const char *const condition_slug[C_COUNT];
extern const char *const condition_phrase[C_COUNT];
extern const struct country_info countries[CO_COUNT];
extern const struct city cities[];
extern const struct name_pool name_pools[];
extern const struct profile profiles[PR_COUNT];
extern const struct strlist credentials[CO_COUNT][PR_COUNT];
extern const unsigned char kind_weight[CO_COUNT][K_COUNT];
extern const unsigned char kind_staff[K_COUNT][PR_COUNT];
extern const struct strlist kind_names[CO_COUNT][K_COUNT];
extern const struct strlist stems_us;
extern const struct strlist stems_commonwealth;
extern const enum svc_type core_service[PR_COUNT];
extern const struct strlist bio_intro;
extern const struct strlist bio_mfr;
extern const struct strlist bio_other;
extern const struct strlist bio_conditions;
extern const struct strlist bio_general;

/* A profession's noun with its article, as written in the country. */
const char *profession_noun(enum profession p, enum country co);
/* A service's name, as written in the country. */
const char *service_name(enum svc_type t, enum country co);
/* The names of a language, or NULL. */
const struct name_pool *find_pool(const char *lang);
/* The everyday name of a language code, or the code. */
const char *language_name(const char *code);

#include "util/banned.h"
#endif
