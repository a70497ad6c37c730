/* xe_devices.c - upstream xe's commands on virtual devices and networking
 * objects by uuid: vbd-*, vif-*, network-*, pif-*, vlan-*, bond-*,
 * tunnel-*. Each sends the XenAPI call xapi's CLI server sends; creators
 * print the new uuid. Where the server does not serve a call yet, its
 * error is xe's answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

/* A record for <cls>.create of the args (taken), then the new uuid. */
static int create_from(xe_client *x, const char *cls, xd_value *rec)
{
	char *method = xe_printf("%s.create", cls);
	xd_value *args = xd_array();
	int rc;

	xd_array_append_take(args, rec);
	rc = xe_call_and_print(x, method, args, cls);
	free(method);
	return rc;
}

/* Refs for the uuid parameters named in keys (NULL-ended), in order;
 * refs[i] NULL if keys[i] is absent and optional. 0, or -1 after the error. */
static int refs_for(xe_client *x, const xe_opts *o, const char *const *keys,
		    const char *const *classes, char **refs, size_t n, size_t required)
{
	for (size_t i = 0; i < n; i++)
		refs[i] = NULL;
	for (size_t i = 0; i < n; i++) {
		if (i >= required && !xe_opts_get(o, keys[i]))
			continue;
		refs[i] = xe_ref_param(x, o, keys[i], classes[i]);
		if (!refs[i]) {
			for (size_t k = 0; k < i; k++)
				free(refs[k]);
			return -1;
		}
	}
	return 0;
}

static void free_refs(char **refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(refs[i]);
}

/* ---- VBD ---- */

static int cmd_vbd_create(xe_client *x, const xe_opts *o)
{
	static const char *const keys[] = { "vm-uuid", "vdi-uuid" };
	static const char *const classes[] = { "VM", "VDI" };
	const char *device = xe_obj_required(o, "device");
	const char *type = xe_opts_get(o, "type"), *mode = xe_opts_get(o, "mode");
	char *refs[2];
	bool bootable, unpluggable;
	xd_value *rec;

	if (!xe_obj_required(o, "vm-uuid") || !device ||
	    xe_bool_param(o, "bootable", false, &bootable) < 0 ||
	    xe_bool_param(o, "unpluggable", true, &unpluggable) < 0 ||
	    refs_for(x, o, keys, classes, refs, 2, 1) < 0)
		return 1;
	rec = xd_struct();
	xd_struct_set_take(rec, "VM", xd_string_take(refs[0]));
	xd_struct_set_take(rec, "VDI", xd_string(refs[1] ? refs[1] : "OpaqueRef:NULL"));
	xd_struct_set_take(rec, "userdevice", xd_string(device));
	xd_struct_set_take(rec, "bootable", xd_bool(bootable));
	xd_struct_set_take(rec, "mode", xd_string(mode ? mode : "RW"));
	xd_struct_set_take(rec, "type", xd_string(type ? type : "Disk"));
	xd_struct_set_take(rec, "unpluggable", xd_bool(unpluggable));
	xd_struct_set_take(rec, "empty", xd_bool(refs[1] == NULL));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_struct_set_take(rec, "qos_algorithm_type", xd_string(""));
	xd_struct_set_take(rec, "qos_algorithm_params", xd_struct());
	free(refs[1]);
	return create_from(x, "VBD", rec);
}

static int cmd_vbd_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VBD", "destroy");
}

static int cmd_vbd_eject(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VBD", "eject");
}

static int cmd_vbd_plug(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VBD", "plug");
}

/* <cls>.unplug, or unplug_force with --force. */
static int unplug(xe_client *x, const xe_opts *o, const char *cls)
{
	bool force;

	if (xe_bool_param(o, "force", false, &force) < 0)
		return 1;
	return xe_call_on_uuid(x, o, cls, force ? "unplug_force" : "unplug");
}

