/* metrics_rra.c - the round-robin archives of one object, in memory, with
 * rrdtool's arithmetic: a value holds from the previous update to its own
 * time; each completed step (a PDP) is the time-weighted average of the
 * values known in it; each level consolidates pdp_per_row PDPs into a row
 * of AVERAGE, MIN and MAX, unknown when more than half (xff 0.5) of them
 * were. Rows end on multiples of their length, as rrdtool's, so the rows of
 * every object line up in /rrd_updates.
 *
 * The archives were librrd's files first; librrd maps and unmaps a file
 * for every update and fetch, and at 1,000 VMs the unmapping alone missed
 * the targets by 10x and 40x (doc/performance.md): here an update is a few
 * additions per column, a fetch reads memory.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* xapi's layout: 5 s x 120 (10 min), 1 min x 120 (2 h), 1 h x 168 (a week),
 * 1 day x 366 (a year) */
const unsigned xd_rra_pdp_per_row[XD_RRA_LEVELS] = { 1, 12, 720, 17280 };
const unsigned xd_rra_rows[XD_RRA_LEVELS] = { 120, 120, 168, 366 };
const char *const xd_rra_cf_names[XD_RRA_CFS] = { "AVERAGE", "MIN", "MAX" };

#define STEP XD_RRD_STEP
#define HEARTBEAT (3 * STEP)       /* a value older than this is unknown */
#define XFF 0.5

enum { CDP_SUM, CDP_MIN, CDP_MAX, CDP_UNKNOWN, CDP_N };

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static void fill_nan(double *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = NAN;
}

uint64_t xd_rra_layout_hash(size_t ncol, char *const *names)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t c = 0; c < ncol; c++)
		for (const char *p = names[c];; p++) {
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
			if (!*p)
				break;
		}
	return h;
}

/* The row in progress of level L starts empty, with the PDPs of it that
 * went by before `last` counted unknown (rrdtool does the same). */
static void cdp_reset(xd_archive *a, unsigned L, size_t c, int64_t last)
{
	double *d = &a->lv[L].cdp[c * CDP_N];
	d[CDP_SUM] = 0;
	d[CDP_MIN] = INFINITY;
	d[CDP_MAX] = -INFINITY;
	d[CDP_UNKNOWN] = last >= 0 ? (double)((last / STEP) % xd_rra_pdp_per_row[L]) : 0;
}

xd_archive *xd_rra_new(size_t ncol, char *const *names, const double *cmin, const double *cmax,
		       int64_t last)
{
	xd_archive *a = zalloc(1, sizeof *a);
	a->ncol = ncol;
	a->cols = zalloc(ncol, sizeof *a->cols);
	a->cmin = zalloc(ncol, sizeof *a->cmin);
	a->cmax = zalloc(ncol, sizeof *a->cmax);
	a->pdp_sum = zalloc(ncol, sizeof *a->pdp_sum);
	a->pdp_known = zalloc(ncol, sizeof *a->pdp_known);
	a->scratch = zalloc(ncol, sizeof *a->scratch);
	for (size_t c = 0; c < ncol; c++) {
		a->cols[c] = strdup(names[c]);
		if (!a->cols[c])
			abort();
		a->cmin[c] = cmin ? cmin[c] : NAN;
		a->cmax[c] = cmax ? cmax[c] : NAN;
	}
	a->layout = xd_rra_layout_hash(ncol, names);
	a->last = last;
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
		a->lv[L].cur = xd_rra_rows[L] - 1;
		a->lv[L].cdp = zalloc(ncol * CDP_N, sizeof(double));
		a->lv[L].rows = zalloc((size_t)XD_RRA_CFS * xd_rra_rows[L] * ncol, sizeof(double));
		fill_nan(a->lv[L].rows, (size_t)XD_RRA_CFS * xd_rra_rows[L] * ncol);
		for (size_t c = 0; c < ncol; c++)
			cdp_reset(a, L, c, last);
	}
	return a;
}

void xd_rra_free(xd_archive *a)
{
	if (!a)
		return;
	for (size_t c = 0; c < a->ncol; c++)
		free(a->cols[c]);
	free(a->cols);
	free(a->cmin);
	free(a->cmax);
	free(a->pdp_sum);
	free(a->pdp_known);
	free(a->scratch);
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
		free(a->lv[L].cdp);
		free(a->lv[L].rows);
	}
	free(a);
}

static double *row_at(const xd_archive *a, unsigned L, unsigned cf, uint32_t r)
{
	return &a->lv[L].rows[((size_t)cf * xd_rra_rows[L] + r) * a->ncol];
}

xd_archive *xd_rra_relayout(const xd_archive *old, size_t ncol, char *const *names,
			    const double *cmin, const double *cmax)
{
	xd_archive *a = xd_rra_new(ncol, names, cmin, cmax, old->last);
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++)
		a->lv[L].cur = old->lv[L].cur;
	for (size_t c = 0; c < ncol; c++) {
		size_t o = 0;
		while (o < old->ncol && strcmp(old->cols[o], names[c]) != 0)
			o++;
		if (o == old->ncol)
			continue; /* a new column: unknown so far */
		a->pdp_sum[c] = old->pdp_sum[o];
		a->pdp_known[c] = old->pdp_known[o];
		for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
			memcpy(&a->lv[L].cdp[c * CDP_N], &old->lv[L].cdp[o * CDP_N],
			       CDP_N * sizeof(double));
			for (unsigned cf = 0; cf < XD_RRA_CFS; cf++)
				for (uint32_t r = 0; r < xd_rra_rows[L]; r++)
					row_at(a, L, cf, r)[c] = row_at(old, L, cf, r)[o];
		}
	}
	return a;
}

