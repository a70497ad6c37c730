/* dup.c - a valid storage plugin named "dup". Two plugins.d files that
 * both load it make a duplicate name: the second is refused. */
#include "common.h"

static const struct xapi_sr_ops ops = { TEST_SR_OPS_MINIMAL };

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "dup",
	.description = "Duplicate test driver",
	.vendor = "xapi-c tests",
	.version = "1.0",
	.ops = &ops,
};

static int init(const struct xapi_host *h, xapi_plugin_t *self, const struct xapi_plugin_desc **d,
		void **st)
{
	*d = &the_desc;
	*st = NULL;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(init)
