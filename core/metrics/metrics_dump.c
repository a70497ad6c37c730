/* metrics_dump.c - an object's archive as rrdtool's dump XML (what
 * /host_rrd, /vm_rrd and /sr_rrd serve, as xapi's do): `rrdtool restore`
 * makes an RRD file of it with the same sources, archives and rows. Column
 * names are the sources' rrdtool names (xd_ds.rrd_name: rrdtool allows 19
 * characters of [A-Za-z0-9_]). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics_int.h"

static void num(xd_strbuf *sb, double v)
{
	if (isnan(v) || isinf(v))
		xd_strbuf_puts(sb, "NaN");
	else
		xd_strbuf_printf(sb, "%.10e", v);
}

static const char *rrd_name(const xd_mobj *o, const char *name)
{
	for (size_t i = 0; i < o->nds; i++)
		if (!strcmp(o->ds[i].name, name))
			return o->ds[i].rrd_name;
	return name;
}

static void ds_part(xd_strbuf *sb, const xd_mobj *o, const xd_archive *a, size_t c)
{
	int64_t in_step = a->last % XD_RRD_STEP;
	long unknown = (long)(in_step - (int64_t)a->pdp_known[c]);
	xd_strbuf_printf(sb, "\t<ds>\n\t\t<name> %s </name>\n\t\t<type> GAUGE </type>\n"
			 "\t\t<minimal_heartbeat>%d</minimal_heartbeat>\n\t\t<min>",
			 rrd_name(o, a->cols[c]), 3 * XD_RRD_STEP);
	num(sb, a->cmin[c]);
	xd_strbuf_puts(sb, "</min>\n\t\t<max>");
	num(sb, a->cmax[c]);
	xd_strbuf_puts(sb, "</max>\n\t\t<last_ds>U</last_ds>\n\t\t<value>");
	num(sb, a->pdp_sum[c]);
	xd_strbuf_printf(sb, "</value>\n\t\t<unknown_sec> %ld </unknown_sec>\n\t</ds>\n",
			 unknown > 0 ? unknown : 0);
}

static void rra_part(xd_strbuf *sb, const xd_archive *a, unsigned L, unsigned cf)
{
	unsigned rows = xd_rra_rows[L];
	int64_t len = (int64_t)xd_rra_pdp_per_row[L] * XD_RRD_STEP, newest = xd_rra_newest(a, L);
	xd_strbuf_printf(sb, "\t<rra>\n\t\t<cf>%s</cf>\n\t\t<pdp_per_row>%u</pdp_per_row>\n"
			 "\t\t<params>\n\t\t<xff>5.0000000000e-01</xff>\n\t\t</params>\n"
			 "\t\t<cdp_prep>\n", xd_rra_cf_names[cf], xd_rra_pdp_per_row[L]);
	for (size_t c = 0; c < a->ncol; c++) {
		const double *d = &a->lv[L].cdp[c * 4];
		/* rrdtool keeps the running sum (AVERAGE), minimum or maximum */
		double v = cf == 0 ? d[0] : cf == 1 ? d[1] : d[2];
		if (d[3] >= xd_rra_pdp_per_row[L] || (cf && isinf(v)))
			v = NAN;
		xd_strbuf_puts(sb, "\t\t\t<ds>\n\t\t\t<primary_value>0.0000000000e+00</primary_value>\n"
				   "\t\t\t<secondary_value>0.0000000000e+00</secondary_value>\n"
				   "\t\t\t<value>");
		num(sb, v);
		xd_strbuf_printf(sb, "</value>\n\t\t\t<unknown_datapoints>%.0f</unknown_datapoints>\n"
				 "\t\t\t</ds>\n", d[3]);
	}
	xd_strbuf_puts(sb, "\t\t</cdp_prep>\n\t\t<database>\n");
	/* oldest first */
	for (unsigned back = rows; back-- > 0;) {
		int64_t t = newest - (int64_t)back * len;
		xd_strbuf_printf(sb, "\t\t\t<!-- %" PRId64 " --> <row>", t);
		for (size_t c = 0; c < a->ncol; c++) {
			xd_strbuf_puts(sb, "<v>");
			num(sb, xd_rra_value(a, L, cf, t, c));
			xd_strbuf_puts(sb, "</v>");
		}
		xd_strbuf_puts(sb, "</row>\n");
	}
	xd_strbuf_puts(sb, "\t\t</database>\n\t</rra>\n");
}

int xd_mdump(const xd_mobj *o, xd_strbuf *sb)
{
	const xd_archive *a = o ? o->arch : NULL;
	if (!a)
		return -1;
	xd_strbuf_printf(sb, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
			 "<!DOCTYPE rrd SYSTEM \"https://oss.oetiker.ch/rrdtool/rrdtool.dtd\">\n"
			 "<!-- Round Robin Database Dump -->\n<rrd>\n\t<version>0003</version>\n"
			 "\t<step>%d</step> <!-- Seconds -->\n\t<lastupdate>%" PRId64
			 "</lastupdate>\n\n", XD_RRD_STEP, a->last);
	for (size_t c = 0; c < a->ncol; c++)
		ds_part(sb, o, a, c);
	xd_strbuf_puts(sb, "\n\t<!-- Round Robin Archives -->\n");
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++)
		for (unsigned cf = 0; cf < XD_RRA_CFS; cf++)
			rra_part(sb, a, L, cf);
	xd_strbuf_puts(sb, "</rrd>\n");
	return 0;
}