static int cmd_vbd_unplug(xe_client *x, const xe_opts *o)
{
	/* Upstream retries an unplug for timeout= seconds; we do not. */
	if (xe_opts_get(o, "timeout")) {
		xe_fail("Parameter timeout is not supported: the unplug is tried once");
		return 1;
	}
	return unplug(x, o, "VBD");
}

/* <cls>.<msg>(ref of uuid=, ref of <key>=) */
static int call_with_ref(xe_client *x, const xe_opts *o, const char *cls, const char *msg,
			 const char *key, const char *key_cls)
{
	const char *const keys[] = { "uuid", key }, *const classes[] = { cls, key_cls };
	char *refs[2], *method;
	int rc;

	if (!xe_obj_required(o, "uuid") || !xe_obj_required(o, key) ||
	    refs_for(x, o, keys, classes, refs, 2, 2) < 0)
		return 1;
	method = xe_printf("%s.%s", cls, msg);
	rc = xe_call_and_print(x, method, xe_strings(2, refs[0], refs[1]), NULL);
	free(method);
	free_refs(refs, 2);
	return rc;
}

static int cmd_vbd_insert(xe_client *x, const xe_opts *o)
{
	return call_with_ref(x, o, "VBD", "insert", "vdi-uuid", "VDI");
}

/* ---- VIF ---- */

static int cmd_vif_create(xe_client *x, const xe_opts *o)
{
	static const char *const keys[] = { "vm-uuid", "network-uuid" };
	static const char *const classes[] = { "VM", "network" };
	const char *device = xe_obj_required(o, "device");
	const char *mac = xe_opts_get(o, "mac");
	char *refs[2];
	xd_value *rec;

	if (!device || !xe_obj_required(o, "network-uuid") || !xe_obj_required(o, "vm-uuid") ||
	    refs_for(x, o, keys, classes, refs, 2, 2) < 0)
		return 1;
	rec = xd_struct();
	xd_struct_set_take(rec, "device", xd_string(device));
	xd_struct_set_take(rec, "network", xd_string_take(refs[1]));
	xd_struct_set_take(rec, "VM", xd_string_take(refs[0]));
	/* An empty MAC: the server makes one up, as upstream's "random". */
	xd_struct_set_take(rec, "MAC", xd_string(mac && strcmp(mac, "random") != 0 ? mac : ""));
	xd_struct_set_take(rec, "MTU", xd_int(1500));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_struct_set_take(rec, "qos_algorithm_type", xd_string(""));
	xd_struct_set_take(rec, "qos_algorithm_params", xd_struct());
	return create_from(x, "VIF", rec);
}

static int cmd_vif_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VIF", "destroy");
}

static int cmd_vif_plug(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VIF", "plug");
}

static int cmd_vif_unplug(xe_client *x, const xe_opts *o)
{
	return unplug(x, o, "VIF");
}

static int cmd_vif_move(xe_client *x, const xe_opts *o)
{
	return call_with_ref(x, o, "VIF", "move", "network-uuid", "network");
}

/* ---- network ---- */

static int cmd_network_create(xe_client *x, const xe_opts *o)
{
	const char *name = xe_obj_required(o, "name-label");
	const char *mtu = xe_opts_get(o, "MTU"), *bridge = xe_opts_get(o, "bridge");
	bool managed;
	int64_t m = 1500;
	xd_value *rec;

	if (!name || xe_bool_param(o, "managed", true, &managed) < 0)
		return 1;
	if (mtu) {
		char *end = NULL;

		m = strtoll(mtu, &end, 10);
		if (end == mtu || *end) {
			xe_fail("Parameter MTU must be an integer");
			return 1;
		}
	}
	rec = xd_struct();
	xd_struct_set_take(rec, "name_label", xd_string(name));
	xd_struct_set_take(rec, "name_description", xd_string(xe_opts_get(o, "name-description")));
	xd_struct_set_take(rec, "MTU", xd_int(m));
	xd_struct_set_take(rec, "other_config", xd_struct());
	if (bridge)
		xd_struct_set_take(rec, "bridge", xd_string(bridge));
	xd_struct_set_take(rec, "managed", xd_bool(managed));
	xd_struct_set_take(rec, "tags", xd_array());
	return create_from(x, "network", rec);
}

