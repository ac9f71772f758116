/* The practitioner search's query parameters into a struct search (see search.h).
 * Problems are recorded in the order the parameters are read, as before this was a
 * function of its own. */
#include "directory/search.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cache/index_keeper.h"
#include "util/parse.h"

static const char *const search_params[] = {
    "near", "radius_km", "technique", "profession", "condition", "q", "language",
    "accepting_new", "home_visits", "wheelchair_accessible", "sliding_scale", "max_price",
    "session_minutes", "available_within_days", "sort", "limit", "cursor", NULL};

/* near and radius_km.  kind: distance when near is given (even when unknown). */
static enum db_status parse_place(struct input *in, const struct search_lookups *look,
                                  struct search *out)
{
    const char *near = q_str(in, "near", 200);
    out->kind = near ? 'd' : 'n';
    if (near) {
        double lat, lon;
        bool found;
        enum db_status st = look->place(look->ctx, in, near, &found, &lat, &lon);
        if (st != DB_OK)
            return st;
        if (found) {
            out->have_near = true;
            out->index.lat = lat;
            out->index.lon = lon;
            snprintf(out->lat_s, sizeof(out->lat_s), "%.7f", lat);
            snprintf(out->lon_s, sizeof(out->lon_s), "%.7f", lon);
            out->sql.lat = out->lat_s;
            out->sql.lon = out->lon_s;
        }
    }
    double radius_km = 25;
    if (q_double(in, "radius_km", 0.1, 500, &radius_km) && !near)
        input_error(in, "radius_km", false, "radius_km needs near");
    snprintf(out->radius_s, sizeof(out->radius_s), "%.3f", radius_km * 1000.0);
    out->index.radius_m = radius_km * 1000.0;
    out->sql.radius_m = out->radius_s;
    return DB_OK;
}

/* A term of the vocabulary: *id and *found; a problem on key when unknown. */
static enum db_status lookup_term(struct input *in, const struct search_lookups *look,
                                  enum vocab_kind kind, const char *key, const char *text,
                                  int *id, bool *found)
{
    *id = -1;
    enum db_status st = look->term(look->ctx, kind, text, id, found);
    if (st == DB_OK && !*found)
        input_error(in, key, false, "%s: \"%.80s\" is not a known %s", key, text, key);
    return st;
}

/* Every technique is required: "{3,7}" for the database when all are known, a bit
 * mask for the index (which cannot answer for ids past DIR_MAX_VOCAB_ID). */
static enum db_status parse_techniques(struct input *in, const struct search_lookups *look,
                                       struct search *out)
{
    const char *techs[SEARCH_MAX_TECHNIQUES];
    size_t ntech = q_all(in, "technique", techs, SEARCH_MAX_TECHNIQUES);
    if (!ntech)
        return DB_OK;
    int ids[SEARCH_MAX_TECHNIQUES];
    size_t nids = 0;
    bool all = true;
    for (size_t i = 0; i < ntech; i++) {
        int id;
        bool found;
        enum db_status st = lookup_term(in, look, VOCAB_TECHNIQUE, "technique", techs[i], &id,
                                        &found);
        if (st != DB_OK)
            return st;
        all = all && found;
        bool dup = false; /* "MFR" and "myofascial-release" are one technique */
        for (size_t k = 0; k < nids; k++)
            dup = dup || ids[k] == id;
        if (found && !dup)
            ids[nids++] = id;
        if (found && (id < 0 || id >= DIR_MAX_VOCAB_ID))
            out->use_index = false;
        else if (found)
            out->index.techniques |= UINT64_C(1) << id;
    }
    size_t len = 0;
    out->tech_s[len++] = '{';
    for (size_t k = 0; k < nids; k++)
        len += (size_t)snprintf(out->tech_s + len, sizeof(out->tech_s) - len, "%s%d",
                                k ? "," : "", ids[k]);
    snprintf(out->tech_s + len, sizeof(out->tech_s) - len, "}");
    if (all)
        out->sql.technique_ids = out->tech_s;
    return DB_OK;
}

/* profession or condition: one term, text into buf for the database, id for the index. */
static enum db_status parse_term(struct input *in, const struct search_lookups *look,
                                 enum vocab_kind kind, const char *key, char *buf, size_t size,
                                 const char **sql, int *index)
{
    const char *text = q_str(in, key, 100);
    if (!text)
        return DB_OK;
    int id;
    bool found;
    enum db_status st = lookup_term(in, look, kind, key, text, &id, &found);
    if (st != DB_OK)
        return st;
    snprintf(buf, size, "%d", id);
    *sql = found ? buf : NULL;
    *index = id;
    return DB_OK;
}

static void parse_flag(struct input *in, const char *key, char *buf, const char **sql,
                       struct dir_query *dq, uint8_t flag)
{
    bool b;
    if (q_bool(in, key, &b)) {
        snprintf(buf, 8, "%s", b ? "true" : "false");
        *sql = buf;
        dq->flags_mask |= flag;
        if (b)
            dq->flags_value |= flag;
    }
}

