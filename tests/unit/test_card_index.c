/* Unit tests for domain/card_index: the in-memory search against a brute-force reference
 * (haversine distances, every filter, one row per practitioner, cursors), at clusters
 * that straddle the antimeridian and near a pole; next-free packing; UUID text. */
#include "unit.h"

#include <math.h>

#include "domain/card_index.h"

/* ---- a random directory ---------------------------------------------------------- */

#define NPRACT 400
#define MAX_LOCS 3

struct ref_card {
    uint32_t p;
    uint8_t loc[16];
    double lat, lon;
    int profession;
    int techs[4], ntechs, conds[3], nconds;
    const char *langs[2];
    size_t nlangs;
    uint8_t flags;
};

struct ref_practitioner {
    uint8_t id[16];
    struct dir_service services[3];
    size_t nservices;
};

struct world {
    struct ref_practitioner p[NPRACT];
    struct ref_card cards[NPRACT * MAX_LOCS];
    size_t ncards;
    struct dir_snapshot *s;
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static double rnd_unit(void)
{
    return rnd() / 4294967296.0; /* [0, 1) */
}

static const char *const LANGS[] = {"en", "es", "fr", "de", "zh"};

/* cluster centres: Portland, Fiji on the antimeridian, Svalbard near the pole */
static const double CENTRES[][2] = {{45.52, -122.68}, {-17.0, 179.95}, {78.9, 15.0}};

static void random_id(uint8_t id[16])
{
    for (int i = 0; i < 16; i++)
        id[i] = (uint8_t)rnd();
}

static void build_world(struct world *w, uint64_t seed)
{
    memset(w, 0, sizeof(*w));
    rng_state = seed;
    struct dir_builder *b = dir_builder_new(16, 16); /* small: the builder must grow */
    for (uint32_t i = 0; i < NPRACT; i++) {
        struct ref_practitioner *p = &w->p[i];
        random_id(p->id);
        p->nservices = rnd() % 4;
        for (size_t k = 0; k < p->nservices; k++)
            p->services[k] = (struct dir_service){(int32_t)(30 + 15 * (rnd() % 5)),
                                                  (int32_t)(5000 + 500 * (rnd() % 20))};
        assert_int_equal(dir_builder_practitioner(b, p->id, p->services, p->nservices), i);
        const double *c = CENTRES[rnd() % 3];
        size_t nloc = 1 + (rnd() % 5 == 0 ? 1 + rnd() % (MAX_LOCS - 1) : 0);
        int profession = (int)(rnd() % 4);
        int techs[4], ntechs = (int)(rnd() % 4), conds[3], nconds = (int)(rnd() % 3);
        for (int k = 0; k < ntechs; k++)
            techs[k] = (int)(rnd() % 6);
        for (int k = 0; k < nconds; k++)
            conds[k] = (int)(rnd() % 5);
        size_t nlangs = 1 + rnd() % 2;
        const char *langs[2] = {LANGS[rnd() % 5], LANGS[rnd() % 5]};
        uint8_t pflags = (uint8_t)(rnd() & (DIR_ACCEPTING | DIR_HOME_VISITS | DIR_SLIDING));
        for (size_t l = 0; l < nloc; l++) {
            struct ref_card *rc = &w->cards[w->ncards++];
            rc->p = i;
            random_id(rc->loc);
            /* up to ~80 km around the centre; some cards share a point (ties) */
            if (w->ncards > 1 && rnd() % 10 == 0) {
                rc->lat = w->cards[w->ncards - 2].lat;
                rc->lon = w->cards[w->ncards - 2].lon;
            } else {
                rc->lat = c[0] + (rnd_unit() - 0.5) * 1.4;
                rc->lon = c[1] + (rnd_unit() - 0.5) * 1.4 / cos(c[0] * M_PI / 180.0);
                if (rc->lon > 180)
                    rc->lon -= 360;
                if (rc->lon < -180)
                    rc->lon += 360;
            }
            rc->profession = profession;
            memcpy(rc->techs, techs, sizeof(techs));
            rc->ntechs = ntechs;
            memcpy(rc->conds, conds, sizeof(conds));
            rc->nconds = nconds;
            rc->langs[0] = langs[0];
            rc->langs[1] = langs[1];
            rc->nlangs = nlangs;
            rc->flags = (uint8_t)(pflags | (rnd() % 2 ? DIR_WHEELCHAIR : 0));
            struct dir_card_in in = {.practitioner = i, .lat = rc->lat, .lon = rc->lon,
                                     .profession = profession, .techniques = rc->techs,
                                     .ntechniques = (size_t)ntechs, .conditions = rc->conds,
                                     .nconditions = (size_t)nconds, .languages = rc->langs,
                                     .nlanguages = nlangs, .flags = rc->flags,
                                     .tz = NULL, .rev = (uint32_t)w->ncards};
            memcpy(in.location, rc->loc, 16);
            assert_true(dir_builder_card(b, &in));
        }
    }
    w->s = dir_builder_finish(b);
    assert_non_null(w->s);
}

/* ---- the reference --------------------------------------------------------------- */

static double haversine(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180;
    double dp = p2 - p1, dl = (lon2 - lon1) * M_PI / 180;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * DIR_EARTH_RADIUS_M * asin(sqrt(a));
}

static bool ref_matches(const struct world *w, const struct ref_card *c, const struct dir_query *q,
                        const char *lang)
{
    for (int t = 0; t < DIR_MAX_VOCAB_ID; t++) {
        if (!(q->techniques & (UINT64_C(1) << t)))
            continue;
        bool has = false;
        for (int k = 0; k < c->ntechs; k++)
            has = has || c->techs[k] == t;
        if (!has)
            return false;
    }
    if (q->profession >= 0 && c->profession != q->profession)
        return false;
    if (q->condition >= 0) {
        bool has = false;
        for (int k = 0; k < c->nconds; k++)
            has = has || c->conds[k] == q->condition;
        if (!has)
            return false;
    }
    if (lang) {
        bool has = false;
        for (size_t k = 0; k < c->nlangs; k++)
            has = has || strcmp(c->langs[k], lang) == 0;
        if (!has)
            return false;
    }
    if ((c->flags & q->flags_mask) != q->flags_value)
        return false;
    if (q->max_price_cents >= 0 || q->minutes >= 0) {
        const struct ref_practitioner *p = &w->p[c->p];
        bool any = false;
        for (size_t k = 0; k < p->nservices; k++)
            any = any || ((q->max_price_cents < 0 || p->services[k].price_cents <= q->max_price_cents) &&
                          (q->minutes < 0 || p->services[k].minutes == q->minutes));
        if (!any)
            return false;
    }
    return true;
}

struct ref_hit {
    const struct ref_card *c;
    const uint8_t *pid;
    double d;
};

static int ref_cmp(const void *a, const void *b)
{
    const struct ref_hit *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    int c = memcmp(x->pid, y->pid, 16);
    return c ? c : memcmp(x->c->loc, y->c->loc, 16);
}

/* Every match in order, one per practitioner, ignoring the cursor. */
static size_t ref_search(const struct world *w, const struct dir_query *q, const char *lang,
                         struct ref_hit *out)
{
    size_t n = 0;
    for (size_t i = 0; i < w->ncards; i++) {
        const struct ref_card *c = &w->cards[i];
        double d = haversine(q->lat, q->lon, c->lat, c->lon);
        if (d <= q->radius_m && ref_matches(w, c, q, lang))
            out[n++] = (struct ref_hit){c, w->p[c->p].id, d};
    }
    qsort(out, n, sizeof(*out), ref_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < u && !dup; k++)
            dup = out[k].c->p == out[i].c->p;
        if (!dup)
            out[u++] = out[i];
    }
    return u;
}

