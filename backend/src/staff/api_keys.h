/* A clinic's API keys, as its admins manage them: the body of a new key. */
#ifndef CLINICD_STAFF_API_KEYS_H
#define CLINICD_STAFF_API_KEYS_H

#include "api/common.h"

#define MAX_ACTIVE_API_KEYS 50

/* {name, scopes}: scopes a list of one or more of read, write, patient_data and
 * audit, each kept once.  out->scopes is a new array (api_key_in_release frees it);
 * out->name is borrowed from body. */
struct api_key_in {
    const char *name;
    json_t *scopes;
};
void api_key_parse(struct input *in, json_t *body, struct api_key_in *out);
void api_key_in_release(struct api_key_in *k);

#include "util/banned.h"
#endif
