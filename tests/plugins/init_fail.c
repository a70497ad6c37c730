/* init_fail.c - a storage plugin whose init fails unless its plugins.d
 * file sets token = secret (which also tests that settings arrive). */
#include <string.h>

#include "common.h"

static const struct xapi_sr_ops ops = { TEST_SR_OPS_MINIMAL };

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "init_fail",
	.description = "Needs its token",
	.ops = &ops,
};

static int init(const struct xapi_host *h, xapi_plugin_t *self, const struct xapi_plugin_desc **d,
		void **st)
{
	const char *token = h->config_get(self, "token");
	if (!token || strcmp(token, "secret") != 0) {
		xapi_log(h, self, NULL, XAPI_LOG_ERROR, "setting token must be 'secret', not '%s'",
			 token ? token : "(unset)");
		return XAPI_E_INVALID;
	}
	*d = &the_desc;
	*st = NULL;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(init)
