/* bridge_nl.c - the netlink helpers of the bridge backend (libnl-route-3):
 * one socket and one link cache per op, errors worded for the client. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link/bridge.h>

#include "bridge_int.h"

int br_nl_fail(br_state *s, xapi_call_t *call, int nlerr, const char *what, const char *name)
{
	return xapi_fail(s->host, call, NULL, 0, "%s %s: %s", what, name ? name : "",
			 nl_geterror(nlerr));
}

int br_nl_open(br_state *s, xapi_call_t *call, br_nl *nl)
{
	memset(nl, 0, sizeof *nl);
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return xapi_fail(s->host, call, NULL, 0, "out of memory for a netlink socket");
	int rc = nl_connect(nl->sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return br_nl_fail(s, call, rc, "cannot open a netlink socket", "");
	}
	return br_refill(s, call, nl);
}

void br_nl_close(br_nl *nl)
{
	if (nl->links)
		nl_cache_free(nl->links);
	if (nl->sk)
		nl_socket_free(nl->sk);
	memset(nl, 0, sizeof *nl);
}

int br_refill(br_state *s, xapi_call_t *call, br_nl *nl)
{
	if (nl->links) {
		nl_cache_free(nl->links);
		nl->links = NULL;
	}
	int rc = rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &nl->links);
	if (rc < 0)
		return br_nl_fail(s, call, rc, "cannot list the interfaces", "");
	return XAPI_OK;
}

struct rtnl_link *br_link(br_nl *nl, const char *name)
{
	return name && *name ? rtnl_link_get_by_name(nl->links, name) : NULL;
}

static int change(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l,
		  struct rtnl_link *req, const char *what)
{
	int rc = rtnl_link_change(nl->sk, l, req, 0);
	rtnl_link_put(req);
	if (rc < 0)
		return br_nl_fail(s, call, rc, what, rtnl_link_get_name(l));
	return XAPI_OK;
}

int br_link_set_up(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, bool up)
{
	if (!!(rtnl_link_get_flags(l) & IFF_UP) == up)
		return XAPI_OK;
	struct rtnl_link *req = rtnl_link_alloc();
	if (!req)
		return xapi_fail(s->host, call, NULL, 0, "out of memory");
	if (up)
		rtnl_link_set_flags(req, IFF_UP);
	else
		rtnl_link_unset_flags(req, IFF_UP);
	return change(s, call, nl, l, req, up ? "cannot bring up" : "cannot bring down");
}

int br_link_set_mtu(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, int64_t mtu)
{
	if (mtu <= 0 || (int64_t)rtnl_link_get_mtu(l) == mtu)
		return XAPI_OK;
	struct rtnl_link *req = rtnl_link_alloc();
	if (!req)
		return xapi_fail(s->host, call, NULL, 0, "out of memory");
	rtnl_link_set_mtu(req, (unsigned)mtu);
	return change(s, call, nl, l, req, "cannot set the MTU of");
}

int br_check_name(br_state *s, xapi_call_t *call, const char *what, const char *name)
{
	size_t n = name ? strlen(name) : 0;
	bool ok = n > 0 && n < IFNAMSIZ && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
	for (size_t i = 0; ok && i < n; i++)
		if (name[i] == '/' || name[i] == ':' || isspace((unsigned char)name[i]))
			ok = false;
	if (!ok)
		return xapi_fail(s->host, call, NULL, 0, "%s '%s' is not a usable interface name "
				 "(1 to %d characters, no '/', ':' or space)", what, name ? name : "",
				 IFNAMSIZ - 1);
	return XAPI_OK;
}

int br_enslave(br_state *s, xapi_call_t *call, br_nl *nl, const char *bridge, const char *ifname)
{
	int rc = XAPI_OK;
	struct rtnl_link *br = br_link(nl, bridge), *port = br_link(nl, ifname);
	if (!br || !rtnl_link_is_bridge(br))
		rc = xapi_fail(s->host, call, "BRIDGE_NOT_AVAILABLE", 0, "%s", bridge);
	else if (!port)
		rc = xapi_fail(s->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", ifname);
	else if (rtnl_link_get_master(port) != rtnl_link_get_ifindex(br)) {
		int e = rtnl_link_enslave(nl->sk, br, port);
		if (e < 0)
			rc = br_nl_fail(s, call, e, "cannot add to its bridge the interface", ifname);
	}
	if (rc == XAPI_OK)
		rc = br_link_set_up(s, call, nl, port, true);
	if (br)
		rtnl_link_put(br);
	if (port)
		rtnl_link_put(port);
	return rc;
}

int br_delete_kind(br_state *s, xapi_call_t *call, br_nl *nl, const char *name, const char *kind)
{
	struct rtnl_link *l = br_link(nl, name);
	int rc = XAPI_OK;
	const char *type = l ? rtnl_link_get_type(l) : NULL;
	if (type && strcmp(type, kind) == 0) {
		int e = rtnl_link_delete(nl->sk, l);
		if (e < 0 && e != -NLE_NODEV && e != -NLE_OBJ_NOTFOUND) {
			char what[64];
			snprintf(what, sizeof what, "cannot delete %s device", kind);
			rc = br_nl_fail(s, call, e, what, name);
		}
	}
	if (l)
		rtnl_link_put(l);
	return rc;
}

int br_remove_op(void *st, xapi_call_t *call, const char *name, const char *kind, unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc == XAPI_OK)
		rc = br_delete_kind(s, call, &nl, name, kind);
	br_nl_close(&nl);
	return rc;
}
