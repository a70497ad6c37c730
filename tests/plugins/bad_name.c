/* bad_name.c - a storage plugin whose name is not [a-z0-9_]+. */
#include "common.h"

static const struct xapi_sr_ops ops = { TEST_SR_OPS_MINIMAL };

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "Bad-Name",
	.description = "upper case and a dash",
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
