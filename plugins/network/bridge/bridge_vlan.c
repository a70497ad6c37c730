/* bridge_vlan.c - VLANs on the bridge backend: the kernel's 8021q device
 * "<trunk>.<tag>" (as xapi's networkd names it) on the trunk interface (a
 * NIC or a bond), made a port of the VLAN network's bridge. Offered when
 * the kernel has 8021q (probe: br_vlan_available). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <net/if.h>
#include <netlink/route/link/vlan.h>

#include "bridge_int.h"

/* Is the kernel module (name, as in modules.dep) loaded, built in, or
 * there to be loaded (the kernel asks modprobe for it on first use)? */
bool br_kernel_has_module(const char *name)
{
	char path[256], want[128];
	struct utsname u;
	snprintf(path, sizeof path, "/sys/module/%s", name);
	if (access(path, F_OK) == 0)
		return true;
	if (uname(&u) != 0)
		return false;
	snprintf(want, sizeof want, "/%s.ko", name);
	const char *lists[] = { "modules.builtin", "modules.dep" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/lib/modules/%s/%s", u.release, lists[i]);
		FILE *f = fopen(path, "r");
		char line[1024];
		bool found = false;
		while (f && !found && fgets(line, sizeof line, f)) {
			char *colon = strchr(line, ':');
			if (colon)
				*colon = 0;
			line[strcspn(line, "\n")] = 0;
			/* "kernel/net/8021q/8021q.ko" or "...bonding.ko.xz" */
			char *hit = strstr(line, want);
			found = hit && (hit[strlen(want)] == 0 || hit[strlen(want)] == '.');
		}
		if (f)
			fclose(f);
		if (found)
			return true;
	}
	return false;
}

bool br_vlan_available(void)
{
	return br_kernel_has_module("8021q");
}

/* The VLAN device's name: "<trunk>.<tag>", or "vlan<tag>_<ifindex>" when
 * that does not fit in an interface name (a 15-character trunk). */
static void vlan_name(char *out, size_t n, const char *trunk, int trunk_index, int tag)
{
	if (snprintf(out, n, "%s.%d", trunk, tag) >= IFNAMSIZ)
		snprintf(out, n, "vlan%d_%d", tag, trunk_index);
}

int br_vlan_add(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	if (tag < 0 || tag > 4094)
		return xapi_fail(s->host, call, "VLAN_TAG_INVALID", 0, "%d", tag);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *t = br_link(&nl, trunk), *have = NULL;
	char name[IFNAMSIZ + 16];
	if (!t) {
		rc = xapi_fail(s->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", trunk);
		goto out;
	}
	vlan_name(name, sizeof name, trunk, rtnl_link_get_ifindex(t), tag);
	/* the trunk carries the tagged frames: it must be up */
	if ((rc = br_link_set_up(s, call, &nl, t, true)) != XAPI_OK)
		goto out;
	have = br_link(&nl, name);
	if (have && !(rtnl_link_is_vlan(have) && rtnl_link_vlan_get_id(have) == tag &&
		      rtnl_link_get_link(have) == rtnl_link_get_ifindex(t))) {
		rc = xapi_fail(s->host, call, NULL, 0, "interface %s exists and is not VLAN %d of %s",
			       name, tag, trunk);
		goto out;
	}
	if (!have) {
		struct rtnl_link *v = rtnl_link_vlan_alloc();
		rtnl_link_set_name(v, name);
		rtnl_link_set_link(v, rtnl_link_get_ifindex(t));
		rtnl_link_vlan_set_id(v, (uint16_t)tag);
		int e = rtnl_link_add(nl.sk, v, NLM_F_CREATE);
		rtnl_link_put(v);
		if (e < 0 && e != -NLE_EXIST) {
			rc = br_nl_fail(s, call, e, "cannot create VLAN device", name);
			goto out;
		}
	}
	/* the VLAN device is then a port like any other */
	if ((rc = br_refill(s, call, &nl)) == XAPI_OK)
		rc = br_enslave(s, call, &nl, bridge, name);
out:
	if (have)
		rtnl_link_put(have);
	if (t)
		rtnl_link_put(t);
	br_nl_close(&nl);
	return rc;
}

int br_vlan_remove(void *st, xapi_call_t *call, const char *bridge, const char *trunk, int tag,
		   unsigned flags)
{
	br_state *s = st;
	(void)bridge;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *t = br_link(&nl, trunk);
	/* the trunk already gone (a bond destroyed first): so is its VLAN */
	if (t) {
		char name[IFNAMSIZ + 16];
		vlan_name(name, sizeof name, trunk, rtnl_link_get_ifindex(t), tag);
		rc = br_delete_kind(s, call, &nl, name, "vlan");
		rtnl_link_put(t);
	}
	br_nl_close(&nl);
	return rc;
}
