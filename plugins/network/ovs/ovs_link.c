/* ovs_link.c - pif_scan, link_query, link_set and ip_configure of the Open
 * vSwitch backend, on the bridge backend's Linux helpers (ovs_link.h). */
#include <string.h>

#include "ovs_int.h"
#include "ovs_link.h"

/* The helpers' view of this plugin: its host and the veth_nics setting. */
static br_state *linux_of(struct ovs *o)
{
	return &o->kernel;
}

int ovs_link_dhcp_available(void)
{
	return br_dhcp_available();
}

/* Runs fn on the link ifname in one netlink session; a missing link fails
 * the call with PIF_DEVICE_NOT_FOUND, as the bridge backend says it. */
static int with_link(struct ovs *o, xapi_call_t *call, const char *ifname,
		     int (*fn)(br_state *, xapi_call_t *, br_nl *, struct rtnl_link *, void *),
		     void *arg)
{
	br_state *s = linux_of(o);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *l = br_link(&nl, ifname);
	if (!l)
		rc = xapi_fail(o->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", ifname);
	else
		rc = fn(s, call, &nl, l, arg);
	if (l)
		rtnl_link_put(l);
	br_nl_close(&nl);
	return rc;
}

static int set_up(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, void *up)
{
	return br_link_set_up(s, call, nl, l, *(int *)up != 0);
}

static int set_mtu(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, void *mtu)
{
	return br_link_set_mtu(s, call, nl, l, *(int64_t *)mtu);
}

static int emit_all(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *l, void *arg)
{
	(void)arg;
	return br_emit_link(s, call, nl, l, true);
}

int ovs_link_up(struct ovs *o, xapi_call_t *call, const char *ifname)
{
	int up = 1;
	return with_link(o, call, ifname, set_up, &up);
}

int ovs_pif_scan(void *st, xapi_call_t *call, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	br_state *s = linux_of(o);
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	/* NICs only: the bridges' own devices are tun/tap (userspace
	 * datapath) or openvswitch (kernel's), never physical */
	for (struct nl_object *obj = rc == XAPI_OK ? nl_cache_get_first(nl.links) : NULL;
	     rc == XAPI_OK && obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_link *l = (struct rtnl_link *)obj;
		if (br_is_physical(s, l))
			rc = br_emit_link(s, call, &nl, l, false);
	}
	br_nl_close(&nl);
	return rc;
}

int ovs_link_query(void *st, xapi_call_t *call, const char *ifname, unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	return with_link(o, call, ifname, emit_all, NULL);
}

/* The MTU of an interface OVS manages is its mtu_request (OVS would put
 * the kernel's value back); 0 when ifname is not OVS's, -1 failed. */
static int ovs_mtu(struct ovs *o, xapi_call_t *call, const char *ifname, int64_t mtu, int *done)
{
	struct ovs_op op;
	json_object *iface = NULL;
	*done = 0;
	int rc = ovs_op_begin(o, call, &op);
	if (rc != XAPI_OK)
		return rc;
	rc = ovs_get(&op, "Interface", ifname, &iface);
	if (rc == XAPI_OK && iface) {
		json_object *ops = json_object_new_array(), *row = json_object_new_object();
		json_object_object_add(row, "mtu_request", json_object_new_int64(mtu));
		json_object_array_add(ops, ovsdb_op_update("Interface", ovsdb_where_str("name", ifname),
							   row));
		rc = ovs_commit(&op, ops, ifname);
		*done = 1;
	}
	ovs_op_end(&op);
	return rc;
}

int ovs_link_set(void *st, xapi_call_t *call, const char *ifname, int64_t mtu, int up,
		 unsigned flags)
{
	struct ovs *o = st;
	XAPI_CHECK_FLAGS(o->host, call, flags, 0);
	if (ovs_check_name(o, call, "interface", ifname) != XAPI_OK)
		return XAPI_E_FAILED;
	int rc = XAPI_OK, done = 0;
	if (mtu > 0 && (rc = ovs_mtu(o, call, ifname, mtu, &done)) == XAPI_OK && !done)
		rc = with_link(o, call, ifname, set_mtu, &mtu);
	if (rc == XAPI_OK && up >= 0)
		rc = with_link(o, call, ifname, set_up, &up);
	return rc;
}

int ovs_ip_configure(void *st, xapi_call_t *call, const char *ifname,
		     const struct xapi_ip_config *ip, unsigned flags)
{
	struct ovs *o = st;
	return br_ip_configure(linux_of(o), call, ifname, ip, flags);
}
