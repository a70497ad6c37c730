/* xapi/metrics.h - metric collectors (XAPI_KIND_METRICS).
 *
 * A collector declares its data sources (host->ds_declare) in init or on
 * its first collect, then xapid calls collect every interval_ms; collect
 * reports values with host->ds_sample(call, name, owner_uuid, value). A
 * failing collect is retried with a growing delay; it never stops xapid.
 * collect returns XAPI_OK or a status of xapi/plugin.h, never a bare errno
 * (the same rules as storage ops; there is no client to answer, so a
 * failure and its xapi_fail message only reach xapid's log).
 */
#ifndef XAPI_METRICS_H
#define XAPI_METRICS_H 1

#include <stdint.h>

#include <xapi/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

struct xapi_metrics_ops {
	size_t size;                   /* sizeof(struct xapi_metrics_ops) */
	uint32_t interval_ms;          /* how often collect runs (e.g. 5000) */
	/* Samples every declared data source. Mandatory. */
	int (*collect)(void *st, xapi_call_t *call, unsigned flags);
	/* since 2.1: append here, never above */
};

#ifdef __cplusplus
}
#endif

#endif /* XAPI_METRICS_H */
