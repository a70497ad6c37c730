/* metrics_int.h - what the files of the metrics engine share (internal):
 * metrics_store.c (the table of objects and data sources, rates, the
 * data-source API), metrics_rrd.c (librrd), metrics_sampler.c (the thread
 * and the core's own sources), metrics_http.c (the HTTP paths). */
#ifndef XD_METRICS_INT_H
#define XD_METRICS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "metrics.h"
#include "strbuf.h"

#define XD_RRD_STEP 5            /* seconds per primary data point */
#define XD_RRD_NAME_MAX 19       /* rrdtool's limit for a DS name */

/* How a sample becomes the value archived. */
typedef enum { XD_DS_GAUGE = 0, XD_DS_DERIVE = 1, XD_DS_ABSOLUTE = 2 } xd_ds_kind;

typedef struct xd_ds {
	char *name;                    /* xapi's name: "cpu0", "memory_internal_free"... */
	char rrd_name[XD_RRD_NAME_MAX + 1]; /* its name in the RRD file */
	char *description, *units;
	double min, max;
	xd_ds_kind kind;
	bool standard;                 /* archived by default */
	bool enabled;                  /* archived now */
	double value;                  /* latest value (a rate for DERIVE), NAN none */
	double raw, raw_t;             /* DERIVE: the last counter and its time */
	bool have_raw;
	bool fresh;                    /* sampled in this round */
} xd_ds;

typedef struct xd_mobj {
	char kind[8];                  /* "host" "vm" "sr" */
	char uuid[40];
	xd_ds *ds;
	size_t nds;
	bool layout_changed;           /* the enabled set changed: file to re-create */
	bool seen;                     /* sampled in this round */
} xd_mobj;

/* metrics_store.c -- everything under xd_mstore_lock() */
void xd_mstore_lock(void);
void xd_mstore_unlock(void);
xd_mobj *xd_mstore_obj(const char *kind, const char *uuid, bool create);
/* The source of obj, declared with these facts if new (a repeated
 * declaration changes nothing). */
xd_ds *xd_mstore_declare(xd_mobj *o, const char *name, const char *description,
			 const char *units, xd_ds_kind kind, double min, double max, bool standard);
xd_ds *xd_mstore_find(xd_mobj *o, const char *name);
/* A sample at time t: the value (gauge), or a counter (derive: the rate
 * since the last one; the first, or one that went back, gives none). */
void xd_mstore_sample(xd_ds *d, double v, double t);
/* Every object, for the sampler and the HTTP paths (the pointers are valid
 * under the lock). */
xd_mobj **xd_mstore_all(size_t *n);
void xd_mstore_shutdown(void);

/* metrics_rrd.c -- librrd calls are serialised inside */
void xd_mrrd_init(const char *dir);
/* <dir>/<kind>-<uuid>.rrd */
void xd_mrrd_path(const char *kind, const char *uuid, char *out, size_t n);
/* Writes the round's values of o's enabled sources at time t, (re)creating
 * the file when the set of sources changed (history kept). Under the store
 * lock. 0 or -1 (logged). */
int xd_mrrd_update(xd_mobj *o, time_t t);
/* The rows of the archive of cf that best fits [start, end] at step:
 * *rows x *cols values (row-major, oldest first), names of the columns in
 * the file (*names, NULL-terminated); the caller frees with
 * xd_mrrd_fetch_free. -1 when the file has none. */
typedef struct xd_mrrd_rows {
	time_t start, end;
	unsigned long step, cols, rows;
	char **names;
	double *data;
} xd_mrrd_rows;
int xd_mrrd_fetch(const char *kind, const char *uuid, const char *cf, time_t start,
		  time_t end, unsigned long step, xd_mrrd_rows *out);
void xd_mrrd_fetch_free(xd_mrrd_rows *r);
/* rrdtool dump XML of the object's file into sb; -1 if it has none. */
int xd_mrrd_dump(const char *kind, const char *uuid, xd_strbuf *sb);
/* The archive of the object (or of one source) is removed. */
void xd_mrrd_remove(const char *kind, const char *uuid);
/* The xapi name of a column of o's file (its rrd name if unknown). */
const char *xd_mrrd_logical(xd_mobj *o, const char *rrd_name);

/* metrics_sampler.c */
double xd_metrics_interval(void);
/* The time of the last round archived (0 before the first). */
time_t xd_metrics_last_round(void);

/* metrics_alarm.c: the perfmon alarms of this round (sampler thread only) */
void xd_metrics_alarms_check(double now);
void xd_metrics_alarms_free(void);

/* metrics_http.c */
void xd_metrics_http_register(void);

#endif