/* ---- the property ---------------------------------------------------------------- */

/* Two hits "agree" when they name the same practitioner at a distance equal within
 * a millimetre.  Near-ties (two distances within a millimetre) may come in either
 * order, so the comparison is by sets of practitioners per run of near-ties. */
static void check_query(const struct world *w, struct dir_query q, const char *lang, size_t page)
{
    static struct ref_hit ref[NPRACT * MAX_LOCS];
    static struct dir_hit got[NPRACT * MAX_LOCS];
    size_t nref = ref_search(w, &q, lang, ref);
    q.language = lang ? dir_language(w->s, lang) : -1;
    /* page through with cursors, as the API does */
    size_t ngot = 0;
    q.has_cursor = false;
    for (int guard = 0; guard < 1000; guard++) {
        long n = dir_search(w->s, &q, got + ngot, page);
        assert_true(n >= 0);
        assert_true((size_t)n <= page);
        ngot += (size_t)n;
        if ((size_t)n < page)
            break;
        const struct dir_hit *last = &got[ngot - 1];
        q.has_cursor = true;
        q.cursor_dist = last->dist_m;
        memcpy(q.cursor_id, w->s->practitioners[w->s->cards[last->card].practitioner].id, 16);
    }
    if (ngot != nref)
        fail_msg("index found %zu, reference %zu (radius %.0f m at %.3f,%.3f)", ngot, nref,
                 q.radius_m, q.lat, q.lon);
    for (size_t i = 0; i < ngot; i++) {
        const struct dir_card *c = &w->s->cards[got[i].card];
        const uint8_t *pid = w->s->practitioners[c->practitioner].id;
        if (fabs(got[i].dist_m - ref[i].d) > 1e-3)
            fail_msg("hit %zu: distance %.6f, reference %.6f", i, got[i].dist_m, ref[i].d);
        if (memcmp(pid, ref[i].pid, 16) != 0) {
            /* allowed only inside a near-tie */
            bool tie = (i > 0 && fabs(ref[i - 1].d - ref[i].d) < 1e-3) ||
                       (i + 1 < nref && fabs(ref[i + 1].d - ref[i].d) < 1e-3);
            if (!tie)
                fail_msg("hit %zu names another practitioner", i);
        }
        /* the card is the practitioner's nearest matching one */
        assert_true(fabs(haversine(q.lat, q.lon, w->cards[c->rev - 1].lat,
                                   w->cards[c->rev - 1].lon) - got[i].dist_m) < 1e-3);
    }
}

