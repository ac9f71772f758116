/* Weekly hours as the staff write them: "HH:MM" times and the overlap of two weekly
 * rules (a rule past midnight runs into the next day; Sunday night into Monday).
 * Pure: no I/O. */
#ifndef CLINICD_DOMAIN_WEEKLY_HOURS_H
#define CLINICD_DOMAIN_WEEKLY_HOURS_H

#include <stdbool.h>
#include <stdint.h>

/* One weekly rule: weekday 1 (Monday) to 7, minutes of the day, valid between two
 * days since the epoch (WEEK_RULE_OPEN_FROM and WEEK_RULE_OPEN_TO when unbounded). */
struct week_rule {
    int weekday, start_min, end_min;
    int64_t from_day, to_day;
};
#define WEEK_RULE_OPEN_FROM ((int64_t)INT32_MIN)
#define WEEK_RULE_OPEN_TO ((int64_t)INT32_MAX)

/* "09:30" -> 570; -1 when s is NULL or not HH:MM (00:00 to 23:59). */
int hhmm_minutes(const char *s);

/* Do the two rules share a minute of some week while both are valid? */
bool week_rules_overlap(const struct week_rule *x, const struct week_rule *y);

#include "util/banned.h"
#endif
