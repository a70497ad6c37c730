/* host_plugins.c - host.call_plugin. xapi runs the named script from
 * /etc/xapi.d/plugins; we have no such scripts, only one built-in plugin,
 * "xapi-c", with the function "rescan_plugins" (load plugins enabled in
 * plugins.d since the last scan, as SIGHUP does). Any other plugin name is
 * XENAPI_MISSING_PLUGIN [name], as xapi says for a missing script. */
#include <string.h>

#include "api.h"
#include "generic/generic.h"
#include "loader/plugins.h"
#include "log.h"
#include "rpc/rpc.h"

#define BUILTIN_PLUGIN "xapi-c"

static xd_value *h_call_plugin(const xd_call *call, xd_error *err)
{
	const char *plugin = xd_arg_str(call, 1), *fn = xd_arg_str(call, 2);
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	if (!plugin || strcmp(plugin, BUILTIN_PLUGIN) != 0) {
		xd_error_set(err, "XENAPI_MISSING_PLUGIN", plugin ? plugin : "", NULL);
		return NULL;
	}
	if (!fn || strcmp(fn, "rescan_plugins") != 0) {
		/* What xapi reports when a plugin script fails: [status, stdout, stderr]. */
		xd_error_set(err, "XENAPI_PLUGIN_FAILURE", "unknown_function",
			     BUILTIN_PLUGIN " has the function rescan_plugins only", fn ? fn : "", NULL);
		return NULL;
	}
	xd_info("host.call_plugin: rescanning plugins");
	if (xd_plugins_rescan() != 0) {
		xd_error_set(err, "XENAPI_PLUGIN_FAILURE", "rescan_failed",
			     "plugins.d could not be read (see the log)", "", NULL);
		return NULL;
	}
	return xd_string("");
}

void xd_api_host_plugins_register(void)
{
	xd_rpc_register("host", "call_plugin", h_call_plugin);
}
