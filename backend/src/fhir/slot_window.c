/* The window of a FHIR Slot search (fhir/slot_window.h). */
#include "fhir/slot_window.h"

bool slot_window_rough(const struct fhir_range *range, int64_t now, int64_t *from, int64_t *to)
{
    int64_t rough_from = range->lo.set ? range->lo.t : now;
    if (range->lo_wall.set && (!range->lo.set || range->lo_wall.t - 86400 > rough_from))
        rough_from = range->lo_wall.t - 86400;
    int64_t rough_to = rough_from + (int64_t)(SLOT_DEFAULT_DAYS + 2) * 86400;
    if (range->hi.set)
        rough_to = range->hi.t;
    if (range->hi_wall.set && (!range->hi.set || range->hi_wall.t + 86400 < rough_to))
        rough_to = range->hi_wall.t + 86400;
    *from = rough_from;
    *to = rough_to;
    return rough_to - rough_from <= (int64_t)(SLOT_MAX_DAYS + 2) * 86400;
}

bool slot_window_exact(const struct fhir_range *range, const struct tz *z, int64_t now,
                       int64_t *from_out, int64_t *to_out)
{
    int64_t from = range->lo.set ? range->lo.t : now;
    if (range->lo_wall.set) {
        int64_t w = fhir_wall_to_utc(z, range->lo_wall.t);
        from = range->lo.set && range->lo.t > w ? range->lo.t : w;
    }
    bool bounded = range->hi.set || range->hi_wall.set;
    int64_t to = range->hi.set ? range->hi.t : INT64_MAX;
    if (range->hi_wall.set) {
        int64_t w = fhir_wall_to_utc(z, range->hi_wall.t);
        to = w < to ? w : to;
    }
    if (!bounded)
        to = from + (int64_t)SLOT_DEFAULT_DAYS * 86400;
    *from_out = from;
    *to_out = to;
    return to - from <= (int64_t)SLOT_MAX_DAYS * 86400 + 7200;
}
