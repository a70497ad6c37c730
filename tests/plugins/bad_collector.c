/* bad_collector.c - a metric collector that misbehaves on demand: each
 * collect reads the file named by its setting `mode_file` and does what it
 * says: "ok" (samples bad_collector_value = 42 for the host), "crash"
 * (SIGSEGV), "hang" (sleeps forever), "fail" (xapi_fail). For the tests
 * that one collector's trouble costs nobody else's samples. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const struct xapi_host *H;
static xapi_plugin_t *SELF;

static const struct xapi_ds_desc value_ds = {
	sizeof(struct xapi_ds_desc), "bad_collector_value", "42 when all is well", "(count)",
	"host", XAPI_DS_GAUGE, 0, 1000, 1,
};

static int collect(void *st, xapi_call_t *call, unsigned flags)
{
	(void)st;
	(void)flags;
	char mode[32] = "ok";
	const char *path = H->config_get(SELF, "mode_file");
	FILE *f = path ? fopen(path, "re") : NULL;
	if (f) {
		if (!fgets(mode, sizeof mode, f))
			strcpy(mode, "ok");
		fclose(f);
	}
	mode[strcspn(mode, "\n")] = 0;
	if (!strcmp(mode, "crash"))
		raise(SIGSEGV);
	if (!strcmp(mode, "hang"))
		for (;;)
			pause();
	if (!strcmp(mode, "fail"))
		return xapi_fail(H, call, NULL, 1, "told to fail");
	return H->ds_sample(call, value_ds.name, NULL, 42);
}

static const struct xapi_metrics_ops ops = {
	.size = sizeof ops,
	.interval_ms = 5000,
	.collect = collect,
};

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_METRICS,
	.name = "bad_collector",
	.description = "Misbehaves on demand",
	.ops = &ops,
};

static int init(const struct xapi_host *h, xapi_plugin_t *self, const struct xapi_plugin_desc **d,
		void **st)
{
	H = h;
	SELF = self;
	h->ds_declare(self, &value_ds);
	*d = &the_desc;
	*st = NULL;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(init)
