/* The directory's search index in memory (see card_index.h).
 *
 * Nearest-first search: cards are sorted by a grid cell of CELL_DEG degrees, row by
 * row of latitude, and a table of the non-empty cells says where each one's cards
 * start.  A search visits the cells its circle covers nearest cell first, keeps the
 * best matching cards (a buffer cut back by quickselect), stops when no cell left can
 * hold a better one, and takes them in order of distance, one per practitioner, until
 * it has enough.  Distances compare as chords between unit vectors (a few
 * multiplications); only the hits get the great-circle distance on PostGIS's sphere,
 * so that both paths agree on what "within 25 km" means. */
#include "domain/card_index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"
#include "util/parse.h"

#define CELL_DEG 0.1
#define LON_CELLS 4096u /* > 360 / CELL_DEG */

struct dir_builder {
    struct dir_snapshot *s;
    size_t cap_practitioners, cap_cards, cap_services;
    bool ok;
};

static double rad(double deg)
{
    return deg * (M_PI / 180.0);
}

/* The grid index of a coordinate: floor((deg + offset) / CELL_DEG), kept within
 * [0, 2 * offset / CELL_DEG]. */
static uint32_t grid(double deg, double offset)
{
    double i = floor((deg + offset) / CELL_DEG);
    if (i < 0)
        i = 0;
    if (i > 2 * offset / CELL_DEG)
        i = 2 * offset / CELL_DEG;
    return (uint32_t)i;
}

static uint32_t lat_row(double lat)
{
    return grid(lat, 90.0);
}

static uint32_t lon_col(double lon)
{
    return grid(lon, 180.0);
}

struct dir_builder *dir_builder_new(size_t practitioners_hint, size_t cards_hint)
{
    struct dir_builder *b = xcalloc(1, sizeof(*b));
    b->s = xcalloc(1, sizeof(*b->s));
    b->cap_practitioners = practitioners_hint ? practitioners_hint : 64;
    b->cap_cards = cards_hint ? cards_hint : 64;
    b->cap_services = b->cap_practitioners * 3;
    b->s->practitioners = xcalloc(b->cap_practitioners, sizeof(*b->s->practitioners));
    b->s->cards = xcalloc(b->cap_cards, sizeof(*b->s->cards));
    b->s->services = xcalloc(b->cap_services, sizeof(*b->s->services));
    b->ok = true;
    return b;
}

struct dir_builder *dir_builder_from(const struct dir_snapshot *old, size_t practitioners_hint,
                                     size_t cards_hint)
{
    struct dir_builder *b = dir_builder_new(practitioners_hint, cards_hint);
    if (old) {
        memcpy(b->s->languages, old->languages, sizeof(old->languages));
        b->s->nlanguages = old->nlanguages;
    }
    return b;
}

/* Grows *p (of *cap elements of size) to hold need elements. */
static void reserve(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return;
    size_t n = *cap * 2;
    if (n < need)
        n = need;
    *p = xrealloc(*p, n * size);
    memset((char *)*p + *cap * size, 0, (n - *cap) * size);
    *cap = n;
}

uint32_t dir_builder_practitioner(struct dir_builder *b, const uint8_t id[16],
                                  const struct dir_service *services, size_t nservices)
{
    struct dir_snapshot *s = b->s;
    reserve((void **)&s->practitioners, &b->cap_practitioners, s->npractitioners + 1,
            sizeof(*s->practitioners));
    reserve((void **)&s->services, &b->cap_services, s->nservices + nservices,
            sizeof(*s->services));
    struct dir_practitioner *p = &s->practitioners[s->npractitioners];
    memcpy(p->id, id, 16);
    p->first_service = (uint32_t)s->nservices;
    p->nservices = (uint32_t)nservices;
    if (nservices) /* (services may be NULL then) */
        memcpy(&s->services[s->nservices], services, nservices * sizeof(*services));
    s->nservices += nservices;
    return (uint32_t)s->npractitioners++;
}

uint64_t dir_id_order(const uint8_t id[16])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | id[i];
    return v;
}

static bool vocab_mask(const int *ids, size_t n, uint64_t *out)
{
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= DIR_MAX_VOCAB_ID)
            return false;
        *out |= UINT64_C(1) << ids[i];
    }
    return true;
}

