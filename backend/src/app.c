/* Process-wide state shared by the server and the handlers. */
#include "app.h"

struct app app;
