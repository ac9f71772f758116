/* The practitioner search's query: parsed from the request's parameters into one
 * struct (search_parse), with the place and the vocabulary looked up through a table
 * of functions (the database's in the handler, a table's in the unit tests). */
#ifndef CLINICD_DIRECTORY_SEARCH_H
#define CLINICD_DIRECTORY_SEARCH_H

#include <stdbool.h>

#include "api/common.h"
#include "cache/vocab.h"
#include "domain/card_index.h"
#include "domain/cursor.h"
#include "store/directory_search.h"

#define SEARCH_MAX_TECHNIQUES 10
/* matches examined when filtering or ordering by availability */
#define SEARCH_CANDIDATES 300

/* A search, in the database's form (sql: SQL text, pointing into the buffers below,
 * so a struct search is not copied) and in the index's (index). */
struct search {
    struct store_search_params sql;
    struct dir_query index;
    bool use_index;       /* near a place, no free text, every filter the index knows */
    bool have_near;       /* a place was resolved */
    char kind;            /* the order asked: 'd' distance, 'n' name, 'a' next available */
    char sql_kind;        /* the order matches are read in: 'd' or 'n' */
    long limit;           /* items on a page */
    long within;          /* available_within_days, 0 when not asked */
    long want;            /* matches to read: limit + 1, or SEARCH_CANDIDATES */
    bool have_cursor;
    struct cursor cursor;
    const char *minutes;  /* session_minutes as text, NULL when not asked */
    const char *language; /* two letters, NULL when not asked */
    char lat_s[32], lon_s[32], radius_s[32], tech_s[128], prof_s[16], cond_s[16];
    char acc_s[8], home_s[8], wheel_s[8], slide_s[8], price_s[24], mins_s[16];
    char key_s[CURSOR_MAX_KEY], id_s[40], limit_s[24];
};

/* How a parse looks a place and a term up.  Each returns DB_OK with *found (place:
 * having recorded the problem on field "near" in in when not found), or the failure
 * of the read. */
struct search_lookups {
    enum db_status (*place)(void *ctx, struct input *in, const char *near, bool *found,
                            double *lat, double *lon);
    enum db_status (*term)(void *ctx, enum vocab_kind kind, const char *text, int *id,
                           bool *found);
    void *ctx;
};

/* Parses in's query parameters into out, recording every problem in in (input_ok
 * says whether there was one).  Any status but DB_OK: a lookup failed, the parse
 * stopped there (reply_failure with it). */
enum db_status search_parse(struct input *in, const struct search_lookups *look,
                            struct search *out);

#include "util/banned.h"
#endif
