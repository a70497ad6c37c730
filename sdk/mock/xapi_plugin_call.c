/* xapi_plugin_call.c - xapi-plugin-call: runs one op of a plugin by hand,
 * with the mock host (xapi/mock.h), and prints what it did. For a quick
 * look, and for debuggers, without xapid:
 *
 *   xapi-plugin-call [-s KEY=VALUE]... PLUGIN.so OP [ARG=VALUE]...
 *   gdb --args xapi-plugin-call ./example.so sr_attach dc.path=/srv/sr
 *
 * -s gives the plugin a setting (host->config_get). The arguments of an op:
 *   sr.uuid, sr.name_label     the SR of a storage op; dc.KEY and smc.KEY
 *                              fill its device_config and sm_config (the
 *                              maps sr_probe probes)
 *   location, writable         VDI ops
 *   size                       sr_create, vdi_resize; vdi_create's virtual size
 *   want.uuid, want.name_label vdi_create
 *   bridge, ifname, trunk, tag, mtu, bond, mode, members=a,b
 *                              network ops; kv.KEY fills their map
 *                              (other_config, external_ids, properties)
 *   family, address, gateway, dns, up, name, protocol, remote, local,
 *   key, transport, mac, ipv4_allowed=a,b, ipv6_allowed=a,b
 *                              the network ops of ABI 2.1 (ip_configure:
 *                              mode, family...; tunnel_add: name...;
 *                              port_lock: mode, mac...)
 *   flags                      every op (default 0)
 * It prints one line per emit, sample and log line, the error the op gave,
 * its status and what xapi_mock_check says of the result. Exit status: 0
 * when the op returned XAPI_OK, 1 when not (or the plugin did not load), 2
 * on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xapi/mock.h>

#define MAX_ARGS 64

struct args {
	const char *key[MAX_ARGS], *val[MAX_ARGS];
	int n;
};

static const char *arg(const struct args *a, const char *key)
{
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->key[i], key) == 0)
			return a->val[i];
	return NULL;
}

static long long num(const struct args *a, const char *key, long long dflt)
{
	const char *v = arg(a, key);
	return v ? strtoll(v, NULL, 0) : dflt;
}

/* The arguments whose key starts with prefix, as a map. */
static xapi_kv_t *map_of(xapi_mock_t *m, const struct args *a, const char *prefix)
{
	const char *pairs[2 * MAX_ARGS + 1];
	int n = 0;
	size_t pl = strlen(prefix);
	for (int i = 0; i < a->n; i++)
		if (strncmp(a->key[i], prefix, pl) == 0) {
			pairs[n++] = a->key[i] + pl;
			pairs[n++] = a->val[i];
		}
	pairs[n] = NULL;
	return xapi_mock_kv_array(m, pairs);
}

static int usage(void)
{
	fprintf(stderr, "usage: xapi-plugin-call [-s KEY=VALUE]... PLUGIN.so OP [ARG=VALUE]...\n"
			"  storage ops: sr_probe sr_create sr_delete sr_attach sr_detach sr_scan\n"
			"    sr_update vdi_create vdi_delete vdi_snapshot vdi_clone vdi_resize\n"
			"    vdi_attach vdi_detach vdi_introduce vdi_update\n"
			"  network ops: probe pif_scan bridge_ensure bridge_destroy port_add\n"
			"    port_remove vlan_add vlan_remove bond_add bond_remove ip_configure\n"
			"    link_query link_set tunnel_add tunnel_remove port_lock bridge_ports\n"
			"  metrics ops: collect\n"
			"  arguments: sr.uuid sr.name_label dc.KEY smc.KEY location writable size\n"
			"    want.uuid want.name_label bridge ifname trunk tag mtu bond mode\n"
			"    members=a,b kv.KEY family address gateway dns up name protocol remote\n"
			"    local key transport mac ipv4_allowed=a,b ipv6_allowed=a,b flags\n"
			"    (see xapi/mock.h and doc/plugin-sdk.md)\n");
	return 2;
}

/* Calls op if the table has it; 1 if it did (*rc set), 0 if no such op. */
#define HAS(ops, TYPE, m) (XAPI_CAN(ops, TYPE, m))

