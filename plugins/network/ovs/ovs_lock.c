/* ovs_lock.c - VIF locking on Open vSwitch (port_lock): OpenFlow flows on
 * the VIF's bridge, as xapi's own OVS scripts set them, written with
 * ovs-ofctl (Debian has no OpenFlow library; OVSDB cannot hold flows).
 *
 * The flows of one VIF carry a cookie of their own (a hash of its device
 * name), match its OpenFlow port (the Interface's ofport in OVSDB) and sit
 * above the bridge's default NORMAL flow:
 *
 *   locked:   priority 4000, from the VIF's MAC: DHCP requests (UDP to
 *             port 67) and ARP probes (arp_spa 0.0.0.0) whatever the
 *             addresses, ARP with arp_sha = MAC and
 *             arp_spa an allowed IPv4 address, IPv4 from an allowed
 *             address, IPv6 from an allowed address and neighbour
 *             discovery when one is allowed -> NORMAL;
 *             priority 3000, anything else from the port -> drop
 *   disabled: priority 3000, anything from the port -> drop
 *   unlocked: no flows
 *
 * Replacing the flows is one OpenFlow bundle (delete by cookie, then add):
 * the VIF is never without rules in between. ovs-ofctl reaches
 * ovs-vswitchd on the bridge's management socket, <rundir>/<bridge>.mgmt,
 * where rundir is the directory of the ovsdb_socket setting (OVS keeps
 * both in its run directory).
 */
#define _GNU_SOURCE /* asprintf */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ovs_int.h"

/* The cookie of ifname's flows: FNV-1a, never 0 (the default flow's). */
static uint64_t lock_cookie(const char *ifname)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)ifname; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h ? h : 1;
}

/* The bridge that holds port ifname and the interface's OpenFlow port
 * (bridge[0] = 0 if there is no such port: nothing to do). */
struct where {
	const char *ifname;
	char bridge[64];
	int64_t ofport;
};

static int find_once(struct ovs_op *op, void *arg)
{
	struct where *w = arg;
	const char *ifname = w->ifname;
	json_object *port, *iface, *br = NULL;
	int rc = ovs_get(op, "Port", ifname, &port);
	if (rc == XAPI_OK && port)
		rc = ovs_bridge_of_port(op, ovsdb_row_uuid(port), &br);
	if (rc == XAPI_OK && br)
		rc = ovs_get(op, "Interface", ifname, &iface);
	if (rc != XAPI_OK)
		return rc;
	w->ofport = -1;
	if (br && iface) {
		json_object *of = ovsdb_col(iface, "ofport");
		/* an empty set (["set", []]) until ovs-vswitchd gave it a number */
		if (of && json_object_is_type(of, json_type_int))
			w->ofport = json_object_get_int64(of);
	}
	snprintf(w->bridge, sizeof w->bridge, "%s",
		 br ? json_object_get_string(ovsdb_col(br, "name")) : "");
	return XAPI_OK;
}

static void print_allowed(FILE *f, const char *head, const char *field,
			  const char *const *v)
{
	for (size_t i = 0; v && v[i]; i++)
		fprintf(f, "add %s,%s=%s,actions=NORMAL\n", head, field, v[i]);
}

