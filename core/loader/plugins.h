/* plugins.h - the core's side of the plugin ABI (sdk/include/xapi/).
 *
 * Owns: the set of loaded plugins, and for each one its worker process: a
 * separate program (xapid-plugin-worker, installed in libexec) that dlopens
 * the plugin, calls xapi_plugin_init and serves the core's calls over a
 * socketpair. A plugin that crashes, calls exit or hangs (past its op's
 * limit: timeout.<op> in plugins.d, else 300 s for metadata ops and
 * plugin_timeout for the others; or past cancel_grace after its task was
 * cancelled) fails the call it was making with an error, its worker's
 * process group is killed and restarted, and the daemon goes on. Calls to a
 * plugin without XAPI_PLUGIN_THREADSAFE are serialised here.
 *
 * Which plugins load: the files <plugins_conf_dir>/<name>.conf with
 * `enabled = true` (see doc/plugins.md). Every refusal (no such .so, missing
 * xapi_plugin_init, another ABI major, a NULL mandatory op, a capability
 * without its op, a duplicate name, init failing) is one log line naming the
 * plugin and the reason; the daemon goes on without it. Loaded plugins stay
 * loaded until shutdown (never dlclose'd; disabling one takes a restart).
 * A plugin's .so is opened once, when it loads, and every worker started
 * for it loads that open file (plugin_file.h): a file replaced on disk is
 * reported, not used, until a restart.
 *
 * Every storage plugin that loads gets an SM object (type = its name).
 */
#ifndef XD_PLUGINS_H
#define XD_PLUGINS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "value.h"

typedef struct xd_plugins_config {
	const char *plugin_dir;        /* where <name>.so files are */
	const char *conf_dir;          /* plugins.d */
	const char *worker_path;       /* the xapid-plugin-worker program */
	double timeout_s;              /* one op may take this long (default 3600) */
	double cancel_grace_s;         /* a cancelled op still running this long after
	                                  the driver was told is killed (default 5) */
	const char *net_backend;       /* the plugins.d name of the network backend */
	const char *net_netns;         /* ... whose workers run in this network
	                                  namespace (the sim host's), or NULL */
} xd_plugins_config;

/* Loads every enabled plugin (refusals are logged, not fatal). Creates or
 * refreshes the SM objects of storage plugins and destroys those of drivers
 * no longer loaded. Returns 0, or -1 only if the directories are unusable. */
int xd_plugins_init(const xd_plugins_config *cfg);
/* Loads plugins enabled since the last scan (SIGHUP, host.call_plugin),
 * and reports loaded plugins whose .so changed on disk (see below). */
int xd_plugins_rescan(void);
/* fn is called with the type of every storage driver a rescan loads, in
 * the rescanning thread after its SM object is made and the scan is over
 * (no lock of the loader held), before the rescan returns: the storage
 * layer plugs the SRs that waited for it. One hook; NULL removes it. */
typedef void xd_plugins_sr_loaded_fn(const char *type);
void xd_plugins_on_sr_loaded(xd_plugins_sr_loaded_fn *fn);
void xd_plugins_shutdown(void);

/* Names of the loaded storage drivers (SR types): a new XD_V_ARRAY. */
xd_value *xd_plugins_sr_types(void);
bool xd_plugins_has_sr_type(const char *type);

/* ---- storage calls ------------------------------------------------------ */

/* The SR a call is about. device_config and sm_config: XD_V_STRUCT string
 * maps (borrowed). */
typedef struct xd_sr_ref {
	const char *type;
	const char *uuid;
	const char *name_label;
	const xd_value *device_config;
	const xd_value *sm_config;
} xd_sr_ref;

/* What drivers report about SRs and VDIs (owned by the result arrays). */
typedef struct xd_sr_info {
	char *uuid, *name_label, *name_description;  /* may be NULL */
	int64_t physical_size, physical_utilisation, virtual_allocation; /* -1 unknown */
	xd_value *sm_config;                          /* struct or NULL */
} xd_sr_info;

typedef struct xd_vdi_info {
	char *location, *uuid, *name_label, *name_description;  /* may be NULL */
	int64_t virtual_size, physical_utilisation;
	bool read_only, is_a_snapshot;
	char *snapshot_of, *parent, *datapath;                   /* may be NULL */
	xd_value *sm_config;                                      /* struct or NULL */
} xd_vdi_info;

/* The results of one call: what the driver emitted. */
typedef struct xd_sr_result {
	xd_sr_info *srs;
	size_t nsrs;
	xd_vdi_info *vdis;
	size_t nvdis;
} xd_sr_result;
void xd_sr_result_clear(xd_sr_result *r);

/* The operations (names as in struct xapi_sr_ops). */
typedef enum {
	XD_SR_PROBE, XD_SR_CREATE, XD_SR_DELETE, XD_SR_ATTACH, XD_SR_DETACH, XD_SR_SCAN,
	XD_SR_UPDATE, XD_VDI_CREATE, XD_VDI_DELETE, XD_VDI_SNAPSHOT, XD_VDI_CLONE,
	XD_VDI_RESIZE, XD_VDI_ATTACH, XD_VDI_DETACH, XD_VDI_INTRODUCE, XD_VDI_UPDATE,
	XD_SR_NOPS
} xd_sr_op;