static int cmd_network_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "network", "destroy");
}

/* ---- PIF ---- */

static int cmd_pif_plug(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PIF", "plug");
}

static int cmd_pif_unplug(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PIF", "unplug");
}

static int cmd_pif_forget(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PIF", "forget");
}

static int cmd_pif_scan(xe_client *x, const xe_opts *o)
{
	char *host = xe_ref_param(x, o, "host-uuid", "host");
	int rc = host ? xe_call_and_print(x, "PIF.scan", xe_strings(1, host), NULL) : 1;

	free(host);
	return rc;
}

static int cmd_pif_introduce(xe_client *x, const xe_opts *o)
{
	const char *device = xe_opts_get(o, "device");
	char *host;
	bool managed;
	xd_value *args;

	if (!xe_obj_required(o, "host-uuid") || !xe_obj_required(o, "device") ||
	    xe_bool_param(o, "managed", true, &managed) < 0)
		return 1;
	host = xe_ref_param(x, o, "host-uuid", "host");
	if (!host)
		return 1;
	args = xe_strings(3, host, xe_opts_get(o, "mac"), device);
	free(host);
	xd_array_append_take(args, xd_bool(managed));
	return xe_call_and_print(x, "PIF.introduce", args, "PIF");
}

static int cmd_pif_reconfigure_ip(xe_client *x, const xe_opts *o)
{
	const char *mode = xe_obj_required(o, "mode");
	char *pif = mode ? xe_ref_param(x, o, "uuid", "PIF") : NULL;
	xd_value *args;

	if (!pif)
		return 1;
	args = xe_strings(6, pif, mode, xe_opts_get(o, "IP"), xe_opts_get(o, "netmask"),
			  xe_opts_get(o, "gateway"), xe_opts_get(o, "DNS"));
	free(pif);
	return xe_call_and_print(x, "PIF.reconfigure_ip", args, NULL);
}

/* ---- VLAN, bond, tunnel ---- */

/* The arguments of VLAN.create and pool.create_VLAN_from_PIF from pif-uuid=,
 * vlan=, network-uuid=: [PIF, tag, network], or NULL after printing why. */
static xd_value *vlan_args(xe_client *x, const xe_opts *o)
{
	static const char *const keys[] = { "pif-uuid", "network-uuid" };
	static const char *const classes[] = { "PIF", "network" };
	const char *tag = xe_obj_required(o, "vlan");
	char *refs[2], *end = NULL;
	long long t;
	xd_value *args;

	if (!tag || !xe_obj_required(o, "pif-uuid") || !xe_obj_required(o, "network-uuid"))
		return NULL;
	t = strtoll(tag, &end, 10);
	if (end == tag || *end) {
		xe_fail("Parameter vlan must be an integer");
		return NULL;
	}
	if (refs_for(x, o, keys, classes, refs, 2, 2) < 0)
		return NULL;
	args = xe_strings(1, refs[0]);
	xd_array_append_take(args, xd_int(t));
	xd_array_append_take(args, xd_string(refs[1]));
	free_refs(refs, 2);
	return args;
}

static int cmd_vlan_create(xe_client *x, const xe_opts *o)
{
	xd_value *args = vlan_args(x, o);

	return args ? xe_call_and_print(x, "VLAN.create", args, "VLAN") : 1;
}

/* pool-vlan-create: the VLAN on every host's PIF of that network; the new
 * PIFs' uuids, one per line, as upstream's. */
