/* xe_sr_probe_ext.c - upstream xe's sr-probe-ext: SR.probe_ext's results in
 * the same words for every driver: the SRs found (their stat, configuration
 * and extra information), then the complete configurations that can make a
 * new SR, then the incomplete ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_format.h"
#include "xe_obj.h"

/* One record (PTable of one): labels and values, "\n\n" after as xe prints
 * every record (an empty one is a bare line, as upstream's). */
static void print_record(const char **labels, const char **vals, size_t n)
{
	char *text = xe_render_record(labels, vals, n);

	printf("%s\n\n", text);
	free(text);
}

/* A string map (configuration, extra_info) as one record. */
static void print_map(const xd_value *m)
{
	size_t n = m && m->t == XD_V_STRUCT ? m->u.st.n : 0;
	const char **labels = calloc(n + 1, sizeof(*labels));
	const char **vals = calloc(n + 1, sizeof(*vals));

	if (!labels || !vals)
		abort();
	for (size_t i = 0; i < n; i++) {
		labels[i] = m->u.st.m[i].name;
		vals[i] = m->u.st.m[i].v->t == XD_V_STRING ? m->u.st.m[i].v->u.s : "";
	}
	print_record(labels, vals, n);
	free(labels);
	free(vals);
}

/* A field as text: strings as they are, ints in decimal, bools as
 * true/false. Into buf (for numbers) or borrowed. */
static const char *field_text(const xd_value *st, const char *name, char buf[32])
{
	const xd_value *v = xd_struct_get(st, name);

	if (!v)
		return "";
	if (v->t == XD_V_STRING)
		return v->u.s;
	if (v->t == XD_V_BOOL)
		return v->u.b ? "true" : "false";
	if (v->t == XD_V_INT) {
		snprintf(buf, 32, "%lld", (long long)v->u.i);
		return buf;
	}
	return "";
}

static void print_sr_stat(const xd_value *sr)
{
	static const char *const fields[][2] = {
		{ "name-label", "name_label" }, { "name-description", "name_description" },
		{ "total-space", "total_space" }, { "free-space", "free_space" },
		{ "clustered", "clustered" }, { "health", "health" },
	};
	const char *labels[7], *vals[7];
	char bufs[7][32];
	size_t n = 0;

	if (xd_struct_get(sr, "uuid")) { /* an SR the driver knows no uuid of has none */
		labels[n] = "uuid";
		vals[n] = field_text(sr, "uuid", bufs[n]);
		n++;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++, n++) {
		labels[n] = fields[i][0];
		vals[n] = field_text(sr, fields[i][1], bufs[n]);
	}
	print_record(labels, vals, n);
}

/* The results of one kind: SRs (want_sr), else complete or incomplete
 * configurations. */
static void print_kind(const xd_value *results, bool want_sr, bool complete, const char *head)
{
	int i = 0;

	for (size_t k = 0; k < results->u.arr.n; k++) {
		const xd_value *r = results->u.arr.items[k];
		const xd_value *sr = xd_struct_get(r, "sr");
		const xd_value *c = xd_struct_get(r, "complete");
		bool has_sr = sr && sr->t == XD_V_STRUCT;

		if (has_sr != want_sr || (!want_sr && (c && c->t == XD_V_BOOL && c->u.b) != complete))
			continue;
		if (i == 0)
			printf("%s\n", head);
		if (want_sr) {
			printf("SR %d:\n", i);
			print_sr_stat(sr);
			printf("SR %d configuration:\n", i);
			print_map(xd_struct_get(r, "configuration"));
			printf("SR %d extra information:\n", i);
		} else {
			printf("Configuration %d:\n", i);
			print_map(xd_struct_get(r, "configuration"));
			printf("Configuration %d extra information:\n", i);
		}
		print_map(xd_struct_get(r, "extra_info"));
		i++;
	}
}

static int cmd_sr_probe_ext(xe_client *x, const xe_opts *o)
{
	const char *type = xe_obj_required(o, "type");
	xd_value *args = type ? xe_probe_args(x, o, type) : NULL;
	xd_value *r = args ? xe_client_call(x, "SR.probe_ext", args) : NULL;

	if (!r)
		return 1;
	if (r->t == XD_V_ARRAY) {
		print_kind(r, true, false, "The following SRs were found:");
		print_kind(r, false, true, "Found the following complete configurations that can "
					   "be used to create SRs:");
		print_kind(r, false, false, "Found the following incomplete configurations that may "
					    "contain SRs:");
	}
	xd_value_free(r);
	return 0;
}

static const xe_named_cmd cmds[] = {
	{ "sr-probe-ext", cmd_sr_probe_ext, "type", "host-uuid, device-config:, sm-config:",
	  "Perform a storage probe. The device-config parameters can be specified by "
	  "device-config:devs=/dev/sdb1, for example. Unlike sr-probe, this command returns "
	  "results in the same human-readable format for every SR type." },
};

const size_t xe_sr_probe_ext_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_sr_probe_ext_cmds = cmds;
