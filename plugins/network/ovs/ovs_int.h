/* ovs_int.h - the Open vSwitch network backend's own declarations.
 *
 * The backend keeps no state between calls (xapi/network.h): every op opens a
 * connection to ovsdb-server, reads the rows it needs by name (Bridge, Port
 * and Interface have unique name indexes in the Open_vSwitch schema), builds
 * one transaction, commits it, and waits until ovs-vswitchd has applied it
 * (next_cfg / cur_cfg, as ovs-vsctl does). Two workers racing on the same
 * name collide on the index; the loser reads again and finds the work done.
 *
 * The rows look as XenServer's own OVS configuration does, so that
 * `ovs-vsctl show` on a xapi-c host reads like one of a XenServer host:
 * bridges in fail_mode standalone, a VLAN network is a fake bridge (an
 * internal port tagged on the parent bridge, fake_bridge=true), a bond one
 * port of several interfaces with bond_mode and lacp, a VIF's interface
 * carries xs-vif-uuid, xs-vm-uuid, xs-network-uuid and attached-mac in its
 * external_ids, a bridge xs-network-uuids.
 */
#ifndef OVS_INT_H
#define OVS_INT_H

#include <json-c/json.h>

#include <xapi/plugin.h>

#include "../bridge/bridge_int.h"
#include "ovsdb_client.h"
#include "ovsdb_ops.h"

#define OVS_DB "Open_vSwitch"
#define OVS_DEFAULT_SOCKET "/var/run/openvswitch/db.sock"

/* The plugin's settings (plugins.d/ovs.conf), read at init. */
struct ovs {
	const struct xapi_host *host;
	xapi_plugin_t *self;
	const char *socket;          /* ovsdb_socket */
	const char *datapath_type;   /* datapath_type: "" (system) or "netdev" */
	int timeout_ms;              /* ovsdb_timeout_ms: each call to ovsdb-server */
	int wait_ms;                 /* vswitchd_wait_ms: 0 = do not wait for vswitchd */
	br_state kernel;             /* for the Linux helpers (ovs_link.h): veth_nics */
};

/* One op in progress: its connection and the rows it read. */
struct ovs_op {
	struct ovs *o;
	xapi_call_t *call;
	struct ovsdb_client db;
	json_object *held;           /* results whose rows the op borrows */
	int nowait;                  /* commit without waiting for vswitchd */
};

/* An op's commit lost a race on a name: read again and retry. */
#define OVS_RETRY 1
/* How many times an op reads and commits before giving up on a race. */
#define OVS_ATTEMPTS 4