/* Does the driver of this type implement op (its capability)? */
bool xd_plugins_sr_can(const char *type, xd_sr_op op);

/* Arguments of one storage call; unused ones stay 0/NULL. */
typedef struct xd_sr_args {
	const xd_sr_ref *sr;           /* all but PROBE */
	const xd_value *device_config; /* PROBE */
	const xd_value *sm_config;     /* PROBE */
	const char *location;          /* VDI_* except CREATE */
	const xd_vdi_info *want;       /* VDI_CREATE, VDI_SNAPSHOT, VDI_CLONE (the new VDI) */
	int64_t size;                  /* SR_CREATE, VDI_RESIZE */
	bool writable;                 /* VDI_ATTACH */
	const char *task;              /* progress and cancel go to this task; may be NULL */
} xd_sr_args;

/* Runs op in the driver's worker and collects what it emitted (*out is
 * overwritten: clear an earlier result first; on error it is left empty).
 * Progress goes to args->task, and a cancel of that task reaches the
 * driver (host->cancelled). No lock is held during the call but the
 * driver's own turn (drivers without XAPI_PLUGIN_THREADSAFE make one call
 * at a time). Errors:
 *  - SR_UNKNOWN_DRIVER [type]: no such driver is loaded;
 *  - SR_OPERATION_NOT_SUPPORTED [sr uuid]: the op is NULL, or the driver
 *    returned XAPI_E_UNSUPPORTED;
 *  - SR_BACKEND_FAILURE_<n> ["", sm's message, ""] (94 for `location`...,
 *    115 for other keys; plugin_required.c): sr_create, sr_attach or
 *    sr_probe lacks a device_config key the driver marks
 *    XAPI_CONFIG_REQUIRED (the driver is not called);
 *  - what the driver's status, its xapi_fail() and its emits mean: the
 *    table "Statuses on the wire" in xapi/plugin.h (plugin_status.c), with
 *    the SR named by uuid and the VDI by location (see below); driver bugs
 *    (a return that is no status, XAPI_E_FAILED without xapi_fail, XAPI_OK
 *    without the VDI, an unusable location) are logged "plugin <name>:
 *    driver bug: ..." and answered SR_BACKEND_FAILURE ["", what, ""];
 *  - the worker died or hung: SR_BACKEND_FAILURE ["", "the <type> driver
 *    crashed (signal N) during <op>", ""], ["", "the <type> driver exited
 *    with status N during <op>", ""], ["", "the <type> driver did not
 *    answer within N s during <op>", ""] (it was killed at the op's limit,
 *    plugin_timeouts.h); the worker is started again on the next call,
 *    and if that fails: ["", "the <type> driver could not be started:
 *    <why>", ""];
 *  - TASK_CANCELLED [task]: the task was cancelled while the call waited
 *    for the driver's turn (the wait shows in the task's
 *    other_config:waiting_for), or the driver had not returned
 *    cancel_grace seconds after it was told (its worker was killed).
 * VDI_MISSING and SR_OPERATION_NOT_SUPPORTED carry the uuid and location
 * known here; a handler that knows the refs may put those in instead. */
int xd_plugins_sr_call(const char *type, xd_sr_op op, const xd_sr_args *args,
		       xd_sr_result *out, xd_error *err);

/* For what only a caller can see is wrong with a driver's results (a
 * vdi_attach without a usable datapath): logs "plugin <name>: driver bug:
 * <message>" and sets SR_BACKEND_FAILURE ["", message, ""]. Returns -1. */
