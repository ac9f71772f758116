/* What a handler's file includes to read its input and reply: the input checks that
 * collect problems per field (api/input.h), the one reply for a database outcome
 * (api/outcome.h) and the HTTP replies (http/reply.h).  Nothing of its own. */
#ifndef CLINICD_API_COMMON_H
#define CLINICD_API_COMMON_H

#include "api/input.h"
#include "api/outcome.h"
#include "http/reply.h"

#include "util/banned.h"
#endif