int dir_language(const struct dir_snapshot *s, const char *code)
{
    for (size_t i = 0; i < s->nlanguages; i++)
        if (strcmp(s->languages[i], code) == 0)
            return (int)i;
    return -2;
}

bool dir_builder_card(struct dir_builder *b, const struct dir_card_in *in)
{
    struct dir_snapshot *s = b->s;
    struct dir_card c = {0};
    if (in->practitioner >= s->npractitioners || in->profession < 0 ||
        in->profession > UINT16_MAX || !vocab_mask(in->techniques, in->ntechniques, &c.techniques) ||
        !vocab_mask(in->conditions, in->nconditions, &c.conditions)) {
        b->ok = false;
        return false;
    }
    for (size_t i = 0; i < in->nlanguages; i++) {
        int k = dir_language(s, in->languages[i]);
        if (k < 0) {
            if (s->nlanguages == DIR_MAX_LANGUAGES || strlen(in->languages[i]) != 2) {
                b->ok = false;
                return false;
            }
            memcpy(s->languages[s->nlanguages], in->languages[i], 3);
            k = (int)s->nlanguages++;
        }
        c.languages |= UINT64_C(1) << k;
    }
    double phi = rad(in->lat), lambda = rad(in->lon);
    c.x = cos(phi) * cos(lambda);
    c.y = cos(phi) * sin(lambda);
    c.z = sin(phi);
    c.practitioner = in->practitioner;
    c.order = dir_id_order(s->practitioners[in->practitioner].id);
    c.cell = lat_row(in->lat) * LON_CELLS + lon_col(in->lon);
    c.rev = in->rev;
    c.profession = (uint16_t)in->profession;
    c.flags = in->flags;
    memcpy(c.location, in->location, 16);
    c.tz = in->tz;
    reserve((void **)&s->cards, &b->cap_cards, s->ncards + 1, sizeof(*s->cards));
    s->cards[s->ncards++] = c;
    s->practitioners[in->practitioner].ncards++;
    return true;
}

