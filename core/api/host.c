/* host.c - host messages with behaviour. */
#include <time.h>

#include "api.h"
#include "generic.h"
#include "rpc.h"

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

void xd_api_host_register(void)
{
	xd_rpc_register("host", "get_servertime", h_get_servertime);
	xd_rpc_register("host", "get_server_localtime", h_get_server_localtime);
}
