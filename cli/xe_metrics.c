/* xe_metrics.c - the data-source commands of xe:
 *   host-data-source-list [host-uuid=], vm-data-source-list uuid=,
 *   sr-data-source-list uuid= (and -query data-source=, -record
 *   data-source=, -forget data-source=), over the XenAPI calls
 *   <class>.get_data_sources, query_data_source, record_data_source and
 *   forget_data_source_archives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_util.h"

/* The object a command is about: uuid= (the host: host-uuid= or uuid=,
 * else the only host or the pool's master). NULL after printing why. */
static char *object_ref(xe_client *x, const xe_opts *o, const char *cls)
{
	if (!strcmp(cls, "host") && !xe_opts_get(o, "host-uuid") && xe_opts_get(o, "uuid"))
		return xe_client_ref_by_uuid(x, cls, xe_opts_get(o, "uuid"));
	if (!strcmp(cls, "host"))
		return xe_host_ref(x, o);
	const char *uuid = xe_opts_get(o, "uuid");
	if (uuid)
		return xe_client_ref_by_uuid(x, cls, uuid);
	fprintf(stderr, "Required parameter not found: uuid\n");
	return NULL;
}

static const char *str_of(const xd_value *rec, const char *k)
{
	const xd_value *v = xd_struct_get(rec, k);
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static double num_of(const xd_value *rec, const char *k)
{
	const xd_value *v = xd_struct_get(rec, k);
	return v && v->t == XD_V_FLOAT ? v->u.f : v && v->t == XD_V_INT ? (double)v->u.i : 0;
}

static const char *bool_of(const xd_value *rec, const char *k)
{
	const xd_value *v = xd_struct_get(rec, k);
	return v && v->t == XD_V_BOOL && v->u.b ? "true" : "false";
}

/* As upstream xe prints them: one block per source. */
static void print_sources(const xd_value *list)
{
	for (size_t i = 0; list && list->t == XD_V_ARRAY && i < list->u.arr.n; i++) {
		const xd_value *r = list->u.arr.items[i];
		if (i)
			printf("\n");
		printf("name_label ( RO): %s\n", str_of(r, "name_label"));
		printf("    name_description ( RO): %s\n", str_of(r, "name_description"));
		printf("             enabled ( RO): %s\n", bool_of(r, "enabled"));
		printf("            standard ( RO): %s\n", bool_of(r, "standard"));
		printf("                 min ( RO): %.3f\n", num_of(r, "min"));
		printf("                 max ( RO): %.3f\n", num_of(r, "max"));
		printf("               units ( RO): %s\n", str_of(r, "units"));
	}
}

/* One data-source command: op "list", "query", "record" or "forget". */
static int data_source_cmd(xe_client *x, const xe_opts *o, const char *cls, const char *op)
{
	const char *ds = NULL;
	if (strcmp(op, "list") != 0) {
		ds = xe_opts_get(o, "data-source");
		if (!ds) {
			fprintf(stderr, "Required parameter not found: data-source\n");
			return 1;
		}
	}
	char *ref = object_ref(x, o, cls);
	if (!ref)
		return 1;
	static const struct { const char *op, *msg; } msgs[] = {
		{ "list", "get_data_sources" }, { "query", "query_data_source" },
		{ "record", "record_data_source" }, { "forget", "forget_data_source_archives" },
	};
	const char *msg = "get_data_sources";
	for (size_t i = 0; i < sizeof msgs / sizeof msgs[0]; i++)
		if (!strcmp(msgs[i].op, op))
			msg = msgs[i].msg;
	char *method = xe_printf("%s.%s", cls, msg);
	xd_value *r = xe_client_call(x, method, ds ? xe_strings(2, ref, ds) : xe_strings(1, ref));
	free(method);
	free(ref);
	if (!r)
		return 1;
	if (!strcmp(op, "list"))
		print_sources(r);
	else if (!strcmp(op, "query"))
		printf("%f\n", r->t == XD_V_FLOAT ? r->u.f : 0.0);
	xd_value_free(r);
	return 0;
}

#define DS_CMDS(xe, cls)                                                                   \
	static int xe##_list(xe_client *x, const xe_opts *o)                               \
	{                                                                                  \
		return data_source_cmd(x, o, cls, "list");                                 \
	}                                                                                  \
	static int xe##_query(xe_client *x, const xe_opts *o)                              \
	{                                                                                  \
		return data_source_cmd(x, o, cls, "query");                                \
	}                                                                                  \
	static int xe##_record(xe_client *x, const xe_opts *o)                             \
	{                                                                                  \
		return data_source_cmd(x, o, cls, "record");                               \
	}                                                                                  \
	static int xe##_forget(xe_client *x, const xe_opts *o)                             \
	{                                                                                  \
		return data_source_cmd(x, o, cls, "forget");                               \
	}

DS_CMDS(host_ds, "host")
DS_CMDS(vm_ds, "VM")
DS_CMDS(sr_ds, "SR")

#define DS_TABLE(prefix, fn, obj, what)                                                     \
	{ prefix "-data-source-list", fn##_list, "", obj,                                   \
	  "Lists the data sources of the " what " (metrics it samples)." },                  \
	{ prefix "-data-source-query", fn##_query, "data-source", obj,                      \
	  "Prints the latest value of a data source of the " what "." },                    \
	{ prefix "-data-source-record", fn##_record, "data-source", obj,                    \
	  "Starts archiving a data source of the " what "." },                              \
	{ prefix "-data-source-forget", fn##_forget, "data-source", obj,                    \
	  "Drops the archive of a data source of the " what " (recording stops)." }

static const xe_named_cmd cmds[] = {
	DS_TABLE("host", host_ds, "host-uuid", "host"),
	DS_TABLE("vm", vm_ds, "uuid", "VM"),
	DS_TABLE("sr", sr_ds, "uuid", "SR"),
};
const size_t xe_metrics_ncmds = sizeof cmds / sizeof cmds[0];
const xe_named_cmd *const xe_metrics_cmds = cmds;
