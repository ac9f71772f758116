/* Weekly hours as the staff write them: times of day and the overlap of rules. */
#include "domain/weekly_hours.h"

#include <string.h>

#include "util/parse.h"

int hhmm_minutes(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    long h, m;
    char hh[3] = {s[0], s[1], 0}, mm[3] = {s[3], s[4], 0};
    if (parse_long(hh, 0, 23, &h) != 0 || parse_long(mm, 0, 59, &m) != 0)
        return -1;
    return (int)(h * 60 + m);
}

/* Minutes of the week a rule covers, as [a, b) within 0..2*10080 (past-midnight rules
 * run into the next day). */
static void week_span(const struct week_rule *ru, int *a, int *b)
{
    *a = (ru->weekday - 1) * 1440 + ru->start_min;
    *b = (ru->weekday - 1) * 1440 + ru->end_min + (ru->end_min <= ru->start_min ? 1440 : 0);
}

bool week_rules_overlap(const struct week_rule *x, const struct week_rule *y)
{
    if (x->to_day < y->from_day || y->to_day < x->from_day)
        return false;
    int a1, b1, a2, b2;
    week_span(x, &a1, &b1);
    week_span(y, &a2, &b2);
    for (int shift = -10080; shift <= 10080; shift += 10080) /* Sunday night into Monday */
        if (a1 < b2 + shift && a2 + shift < b1)
            return true;
    return false;
}
