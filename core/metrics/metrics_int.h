/* metrics_int.h - what the files of the metrics engine share (internal):
 * metrics_store.c (the table of objects and data sources, rates, the
 * data-source API), metrics_rra.c (the round-robin archives in memory),
 * metrics_disk.c (their files), metrics_dump.c (rrdtool's dump XML),
 * metrics_rrd.c (archiving and reading rows), metrics_sampler.c (the
 * thread and the core's own sources), metrics_http.c (the HTTP paths),
 * metrics_alarm.c (perfmon). */
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
	bool owned_by_core;            /* the core samples it (the network's
	                                  pif_* / vif_*): a collector's sample
	                                  of that name is dropped */
} xd_ds;

/* The round-robin archives of one object (metrics_rra.c): xapi's layout,
 * step XD_RRD_STEP; level L keeps rows of pdp_per_row[L] steps for each of
 * AVERAGE, MIN, MAX. Columns are the object's archived sources, by name. */
#define XD_RRA_LEVELS 4
#define XD_RRA_CFS 3               /* AVERAGE, MIN, MAX, in that order */
typedef struct xd_rra_level {
	uint32_t cur;                  /* ring index of the newest row */
	double *cdp;                   /* per column: sum, min, max, unknown PDPs of the row in progress */
	double *rows;                  /* [cf][row][column] */
} xd_rra_level;

typedef struct xd_archive {
	size_t ncol;
	char **cols;                   /* the xapi names of the columns */
	double *cmin, *cmax;           /* per column: values outside are unknown (NaN: no limit) */
	uint64_t layout;               /* hash of the column names (the journal's check) */
	int64_t last;                  /* time of the last update */
	double *pdp_sum, *pdp_known;   /* per column: the step in progress (value x s, s) */
	double *scratch;               /* per column: one PDP being consolidated */
	xd_rra_level lv[XD_RRA_LEVELS];
} xd_archive;

extern const unsigned xd_rra_pdp_per_row[XD_RRA_LEVELS];
extern const unsigned xd_rra_rows[XD_RRA_LEVELS];
extern const char *const xd_rra_cf_names[XD_RRA_CFS];

typedef struct xd_mobj {
	char kind[8];                  /* "host" "vm" "sr" */
	char uuid[40];
	xd_ds *ds;
	size_t nds;
	bool layout_changed;           /* the enabled set changed: archive to re-lay */
	bool seen;                     /* sampled in this round */
	xd_archive *arch;              /* its history, NULL before the first round */
	bool must_save;                /* new or re-laid archive: written at this round's end */
	int64_t saved_at;              /* time of the round its file holds */
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

/* metrics_rra.c -- the archives in memory (no locking: the caller holds
 * the store lock) */
/* New archive of ncol columns (names and limits copied), no history, as
 * if last updated at `last`. */
xd_archive *xd_rra_new(size_t ncol, char *const *names, const double *cmin, const double *cmax,
		       int64_t last);
/* The same history for another set of columns: kept columns keep their
 * rows, new ones start unknown. */
xd_archive *xd_rra_relayout(const xd_archive *old, size_t ncol, char *const *names,
			    const double *cmin, const double *cmax);
void xd_rra_free(xd_archive *a);
/* The values (per column, NaN unknown) at time t, as rrdtool update: each
 * holds from the last update to t; steps completed are consolidated. A t
 * not after the last update is ignored. */
void xd_rra_update(xd_archive *a, int64_t t, const double *v);
/* The level a fetch of [start, end] at about `step` seconds reads, as
 * rrd_fetch chooses: among the levels that reach back to start, the step
 * nearest; if none does, the longest. */
unsigned xd_rra_pick(int64_t start, int64_t end, unsigned long step);
/* The value of column c in the row of level L and cf ending at time t
 * (a multiple of the level's step), NaN if the ring does not hold it. */
double xd_rra_value(const xd_archive *a, unsigned L, unsigned cf, int64_t t, size_t c);
/* The whole row (every column) of level L and cf ending at t into out. */
void xd_rra_row(const xd_archive *a, unsigned L, unsigned cf, int64_t t, double *out);
/* The time of the newest row of level L. */
int64_t xd_rra_newest(const xd_archive *a, unsigned L);
uint64_t xd_rra_layout_hash(size_t ncol, char *const *names);

/* metrics_disk.c -- the files: <dir>/<kind>-<uuid>.rrd per object (its
 * sources and archive, written whole and atomically) and journal-<n> (every
 * round's values, appended; replayed at start over the object files) */
void xd_mdisk_init(const char *dir);
/* Loads the objects' files and replays the journal into the store (before
 * the sampler starts). */
void xd_mdisk_load(void);
/* This round's values of o (under the store lock): into the journal. */
void xd_mdisk_journal_add(xd_mobj *o, int64_t t, const double *v);
/* The round is over: the journal is written, the files due are (the
 * sampler thread, without the store lock). all: every object (at stop). */
void xd_mdisk_round_end(int64_t t, bool all);
void xd_mdisk_remove(const char *kind, const char *uuid);
void xd_mdisk_shutdown(void);

/* metrics_dump.c -- rrdtool dump XML of o's archive into sb (store lock
 * held); -1 if it has none. */
int xd_mdump(const xd_mobj *o, xd_strbuf *sb);

/* metrics_rrd.c -- what the sampler and the HTTP paths call (store lock
 * held) */
/* Archives the round's values of o's enabled sources at time t, re-laying
 * the archive when the set of sources changed (history kept). */
int xd_mrrd_update(xd_mobj *o, time_t t);
/* The rows of cf at the level that fits [start, end] at step, as
 * rrd_fetch: rows from start + step to end (step-aligned), oldest first,
 * *cols values each, the xapi names of the columns in *names. -1 when o
 * has no archive. */
typedef struct xd_mrrd_rows {
	time_t start, end;
	unsigned long step, cols, rows;
	char **names;
	double *data;
} xd_mrrd_rows;
int xd_mrrd_fetch(const xd_mobj *o, const char *cf, time_t start, time_t end,
		  unsigned long step, xd_mrrd_rows *out);
void xd_mrrd_fetch_free(xd_mrrd_rows *r);
void xd_mrrd_free_scratch(void);

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
