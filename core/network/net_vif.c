/* net_vif.c - the VIFs of running domains on their networks' bridges: the
 * device vif<domid>.<devid> (the xen backend's name, and the simulated
 * host's: hv.h) becomes a port with the external ids xapi's scripts set
 * (attached-mac, xs-vif-uuid, xs-network-uuid, xs-vm-uuid), and the
 * VIF's locking mode is handed to the backend where it enforces it
 * (XAPI_NET_CAP_LOCKING); where not, a locked or disabled VIF is logged as
 * not enforced (doc/network.md). The reconcile after a restart puts back
 * the ports of attached VIFs and removes vif ports nothing owns. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "hv/hv.h"
#include "log.h"
#include "net_int.h"

static void vif_device(int domid, const xd_value *vif, char *out, size_t n)
{
	snprintf(out, n, "vif%d.%s", domid, xd_net_str(vif, "device"));
}

/* The effective locking mode: network_default means the network's
 * default_locking_mode. */
static const char *lock_mode(const xd_value *vif, const xd_value *net)
{
	const char *m = xd_net_str(vif, "locking_mode");
	if (strcmp(m, "network_default") == 0)
		m = xd_net_str(net, "default_locking_mode");
	return m[0] ? m : "unlocked";
}

static int apply_lock(const char *bridge, const char *dev, const xd_value *vif,
		      const xd_value *net, xd_error *err)
{
	const char *mode = lock_mode(vif, net);
	if (!xd_network_has_cap(XAPI_NET_CAP_LOCKING)) {
		if (strcmp(mode, "unlocked") != 0)
			xd_warn("network: VIF %s is %s but the %s backend does not enforce locking: "
				"its traffic is not filtered", xd_net_str(vif, "uuid"), mode,
				xd_network_backend());
		return 0;
	}
	xd_net_args a = { .bridge = bridge, .ifname = dev, .mode = mode,
			  .mac = xd_net_str(vif, "MAC"),
			  .ipv4_allowed = xd_struct_get(vif, "ipv4_allowed"),
			  .ipv6_allowed = xd_struct_get(vif, "ipv6_allowed"), .up = -1 };
	return xd_net_do(XD_NET_PORT_LOCK, &a, err);
}

int xd_network_vif_plug(const char *vif, int domid, xd_error *err)
{
	if (xd_network_check_backend(err) < 0)
		return -1;
	xd_value *rec = xd_net_record("VIF", vif);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "VIF", vif, NULL);
	const char *network = xd_net_str(rec, "network");
	xd_value *net = xd_net_record("network", network);
	xd_value *vm = xd_net_record("VM", xd_net_str(rec, "VM"));
	char dev[32];
	vif_device(domid, rec, dev, sizeof dev);
	int rc = xd_network_ensure_bridge(network, err);
	xd_value *ids = xd_struct();
	xd_struct_set_take(ids, "attached-mac", xd_string(xd_net_str(rec, "MAC")));
	xd_struct_set_take(ids, "xs-vif-uuid", xd_string(xd_net_str(rec, "uuid")));
	xd_struct_set_take(ids, "xs-network-uuid", xd_string(xd_net_str(net, "uuid")));
	xd_struct_set_take(ids, "xs-vm-uuid", xd_string(xd_net_str(vm, "uuid")));
	xd_struct_set_take(ids, "iface-id", xd_string(xd_net_str(rec, "uuid")));
	const char *bridge = xd_net_str(net, "bridge");
	if (rc == 0)
		rc = xd_net_do(XD_NET_PORT_ADD, &(xd_net_args){ .bridge = bridge, .ifname = dev,
								.kv = ids, .up = -1 },
			       err);
	if (rc == 0)
		rc = apply_lock(bridge, dev, rec, net, err);
	xd_value_free(ids);
	xd_value_free(vm);
	xd_value_free(net);
	xd_value_free(rec);
	return rc;
}

void xd_network_vif_unplug(const char *vif, int domid)
{
	if (!xd_network_backend())
		return;
	xd_value *rec = xd_net_record("VIF", vif);
	if (!rec)
		return;
	char dev[32];
	vif_device(domid, rec, dev, sizeof dev);
	char *bridge = xd_net_bridge_of(xd_net_str(rec, "network"));
	xd_error err = XD_ERROR_INIT;
	if (xd_net_do(XD_NET_PORT_REMOVE, &(xd_net_args){ .bridge = bridge, .ifname = dev, .up = -1 },
		      &err) < 0)
		xd_warn("network: port %s of %s not removed: %s %s", dev, bridge, err.code,
			err.nparams ? err.params[0] : "");
	xd_error_clear(&err);
	free(bridge);
	xd_value_free(rec);
}

