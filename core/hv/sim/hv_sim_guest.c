/* hv_sim_guest.c - the simulated guest agent and console.
 *
 * Once a domain has run, its guest reports (deterministically): os_version
 * {name: Simulated Linux, distro: sim, major: 1, minor: 0}; per NIC an IPv4
 * address from 198.18.0.0/15 (RFC 2544's test range: 198.18.0.0 +
 * (domid << 3 | devid)) as "<devid>/ip" and "<devid>/ipv4/0", an IPv6
 * address 2001:db8::<domid>:<devid> (RFC 3849) as "<devid>/ipv6/0"; the
 * features of xapi's "other" map; a quarter of its memory in use; PV
 * drivers. With the simulated network (hv_sim_net.c) the addresses are
 * the ones eth<devid> of the guest's namespace really has instead. The
 * console is ("rfb", "sim://console/<domid>").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/hv_int.h"
#include "hv_sim_int.h"

static void put(xd_value *map, const char *key, const char *val)
{
	xd_struct_set_take(map, key, xd_string(val));
}

/* Addresses from the ranges reserved for documentation and tests
 * (198.18.0.0/15, RFC 2544; 2001:db8::/32, RFC 3849): they are only strings. */
static void guest_networks(const xd_sim_dom *d, xd_value *net)
{
	char key[48], ip[64];
	int i;

	for (i = 0; i < d->nnics; i++) {
		unsigned devid = (unsigned)d->nics[i].devid;
		char *v6[8];
		int n6 = 0;
		/* With the simulated network, what eth<devid> of the guest's
		 * namespace really has, as xapi's guest agent reports it. */
		if (xd_sim_net_guest_addrs(d->domid, (int)devid, ip, sizeof ip, v6, 8, &n6) == 0) {
			if (ip[0]) {
				snprintf(key, sizeof(key), "%u/ip", devid);
				put(net, key, ip);
				snprintf(key, sizeof(key), "%u/ipv4/0", devid);
				put(net, key, ip);
			}
			for (int k = 0; k < n6; k++) {
				snprintf(key, sizeof(key), "%u/ipv6/%d", devid, k);
				put(net, key, v6[k]);
				free(v6[k]);
			}
			continue;
		}
		unsigned off = (((unsigned)d->domid << 3) | (devid & 7u)) & 0x1ffffu;
		snprintf(ip, sizeof(ip), "198.%u.%u.%u", 18 + (off >> 16), (off >> 8) & 255u,
			 off & 255u);
		snprintf(key, sizeof(key), "%u/ip", devid);
		put(net, key, ip);
		snprintf(key, sizeof(key), "%u/ipv4/0", devid);
		put(net, key, ip);
		snprintf(ip, sizeof(ip), "2001:db8::%x:%x", (unsigned)d->domid, devid);
		snprintf(key, sizeof(key), "%u/ipv6/0", devid);
		put(net, key, ip);
	}
}

int xd_sim_guest_info(int domid, xd_hv_guest_info *out, xd_error *err)
{
	xd_sim_dom *d;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->memory_used = out->memory_free = -1;
	xd_sim_lock();
	d = xd_sim_find(domid);
	if (!d) {
		xd_hv_err_no_domain(err, domid);
		goto out;
	}
	rc = 0;
	if (!d->booted)
		goto out; /* no guest agent before the guest has run */
	out->os_version = xd_struct();
	put(out->os_version, "name", "Simulated Linux");
	put(out->os_version, "distro", "sim");
	put(out->os_version, "major", "1");
	put(out->os_version, "minor", "0");
	out->networks = xd_struct();
	guest_networks(d, out->networks);
	out->other = xd_struct();
	put(out->other, "feature-shutdown", "1");
	put(out->other, "feature-poweroff", "1");
	put(out->other, "feature-reboot", "1");
	put(out->other, "feature-suspend", "1");
	put(out->other, "feature-vcpu-hotplug", "1");
	put(out->other, "has-vendor-device", "0");
	/* a quarter of the memory in use, on a page boundary */
	out->memory_used = (d->memory / 4) & ~(int64_t)4095;
	out->memory_free = d->memory - out->memory_used;
	out->pv_drivers = true;
out:
	xd_sim_unlock();
	return rc;
}

int xd_sim_console(int domid, char **protocol, char **location, xd_error *err)
{
	char loc[64];
	int rc = -1;

	*protocol = *location = NULL;
	xd_sim_lock();
	if (xd_sim_find(domid)) {
		snprintf(loc, sizeof(loc), "sim://console/%d", domid);
		*protocol = xd_sim_strdup("rfb");
		*location = xd_sim_strdup(loc);
		rc = 0;
	} else {
		xd_hv_err_no_domain(err, domid);
	}
	xd_sim_unlock();
	return rc;
}
