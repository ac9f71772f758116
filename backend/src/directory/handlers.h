/* The directory's routes: vocabulary, places, practitioner search and profiles. */
#ifndef CLINICD_DIRECTORY_HANDLERS_H
#define CLINICD_DIRECTORY_HANDLERS_H

#include "core/owner.h"
#include "http/request.h"

void directory_professions(struct req *r);
void directory_techniques(struct req *r);
void directory_conditions(struct req *r);
void places_search(struct req *r);
void practitioners_search(struct req *r);
void practitioners_profile(struct req *r);
/* Profiles answered from memory, and looked up there in vain, so far. */
void practitioners_profile_counts(long *hits, long *misses);
/* The profile cache's owner: its /metrics lines (clinicd_profiles_total). */
extern const struct owner profiles_owner;

#include "util/banned.h"
#endif
