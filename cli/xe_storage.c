/* xe_storage.c - the storage commands of xe: sr-create, sr-introduce,
 * sr-probe, sr-scan, sr-update, sr-destroy, sr-forget, pbd-create,
 * pbd-plug, pbd-unplug, pbd-destroy, vdi-create, vdi-destroy, vdi-forget,
 * vdi-snapshot, vdi-clone, vdi-copy, vdi-resize, vdi-update, vdi-introduce.
 * Each is one XenAPI call (two where xe sets a name afterwards), with xe's
 * parameter names; a command that makes an object prints its uuid.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_args.h"
#include "xe_cmds.h"
#include "xe_util.h"

/* ---- parameters ---- */

xd_value *xe_map_params(const xe_opts *o, const char *prefix)
{
	xd_value *m = xd_struct();
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < o->nparams; i++)
		if (strncmp(o->params[i].key, prefix, pl) == 0 && o->params[i].key[pl])
			xd_struct_set_take(m, o->params[i].key + pl, xd_string(o->params[i].val));
	return m;
}

static const char *required(const xe_opts *o, const char *key)
{
	const char *v = xe_opts_get(o, key);
	if (!v)
		fprintf(stderr, "Required parameter not found: %s\n", key);
	return v;
}

int xe_parse_size(const char *s, int64_t *out)
{
	static const struct {
		const char *suffix;
		int64_t mult;
	} units[] = {
		{ "TiB", 1LL << 40 }, { "GiB", 1LL << 30 }, { "MiB", 1LL << 20 }, { "KiB", 1LL << 10 },
		{ "T", 1LL << 40 },   { "G", 1LL << 30 },   { "M", 1LL << 20 },   { "K", 1LL << 10 },
		{ "B", 1 },           { "", 1 },
	};
	char *end;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (end == s || errno || n < 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(end, units[i].suffix) == 0) {
			if (n > INT64_MAX / units[i].mult)
				return -1;
			*out = n * units[i].mult;
			return 0;
		}
	return -1;
}

static int size_param(const xe_opts *o, const char *key, bool need, int64_t dflt, int64_t *out)
{
	const char *v = need ? required(o, key) : xe_opts_get(o, key);
	if (!v) {
		*out = dflt;
		return need ? -1 : 0;
	}
	if (xe_parse_size(v, out) < 0) {
		xe_fail("Parameter %s: '%s' is not a size (a number of bytes, or with a suffix "
			"KiB, MiB, GiB, TiB)", key, v);
		return -1;
	}
	return 0;
}

int xe_bool_param(const xe_opts *o, const char *key, bool dflt, bool *out)
{
	const char *v = xe_opts_get(o, key);
	*out = dflt;
	if (v && xe_parse_bool(v, out) < 0) {
		xe_fail("Parameter %s: '%s' is not a boolean", key, v);
		return -1;
	}
	return 0;
}

char *xe_ref_param(xe_client *x, const xe_opts *o, const char *key, const char *cls)
{
	const char *uuid = required(o, key);
	return uuid ? xe_client_ref_by_uuid(x, cls, uuid) : NULL;
}

int xe_print_new_uuid(xe_client *x, const char *cls, const xd_value *ref)
{
	if (!ref || ref->t != XD_V_STRING) {
		xe_fail("the server's answer is not a reference");
		return 1;
	}
	const char *uuid = xe_client_ref_uuid(x, cls, ref->u.s);
	if (!uuid) {
		xe_fail("cannot read the uuid of %s", ref->u.s);
		return 1;
	}
	printf("%s\n", uuid);
	return 0;
}

int xe_call_and_print(xe_client *x, const char *method, xd_value *args, const char *cls)
{
	xd_value *r = xe_client_call(x, method, args);
	int rc = r ? 0 : 1;
	if (r && cls)
		rc = xe_print_new_uuid(x, cls, r);
	xd_value_free(r);
	return rc;
}

int xe_call_on_uuid(xe_client *x, const xe_opts *o, const char *cls, const char *msg)
{
	char *ref = xe_ref_param(x, o, "uuid", cls);
	if (!ref)
		return 1;
	char *method = xe_printf("%s.%s", cls, msg);
	int rc = xe_call_and_print(x, method, xe_strings(1, ref), NULL);
	free(method);
	free(ref);
	return rc;
}