void dir_builder_copy_card(struct dir_builder *b, const struct dir_card *c, uint32_t p)
{
    struct dir_snapshot *s = b->s;
    reserve((void **)&s->cards, &b->cap_cards, s->ncards + 1, sizeof(*s->cards));
    s->cards[s->ncards] = *c;
    s->cards[s->ncards++].practitioner = p;
    s->practitioners[p].ncards++;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Orders the cards by cell (then by their order of arrival) in place: sorts small
 * (cell, index) keys and follows the permutation's cycles, so that the peak memory
 * is the cards plus 8 bytes a card, not two copies of them. */
static void sort_cards(struct dir_snapshot *s)
{
    size_t n = s->ncards;
    uint64_t *key = xmalloc((n ? n : 1) * sizeof(*key));
    for (size_t i = 0; i < n; i++)
        key[i] = (uint64_t)s->cards[i].cell << 32 | i;
    qsort(key, n, sizeof(*key), cmp_u64);
    /* key[i] names the card that belongs at i; a placed slot is marked UINT64_MAX */
    for (size_t start = 0; start < n; start++) {
        if (key[start] == UINT64_MAX)
            continue;
        struct dir_card hold = s->cards[start];
        size_t at = start;
        for (;;) {
            size_t from = (size_t)(key[at] & UINT32_MAX);
            key[at] = UINT64_MAX;
            if (from == start) {
                s->cards[at] = hold;
                break;
            }
            s->cards[at] = s->cards[from];
            at = from;
        }
    }
    free(key);
}

static uint64_t id_hash(const uint8_t id[16])
{
    uint64_t h;
    memcpy(&h, id + 8, sizeof(h)); /* random bits of a v4 UUID; mixed for others */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return h;
}

struct dir_snapshot *dir_builder_finish(struct dir_builder *b)
{
    struct dir_snapshot *s = b->s;
    bool ok = b->ok;
    free(b);
    if (!ok) {
        dir_snapshot_free(s);
        return NULL;
    }
    sort_cards(s);
    s->cells = xmalloc((s->ncards + 1) * sizeof(*s->cells));
    for (size_t i = 0; i < s->ncards; i++)
        if (i == 0 || s->cards[i].cell != s->cards[i - 1].cell)
            s->cells[s->ncells++] = (struct dir_cell){s->cards[i].cell, (uint32_t)i};
    s->cells[s->ncells] = (struct dir_cell){UINT32_MAX, (uint32_t)s->ncards}; /* sentinel */
    size_t size = 16;
    while (size < s->npractitioners * 2)
        size *= 2;
    s->by_id = xcalloc(size, sizeof(*s->by_id));
    s->by_id_mask = size - 1;
    for (size_t i = 0; i < s->npractitioners; i++) {
        size_t h = (size_t)id_hash(s->practitioners[i].id) & s->by_id_mask;
        while (s->by_id[h])
            h = (h + 1) & s->by_id_mask;
        s->by_id[h] = (uint32_t)i + 1;
    }
    /* the time zone of each practitioner's first location by id, as the profile has it */
    uint8_t(*first)[16] = xcalloc(s->npractitioners ? s->npractitioners : 1, 16);
    for (size_t i = 0; i < s->ncards; i++) {
        const struct dir_card *c = &s->cards[i];
        struct dir_practitioner *p = &s->practitioners[c->practitioner];
        if (!p->tz || memcmp(c->location, first[c->practitioner], 16) < 0) {
            p->tz = c->tz;
            memcpy(first[c->practitioner], c->location, 16);
        }
    }
    free(first);
    return s;
}

void dir_snapshot_free(struct dir_snapshot *s)
{
    if (!s)
        return;
    free(s->practitioners);
    free(s->cards);
    free(s->services);
    free(s->by_id);
    free(s->cells);
    free(s);
}

long dir_find(const struct dir_snapshot *s, const uint8_t id[16])
{
    if (!s->by_id)
        return -1;
    size_t h = (size_t)id_hash(id) & s->by_id_mask;
    while (s->by_id[h]) {
        uint32_t i = s->by_id[h] - 1;
        if (memcmp(s->practitioners[i].id, id, 16) == 0)
            return i;
        h = (h + 1) & s->by_id_mask;
    }
    return -1;
}

static bool card_matches(const struct dir_snapshot *s, const struct dir_card *c,
                         const struct dir_query *q)
{
    if ((c->techniques & q->techniques) != q->techniques)
        return false;
    if (q->profession >= 0 && c->profession != q->profession)
        return false;
    if (q->condition >= 0 &&
        (q->condition >= DIR_MAX_VOCAB_ID || !(c->conditions & (UINT64_C(1) << q->condition))))
        return false;
    if (q->language == -2 ||
        (q->language >= 0 && !(c->languages & (UINT64_C(1) << q->language))))
        return false;
    if ((c->flags & q->flags_mask) != q->flags_value)
        return false;
    if (q->max_price_cents >= 0 || q->minutes >= 0) {
        const struct dir_practitioner *p = &s->practitioners[c->practitioner];
        bool any = false;
        for (uint32_t k = 0; k < p->nservices && !any; k++) {
            const struct dir_service *sv = &s->services[p->first_service + k];
            any = (q->max_price_cents < 0 || sv->price_cents <= q->max_price_cents) &&
                  (q->minutes < 0 || sv->minutes == q->minutes);
        }
        if (!any)
            return false;
    }
    return true;
}

/* Heap entries during a search: chord squared, then practitioner and location ids. */
struct cand {
    double chord2;
    uint32_t card;
};

static int cand_cmp(const struct dir_snapshot *s, const struct cand *a, const struct cand *b)
{
    if (a->chord2 != b->chord2)
        return a->chord2 < b->chord2 ? -1 : 1;
    const struct dir_card *x = &s->cards[a->card], *y = &s->cards[b->card];
    if (x->order != y->order) /* the ids' first halves decide almost every tie */
        return x->order < y->order ? -1 : 1;
    int c = memcmp(s->practitioners[x->practitioner].id, s->practitioners[y->practitioner].id, 16);
    return c ? c : memcmp(x->location, y->location, 16);
}

/* Sorts h[0..n) by cand_cmp: a radix sort on the chord's bits (non-negative doubles
 * order as their bit patterns do; bytes that every key shares are skipped), then the
 * runs of equal chords (locations shared by several practitioners) by the ids.
 * Several times cheaper than a comparison sort for the hundreds a search by
 * availability keeps.  tmp holds n. */
static void sort_cands(const struct dir_snapshot *s, struct cand *h, struct cand *tmp, size_t n)
{
    struct cand *from = h, *to = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) {
            uint64_t k;
            memcpy(&k, &from[i].chord2, sizeof(k));
            count[((k >> shift) & 0xff) + 1]++;
        }
        bool shared = false;
        for (size_t d = 1; d <= 256 && !shared; d++)
            shared = count[d] == n;
        if (shared)
            continue;
        for (size_t d = 1; d <= 256; d++)
            count[d] += count[d - 1];
        for (size_t i = 0; i < n; i++) {
            uint64_t k;
            memcpy(&k, &from[i].chord2, sizeof(k));
            to[count[(k >> shift) & 0xff]++] = from[i];
        }
        struct cand *t = from;
        from = to;
        to = t;
    }
    if (from != h)
        memcpy(h, from, n * sizeof(*h));
    for (size_t i = 1; i < n; i++) { /* ties: insertion sort within equal chords */
        struct cand x = h[i];
        size_t j = i;
        while (j > 0 && h[j - 1].chord2 == x.chord2 && cand_cmp(s, &h[j - 1], &x) > 0) {
            h[j] = h[j - 1];
            j--;
        }
        h[j] = x;
    }
}

