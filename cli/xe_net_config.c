/* xe_net_config.c - upstream xe's address commands: the host's management
 * interface (host-management-reconfigure, host-management-disable), a PIF's
 * IPv6 and primary address type (pif-reconfigure-ipv6,
 * pif-set-primary-address-type, pif-db-forget) and the addresses a VIF
 * hands its guest (vif-configure-ipv4, vif-configure-ipv6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"

/* A mode as upstream's CLI reads it (any case) and the enum value the wire
 * carries; the last entry holds what upstream's failure says is expected. */
typedef struct mode_name {
	const char *cli, *wire;
} mode_name;

static const mode_name pif_ipv6_modes[] = {
	{ "dhcp", "DHCP" }, { "none", "None" }, { "static", "Static" }, { "autoconf", "Autoconf" },
	{ NULL, "Expected 'dhcp','none' 'autoconf' or 'static'" }
};
static const mode_name vif_ipv4_modes[] = {
	{ "none", "None" }, { "static", "Static" }, { "dhcp", "DHCP" },
	{ NULL, "Expected 'dhcp','none' or 'static'" }
};
static const mode_name vif_ipv6_modes[] = {
	{ "none", "None" }, { "static", "Static" }, { "autoconf", "Autoconf" },
	{ NULL, "Expected 'none', 'autoconf' or 'static'" }
};
static const mode_name address_types[] = {
	{ "ipv4", "IPv4" }, { "ipv6", "IPv6" }, { NULL, "Expected 'ipv4' or 'ipv6'" }
};

/* The wire name of the mode in parameter key, or NULL after printing
 * upstream's record failure ("Error: Expected ..."). */
static const char *wire_mode(const xe_opts *o, const char *key, const mode_name *t)
{
	const char *v = xe_obj_required(o, key);

	if (!v)
		return NULL;
	for (; t->cli; t++)
		if (strcasecmp(v, t->cli) == 0)
			return t->wire;
	xe_fail("%s, got %s", t->wire, v);
	return NULL;
}

/* A parameter upstream reads without regard to case (IPv6=, DNS=). */
static const char *param_nocase(const xe_opts *o, const char *key)
{
	for (size_t i = 0; i < o->nparams; i++)
		if (strcasecmp(o->params[i].key, key) == 0)
			return o->params[i].val;
	return "";
}

static const char *param_or_empty(const xe_opts *o, const char *key)
{
	const char *v = xe_opts_get(o, key);

	return v ? v : "";
}

static int cmd_host_management_reconfigure(xe_client *x, const xe_opts *o)
{
	char *pif = xe_ref_param(x, o, "pif-uuid", "PIF");
	xd_value *args = xd_array();

	if (!pif) {
		xd_value_free(args);
		return 1;
	}
	xd_array_append_take(args, xd_string_take(pif));
	return xe_call_and_print(x, "host.management_reconfigure", args, NULL);
}

static int cmd_host_management_disable(xe_client *x, const xe_opts *o)
{
	(void)o;
	return xe_call_and_print(x, "host.management_disable", NULL, NULL);
}

/* The object of class cls named by uuid= and the wire name of its mode in
 * parameter key (*mode); NULL after printing why. Caller frees. */
static char *ref_and_mode(xe_client *x, const xe_opts *o, const char *cls, const char *key,
			  const mode_name *t, const char **mode)
{
	const char *uuid = xe_obj_required(o, "uuid");

	*mode = uuid ? wire_mode(o, key, t) : NULL;
	return *mode ? xe_client_ref_by_uuid(x, cls, uuid) : NULL;
}

static int cmd_pif_reconfigure_ipv6(xe_client *x, const xe_opts *o)
{
	const char *mode;
	char *pif = ref_and_mode(x, o, "PIF", "mode", pif_ipv6_modes, &mode);
	xd_value *args;

	if (!pif)
		return 1;
	args = xe_strings(5, pif, mode, param_nocase(o, "IPv6"), param_or_empty(o, "gateway"),
			  param_nocase(o, "DNS"));
	free(pif);
	return xe_call_and_print(x, "PIF.reconfigure_ipv6", args, NULL);
}

static int cmd_pif_set_primary_address_type(xe_client *x, const xe_opts *o)
{
	const char *type;
	char *pif = ref_and_mode(x, o, "PIF", "primary_address_type", address_types, &type);
	xd_value *args;

	if (!pif)
		return 1;
	args = xe_strings(2, pif, type);
	free(pif);
	return xe_call_and_print(x, "PIF.set_primary_address_type", args, NULL);
}

static int cmd_pif_db_forget(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PIF", "db_forget");
}

/* vif-configure-ipv4/ipv6: a static mode needs its address (upstream's
 * failwith, so INTERNAL_ERROR). */
static int configure_vif(xe_client *x, const xe_opts *o, const mode_name *modes,
			 const char *method)
{
	const char *mode, *address = param_or_empty(o, "address");
	char *vif = ref_and_mode(x, o, "VIF", "mode", modes, &mode);
	xd_value *args;

	if (!vif)
		return 1;
	if (strcmp(mode, "Static") == 0 && !*address) {
		free(vif);
		xe_failure("Required parameter not found: address");
		return 1;
	}
	args = xe_strings(4, vif, mode, address, param_or_empty(o, "gateway"));
	free(vif);
	return xe_call_and_print(x, method, args, NULL);
}

static int cmd_vif_configure_ipv4(xe_client *x, const xe_opts *o)
{
	return configure_vif(x, o, vif_ipv4_modes, "VIF.configure_ipv4");
}

static int cmd_vif_configure_ipv6(xe_client *x, const xe_opts *o)
{
	return configure_vif(x, o, vif_ipv6_modes, "VIF.configure_ipv6");
}

static const xe_named_cmd cmds[] = {
	{ "host-management-reconfigure", cmd_host_management_reconfigure, "pif-uuid", "",
	  "Reconfigure the management interface of this node." },
	{ "host-management-disable", cmd_host_management_disable, "", "",
	  "Disable the management interface of this node." },
	{ "pif-reconfigure-ipv6", cmd_pif_reconfigure_ipv6, "uuid, mode", "IPv6, gateway, DNS",
	  "Reconfigure the IPv6 address settings on a PIF." },
	{ "pif-set-primary-address-type", cmd_pif_set_primary_address_type,
	  "uuid, primary_address_type", "", "Change the primary address type used by this PIF." },
	{ "pif-db-forget", cmd_pif_db_forget, "uuid", "",
	  "Destroy the database object representing a PIF on a particular host." },
	{ "vif-configure-ipv4", cmd_vif_configure_ipv4, "uuid, mode", "address, gateway",
	  "Configure IPv4 settings on a VIF." },
	{ "vif-configure-ipv6", cmd_vif_configure_ipv6, "uuid, mode", "address, gateway",
	  "Configure IPv6 settings on a VIF." },
};

const size_t xe_net_config_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_net_config_cmds = cmds;
