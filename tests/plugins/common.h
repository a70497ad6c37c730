/* common.h - shared pieces of the deliberately broken test plugins: ops
 * that succeed and do nothing, and a descriptor builder. Not installed. */
#ifndef TEST_PLUGINS_COMMON_H
#define TEST_PLUGINS_COMMON_H

#include <xapi/plugin.h>

static inline int ok_sr_op(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	(void)st, (void)call, (void)sr, (void)flags;
	return XAPI_OK;
}

/* A minimal storage plugin: the three mandatory ops. */
#define TEST_SR_OPS_MINIMAL                                                      \
	.size = sizeof(struct xapi_sr_ops), .sr_attach = ok_sr_op, .sr_detach = ok_sr_op, \
	.sr_scan = ok_sr_op

#endif
