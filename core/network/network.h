/* network.h - the network layer: this host's networking as xapi's model
 * says it must be, made true by the network backend plugin (xapi/network.h)
 * chosen by the network_backend setting (xapi's network.conf).
 *
 * Owns: the backend's name and capabilities; with the sim hypervisor, the
 * simulated host's network namespace (hv.h, xd_hv_sim_net_setup), in which
 * the backend's worker runs. What it does, as xapi's nm.ml and xapi_pif.ml
 * do: PIF.scan (PIF and PIF_metrics records for new NICs, netlink facts),
 * a first start's networks (one per NIC, bridge xenbr<N>, the first NIC
 * the management interface), PIF plug / unplug (bridge, port, IP
 * configuration), VIF plug / unplug on running domains (the VIF's device
 * vif<domid>.<devid> a port of its network's bridge), and at every start
 * the reconcile: plugged PIFs and attached VIFs made true again, ports of
 * VIFs that are gone removed.
 *
 * Errors are xapi's (XenAPI codes in err); a backend's failure comes as
 * its own code or INTERNAL_ERROR (loader/plugins.h).
 */
#ifndef XD_NETWORK_H
#define XD_NETWORK_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "value.h"

typedef struct xd_network_config {
	const char *backend;     /* plugins.d name of the backend ("bridge", "ovs"); "" none */
	bool sim;                /* the sim hypervisor: the host's network is simulated */
	const char *sim_netns;   /* its namespace; NULL or "": xapi-<8 hex of the host uuid> */
	const char *sim_nics;    /* its NICs, comma separated (default "eth0,eth1") */
	const char *plugins_conf_dir; /* where the backend must be enabled for a
	                                 simulated network to be made */
} xd_network_config;

/* After first boot, before the plugins load: with sim and the backend
 * enabled in plugins.d, makes the simulated network (its name in
 * *netns_out, heap; else NULL: no backend, NICs stay records). */
int xd_network_prepare(const xd_network_config *cfg, char **netns_out, xd_error *err);
/* After the plugins load: the backend's capabilities and
 * host.software_version.network_backend; a host without PIFs gets its
 * first-boot networks, every start the reconcile. A missing backend is a
 * warning (networking calls then fail), not an error. */
int xd_network_start(xd_error *err);
/* Clean stop: the simulated network's namespaces are removed. */
void xd_network_stop(void);

/* The backend in use (NULL: none loaded) and whether it can do cap
 * (XAPI_NET_CAP_*). */
const char *xd_network_backend(void);
bool xd_network_has_cap(uint32_t cap);
/* 0 if a backend is loaded, else INTERNAL_ERROR naming the setting. */
int xd_network_check_backend(xd_error *err);

/* ---- PIFs (this host's) ---- */
int xd_network_pif_scan(const char *host, xd_error *err);
/* A new PIF of device (MAC as the NIC's, or mac if given) on a new network;
 * *pif_out its ref (heap). */
int xd_network_pif_introduce(const char *host, const char *device, const char *mac,
			     bool managed, char **pif_out, xd_error *err);
int xd_network_pif_plug(const char *pif, xd_error *err);
int xd_network_pif_unplug(const char *pif, xd_error *err);
/* Applies the PIF's recorded IP configuration (if it is plugged) and
 * records the addresses the backend reports. */
int xd_network_pif_apply_ip(const char *pif, int family, xd_error *err);
/* The bridge of network, made to exist (a private network's bridge). */
int xd_network_ensure_bridge(const char *network, xd_error *err);
/* Removes the bridge of network if nothing of this host uses it. */
void xd_network_release_bridge(const char *network);

/* ---- VIFs of running domains ---- */
/* The VIF (whose domain domid has its NIC) joins its network's bridge,
 * with its locking rules where the backend enforces them. */
int xd_network_vif_plug(const char *vif, int domid, xd_error *err);
/* It leaves it (failures are logged: the domain is going). */
void xd_network_vif_unplug(const char *vif, int domid);
/* Applies the VIF's locking mode again (VIF.set_locking_mode...). */
int xd_network_vif_relock(const char *vif, int domid, xd_error *err);

/* ---- for the metrics sampler (net_metrics.c) ---- */
/* The counters of one interface, since it was made (-1 unknown). */
typedef struct xd_network_counters {
	const char *owner_uuid;  /* the VM of a VIF; NULL: this host (a PIF) */
	const char *name;        /* data source prefix: "pif_eth0", "vif_0" */
	int64_t rx_bytes, tx_bytes, rx_packets, tx_packets, rx_errors, tx_errors;
} xd_network_counters;
typedef void xd_network_counters_fn(void *ud, const xd_network_counters *c);
/* Once a round: this host's PIFs' facts into their PIF_metrics, and cb
 * with the counters of each PIF and of each attached VIF of a running
 * domain (a VIF's from the guest's side: what it received is rx). Nothing
 * without a backend. */
void xd_network_sample(xd_network_counters_fn *cb, void *ud);

#endif
