/* old_minor.c - a storage driver built as an ABI 2.0 driver is: its
 * descriptor says 2.0 and its ops table ends after vdi_update (no
 * vdi_io, which 2.1 appended). It must still load, and its SRs simply have
 * no per-VDI I/O figures (tests/integration/test_metrics.py). Not
 * installed. */
#include <stddef.h>

#include "common.h"

static const struct xapi_host *H;

static int sr_create(void *st, xapi_call_t *call, const struct xapi_sr *sr, int64_t size,
		     unsigned flags)
{
	(void)st, (void)call, (void)sr, (void)size, (void)flags;
	return XAPI_OK;
}

static int vdi_create(void *st, xapi_call_t *call, const struct xapi_sr *sr,
		      const struct xapi_vdi_info *want, unsigned flags)
{
	(void)st, (void)sr, (void)flags;
	struct xapi_vdi_info v = *want;
	v.size = sizeof v;
	v.location = want->uuid;
	v.physical_utilisation = 0;
	return H->emit_vdi(call, &v);
}

static const struct xapi_sr_ops ops = {
	/* the 2.0 table: everything up to vdi_update */
	.size = offsetof(struct xapi_sr_ops, vdi_update) + sizeof(void *),
	.sr_attach = ok_sr_op,
	.sr_detach = ok_sr_op,
	.sr_scan = ok_sr_op,
	.sr_create = sr_create,
	.vdi_create = vdi_create,
};

static const char *const caps[] = { "VDI_CREATE", NULL };

static const struct xapi_plugin_desc the_desc = {
	.size = sizeof the_desc,
	.abi_version = (2u << 16) | 0u,
	.kind = XAPI_KIND_STORAGE,
	.name = "old_minor",
	.description = "An ABI 2.0 driver",
	.capabilities = caps,
	.ops = &ops,
};

static int init(const struct xapi_host *h, xapi_plugin_t *self, const struct xapi_plugin_desc **d,
		void **st)
{
	(void)self;
	H = h;
	*d = &the_desc;
	*st = NULL;
	return XAPI_OK;
}

XAPI_PLUGIN_DEFINE(init)
