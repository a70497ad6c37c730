/* metrics_rrd.c - between the table of sources and the archives: a round's
 * values of an object into its archive (and the journal), and the rows an
 * /rrd_updates asks for out of it, as rrd_fetch gives them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"

/* The sampler's scratch (it alone archives, under the store lock). */
static struct {
	char **names;
	double *cmin, *cmax, *v;
	size_t cap;
} W;

static void grow(size_t n)
{
	if (n <= W.cap)
		return;
	W.names = realloc(W.names, n * sizeof *W.names);
	W.cmin = realloc(W.cmin, n * sizeof *W.cmin);
	W.cmax = realloc(W.cmax, n * sizeof *W.cmax);
	W.v = realloc(W.v, n * sizeof *W.v);
	if (!W.names || !W.cmin || !W.cmax || !W.v)
		abort();
	W.cap = n;
}

static bool same_columns(const xd_archive *a, size_t n)
{
	if (a->ncol != n)
		return false;
	for (size_t c = 0; c < n; c++)
		if (strcmp(a->cols[c], W.names[c]) != 0)
			return false;
	return true;
}

int xd_mrrd_update(xd_mobj *o, time_t t)
{
	grow(o->nds ? o->nds : 1);
	size_t n = 0;
	for (size_t i = 0; i < o->nds; i++) {
		const xd_ds *d = &o->ds[i];
		if (!d->enabled)
			continue;
		bool limited = isfinite(d->min) && isfinite(d->max) && d->min < d->max;
		W.names[n] = d->name;
		W.cmin[n] = limited ? d->min : NAN;
		W.cmax[n] = limited ? d->max : NAN;
		double v = d->fresh ? d->value : NAN;
		/* as rrdtool: a value outside the source's range is unknown */
		if (limited && (v < d->min || v > d->max))
			v = NAN;
		W.v[n++] = isfinite(v) ? v : NAN;
	}
	if (n == 0)
		return 0;
	if (!o->arch) {
		o->arch = xd_rra_new(n, W.names, W.cmin, W.cmax, (int64_t)t - XD_RRD_STEP);
		o->must_save = true;
	} else if (o->layout_changed && !same_columns(o->arch, n)) {
		xd_archive *a = xd_rra_relayout(o->arch, n, W.names, W.cmin, W.cmax);
		xd_rra_free(o->arch);
		o->arch = a;
		o->must_save = true;
	}
	o->layout_changed = false;
	if ((int64_t)t <= o->arch->last)
		return -1; /* a second round within one second */
	xd_rra_update(o->arch, (int64_t)t, W.v);
	xd_mdisk_journal_add(o, (int64_t)t, W.v);
	return 0;
}

void xd_mrrd_free_scratch(void)
{
	free(W.names);
	free(W.cmin);
	free(W.cmax);
	free(W.v);
	memset(&W, 0, sizeof W);
}

static int cf_index(const char *cf)
{
	for (int i = 0; i < XD_RRA_CFS; i++)
		if (!strcmp(xd_rra_cf_names[i], cf))
			return i;
	return -1;
}

int xd_mrrd_fetch(const xd_mobj *o, const char *cf, time_t start, time_t end,
		  unsigned long step, xd_mrrd_rows *out)
{
	memset(out, 0, sizeof *out);
	const xd_archive *a = o->arch;
	int k = cf_index(cf);
	if (!a || k < 0)
		return -1;
	unsigned L = xd_rra_pick(start, end, step ? step : XD_RRD_STEP);
	int64_t len = (int64_t)xd_rra_pdp_per_row[L] * XD_RRD_STEP;
	/* as rrd_fetch: start down and end up to the row length */
	int64_t s = (int64_t)start - (int64_t)start % len;
	int64_t e = (int64_t)end % len ? (int64_t)end - (int64_t)end % len + len : (int64_t)end;
	out->start = (time_t)s;
	out->end = (time_t)e;
	out->step = (unsigned long)len;
	out->cols = a->ncol;
	out->rows = e > s ? (unsigned long)((e - s) / len) : 0;
	out->names = calloc(a->ncol + 1, sizeof *out->names);
	size_t cells = out->rows * a->ncol;
	out->data = malloc((cells ? cells : 1) * sizeof(double));
	if (!out->names || !out->data)
		abort();
	for (size_t c = 0; c < a->ncol; c++) {
		out->names[c] = strdup(a->cols[c]);
		if (!out->names[c])
			abort();
	}
	for (unsigned long r = 0; r < out->rows; r++)
		xd_rra_row(a, L, (unsigned)k, s + (int64_t)(r + 1) * len, &out->data[r * a->ncol]);
	return 0;
}

void xd_mrrd_fetch_free(xd_mrrd_rows *r)
{
	for (unsigned long i = 0; r->names && i < r->cols; i++)
		free(r->names[i]);
	free(r->names);
	free(r->data);
	memset(r, 0, sizeof *r);
}
