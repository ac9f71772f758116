/* The demo directory's generator: random streams, names, addresses, bios and
 * services, one clinic at a time (see cli/seed_world.h). */
#include "cli/seed_world.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* Deterministic random numbers: splitmix64 seeds xoshiro256**.              */

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Each clinic gets its own stream, so it depends only on (seed, index). */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    uint64_t y = stream ^ UINT64_C(0x5EED5EED5EED5EED);
    uint64_t mix = splitmix64(&x) ^ splitmix64(&y);
    for (size_t i = 0; i < 4; i++)
        r->s[i] = splitmix64(&mix);
}

static uint64_t rotl(uint64_t v, int k)
{
    return (v << k) | (v >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n > 0, without modulo bias (Lemire). */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    uint64_t m = (rng_next(r) >> 32) * n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (0u - n) % n;
        while (low < threshold) {
            m = (rng_next(r) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static bool rng_chance(struct rng *r, int permille)
{
    return (int)rng_below(r, 1000) < permille;
}

static const char *rng_pick(struct rng *r, const struct strlist *l)
{
    return l->v[rng_below(r, (uint32_t)l->n)];
}

/* Index drawn with the given weights, or -1 if they are all zero. */
static int rng_weighted(struct rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    if (total <= 0)
        return -1;
    int x = (int)rng_below(r, (uint32_t)total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return -1;
}

/* lo + an index drawn with the weights: most people list a few things, few many. */
static int rng_skewed(struct rng *r, int lo, const int *w, int n)
{
    int i = rng_weighted(r, w, n);
    return lo + (i < 0 ? 0 : i);
}


/* A version-4 UUID from the stream. */
static void rng_uuid(struct rng *r, char out[UUID_LEN])
{
    uint64_t hi = rng_next(r), lo = rng_next(r);
    hi = (hi & ~UINT64_C(0xF000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(0xC) << 60)) | (UINT64_C(0x8) << 60);
    snprintf(out, UUID_LEN, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
             hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48, lo & UINT64_C(0xFFFFFFFFFFFF));
}

/* ------------------------------------------------------------------------ */
/* Small string builder over a fixed buffer; it truncates rather than grows,
 * and every buffer here is sized well above what the templates produce.    */

struct sb {
    char *p;
    size_t cap, len;
};

static void sb_init(struct sb *b, char *buf, size_t cap)
{
    b->p = buf;
    b->cap = cap;
    b->len = 0;
    buf[0] = '\0';
}

static void sb_putn(struct sb *b, const char *s, size_t n)
{
    if (b->len + n >= b->cap)
        n = b->cap - 1 - b->len;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void sb_printf(struct sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    b->len += (size_t)n < b->cap - b->len ? (size_t)n : b->cap - 1 - b->len;
}

void gen_init(struct gen *g, uint64_t seed, long target)
{
    memset(g, 0, sizeof(*g));
    g->seed = seed;
    g->target = target;
}

/* Clinic sizes: about 30% solo practices, a mean between 4 and 5. */
static int draw_size(struct rng *r)
{
    int x = (int)rng_below(r, 100);
    if (x < 30)
        return 1;
    if (x < 62)
        return rng_range(r, 2, 4);
    if (x < 87)
        return rng_range(r, 5, 8);
    return rng_range(r, 9, 14);
}

/* The city furthest behind its share of practitioners once this clinic is
 * counted: keeps every city (Portland above all) at its share at any size. */
static size_t pick_city(const struct gen *g, int size)
{
    long long wsum = 0, best_score = 0;
    size_t best = 0;
    for (size_t i = 0; i < NCITIES; i++)
        wsum += cities[i].weight;
    for (size_t i = 0; i < NCITIES; i++) {
        long long score = (long long)cities[i].weight * (g->made + size) -
                          (long long)g->city_made[i] * wsum;
        if (i == 0 || score > best_score) {
            best_score = score;
            best = i;
        }
    }
    return best;
}

/* Likewise for the kind of clinic within the country, so that the mix of
 * professions is right even at the default size. */
static enum clinic_kind pick_kind(const struct gen *g, enum country co, int size)
{
    long long wsum = 0, made = 0, best_score = 0;
    int best = 0;
    for (int k = 0; k < K_COUNT; k++) {
        wsum += kind_weight[co][k];
        made += g->kind_made[co][k];
    }
    for (int k = 0; k < K_COUNT; k++) {
        long long score = (long long)kind_weight[co][k] * (made + size) -
                          (long long)g->kind_made[co][k] * wsum;
        if (k == 0 || score > best_score) {
            best_score = score;
            best = k;
        }
    }
    return (enum clinic_kind)best;
}

static long micro(double deg)
{
    return (long)(deg * 1e6 + (deg < 0 ? -0.5 : 0.5));
}

static long div_round(long a, long b)
{
    return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

static void gen_postcode(struct rng *r, enum country co, const char *base, char *out, size_t n)
{
    static const char ca_letters[] = "ABCEGHJKLMNPRSTVWXYZ";
    static const char gb_letters[] = "ABDEFGHJLNPQRSTUWXYZ";
    if (co == CO_CA)
        snprintf(out, n, "%s %d%c%d", base, rng_range(r, 1, 9),
                 ca_letters[rng_below(r, sizeof(ca_letters) - 1)], rng_range(r, 0, 9));
    else if (co == CO_GB)
        snprintf(out, n, "%s %d%c%c", base, rng_range(r, 1, 9),
                 gb_letters[rng_below(r, sizeof(gb_letters) - 1)],
                 gb_letters[rng_below(r, sizeof(gb_letters) - 1)]);
    else
        snprintf(out, n, "%s", base);
}

static void gen_address(struct rng *r, const struct city *ci, const struct hood *h, char *out, size_t n)
{
    enum country co = ci->country;
    int max_no = ci->max_street_no ? ci->max_street_no : 4999;
    size_t nstreets = 0;
    while (nstreets < COUNT(h->street) && h->street[nstreets])
        nstreets++;
    const char *street = h->street[rng_below(r, (uint32_t)nstreets)];
    struct sb b;
    sb_init(&b, out, n);
    switch (co) {
    case CO_US:
    case CO_CA:
        sb_printf(&b, "%d %s", rng_range(r, max_no < 1000 ? 1 : 100, max_no), street);
        if (rng_chance(r, 350))
            sb_printf(&b, ", Suite %d", rng_range(r, 1, 4) * 100 + rng_range(r, 1, 20));
        break;
    case CO_GB:
        if (rng_chance(r, 150))
            sb_puts(&b, rng_chance(r, 500) ? "First Floor, " : "Ground Floor, ");
        else if (rng_chance(r, 100))
            sb_printf(&b, "Unit %d, ", rng_range(r, 1, 12));
        sb_printf(&b, "%d %s", rng_range(r, 1, 240), street);
        break;
    case CO_DE:
        sb_printf(&b, "%s %d", street, rng_range(r, 1, 180));
        if (rng_chance(r, 100))
            sb_puts(&b, rng_chance(r, 500) ? "a" : "b");
        if (rng_chance(r, 200))
            sb_printf(&b, ", %d. OG", rng_range(r, 1, 4));
        break;
    case CO_AU:
        if (rng_chance(r, 150))
            sb_printf(&b, "Suite %d, ", rng_range(r, 1, 12));
        else if (rng_chance(r, 120))
            sb_printf(&b, "Level %d, ", rng_range(r, 1, 9));
        sb_printf(&b, "%d %s", rng_range(r, 1, 600), street);
        break;
    default:
        break;
    }
}

static void gen_location(struct rng *r, const struct clinic *c, const struct hood *h,
                         struct location *l, int64_t created)
{
    const struct city *ci = c->city;
    rng_uuid(r, l->id);
    l->hood = h;
    gen_address(r, ci, h, l->address, sizeof(l->address));
    gen_postcode(r, ci->country, h->postcode, l->postcode, sizeof(l->postcode));
    long rad = h->radius_m, dx, dy;
    do {
        dx = (long)rng_below(r, (uint32_t)(2 * rad + 1)) - rad;
        dy = (long)rng_below(r, (uint32_t)(2 * rad + 1)) - rad;
    } while (dx * dx + dy * dy > rad * rad);
    l->lat_u = micro(h->lat) + div_round(dy * 1000000L, 111320L);
    l->lon_u = micro(h->lon) + div_round(dx * 1000000L, ci->m_per_deg_lon);
    l->wheelchair = rng_chance(r, 700);
    l->created = created;
}


/* Copies the masculine or feminine half of "Ivanov/Ivanova". */
static void last_name_form(const char *last, bool female, char *out, size_t n)
{
    const char *slash = strchr(last, '/');
    if (!slash)
        snprintf(out, n, "%s", last);
    else if (female)
        snprintf(out, n, "%s", slash + 1);
    else
        snprintf(out, n, "%.*s", (int)(slash - last), last);
}

static enum profession pick_profession(struct rng *r, enum clinic_kind kind, enum country co)
{
    int w[PR_COUNT];
    for (int i = 0; i < PR_COUNT; i++)
        w[i] = kind_staff[kind][i];
    if (co != CO_US) {
        w[PR_PHYSIO] = w[PR_PT];
        w[PR_PT] = 0;
    }
    if (co != CO_AU)
        w[PR_MYO] = 0;
    int p = rng_weighted(r, w, PR_COUNT);
    return p < 0 ? PR_MASSAGE : (enum profession)p;
}

/* Languages: the city's own first, then some of the local community languages. */
static void gen_languages(struct rng *r, const struct city *ci, struct practitioner *p)
{
    p->nlangs = 0;
    p->langs[p->nlangs++] = ci->base_lang;
    for (size_t i = 0; i < ci->nlangs && p->nlangs < MAX_LANGS; i++)
        if (rng_chance(r, ci->langs[i].permille))
            p->langs[p->nlangs++] = ci->langs[i].code;
}

static void gen_name(struct rng *r, const struct city *ci, struct practitioner *p, bool female)
{
    const struct name_pool *pool = find_pool("en");
    /* People who speak a community language often carry a name from it. */
    for (int i = 1; i < p->nlangs; i++) {
        const struct name_pool *lp = find_pool(p->langs[i]);
        if (lp && strcmp(p->langs[i], "en") != 0 && rng_chance(r, 650)) {
            pool = lp;
            break;
        }
    }
    if (strcmp(ci->base_lang, "en") != 0 && pool == find_pool("en") && rng_chance(r, 800))
        pool = find_pool(ci->base_lang);
    const char *first = rng_pick(r, female ? &pool->female : &pool->male);
    char last[64];
    last_name_form(rng_pick(r, &pool->last), female, last, sizeof(last));
    snprintf(p->first, sizeof(p->first), "%s", first);
    snprintf(p->name, sizeof(p->name), "%s %s", first, last);
}

static bool has_technique(const struct practitioner *p, int t)
{
    for (int i = 0; i < p->ntech; i++)
        if (p->tech[i] == t)
            return true;
    return false;
}

static void gen_techniques(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    const struct profile *pf = &profiles[p->prof];
    int w[T_COUNT];
    p->ntech = 0;
    if (rng_chance(r, c->kind == K_MFR ? 950 : pf->mfr_permille))
        p->tech[p->ntech++] = T_MFR;
    for (int i = 0; i < T_COUNT; i++)
        w[i] = pf->tech_w[i];
    /* Australians call it remedial massage; elsewhere Swedish is the staple. */
    if (c->city->country == CO_AU && p->prof == PR_MASSAGE)
        w[T_REMEDIAL] += 8;
    w[T_MFR] = 0;
    static const int others_w[] = { 45, 30, 17, 8 };    /* 2..5 */
    int others = rng_skewed(r, 2, others_w, (int)COUNT(others_w));
    if (pf->core >= 0) {
        p->tech[p->ntech++] = pf->core;
        w[pf->core] = 0;
        others--;
    }
    while (others-- > 0 && p->ntech < MAX_TECH) {
        int t = rng_weighted(r, w, T_COUNT);
        if (t < 0)
            break;
        p->tech[p->ntech++] = t;
        w[t] = 0;
    }
}

static void gen_conditions(struct rng *r, struct practitioner *p)
{
    const struct profile *pf = &profiles[p->prof];
    int w[C_COUNT];
    static const int want_w[] = { 30, 32, 20, 11, 7 };   /* 2..6 */
    int want = rng_skewed(r, 2, want_w, (int)COUNT(want_w));
    p->ncond = 0;
    if (rng_chance(r, has_technique(p, T_MFR) ? 750 : 450))
        p->cond[p->ncond++] = C_FIBRO;
    for (int i = 0; i < C_COUNT; i++)
        w[i] = pf->cond_w[i];
    w[C_FIBRO] = 0;
    while (p->ncond < want) {
        int d = rng_weighted(r, w, C_COUNT);
        if (d < 0)
            break;
        p->cond[p->ncond++] = d;
        w[d] = 0;
    }
}

static void gen_practitioner(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    const struct city *ci = c->city;
    rng_uuid(r, p->id);
    p->prof = pick_profession(r, c->kind, ci->country);
    gen_languages(r, ci, p);
    bool female = rng_chance(r, profiles[p->prof].female_permille);
    gen_name(r, ci, p, female);
    p->credentials = rng_pick(r, &credentials[ci->country][p->prof]);
    p->accepting = rng_chance(r, 750);
    p->home = rng_chance(r, 200);
    p->sliding = rng_chance(r, 250);
    p->years = rng_range(r, 2, 30);
    p->created = c->created + rng_range(r, 0, 300) * DAY + rng_range(r, 0, 86399);
    p->updated = p->created + rng_range(r, 0, 120) * DAY + rng_range(r, 0, 86399);
    p->loc[0] = (int)rng_below(r, (uint32_t)c->nloc);
    p->nloc = 1;
    if (c->nloc > 1 && rng_chance(r, 300))
        p->loc[p->nloc++] = (p->loc[0] + 1 + (int)rng_below(r, (uint32_t)(c->nloc - 1))) % c->nloc;
    gen_techniques(r, c, p);
    gen_conditions(r, p);
}

/* Lowercase ASCII for a web address; common accented letters transliterated. */
static void domain_label(const char *name, bool hyphens, char *out, size_t n)
{
    static const struct { const char *from, *to; } tr[] = {
        { "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "ß", "ss" }, { "Ä", "ae" }, { "Ö", "oe" },
        { "Ü", "ue" }, { "é", "e" }, { "è", "e" }, { "ê", "e" }, { "ë", "e" }, { "É", "e" },
        { "á", "a" }, { "à", "a" }, { "â", "a" }, { "ã", "a" }, { "í", "i" }, { "ï", "i" },
        { "ó", "o" }, { "ô", "o" }, { "ú", "u" }, { "ñ", "n" }, { "ç", "c" }, { "Ç", "c" },
        { "ł", "l" }, { "ś", "s" }, { "ş", "s" }, { "Ş", "s" }, { "ı", "i" }, { "ğ", "g" },
        { "ć", "c" }, { "ń", "n" }, { "ż", "z" }, { "ą", "a" }, { "ę", "e" },
    };
    size_t len = 0;
    bool gap = false;
    for (const char *s = name; *s && len + 3 < n && len < 48;) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x80) {
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')) {
                if (gap && hyphens && len > 0)
                    out[len++] = '-';
                out[len++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
                gap = false;
            } else if (ch == ' ') {
                gap = true;
            }
            s++;
            continue;
        }
        size_t k = 0;
        for (; k < COUNT(tr); k++) {
            size_t fl = strlen(tr[k].from);
            if (strncmp(s, tr[k].from, fl) == 0) {
                if (gap && hyphens && len > 0)
                    out[len++] = '-';
                for (const char *t = tr[k].to; *t; t++)
                    out[len++] = *t;
                gap = false;
                s += fl;
                break;
            }
        }
        if (k == COUNT(tr))
            for (s++; ((unsigned char)*s & 0xC0) == 0x80; s++)
                ;
    }
    out[len] = '\0';
}

static void gen_clinic_name(struct rng *r, struct clinic *c)
{
    const struct city *ci = c->city;
    enum country co = ci->country;
    const char *suffix = rng_pick(r, &kind_names[co][c->kind]);
    const char *hood = c->loc[0].hood->name;

    if (c->nstaff == 1 && rng_chance(r, 600)) {
        const struct practitioner *p = &c->staff[0];
        const char *last = p->name + strlen(p->first) + 1;
        if (co == CO_DE) {
            static const char *const de[PR_COUNT] = {
                "Massagepraxis", "Physiotherapie", "Chiropraktik", "Ergotherapie",
                "Osteopathie", "Physiotherapie", "Massagepraxis",
            };
            snprintf(c->name, sizeof(c->name), "%s %s", de[p->prof], p->name);
            return;
        }
        switch (p->prof) {
        case PR_MASSAGE:
        case PR_MYO:
            if (has_technique(p, T_MFR) && rng_chance(r, 500))
                snprintf(c->name, sizeof(c->name), "%s Myofascial Release", p->name);
            else if (rng_chance(r, 400))
                snprintf(c->name, sizeof(c->name), "Bodywork by %s", p->first);
            else
                snprintf(c->name, sizeof(c->name), "%s %s", p->name,
                         p->prof == PR_MYO ? "Myotherapy" : "Massage Therapy");
            return;
        case PR_PT:
            snprintf(c->name, sizeof(c->name), "%s Physical Therapy", last);
            return;
        case PR_PHYSIO:
            snprintf(c->name, sizeof(c->name), "%s Physiotherapy", last);
            return;
        case PR_CHIRO:
            snprintf(c->name, sizeof(c->name), "%s %s", last,
                     rng_chance(r, 400) ? "Family Chiropractic" : "Chiropractic");
            return;
        case PR_OT:
            snprintf(c->name, sizeof(c->name), "%s Occupational Therapy", p->name);
            return;
        case PR_OSTEO:
            snprintf(c->name, sizeof(c->name), "%s %s", last,
                     co == CO_US ? "Osteopathic Care" : "Osteopathy");
            return;
        default:
            break;
        }
    }
    int style = (int)rng_below(r, 100);
    const char *stem = style < 45 ? rng_pick(r, &ci->stems)
                     : style < 75 ? hood
                     : co == CO_DE ? rng_pick(r, &ci->stems)
                     : rng_pick(r, co == CO_US ? &stems_us : &stems_commonwealth);
    if (co == CO_DE)
        snprintf(c->name, sizeof(c->name), "%s %s", suffix, stem);
    else
        snprintf(c->name, sizeof(c->name), "%s %s", stem, suffix);
}

static void gen_website(struct rng *r, struct clinic *c)
{
    char label[64];
    c->has_website = rng_chance(r, c->nstaff == 1 ? 450 : 750);
    if (!c->has_website)
        return;
    domain_label(c->name, c->city->country == CO_DE, label, sizeof(label));
    snprintf(c->website, sizeof(c->website), "https://www.%s%s", label,
             countries[c->city->country].tld);
}

/* Fills placeholders of a bio template. */
struct bio_ctx {
    const char *first, *prof, *city, *hood, *clinic, *t1, *t2, *d1, *d2, *langs;
    int years;
};

static void bio_expand(struct sb *b, const char *tpl, const struct bio_ctx *x)
{
    while (*tpl) {
        const char *open = strchr(tpl, '{');
        if (!open) {
            sb_puts(b, tpl);
            return;
        }
        sb_putn(b, tpl, (size_t)(open - tpl));
        const char *close = strchr(open, '}');
        if (!close) {
            sb_puts(b, open);
            return;
        }
        size_t klen = (size_t)(close - open - 1);
        const char *key = open + 1;
#define KEY(k) (klen == strlen(k) && strncmp(key, k, klen) == 0)
        if (KEY("F")) sb_puts(b, x->first);
        else if (KEY("P")) sb_puts(b, x->prof);
        else if (KEY("C")) sb_puts(b, x->city);
        else if (KEY("N")) sb_puts(b, x->hood);
        else if (KEY("K")) sb_puts(b, x->clinic);
        else if (KEY("T1")) sb_puts(b, x->t1);
        else if (KEY("T2")) sb_puts(b, x->t2);
        else if (KEY("D1")) sb_puts(b, x->d1);
        else if (KEY("D2")) sb_puts(b, x->d2);
        else if (KEY("L")) sb_puts(b, x->langs);
        else if (KEY("Y")) sb_printf(b, "%d", x->years);
#undef KEY
        tpl = close + 1;
    }
}


static void gen_bio(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    const struct city *ci = c->city;
    char prof[96], langs[160];
    const char *noun = profession_noun(p->prof, ci->country);
    snprintf(prof, sizeof(prof), "%s %s", strchr("aeiou", noun[0]) ? "an" : "a", noun);

    struct sb lb;
    sb_init(&lb, langs, sizeof(langs));
    for (int i = 0; i < p->nlangs; i++) {
        if (i > 0)
            sb_puts(&lb, i == p->nlangs - 1 ? " and " : ", ");
        sb_puts(&lb, language_name(p->langs[i]));
    }

    /* Techniques other than MFR, for {T1} {T2}. */
    const char *t[2] = { technique_phrase[T_STRETCH], technique_phrase[T_HEAT] };
    int nt = 0;
    for (int i = 0; i < p->ntech && nt < 2; i++)
        if (p->tech[i] != T_MFR)
            t[nt++] = technique_phrase[p->tech[i]];
    struct bio_ctx x = {
        .first = p->first, .prof = prof, .city = ci->name,
        .hood = c->loc[p->loc[0]].hood->name, .clinic = c->name, .t1 = t[0], .t2 = t[1],
        .d1 = condition_phrase[p->cond[0]],
        .d2 = condition_phrase[p->ncond > 1 ? p->cond[1] : C_MPS],
        .langs = langs, .years = p->years,
    };

    struct sb b;
    sb_init(&b, p->bio, sizeof(p->bio));
    bio_expand(&b, rng_pick(r, &bio_intro), &x);
    sb_puts(&b, " ");
    bio_expand(&b, rng_pick(r, has_technique(p, T_MFR) ? &bio_mfr : &bio_other), &x);
    if (rng_chance(r, 750)) {
        sb_puts(&b, " ");
        bio_expand(&b, rng_pick(r, &bio_conditions), &x);
    }
    if (rng_chance(r, 550)) {
        const char *extra[6];
        int ne = 0;
        if (p->home)
            extra[ne++] = "Home visits are available.";
        if (p->sliding)
            extra[ne++] = "Sliding-scale fees on request.";
        if (!p->accepting)
            extra[ne++] = "New clients go on a waiting list.";
        if (p->nlangs > 1)
            extra[ne++] = "Sessions in {L}.";
        extra[ne++] = rng_pick(r, &bio_general);
        sb_puts(&b, " ");
        bio_expand(&b, extra[rng_below(r, (uint32_t)ne)], &x);
    }
}

static int round_price(long cents)
{
    return (int)((cents + 250) / 500 * 500);
}

static void add_service(struct rng *r, struct clinic *c, enum svc_type type, int minutes,
                        const int price[2], int before, int after)
{
    if (c->nsvc >= MAX_SVCS)
        return;
    struct service *s = &c->svc[c->nsvc++];
    rng_uuid(r, s->id);
    s->type = type;
    s->name = service_name(type, c->city->country);
    s->minutes = minutes;
    long cents = ((long)price[0] * 100 + (long)price[1] * minutes) * c->city->price_pct / 100;
    if (type == SV_ASSESS)
        cents = cents * 115 / 100;
    else if (type == SV_HOME)
        cents = cents * 130 / 100;
    else if (type == SV_DRYNEEDLE)
        cents = cents * 110 / 100;
    s->price_cents = round_price(cents);
    s->before = before;
    s->after = after;
    s->created = c->created + rng_range(r, 0, 14) * DAY + rng_range(r, 0, 86399);
}

/* The clinic's menu follows from who works there. */
static void gen_services(struct rng *r, struct clinic *c)
{
    bool prof[PR_COUNT] = { false }, mfr = false, home_mfr = false, dn = false, cranio = false;
    for (int i = 0; i < c->nstaff; i++) {
        const struct practitioner *p = &c->staff[i];
        prof[p->prof] = true;
        mfr |= has_technique(p, T_MFR);
        home_mfr |= p->home && has_technique(p, T_MFR);
        dn |= has_technique(p, T_DRYNEEDLE);
        cranio |= has_technique(p, T_CRANIO);
    }
    enum country co = c->city->country;
    /* Price: a fixed part plus a rate per minute, in local units (USD 45-180). */
    const int price[2] = { rng_range(r, 15, 25), rng_range(r, 130, 170) };
    static const int after_choices[] = { 0, 10, 15 };
    int after = after_choices[rng_below(r, 3)];
    int before = rng_chance(r, 200) ? 5 : 0;
    c->nsvc = 0;

    add_service(r, c, SV_ASSESS, (c->kind == K_MFR || c->kind == K_OSTEO) && rng_chance(r, 500) ? 90 : 60,
                price, before, after);
    if (mfr) {
        static const int mins[] = { 30, 45, 60, 90 };
        static const int odds[] = { 400, 300, 1000, 350 };
        for (size_t i = 0; i < COUNT(mins); i++)
            if (mins[i] == 60 || rng_chance(r, c->kind == K_MFR ? 850 : odds[i]))
                add_service(r, c, SV_MFR, mins[i], price, before, after);
    }
    if (prof[PR_MASSAGE] || prof[PR_MYO]) {
        add_service(r, c, SV_MASSAGE, 30, price, before, after);
        add_service(r, c, SV_MASSAGE, 60, price, before, after);
        if (rng_chance(r, 300))
            add_service(r, c, SV_MASSAGE, 90, price, before, after);
    }
    if (prof[PR_PT] || prof[PR_PHYSIO])
        add_service(r, c, SV_PT, co == CO_US || co == CO_CA ? 45 : 30, price, before, after);
    if (prof[PR_CHIRO])
        add_service(r, c, SV_CHIRO, co == CO_US ? 20 : 30, price, before, after);
    if (prof[PR_OT])
        add_service(r, c, SV_OT, 60, price, before, after);
    if (prof[PR_OSTEO])
        add_service(r, c, SV_OSTEO, co == CO_US ? 30 : 45, price, before, after);
    if (prof[PR_MYO]) {
        add_service(r, c, SV_MYO, 60, price, before, after);
        if (rng_chance(r, 500))
            add_service(r, c, SV_MYO, 30, price, before, after);
    }
    if (dn && rng_chance(r, 600))
        add_service(r, c, SV_DRYNEEDLE, 30, price, before, after);
    if (cranio && rng_chance(r, 500))
        add_service(r, c, SV_CRANIO, 60, price, before, after);
    if (home_mfr && rng_chance(r, 600))
        add_service(r, c, SV_HOME, 90, price, 30, 30);   /* travel on both sides */
    if (mfr && rng_chance(r, c->kind == K_MFR ? 600 : 250))
        add_service(r, c, SV_FIBRO, 30, price, before, after);
}

static bool offers_eligible(const struct practitioner *p, const struct service *s)
{
    switch (s->type) {
    case SV_ASSESS: return true;
    case SV_MFR:
    case SV_FIBRO: return has_technique(p, T_MFR);
    case SV_HOME: return p->home && has_technique(p, T_MFR);
    case SV_MASSAGE: return p->prof == PR_MASSAGE || p->prof == PR_MYO;
    case SV_PT: return p->prof == PR_PT || p->prof == PR_PHYSIO;
    case SV_CHIRO: return p->prof == PR_CHIRO;
    case SV_OT: return p->prof == PR_OT;
    case SV_OSTEO: return p->prof == PR_OSTEO;
    case SV_MYO: return p->prof == PR_MYO;
    case SV_DRYNEEDLE: return has_technique(p, T_DRYNEEDLE);
    case SV_CRANIO: return has_technique(p, T_CRANIO);
    default: return false;
    }
}

static void offer(struct practitioner *p, bool *taken, int idx)
{
    if (idx < 0 || taken[idx] || p->nsvc >= MAX_PSVC)
        return;
    taken[idx] = true;
    p->svc[p->nsvc++] = idx;
}

/* A random eligible service of the type (any type if type < 0), not yet taken. */
static int pick_service(struct rng *r, const struct clinic *c, const struct practitioner *p,
                        const bool *taken, int type)
{
    int cand[MAX_SVCS], n = 0;
    for (int i = 0; i < c->nsvc; i++)
        if (!taken[i] && offers_eligible(p, &c->svc[i]) && (type < 0 || (int)c->svc[i].type == type))
            cand[n++] = i;
    return n ? cand[rng_below(r, (uint32_t)n)] : -1;
}

/* 2-5 of the clinic's services: the profession's own, usually the assessment,
 * MFR sessions for those who do MFR, home visits for those who make them. */
static void gen_offers(struct rng *r, const struct clinic *c, struct practitioner *p)
{
    bool taken[MAX_SVCS] = { false };
    static const int want_w[] = { 30, 35, 25, 10 };      /* 2..5 */
    int want = rng_skewed(r, 2, want_w, (int)COUNT(want_w));
    p->nsvc = 0;
    offer(p, taken, pick_service(r, c, p, taken, (int)core_service[p->prof]));
    if (rng_chance(r, 850))
        offer(p, taken, pick_service(r, c, p, taken, SV_ASSESS));
    if (has_technique(p, T_MFR) && rng_chance(r, 800))
        offer(p, taken, pick_service(r, c, p, taken, SV_MFR));
    if (p->home)
        offer(p, taken, pick_service(r, c, p, taken, SV_HOME));
    while (p->nsvc < want) {
        int i = pick_service(r, c, p, taken, -1);
        if (i < 0)
            break;
        offer(p, taken, i);
    }
}

/* Generates the next clinic into *c; false once every practitioner exists. */
bool gen_next(struct gen *g, struct clinic *c)
{
    if (g->made >= g->target)
        return false;
    struct rng r;
    rng_seed(&r, g->seed, (uint64_t)g->index);
    g->index++;

    int size = draw_size(&r);
    if (size > g->target - g->made)
        size = (int)(g->target - g->made);
    size_t city = pick_city(g, size);
    g->city_made[city] += size;
    g->made += size;

    const struct city *ci = &cities[city];
    c->city = ci;
    rng_uuid(&r, c->id);
    c->kind = pick_kind(g, ci->country, size);
    g->kind_made[ci->country][c->kind] += size;
    c->created = EPOCH_START + rng_range(&r, 0, 900) * DAY + rng_range(&r, 8 * 3600, 18 * 3600);
    snprintf(c->phone, sizeof(c->phone), "%s%0*d", ci->phone_prefix, ci->phone_digits,
             (int)rng_below(&r, ci->phone_digits == 2 ? 100 : ci->phone_digits == 3 ? 1000 : 10000));

    int x = (int)rng_below(&r, 100);
    c->nloc = size == 1 ? (x < 95 ? 1 : 2) : (x < 75 ? 1 : x < 93 ? 2 : 3);
    int order[16];
    int nh = ci->nhoods < COUNT(order) ? (int)ci->nhoods : (int)COUNT(order);
    for (int i = 0; i < nh; i++)
        order[i] = i;
    for (int i = 0; i < c->nloc; i++) {   /* distinct neighbourhoods */
        int j = i + (int)rng_below(&r, (uint32_t)(nh - i));
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
        int64_t opened = i == 0 ? c->created + rng_range(&r, 0, 30) * DAY
                                : c->created + rng_range(&r, 30, 600) * DAY;
        gen_location(&r, c, &ci->hoods[order[i]], &c->loc[i], opened);
    }

    c->nstaff = size;
    for (int i = 0; i < size; i++)
        gen_practitioner(&r, c, &c->staff[i]);
    gen_clinic_name(&r, c);
    gen_website(&r, c);
    for (int i = 0; i < size; i++)
        gen_bio(&r, c, &c->staff[i]);
    gen_services(&r, c);
    for (int i = 0; i < size; i++)
        gen_offers(&r, c, &c->staff[i]);
    return true;
}