static int cmd_pool_vlan_create(xe_client *x, const xe_opts *o)
{
	xd_value *args = vlan_args(x, o), *pifs;

	if (!args)
		return 1;
	/* pool.create_VLAN_from_PIF(pif, network, VLAN): the tag goes last */
	xd_value *tag = args->u.arr.items[1];
	args->u.arr.items[1] = args->u.arr.items[2];
	args->u.arr.items[2] = tag;
	pifs = xe_client_call(x, "pool.create_VLAN_from_PIF", args);
	if (!pifs)
		return 1;
	for (size_t i = 0; i < pifs->u.arr.n; i++) {
		const char *u = xe_client_ref_uuid(x, "PIF", pifs->u.arr.items[i]->u.s);
		printf("%s\n", u ? u : pifs->u.arr.items[i]->u.s);
	}
	xd_value_free(pifs);
	return 0;
}

static int cmd_vlan_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VLAN", "destroy");
}

static int cmd_bond_create(xe_client *x, const xe_opts *o)
{
	const char *pifs = xe_obj_required(o, "pif-uuids");
	const char *mode = xe_opts_get(o, "mode");
	char *net = pifs ? xe_ref_param(x, o, "network-uuid", "network") : NULL;
	xd_value *members, *args;
	char *list, *save = NULL;

	if (!net)
		return 1;
	members = xd_array();
	list = xe_strdup(pifs);
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *ref = xe_client_ref_by_uuid(x, "PIF", t);

		if (!ref) {
			free(list);
			free(net);
			xd_value_free(members);
			return 1;
		}
		xd_array_append_take(members, xd_string_take(ref));
	}
	free(list);
	args = xe_strings(1, net);
	free(net);
	xd_array_append_take(args, members);
	xd_array_append_take(args, xd_string(xe_opts_get(o, "mac")));
	xd_array_append_take(args, xd_string(mode ? mode : "balance-slb"));
	xd_array_append_take(args, xe_map_params(o, "properties:"));
	return xe_call_and_print(x, "Bond.create", args, "Bond");
}

static int cmd_bond_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "Bond", "destroy");
}

static int cmd_bond_set_mode(xe_client *x, const xe_opts *o)
{
	const char *mode = xe_obj_required(o, "mode");
	char *bond = mode ? xe_ref_param(x, o, "uuid", "Bond") : NULL;
	int rc = bond ? xe_call_and_print(x, "Bond.set_mode", xe_strings(2, bond, mode), NULL) : 1;

	free(bond);
	return rc;
}

static int cmd_tunnel_create(xe_client *x, const xe_opts *o)
{
	static const char *const keys[] = { "pif-uuid", "network-uuid" };
	static const char *const classes[] = { "PIF", "network" };
	const char *proto = xe_opts_get(o, "protocol");
	char *refs[2];
	xd_value *args;

	if (!xe_obj_required(o, "pif-uuid") || !xe_obj_required(o, "network-uuid") ||
	    refs_for(x, o, keys, classes, refs, 2, 2) < 0)
		return 1;
	args = xe_strings(3, refs[0], refs[1], proto ? proto : "gre");
	free_refs(refs, 2);
	return xe_call_and_print(x, "tunnel.create", args, "tunnel");
}

static int cmd_tunnel_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "tunnel", "destroy");
}

/* ---- the table ---- */

