/* network.c - the network layer's start and stop, its backend and the
 * helpers its parts share (network.h). */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "hv/hv.h"
#include "log.h"
#include "net_int.h"

static struct {
	char *backend;       /* configured name */
	bool loaded;
	uint32_t caps;
	bool sim;
	char *sim_netns;     /* the simulated network's namespace, or NULL */
} N;

const char *xd_network_backend(void)
{
	return N.loaded ? N.backend : NULL;
}

bool xd_network_has_cap(uint32_t cap)
{
	return N.loaded && (N.caps & cap) == cap;
}

int xd_network_check_backend(xd_error *err)
{
	if (N.loaded)
		return 0;
	return xd_error_setf(err, "INTERNAL_ERROR",
			     "no network backend: network_backend is '%s' and no such network "
			     "plugin is enabled in plugins.d", N.backend ? N.backend : "");
}

int xd_net_call(xd_net_op op, const xd_net_args *a, xd_net_result *out, xd_error *err)
{
	if (xd_network_check_backend(err) < 0) {
		memset(out, 0, sizeof *out);
		return -1;
	}
	return xd_plugins_net_call(N.backend, op, a, out, err);
}

int xd_net_do(xd_net_op op, const xd_net_args *a, xd_error *err)
{
	xd_net_result r;
	int rc = xd_net_call(op, a, &r, err);
	xd_net_result_clear(&r);
	return rc;
}

const char *xd_net_str(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

bool xd_net_bool(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	return v && v->t == XD_V_BOOL && v->u.b;
}

int64_t xd_net_int(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	return v && v->t == XD_V_INT ? v->u.i : 0;
}

int xd_net_set(const char *cls, const char *ref, const char *field, xd_value *v, xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	int rc = xd_db_set_field(c, ref, xd_dm_field_index(c, field), v, err);
	xd_value_free(v);
	return rc;
}

xd_value *xd_net_record(const char *cls, const char *ref)
{
	return xd_db_get_record(xd_dm_class(cls), ref);
}

char *xd_net_bridge_of(const char *network)
{
	const xd_class *c = xd_dm_class("network");
	xd_value *b = xd_db_get_field(c, network, xd_dm_field_index(c, "bridge"));
	char *s = strdup(b && b->t == XD_V_STRING ? b->u.s : "");
	xd_value_free(b);
	return s;
}

int xd_network_prepare(const xd_network_config *cfg, char **netns_out, xd_error *err)
{
	*netns_out = NULL;
	free(N.backend);
	N.backend = strdup(cfg && cfg->backend ? cfg->backend : "");
	N.sim = cfg && cfg->sim;
	if (!N.sim || !N.backend[0] || !xd_plugins_conf_enabled(cfg->plugins_conf_dir, N.backend))
		return 0; /* without a backend the sim host's NICs stay records only */
	char name[64];
	const char *host = xd_this_host();
	xd_value *uuid = host ? xd_db_get_field(xd_dm_class("host"), host,
						 xd_dm_field_index(xd_dm_class("host"), "uuid"))
			      : NULL;
	if (cfg->sim_netns && cfg->sim_netns[0])
		snprintf(name, sizeof name, "%s", cfg->sim_netns);
	else
		snprintf(name, sizeof name, "xapi-%.8s", uuid ? uuid->u.s : "sim");
	xd_value_free(uuid);
	const char *nics = cfg->sim_nics && cfg->sim_nics[0] ? cfg->sim_nics : "eth0,eth1";
	if (xd_hv_sim_net_setup(name, nics, err) < 0)
		return -1;
	N.sim_netns = strdup(name);
	*netns_out = strdup(name);
	return 0;
}

/* host.software_version.network_backend: the backend's name, as xapi's
 * ("bridge", "openvswitch" for ours named "ovs"). */
static void record_backend(const char *host)
{
	const xd_class *c = xd_dm_class("host");
	int fi = xd_dm_field_index(c, "software_version");
	xd_value *sv = xd_db_get_field(c, host, fi);
	if (!sv || sv->t != XD_V_STRUCT) {
		xd_value_free(sv);
		return;
	}
	const char *name = strcmp(N.backend, "ovs") == 0 ? "openvswitch" : N.backend;
	xd_struct_set_take(sv, "network_backend", xd_string(name));
	xd_error err = XD_ERROR_INIT;
	if (xd_db_set_field(c, host, fi, sv, &err) < 0)
		xd_warn("network: cannot record the backend in software_version: %s", err.code);
	xd_error_clear(&err);
	xd_value_free(sv);
}

typedef struct count_ctx {
	const char *host;
	int host_field;
	int n;
} count_ctx;

static int count_pif(const char *ref, const xd_value *const *f, void *ud)
{
	count_ctx *c = ud;
	(void)ref;
	if (strcmp(f[c->host_field]->u.s, c->host) == 0)
		c->n++;
	return 0;
}

int xd_network_start(xd_error *err)
{
	const char *host = xd_this_host();
	N.loaded = N.backend && N.backend[0] && xd_plugins_has_net(N.backend);
	if (!N.loaded) {
		if (N.backend && N.backend[0])
			xd_warn("network: backend '%s' is not loaded (enable it in plugins.d): "
				"networking calls will fail", N.backend);
		return 0;
	}
	xd_net_result r;
	if (xd_net_call(XD_NET_PROBE, NULL, &r, err) < 0) {
		xd_warn("network: the %s backend's probe failed: %s %s", N.backend, err->code,
			err->nparams ? err->params[0] : "");
		xd_error_clear(err);
	}
	N.caps = r.caps;
	xd_net_result_clear(&r);
	char *what = xd_plugins_net_describe(N.backend);
	xd_info("network: backend %s (%s), capabilities 0x%x%s%s", N.backend, what ? what : "?",
		N.caps, N.sim_netns ? ", in the simulated network " : "",
		N.sim_netns ? N.sim_netns : "");
	free(what);
	if (!host)
		return 0;
	record_backend(host);
	const xd_class *pc = xd_dm_class("PIF");
	count_ctx cc = { host, xd_dm_field_index(pc, "host"), 0 };
	xd_db_foreach(pc, count_pif, &cc);
	if (cc.n == 0 && xd_net_pif_firstboot(host, err) < 0) {
		xd_warn("network: first boot: %s %s", err->code, err->nparams ? err->params[0] : "");
		xd_error_clear(err);
	}
	xd_net_pif_reconcile(host);
	xd_net_vif_reconcile();
	return 0;
}

void xd_network_stop(void)
{
	if (N.sim_netns)
		xd_hv_sim_net_teardown();
	free(N.sim_netns);
	free(N.backend);
	memset(&N, 0, sizeof N);
}
