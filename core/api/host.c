/* host.c - host messages with behaviour: the clock, free and overhead memory. */
#include <time.h>

#include "api.h"
#include "generic/generic.h"
#include "hv/hv.h"
#include "rpc/rpc.h"
#include "vm_int.h" /* the record helpers */

static xd_value *h_get_servertime(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	return xd_datetime((int64_t)time(NULL));
}

/* xapi answers with the host's local time, still in the UTC notation. */
static xd_value *h_get_server_localtime(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	time_t now = time(NULL);
	struct tm lt;
	localtime_r(&now, &lt);
	return xd_datetime((int64_t)now + lt.tm_gmtoff);
}

/* What the hypervisor backend can still give to guests. */
static xd_value *h_compute_free_memory(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	return xd_int(xd_hv()->free_memory());
}

/* As xapi: the host's overhead is taken as constant, so it is the
 * memory_overhead field the database holds. */
static xd_value *h_compute_memory_overhead(const xd_call *call, xd_error *err)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("host"), xd_arg_str(call, 0));

	if (!rec) {
		xd_error_set(err, "HANDLE_INVALID", "host", xd_arg_str(call, 0), NULL);
		return NULL;
	}
	xd_value *r = xd_int(xd_rec_int(rec, "memory_overhead"));
	xd_value_free(rec);
	return r;
}

void xd_api_host_register(void)
{
	xd_rpc_register("host", "compute_memory_overhead", h_compute_memory_overhead);
	xd_rpc_register("host", "compute_free_memory", h_compute_free_memory);
	xd_rpc_register("host", "get_servertime", h_get_servertime);
	xd_rpc_register("host", "get_server_localtime", h_get_server_localtime);
}
