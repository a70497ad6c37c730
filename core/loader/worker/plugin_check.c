/* plugin_check.c - what a plugin descriptor must be before xapid uses it
 * (the loader checks of the ABI: layout, version, kind, name, mandatory ops,
 * capabilities against ops), and its description for the core. */
#define _GNU_SOURCE /* asprintf, pipe2, close_range, POLLRDHUP */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_worker.h"

/* The sizes of the 2.0 layouts (the first of this major): the end of their
 * last 2.0 member. Members appended by later minors do not change these. */
#define DESC_SIZE_2_0 (offsetof(struct xapi_plugin_desc, ops) + sizeof(const void *))
#define SR_OPS_SIZE_2_0 (offsetof(struct xapi_sr_ops, vdi_update) + sizeof(void *))
#define NET_OPS_SIZE_2_0 (offsetof(struct xapi_net_ops, bond_remove) + sizeof(void *))
#define METRICS_OPS_SIZE_2_0 (offsetof(struct xapi_metrics_ops, collect) + sizeof(void *))

typedef struct op_slot {
	const char *name;
	size_t off;
	bool mandatory;
} op_slot;

/* In xd_pp_sr_op_names order. */
static const op_slot sr_ops[XD_PP_SR_NOPS] = {
	{ "sr_probe", offsetof(struct xapi_sr_ops, sr_probe), false },
	{ "sr_create", offsetof(struct xapi_sr_ops, sr_create), false },
	{ "sr_delete", offsetof(struct xapi_sr_ops, sr_delete), false },
	{ "sr_attach", offsetof(struct xapi_sr_ops, sr_attach), true },
	{ "sr_detach", offsetof(struct xapi_sr_ops, sr_detach), true },
	{ "sr_scan", offsetof(struct xapi_sr_ops, sr_scan), true },
	{ "sr_update", offsetof(struct xapi_sr_ops, sr_update), false },
	{ "vdi_create", offsetof(struct xapi_sr_ops, vdi_create), false },
	{ "vdi_delete", offsetof(struct xapi_sr_ops, vdi_delete), false },
	{ "vdi_snapshot", offsetof(struct xapi_sr_ops, vdi_snapshot), false },
	{ "vdi_clone", offsetof(struct xapi_sr_ops, vdi_clone), false },
	{ "vdi_resize", offsetof(struct xapi_sr_ops, vdi_resize), false },
	{ "vdi_attach", offsetof(struct xapi_sr_ops, vdi_attach), false },
	{ "vdi_detach", offsetof(struct xapi_sr_ops, vdi_detach), false },
	{ "vdi_introduce", offsetof(struct xapi_sr_ops, vdi_introduce), false },
	{ "vdi_update", offsetof(struct xapi_sr_ops, vdi_update), false },
};

/* In xd_pp_net_op_names order. */
static const op_slot net_ops[XD_PP_NET_NOPS] = {
	{ "probe", offsetof(struct xapi_net_ops, probe), false },
	{ "pif_scan", offsetof(struct xapi_net_ops, pif_scan), true },
	{ "bridge_ensure", offsetof(struct xapi_net_ops, bridge_ensure), true },
	{ "bridge_destroy", offsetof(struct xapi_net_ops, bridge_destroy), true },
	{ "port_add", offsetof(struct xapi_net_ops, port_add), true },
	{ "port_remove", offsetof(struct xapi_net_ops, port_remove), true },
	{ "vlan_add", offsetof(struct xapi_net_ops, vlan_add), false },
	{ "vlan_remove", offsetof(struct xapi_net_ops, vlan_remove), false },
	{ "bond_add", offsetof(struct xapi_net_ops, bond_add), false },
	{ "bond_remove", offsetof(struct xapi_net_ops, bond_remove), false },
	{ "ip_configure", offsetof(struct xapi_net_ops, ip_configure), false },
	{ "link_query", offsetof(struct xapi_net_ops, link_query), false },
	{ "link_set", offsetof(struct xapi_net_ops, link_set), false },
	{ "tunnel_add", offsetof(struct xapi_net_ops, tunnel_add), false },
	{ "tunnel_remove", offsetof(struct xapi_net_ops, tunnel_remove), false },
	{ "port_lock", offsetof(struct xapi_net_ops, port_lock), false },
	{ "bridge_ports", offsetof(struct xapi_net_ops, bridge_ports), false },
};

static const op_slot metrics_ops[] = {
	{ "collect", offsetof(struct xapi_metrics_ops, collect), true },
};

/* Storage capabilities that need an op (xapi/storage.h); every other
 * string is passed on as it is. */
