/* bridge_bond.c - bonds on the bridge backend: the kernel's bonding device
 * `bond` with the members as its slaves, made a port of the bond network's
 * bridge. Offered when the kernel has bonding (probe).
 *
 * Modes as xapi's networkd gives them to Linux bonding: active-backup as
 * it is, lacp as 802.3ad; and the link monitor settings xapi puts on every
 * bond (miimon 100 ms, downdelay 200 ms, updelay 31 s, use_carrier), which
 * Bond.properties may override. balance-slb (source-MAC load balancing, an
 * Open vSwitch mode) becomes balance-alb, Linux's mode that spreads guests'
 * MACs over the members without help from the switch: xapi writes
 * "balance-slb" into the bonding driver's sysfs file, which refuses it and
 * leaves the bond in balance-rr (which needs a switch configured for it).
 * libnl-route-3 has no setter for a bond's options, so the device is made
 * with a message of our own (IFLA_INFO_DATA of kind "bond"). */
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <netlink/msg.h>
#include <netlink/route/link/bonding.h>

#include "bridge_int.h"

/* <linux/if_bonding.h> values (that header drags in old ioctl types) */
enum { MODE_ACTIVE_BACKUP = 1, MODE_8023AD = 4, MODE_ALB = 6 };
enum { HASH_LAYER2 = 0, HASH_LAYER34 = 1 };

typedef struct bond_opts {
	int mode;
	uint32_t miimon, downdelay, updelay;
	int hash;           /* xmit_hash_policy, -1 default */
	int lacp_rate;      /* 0 slow, 1 fast, -1 default */
} bond_opts;

/* mode and properties (already checked by xapid for their form) into
 * bonding's options; what Linux bonding cannot do is refused */
static int bond_options(br_state *s, xapi_call_t *call, const char *mode,
			const xapi_kv_t *props, bond_opts *o)
{
	*o = (bond_opts){ .miimon = 100, .downdelay = 200, .updelay = 31000, .hash = -1,
			  .lacp_rate = -1 };
	if (strcmp(mode, "active-backup") == 0)
		o->mode = MODE_ACTIVE_BACKUP;
	else if (strcmp(mode, "lacp") == 0)
		o->mode = MODE_8023AD;
	else if (strcmp(mode, "balance-slb") == 0)
		o->mode = MODE_ALB;
	else
		return xapi_fail(s->host, call, NULL, 0, "bond mode %s is not supported by the bridge "
				 "backend", mode);
	size_t n = props ? s->host->kv_count(props) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = s->host->kv_key(props, i), *v = s->host->kv_value(props, i);
		if (strcmp(k, "miimon") == 0)
			o->miimon = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(k, "downdelay") == 0)
			o->downdelay = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(k, "updelay") == 0)
			o->updelay = (uint32_t)strtoul(v, NULL, 10);
		else if (strcmp(k, "hashing_algorithm") == 0 && o->mode == MODE_8023AD)
			o->hash = strcmp(v, "tcpudp_ports") == 0 ? HASH_LAYER34 : HASH_LAYER2;
		else if (strcmp(k, "hashing_algorithm") == 0)
			continue; /* the other modes do not hash (xapi's OVS-only meaning) */
		else if (strcmp(k, "lacp-time") == 0)
			o->lacp_rate = strcmp(v, "fast") == 0;
		else if (strcmp(k, "lacp-fallback-ab") == 0 && strcmp(v, "false") == 0)
			continue; /* Linux 802.3ad has no fallback: false is what it does */
		else
			return xapi_fail(s->host, call, NULL, 0, "bond property %s=%s is not supported "
					 "by the bridge backend (Linux bonding)", k, v);
	}
	return XAPI_OK;
}

