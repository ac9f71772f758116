/* The window of a FHIR Slot search: from its start parameters (fhir/params.h's range)
 * to the instants whose slots are computed.  Pure. */
#ifndef CLINICD_FHIR_SLOT_WINDOW_H
#define CLINICD_FHIR_SLOT_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/tz.h"
#include "fhir/params.h"

#define SLOT_DEFAULT_DAYS 14 /* from now (or the lower bound) when there is no upper one */
#define SLOT_MAX_DAYS 62

/* A first, rough window to load the schedule with, before its time zone is known:
 * wall-clock bounds taken a day wide; now when there is no lower bound.  False when
 * it is longer than SLOT_MAX_DAYS (and two days). */
bool slot_window_rough(const struct fhir_range *range, int64_t now, int64_t *from, int64_t *to);
/* The exact window in zone z: wall-clock bounds placed in z, the narrower bound of
 * each side kept; SLOT_DEFAULT_DAYS from the start when there is no upper bound; now
 * when there is no lower one.  False when it is longer than SLOT_MAX_DAYS (and two
 * hours, for a change of offset). */
bool slot_window_exact(const struct fhir_range *range, const struct tz *z, int64_t now,
                       int64_t *from, int64_t *to);

#include "util/banned.h"
#endif
