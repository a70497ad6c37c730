/* storage_util.c - small things the storage handlers share (see
 * storage_api.h). */
#include <string.h>

#include "db/db.h"
#include "dm.h"
#include "storage_api.h"

const char *xd_storage_rec_str(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

bool xd_storage_rec_bool(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_BOOL && v->u.b;
}

int64_t xd_storage_rec_int(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_INT ? v->u.i : 0;
}

