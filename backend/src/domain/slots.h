/* Free appointment slots from weekly hours, time off and existing bookings: pure
 * computation with no I/O, so that unit tests and fuzzers call it directly.
 *
 * The daylight-saving rule: slots are laid out in the location's wall-clock time,
 * every step minutes from the start of the hours.  A slot is offered only when its
 * wall-clock start and end both exist and it really lasts the service's length: no
 * slot starts, ends or runs inside the hour that is skipped when clocks go forward.
 * When clocks go back, a repeated wall-clock time means its first occurrence (still
 * on summer time); the second pass through that hour is not offered, so a patient
 * never sees the same "1:30" twice. */
#ifndef CLINICD_SLOTS_H
#define CLINICD_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/tz.h"

#define DAY_UNBOUNDED_LOW INT32_MIN
#define DAY_UNBOUNDED_HIGH INT32_MAX

/* One weekly rule: on ISO weekday (1 Monday .. 7 Sunday), from start_min to end_min
 * minutes after local midnight; end_min <= start_min means the hours run past
 * midnight into the next day.  Valid on local dates valid_from..valid_to (days since
 * 1970-01-01, inclusive). */
struct hours_rule {
    int weekday;
    int start_min, end_min;
    int32_t valid_from, valid_to;
    const struct tz *tz;
    int location;  /* caller's index, copied into the slots */
};

/* A half-open range of instants [start, end), seconds since the epoch. */
struct interval {
    int64_t start, end;
};

struct slot_query {
    const struct hours_rule *rules;
    size_t nrules;
    const struct interval *busy;   /* other bookings, buffers included */
    size_t nbusy;
    const struct interval *off;    /* time off */
    size_t noff;
    int duration_min, buffer_before_min, buffer_after_min, step_min;
    int64_t from, to;           /* offer slots starting in [from, to) */
    int64_t earliest, latest;   /* policy: now + minimum notice, now + horizon */
};

struct slot {
    int64_t start, end;
    int location;
};

/* Writes up to max free slots into out, ordered by start, without duplicates, and
 * returns how many there are in all (which may exceed max).  busy and off need not
 * be sorted.  Returns 0 for nonsensical input (duration or step not positive). */
size_t slots_compute(const struct slot_query *q, struct slot *out, size_t max);
/* The same slots, all of them, in *out (malloc'd, the caller frees it; NULL when
 * there are none); returns how many.  Spares the caller guessing a maximum. */
size_t slots_compute_all(const struct slot_query *q, struct slot **out);

/* What an availability answer says besides its slots. */
struct slots_answer {
    const char *practitioner_id, *service_id;
    const struct tz *tz;               /* every instant is written with its offset here */
    const char *const *location_ids;   /* a slot's location index names one of these */
    size_t nlocations;
};

/* The availability answer {"practitioner_id", "service_id", "timezone", "slots":
 * [{"start", "end", "location_id"}, ...]} for slots v[0..n), written straight into
 * one allocation: the same bytes as jansson's compact dump of those objects (strings
 * escaped as jansson does; a location index out of range is ""), without building
 * them.  Returns the text (malloc'd, NUL-terminated, the caller frees it) and sets
 * *len to its length. */
char *slots_answer_json(const struct slots_answer *a, const struct slot *v, size_t n,
                        size_t *len);

/* True when [start, end) lies inside one window of the weekly rules (a booking that
 * the hours still cover). */
bool slots_within_hours(const struct hours_rule *rules, size_t nrules, int64_t start,
                        int64_t end);

/* The range a booking of [start, end) blocks, buffers included. */
struct interval slots_blocked(int64_t start, int64_t end, int buffer_before_min,
                              int buffer_after_min);

#include "util/banned.h"
#endif
