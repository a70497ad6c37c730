/* metrics.h - the metrics engine: data sources, their sampling and their
 * round-robin history, as xapi's xcp-rrdd keeps them.
 *
 * A sampler thread runs every interval (5 s): it calls every loaded
 * metrics collector (plugins/metrics/<name>/, through the loader, each with a
 * deadline: a collector that crashes or hangs loses its own samples only),
 * reads the figures the core has itself (the VMs of the hypervisor backend,
 * the VDIs of attached SRs through their driver's vdi_io), turns counters
 * into rates, and archives each object's enabled sources in round-robin
 * archives of its own (in memory, AVERAGE, MIN and MAX at 5 s x 120,
 * 1 min x 120, 1 h x 168 and 1 day x 366), kept on disk under
 * <state_dir>/rrd/ as a file per host, VM and SR plus a journal of every
 * round, so that a crash loses at most the last one.
 *
 * Objects are named by kind ("host", "vm", "sr") and uuid.
 * Owns: the sampler thread, the table of data sources, the archives and
 * their files.
 */
#ifndef XD_METRICS_H
#define XD_METRICS_H

#include <stdbool.h>

#include "error.h"
#include "value.h"

typedef struct xd_metrics_config {
	const char *state_dir;         /* the RRDs go to <state_dir>/rrd */
	double interval_s;             /* sampling interval (5) */
} xd_metrics_config;

/* Starts the sampler thread and registers the HTTP paths (/rrd_updates,
 * /host_rrd, /vm_rrd, /sr_rrd): call before xd_http_start. */
int xd_metrics_start(const xd_metrics_config *cfg);
/* Stops the sampler after its round (the RRDs are complete on disk). */
void xd_metrics_stop(void);

/* The data sources of an object: a new XD_V_ARRAY of data_source records
 * (name_label, name_description, enabled, standard, units, min, max,
 * value), as host/VM/SR.get_data_sources return them. */
xd_value *xd_metrics_data_sources(const char *kind, const char *uuid);
/* The latest value of a source; -1 with INTERNAL_ERROR
 * ["Rrd.Invalid_data_source(...)"] as xapi when it has none. */
int xd_metrics_query(const char *kind, const char *uuid, const char *name, double *out,
		     xd_error *err);
/* Starts archiving a source that is not archived by default. */
int xd_metrics_record(const char *kind, const char *uuid, const char *name, xd_error *err);
/* Drops a source's history (archiving stops until it is recorded again). */
int xd_metrics_forget(const char *kind, const char *uuid, const char *name, xd_error *err);
/* The object is gone: its sources and its RRD file with it. */
void xd_metrics_forget_object(const char *kind, const char *uuid);

#endif
