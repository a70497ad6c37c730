/* firstboot.c - the objects of a fresh host (see firstboot.h). */
#define _GNU_SOURCE
#include "firstboot.h"
#include "templates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "hv/hv.h"
#include "ids.h"
#include "log.h"

#define MiB (1024LL * 1024LL)

/* What xapi's host record reports about the machine: the CPU model from
 * /proc, the rest from the hypervisor backend (hv.h). */
typedef struct host_facts {
	char hostname[256];
	long ncpus;                    /* physical CPUs, as the hypervisor says */
	xd_hv_host_info hv;
	char vendor[64], modelname[256], flags[4096], stepping[16];
	long family, model;
	long speed_mhz;
	int64_t mem_total, mem_free;   /* bytes */
} host_facts;

static void read_cpuinfo(host_facts *h)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[8192];
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *val = colon + 1;
		while (*val == ' ')
			val++;
		val[strcspn(val, "\n")] = 0;
		/* only the first CPU's block: they are alike on a host */
		if (strncmp(line, "vendor_id", 9) == 0 && !h->vendor[0])
			snprintf(h->vendor, sizeof h->vendor, "%s", val);
		else if (strncmp(line, "model name", 10) == 0 && !h->modelname[0])
			snprintf(h->modelname, sizeof h->modelname, "%s", val);
		else if (strncmp(line, "flags", 5) == 0 && !h->flags[0])
			snprintf(h->flags, sizeof h->flags, "%s", val);
		else if (strncmp(line, "stepping", 8) == 0 && !h->stepping[0])
			snprintf(h->stepping, sizeof h->stepping, "%s", val);
		else if (strncmp(line, "cpu family", 10) == 0 && !h->family)
			h->family = atol(val);
		else if (strncmp(line, "model\t", 6) == 0 && !h->model)
			h->model = atol(val);
		else if (strncmp(line, "cpu MHz", 7) == 0 && !h->speed_mhz)
			h->speed_mhz = (long)atof(val);
	}
	fclose(f);
}

static void read_meminfo(host_facts *h)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long kib;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "MemTotal: %lld kB", &kib) == 1)
			h->mem_total = kib * 1024;
		else if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
			h->mem_free = kib * 1024;
	}
	fclose(f);
}

