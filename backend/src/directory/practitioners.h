/* The profiles' cache (directory/practitioners.c): its counts and its owner. */
#ifndef CLINICD_DIRECTORY_PRACTITIONERS_H
#define CLINICD_DIRECTORY_PRACTITIONERS_H

#include "core/owner.h"

/* Profiles answered from memory, and looked up there in vain, so far. */
void practitioners_profile_counts(long *hits, long *misses);
/* The profile cache's owner: its /metrics lines (clinicd_profiles_total). */
extern const struct owner profiles_owner;

#include "util/banned.h"
#endif
