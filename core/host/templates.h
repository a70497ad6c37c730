/* templates.h - the default template catalogue (templates.c), private to
 * core/host/. */
#ifndef XD_HOST_TEMPLATES_H
#define XD_HOST_TEMPLATES_H

#include <stdint.h>

#include "error.h"

/* Makes the catalogue's templates the db lacks and writes the catalogue's
 * settings over the default templates it has; user templates untouched.
 * One transaction. -1 with INTERNAL_ERROR if the catalogue is broken. */
int xd_templates_refresh(xd_error *err);

/* "10G", "512M", "128" -> bytes (K, M, G, T: powers of 1024); -1 if
 * malformed. Pure. */
int64_t xd_templates_amount(const char *s);

#endif
