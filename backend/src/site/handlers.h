/* The service's own pages of the API: health, readiness, metrics and the OpenAPI document. */
#ifndef CLINICD_SITE_HANDLERS_H
#define CLINICD_SITE_HANDLERS_H

#include "http/request.h"

void health_live(struct req *r);
void health_ready(struct req *r);
void health_metrics(struct req *r);
void openapi_get(struct req *r);

#include "util/banned.h"
#endif