/* RTM_NEWLINK of kind "bond" with its options. */
static int bond_create(br_state *s, xapi_call_t *call, br_nl *nl, const char *name,
		       const bond_opts *o)
{
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *info, *data;
	int e = -NLE_NOMEM;
	if (!msg)
		return br_nl_fail(s, call, e, "cannot create bond", name);
	if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bond") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    nla_put_u8(msg, IFLA_BOND_MODE, (uint8_t)o->mode) < 0 ||
	    nla_put_u32(msg, IFLA_BOND_MIIMON, o->miimon) < 0 ||
	    nla_put_u32(msg, IFLA_BOND_DOWNDELAY, o->downdelay) < 0 ||
	    nla_put_u32(msg, IFLA_BOND_UPDELAY, o->updelay) < 0 ||
	    nla_put_u8(msg, IFLA_BOND_USE_CARRIER, 1) < 0 ||
	    (o->hash >= 0 && nla_put_u8(msg, IFLA_BOND_XMIT_HASH_POLICY, (uint8_t)o->hash) < 0) ||
	    (o->lacp_rate >= 0 && nla_put_u8(msg, IFLA_BOND_AD_LACP_RATE, (uint8_t)o->lacp_rate) < 0))
		goto fail;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	e = nl_send_sync(nl->sk, msg); /* sends, waits for the ack, frees msg */
	if (e < 0 && e != -NLE_EXIST)
		return br_nl_fail(s, call, e, "cannot create bond", name);
	return XAPI_OK;
fail:
	nlmsg_free(msg);
	return br_nl_fail(s, call, e, "cannot create bond", name);
}

/* member becomes a slave of bond: off any bridge, down (bonding takes only
 * a link that is down), then enslaved; bonding brings it up. */
static int enslave_member(br_state *s, xapi_call_t *call, br_nl *nl, struct rtnl_link *bond,
			  const char *member)
{
	struct rtnl_link *m = br_link(nl, member);
	int rc = XAPI_OK, e;
	if (!m)
		return xapi_fail(s->host, call, "PIF_DEVICE_NOT_FOUND", 0, "no interface %s", member);
	if (rtnl_link_get_master(m) == rtnl_link_get_ifindex(bond))
		goto out;
	if (rtnl_link_get_master(m) && (e = rtnl_link_release(nl->sk, m)) < 0 && e != -NLE_NODEV) {
		rc = br_nl_fail(s, call, e, "cannot take off its bridge the interface", member);
		goto out;
	}
	if ((rc = br_link_set_up(s, call, nl, m, false)) != XAPI_OK)
		goto out;
	e = rtnl_link_bond_enslave_ifindex(nl->sk, rtnl_link_get_ifindex(bond),
					   rtnl_link_get_ifindex(m));
	if (e < 0)
		rc = br_nl_fail(s, call, e, "cannot make a bond member of", member);
out:
	rtnl_link_put(m);
	return rc;
}

bool br_bond_available(void)
{
	return br_kernel_has_module("bonding");
}

int br_bond_add(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		const char *const *members, const char *mode, const xapi_kv_t *properties,
		unsigned flags)
{
	br_state *s = st;
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	bond_opts o;
	if (br_check_name(s, call, "bond", bond) != XAPI_OK ||
	    bond_options(s, call, mode ? mode : "", properties, &o) != XAPI_OK)
		return XAPI_E_FAILED;
	br_nl nl;
	int rc = br_nl_open(s, call, &nl);
	if (rc != XAPI_OK)
		return rc;
	struct rtnl_link *b = br_link(&nl, bond);
	if (b && strcmp(rtnl_link_get_type(b) ? rtnl_link_get_type(b) : "", "bond") != 0) {
		rc = xapi_fail(s->host, call, NULL, 0, "interface %s exists and is not a bond", bond);
		goto out;
	}
	if (!b) {
		if ((rc = bond_create(s, call, &nl, bond, &o)) != XAPI_OK ||
		    (rc = br_refill(s, call, &nl)) != XAPI_OK)
			goto out;
		if (!(b = br_link(&nl, bond))) {
			rc = xapi_fail(s->host, call, NULL, 0, "bond %s vanished", bond);
			goto out;
		}
	}
	for (size_t i = 0; members && members[i] && rc == XAPI_OK; i++)
		rc = enslave_member(s, call, &nl, b, members[i]);
	if (rc == XAPI_OK && (rc = br_refill(s, call, &nl)) == XAPI_OK)
		rc = br_enslave(s, call, &nl, bridge, bond);
out:
	if (b)
		rtnl_link_put(b);
	br_nl_close(&nl);
	return rc;
}

int br_bond_remove(void *st, xapi_call_t *call, const char *bridge, const char *bond,
		   unsigned flags)
{
	(void)bridge;
	/* deleting the bond releases its members (down: xapid plugs them again) */
	return br_remove_op(st, call, bond, "bond", flags);
}
