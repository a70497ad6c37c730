/* xapi/metrics.h - metric collectors (XAPI_KIND_METRICS).
 *
 * A collector declares its data sources (host->ds_declare) in init or on
 * its first collect, and collect, called every interval_ms, reports their
 * values with host->ds_sample(call, name, owner_uuid, value); owner_uuid is
 * the uuid of the object of the source's owner_class, or NULL for the host
 * xapid runs on. init runs in every worker process of the plugin (see
 * xapi/plugin.h), so a declaration is repeated: make it the same each time.
 *
 * Status in this release: xapid loads a collector as any plugin (a worker
 * process of its own, init, the checks: collect must be set, or it is
 * refused with one log line) and logs its declarations at debug level, but
 * does not call collect yet: the metrics engine that will (core/metrics/,
 * doc/architecture.md) is not written. Test a collector with the mock host
 * (xapi/mock.h), which records declarations and samples.
 *
 * Failures. collect returns XAPI_OK, or fails with xapi_fail() saying why
 * (a bare negative status carries no reason; a bare errno is a driver bug,
 * as for storage ops). As for every kind, a crash,
 * exit() or hang (plugin_timeout) fails that collect only, never xapid: the
 * worker is started again, with init, for the next one, and a crash logs a
 * backtrace. collect is a short periodic read: keep it well under
 * interval_ms, keep no state that a new worker could not rebuild (a DERIVE
 * source reports the raw counter, not a rate of its own), and expect no
 * cancellation (host->cancelled() answers 0: no task waits on a collect).
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