static int storage_op(xapi_mock_t *m, const char *op, const struct args *a, unsigned flags,
		      xapi_call_t *c, int *rc)
{
	const struct xapi_sr_ops *o = xapi_mock_sr_ops(m);
	void *st = xapi_mock_st(m);
	const char *uuid = arg(a, "sr.uuid");
	struct xapi_sr sr = { .size = sizeof sr,
			      .uuid = uuid ? uuid : "00000000-0000-4000-8000-000000000001",
			      .name_label = arg(a, "sr.name_label"),
			      .device_config = map_of(m, a, "dc."),
			      .sm_config = map_of(m, a, "smc.") };
	const char *loc = arg(a, "location");
	const char *wuuid = arg(a, "want.uuid");
	struct xapi_vdi_info want = { .size = sizeof want,
				      .uuid = wuuid ? wuuid : "00000000-0000-4000-8000-0000000000aa",
				      .name_label = arg(a, "want.name_label"),
				      .virtual_size = num(a, "size", 0),
				      .physical_utilisation = -1 };
	int64_t size = num(a, "size", 0);
#define SR_OP(name, call)                                      \
	if (strcmp(op, #name) == 0) {                          \
		if (!HAS(o, struct xapi_sr_ops, name))         \
			return -1;                             \
		*rc = call;                                    \
		return 1;                                      \
	}
	SR_OP(sr_probe, o->sr_probe(st, c, sr.device_config, sr.sm_config, flags))
	SR_OP(sr_create, o->sr_create(st, c, &sr, size, flags))
	SR_OP(sr_delete, o->sr_delete(st, c, &sr, flags))
	SR_OP(sr_attach, o->sr_attach(st, c, &sr, flags))
	SR_OP(sr_detach, o->sr_detach(st, c, &sr, flags))
	SR_OP(sr_scan, o->sr_scan(st, c, &sr, flags))
	SR_OP(sr_update, o->sr_update(st, c, &sr, flags))
	SR_OP(vdi_create, o->vdi_create(st, c, &sr, &want, flags))
	SR_OP(vdi_delete, o->vdi_delete(st, c, &sr, loc, flags))
	SR_OP(vdi_snapshot, o->vdi_snapshot(st, c, &sr, loc, &want, flags))
	SR_OP(vdi_clone, o->vdi_clone(st, c, &sr, loc, &want, flags))
	SR_OP(vdi_resize, o->vdi_resize(st, c, &sr, loc, size, flags))
	SR_OP(vdi_attach, o->vdi_attach(st, c, &sr, loc, (int)num(a, "writable", 1), flags))
	SR_OP(vdi_detach, o->vdi_detach(st, c, &sr, loc, flags))
	SR_OP(vdi_introduce, o->vdi_introduce(st, c, &sr, loc, flags))
	SR_OP(vdi_update, o->vdi_update(st, c, &sr, loc, flags))
#undef SR_OP
	return 0;
}

/* "a,b,c" into a NULL-terminated list (pointers into buf). */
static void split(const char *list, char *buf, size_t size, const char **out)
{
	int n = 0;
	snprintf(buf, size, "%s", list ? list : "");
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < MAX_ARGS;
	     t = strtok_r(NULL, ",", &save))
		out[n++] = t;
	out[n] = NULL;
}