/* xapi_fail with the backend's code: XAPI_E_FAILED. */
int ovs_fail(struct ovs *o, xapi_call_t *call, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An interface or bridge name OVS and Linux accept (1..15 bytes, no '/',
 * no whitespace); else fails the call with XAPI_E_INVALID. */
int ovs_check_name(struct ovs *o, xapi_call_t *call, const char *what, const char *name);

/* One attempt of an op: XAPI_OK, OVS_RETRY (read again), or a failed call. */
typedef int ovs_once_fn(struct ovs_op *op, void *arg);
/* Connects, runs once() until it returns something else than OVS_RETRY (at
 * most OVS_ATTEMPTS times), disconnects. `kind` and `name` say what the op
 * was about, for the error of a race lost every time. */
int ovs_run(struct ovs *o, xapi_call_t *call, const char *kind, const char *name,
	    ovs_once_fn *once, void *arg);

/* The checks every op on (bridge, name) starts with: flags, both names
 * (what: "interface", "bond"...), and that name is not the bridge itself.
 * XAPI_OK or the call failed. */
int ovs_check_args(struct ovs *o, xapi_call_t *call, unsigned flags, const char *bridge,
		   const char *what, const char *name);
/* bridge_destroy's attempt, arg the bridge's name (ovs_vlan.c uses it). */
int ovs_bridge_destroy_once(struct ovs_op *op, void *arg);

/* Connects (XAPI_OK) or fails the call. */
int ovs_op_begin(struct ovs *o, xapi_call_t *call, struct ovs_op *op);
void ovs_op_end(struct ovs_op *op);
/* Reads: the row of `table` named `name` (borrowed until ovs_op_end), NULL
 * if none; XAPI_OK or a failed call. */
int ovs_get(struct ovs_op *op, const char *table, const char *name, json_object **row);
/* The Bridge row whose ports hold port_uuid, or NULL. */
int ovs_bridge_of_port(struct ovs_op *op, const char *port_uuid, json_object **row);
/* Commits `ops` (taken): XAPI_OK once ovs-vswitchd applied it, OVS_RETRY
 * when it collided with another change of the same names, or a failed
 * call. If check_iface is set, an error OVS recorded on that interface
 * (no such device...) fails the call, and *iface_error says so. */
int ovs_commit(struct ovs_op *op, json_object *ops, const char *check_iface);

/* Row builders shared by the ops. */
/* An Interface row named name of type (NULL: a system interface). */
json_object *ovs_iface_row(const char *name, const char *type);
/* The external_ids map of a xapi map (all its keys). */
json_object *ovs_map_of_kv(struct ovs *o, const xapi_kv_t *kv);
/* Where bridge name `bridge` leads: the real Bridge row that holds its
 * ports (NULL if there is no such bridge), and tag: -1 for a real bridge,
 * the VLAN of a fake bridge. */
int ovs_bridge_resolve(struct ovs_op *op, const char *bridge, json_object **real, int64_t *tag);
/* The same, failing the call with BRIDGE_NOT_AVAILABLE [bridge] when there
 * is no such bridge (what a port, a bond or a tunnel needs). */
int ovs_bridge_needed(struct ovs_op *op, const char *bridge, json_object **real, int64_t *tag);
/* ops += mutate every Bridge: ports delete port_uuid (it is then
 * garbage-collected with its interfaces unless another row holds them). */
void ovs_detach_port(json_object *ops, const char *port_uuid);
/* ops += mutate Bridge bridge_uuid: ports insert port (a uuid value). */
void ovs_attach_port(json_object *ops, const char *bridge_uuid, json_object *port);
/* ops += a new port of one interface on bridge_uuid: iface (an Interface
 * row, taken), a Port named after it (with `port`'s columns, taken; may be
 * NULL), attached. */
void ovs_new_port(json_object *ops, const char *bridge_uuid, json_object *iface,
		  json_object *port);
/* ops += port_row's port moved onto the Bridge row `real`, if it is not
 * one of its ports yet (the same rows: nothing is made again). */
void ovs_move_port(json_object *ops, json_object *real, json_object *port_row);

/* The ops (one file each). */
uint32_t ovs_probe(void *st, xapi_call_t *call, unsigned flags);
int ovs_pif_scan(void *st, xapi_call_t *call, unsigned flags);
int ovs_link_query(void *st, xapi_call_t *call, const char *ifname, unsigned flags);
int ovs_link_set(void *st, xapi_call_t *call, const char *ifname, int64_t mtu, int up,
		 unsigned flags);
int ovs_bridge_ensure(void *st, xapi_call_t *call, const char *bridge, int64_t mtu,
		      const xapi_kv_t *other_config, unsigned flags);
int ovs_bridge_destroy(void *st, xapi_call_t *call, const char *bridge, unsigned flags);
int ovs_bridge_ports(void *st, xapi_call_t *call, const char *bridge, unsigned flags);
int ovs_port_add(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		 const xapi_kv_t *external_ids, unsigned flags);
int ovs_port_remove(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		    unsigned flags);
int ovs_vlan_add(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		 unsigned flags);
int ovs_vlan_remove(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		    unsigned flags);
int ovs_bond_add(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		 const char *const *members, const char *mode, const xapi_kv_t *properties,
		 unsigned flags);
int ovs_bond_remove(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		    unsigned flags);
int ovs_ip_configure(void *st, xapi_call_t *call, const char *ifname,
		     const struct xapi_ip_config *ip, unsigned flags);
int ovs_tunnel_add(void *st, xapi_call_t *call, const char *bridge, const char *name,
		   const struct xapi_tunnel_info *tunnel, unsigned flags);
int ovs_tunnel_remove(void *st, xapi_call_t *call, const char *bridge, const char *name,
		      unsigned flags);

/* ovs_lock.c: VIF locking as OpenFlow flows (port_lock); lock NULL
 * removes ifname's flows (port_remove, before the port goes). */
int ovs_lock_apply(struct ovs *o, xapi_call_t *call, const char *ifname,
		   const struct xapi_port_lock *lock);
int ovs_port_lock(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		  const struct xapi_port_lock *lock, unsigned flags);

/* Bond properties (xapi's Bond.properties and mode) as Port columns:
 * bond_mode, lacp, bond_updelay, bond_downdelay, other_config. Adds them to
 * `port` (a row being built); XAPI_OK or the call failed (a bad value). */
int ovs_bond_columns(struct ovs *o, xapi_call_t *call, const char *mode,
		     const xapi_kv_t *properties, json_object *port);

#endif
