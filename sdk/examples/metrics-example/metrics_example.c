/* metrics_example.c - the smallest metric collector for xapi-c:
 * "metrics_example" samples the host's 1-minute load average every 5 s as
 * the data source "example_loadavg" of the host. init declares it (init
 * runs again in every worker process xapid starts); xapid's metrics engine
 * calls collect every 5 s and archives what it reports (doc/metrics.md,
 * /rrd_updates). Built out of tree with the Makefile next to this file;
 * `make check` runs test_metrics_example.c with the SDK's mock host. */
#include <stdio.h>
#include <stdlib.h>

#include <xapi/plugin.h>

struct metrics_example {
	const struct xapi_host *host;
	xapi_plugin_t *self;
};

static const struct xapi_ds_desc loadavg_ds = {
	.size = sizeof(struct xapi_ds_desc),
	.name = "example_loadavg",
	.description = "1-minute load average (from the example collector)",
	.units = "(load)",
	.owner_class = "host",
	.type = XAPI_DS_GAUGE,
	.min = 0,
	.max = 1e6,
	.enabled_by_default = 1,
};

static int metrics_example_collect(void *st, xapi_call_t *call, unsigned flags)
{
	struct metrics_example *me = st;
	XAPI_CHECK_FLAGS(me->host, call, flags, 0);
	double load = 0;
	FILE *f = fopen("/proc/loadavg", "re");
	int got = f && fscanf(f, "%lf", &load) == 1;
	if (f)
		fclose(f);
	if (!got)
		return xapi_fail(me->host, call, NULL, 1, "cannot read /proc/loadavg");
	/* owner NULL: the host this xapid runs */
	int rc = me->host->ds_sample(call, loadavg_ds.name, NULL, load);
	if (rc != XAPI_OK)
		return xapi_fail(me->host, call, NULL, 1, "cannot report %s: status %d",
				 loadavg_ds.name, rc);
	return XAPI_OK;
}

static const struct xapi_metrics_ops metrics_example_ops = {
	.size = sizeof(struct xapi_metrics_ops),
	.interval_ms = 5000,
	.collect = metrics_example_collect,
};

static const struct xapi_plugin_desc metrics_example_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_METRICS,
	.name = "metrics_example",
	.description = "Example metric collector: the host's load average",
	.vendor = "Example Vendor",
	.copyright = "(C) Example Vendor, public domain",
	.version = "1.0",
	.fini = free,
	.ops = &metrics_example_ops,
};

static int metrics_example_init(const struct xapi_host *host, xapi_plugin_t *self,
				const struct xapi_plugin_desc **d, void **st)
{
	/* a refusal says why: the line is the operator's only clue */
	if (!XAPI_CAN(host, struct xapi_host, ds_declare) ||
	    !XAPI_CAN(host, struct xapi_host, ds_sample)) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR, "this xapid has no data sources");
		return XAPI_E_UNSUPPORTED;
	}
	/* init runs in every worker process xapid starts for the plugin: a
	 * declaration must be safe to repeat (it is: same name, same facts) */
	int rc = host->ds_declare(self, &loadavg_ds);
	if (rc != XAPI_OK) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR, "cannot declare %s: status %d",
			 loadavg_ds.name, rc);
		return rc;
	}
	struct metrics_example *me = calloc(1, sizeof(*me));
	if (!me)
		return XAPI_E_FAILED;
	me->host = host;
	me->self = self;
	*d = &metrics_example_desc;
	*st = me;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(metrics_example_init)
