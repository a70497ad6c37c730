/* net_metrics.c - what the metrics sampler learns from the network backend
 * every round, as xcp-rrdd's network monitor does for xapi:
 *  - the facts of this host's PIFs (carrier, speed, duplex...) kept
 *    current in their PIF_metrics (last_updated moves when one changes);
 *  - the counters of those PIFs and of the attached VIFs of running
 *    domains, handed to the sampler for pif_<dev>_* (host) and
 *    vif_<devid>_* (the VM) data sources.
 * The counters come from link_query (netlink, in the backend's worker, so
 * in the simulated host's namespace when there is one). A VIF's are the
 * guest's view: what its backend device vif<domid>.<devid> sends, the guest
 * receives (xapi's vif_N_rx is the backend's tx). xapi has no VIF_metrics
 * any more, nor PIF_metrics.io_*_kbs ("replaced by RRDs"): the rates are
 * data sources only. */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "log.h"
#include "net_int.h"

typedef struct pending {
	char *ref, *device, *owner_uuid, *name;  /* name: "pif_eth0", "vif_0" */
	bool vif;
} pending;

typedef struct pending_list {
	pending *v;
	size_t n;
	const char *host;
	int f_host, f_device, f_vm, f_attached;
} pending_list;

static void push(pending_list *l, const char *ref, char *device, char *owner, char *name,
		 bool vif)
{
	pending *grown = device && name ? realloc(l->v, (l->n + 1) * sizeof *grown) : NULL;
	if (!grown) {
		free(device), free(owner), free(name);
		return;
	}
	l->v = grown;
	l->v[l->n++] = (pending){ strdup(ref), device, owner, name, vif };
}

static int pif_cb(const char *ref, const xd_value *const *f, void *ud)
{
	pending_list *l = ud;
	const char *dev = f[l->f_device]->u.s;
	if (strcmp(f[l->f_host]->u.s, l->host) != 0 || !dev[0])
		return 0;
	char *name = NULL;
	if (asprintf(&name, "pif_%s", dev) < 0)
		name = NULL;
	push(l, ref, strdup(dev), NULL, name, false);
	return 0;
}

static int vif_cb(const char *ref, const xd_value *const *f, void *ud)
{
	pending_list *l = ud;
	if (!f[l->f_attached]->u.b)
		return 0;
	const xd_class *vc = xd_dm_class("VM");
	const char *vm = f[l->f_vm]->u.s;
	xd_value *domid = xd_db_get_field(vc, vm, xd_dm_field_index(vc, "domid"));
	xd_value *uuid = xd_db_get_field(vc, vm, xd_dm_field_index(vc, "uuid"));
	xd_value *res = xd_db_get_field(vc, vm, xd_dm_field_index(vc, "resident_on"));
	if (domid && uuid && res && domid->u.i >= 0 && strcmp(res->u.s, l->host) == 0) {
		const char *n = f[l->f_device]->u.s;
		char *dev = NULL, *name = NULL;
		if (asprintf(&dev, "vif%lld.%s", (long long)domid->u.i, n) < 0)
			dev = NULL;
		if (asprintf(&name, "vif_%s", n) < 0)
			name = NULL;
		push(l, ref, dev, strdup(uuid->u.s), name, true);
	}
	xd_value_free(domid);
	xd_value_free(uuid);
	xd_value_free(res);
	return 0;
}

void xd_network_sample(xd_network_counters_fn *cb, void *ud)
{
	const char *host = xd_this_host();
	if (!xd_network_backend() || !host)
		return;
	const xd_class *pc = xd_dm_class("PIF"), *vc = xd_dm_class("VIF");
	pending_list l = { .host = host, .f_host = xd_dm_field_index(pc, "host"),
			   .f_device = xd_dm_field_index(pc, "device") };
	xd_db_foreach(pc, pif_cb, &l);
	l.f_device = xd_dm_field_index(vc, "device");
	l.f_vm = xd_dm_field_index(vc, "VM");
	l.f_attached = xd_dm_field_index(vc, "currently_attached");
	xd_db_foreach(vc, vif_cb, &l);
	for (size_t i = 0; i < l.n; i++) {
		pending *p = &l.v[i];
		xd_net_result r;
		xd_error err = XD_ERROR_INIT;
		/* a PIF whose device is not there (a VLAN's, a forgotten NIC's)
		 * has no figures: nothing to say each round */
		if (xd_net_call(XD_NET_LINK_QUERY, &(xd_net_args){ .ifname = p->device, .up = -1 },
				&r, &err) < 0)
			r.nlinks = 0;
		else if (!r.nlinks)
			xd_net_result_clear(&r);
		if (r.nlinks) {
			const xd_net_link *k = &r.links[0];
			if (!p->vif)
				xd_net_pif_metrics_update(p->ref, k);
			xd_network_counters c = {
				.owner_uuid = p->owner_uuid, .name = p->name,
				/* the guest's view of a VIF: rx and tx swapped */
				.rx_bytes = p->vif ? k->tx_bytes : k->rx_bytes,
				.tx_bytes = p->vif ? k->rx_bytes : k->tx_bytes,
				.rx_packets = p->vif ? k->tx_packets : k->rx_packets,
				.tx_packets = p->vif ? k->rx_packets : k->tx_packets,
				.rx_errors = p->vif ? k->tx_errors : k->rx_errors,
				.tx_errors = p->vif ? k->rx_errors : k->tx_errors,
			};
			cb(ud, &c);
			xd_net_result_clear(&r);
		}
		xd_error_clear(&err);
		free(p->ref), free(p->device), free(p->owner_uuid), free(p->name);
	}
	free(l.v);
}