static void test_search_property(void **state)
{
    (void)state;
    static struct world w;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        build_world(&w, seed * 7919);
        for (int k = 0; k < 60; k++) {
            const double *c = CENTRES[rnd() % 3];
            struct dir_query q = {.profession = -1, .condition = -1, .language = -1,
                                  .max_price_cents = -1, .minutes = -1};
            q.lat = c[0] + (rnd_unit() - 0.5);
            q.lon = c[1] + (rnd_unit() - 0.5);
            if (q.lon > 180)
                q.lon -= 360;
            static const double radii[] = {1000, 10000, 25000, 60000, 500000};
            q.radius_m = radii[rnd() % 5];
            if (rnd() % 2)
                q.techniques = UINT64_C(1) << (rnd() % 6);
            if (rnd() % 4 == 0)
                q.profession = (int)(rnd() % 4);
            if (rnd() % 4 == 0)
                q.condition = (int)(rnd() % 5);
            if (rnd() % 3 == 0) {
                q.flags_mask = (uint8_t)(1u << (rnd() % 4));
                q.flags_value = rnd() % 2 ? q.flags_mask : 0;
            }
            if (rnd() % 4 == 0)
                q.max_price_cents = (int32_t)(5000 + 500 * (rnd() % 20));
            if (rnd() % 5 == 0)
                q.minutes = (int32_t)(30 + 15 * (rnd() % 5));
            const char *lang = rnd() % 4 == 0 ? LANGS[rnd() % 5] : NULL;
            check_query(&w, q, lang, 1 + rnd() % 25);
        }
        dir_snapshot_free(w.s);
    }
}

static void test_unknown_language_finds_nobody(void **state)
{
    (void)state;
    static struct world w;
    build_world(&w, 42);
    assert_int_equal(dir_language(w.s, "xx"), -2);
    struct dir_query q = {.lat = CENTRES[0][0], .lon = CENTRES[0][1], .radius_m = 500000,
                          .profession = -1, .condition = -1, .language = -2,
                          .max_price_cents = -1, .minutes = -1};
    struct dir_hit hits[8];
    assert_int_equal(dir_search(w.s, &q, hits, 8), 0);
    q.language = -1;
    assert_int_equal(dir_search(w.s, &q, hits, 8), 8);
    dir_snapshot_free(w.s);
}

static void test_find_and_copy(void **state)
{
    (void)state;
    static struct world w;
    build_world(&w, 99);
    for (size_t i = 0; i < NPRACT; i++)
        assert_int_equal(dir_find(w.s, w.p[i].id), (long)i);
    uint8_t other[16] = {1, 2, 3};
    assert_int_equal(dir_find(w.s, other), -1);
    /* a copy without practitioner 0 answers like the original minus that practitioner */
    struct dir_builder *b = dir_builder_from(w.s, 1, 1);
    long *map = calloc(NPRACT, sizeof(*map));
    for (size_t i = 1; i < NPRACT; i++) {
        const struct dir_practitioner *p = &w.s->practitioners[i];
        map[i] = dir_builder_practitioner(b, p->id, &w.s->services[p->first_service], p->nservices);
    }
    for (size_t i = 0; i < w.s->ncards; i++)
        if (w.s->cards[i].practitioner != 0)
            dir_builder_copy_card(b, &w.s->cards[i], (uint32_t)map[w.s->cards[i].practitioner]);
    struct dir_snapshot *copy = dir_builder_finish(b);
    assert_int_equal(dir_find(copy, w.p[0].id), -1);
    assert_int_equal(copy->npractitioners, NPRACT - 1);
    struct dir_query q = {.lat = CENTRES[0][0], .lon = CENTRES[0][1], .radius_m = 500000,
                          .profession = -1, .condition = -1, .language = -1,
                          .max_price_cents = -1, .minutes = -1};
    static struct dir_hit a[NPRACT], c[NPRACT];
    long na = dir_search(w.s, &q, a, NPRACT), nc = dir_search(copy, &q, c, NPRACT);
    long k = 0;
    for (long i = 0; i < na; i++) {
        if (w.s->cards[a[i].card].practitioner == 0)
            continue;
        assert_true(k < nc);
        assert_memory_equal(w.s->practitioners[w.s->cards[a[i].card].practitioner].id,
                            copy->practitioners[copy->cards[c[k].card].practitioner].id, 16);
        k++;
    }
    assert_int_equal(k, nc);
    free(map);
    dir_snapshot_free(copy);
    dir_snapshot_free(w.s);
}