static int network_op(xapi_mock_t *m, const char *op, const struct args *a, unsigned flags,
		      xapi_call_t *c, int *rc)
{
	const struct xapi_net_ops *o = xapi_mock_net_ops(m);
	void *st = xapi_mock_st(m);
	const char *br = arg(a, "bridge"), *ifn = arg(a, "ifname"), *trunk = arg(a, "trunk");
	const char *bond = arg(a, "bond"), *mode = arg(a, "mode"), *name = arg(a, "name");
	const xapi_kv_t *kv = map_of(m, a, "kv.");
	int tag = (int)num(a, "tag", 0);
	/* members=a,b,c: split into a NULL-terminated list */
	char members_buf[1024];
	const char *members[MAX_ARGS + 1];
	split(arg(a, "members"), members_buf, sizeof members_buf, members);
	char v4_buf[1024], v6_buf[1024];
	const char *v4[MAX_ARGS + 1], *v6[MAX_ARGS + 1];
	split(arg(a, "ipv4_allowed"), v4_buf, sizeof v4_buf, v4);
	split(arg(a, "ipv6_allowed"), v6_buf, sizeof v6_buf, v6);
	struct xapi_ip_config ip = { .size = sizeof ip, .family = (int)num(a, "family", 4),
				     .mode = mode, .address = arg(a, "address"),
				     .gateway = arg(a, "gateway"), .dns = arg(a, "dns") };
	struct xapi_tunnel_info tun = { .size = sizeof tun, .protocol = arg(a, "protocol"),
					.remote = arg(a, "remote"), .local = arg(a, "local"),
					.key = num(a, "key", 0), .transport = arg(a, "transport"),
					.mtu = num(a, "mtu", 0) };
	struct xapi_port_lock lock = { .size = sizeof lock, .mode = mode, .mac = arg(a, "mac"),
				       .ipv4_allowed = v4, .ipv6_allowed = v6 };
	if (strcmp(op, "probe") == 0) {
		if (!HAS(o, struct xapi_net_ops, probe))
			return -1;
		uint32_t caps = o->probe(st, c, flags);
		printf("capabilities: 0x%x%s%s%s%s%s%s%s\n", caps,
		       caps & XAPI_NET_CAP_VLAN ? " VLAN" : "", caps & XAPI_NET_CAP_BOND ? " BOND" : "",
		       caps & XAPI_NET_CAP_TUNNEL ? " TUNNEL" : "", caps & XAPI_NET_CAP_GRE ? " GRE" : "",
		       caps & XAPI_NET_CAP_LOCKING ? " LOCKING" : "",
		       caps & XAPI_NET_CAP_DHCP ? " DHCP" : "", caps & XAPI_NET_CAP_IPV6 ? " IPV6" : "");
		*rc = XAPI_OK;
		return 1;
	}
#define NET_OP(name, call)                                     \
	if (strcmp(op, #name) == 0) {                          \
		if (!HAS(o, struct xapi_net_ops, name))        \
			return -1;                             \
		*rc = call;                                    \
		return 1;                                      \
	}
	NET_OP(pif_scan, o->pif_scan(st, c, flags))
	NET_OP(bridge_ensure, o->bridge_ensure(st, c, br, num(a, "mtu", 1500), kv, flags))
	NET_OP(bridge_destroy, o->bridge_destroy(st, c, br, flags))
	NET_OP(port_add, o->port_add(st, c, br, ifn, kv, flags))
	NET_OP(port_remove, o->port_remove(st, c, br, ifn, flags))
	NET_OP(vlan_add, o->vlan_add(st, c, br, trunk, tag, flags))
	NET_OP(vlan_remove, o->vlan_remove(st, c, br, trunk, tag, flags))
	NET_OP(bond_add, o->bond_add(st, c, br, bond, members, mode, kv, flags))
	NET_OP(bond_remove, o->bond_remove(st, c, br, bond, flags))
	NET_OP(ip_configure, o->ip_configure(st, c, ifn, &ip, flags))
	NET_OP(link_query, o->link_query(st, c, ifn, flags))
	NET_OP(link_set, o->link_set(st, c, ifn, num(a, "mtu", 0), (int)num(a, "up", -1), flags))
	NET_OP(tunnel_add, o->tunnel_add(st, c, br, name, &tun, flags))
	NET_OP(tunnel_remove, o->tunnel_remove(st, c, br, name, flags))
	NET_OP(port_lock, o->port_lock(st, c, br, ifn, &lock, flags))
	NET_OP(bridge_ports, o->bridge_ports(st, c, br, flags))
#undef NET_OP
	return 0;
}

static int metrics_op(xapi_mock_t *m, const char *op, unsigned flags, xapi_call_t *c, int *rc)
{
	const struct xapi_metrics_ops *o = xapi_mock_metrics_ops(m);
	if (strcmp(op, "collect") != 0)
		return 0;
	if (!HAS(o, struct xapi_metrics_ops, collect))
		return -1;
	*rc = o->collect(xapi_mock_st(m), c, flags);
	return 1;
}

static const char *str(const char *s)
{
	return s ? s : "";
}

static void print_result(xapi_mock_t *m, const xapi_call_t *c)
{
	const struct xapi_mock_result *r = xapi_mock_result(c);
	static const char *const levels[] = { "error", "warn", "info", "debug" };
	for (size_t i = 0; i < xapi_mock_nlogs(m); i++) {
		enum xapi_log_level l;
		const char *line = xapi_mock_log(m, i, &l, NULL);
		printf("log %s: %s\n", levels[l], line);
	}
	for (size_t i = 0; i < r->nsrs; i++)
		printf("sr: uuid=%s name_label=%s physical_size=%lld physical_utilisation=%lld "
		       "virtual_allocation=%lld\n", str(r->srs[i].uuid), str(r->srs[i].name_label),
		       (long long)r->srs[i].physical_size, (long long)r->srs[i].physical_utilisation,
		       (long long)r->srs[i].virtual_allocation);
	for (size_t i = 0; i < r->nvdis; i++) {
		const struct xapi_vdi_info *v = &r->vdis[i];
		printf("vdi: location=%s uuid=%s name_label=%s virtual_size=%lld "
		       "physical_utilisation=%lld read_only=%d is_a_snapshot=%d snapshot_of=%s "
		       "parent=%s datapath=%s\n", str(v->location), str(v->uuid), str(v->name_label),
		       (long long)v->virtual_size, (long long)v->physical_utilisation, v->read_only,
		       v->is_a_snapshot, str(v->snapshot_of), str(v->parent), str(v->datapath));
	}
	for (size_t i = 0; i < r->npifs; i++) {
		const struct xapi_pif_info *p = &r->pifs[i];
		printf("pif: device=%s mac=%s mtu=%lld carrier=%d speed_mbit=%lld duplex=%d "
		       "physical=%d up=%d bridge=%s ipv4=%s ipv4_gateway=%s ipv6=%s rx_bytes=%lld "
		       "tx_bytes=%lld\n", str(p->device), str(p->mac), (long long)p->mtu, p->carrier,
		       (long long)p->speed_mbit, p->duplex, p->physical, p->up, str(p->bridge),
		       str(p->ipv4), str(p->ipv4_gateway), str(p->ipv6), (long long)p->rx_bytes,
		       (long long)p->tx_bytes);
	}
	for (size_t i = 0; i < r->nsamples; i++)
		printf("sample: %s owner=%s value=%g\n", r->samples[i].name,
		       r->samples[i].owner_uuid ? r->samples[i].owner_uuid : "(host)",
		       r->samples[i].value);
	if (r->nprogress)
		printf("progress: %g (%zu reports)\n", r->progress, r->nprogress);
	if (r->failed)
		printf("error: %s %d %s\n", r->fail_xenapi ? r->fail_xenapi : "SR_BACKEND_FAILURE",
		       r->fail_code, str(r->fail_msg));
	if (r->failed && r->fail_detail)
		printf("error detail:\n%s", r->fail_detail);
}

int main(int argc, char **argv)
{
	xapi_mock_t *m = xapi_mock_new();
	if (!m)
		return 1;
	int i = 1;
	for (; i + 1 < argc && strcmp(argv[i], "-s") == 0; i += 2) {
		char *eq = strchr(argv[i + 1], '=');
		if (!eq) {
			xapi_mock_free(m);
			return usage();
		}
		*eq = '\0';
		xapi_mock_setting(m, argv[i + 1], eq + 1);
	}
	if (argc - i < 2) {
		xapi_mock_free(m);
		return usage();
	}
	const char *so = argv[i], *op = argv[i + 1];
	struct args a = { .n = 0 };
	for (i += 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || a.n == MAX_ARGS) {
			fprintf(stderr, "xapi-plugin-call: '%s' is not ARG=VALUE\n", argv[i]);
			xapi_mock_free(m);
			return usage();
		}
		*eq = '\0';
		a.key[a.n] = argv[i];
		a.val[a.n++] = eq + 1;
	}
	if (xapi_mock_load(m, so) != XAPI_OK) {
		printf("not loaded: %s\n", xapi_mock_error(m));
		xapi_mock_free(m);
		return 1;
	}
	unsigned flags = (unsigned)num(&a, "flags", 0);
	xapi_call_t *c = xapi_mock_call(m);
	int rc = XAPI_E_UNSUPPORTED, found = 0;
	switch (xapi_mock_desc(m)->kind) {
	case XAPI_KIND_STORAGE: found = storage_op(m, op, &a, flags, c, &rc); break;
	case XAPI_KIND_NETWORK: found = network_op(m, op, &a, flags, c, &rc); break;
	case XAPI_KIND_METRICS: found = metrics_op(m, op, flags, c, &rc); break;
	}
	if (found <= 0) {
		if (found < 0)
			fprintf(stderr, "xapi-plugin-call: %s has no %s op (NULL in its table)\n",
				xapi_mock_desc(m)->name, op);
		else
			fprintf(stderr, "xapi-plugin-call: %s is not an op of %s's kind\n", op,
				xapi_mock_desc(m)->name);
		xapi_mock_free(m);
		return 2;
	}
	print_result(m, c);
	const char *bug = xapi_mock_check(c, op, rc);
	printf("status: %d%s\n", rc, rc == XAPI_OK ? " (XAPI_OK)" : rc == XAPI_E_FAILED ?
	       " (XAPI_E_FAILED)" : "");
	if (bug)
		printf("driver bug: %s\n", bug);
	xapi_mock_free(m);
	return rc == XAPI_OK ? 0 : 1;
}