static void gather_facts(host_facts *h)
{
	memset(h, 0, sizeof *h);
	if (gethostname(h->hostname, sizeof h->hostname - 1) != 0)
		snprintf(h->hostname, sizeof h->hostname, "localhost");
	h->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (h->ncpus < 1)
		h->ncpus = 1;
	read_cpuinfo(h);
	read_meminfo(h);
	xd_error err = XD_ERROR_INIT;
	if (xd_hv()->host_info(&h->hv, &err) != 0) {
		/* the record keeps what /proc says; the log says why */
		xd_warn("host facts: the %s backend gave none (%s %s): CPUs and the control "
			"domain from /proc", xd_hv()->name, err.code, err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
		h->hv.dom0_memory = h->hv.dom0_memory_max = h->mem_total / 8;
		h->hv.dom0_vcpus = (int)h->ncpus;
		return;
	}
	if (h->hv.nr_cpus > 0)
		h->ncpus = h->hv.nr_cpus;
}

static xd_value *smap(const char *const *kv)
{
	xd_value *m = xd_struct();
	for (; kv[0]; kv += 2)
		xd_struct_set_take(m, kv[0], xd_string(kv[1]));
	return m;
}

static xd_value *software_version(const host_facts *h)
{
	struct utsname u;
	if (uname(&u) != 0)
		snprintf(u.release, sizeof u.release, "unknown");
	char dbv[16];
	snprintf(dbv, sizeof dbv, "%d", XD_DB_SCHEMA_VERSION);
	const char *kv[] = {
		"product_brand", "xapi-c",
		"product_version", PACKAGE_VERSION,
		"platform_name", "XCP",
		"platform_version", "3.4.0",
		"xapi", "23.0",
		"xapi_build", PACKAGE_VERSION,
		"xen", h->hv.version ? h->hv.version : "unknown",
		"linux", u.release,
		"network_backend", "bridge",
		"db_schema", dbv,
		NULL,
	};
	return smap(kv);
}

static const char *sched_policy(const host_facts *h)
{
	return h->hv.sched_policy ? h->hv.sched_policy : "unknown";
}

/* The hypervisor's capabilities string as the set xapi shows. */
static xd_value *capabilities(const host_facts *h)
{
	xd_value *caps = xd_array();
	char *copy = strdup(h->hv.capabilities ? h->hv.capabilities : ""), *save = NULL;
	for (char *c = copy ? strtok_r(copy, " \t\n", &save) : NULL; c;
	     c = strtok_r(NULL, " \t\n", &save))
		xd_array_append_take(caps, xd_string(c));
	free(copy);
	return caps;
}

static xd_value *cpu_info_map(const host_facts *h)
{
	char count[32], speed[32], family[32], model[32];
	snprintf(count, sizeof count, "%ld", h->ncpus);
	snprintf(speed, sizeof speed, "%ld", h->speed_mhz);
	snprintf(family, sizeof family, "%ld", h->family);
	snprintf(model, sizeof model, "%ld", h->model);
	const char *kv[] = {
		"cpu_count", count, "socket_count", "1", "vendor", h->vendor,
		"speed", speed, "modelname", h->modelname, "family", family,
		"model", model, "stepping", h->stepping, "flags", h->flags,
		"features", "", NULL,
	};
	return smap(kv);
}

/* The listen address clients can use to reach this host. */
static char *address_of(const char *listen)
{
	char *a = strdup(listen ? listen : "127.0.0.1");
	char *colon = strrchr(a, ':');
	if (colon && a[0] != '[')
		*colon = 0;
	if (strcmp(a, "0.0.0.0") == 0 || !a[0]) {
		free(a);
		a = strdup("127.0.0.1");
	}
	return a;
}

static int create(xd_db_txn *t, const char *cls, const char *ref, xd_value *rec, xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	xd_generic_fill_defaults(c, rec);
	return xd_db_txn_create(t, c, ref, rec, err);
}

static xd_value *vm_metrics_record(int64_t memory, int64_t vcpus)
{
	xd_value *m = xd_struct();
	xd_struct_set_take(m, "memory_actual", xd_int(memory));
	xd_struct_set_take(m, "VCPUs_number", xd_int(vcpus));
	xd_struct_set_take(m, "last_updated", xd_datetime(time(NULL)));
	return m;
}

static int first_boot(const host_facts *h, const char *address, xd_error *err)
{
	char *host = xd_ref_new(), *hm = xd_ref_new(), *pool = xd_ref_new();
	char *dom0 = xd_ref_new(), *dom0m = xd_ref_new();
	xd_db_txn *t = xd_db_begin();
	int rc = 0;

	xd_value *r = xd_struct();
	xd_struct_set_take(r, "memory_total", xd_int(h->mem_total));
	xd_struct_set_take(r, "live", xd_bool(true));
	xd_struct_set_take(r, "last_updated", xd_datetime(time(NULL)));
	rc |= create(t, "host_metrics", hm, r, err);

	r = xd_struct();
	xd_struct_set_take(r, "name_label", xd_string(h->hostname));
	xd_struct_set_take(r, "name_description", xd_string("Default install"));
	xd_struct_set_take(r, "hostname", xd_string(h->hostname));
	xd_struct_set_take(r, "address", xd_string(address));
	xd_struct_set_take(r, "API_version_major", xd_int(XAPI_API_VERSION_MAJOR));
	xd_struct_set_take(r, "API_version_minor", xd_int(XAPI_API_VERSION_MINOR));
	xd_struct_set_take(r, "API_version_vendor", xd_string("XenSource"));
	xd_struct_set_take(r, "enabled", xd_bool(true));
	xd_struct_set_take(r, "software_version", software_version(h));
	xd_struct_set_take(r, "cpu_info", cpu_info_map(h));
	xd_struct_set_take(r, "bios_strings", xd_host_bios_strings());
	xd_struct_set_take(r, "sched_policy", xd_string(sched_policy(h)));
	xd_struct_set_take(r, "capabilities", capabilities(h));
	xd_value *bl = xd_array();
	xd_array_append_take(bl, xd_string("pygrub"));
	xd_array_append_take(bl, xd_string("eliloader"));
	xd_struct_set_take(r, "supported_bootloaders", bl);
	xd_struct_set_take(r, "metrics", xd_string(hm));
	xd_struct_set_take(r, "control_domain", xd_string(dom0));
	xd_struct_set_take(r, "edition", xd_string("free"));
	const char *lp[] = { "sku_type", "free", "restrict_vswitch_controller", "false", NULL };
	xd_struct_set_take(r, "license_params", smap(lp));
	rc |= create(t, "host", host, r, err);

	for (long i = 0; i < h->ncpus && rc == 0; i++) {
		char *cpu = xd_ref_new();
		r = xd_struct();
		xd_struct_set_take(r, "host", xd_string(host));
		xd_struct_set_take(r, "number", xd_int(i));
		xd_struct_set_take(r, "vendor", xd_string(h->vendor));
		xd_struct_set_take(r, "speed", xd_int(h->speed_mhz));
		xd_struct_set_take(r, "modelname", xd_string(h->modelname));
		xd_struct_set_take(r, "family", xd_int(h->family));
		xd_struct_set_take(r, "model", xd_int(h->model));
		xd_struct_set_take(r, "stepping", xd_string(h->stepping));
		xd_struct_set_take(r, "flags", xd_string(h->flags));
		rc |= create(t, "host_cpu", cpu, r, err);
		free(cpu);
	}

	/* The control domain: what xapi shows as dom0. */
	rc |= create(t, "VM_metrics", dom0m, vm_metrics_record(h->hv.dom0_memory, h->hv.dom0_vcpus),
		     err);
	r = xd_struct();
	char label[320];
	snprintf(label, sizeof label, "Control domain on host: %s", h->hostname);
	xd_struct_set_take(r, "name_label", xd_string(label));
	xd_struct_set_take(r, "name_description", xd_string("The domain which manages physical devices and manages other domains"));
	xd_struct_set_take(r, "power_state", xd_string("Running"));
	xd_struct_set_take(r, "is_control_domain", xd_bool(true));
	xd_struct_set_take(r, "resident_on", xd_string(host));
	xd_struct_set_take(r, "domid", xd_int(0));
	xd_struct_set_take(r, "user_version", xd_int(1));
	xd_struct_set_take(r, "memory_static_max", xd_int(h->hv.dom0_memory_max));
	xd_struct_set_take(r, "memory_dynamic_max", xd_int(h->hv.dom0_memory));
	xd_struct_set_take(r, "memory_dynamic_min", xd_int(h->hv.dom0_memory));
	xd_struct_set_take(r, "memory_static_min", xd_int(h->hv.dom0_memory));
	xd_struct_set_take(r, "memory_target", xd_int(h->hv.dom0_memory));
	xd_struct_set_take(r, "VCPUs_max", xd_int(h->hv.dom0_vcpus));
	xd_struct_set_take(r, "VCPUs_at_startup", xd_int(h->hv.dom0_vcpus));
	xd_struct_set_take(r, "actions_after_shutdown", xd_string("destroy"));
	xd_struct_set_take(r, "actions_after_reboot", xd_string("destroy"));
	xd_struct_set_take(r, "actions_after_crash", xd_string("destroy"));
	xd_struct_set_take(r, "domain_type", xd_string("pv"));
	xd_struct_set_take(r, "metrics", xd_string(dom0m));
	rc |= create(t, "VM", dom0, r, err);

	r = xd_struct();
	xd_struct_set_take(r, "master", xd_string(host));
	const char *restr[] = { "restrict_vswitch_controller", "false", "restrict_lab", "false",
				"restrict_pool_size", "false", NULL };
	xd_struct_set_take(r, "restrictions", smap(restr));
	rc |= create(t, "pool", pool, r, err);

	if (rc != 0) {
		xd_db_rollback(t);
		rc = -1;
	} else {
		rc = xd_db_commit(t, err);
	}
	if (rc == 0) {
		xd_set_this_host(host);
		xd_info("first boot: created pool, host %s with %ld CPUs and control domain",
			h->hostname, h->ncpus);
	}
	free(host);
	free(hm);
	free(pool);
	free(dom0);
	free(dom0m);
	return rc;
}

static int first_ref(const char *ref, const xd_value *const *fields, void *ud)
{
	*(char **)ud = strdup(ref);
	return 1;
}

/* Sets one field and frees v. */
static int set_take(const char *cls, const char *ref, const char *field, xd_value *v,
		    xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	int rc = xd_db_set_field(c, ref, xd_dm_field_index(c, field), v, err);
	xd_value_free(v);
	return rc;
}

/* The string field `field` of ref, or NULL (caller frees). */
static char *ref_field(const char *cls, const char *ref, const char *field)
{
	const xd_class *c = xd_dm_class(cls);
	if (!ref || !xd_db_exists(c, ref))
		return NULL;
	xd_value *v = xd_db_get_field(c, ref, xd_dm_field_index(c, field));
	char *s = v && v->t == XD_V_STRING ? strdup(v->u.s) : NULL;
	xd_value_free(v);
	return s;
}

/* The control domain as the hypervisor has it now (xapi's dom0 record
 * follows the domain: its memory and vCPUs). */
static int refresh_control_domain(const char *host, const host_facts *h, xd_error *err)
{
	char *dom0 = ref_field("host", host, "control_domain");
	char *metrics = ref_field("VM", dom0, "metrics");
	int rc = 0;
	if (dom0 && xd_db_exists(xd_dm_class("VM"), dom0)) {
		rc = set_take("VM", dom0, "memory_static_max", xd_int(h->hv.dom0_memory_max), err);
		const char *mem_fields[] = { "memory_dynamic_max", "memory_dynamic_min",
					     "memory_static_min", "memory_target", NULL };
		for (const char **f = mem_fields; rc == 0 && *f; f++)
			rc = set_take("VM", dom0, *f, xd_int(h->hv.dom0_memory), err);
		if (rc == 0)
			rc = set_take("VM", dom0, "VCPUs_max", xd_int(h->hv.dom0_vcpus), err);
		if (rc == 0)
			rc = set_take("VM", dom0, "VCPUs_at_startup", xd_int(h->hv.dom0_vcpus), err);
	}
	if (rc == 0 && metrics && xd_db_exists(xd_dm_class("VM_metrics"), metrics)) {
		rc = set_take("VM_metrics", metrics, "memory_actual", xd_int(h->hv.dom0_memory), err);
		if (rc == 0)
			rc = set_take("VM_metrics", metrics, "VCPUs_number", xd_int(h->hv.dom0_vcpus),
				      err);
	}
	free(dom0);
	free(metrics);
	return rc;
}

/* Every start: the facts that may have changed since the last one (a new
 * xapid, another Xen, dom0 given more memory). */
static int refresh(const char *host, const host_facts *h, const char *address, xd_error *err)
{
	xd_set_this_host(host);
	int rc = set_take("host", host, "software_version", software_version(h), err);
	if (rc == 0)
		rc = set_take("host", host, "address", xd_string(address), err);
	if (rc == 0)
		rc = set_take("host", host, "sched_policy", xd_string(sched_policy(h)), err);
	if (rc == 0)
		rc = set_take("host", host, "capabilities", capabilities(h), err);
	/* xapi reads them at every start too: a new BIOS shows */
	if (rc == 0)
		rc = set_take("host", host, "bios_strings", xd_host_bios_strings(), err);
	if (rc == 0)
		rc = refresh_control_domain(host, h, err);
	char *hm = rc == 0 ? ref_field("host", host, "metrics") : NULL;
	if (hm && xd_db_exists(xd_dm_class("host_metrics"), hm)) {
		rc = set_take("host_metrics", hm, "live", xd_bool(true), err);
		if (rc == 0)
			rc = set_take("host_metrics", hm, "memory_total", xd_int(h->mem_total), err);
		if (rc == 0)
			rc = set_take("host_metrics", hm, "last_updated", xd_datetime(time(NULL)), err);
	}
	free(hm);
	return rc;
}

int xd_firstboot(const char *listen_addr, xd_error *err)
{
	host_facts h;
	gather_facts(&h);
	char *address = address_of(listen_addr);
	char *host = NULL;
	xd_db_foreach(xd_dm_class("host"), first_ref, &host);
	int rc = host ? refresh(host, &h, address, err) : first_boot(&h, address, err);
	if (rc == 0)
		rc = xd_templates_refresh(err);
	if (rc == 0) {
		xd_error serr = XD_ERROR_INIT;

		/* a destination that no longer resolves must not stop the host */
		if (xd_host_syslog_apply(&serr) < 0)
			xd_warn("syslog: %s", serr.nparams ? serr.params[0] : serr.code);
		xd_error_clear(&serr);
	}
	free(host);
	free(address);
	xd_hv_host_info_clear(&h.hv);
	return rc;
}