/* The first of s->cells at or after cell, from lo on. */
static size_t lower_bound(const struct dir_snapshot *s, size_t lo, uint32_t cell)
{
    size_t hi = s->ncells;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->cells[mid].cell < cell)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static double chord_to_m(double chord2)
{
    double half = sqrt(chord2) / 2.0;
    if (half > 1.0)
        half = 1.0;
    return 2.0 * DIR_EARTH_RADIUS_M * asin(half);
}

/* Practitioners seen so far (only those with more than one card need a check). */
struct seen {
    uint32_t *slot;
    size_t mask, n;
};

static bool seen_has(const struct seen *st, uint32_t p)
{
    if (!st->slot)
        return false;
    size_t h = ((p + 1) * 2654435761u) & st->mask;
    while (st->slot[h]) {
        if (st->slot[h] == p + 1)
            return true;
        h = (h + 1) & st->mask;
    }
    return false;
}

static bool seen_add(struct seen *st, uint32_t p)
{
    if ((st->n + 1) * 2 > st->mask + 1) {
        size_t size = st->slot ? (st->mask + 1) * 2 : 64;
        uint32_t *ns = xcalloc(size, sizeof(*ns));
        for (size_t i = 0; st->slot && i <= st->mask; i++) {
            if (!st->slot[i])
                continue;
            size_t h = (st->slot[i] * 2654435761u) & (size - 1);
            while (ns[h])
                h = (h + 1) & (size - 1);
            ns[h] = st->slot[i];
        }
        free(st->slot);
        st->slot = ns;
        st->mask = size - 1;
    }
    size_t h = ((p + 1) * 2654435761u) & st->mask;
    while (st->slot[h]) {
        if (st->slot[h] == p + 1)
            return false;
        h = (h + 1) & st->mask;
    }
    st->slot[h] = p + 1;
    st->n++;
    return true;
}

/* A part of the grid a search visits: the cards [first, end) of one cell (or of a
 * whole latitude row's span of columns, when that is wide), and the least chord
 * squared between the query and any point of its box. */
struct unit {
    uint32_t first, end;
    double bound;
};

static int unit_cmp(const void *a, const void *b)
{
    const struct unit *x = a, *y = b;
    return x->bound < y->bound ? -1 : x->bound > y->bound;
}

static double lon_gap(double lon, double to)
{
    double d = fmod(fabs(to - lon), 360.0);
    return d > 180.0 ? 360.0 - d : d;
}

/* A lower bound of the chord squared from (lat, lon) to any point of the box
 * [la0, la1] x [lo0, lo1] (degrees, lo0 <= lo1, not across the antimeridian):
 * chord^2 = 4 (sin^2(dphi/2) + cos phi1 cos phi2 sin^2(dlambda/2)), each term at
 * its least over the box (cos phi at the largest |latitude| involved). */
static double box_bound(double lat, double lon, double la0, double la1, double lo0, double lo1)
{
    double dlat = lat < la0 ? la0 - lat : lat > la1 ? lat - la1 : 0.0;
    double dlon = lon >= lo0 && lon <= lo1 ? 0.0 : fmin(lon_gap(lon, lo0), lon_gap(lon, lo1));
    double top = fmin(90.0, fmax(fabs(lat), fmax(fabs(la0), fabs(la1))));
    double c = cos(rad(top)), a = sin(rad(dlat) / 2.0), o = sin(rad(dlon) / 2.0);
    return 4.0 * (a * a + c * c * o * o) * (1.0 - 1e-9); /* a margin for rounding */
}