/* A PDP ending at time b (a->scratch, per column) into every level; the
 * levels whose row ends at b get it. */
static void push_pdp(xd_archive *a, int64_t b)
{
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
		unsigned ppr = xd_rra_pdp_per_row[L];
		xd_rra_level *lv = &a->lv[L];
		bool row_done = (b / STEP) % ppr == 0;
		if (row_done)
			lv->cur = (lv->cur + 1) % xd_rra_rows[L];
		for (size_t c = 0; c < a->ncol; c++) {
			double *d = &lv->cdp[c * CDP_N], v = a->scratch[c];
			if (isnan(v)) {
				d[CDP_UNKNOWN] += 1;
			} else {
				d[CDP_SUM] += v;
				d[CDP_MIN] = v < d[CDP_MIN] ? v : d[CDP_MIN];
				d[CDP_MAX] = v > d[CDP_MAX] ? v : d[CDP_MAX];
			}
			if (!row_done)
				continue;
			bool unknown = d[CDP_UNKNOWN] > ppr * XFF;
			double known = ppr - d[CDP_UNKNOWN];
			row_at(a, L, 0, lv->cur)[c] = unknown ? NAN : d[CDP_SUM] / known;
			row_at(a, L, 1, lv->cur)[c] = unknown ? NAN : d[CDP_MIN];
			row_at(a, L, 2, lv->cur)[c] = unknown ? NAN : d[CDP_MAX];
			cdp_reset(a, L, c, -1);
		}
	}
}

/* Every row of every level unknown, the archive as if made at `last`: a
 * gap longer than the archives hold. */
static void forget_all(xd_archive *a, int64_t last)
{
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
		fill_nan(a->lv[L].rows, (size_t)XD_RRA_CFS * xd_rra_rows[L] * a->ncol);
		for (size_t c = 0; c < a->ncol; c++)
			cdp_reset(a, L, c, last);
	}
	memset(a->pdp_sum, 0, a->ncol * sizeof(double));
	memset(a->pdp_known, 0, a->ncol * sizeof(double));
	a->last = last;
}

void xd_rra_update(xd_archive *a, int64_t t, const double *v)
{
	if (t <= a->last)
		return;
	int64_t span = (int64_t)xd_rra_rows[XD_RRA_LEVELS - 1] * xd_rra_pdp_per_row[XD_RRA_LEVELS - 1] * STEP;
	if (t - a->last > span)
		forget_all(a, t - STEP);
	/* a value after a silence longer than the heartbeat says nothing of it */
	bool known = t - a->last <= HEARTBEAT;
	int64_t cur = a->last;
	for (int64_t b = (cur / STEP + 1) * STEP; b <= t; cur = b, b += STEP) {
		for (size_t c = 0; c < a->ncol; c++) {
			if (known && !isnan(v[c])) {
				a->pdp_sum[c] += v[c] * (double)(b - cur);
				a->pdp_known[c] += (double)(b - cur);
			}
			a->scratch[c] = a->pdp_known[c] > 0 ? a->pdp_sum[c] / a->pdp_known[c] : NAN;
			a->pdp_sum[c] = a->pdp_known[c] = 0;
		}
		push_pdp(a, b);
	}
	for (size_t c = 0; known && c < a->ncol; c++)
		if (!isnan(v[c]) && t > cur) {
			a->pdp_sum[c] += v[c] * (double)(t - cur);
			a->pdp_known[c] += (double)(t - cur);
		}
	a->last = t;
}

unsigned xd_rra_pick(int64_t start, int64_t end, unsigned long step)
{
	unsigned best = XD_RRA_LEVELS - 1;
	long long best_diff = -1;
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
		long long len = (long long)xd_rra_pdp_per_row[L] * STEP;
		if (end - (int64_t)len * xd_rra_rows[L] > start)
			continue; /* does not reach back to start */
		long long diff = len > (long long)step ? len - (long long)step : (long long)step - len;
		if (best_diff < 0 || diff < best_diff) {
			best = L;
			best_diff = diff;
		}
	}
	return best;
}

int64_t xd_rra_newest(const xd_archive *a, unsigned L)
{
	int64_t len = (int64_t)xd_rra_pdp_per_row[L] * STEP;
	return a->last / len * len;
}

void xd_rra_row(const xd_archive *a, unsigned L, unsigned cf, int64_t t, double *out)
{
	int64_t len = (int64_t)xd_rra_pdp_per_row[L] * STEP, newest = xd_rra_newest(a, L);
	int64_t back = t <= newest && t % len == 0 ? (newest - t) / len : -1;
	if (back < 0 || back >= xd_rra_rows[L]) {
		fill_nan(out, a->ncol);
		return;
	}
	uint32_t r = (uint32_t)((a->lv[L].cur + xd_rra_rows[L] - (uint32_t)back) % xd_rra_rows[L]);
	memcpy(out, row_at(a, L, cf, r), a->ncol * sizeof(double));
}

double xd_rra_value(const xd_archive *a, unsigned L, unsigned cf, int64_t t, size_t c)
{
	int64_t len = (int64_t)xd_rra_pdp_per_row[L] * STEP, newest = xd_rra_newest(a, L);
	if (t > newest || t % len || c >= a->ncol)
		return NAN;
	int64_t back = (newest - t) / len;
	if (back >= xd_rra_rows[L])
		return NAN;
	uint32_t r = (uint32_t)((a->lv[L].cur + xd_rra_rows[L] - (uint32_t)back) % xd_rra_rows[L]);
	return row_at(a, L, cf, r)[c];
}
