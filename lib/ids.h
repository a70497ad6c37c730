/* ids.h - references and UUIDs.
 * Refs are "OpaqueRef:<uuid>"; the null ref is "OpaqueRef:NULL". Random
 * bytes come from getrandom(2). Returned strings are heap copies. */
#ifndef XD_IDS_H
#define XD_IDS_H

#include <stdbool.h>

#define XD_NULL_REF "OpaqueRef:NULL"

char *xd_uuid_new(void);
char *xd_ref_new(void);
bool xd_uuid_valid(const char *s);
bool xd_ref_is_null(const char *ref); /* NULL, "", "OpaqueRef:NULL" */

#endif
