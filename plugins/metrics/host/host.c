/* host.c - the `host` metric collector: the host's CPUs (per core and
 * their average, as fractions of a core), load average and memory, from
 * /proc. CPU figures are reported as the raw busy time (DERIVE: xapid
 * turns counters into rates), so a restarted worker needs no state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xapi/plugin.h>

#define MAX_CPUS 256

struct host_collector {
	const struct xapi_host *host;
	xapi_plugin_t *self;
	int ncpus;
};

static const struct xapi_ds_desc fixed_ds[] = {
	{ sizeof(struct xapi_ds_desc), "cpu_avg", "Average physical CPU usage", "(fraction)",
	  "host", XAPI_DS_DERIVE, 0, 1, 1 },
	{ sizeof(struct xapi_ds_desc), "loadavg", "Domain0 load average", "(load)", "host",
	  XAPI_DS_GAUGE, 0, 1e6, 1 },
	{ sizeof(struct xapi_ds_desc), "memory_total_kib", "Total amount of memory", "KiB", "host",
	  XAPI_DS_GAUGE, 0, 1e15, 1 },
	{ sizeof(struct xapi_ds_desc), "memory_free_kib", "Free memory", "KiB", "host",
	  XAPI_DS_GAUGE, 0, 1e15, 1 },
	{ sizeof(struct xapi_ds_desc), "memory_reclaimable_kib",
	  "Memory the kernel can reclaim (page cache, reclaimable slabs)", "KiB", "host",
	  XAPI_DS_GAUGE, 0, 1e15, 1 },
};

/* Busy seconds of each CPU (and of all, in busy[ncpus]); returns ncpus or -1. */
static int read_cpu_busy(double *busy, int max)
{
	FILE *f = fopen("/proc/stat", "re");
	if (!f)
		return -1;
	char line[512];
	int n = 0;
	double hz = (double)sysconf(_SC_CLK_TCK);
	double all = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long long u, ni, sy, id, io, irq, sirq, st;
		int cpu;
		if (strncmp(line, "cpu", 3) != 0 || line[3] == ' ')
			continue;
		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &u, &ni, &sy,
			   &id, &io, &irq, &sirq, &st) != 9 || cpu < 0 || cpu >= max)
			continue;
		busy[cpu] = (double)(u + ni + sy + irq + sirq + st) / hz;
		all += busy[cpu];
		if (cpu + 1 > n)
			n = cpu + 1;
	}
	fclose(f);
	if (n > 0)
		busy[n] = all / n;
	return n > 0 ? n : -1;
}

/* KiB values of /proc/meminfo. */
static int read_meminfo(double *total, double *avail, double *reclaim)
{
	FILE *f = fopen("/proc/meminfo", "re");
	if (!f)
		return -1;
	char key[64];
	unsigned long long v;
	double cached = 0, sreclaim = 0;
	*total = *avail = -1;
	while (fscanf(f, "%63s %llu%*[^\n]", key, &v) == 2) {
		if (!strcmp(key, "MemTotal:"))
			*total = (double)v;
		else if (!strcmp(key, "MemFree:"))
			*avail = (double)v;
		else if (!strcmp(key, "Cached:"))
			cached = (double)v;
		else if (!strcmp(key, "SReclaimable:"))
			sreclaim = (double)v;
	}
	fclose(f);
	*reclaim = cached + sreclaim;
	return *total >= 0 && *avail >= 0 ? 0 : -1;
}

static int sample(struct host_collector *hc, xapi_call_t *call, const char *name, double v)
{
	int rc = hc->host->ds_sample(call, name, NULL, v);
	if (rc != XAPI_OK)
		return xapi_fail(hc->host, call, NULL, 1, "cannot report %s: status %d", name, rc);
	return XAPI_OK;
}

static int host_collect(void *st, xapi_call_t *call, unsigned flags)
{
	struct host_collector *hc = st;
	XAPI_CHECK_FLAGS(hc->host, call, flags, 0);
	static double busy[MAX_CPUS + 1];
	int n = read_cpu_busy(busy, MAX_CPUS);
	if (n < 0)
		return xapi_fail(hc->host, call, NULL, 1, "cannot read /proc/stat");
	char name[16];
	int rc = XAPI_OK;
	for (int i = 0; i < n && i < hc->ncpus && rc == XAPI_OK; i++) {
		snprintf(name, sizeof name, "cpu%d", i);
		rc = sample(hc, call, name, busy[i]);
	}
	if (rc == XAPI_OK)
		rc = sample(hc, call, "cpu_avg", busy[n]);
	double load = 0;
	FILE *f = fopen("/proc/loadavg", "re");
	int got = f && fscanf(f, "%lf", &load) == 1;
	if (f)
		fclose(f);
	if (rc == XAPI_OK && got)
		rc = sample(hc, call, "loadavg", load);
	double total, free_kib, reclaim;
	if (rc == XAPI_OK && read_meminfo(&total, &free_kib, &reclaim) == 0) {
		rc = sample(hc, call, "memory_total_kib", total);
		if (rc == XAPI_OK)
			rc = sample(hc, call, "memory_free_kib", free_kib);
		if (rc == XAPI_OK)
			rc = sample(hc, call, "memory_reclaimable_kib", reclaim);
	}
	return rc;
}

static const struct xapi_metrics_ops host_ops = {
	.size = sizeof(struct xapi_metrics_ops),
	.interval_ms = 5000,
	.collect = host_collect,
};

static const struct xapi_plugin_desc host_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_METRICS,
	.name = "host",
	.description = "The host's CPUs, load average and memory, from /proc",
	.vendor = "xapi-c",
	.copyright = "xapi-c authors",
	.version = "1.0",
	.fini = free,
	.ops = &host_ops,
};

static int host_init(const struct xapi_host *host, xapi_plugin_t *self,
		     const struct xapi_plugin_desc **d, void **st)
{
	if (!XAPI_CAN(host, struct xapi_host, ds_declare) ||
	    !XAPI_CAN(host, struct xapi_host, ds_sample)) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR, "this xapid has no data sources");
		return XAPI_E_UNSUPPORTED;
	}
	static double busy[MAX_CPUS + 1];
	int n = read_cpu_busy(busy, MAX_CPUS);
	if (n < 0) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR, "cannot read /proc/stat");
		return XAPI_E_FAILED;
	}
	for (int i = 0; i < n; i++) {
		char name[16], desc[48];
		snprintf(name, sizeof name, "cpu%d", i);
		snprintf(desc, sizeof desc, "Physical cpu usage for cpu %d", i);
		struct xapi_ds_desc ds = { sizeof ds, name, desc, "(fraction)", "host",
					   XAPI_DS_DERIVE, 0, 1, 1 };
		if (host->ds_declare(self, &ds) != XAPI_OK)
			return XAPI_E_FAILED;
	}
	for (size_t i = 0; i < sizeof fixed_ds / sizeof fixed_ds[0]; i++)
		if (host->ds_declare(self, &fixed_ds[i]) != XAPI_OK)
			return XAPI_E_FAILED;
	struct host_collector *hc = calloc(1, sizeof *hc);
	if (!hc)
		return XAPI_E_FAILED;
	hc->host = host;
	hc->self = self;
	hc->ncpus = n;
	*d = &host_desc;
	*st = hc;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(host_init)
