/* bad_abi.c - a storage plugin that says it was built for ABI 1.0 (whose
 * statuses and snapshot/clone ops differ from ABI 2's): the loader must
 * refuse it, naming both versions. */
#include "common.h"

static const struct xapi_sr_ops ops = { TEST_SR_OPS_MINIMAL };

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = (1u << 16) | 0u,
	.kind = XAPI_KIND_STORAGE,
	.name = "bad_abi",
	.description = "built for another ABI major",
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
