/* The directory's search index in memory: one entry per active practitioner and
 * location (a "card", as in practitioner_cards) with what the structured filters look
 * at, cells of a latitude/longitude grid for nearest-first search, and each
 * practitioner's next free time.  A snapshot is built once and never changed, except
 * for the next free times, which are atomics.  Pure code: the service loads it
 * (cache/index_keeper.c); unit tests build their own. */
#ifndef CLINICD_DOMAIN_CARD_INDEX_H
#define CLINICD_DOMAIN_CARD_INDEX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/tz.h"

/* Vocabulary ids (techniques, conditions) must be below this to be indexed. */
#define DIR_MAX_VOCAB_ID 64
/* Distinct languages the index can tell apart. */
#define DIR_MAX_LANGUAGES 64
/* Mean radius of the sphere PostGIS measures geography distances on (m). */
#define DIR_EARTH_RADIUS_M 6371008.7714

enum { DIR_ACCEPTING = 1, DIR_HOME_VISITS = 2, DIR_SLIDING = 4, DIR_WHEELCHAIR = 8 };

struct dir_service {
    int32_t minutes;
    int32_t price_cents;
};

struct dir_practitioner {
    uint8_t id[16];
    uint32_t first_service, nservices;
    uint16_t ncards;
    const struct tz *tz;  /* of the first location (by id), for next_available */
    /* next free time and until when it holds, packed (dir_next_pack); 0 = unknown */
    _Atomic uint64_t next;
    /* bumped whenever the practitioner's schedule changes */
    _Atomic uint32_t gen;
};

struct dir_card {
    double x, y, z;       /* unit vector of the location */
    uint32_t practitioner;
    uint32_t cell;        /* grid cell, the order of cards[] */
    uint32_t rev;         /* changes when the card is read again */
    uint64_t order;       /* the practitioner id's first 8 bytes, big-endian: ties */
    uint16_t profession;
    uint8_t flags;
    uint8_t location[16];
    uint64_t techniques, conditions, languages;
    const struct tz *tz;
};

struct dir_cell {
    uint32_t cell, first;
};

struct dir_snapshot {
    struct dir_practitioner *practitioners;
    size_t npractitioners;
    struct dir_card *cards; /* ordered by cell */
    size_t ncards;
    struct dir_service *services;
    size_t nservices;
    char languages[DIR_MAX_LANGUAGES][3];
    size_t nlanguages;
    struct dir_cell *cells; /* the non-empty cells in order, and where their cards start */
    size_t ncells;
    uint32_t *by_id;        /* open addressing: practitioner index + 1, 0 = empty */
    size_t by_id_mask;
    long refs;              /* for the keeper (cache/index_keeper.c) */
    bool retired;
};

/* What a builder is given per card.  Practitioners are added first. */
struct dir_card_in {
    uint32_t practitioner; /* index returned by dir_builder_practitioner */
    uint8_t location[16];
    double lat, lon;       /* degrees */
    int profession;
    const int *techniques, *conditions;
    size_t ntechniques, nconditions;
    const char *const *languages; /* two-letter codes */
    size_t nlanguages;
    uint8_t flags;
    const struct tz *tz;
    uint32_t rev;
};

struct dir_builder;
struct dir_builder *dir_builder_new(size_t practitioners_hint, size_t cards_hint);
/* Starts with the languages of old, so that its cards can be copied (may be NULL). */
struct dir_builder *dir_builder_from(const struct dir_snapshot *old, size_t practitioners_hint,
                                     size_t cards_hint);
/* Copies a card of old (built with the same languages) for practitioner index p. */
void dir_builder_copy_card(struct dir_builder *b, const struct dir_card *c, uint32_t p);
/* Adds a practitioner with its active services; returns its index. */
uint32_t dir_builder_practitioner(struct dir_builder *b, const uint8_t id[16],
                                  const struct dir_service *services, size_t nservices);
/* Adds a card; false when it cannot be indexed (a vocabulary id too large, too many
 * languages): the caller then keeps searching in the database. */
bool dir_builder_card(struct dir_builder *b, const struct dir_card_in *c);
/* Finishes the snapshot (sorting cards by cell, the id table) and frees the builder. */
struct dir_snapshot *dir_builder_finish(struct dir_builder *b);
void dir_snapshot_free(struct dir_snapshot *s);

/* The practitioner with this id, or -1. */
long dir_find(const struct dir_snapshot *s, const uint8_t id[16]);

/* A search.  Filters that are "absent" are -1 (numbers) or 0 (masks). */
struct dir_query {
    double lat, lon, radius_m;
    uint64_t techniques;         /* all required */
    int profession, condition;
    int language;                /* index in s->languages; -2: a language nobody speaks */
    uint8_t flags_mask, flags_value;
    int32_t max_price_cents, minutes;
    bool has_cursor;             /* start after (cursor_dist, cursor_id) */
    double cursor_dist;
    uint8_t cursor_id[16];
};

struct dir_hit {
    uint32_t card;
    double dist_m;
};

/* Fills out with up to max matches in order of distance and then practitioner id,
 * one per practitioner (its nearest matching location, ties by location id), after
 * the cursor.  Returns how many. */
long dir_search(const struct dir_snapshot *s, const struct dir_query *q, struct dir_hit *out,
                size_t max);
/* The language's index, or -2 when no card has it. */
int dir_language(const struct dir_snapshot *s, const char *code);

/* Next free times, packed with the instant they stop holding.  next < 0: nothing free
 * in the window looked at.  Returns false for unknown or expired values. */
uint64_t dir_next_pack(int64_t next, int64_t valid_until);
bool dir_next_unpack(uint64_t packed, int64_t now, int64_t *next);
/* The longest a slot's blocked range reaches before its start and after it: the
 * services table's limits (buffers up to 240 minutes, sessions up to 480). */
#define DIR_REACH_BEFORE_S (240 * 60)
#define DIR_REACH_AFTER_S ((480 + 240) * 60)
/* Whether a next free time (packed; 0 = unknown) is still right after a booking
 * that blocks [from, to): a booking only takes time away, so it is unless that
 * range can reach the free slot's own blocked range, whatever its service. */
bool dir_next_survives_booking(uint64_t packed, int64_t from, int64_t to);

/* An id's first 8 bytes, big-endian: orders ids as their bytes (and their text) do. */
uint64_t dir_id_order(const uint8_t id[16]);
/* UUID text <-> 16 bytes; uuid_parse returns false for anything but a UUID. */
bool dir_uuid_parse(const char *text, uint8_t out[16]);
void dir_uuid_format(const uint8_t id[16], char out[37]);

/* The text PostgreSQL writes for a card's columns.  "{1,2,3}" -> ids[0..*n); false
 * when it is not such a list or holds more than max. */
bool dir_parse_ids(const char *text, int *ids, size_t max, size_t *n);
/* "{en,es}" -> codes (two lower-case letters each, else false), at most max. */
bool dir_parse_langs(const char *text, char (*codes)[3], size_t max, size_t *n);
/* "30:4500,60:8000" (minutes:cents) -> services; returns how many (at most max; what
 * follows a malformed one is left out). */
size_t dir_parse_services(const char *text, struct dir_service *out, size_t max);

#include "util/banned.h"
#endif