static const xe_named_cmd cmds[] = {
	{ "vbd-create", cmd_vbd_create, "vm-uuid, device",
	  "vdi-uuid, bootable, type, mode, unpluggable",
	  "Create a VBD. Appropriate values for the device field are listed in the parameter "
	  "'allowed-VBD-devices' on the VM. If no VDI is specified, an empty VBD will be "
	  "created. The type parameter can be 'Disk' or 'CD', and the mode is 'RO' or 'RW'." },
	{ "vbd-destroy", cmd_vbd_destroy, "uuid", "", "Destroy a VBD." },
	{ "vbd-insert", cmd_vbd_insert, "uuid, vdi-uuid", "",
	  "Insert new media into the drive represented by a VBD." },
	{ "vbd-eject", cmd_vbd_eject, "uuid", "",
	  "Remove the media from the drive represented by a VBD." },
	{ "vbd-plug", cmd_vbd_plug, "uuid", "",
	  "Attempt to attach the VBD while the VM is in the running state." },
	{ "vbd-unplug", cmd_vbd_unplug, "uuid", "force",
	  "Attempt to detach the VBD while the VM is in the running state. --force detaches "
	  "it at once (VBD.unplug_force)." },
	{ "vif-create", cmd_vif_create, "device, network-uuid, vm-uuid", "mac",
	  "Create a VIF. Appropriate values for the device are listed in the parameter "
	  "'allowed-VIF-devices' on the VM. If specified, the MAC parameter is of the form "
	  "aa:bb:cc:dd:ee:ff; without it (or with mac=random) one is made up." },
	{ "vif-destroy", cmd_vif_destroy, "uuid", "", "Destroy a VIF." },
	{ "vif-plug", cmd_vif_plug, "uuid", "",
	  "Attempt to attach the VIF while the VM is in the running state." },
	{ "vif-unplug", cmd_vif_unplug, "uuid", "force",
	  "Attempt to detach the VIF while the VM is in the running state." },
	{ "vif-move", cmd_vif_move, "uuid, network-uuid", "", "Move the VIF to another network." },
	{ "network-create", cmd_network_create, "name-label",
	  "name-description, MTU, bridge, managed", "Create a new network." },
	{ "network-destroy", cmd_network_destroy, "uuid", "", "Delete an existing network." },
	{ "pif-plug", cmd_pif_plug, "uuid", "", "Attempt to bring up a physical interface." },
	{ "pif-unplug", cmd_pif_unplug, "uuid", "", "Attempt to bring down a physical interface." },
	{ "pif-forget", cmd_pif_forget, "uuid", "",
	  "Destroy a PIF object on a particular host." },
	{ "pif-scan", cmd_pif_scan, "host-uuid", "",
	  "Scan for new physical interfaces on a host." },
	{ "pif-introduce", cmd_pif_introduce, "host-uuid, device", "mac, managed",
	  "Create a new PIF object representing a physical interface on a host." },
	{ "pif-reconfigure-ip", cmd_pif_reconfigure_ip, "uuid, mode",
	  "IP, netmask, gateway, DNS",
	  "Reconfigure the IP address settings on a PIF (mode: none, dhcp or static)." },
	{ "pool-vlan-create", cmd_pool_vlan_create, "pif-uuid, vlan, network-uuid", "",
	  "Create a new VLAN on each host in a pool." },
	{ "vlan-create", cmd_vlan_create, "pif-uuid, vlan, network-uuid", "",
	  "Create a new VLAN on a host." },
	{ "vlan-destroy", cmd_vlan_destroy, "uuid", "",
	  "Destroy a VLAN. Requires the VLAN's untagged PIF's uuid." },
	{ "bond-create", cmd_bond_create, "network-uuid, pif-uuids",
	  "mac, mode, properties:",
	  "Create a bonded interface from a list of existing PIF objects (pif-uuids: "
	  "comma-separated). mode defaults to balance-slb." },
	{ "bond-destroy", cmd_bond_destroy, "uuid", "",
	  "Destroy a bonded interface, restoring the underlying interfaces." },
	{ "bond-set-mode", cmd_bond_set_mode, "uuid, mode", "", "Change the bond mode." },
	{ "tunnel-create", cmd_tunnel_create, "pif-uuid, network-uuid", "protocol",
	  "Create a new tunnel on a host (protocol: gre, the default, or vxlan)." },
	{ "tunnel-destroy", cmd_tunnel_destroy, "uuid", "", "Destroy a tunnel." },
};

const size_t xe_device_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_device_cmds = cmds;