static void test_builder_refuses(void **state)
{
    (void)state;
    struct dir_builder *b = dir_builder_new(1, 1);
    uint8_t id[16] = {9};
    uint32_t p = dir_builder_practitioner(b, id, NULL, 0);
    int big[] = {DIR_MAX_VOCAB_ID};
    struct dir_card_in in = {.practitioner = p, .techniques = big, .ntechniques = 1};
    assert_false(dir_builder_card(b, &in));
    assert_null(dir_builder_finish(b)); /* a snapshot that would miss cards is not made */
}

/* ---- small pieces ---------------------------------------------------------------- */

static void test_next_pack(void **state)
{
    (void)state;
    int64_t next;
    uint64_t v = dir_next_pack(1800000000, 1799990000);
    assert_true(dir_next_unpack(v, 1799980000, &next));
    assert_int_equal(next, 1800000000);
    assert_false(dir_next_unpack(v, 1799990000, &next)); /* expired */
    v = dir_next_pack(-1, 1799990000); /* nothing free: known too */
    assert_true(dir_next_unpack(v, 1799980000, &next));
    assert_int_equal(next, -1);
    assert_int_equal(dir_next_pack(1800000030, 1799990000), 0); /* not on a minute */
    assert_int_equal(dir_next_pack(1800000000, 0), 0);
    assert_false(dir_next_unpack(0, 0, &next)); /* unknown */
}

static void test_next_after_booking(void **state)
{
    (void)state;
    const int64_t t = 1800000000, until = 1799990000;
    uint64_t v = dir_next_pack(t, until);
    /* far enough before or after: the free slot is untouched, whatever its service */
    assert_true(dir_next_survives_booking(v, t - 86400, t - DIR_REACH_BEFORE_S));
    assert_true(dir_next_survives_booking(v, t + DIR_REACH_AFTER_S, t + DIR_REACH_AFTER_S + 3600));
    /* the slot itself, or anything a buffer or a long session could reach: not known */
    assert_false(dir_next_survives_booking(v, t, t + 3600));
    assert_false(dir_next_survives_booking(v, t - 7200, t - DIR_REACH_BEFORE_S + 60));
    assert_false(dir_next_survives_booking(v, t + DIR_REACH_AFTER_S - 60, t + DIR_REACH_AFTER_S + 60));
    assert_false(dir_next_survives_booking(v, t - 86400, t + 86400));
    /* nothing free stays nothing free; unknown stays unknown */
    assert_true(dir_next_survives_booking(dir_next_pack(-1, until), t, t + 3600));
    assert_false(dir_next_survives_booking(0, t + 86400, t + 90000));
}

static void test_uuid_text(void **state)
{
    (void)state;
    uint8_t id[16];
    char text[37];
    assert_true(dir_uuid_parse("123e4567-e89b-12d3-a456-426614174000", id));
    dir_uuid_format(id, text);
    assert_string_equal(text, "123e4567-e89b-12d3-a456-426614174000");
    assert_true(dir_uuid_parse("123E4567-E89B-12D3-A456-426614174000", id));
    dir_uuid_format(id, text);
    assert_string_equal(text, "123e4567-e89b-12d3-a456-426614174000");
    static const char *const bad[] = {"", "123e4567", "123e4567-e89b-12d3-a456-42661417400",
                                      "123e4567-e89b-12d3-a456-4266141740000",
                                      "123e4567xe89b-12d3-a456-426614174000",
                                      "123e4567-e89b-12d3-a456-42661417400g"};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(bad); i++)
        assert_false(dir_uuid_parse(bad[i], id));
}

/* ---- the text of a card row ------------------------------------------------------ */

struct ids_case {
    const char *text;
    bool ok;
    size_t n;
    int ids[4];
};

