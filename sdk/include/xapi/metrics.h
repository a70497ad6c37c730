/* xapi/metrics.h - metric collectors (XAPI_KIND_METRICS).
 *
 * A collector declares its data sources (host->ds_declare) in init or on
 * its first collect, and collect, called every interval_ms, reports their
 * values with host->ds_sample(call, name, owner_uuid, value); owner_uuid is
 * the uuid of the object of the source's owner_class, or NULL for the host
 * xapid runs on. init runs in every worker process of the plugin (see
 * xapi/plugin.h), so a declaration is repeated: make it the same each time.
 *
 * xapid's metrics engine (doc/metrics.md) calls collect of every loaded
 * collector every 5 s, all of them at once, each in its worker with a
 * deadline of 80 % of the interval (interval_ms is informative: the engine
 * samples on its own 5 s step, as xapi's rrdd). What a collect reports
 * becomes the owner's data sources: owner_class "host" (owner_uuid NULL),
 * "VM" or "SR" (owner_uuid that object's uuid); "PIF" figures are the
 * host's, named pif_<device>_* as xapi's. A DERIVE source's counter becomes
 * a rate; GAUGE and ABSOLUTE values are archived as they come. Samples of a
 * collect that fails are dropped. Test a collector without xapid with the
 * mock host (xapi/mock.h), which records declarations and samples.
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
	/* since 2.2: append here, never above */
};

#ifdef __cplusplus
}
#endif

#endif /* XAPI_METRICS_H */
