/* xe_host_admin.c - upstream xe's host administration commands: host-dmesg
 * (on the hosts the selectors name), host-send-debug-keys,
 * host-set-hostname-live, host-syslog-reconfigure (on host-uuid=), and
 * host-shutdown-agent (the agent xe talks to). One call each, as xapi's CLI
 * server sends it; only host-dmesg prints (the hypervisor's console ring).
 */
#include <stdio.h>
#include <stdlib.h>

#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

static int op_dmesg(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	xd_value *r = xe_client_call(x, "host.dmesg", xe_strings(1, h->ref));

	(void)o;
	(void)ud;
	if (!r)
		return 1;
	/* upstream prints the ring as one list item: its text and a newline */
	printf("%s\n", r->t == XD_V_STRING ? r->u.s : "");
	xd_value_free(r);
	return 0;
}

static int cmd_host_dmesg(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, XE_HOST_SPEC("force"), true, op_dmesg, NULL);
}

/* <method>(host of host-uuid=, the values of the keys named): the exit code. */
static int on_host_uuid(xe_client *x, const xe_opts *o, const char *method, const char *key)
{
	const char *uuid = xe_obj_required(o, "host-uuid");
	const char *value = uuid && key ? xe_obj_required(o, key) : NULL;
	char *host = uuid && (!key || value) ? xe_client_ref_by_uuid(x, "host", uuid) : NULL;
	int rc;

	if (!host)
		return 1;
	rc = xe_client_call_ok(x, method, key ? xe_strings(2, host, value) : xe_strings(1, host)) < 0;
	free(host);
	return rc;
}

static int cmd_host_send_debug_keys(xe_client *x, const xe_opts *o)
{
	return on_host_uuid(x, o, "host.send_debug_keys", "keys");
}

static int cmd_host_set_hostname_live(xe_client *x, const xe_opts *o)
{
	return on_host_uuid(x, o, "host.set_hostname_live", "host-name");
}

static int cmd_host_syslog_reconfigure(xe_client *x, const xe_opts *o)
{
	return on_host_uuid(x, o, "host.syslog_reconfigure", NULL);
}

static int cmd_host_shutdown_agent(xe_client *x, const xe_opts *o)
{
	(void)o;
	return xe_client_call_ok(x, "host.shutdown_agent", NULL) < 0;
}

static const xe_named_cmd cmds[] = {
	{ "host-dmesg", cmd_host_dmesg, "", "<host-selectors>", "Get xen dmesg of the XE host." },
	{ "host-send-debug-keys", cmd_host_send_debug_keys, "host-uuid, keys", "",
	  "Send specified hypervisor debug keys to specified host" },
	{ "host-set-hostname-live", cmd_host_set_hostname_live, "host-uuid, host-name", "",
	  "Sets the host name to the specified string.  Both the API and lower-level system "
	  "hostname are changed." },
	{ "host-syslog-reconfigure", cmd_host_syslog_reconfigure, "host-uuid", "",
	  "Reconfigure syslog daemon." },
	{ "host-shutdown-agent", cmd_host_shutdown_agent, "", "",
	  "Shut down the agent on the local host." },
};

const size_t xe_host_admin_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_host_admin_cmds = cmds;