int xd_network_vif_relock(const char *vif, int domid, xd_error *err)
{
	xd_value *rec = xd_net_record("VIF", vif);
	if (!rec)
		return xd_error_set(err, "HANDLE_INVALID", "VIF", vif, NULL);
	xd_value *net = xd_net_record("network", xd_net_str(rec, "network"));
	char dev[32];
	vif_device(domid, rec, dev, sizeof dev);
	int rc = apply_lock(xd_net_str(net, "bridge"), dev, rec, net, err);
	xd_value_free(net);
	xd_value_free(rec);
	return rc;
}

/* ---- reconcile ---- */

typedef struct vifs_ctx {
	int f_vm, f_network, f_device, f_attached;
	xd_value *want;      /* struct: "bridge/vifD.N" -> VIF ref, for attached VIFs */
} vifs_ctx;

static int want_cb(const char *ref, const xd_value *const *f, void *ud)
{
	vifs_ctx *c = ud;
	if (!f[c->f_attached]->u.b)
		return 0;
	const xd_class *vc = xd_dm_class("VM");
	xd_value *domid = xd_db_get_field(vc, f[c->f_vm]->u.s, xd_dm_field_index(vc, "domid"));
	if (domid && domid->u.i >= 0) {
		char *bridge = xd_net_bridge_of(f[c->f_network]->u.s), *key = NULL;
		if (asprintf(&key, "%s/vif%lld.%s", bridge, (long long)domid->u.i,
			     f[c->f_device]->u.s) >= 0) {
			xd_struct_set_take(c->want, key, xd_string(ref));
			free(key);
		}
		free(bridge);
	}
	xd_value_free(domid);
	return 0;
}

typedef struct bridges_ctx {
	int f_bridge;
	xd_value *bridges;
} bridges_ctx;

static int bridges_cb(const char *ref, const xd_value *const *f, void *ud)
{
	bridges_ctx *c = ud;
	(void)ref;
	if (f[c->f_bridge]->u.s[0])
		xd_array_append_take(c->bridges, xd_value_copy(f[c->f_bridge]));
	return 0;
}

void xd_net_vif_reconcile(void)
{
	const xd_class *vc = xd_dm_class("VIF"), *nc = xd_dm_class("network");
	vifs_ctx vx = { xd_dm_field_index(vc, "VM"), xd_dm_field_index(vc, "network"),
			xd_dm_field_index(vc, "device"), xd_dm_field_index(vc, "currently_attached"),
			xd_struct() };
	xd_db_foreach(vc, want_cb, &vx);
	bridges_ctx bx = { xd_dm_field_index(nc, "bridge"), xd_array() };
	xd_db_foreach(nc, bridges_cb, &bx);
	/* ports of VIFs: vif* ports nothing owns are stray (a VIF destroyed
	 * or a domain gone while xapid was down) */
	for (size_t i = 0; xd_network_backend() && i < bx.bridges->u.arr.n; i++) {
		const char *bridge = bx.bridges->u.arr.items[i]->u.s;
		xd_net_result r;
		xd_error err = XD_ERROR_INIT;
		if (xd_net_call(XD_NET_BRIDGE_PORTS, &(xd_net_args){ .bridge = bridge, .up = -1 }, &r,
				&err) < 0) {
			xd_error_clear(&err);
			continue;
		}
		for (size_t k = 0; k < r.nlinks; k++) {
			const char *port = r.links[k].device;
			char key[128];
			if (!port || strncmp(port, "vif", 3) != 0)
				continue;
			snprintf(key, sizeof key, "%s/%s", bridge, port);
			if (xd_struct_get(vx.want, key))
				continue;
			xd_info("network: reconcile: port %s of %s belongs to no attached VIF: removed",
				port, bridge);
			if (xd_net_do(XD_NET_PORT_REMOVE, &(xd_net_args){ .bridge = bridge,
									  .ifname = port, .up = -1 },
				      &err) < 0)
				xd_error_clear(&err);
		}
		xd_net_result_clear(&r);
	}
	/* attached VIFs of running domains: their ports (idempotent) */
	for (size_t i = 0; i < vx.want->u.st.n; i++) {
		const char *key = vx.want->u.st.m[i].name, *vif = vx.want->u.st.m[i].v->u.s;
		const char *dot = strrchr(key, '/');
		int domid = dot ? atoi(dot + 4) : -1;
		xd_error err = XD_ERROR_INIT;
		if (domid >= 0 && xd_network_vif_plug(vif, domid, &err) < 0)
			xd_warn("network: reconcile: VIF %s not on its bridge: %s %s", vif, err.code,
				err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
	}
	xd_value_free(bx.bridges);
	xd_value_free(vx.want);
}
