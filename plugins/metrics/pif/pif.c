/* pif.c - the `pif` metric collector: bytes, packets and errors received
 * and sent by each of the host's network interfaces, as xapi's
 * pif_<device>_rx / _tx (bytes per second) with _rx_packets, _tx_packets,
 * _rx_errors and _tx_errors. Counters are reported raw (DERIVE): xapid
 * makes the rates. Which interfaces: list_interfaces() below, the one seam
 * that changes when PIF objects exist (it will name the PIFs' devices);
 * until then every interface of the host's network namespace but the ones
 * the setting `exclude` lists (space-separated; default "lo"). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xapi/plugin.h>

#define MAX_IFS 256
#define NFIELDS 6

struct pif_collector {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

/* One interface's counters, from /proc/net/dev (the kernel's netlink
 * IFLA_STATS64 counters, as text). */
struct if_counters {
	char name[32];
	double v[NFIELDS];   /* rx bytes, tx bytes, rx packets, tx packets, rx errs, tx errs */
};

static const struct {
	const char *suffix, *desc, *units;
} fields[NFIELDS] = {
	{ "rx", "Bytes per second received", "B/s" },
	{ "tx", "Bytes per second sent", "B/s" },
	{ "rx_packets", "Packets per second received", "packets/s" },
	{ "tx_packets", "Packets per second sent", "packets/s" },
	{ "rx_errors", "Receive errors per second", "errors/s" },
	{ "tx_errors", "Send errors per second", "errors/s" },
};

static bool excluded(const char *exclude, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = exclude; p && *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
	}
	return false;
}

/* The seam: the interfaces to report and their counters. */
static int list_interfaces(const char *exclude, struct if_counters *out, int max)
{
	FILE *f = fopen("/proc/net/dev", "re");
	if (!f)
		return -1;
	char line[512];
	int n = 0;
	while (n < max && fgets(line, sizeof line, f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue; /* the two header lines */
		*colon = 0;
		char *name = line;
		while (*name == ' ')
			name++;
		unsigned long long rb, rp, re, rd, rfi, rfr, rc, rm, tb, tp, te;
		if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &rb,
			   &rp, &re, &rd, &rfi, &rfr, &rc, &rm, &tb, &tp, &te) != 11 ||
		    excluded(exclude, name) || strlen(name) >= sizeof out[n].name)
			continue;
		snprintf(out[n].name, sizeof out[n].name, "%s", name);
		double v[NFIELDS] = { (double)rb, (double)tb, (double)rp, (double)tp, (double)re,
				      (double)te };
		memcpy(out[n].v, v, sizeof v);
		n++;
	}
	fclose(f);
	return n;
}

static const char *exclude_of(struct pif_collector *pc)
{
	const char *e = pc->host->config_get(pc->self, "exclude");
	return e ? e : "lo";
}

/* Declares the sources of one interface (repeating is harmless). */
static int declare(struct pif_collector *pc, const char *dev)
{
	for (int k = 0; k < NFIELDS; k++) {
		char name[64], desc[96];
		snprintf(name, sizeof name, "pif_%.31s_%s", dev, fields[k].suffix);
		snprintf(desc, sizeof desc, "%s on %.31s", fields[k].desc, dev);
		struct xapi_ds_desc ds = { sizeof ds, name, desc, fields[k].units, "host",
					   XAPI_DS_DERIVE, 0, 1e12, 1 };
		if (pc->host->ds_declare(pc->self, &ds) != XAPI_OK)
			return XAPI_E_FAILED;
	}
	return XAPI_OK;
}

static int pif_collect(void *st, xapi_call_t *call, unsigned flags)
{
	struct pif_collector *pc = st;
	XAPI_CHECK_FLAGS(pc->host, call, flags, 0);
	static struct if_counters ifs[MAX_IFS];
	int n = list_interfaces(exclude_of(pc), ifs, MAX_IFS);
	if (n < 0)
		return xapi_fail(pc->host, call, NULL, 1, "cannot read /proc/net/dev");
	for (int i = 0; i < n; i++) {
		/* an interface that appeared since init is declared now */
		if (declare(pc, ifs[i].name) != XAPI_OK)
			return xapi_fail(pc->host, call, NULL, 1, "cannot declare %s", ifs[i].name);
		for (int k = 0; k < NFIELDS; k++) {
			char name[64];
			snprintf(name, sizeof name, "pif_%.31s_%s", ifs[i].name, fields[k].suffix);
			if (pc->host->ds_sample(call, name, NULL, ifs[i].v[k]) != XAPI_OK)
				return xapi_fail(pc->host, call, NULL, 1, "cannot report %s", name);
		}
	}
	return XAPI_OK;
}

static const struct xapi_metrics_ops pif_ops = {
	.size = sizeof(struct xapi_metrics_ops),
	.interval_ms = 5000,
	.collect = pif_collect,
};

static const struct xapi_config_key pif_config[] = {
	{ "exclude", "interfaces not to report, space-separated (default: lo)", 0 },
	{ NULL, NULL, 0 },
};

static const struct xapi_plugin_desc pif_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_METRICS,
	.name = "pif",
	.description = "Bytes, packets and errors of the host's network interfaces",
	.vendor = "xapi-c",
	.copyright = "xapi-c authors",
	.version = "1.0",
	.config = pif_config,
	.fini = free,
	.ops = &pif_ops,
};

static int pif_init(const struct xapi_host *host, xapi_plugin_t *self,
		    const struct xapi_plugin_desc **d, void **st)
{
	if (!XAPI_CAN(host, struct xapi_host, ds_declare) ||
	    !XAPI_CAN(host, struct xapi_host, ds_sample)) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR, "this xapid has no data sources");
		return XAPI_E_UNSUPPORTED;
	}
	struct pif_collector *pc = calloc(1, sizeof *pc);
	if (!pc)
		return XAPI_E_FAILED;
	pc->host = host;
	pc->self = self;
	static struct if_counters ifs[MAX_IFS];
	int n = list_interfaces(exclude_of(pc), ifs, MAX_IFS);
	for (int i = 0; i < n; i++)
		if (declare(pc, ifs[i].name) != XAPI_OK) {
			free(pc);
			return XAPI_E_FAILED;
		}
	*d = &pif_desc;
	*st = pc;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(pif_init)