/* The host a command runs on: host-uuid=, else the only host, else the
 * pool's master. Caller frees. */
char *xe_host_ref(xe_client *x, const xe_opts *o)
{
	if (xe_opts_get(o, "host-uuid"))
		return xe_ref_param(x, o, "host-uuid", "host");
	xd_value *hosts = xe_client_call(x, "host.get_all", NULL);
	char *ref = NULL;
	if (hosts && hosts->t == XD_V_ARRAY && hosts->u.arr.n == 1 &&
	    hosts->u.arr.items[0]->t == XD_V_STRING)
		ref = xe_strdup(hosts->u.arr.items[0]->u.s);
	xd_value_free(hosts);
	if (ref)
		return ref;
	xd_value *pools = xe_client_call(x, "pool.get_all", NULL);
	if (pools && pools->t == XD_V_ARRAY && pools->u.arr.n >= 1 &&
	    pools->u.arr.items[0]->t == XD_V_STRING) {
		xd_value *m = xe_client_call(x, "pool.get_master",
					     xe_strings(1, pools->u.arr.items[0]->u.s));
		if (m && m->t == XD_V_STRING)
			ref = xe_strdup(m->u.s);
		xd_value_free(m);
	}
	xd_value_free(pools);
	if (!ref)
		fprintf(stderr, "Required parameter not found: host-uuid\n");
	return ref;
}

/* ---- SR ---- */

static int cmd_sr_create(xe_client *x, const xe_opts *o)
{
	const char *name = required(o, "name-label");
	const char *type = name ? required(o, "type") : NULL;
	int64_t size;
	bool shared;
	if (!name || !type || size_param(o, "physical-size", false, 0, &size) < 0 ||
	    xe_bool_param(o, "shared", false, &shared) < 0)
		return 1;
	char *host = xe_host_ref(x, o);
	if (!host)
		return 1;
	xd_value *args = xd_array();
	xd_array_append_take(args, xd_string_take(host));
	xd_array_append_take(args, xe_map_params(o, "device-config:"));
	xd_array_append_take(args, xd_int(size));
	xd_array_append_take(args, xd_string(name));
	xd_array_append_take(args, xd_string(xe_opts_get(o, "name-description")));
	xd_array_append_take(args, xd_string(type));
	xd_array_append_take(args, xd_string(xe_opts_get(o, "content-type")));
	xd_array_append_take(args, xd_bool(shared));
	xd_array_append_take(args, xe_map_params(o, "sm-config:"));
	return xe_call_and_print(x, "SR.create", args, "SR");
}

static int cmd_sr_introduce(xe_client *x, const xe_opts *o)
{
	const char *uuid = required(o, "uuid");
	const char *name = uuid ? required(o, "name-label") : NULL;
	const char *type = name ? required(o, "type") : NULL;
	bool shared;
	if (!type || xe_bool_param(o, "shared", false, &shared) < 0)
		return 1;
	xd_value *args = xe_strings(4, uuid, name, xe_opts_get(o, "name-description"), type);
	xd_array_append_take(args, xd_string(xe_opts_get(o, "content-type")));
	xd_array_append_take(args, xd_bool(shared));
	xd_array_append_take(args, xe_map_params(o, "sm-config:"));
	return xe_call_and_print(x, "SR.introduce", args, "SR");
}

xd_value *xe_probe_args(xe_client *x, const xe_opts *o, const char *type)
{
	char *host = xe_host_ref(x, o);
	if (!host)
		return NULL;
	xd_value *args = xd_array();
	xd_array_append_take(args, xd_string_take(host));
	xd_array_append_take(args, xe_map_params(o, "device-config:"));
	xd_array_append_take(args, xd_string(type));
	xd_array_append_take(args, xe_map_params(o, "sm-config:"));
	return args;
}

static int cmd_sr_probe(xe_client *x, const xe_opts *o)
{
	const char *type = required(o, "type");
	if (!type)
		return 1;
	xd_value *args = xe_probe_args(x, o, type);
	if (!args)
		return 1;
	xd_value *r = xe_client_call(x, "SR.probe", args);
	if (!r)
		return 1;
	if (r->t == XD_V_STRING)
		printf("%s\n", r->u.s);
	xd_value_free(r);
	return 0;
}

