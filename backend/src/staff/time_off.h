/* A practitioner's time off: the body of the time-off route, read into a struct. */
#ifndef CLINICD_STAFF_TIME_OFF_H
#define CLINICD_STAFF_TIME_OFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/common.h"

#define TIME_OFF_MAX_SECONDS (366LL * 86400)

/* POST .../time-off: {start, end, reason?, cancel_stranded?} (the caller checked the
 * members): instants with end after start, at most TIME_OFF_MAX_SECONDS apart.
 * reason points into body. */
struct time_off_body {
    int64_t start, end;
    const char *reason;
    bool cancel;
};
bool time_off_parse(struct input *in, json_t *body, struct time_off_body *out);

#include "util/banned.h"
#endif
