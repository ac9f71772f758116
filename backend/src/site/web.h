/* The web pages' handlers (static files, page shells, the pages' configuration). */
#ifndef CLINICD_WEB_H
#define CLINICD_WEB_H

#include "http/request.h"

void web_static(struct req *r);
void web_page(struct req *r);
void web_config(struct req *r);

#include "util/banned.h"
#endif