static int cmd_sr_scan(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "SR", "scan");
}

static int cmd_sr_update(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "SR", "update");
}

static int cmd_sr_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "SR", "destroy");
}

static int cmd_sr_forget(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "SR", "forget");
}

/* ---- PBD ---- */

static int cmd_pbd_create(xe_client *x, const xe_opts *o)
{
	char *sr = xe_ref_param(x, o, "sr-uuid", "SR");
	char *host = sr ? xe_host_ref(x, o) : NULL;
	if (!host) {
		free(sr);
		return 1;
	}
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "host", xd_string_take(host));
	xd_struct_set_take(rec, "SR", xd_string_take(sr));
	xd_struct_set_take(rec, "device_config", xe_map_params(o, "device-config:"));
	xd_struct_set_take(rec, "other_config", xe_map_params(o, "other-config:"));
	xd_value *args = xd_array();
	xd_array_append_take(args, rec);
	return xe_call_and_print(x, "PBD.create", args, "PBD");
}

static int cmd_pbd_plug(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PBD", "plug");
}

static int cmd_pbd_unplug(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PBD", "unplug");
}

static int cmd_pbd_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "PBD", "destroy");
}

/* ---- VDI ---- */

static int cmd_vdi_create(xe_client *x, const xe_opts *o)
{
	const char *name = required(o, "name-label");
	int64_t size;
	bool sharable, read_only;
	if (!name || size_param(o, "virtual-size", true, 0, &size) < 0 ||
	    xe_bool_param(o, "sharable", false, &sharable) < 0 ||
	    xe_bool_param(o, "read-only", false, &read_only) < 0)
		return 1;
	char *sr = xe_ref_param(x, o, "sr-uuid", "SR");
	if (!sr)
		return 1;
	const char *type = xe_opts_get(o, "type");
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "name_label", xd_string(name));
	xd_struct_set_take(rec, "name_description", xd_string(xe_opts_get(o, "name-description")));
	xd_struct_set_take(rec, "SR", xd_string_take(sr));
	xd_struct_set_take(rec, "virtual_size", xd_int(size));
	xd_struct_set_take(rec, "type", xd_string(type ? type : "user"));
	xd_struct_set_take(rec, "sharable", xd_bool(sharable));
	xd_struct_set_take(rec, "read_only", xd_bool(read_only));
	xd_struct_set_take(rec, "other_config", xe_map_params(o, "other-config:"));
	xd_struct_set_take(rec, "sm_config", xe_map_params(o, "sm-config:"));
	xd_struct_set_take(rec, "xenstore_data", xd_struct());
	xd_struct_set_take(rec, "tags", xd_array());
	xd_value *args = xd_array();
	xd_array_append_take(args, rec);
	return xe_call_and_print(x, "VDI.create", args, "VDI");
}

static int cmd_vdi_introduce(xe_client *x, const xe_opts *o)
{
	const char *location = required(o, "location");
	const char *uuid = xe_opts_get(o, "uuid");
	const char *type = xe_opts_get(o, "type");
	bool sharable, read_only;
	if (!location || xe_bool_param(o, "sharable", false, &sharable) < 0 ||
	    xe_bool_param(o, "read-only", false, &read_only) < 0)
		return 1;
	char *sr = xe_ref_param(x, o, "sr-uuid", "SR");
	if (!sr)
		return 1;
	/* VDI.introduce's 18 parameters, as xe fills them */
	xd_value *args = xe_strings(3, uuid ? uuid : "", xe_opts_get(o, "name-label"),
				    xe_opts_get(o, "name-description"));
	xd_array_append_take(args, xd_string_take(sr));
	xd_array_append_take(args, xd_string(type ? type : "user"));
	xd_array_append_take(args, xd_bool(sharable));
	xd_array_append_take(args, xd_bool(read_only));
	xd_array_append_take(args, xe_map_params(o, "other-config:"));
	xd_array_append_take(args, xd_string(location));
	xd_array_append_take(args, xe_map_params(o, "xenstore-data:"));
	xd_array_append_take(args, xe_map_params(o, "sm-config:"));
	xd_array_append_take(args, xd_bool(true));               /* managed */
	xd_array_append_take(args, xd_int(0));                   /* virtual_size */
	xd_array_append_take(args, xd_int(0));                   /* physical_utilisation */
	xd_array_append_take(args, xd_string("OpaqueRef:NULL")); /* metadata_of_pool */
	xd_array_append_take(args, xd_bool(false));              /* is_a_snapshot */
	xd_array_append_take(args, xd_datetime(0));              /* snapshot_time */
	xd_array_append_take(args, xd_string("OpaqueRef:NULL")); /* snapshot_of */
	return xe_call_and_print(x, "VDI.introduce", args, "VDI");
}

