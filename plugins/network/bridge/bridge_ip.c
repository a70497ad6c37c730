/* bridge_ip.c - IP configuration of an interface (ip_configure): what the
 * family had is removed, then nothing (None), the given address and
 * default route (Static), or the lease of a DHCP client program (DHCP):
 * busybox's udhcpc, run once per call (-q: it exits with its lease), its
 * hook script only printing what it got; the address and route are then
 * set here through netlink, as for Static. The lease is not renewed by a
 * daemon: doc/network.md says so. */
#define _GNU_SOURCE /* mkstemp in a dir */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/addr.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "bridge_int.h"

/* udhcpc's hook, called with the event as $1 and the lease in the
 * environment (ip, mask: prefix length, router, dns). */
static const char hook[] = "#!/bin/sh\n"
			   "case \"$1\" in bound|renew)\n"
			   "  echo \"lease ip=$ip\"; echo \"lease mask=$mask\";\n"
			   "  echo \"lease router=${router%% *}\"; echo \"lease dns=$dns\";;\n"
			   "esac\n";

static char *in_path(const char *prog)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	char *copy = strdup(path), *save = NULL, *found = NULL;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *p = NULL;
		if (asprintf(&p, "%s/%s", d, prog) < 0)
			break;
		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

bool br_dhcp_available(void)
{
	char *p = in_path("busybox");
	free(p);
	return p != NULL;
}

/* Removes every global address of family fam from ifindex, and the
 * default routes through it. */
static int flush(br_state *s, xapi_call_t *call, br_nl *nl, int ifindex, int fam)
{
	struct nl_cache *cache = NULL;
	int e = rtnl_addr_alloc_cache(nl->sk, &cache);
	if (e < 0)
		return br_nl_fail(s, call, e, "cannot list the addresses", "");
	int rc = XAPI_OK;
	for (struct nl_object *o = nl_cache_get_first(cache); o && rc == XAPI_OK;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		if (rtnl_addr_get_ifindex(a) == ifindex && rtnl_addr_get_family(a) == fam &&
		    rtnl_addr_get_scope(a) == RT_SCOPE_UNIVERSE &&
		    (e = rtnl_addr_delete(nl->sk, a, 0)) < 0 && e != -NLE_NOADDR)
			rc = br_nl_fail(s, call, e, "cannot remove an address of", "");
	}
	nl_cache_free(cache);
	if (rc != XAPI_OK || (e = rtnl_route_alloc_cache(nl->sk, fam, 0, &cache)) < 0)
		return rc != XAPI_OK ? rc : br_nl_fail(s, call, e, "cannot list the routes", "");
	for (struct nl_object *o = nl_cache_get_first(cache); o && rc == XAPI_OK;
	     o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		if (rtnl_route_get_table(r) != RT_TABLE_MAIN || (dst && nl_addr_get_prefixlen(dst)))
			continue;
		bool ours = false;
		for (int i = 0; i < rtnl_route_get_nnexthops(r); i++)
			ours |= rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(r, i)) == ifindex;
		if (ours && (e = rtnl_route_delete(nl->sk, r, 0)) < 0)
			rc = br_nl_fail(s, call, e, "cannot remove the default route of", "");
	}
	nl_cache_free(cache);
	return rc;
}

static int add_address(br_state *s, xapi_call_t *call, br_nl *nl, int ifindex, int fam,
		       const char *cidr)
{
	struct nl_addr *local = NULL;
	int e = nl_addr_parse(cidr, fam, &local);
	if (e < 0 || !strchr(cidr, '/'))
		return xapi_fail(s->host, call, "INVALID_CIDR_ADDRESS_SPECIFIED", 0, "%s", cidr);
	struct rtnl_addr *a = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, fam);
	e = rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, nl_addr_get_prefixlen(local));
	if (e >= 0)
		e = rtnl_addr_add(nl->sk, a, NLM_F_REPLACE);
	rtnl_addr_put(a);
	nl_addr_put(local);
	if (e < 0 && e != -NLE_EXIST)
		return br_nl_fail(s, call, e, "cannot add address", cidr);
	return XAPI_OK;
}