/* The bundle: delete the VIF's flows, add those of lock (NULL: none). */
static char *flows(uint64_t cookie, int64_t ofport, const struct xapi_port_lock *lock)
{
	char *buf = NULL, *head = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "delete cookie=0x%" PRIx64 "/-1\n", cookie);
	if (lock && strcmp(lock->mode, "unlocked") != 0) {
		if (strcmp(lock->mode, "locked") == 0 &&
		    asprintf(&head, "cookie=0x%" PRIx64 ",priority=4000,in_port=%" PRId64
			     ",dl_src=%s", cookie, ofport, lock->mac) >= 0) {
			/* DHCP requests and ARP probes (from 0.0.0.0), whatever the
			 * allowed addresses, as xapi's vif rules */
			fprintf(f, "add %s,udp,tp_dst=67,actions=NORMAL\n", head);
			fprintf(f, "add %s,arp,arp_sha=%s,arp_spa=0.0.0.0,actions=NORMAL\n", head,
				lock->mac);
			char *arp = NULL;
			if (asprintf(&arp, "%s,arp,arp_sha=%s", head, lock->mac) >= 0)
				print_allowed(f, arp, "arp_spa", lock->ipv4_allowed);
			free(arp);
			char *sub = NULL;
			if (asprintf(&sub, "%s,ip", head) >= 0)
				print_allowed(f, sub, "nw_src", lock->ipv4_allowed);
			free(sub);
			sub = NULL;
			if (asprintf(&sub, "%s,ipv6", head) >= 0)
				print_allowed(f, sub, "ipv6_src", lock->ipv6_allowed);
			free(sub);
			/* neighbour discovery comes from link-local addresses */
			for (int t = 133; lock->ipv6_allowed && lock->ipv6_allowed[0] && t <= 136;
			     t++)
				if (t != 134) /* a router advertisement is not a guest's */
					fprintf(f, "add %s,icmp6,icmp_type=%d,actions=NORMAL\n", head, t);
			free(head);
		}
		fprintf(f, "add cookie=0x%" PRIx64 ",priority=3000,in_port=%" PRId64 ",actions=drop\n",
			cookie, ofport);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Runs ovs-ofctl --bundle add-flows on bridge with the flows in text. */
static int ofctl(struct ovs *o, xapi_call_t *call, const char *bridge, const char *text)
{
	char path[] = "/tmp/xapi-c-ovs-flows-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return ovs_fail(o, call, "cannot write the flows of %s", bridge);
	size_t n = strlen(text);
	bool ok = write(fd, text, n) == (ssize_t)n;
	close(fd);
	char *dir = strdup(o->socket), *target = NULL;
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = 0;
	if (!ok || !dir || asprintf(&target, "unix:%s/%s.mgmt", slash ? dir : ".", bridge) < 0) {
		unlink(path);
		free(dir);
		return ovs_fail(o, call, "cannot write the flows of %s", bridge);
	}
	/* OpenFlow 1.4 for the bundle (OVS bridges allow it by default) */
	const char *argv[] = { "ovs-ofctl", "-O", "OpenFlow14", "--bundle", "add-flows", target,
			       path, NULL };
	const char *out = NULL;
	int st = o->host->run(call, argv, o->timeout_ms, &out);
	unlink(path);
	int rc = XAPI_OK;
	if (st != 0)
		rc = ovs_fail(o, call, "ovs-ofctl add-flows %s: %s", bridge,
			      out && *out ? out : "failed");
	free(target);
	free(dir);
	return rc;
}

int ovs_lock_apply(struct ovs *o, xapi_call_t *call, const char *ifname,
		   const struct xapi_port_lock *lock)
{
	struct where w = { .ifname = ifname, .ofport = -1 };
	if (ovs_run(o, call, "port", ifname, find_once, &w) != XAPI_OK)
		return XAPI_E_FAILED;
	if (!w.bridge[0]) {
		if (!lock)
			return XAPI_OK; /* no port: no flows can match it */
		return ovs_fail(o, call, "%s is not a port of any bridge", ifname);
	}
	if (lock && w.ofport < 0)
		return ovs_fail(o, call, "%s has no OpenFlow port number", ifname);
	char *text = flows(lock_cookie(ifname), w.ofport, lock);
	if (!text)
		return ovs_fail(o, call, "out of memory");
	int rc = ofctl(o, call, w.bridge, text);
	free(text);
	return rc;
}

int ovs_port_lock(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		  const struct xapi_port_lock *lock, unsigned flags)
{
	struct ovs *o = st;
	if (ovs_check_args(o, call, flags, bridge, "interface", ifname) != XAPI_OK ||
	    br_lock_check(&o->kernel, call, lock) != XAPI_OK)
		return XAPI_E_FAILED;
	return ovs_lock_apply(o, call, ifname, lock);
}
