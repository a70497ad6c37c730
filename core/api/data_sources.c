/* data_sources.c - get_data_sources, query_data_source, record_data_source
 * and forget_data_source_archives on host, VM and SR: the metrics engine's
 * table (metrics/metrics.h) for the object named by the call's ref. */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "db/db.h"
#include "dm.h"
#include "generic/generic.h"
#include "metrics/metrics.h"
#include "rpc/rpc.h"

/* The engine's kind and the uuid of the call's object (heap), or NULL with
 * HANDLE_INVALID. */
static char *object_of(const xd_call *call, const char **kind, xd_error *err)
{
	const char *ref = xd_arg_str(call, 0);
	if (xd_check_ref(call->cls, ref, err) < 0)
		return NULL;
	*kind = !strcmp(call->cls->name, "VM") ? "vm" : !strcmp(call->cls->name, "SR") ? "sr"
											: "host";
	xd_value *u = xd_db_get_field(call->cls, ref, xd_dm_field_index(call->cls, "uuid"));
	char *uuid = u && u->t == XD_V_STRING ? strdup(u->u.s) : NULL;
	xd_value_free(u);
	if (!uuid)
		xd_error_set(err, "HANDLE_INVALID", call->cls->name, ref, NULL);
	return uuid;
}

static xd_value *h_get_data_sources(const xd_call *call, xd_error *err)
{
	const char *kind;
	char *uuid = object_of(call, &kind, err);
	if (!uuid)
		return NULL;
	xd_value *v = xd_metrics_data_sources(kind, uuid);
	free(uuid);
	return v;
}

static xd_value *h_query_data_source(const xd_call *call, xd_error *err)
{
	const char *kind;
	char *uuid = object_of(call, &kind, err);
	if (!uuid)
		return NULL;
	double v = 0;
	int rc = xd_metrics_query(kind, uuid, xd_arg_str(call, 1), &v, err);
	free(uuid);
	return rc == 0 ? xd_float(v) : NULL;
}

static xd_value *h_record_data_source(const xd_call *call, xd_error *err)
{
	const char *kind;
	char *uuid = object_of(call, &kind, err);
	if (!uuid)
		return NULL;
	int rc = xd_metrics_record(kind, uuid, xd_arg_str(call, 1), err);
	free(uuid);
	return rc == 0 ? xd_nil() : NULL;
}

static xd_value *h_forget_data_source_archives(const xd_call *call, xd_error *err)
{
	const char *kind;
	char *uuid = object_of(call, &kind, err);
	if (!uuid)
		return NULL;
	int rc = xd_metrics_forget(kind, uuid, xd_arg_str(call, 1), err);
	free(uuid);
	return rc == 0 ? xd_nil() : NULL;
}

void xd_api_data_sources_register(void)
{
	static const char *const classes[] = { "host", "VM", "SR" };
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		xd_rpc_register(classes[i], "get_data_sources", h_get_data_sources);
		xd_rpc_register(classes[i], "query_data_source", h_query_data_source);
		xd_rpc_register(classes[i], "record_data_source", h_record_data_source);
		xd_rpc_register(classes[i], "forget_data_source_archives",
				h_forget_data_source_archives);
	}
}
