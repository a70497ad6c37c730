/* hv_xen_guest.c - guest agent data from xenstore (see hv_xen_guest.h). */
#include "hv_xen_guest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *key, *name;
} os_keys[] = {
	{ "data/os_name", "name" },       { "data/os_uname", "uname" },
	{ "data/os_distro", "distro" },   { "data/os_majorver", "major" },
	{ "data/os_minorver", "minor" },  { "attr/os/spmajor", "spmajor" },
	{ "attr/os/spminor", "spminor" },
};

/* Interface name prefixes of older agents' attr/<iface> (xapi's list). */
static const char *const iface_prefixes[] = { "eth", "xenbr", "eno", "ens", "emp", "enx" };

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int cmp_index(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	long nx = strtol(x, NULL, 10), ny = strtol(y, NULL, 10);

	return nx < ny ? -1 : nx > ny ? 1 : strcmp(x, y);
}

/* The numeric entries under key, sorted by number. Caller frees the block. */
static char **indices(const xd_hv_xen_store *st, const char *key, unsigned *n)
{
	char **names = st->list(st->ctx, key, n);
	unsigned i, kept = 0;

	if (!names)
		return NULL;
	for (i = 0; i < *n; i++)
		if (all_digits(names[i]))
			names[kept++] = names[i];
	*n = kept;
	qsort(names, kept, sizeof(char *), cmp_index);
	return names;
}

static void put_take(xd_value *map, const char *name, char *val)
{
	xd_struct_set_take(map, name, xd_string_take(val));
}

/* attr/vif/<n>/{ipv4,ipv6}/<i> */
static void vif_addresses(const xd_hv_xen_store *st, const char *vif, xd_value *net)
{
	static const char *const versions[] = { "ipv4", "ipv6" };
	char key[256], name[128];
	unsigned v, i, n;

	for (v = 0; v < 2; v++) {
		char **idx;
		snprintf(key, sizeof(key), "attr/vif/%s/%s", vif, versions[v]);
		idx = indices(st, key, &n);
		for (i = 0; idx && i < n; i++) {
			char *val;
			snprintf(key, sizeof(key), "attr/vif/%s/%s/%s", vif, versions[v], idx[i]);
			val = st->read(st->ctx, key);
			if (!val)
				continue;
			if (v == 0 && i == 0) {
				snprintf(name, sizeof(name), "%s/ip", vif);
				xd_struct_set_take(net, name, xd_string(val));
			}
			snprintf(name, sizeof(name), "%s/%s/%s", vif, versions[v], idx[i]);
			put_take(net, name, val);
		}
		free(idx);
	}
}

/* attr/<iface>/ip and attr/<iface>/ipv6/<i>/addr of older agents */
static void iface_addresses(const xd_hv_xen_store *st, const char *iface, const char *n,
			    xd_value *net)
{
	char key[256], name[128], **idx;
	unsigned i, count;
	char *val;

	snprintf(key, sizeof(key), "attr/%s/ip", iface);
	val = st->read(st->ctx, key);
	if (val) {
		snprintf(name, sizeof(name), "%s/ip", n);
		xd_struct_set_take(net, name, xd_string(val));
		snprintf(name, sizeof(name), "%s/ipv4/0", n);
		put_take(net, name, val);
	}
	snprintf(key, sizeof(key), "attr/%s/ipv6", iface);
	idx = indices(st, key, &count);
	for (i = 0; idx && i < count; i++) {
		snprintf(key, sizeof(key), "attr/%s/ipv6/%s/addr", iface, idx[i]);
		val = st->read(st->ctx, key);
		if (!val)
			continue;
		snprintf(name, sizeof(name), "%s/ipv6/%s", n, idx[i]);
		put_take(net, name, val);
	}
	free(idx);
}

static void networks(const xd_hv_xen_store *st, xd_value *net)
{
	char **names;
	unsigned i, j, n;

	names = indices(st, "attr/vif", &n);
	if (names && n > 0) {
		for (i = 0; i < n; i++)
			vif_addresses(st, names[i], net);
		free(names);
		return;
	}
	free(names);
	names = st->list(st->ctx, "attr", &n);
	for (i = 0; names && i < n; i++)
		for (j = 0; j < sizeof(iface_prefixes) / sizeof(*iface_prefixes); j++) {
			size_t len = strlen(iface_prefixes[j]);
			if (strncmp(names[i], iface_prefixes[j], len) == 0 && names[i][len]) {
				iface_addresses(st, names[i], names[i] + len, net);
				break;
			}
		}
	free(names);
}

/* control/<key>, with xapi's data-ts and data-cant-suspend-reason. */
static bool other(const xd_hv_xen_store *st, xd_value *oth)
{
	char key[256], **names, *val, *cant = st->read(st->ctx, "data/cant_suspend_reason");
	bool features = false;
	unsigned i, n;

	names = st->list(st->ctx, "control", &n);
	for (i = 0; names && i < n; i++) {
		snprintf(key, sizeof(key), "control/%s", names[i]);
		val = st->read(st->ctx, key);
		if (!val)
			continue;
		if (strncmp(names[i], "feature-", 8) == 0)
			features = true;
		if (cant && strcmp(names[i], "feature-suspend") == 0) {
			free(val);
			xd_struct_set_take(oth, "data-cant-suspend-reason", xd_string(cant));
		} else {
			put_take(oth, names[i], val);
		}
	}
	free(names);
	free(cant);
	val = st->read(st->ctx, "data/ts");
	if (val)
		put_take(oth, "data-ts", val);
	return features;
}

static int64_t kib(const xd_hv_xen_store *st, const char *key)
{
	char *val = st->read(st->ctx, key), *end;
	long long v;

	if (!val)
		return -1;
	v = strtoll(val, &end, 10);
	if (end == val || *end || v < 0)
		v = -1;
	free(val);
	return v < 0 ? -1 : (int64_t)v * 1024;
}

void xd_hv_xen_guest_read(const xd_hv_xen_store *st, xd_hv_guest_info *out)
{
	char **drivers, *major;
	int64_t total, avail;
	bool features;
	unsigned i, n = 0;

	memset(out, 0, sizeof(*out));
	out->memory_used = out->memory_free = -1;
	out->os_version = xd_struct();
	for (i = 0; i < sizeof(os_keys) / sizeof(*os_keys); i++) {
		char *val = st->read(st->ctx, os_keys[i].key);
		if (val)
			put_take(out->os_version, os_keys[i].name, val);
	}
	out->networks = xd_struct();
	networks(st, out->networks);
	out->other = xd_struct();
	features = other(st, out->other);

	major = st->read(st->ctx, "attr/PVAddons/MajorVersion");
	drivers = indices(st, "drivers", &n);
	out->pv_drivers = major != NULL || (drivers && n > 0);
	free(major);
	free(drivers);

	total = kib(st, "data/meminfo_total");
	avail = kib(st, "data/meminfo_free");
	if (total >= 0 && avail >= 0 && avail <= total) {
		out->memory_used = total - avail;
		out->memory_free = avail;
	}

	/* the toolstack itself creates control/ nodes: only the guest's own
	 * writes say that an agent is there */
	if (!out->os_version->u.st.n && !out->networks->u.st.n && !features && !out->pv_drivers &&
	    out->memory_used < 0) {
		xd_value_free(out->os_version);
		xd_value_free(out->networks);
		xd_value_free(out->other);
		out->os_version = out->networks = out->other = NULL;
	}
}