static const struct ids_case ids_cases[] = {
    {"{}", true, 0, {0}},
    {"{7}", true, 1, {7}},
    {"{1,2,3}", true, 3, {1, 2, 3}},
    {"{1,2,3,4}", true, 4, {1, 2, 3, 4}},
    {"{1,2,3,4,5}", false, 0, {0}},   /* more than max (4) */
    {"1,2", false, 0, {0}},           /* no braces */
    {"{1,2", false, 0, {0}},          /* unclosed */
    {"{a}", false, 0, {0}},
    {"{1,,2}", false, 0, {0}},
    {"", false, 0, {0}},
};

static void test_ids_row(void **state)
{
    const struct ids_case *c = UNIT_ROW(struct ids_case, state);
    int ids[4];
    size_t n = 99;
    assert_int_equal(dir_parse_ids(c->text, ids, 4, &n), c->ok);
    if (!c->ok)
        return;
    assert_int_equal(n, c->n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], c->ids[i]);
}

struct langs_case {
    const char *text;
    bool ok;
    const char *joined; /* the codes, joined */
};

static const struct langs_case langs_cases[] = {
    {"{}", true, ""},
    {"{en}", true, "en"},
    {"{en,es,fr}", true, "enesfr"},
    {"{en,es,fr,de}", false, ""}, /* more than max (3) */
    {"{EN}", false, ""},
    {"{eng}", false, ""},
    {"{e}", false, ""},
    {"{en,}", true, "en"}, /* a trailing comma passes (PostgreSQL never writes one) */
    {"en", false, ""},
};

static void test_langs_row(void **state)
{
    const struct langs_case *c = UNIT_ROW(struct langs_case, state);
    char codes[3][3];
    size_t n = 99;
    assert_int_equal(dir_parse_langs(c->text, codes, 3, &n), c->ok);
    if (!c->ok)
        return;
    char joined[8] = "";
    for (size_t i = 0; i < n; i++)
        memcpy(joined + 2 * i, codes[i], 3);
    assert_string_equal(joined, c->joined);
}

struct services_case {
    const char *text;
    size_t n;
    struct dir_service sv[3];
};

static const struct services_case services_cases[] = {
    {"", 0, {{0, 0}}},
    {"30:4500", 1, {{30, 4500}}},
    {"30:4500,60:8000", 2, {{30, 4500}, {60, 8000}}},
    {"30:4500,60:8000,90:9000,120:1", 3, {{30, 4500}, {60, 8000}, {90, 9000}}}, /* max 3 */
    {"30:4500,x", 1, {{30, 4500}}},  /* what follows a malformed one is left out */
    {"30", 0, {{0, 0}}},
    {"30:4500;60:8000", 1, {{30, 4500}}},
};

static void test_services_row(void **state)
{
    const struct services_case *c = UNIT_ROW(struct services_case, state);
    struct dir_service sv[3];
    size_t n = dir_parse_services(c->text, sv, 3);
    assert_int_equal(n, c->n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sv[i].minutes, c->sv[i].minutes);
        assert_int_equal(sv[i].price_cents, c->sv[i].price_cents);
    }
}

int main(void)
{
    struct unit_suite s = {0};
    for (size_t i = 0; i < UNIT_ARRAY_LEN(ids_cases); i++)
        unit_add(&s, test_ids_row, &ids_cases[i], "dir_parse_ids \"%s\"", ids_cases[i].text);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(langs_cases); i++)
        unit_add(&s, test_langs_row, &langs_cases[i], "dir_parse_langs \"%s\"",
                 langs_cases[i].text);
    for (size_t i = 0; i < UNIT_ARRAY_LEN(services_cases); i++)
        unit_add(&s, test_services_row, &services_cases[i], "dir_parse_services \"%s\"",
                 services_cases[i].text);
    unit_add(&s, test_search_property, NULL,
             "dir_search agrees with a brute-force search (filters, one row per practitioner, cursors, antimeridian, pole)");
    unit_add(&s, test_unknown_language_finds_nobody, NULL, "a language nobody speaks finds nobody");
    unit_add(&s, test_find_and_copy, NULL, "dir_find, and a copy without one practitioner");
    unit_add(&s, test_builder_refuses, NULL, "the builder refuses a vocabulary id it cannot index");
    unit_add(&s, test_next_pack, NULL, "next free times packed with their expiry");
    unit_add(&s, test_next_after_booking, NULL,
             "a next free time outlives a booking only when the booking cannot reach it");
    unit_add(&s, test_uuid_text, NULL, "UUID text to bytes and back");
    return unit_run(&s, "card_index", NULL, NULL);
}