int xd_plugins_driver_bug(const char *type, xd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- network calls -------------------------------------------------- */

/* The operations (names and order as in struct xapi_net_ops). */
typedef enum {
	XD_NET_PROBE, XD_NET_PIF_SCAN, XD_NET_BRIDGE_ENSURE, XD_NET_BRIDGE_DESTROY,
	XD_NET_PORT_ADD, XD_NET_PORT_REMOVE, XD_NET_VLAN_ADD, XD_NET_VLAN_REMOVE,
	XD_NET_BOND_ADD, XD_NET_BOND_REMOVE, XD_NET_IP_CONFIGURE, XD_NET_LINK_QUERY,
	XD_NET_LINK_SET, XD_NET_TUNNEL_ADD, XD_NET_TUNNEL_REMOVE, XD_NET_PORT_LOCK,
	XD_NET_BRIDGE_PORTS, XD_NET_NOPS
} xd_net_op;

/* Arguments of one network call (borrowed); what an op does not use stays
 * 0/NULL. Strings NULL are sent as "". */
typedef struct xd_net_args {
	const char *bridge, *ifname, *trunk, *name; /* name: bond or tunnel */
	int tag;
	int64_t mtu;                  /* BRIDGE_ENSURE, LINK_SET (0: unchanged) */
	int up;                       /* LINK_SET: 1, 0, -1 unchanged */
	const xd_value *kv;           /* other_config / external_ids / bond properties */
	const xd_value *members;      /* BOND_ADD: array of devices */
	const char *mode;             /* BOND_ADD bond mode, IP_CONFIGURE mode, PORT_LOCK mode */
	int family;                   /* IP_CONFIGURE: 4 or 6 */
	const char *address, *gateway, *dns;
	const char *protocol, *remote, *local, *transport; /* TUNNEL_ADD */
	int64_t key;
	const char *mac;              /* PORT_LOCK */
	const xd_value *ipv4_allowed, *ipv6_allowed;
	const char *task;
} xd_net_args;

/* One interface a backend reported (emit_pif); strings owned, NULL when
 * not said; numbers -1 when unknown. */
typedef struct xd_net_link {
	char *device, *mac, *bridge, *ipv4, *ipv4_gateway, *ipv6;
	char *vendor_id, *device_id, *vendor_name, *device_name, *pci_bus_path;
	int64_t mtu, speed_mbit;
	int carrier, duplex, physical, up;
	int64_t rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors;
} xd_net_link;

typedef struct xd_net_result {
	xd_net_link *links;
	size_t nlinks;
	uint32_t caps;                /* PROBE: XAPI_NET_CAP_* */
} xd_net_result;
void xd_net_result_clear(xd_net_result *r);

/* Does <conf_dir>/<name>.conf say enabled = true (before xd_plugins_init:
 * whether the network backend will load)? */
bool xd_plugins_conf_enabled(const char *conf_dir, const char *name);
/* Is the network backend of that plugins.d name loaded; does it have op? */
bool xd_plugins_has_net(const char *name);
bool xd_plugins_net_can(const char *name, xd_net_op op);
/* The loaded backend's descriptor name and version ("bridge", "1.0"): new
 * strings, or NULL. */
char *xd_plugins_net_describe(const char *name);

/* Runs op in the backend's worker (as xd_plugins_sr_call does: its turn,
 * timeouts, cancel, a restart after a crash). Errors:
 *  - INTERNAL_ERROR ["network backend <name> is not loaded"];
 *  - the op is missing: OPERATION_NOT_ALLOWED ["the <name> network backend
 *    cannot <op>"] (callers check capabilities first, with xapi's errors);
 *  - after xapi_fail(code named): code [message]; xapi_fail without a
 *    code, or a failing status: INTERNAL_ERROR ["<name> network backend:
 *    <op>: <message or status>"];
 *  - the worker crashed, exited or hung: INTERNAL_ERROR ["the <name> driver
 *    crashed (signal N) during <op>"] ... */
int xd_plugins_net_call(const char *name, xd_net_op op, const xd_net_args *args,
			xd_net_result *out, xd_error *err);

/* ---- metrics (plugin_collect.c) ------------------------------------------ */

/* A data source a collector declared (xapi/plugin.h, struct xapi_ds_desc). */
typedef struct xd_ds_decl {
	const char *plugin;            /* its plugins.d name */
	const char *name, *description, *units, *owner_class;
	int type;                      /* XAPI_DS_GAUGE / DERIVE / ABSOLUTE */
	double min, max;
	bool enabled_by_default;
} xd_ds_decl;
/* Called with every declaration a collector makes (in init, or during a
 * collect), from the thread that reads its worker. One hook; NULL removes it. */
typedef void xd_plugins_ds_declare_fn(const xd_ds_decl *d);
void xd_plugins_on_ds_declare(xd_plugins_ds_declare_fn *fn);

/* Called with every sample of one collect: owner NULL is this host. */
typedef void xd_plugins_ds_sample_fn(void *ud, const char *plugin, const char *name,
				     const char *owner, double value);

/* Runs collect of every loaded metrics collector at once (a thread each),
 * each with the deadline timeout_s: a collector that crashes, exits,
 * fails or has not answered by then loses this round's samples (what it
 * reported before failing is dropped too), its worker is killed if it
 * hangs and started again at the next round, and the others are not held
 * up. fn gets the samples of the collects that succeeded (under no lock of
 * the loader; calls are serialised). Returns how many collectors failed. */
int xd_plugins_metrics_collect(double timeout_s, xd_plugins_ds_sample_fn *fn, void *ud);

/* A VDI's I/O counters from its driver's vdi_io (ABI 2.1); -1 unknown. */
typedef struct xd_vdi_io {
	int64_t read_bytes, write_bytes, read_ops, write_ops, read_time_us, write_time_us;
} xd_vdi_io;
/* Does the driver of this type report per-VDI I/O (vdi_io)? */
bool xd_plugins_sr_has_vdi_io(const char *type);
/* Asks the driver for the VDI's counters, within timeout_s. Returns 0, or
 * -1 with the error as xd_plugins_sr_call's (VDI_MISSING when the driver
 * answers XAPI_E_NOT_FOUND: no figures for it). */
int xd_plugins_vdi_io(const xd_sr_ref *sr, const char *location, double timeout_s,
		      xd_vdi_io *out, xd_error *err);

#endif