static int cmd_vdi_destroy(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VDI", "destroy");
}

static int cmd_vdi_forget(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VDI", "forget");
}

static int cmd_vdi_update(xe_client *x, const xe_opts *o)
{
	return xe_call_on_uuid(x, o, "VDI", "update");
}

/* vdi-snapshot / vdi-clone: the new VDI's uuid; clone takes a new name. */
static int snapshot_or_clone(xe_client *x, const xe_opts *o, const char *msg)
{
	char *ref = xe_ref_param(x, o, "uuid", "VDI");
	if (!ref)
		return 1;
	xd_value *args = xe_strings(1, ref);
	xd_array_append_take(args, xe_map_params(o, "driver-params:"));
	free(ref);
	char *method = xe_printf("VDI.%s", msg);
	xd_value *r = xe_client_call(x, method, args);
	free(method);
	if (!r)
		return 1;
	int rc = 0;
	const char *label = xe_opts_get(o, "new-name-label");
	const char *desc = xe_opts_get(o, "new-name-description");
	if (r->t == XD_V_STRING && label) {
		xd_value *s = xe_client_call(x, "VDI.set_name_label", xe_strings(2, r->u.s, label));
		rc |= s ? 0 : 1;
		xd_value_free(s);
	}
	if (r->t == XD_V_STRING && desc) {
		xd_value *s =
			xe_client_call(x, "VDI.set_name_description", xe_strings(2, r->u.s, desc));
		rc |= s ? 0 : 1;
		xd_value_free(s);
	}
	rc |= xe_print_new_uuid(x, "VDI", r);
	xd_value_free(r);
	return rc;
}

static int cmd_vdi_snapshot(xe_client *x, const xe_opts *o)
{
	return snapshot_or_clone(x, o, "snapshot");
}

static int cmd_vdi_clone(xe_client *x, const xe_opts *o)
{
	return snapshot_or_clone(x, o, "clone");
}

static int cmd_vdi_resize(xe_client *x, const xe_opts *o)
{
	int64_t size;
	if (size_param(o, "disk-size", true, 0, &size) < 0)
		return 1;
	char *ref = xe_ref_param(x, o, "uuid", "VDI");
	if (!ref)
		return 1;
	bool online;
	if (xe_bool_param(o, "online", false, &online) < 0) {
		free(ref);
		return 1;
	}
	xd_value *args = xe_strings(1, ref);
	xd_array_append_take(args, xd_int(size));
	free(ref);
	return xe_call_and_print(x, online ? "VDI.resize_online" : "VDI.resize", args, NULL);
}

/* vdi-copy uuid= sr-uuid= | into-vdi-uuid= [base-vdi-uuid=] */
static int cmd_vdi_copy(xe_client *x, const xe_opts *o)
{
	const char *sr_uuid = xe_opts_get(o, "sr-uuid");
	const char *into_uuid = xe_opts_get(o, "into-vdi-uuid");
	const char *base_uuid = xe_opts_get(o, "base-vdi-uuid");
	if (!sr_uuid && !into_uuid) {
		fprintf(stderr, "Required parameter not found: sr-uuid\n");
		return 1;
	}
	char *vdi = xe_ref_param(x, o, "uuid", "VDI");
	char *sr = vdi && sr_uuid ? xe_client_ref_by_uuid(x, "SR", sr_uuid)
				  : xe_strdup("OpaqueRef:NULL");
	char *base = sr && base_uuid ? xe_client_ref_by_uuid(x, "VDI", base_uuid)
				     : xe_strdup("OpaqueRef:NULL");
	char *into = base && into_uuid ? xe_client_ref_by_uuid(x, "VDI", into_uuid)
				       : xe_strdup("OpaqueRef:NULL");
	int rc = 1;
	if (vdi && sr && base && into)
		rc = xe_call_and_print(x, "VDI.copy", xe_strings(4, vdi, sr, base, into), "VDI");
	free(vdi);
	free(sr);
	free(base);
	free(into);
	return rc;
}