/* Cells narrower than this many columns are visited one by one, nearest first. */
#define UNIT_MAX_COLS 64u

/* Appends the units of row's columns [c0, c1]. */
static void add_units(const struct dir_snapshot *s, uint32_t row, uint32_t c0, uint32_t c1,
                      double lat, double lon, struct unit **u, size_t *n, size_t *cap)
{
    const double e = 1e-9; /* cards sit in their cell up to rounding */
    double la0 = row * CELL_DEG - 90.0 - e, la1 = (row + 1) * CELL_DEG - 90.0 + e;
    uint32_t base = row * LON_CELLS;
    size_t i = lower_bound(s, 0, base + c0);
    if (s->cells[i].cell > base + c1)
        return;
    bool whole = c1 - c0 + 1 > UNIT_MAX_COLS;
    size_t j = whole ? lower_bound(s, i, base + c1 + 1) : i + 1;
    for (; s->cells[i].cell <= base + c1; i = j, j = whole ? j : j + 1) {
        double lo0, lo1;
        if (whole) {
            lo0 = c0 * CELL_DEG - 180.0 - e;
            lo1 = fmin((c1 + 1) * CELL_DEG - 180.0, 180.0) + e; /* columns past 180: none */
        } else {
            uint32_t col = s->cells[i].cell - base;
            lo0 = col * CELL_DEG - 180.0 - e;
            lo1 = (col + 1) * CELL_DEG - 180.0 + e;
        }
        reserve((void **)u, cap, *n + 1, sizeof(**u));
        (*u)[(*n)++] = (struct unit){s->cells[i].first, s->cells[j].first,
                                     box_bound(lat, lon, la0, la1, lo0, lo1)};
        if (whole)
            break;
    }
}

/* Is a card at chord squared d2 (of practitioner pid) at or before the cursor?
 * Decided on chords, except within a hair of the cursor, where the distance in
 * metres (as the cursor holds it) and the id decide, as they did for the last page. */
static bool before_cursor(const struct dir_query *q, double c2, double d2, const uint8_t *pid)
{
    if (d2 < c2 * (1.0 - 1e-9))
        return true;
    if (d2 > c2 * (1.0 + 1e-9))
        return false;
    double dist = chord_to_m(d2);
    return dist < q->cursor_dist ||
           (dist == q->cursor_dist && memcmp(pid, q->cursor_id, 16) <= 0);
}

/* Moves the k best of h[0..n) (k <= n, by cand_cmp, a total order) to h[0..k), in no
 * order but the k-th best last (a quickselect); returns that one's chord. */
static double keep_best(const struct dir_snapshot *s, struct cand *h, size_t n, size_t k)
{
    size_t lo = 0, hi = n, want = k - 1;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        struct cand t = h[mid];
        h[mid] = h[hi - 1];
        h[hi - 1] = t;
        size_t at = lo;
        for (size_t i = lo; i < hi - 1; i++)
            if (cand_cmp(s, &h[i], &h[hi - 1]) < 0) {
                t = h[i];
                h[i] = h[at];
                h[at++] = t;
            }
        t = h[at];
        h[at] = h[hi - 1];
        h[hi - 1] = t;
        if (at == want)
            break;
        if (at < want)
            lo = at + 1;
        else
            hi = at;
    }
    return h[want].chord2; /* (the range left holds want alone, or it was the pivot) */
}

/* Visits units in order of their bound and keeps the k best candidates after the
 * cursor: candidates gather in a buffer of 2k, which a quickselect cuts back to the k
 * best when full (the k-th then bounds what may enter, and which units are still worth
 * a visit); stops when no unit left can hold a better one.  Then takes them in order,
 * one per practitioner.  Returns how many it wrote, or -1 when candidates were dropped
 * and too few practitioners came out of the k kept (k must grow). */