static int add_gateway(br_state *s, xapi_call_t *call, br_nl *nl, int ifindex, int fam,
		       const char *gw)
{
	if (!gw || !*gw)
		return XAPI_OK;
	struct nl_addr *dst = NULL, *via = NULL;
	int e = nl_addr_parse("default", fam, &dst);
	if (e >= 0 && (e = nl_addr_parse(gw, fam, &via)) < 0)
		via = NULL;
	if (e < 0) {
		if (dst)
			nl_addr_put(dst);
		return xapi_fail(s->host, call, "INVALID_IP_ADDRESS_SPECIFIED", 0, "gateway");
	}
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	rtnl_route_set_family(r, (uint8_t)fam);
	rtnl_route_set_dst(r, dst);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_nh_set_gateway(nh, via);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	e = rtnl_route_add(nl->sk, r, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_route_put(r);
	nl_addr_put(dst);
	nl_addr_put(via);
	if (e < 0)
		return br_nl_fail(s, call, e, "cannot add the default route via", gw);
	return XAPI_OK;
}

/* Runs udhcpc on ifname; fills cidr ("a.b.c.d/len") and gw from its lease. */
static int dhcp_lease(br_state *s, xapi_call_t *call, const char *ifname, char *cidr,
		      size_t ncidr, char *gw, size_t ngw)
{
	char script[] = "/tmp/xapi-c-udhcpc-XXXXXX";
	int fd = mkstemp(script);
	if (fd < 0)
		return xapi_fail(s->host, call, NULL, 0, "cannot write the DHCP hook script");
	bool ok = write(fd, hook, sizeof hook - 1) == (ssize_t)(sizeof hook - 1) &&
		  fchmod(fd, 0700) == 0;
	close(fd);
	if (!ok) {
		unlink(script);
		return xapi_fail(s->host, call, NULL, 0, "cannot write the DHCP hook script");
	}
	/* -f foreground, -q quit with the lease, -n give up without one, 5
	 * discovers a second apart, no ARP check */
	const char *argv[] = { "busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "1",
			       "-i", ifname, "-s", script, NULL };
	const char *out = NULL;
	int st = s->host->run(call, argv, 30000, &out);
	unlink(script);
	char ip[64] = "", mask[8] = "";
	gw[0] = 0;
	for (const char *l = out; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char line[256];
		snprintf(line, sizeof line, "%.*s", (int)(n < 255 ? n : 255), l);
		if (strncmp(line, "lease ip=", 9) == 0)
			snprintf(ip, sizeof ip, "%.63s", line + 9);
		else if (strncmp(line, "lease mask=", 11) == 0)
			snprintf(mask, sizeof mask, "%.7s", line + 11);
		else if (strncmp(line, "lease router=", 13) == 0)
			snprintf(gw, ngw, "%.63s", line + 13);
		l = nl ? nl + 1 : l + n;
	}
	if (st != 0 || !ip[0])
		return xapi_fail(s->host, call, NULL, 0, "no DHCP lease on %s (udhcpc: %s)", ifname,
				 out && *out ? out : "no output");
	snprintf(cidr, ncidr, "%s/%s", ip, mask[0] ? mask : "32");
	return XAPI_OK;
}

int br_ip_configure(void *st, xapi_call_t *call, const char *ifname,
		    const struct xapi_ip_config *ip, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	int fam = ip->family == 6 ? AF_INET6 : AF_INET;
	const char *mode = ip->mode ? ip->mode : "None";
	bool stat = strcmp(mode, "Static") == 0, dhcp = strcmp(mode, "DHCP") == 0;
	if (!stat && !dhcp && strcmp(mode, "None") != 0)
		return xapi_fail(s->host, call, NULL, 0, "IPv%d mode %s is not supported by the "
				 "bridge backend", ip->family, mode);
	if (dhcp && (fam == AF_INET6 || !br_dhcp_available()))
		return xapi_fail(s->host, call, NULL, 0, "DHCP%s is not available on the bridge "
				 "backend", fam == AF_INET6 ? "v6" : " (no busybox udhcpc)");
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *l = br_link(&nl, ifname);
	if (!l) {
		br_nl_close(&nl);
		return xapi_fail(s->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", ifname);
	}
	int idx = rtnl_link_get_ifindex(l);
	rc = br_link_set_up(s, call, &nl, l, true);
	if (rc == XAPI_OK)
		rc = flush(s, call, &nl, idx, fam);
	char cidr[80], gw[64];
	if (rc == XAPI_OK && stat) {
		snprintf(cidr, sizeof cidr, "%s", ip->address ? ip->address : "");
		snprintf(gw, sizeof gw, "%s", ip->gateway ? ip->gateway : "");
	} else if (rc == XAPI_OK && dhcp) {
		rc = dhcp_lease(s, call, ifname, cidr, sizeof cidr, gw, sizeof gw);
	}
	if (rc == XAPI_OK && (stat || dhcp))
		rc = add_address(s, call, &nl, idx, fam, cidr);
	if (rc == XAPI_OK && (stat || dhcp))
		rc = add_gateway(s, call, &nl, idx, fam, gw);
	if (rc == XAPI_OK && (rc = br_refill(s, call, &nl)) == XAPI_OK) {
		rtnl_link_put(l);
		l = br_link(&nl, ifname);
		rc = l ? br_emit_link(s, call, &nl, l, true)
		       : xapi_fail(s->host, call, NULL, 0, "interface %s vanished", ifname);
	}
	if (l)
		rtnl_link_put(l);
	br_nl_close(&nl);
	return rc;
}
