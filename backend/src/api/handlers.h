/* Every route handler, one group per resource file. */
#ifndef CLINICD_HANDLERS_H
#define CLINICD_HANDLERS_H

#include "http/request.h"

/* health.c */
void health_live(struct req *r);
void health_ready(struct req *r);
void health_metrics(struct req *r);
/* directory.c */
void directory_professions(struct req *r);
void directory_techniques(struct req *r);
void directory_conditions(struct req *r);
/* places.c */
void places_search(struct req *r);
/* practitioners.c */
void practitioners_search(struct req *r);
void practitioners_profile(struct req *r);
/* availability.c */
void availability_get(struct req *r);
/* bookings.c */
void bookings_create(struct req *r);
void bookings_get(struct req *r);
void bookings_cancel(struct req *r);
void bookings_reschedule(struct req *r);
void bookings_ics(struct req *r);
/* series.c */
void series_create(struct req *r);
/* waitlist.c */
void waitlist_create(struct req *r);

#include "util/banned.h"
#endif