static long search_k(const struct dir_snapshot *s, const struct dir_query *q,
                     const struct unit *units, size_t nunits, const double v[3], double max2,
                     double c2, size_t k, struct dir_hit *out, size_t max)
{
    size_t cap = 2 * k, n = 0;
    struct cand *h = xmalloc(cap * sizeof(*h));
    bool cut = false;  /* candidates were dropped: h holds the best k and later ones */
    double worst = 0;  /* after a cut: the k-th best's chord */
    double past_cursor = c2 * (1.0 + 1e-9);
    struct seen before = {0}, seen = {0};
    for (size_t u = 0; u < nunits; u++) {
        if (cut && units[u].bound > worst && units[u].bound > past_cursor)
            break; /* nothing nearer than the k-th is left, nor before the cursor */
        for (uint32_t i = units[u].first; i < units[u].end; i++) {
            const struct dir_card *c = &s->cards[i];
            double dx = c->x - v[0], dy = c->y - v[1], dz = c->z - v[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            if (d2 > max2 || (cut && d2 > worst && d2 > past_cursor) || !card_matches(s, c, q))
                continue;
            const struct dir_practitioner *p = &s->practitioners[c->practitioner];
            if (q->has_cursor && before_cursor(q, c2, d2, p->id)) {
                /* shown on an earlier page: none of its other locations is shown */
                if (p->ncards > 1)
                    seen_add(&before, c->practitioner);
                continue;
            }
            h[n++] = (struct cand){d2, i};
            if (n == cap) {
                worst = keep_best(s, h, n, k);
                n = k;
                cut = true;
            }
        }
    }
    if (cut && n > k)
        keep_best(s, h, n, k);
    if (cut)
        n = k;
    struct cand *tmp = xmalloc((n ? n : 1) * sizeof(*tmp));
    sort_cands(s, h, tmp, n); /* in order, nearest first */
    free(tmp);
    long found = 0;
    for (size_t i = 0; i < n && (size_t)found < max; i++) {
        const struct dir_card *c = &s->cards[h[i].card];
        const struct dir_practitioner *p = &s->practitioners[c->practitioner];
        if (p->ncards > 1 &&
            (seen_has(&before, c->practitioner) || !seen_add(&seen, c->practitioner)))
            continue; /* a nearer location of this practitioner came first */
        out[found++] = (struct dir_hit){h[i].card, chord_to_m(h[i].chord2)};
    }
    if (cut && (size_t)found < max)
        found = -1;
    free(h);
    free(before.slot);
    free(seen.slot);
    return found;
}

long dir_search(const struct dir_snapshot *s, const struct dir_query *q, struct dir_hit *out,
                size_t max)
{
    if (max == 0 || s->ncards == 0)
        return 0;
    double theta = q->radius_m / DIR_EARTH_RADIUS_M;
    double max2 = theta >= M_PI ? 4.0 : 4.0 * sin(theta / 2.0) * sin(theta / 2.0);
    double phi = rad(q->lat), lambda = rad(q->lon);
    const double v[3] = {cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi)};
    double theta_deg = theta * 180.0 / M_PI;
    double lat0 = q->lat - theta_deg, lat1 = q->lat + theta_deg;
    /* the longitudes a spherical cap spans: asin(sin theta / cos lat), all of them
     * when it holds a pole */
    bool all_lon = lat0 <= -89.9 || lat1 >= 89.9 || sin(theta) >= cos(phi);
    double dlon = all_lon ? 180.0 : asin(sin(theta) / cos(phi)) * 180.0 / M_PI + CELL_DEG;
    uint32_t r0 = lat_row(lat0 < -90 ? -90 : lat0), r1 = lat_row(lat1 > 90 ? 90 : lat1);
    uint32_t spans[2][2];
    size_t nspans = 0;
    double lon0 = q->lon - dlon, lon1 = q->lon + dlon;
    if (all_lon || dlon >= 180.0) {
        spans[nspans][0] = 0;
        spans[nspans++][1] = LON_CELLS - 1;
    } else {
        if (lon0 < -180.0) { /* wraps west of the antimeridian */
            spans[nspans][0] = lon_col(lon0 + 360.0);
            spans[nspans++][1] = LON_CELLS - 1;
            lon0 = -180.0;
        }
        if (lon1 > 180.0) {
            spans[nspans][0] = 0;
            spans[nspans++][1] = lon_col(lon1 - 360.0);
            lon1 = 180.0;
        }
        spans[nspans][0] = lon_col(lon0);
        spans[nspans++][1] = lon_col(lon1);
    }
    struct unit *units = NULL;
    size_t nunits = 0, cap = 0;
    for (uint32_t row = r0; row <= r1; row++)
        for (size_t i = 0; i < nspans; i++)
            add_units(s, row, spans[i][0], spans[i][1], q->lat, q->lon, &units, &nunits, &cap);
    size_t kept = 0;
    for (size_t i = 0; i < nunits; i++) /* units wholly outside the circle */
        if (units[i].bound <= max2)
            units[kept++] = units[i];
    if (kept > 1)
        qsort(units, kept, sizeof(*units), unit_cmp);
    double c2 = 0.0;
    if (q->has_cursor) {
        double half = sin(q->cursor_dist / DIR_EARTH_RADIUS_M / 2.0);
        c2 = 4.0 * half * half;
    }
    /* room for practitioners with several locations; more when that was not enough */
    long found = -1;
    for (size_t k = max + max / 2 + 16; found < 0; k *= 4)
        found = search_k(s, q, units, kept, v, max2, c2, k, out, max);
    free(units);
    return found;
}