/* q, language, the yes/no filters, max_price, session_minutes, available_within_days. */
static void parse_filters(struct input *in, struct search *out)
{
    const char *q = q_str(in, "q", 200);
    if (q && !*q)
        input_error(in, "q", false, "q must not be empty");
    out->sql.q = q && *q ? q : NULL;
    const char *lang = q_str(in, "language", 8);
    if (lang) {
        if (strlen(lang) == 2 && lang[0] >= 'a' && lang[0] <= 'z' && lang[1] >= 'a' &&
            lang[1] <= 'z')
            out->sql.language = out->language = lang;
        else
            input_error(in, "language", false, "language must be a two-letter ISO 639-1 code such as en or es");
    }
    struct dir_query *dq = &out->index;
    parse_flag(in, "accepting_new", out->acc_s, &out->sql.accepting_new, dq, DIR_ACCEPTING);
    parse_flag(in, "home_visits", out->home_s, &out->sql.home_visits, dq, DIR_HOME_VISITS);
    parse_flag(in, "wheelchair_accessible", out->wheel_s, &out->sql.wheelchair_accessible, dq,
               DIR_WHEELCHAIR);
    parse_flag(in, "sliding_scale", out->slide_s, &out->sql.sliding_scale, dq, DIR_SLIDING);
    double max_price;
    if (q_double(in, "max_price", 0, 100000, &max_price)) {
        snprintf(out->price_s, sizeof(out->price_s), "%ld", (long)llround(max_price * 100.0));
        dq->max_price_cents = (int32_t)llround(max_price * 100.0);
        out->sql.max_price_cents = out->price_s;
    }
    long minutes;
    if (q_long(in, "session_minutes", 5, 480, &minutes)) {
        snprintf(out->mins_s, sizeof(out->mins_s), "%ld", minutes);
        dq->minutes = (int32_t)minutes;
        out->sql.minutes = out->minutes = out->mins_s;
    }
    q_long(in, "available_within_days", 1, DIRINDEX_NEXT_DAYS, &out->within);
}

/* sort, limit and cursor. */
static void parse_order(struct input *in, struct search *out)
{
    const char *sort = q_str(in, "sort", 20);
    if (sort) {
        if (strcmp(sort, "distance") == 0) {
            if (out->kind != 'd')
                input_error(in, "sort", false, "sort=distance needs near");
            out->kind = 'd';
        } else if (strcmp(sort, "name") == 0) {
            out->kind = 'n';
        } else if (strcmp(sort, "next_available") == 0) {
            out->kind = 'a';
        } else {
            input_error(in, "sort", false, "sort must be distance, next_available or name");
        }
    }
    q_long(in, "limit", 1, 100, &out->limit);
    const char *cur = q_str(in, "cursor", CURSOR_MAX_TEXT);
    if (!cur)
        return;
    struct cursor *c = &out->cursor;
    double d;
    long long a;
    if (cursor_decode(cur, c) < 0 || c->kind != out->kind ||
        (out->kind == 'd' && parse_double(c->key, 0, 1e8, &d) != 0) ||
        (out->kind == 'a' && sscanf(c->key, "%lld", &a) != 1))
        input_error(in, "cursor", false,
                    "cursor is not one this search produced; start again without it");
    else
        out->have_cursor = true;
}

/* What follows from the parameters: the order read, how many, the keyset, whether the
 * index can answer. */
static void plan(struct search *out)
{
    /* Availability is computed here, not in SQL: with the filter or that order, the
     * search looks at up to SEARCH_CANDIDATES matches in distance (or name) order. */
    bool by_availability = out->kind == 'a' || out->within > 0;
    out->sql_kind = out->kind == 'a' ? (out->have_near ? 'd' : 'n') : out->kind;
    if (out->have_cursor && out->kind != 'a') {
        snprintf(out->key_s, sizeof(out->key_s), "%s", out->cursor.key);
        snprintf(out->id_s, sizeof(out->id_s), "%s", out->cursor.id);
        out->sql.cursor_key = out->key_s;
        out->sql.cursor_id = out->id_s;
    }
    out->want = by_availability ? (long)SEARCH_CANDIDATES : out->limit + 1;
    snprintf(out->limit_s, sizeof(out->limit_s), "%ld", out->want);
    out->sql.limit = out->limit_s;
    /* Near a place and without free text, the index in memory answers (the database
     * while it is loading); the same order, filters and cursors either way. */
    struct dir_query *dq = &out->index;
    if (out->have_cursor && out->kind == 'd') {
        dq->has_cursor = parse_double(out->cursor.key, 0, 1e8, &dq->cursor_dist) == 0 &&
                         dir_uuid_parse(out->cursor.id, dq->cursor_id);
        out->use_index = out->use_index && dq->has_cursor;
    }
    out->use_index = out->use_index && out->have_near && out->sql_kind == 'd' && !out->sql.q;
}

static void search_init(struct search *out)
{
    memset(&out->sql, 0, sizeof(out->sql));
    out->index = (struct dir_query){.profession = -1, .condition = -1, .language = -1,
                                    .max_price_cents = -1, .minutes = -1};
    out->use_index = true;
    out->have_near = out->have_cursor = false;
    out->limit = 20;
    out->within = 0;
    out->minutes = out->language = NULL;
    out->cursor.kind = 0;
    out->mins_s[0] = '\0';
}

enum db_status search_parse(struct input *in, const struct search_lookups *look,
                            struct search *out)
{
    search_init(out);
    only_params_of(in, search_params, "a search parameter"); /* a typo must not widen it */
    enum db_status st = parse_place(in, look, out);
    if (st == DB_OK)
        st = parse_techniques(in, look, out);
    if (st == DB_OK)
        st = parse_term(in, look, VOCAB_PROFESSION, "profession", out->prof_s,
                        sizeof(out->prof_s), &out->sql.profession_id, &out->index.profession);
    if (st == DB_OK)
        st = parse_term(in, look, VOCAB_CONDITION, "condition", out->cond_s,
                        sizeof(out->cond_s), &out->sql.condition_id, &out->index.condition);
    if (st != DB_OK)
        return st;
    parse_filters(in, out);
    parse_order(in, out);
    plan(out);
    return DB_OK;
}
