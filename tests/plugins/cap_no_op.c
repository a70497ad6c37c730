/* cap_no_op.c - a storage plugin that claims VDI_SNAPSHOT without a
 * vdi_snapshot op. */
#include "common.h"

static const struct xapi_sr_ops ops = { TEST_SR_OPS_MINIMAL };

static const char *const caps[] = { "SR_SCAN", "VDI_SNAPSHOT", NULL };

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "cap_no_op",
	.description = "claims more than it does",
	.capabilities = caps,
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