uint64_t dir_next_pack(int64_t next, int64_t valid_until)
{
    int64_t valid_min = valid_until / 60;
    if (valid_min <= 0 || valid_min > UINT32_MAX)
        return 0;
    uint64_t hi;
    if (next < 0)
        hi = 0;
    else if (next % 60 != 0 || next / 60 <= 0 || next / 60 > UINT32_MAX)
        return 0; /* not on a minute: not kept */
    else
        hi = (uint64_t)(next / 60);
    return hi << 32 | (uint64_t)valid_min;
}

bool dir_next_unpack(uint64_t packed, int64_t now, int64_t *next)
{
    int64_t valid_min = (int64_t)(packed & UINT32_MAX);
    if (valid_min == 0 || now >= valid_min * 60)
        return false;
    uint64_t hi = packed >> 32;
    *next = hi ? (int64_t)hi * 60 : -1;
    return true;
}

bool dir_next_survives_booking(uint64_t packed, int64_t from, int64_t to)
{
    if (packed == 0)
        return false;
    uint64_t hi = packed >> 32;
    if (hi == 0)
        return true; /* nothing free stays nothing free */
    int64_t t = (int64_t)hi * 60;
    return to <= t - DIR_REACH_BEFORE_S || from >= t + DIR_REACH_AFTER_S;
}

bool dir_uuid_parse(const char *text, uint8_t out[16])
{
    size_t k = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return false;
            continue;
        }
        int hi = hex_digit(text[i]);
        int lo = hi < 0 ? -1 : hex_digit(text[++i]);
        if (lo < 0)
            return false;
        out[k++] = (uint8_t)(hi << 4 | lo);
    }
    return text[36] == '\0';
}

void dir_uuid_format(const uint8_t id[16], char out[37])
{
    static const char digits[] = "0123456789abcdef";
    size_t k = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[k++] = '-';
        out[k++] = digits[id[i] >> 4];
        out[k++] = digits[id[i] & 15];
    }
    out[k] = '\0';
}

/* --- the text of a card row (store/directory_index.h) --------------------------- */

bool dir_parse_ids(const char *text, int *ids, size_t max, size_t *n)
{
    *n = 0;
    if (*text++ != '{')
        return false;
    while (*text && *text != '}') {
        char *end;
        long v = strtol(text, &end, 10);
        if (end == text || *n == max)
            return false;
        ids[(*n)++] = (int)v;
        text = *end == ',' ? end + 1 : end;
    }
    return *text == '}';
}

bool dir_parse_langs(const char *text, char (*codes)[3], size_t max, size_t *n)
{
    *n = 0;
    if (*text++ != '{')
        return false;
    while (*text && *text != '}') {
        if (*n == max || text[0] < 'a' || text[0] > 'z' || text[1] < 'a' || text[1] > 'z' ||
            (text[2] != ',' && text[2] != '}'))
            return false;
        codes[*n][0] = text[0];
        codes[*n][1] = text[1];
        codes[(*n)++][2] = '\0';
        text += text[2] == ',' ? 3 : 2;
    }
    return *text == '}';
}

size_t dir_parse_services(const char *text, struct dir_service *out, size_t max)
{
    size_t n = 0;
    while (*text && n < max) {
        char *end;
        long minutes = strtol(text, &end, 10);
        if (*end != ':')
            break;
        long price = strtol(end + 1, &end, 10);
        out[n++] = (struct dir_service){(int32_t)minutes, (int32_t)price};
        if (*end != ',')
            break;
        text = end + 1;
    }
    return n;
}