/* ---- the table ---- */

static const xe_named_cmd cmds[] = {
	{ "sr-create", cmd_sr_create, "name-label type",
	  "host-uuid name-description content-type shared physical-size device-config:<k>=<v> "
	  "sm-config:<k>=<v>",
	  "Creates an SR of the driver `type` (xe sm-list shows the types) with the "
	  "device-config it needs, plugs it, and prints its uuid. host-uuid defaults to the "
	  "only host, else the pool master; physical-size takes KiB, MiB, GiB, TiB suffixes." },
	{ "sr-introduce", cmd_sr_introduce, "uuid name-label type",
	  "name-description content-type shared sm-config:<k>=<v>",
	  "Records an SR whose storage exists already (see sr-probe); plug it with "
	  "pbd-create and pbd-plug. Prints its uuid." },
	{ "sr-probe", cmd_sr_probe, "type", "host-uuid device-config:<k>=<v> sm-config:<k>=<v>",
	  "Asks the driver what exists at this device-config and prints its answer (XML)." },
	{ "sr-scan", cmd_sr_scan, "uuid", "",
	  "Makes the SR's VDI records match its storage: new images appear, vanished ones go." },
	{ "sr-update", cmd_sr_update, "uuid", "", "Refreshes the SR's sizes." },
	{ "sr-destroy", cmd_sr_destroy, "uuid", "",
	  "Destroys the SR and everything on it (its PBDs must be unplugged)." },
	{ "sr-forget", cmd_sr_forget, "uuid", "",
	  "Forgets the SR's records; its storage is left as it is." },
	{ "pbd-create", cmd_pbd_create, "sr-uuid", "host-uuid device-config:<k>=<v>",
	  "Records how a host reaches an SR; prints the PBD's uuid." },
	{ "pbd-plug", cmd_pbd_plug, "uuid", "", "Attaches the SR on the PBD's host." },
	{ "pbd-unplug", cmd_pbd_unplug, "uuid", "", "Detaches the SR from the PBD's host." },
	{ "pbd-destroy", cmd_pbd_destroy, "uuid", "", "Destroys an unplugged PBD." },
	{ "vdi-create", cmd_vdi_create, "sr-uuid name-label virtual-size",
	  "name-description type sharable read-only sm-config:<k>=<v> other-config:<k>=<v>",
	  "Creates a VDI of virtual-size bytes (KiB, MiB, GiB, TiB suffixes) and prints its "
	  "uuid. type defaults to user." },
	{ "vdi-introduce", cmd_vdi_introduce, "sr-uuid location",
	  "uuid name-label name-description type sharable read-only sm-config:<k>=<v>",
	  "Records a VDI that exists on the SR at `location`; prints its uuid." },
	{ "vdi-destroy", cmd_vdi_destroy, "uuid", "", "Destroys the VDI and its data." },
	{ "vdi-forget", cmd_vdi_forget, "uuid", "",
	  "Forgets the VDI's record; the data stays (sr-scan finds it again)." },
	{ "vdi-update", cmd_vdi_update, "uuid", "", "Refreshes the VDI's record from the SR." },
	{ "vdi-snapshot", cmd_vdi_snapshot, "uuid",
	  "driver-params:<k>=<v> new-name-label new-name-description",
	  "Snapshots the VDI and prints the snapshot's uuid." },
	{ "vdi-clone", cmd_vdi_clone, "uuid",
	  "driver-params:<k>=<v> new-name-label new-name-description",
	  "Clones the VDI and prints the clone's uuid." },
	{ "vdi-copy", cmd_vdi_copy, "uuid sr-uuid | into-vdi-uuid", "base-vdi-uuid",
	  "Copies the VDI's data into a new VDI on sr-uuid (or into an existing VDI) and "
	  "prints the destination's uuid." },
	{ "vdi-resize", cmd_vdi_resize, "uuid disk-size", "online",
	  "Grows the VDI to disk-size bytes (KiB, MiB, GiB, TiB suffixes); online=true uses "
	  "VDI.resize_online." },
};

const size_t xe_storage_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_storage_cmds = cmds;
