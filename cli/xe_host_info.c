/* xe_host_info.c - upstream xe's read-only host maps: host-cpu-info (the
 * host's cpu_info), host-get-cpu-features (its feature sets) and
 * host-license-view (license_params without sku_type), each printed as one
 * record whose labels are the map's keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_format.h"

/* The host named by parameter key, else the host xe talks to. NULL after
 * printing why; caller frees. */
static char *host_named(xe_client *x, const xe_opts *o, const char *key)
{
	if (xe_opts_get(o, key))
		return xe_ref_param(x, o, key, "host");
	return xe_host_ref(x, o);
}

/* host.<getter>(host) printed as one record: the map's members (the ones in
 * only, if given, in that order; all but those in hide otherwise). */
static int print_host_map(xe_client *x, const xe_opts *o, const char *key, const char *getter,
			  const char *const *only, const char *hide)
{
	char *host = host_named(x, o, key);
	xd_value *m;
	const char **labels, **vals;
	size_t n = 0;

	if (!host)
		return 1;
	m = xe_client_call(x, getter, xe_strings(1, host));
	free(host);
	if (!m)
		return 1;
	if (m->t != XD_V_STRUCT) {
		xd_value_free(m);
		xe_fail("the server's answer is not a map");
		return 1;
	}
	/* at most one line per member of the map (only's names are distinct) */
	labels = calloc(m->u.st.n + 1, sizeof(*labels));
	vals = calloc(m->u.st.n + 1, sizeof(*vals));
	if (!labels || !vals)
		abort();
	for (size_t i = 0; only ? only[i] != NULL : i < m->u.st.n; i++) {
		const char *name = only ? only[i] : m->u.st.m[i].name;
		const xd_value *v = xd_struct_get(m, name);

		if (!v || v->t != XD_V_STRING || (hide && strcmp(name, hide) == 0))
			continue;
		labels[n] = name;
		vals[n++] = v->u.s;
	}
	if (n) {
		char *text = xe_render_record(labels, vals, n);

		printf("%s\n\n", text);
		free(text);
	}
	free(labels);
	free(vals);
	xd_value_free(m);
	return 0;
}

static int cmd_host_cpu_info(xe_client *x, const xe_opts *o)
{
	return print_host_map(x, o, "uuid", "host.get_cpu_info", NULL, NULL);
}

static int cmd_host_get_cpu_features(xe_client *x, const xe_opts *o)
{
	static const char *const keys[] = { "features_pv", "features_hvm", "features_pv_host",
					    "features_hvm_host", NULL };

	return print_host_map(x, o, "uuid", "host.get_cpu_info", keys, NULL);
}

static int cmd_host_license_view(xe_client *x, const xe_opts *o)
{
	return print_host_map(x, o, "host-uuid", "host.get_license_params", NULL, "sku_type");
}

static const xe_named_cmd cmds[] = {
	{ "host-cpu-info", cmd_host_cpu_info, "", "uuid",
	  "Lists information about the host's physical CPUs." },
	{ "host-get-cpu-features", cmd_host_get_cpu_features, "", "uuid",
	  "Prints a hexadecimal representation of the host's physical-CPU features for PV and "
	  "HVM VMs. features_{hvm,pv} are \"maximum\" featuresets the host will accept during "
	  "migrations, and features_{hvm,pv}_host will be used to start new VMs." },
	{ "host-license-view", cmd_host_license_view, "", "host-uuid",
	  "View the license parameters of the host." },
};

const size_t xe_host_info_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_host_info_cmds = cmds;