static const struct {
	const char *cap;
	const char *op;
} cap_ops[] = {
	{ "SR_PROBE", "sr_probe" },         { "SR_UPDATE", "sr_update" },
	{ "VDI_CREATE", "vdi_create" },     { "VDI_DELETE", "vdi_delete" },
	{ "VDI_ATTACH", "vdi_attach" },     { "VDI_DETACH", "vdi_detach" },
	{ "VDI_SNAPSHOT", "vdi_snapshot" }, { "VDI_CLONE", "vdi_clone" },
	{ "VDI_RESIZE", "vdi_resize" },     { "VDI_INTRODUCE", "vdi_introduce" },
	{ "VDI_UPDATE", "vdi_update" },
};

/* Is the function pointer at off inside the table (whose first member is
 * its size) and set? Reads it without knowing its type. */
static bool table_has(const void *table, size_t off)
{
	size_t size;
	memcpy(&size, table, sizeof size);
	if (size < off + sizeof(void (*)(void)))
		return false;
	void (*fn)(void);
	memcpy(&fn, (const char *)table + off, sizeof fn);
	return fn != NULL;
}

static char *reason(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *reason(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s ? s : strdup("refused");
}

static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* "NAME" or "NAME/N": the name part into name[], the version (1 without a
 * suffix) into *version. False for an empty name or a bad version. */
static bool parse_capability(const char *cap, char *name, size_t namelen, long *version)
{
	const char *slash = strchr(cap, '/');
	size_t n = slash ? (size_t)(slash - cap) : strlen(cap);
	if (n == 0 || n >= namelen)
		return false;
	memcpy(name, cap, n);
	name[n] = 0;
	*version = 1;
	if (slash) {
		char *end;
		long v = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || v < 1)
			return false;
		*version = v;
	}
	return true;
}

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case XAPI_KIND_STORAGE: return "storage";
	case XAPI_KIND_NETWORK: return "network";
	case XAPI_KIND_METRICS: return "metrics";
	}
	return "unknown";
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Checks the ops table of the descriptor's kind; adds the names of the ops
 * present to ops_json. */
static char *check_ops(const struct xapi_plugin_desc *d, json_object *ops_json)
{
	const op_slot *slots;
	size_t nslots, size_1_0;
	switch (d->kind) {
	case XAPI_KIND_STORAGE:
		slots = sr_ops, nslots = XD_PP_SR_NOPS, size_1_0 = SR_OPS_SIZE_2_0;
		break;
	case XAPI_KIND_NETWORK:
		slots = net_ops, nslots = XD_PP_NET_NOPS, size_1_0 = NET_OPS_SIZE_2_0;
		break;
	default:
		slots = metrics_ops, nslots = 1, size_1_0 = METRICS_OPS_SIZE_2_0;
		break;
	}
	size_t size;
	memcpy(&size, d->ops, sizeof size);
	if (size < size_1_0)
		return reason("its %s ops table is %zu bytes, smaller than ABI 2.0's %zu "
			      "(size must be set to sizeof the table)", kind_name(d->kind), size, size_1_0);
	for (size_t i = 0; i < nslots; i++) {
		if (table_has(d->ops, slots[i].off))
			json_object_array_add(ops_json, json_object_new_string(slots[i].name));
		else if (slots[i].mandatory)
			return reason("mandatory op %s is NULL", slots[i].name);
	}
	/* since 2.1, optional: outside the op numbers of the status table */
	if (d->kind == XAPI_KIND_STORAGE && table_has(d->ops, offsetof(struct xapi_sr_ops, vdi_io)))
		json_object_array_add(ops_json, json_object_new_string("vdi_io"));
	return NULL;
}

/* Checks the storage capabilities against the ops; fills features
 * ([[name, version]...]) and warnings. */
