/* Process-wide state shared by the server and the handlers. */
#include "core/app.h"

struct app app;