static char *check_capabilities(const struct xapi_plugin_desc *d, json_object *features,
				json_object *warnings)
{
	for (size_t i = 0; d->capabilities && d->capabilities[i]; i++) {
		const char *cap = d->capabilities[i];
		char name[128];
		long version;
		if (!parse_capability(cap, name, sizeof name, &version)) {
			/* xapi ignores a feature whose version does not parse. */
			char w[256];
			snprintf(w, sizeof w, "capability '%.128s' ignored: not NAME or NAME/N", cap);
			json_object_array_add(warnings, json_object_new_string(w));
			continue;
		}
		if (d->kind == XAPI_KIND_STORAGE) {
			for (size_t c = 0; c < sizeof cap_ops / sizeof cap_ops[0]; c++) {
				if (strcmp(cap_ops[c].cap, name) != 0)
					continue;
				int op = xd_pp_sr_op_index(cap_ops[c].op);
				if (!table_has(d->ops, sr_ops[op].off))
					return reason("claims capability %s but its %s op is NULL", name,
						      cap_ops[c].op);
			}
		}
		bool dup = false;
		for (size_t k = 0; k < json_object_array_length(features); k++) {
			json_object *f = json_object_array_get_idx(features, k);
			if (strcmp(json_object_get_string(json_object_array_get_idx(f, 0)), name) == 0)
				dup = true;
		}
		if (dup)
			continue;
		json_object *f = json_object_new_array();
		json_object_array_add(f, json_object_new_string(name));
		json_object_array_add(f, json_object_new_int64(version));
		json_object_array_add(features, f);
	}
	return NULL;
}

char *xd_plugin_check(const struct xapi_plugin_desc *d, json_object **desc_json,
		      json_object *warnings)
{
	*desc_json = NULL;
	if (!d)
		return reason("xapi_plugin_init returned XAPI_OK without a descriptor");
	size_t abi_end = offsetof(struct xapi_plugin_desc, abi_version) + sizeof(uint32_t);
	if (d->size < abi_end)
		return reason("its descriptor is %zu bytes: not a struct xapi_plugin_desc", d->size);
	uint32_t major = XAPI_ABI_MAJOR_OF(d->abi_version), minor = XAPI_ABI_MINOR_OF(d->abi_version);
	if (major != XAPI_ABI_MAJOR)
		return reason("built for plugin ABI %u.%u, but this xapid speaks ABI %u.%u "
			      "(rebuild it against this xapid's SDK)", major, minor,
			      (unsigned)XAPI_ABI_MAJOR, (unsigned)XAPI_ABI_MINOR);
	if (d->size < DESC_SIZE_2_0)
		return reason("its descriptor is %zu bytes, smaller than ABI 2.0's %zu", d->size,
			      DESC_SIZE_2_0);
	if (d->kind < XAPI_KIND_STORAGE || d->kind > XAPI_KIND_METRICS)
		return reason("unknown kind %u (1 storage, 2 network, 3 metrics)", d->kind);
	if (!valid_name(d->name))
		return reason("name '%.80s' is not 1 to 64 of [a-z0-9_]", d->name ? d->name : "(NULL)");
	if (!d->ops)
		return reason("its descriptor has no ops table");

	for (size_t i = 0; d->config && d->config[i].key; i++)
		if (d->config[i].required & ~(XAPI_CONFIG_REQUIRED | XAPI_CONFIG_PROBE_OPTIONAL))
			return reason("config key '%.80s': required = %d is not a set of "
				      "XAPI_CONFIG_* bits", d->config[i].key, d->config[i].required);

	json_object *ops = json_object_new_array(), *features = json_object_new_array();
	char *why = check_ops(d, ops);
	if (!why)
		why = check_capabilities(d, features, warnings);
	if (why) {
		json_object_put(ops);
		json_object_put(features);
		return why;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "kind", json_object_new_int((int)d->kind));
	json_object_object_add(o, "abi_major", json_object_new_int((int)major));
	json_object_object_add(o, "abi_minor", json_object_new_int((int)minor));
	json_object_object_add(o, "description", json_object_new_string(or_empty(d->description)));
	json_object_object_add(o, "vendor", json_object_new_string(or_empty(d->vendor)));
	json_object_object_add(o, "copyright", json_object_new_string(or_empty(d->copyright)));
	json_object_object_add(o, "version", json_object_new_string(or_empty(d->version)));
	json_object_object_add(o, "flags", json_object_new_int64(d->flags));
	json_object_object_add(o, "features", features);
	json_object *config = json_object_new_array();
	for (size_t i = 0; d->config && d->config[i].key; i++) {
		json_object *k = json_object_new_object();
		json_object_object_add(k, "key", json_object_new_string(d->config[i].key));
		json_object_object_add(k, "description",
				       json_object_new_string(or_empty(d->config[i].description)));
		json_object_object_add(k, "required", json_object_new_int(d->config[i].required));
		json_object_array_add(config, k);
	}
	json_object_object_add(o, "config", config);
	json_object_object_add(o, "ops", ops);
	if (d->kind == XAPI_KIND_METRICS) {
		const struct xapi_metrics_ops *m = d->ops;
		json_object_object_add(o, "interval_ms", json_object_new_int64(m->interval_ms));
	}
	*desc_json = o;
	return NULL;
}
