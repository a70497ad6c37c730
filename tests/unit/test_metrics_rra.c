/* test_metrics_rra.c - the round-robin arithmetic of core/metrics/metrics_rra.c
 * against what rrdtool computes for the same updates (time-weighted PDPs,
 * AVERAGE/MIN/MAX rows, xff 0.5, heartbeat), re-laying columns and the
 * level a fetch reads. */
#include <math.h>
#include <stdlib.h>

#include "metrics/metrics_int.h"
#include "tap.h"

static char *names1[] = { "memory" };
static char *names2[] = { "memory", "cpu0" };

static double v_at(const xd_archive *a, unsigned L, unsigned cf, int64_t t, size_t c)
{
	return xd_rra_value(a, L, cf, t, c);
}

static void time_weighted(void)
{
	/* rrdtool create --start 1000000002 --step 5; update 1000000007:5 1000000012:6
	 * gives 5 at ...05 and 5.6 at ...10 (2 s of 5, 3 s of 6) */
	xd_archive *a = xd_rra_new(1, names1, NULL, NULL, 1000000002);
	double v = 5;
	xd_rra_update(a, 1000000007, &v);
	v = 6;
	xd_rra_update(a, 1000000012, &v);
	ok(fabs(v_at(a, 0, 0, 1000000005, 0) - 5.0) < 1e-12, "the first PDP: 5");
	ok(fabs(v_at(a, 0, 0, 1000000010, 0) - 5.6) < 1e-12, "a PDP of two values, time-weighted: 5.6");
	ok(isnan(v_at(a, 0, 0, 1000000015, 0)), "the step in progress has no row yet");
	ok(isnan(v_at(a, 0, 0, 1000000000, 0)), "before the first update: unknown");
	is_int(xd_rra_newest(a, 0), 1000000010, "the newest 5 s row");
	v = 7;
	xd_rra_update(a, 1000000012, &v);
	ok(fabs(v_at(a, 0, 0, 1000000010, 0) - 5.6) < 1e-12, "an update not after the last is ignored");
	xd_rra_free(a);
}

static void consolidation(void)
{
	/* one minute aligned: 1..12, then a minute with 7 unknown PDPs, then
	 * one with 6 */
	int64_t t0 = 1200000000; /* a multiple of 60 */
	xd_archive *a = xd_rra_new(1, names1, NULL, NULL, t0);
	for (int i = 1; i <= 12; i++) {
		double v = i;
		xd_rra_update(a, t0 + 5 * i, &v);
	}
	ok(fabs(v_at(a, 1, 0, t0 + 60, 0) - 6.5) < 1e-12, "1 min AVERAGE of 1..12: 6.5");
	ok(v_at(a, 1, 1, t0 + 60, 0) == 1, "1 min MIN: 1");
	ok(v_at(a, 1, 2, t0 + 60, 0) == 12, "1 min MAX: 12");
	ok(v_at(a, 0, 2, t0 + 35, 0) == 7, "the 5 s rows keep each value");
	for (int i = 13; i <= 24; i++) {
		double v = i <= 19 ? NAN : 10;
		xd_rra_update(a, t0 + 5 * i, &v);
	}
	ok(isnan(v_at(a, 1, 0, t0 + 120, 0)), "7 of 12 PDPs unknown: more than xff, unknown");
	for (int i = 25; i <= 36; i++) {
		double v = i <= 30 ? NAN : 4;
		xd_rra_update(a, t0 + 5 * i, &v);
	}
	ok(v_at(a, 1, 0, t0 + 180, 0) == 4, "6 of 12 unknown: the average of the known ones");
	ok(isnan(v_at(a, 2, 0, t0 + 3600, 0)), "the 1 h level has no row for that hour");
	xd_rra_free(a);
}

static void heartbeat_and_gap(void)
{
	int64_t t0 = 1300000000;
	xd_archive *a = xd_rra_new(1, names1, NULL, NULL, t0);
	double v = 3;
	xd_rra_update(a, t0 + 5, &v);
	xd_rra_update(a, t0 + 30, &v); /* 25 s after: longer than the heartbeat */
	ok(v_at(a, 0, 0, t0 + 5, 0) == 3, "the row before the silence");
	ok(isnan(v_at(a, 0, 0, t0 + 20, 0)) && isnan(v_at(a, 0, 0, t0 + 30, 0)),
	   "a value after a silence longer than the heartbeat fills nothing");
	xd_rra_update(a, t0 + 35, &v);
	ok(v_at(a, 0, 0, t0 + 35, 0) == 3, "then the rows go on");
	xd_rra_update(a, t0 + 2LL * 366 * 86400, &v);
	ok(isnan(v_at(a, 0, 0, t0 + 35, 0)), "after two years nothing old is left");
	xd_rra_free(a);
}

static void relayout(void)
{
	int64_t t0 = 1400000000;
	xd_archive *a = xd_rra_new(1, names1, NULL, NULL, t0);
	double v = 8;
	xd_rra_update(a, t0 + 5, &v);
	xd_rra_update(a, t0 + 10, &v);
	xd_archive *b = xd_rra_relayout(a, 2, names2, NULL, NULL);
	ok(v_at(b, 0, 0, t0 + 10, 0) == 8, "a kept column keeps its rows");
	ok(isnan(v_at(b, 0, 0, t0 + 10, 1)), "a new column starts unknown");
	ok(b->layout != a->layout, "another layout, another hash");
	double w[2] = { 9, 0.5 };
	xd_rra_update(b, t0 + 15, w);
	ok(v_at(b, 0, 0, t0 + 15, 0) == 9 && v_at(b, 0, 0, t0 + 15, 1) == 0.5, "both columns go on");
	xd_rra_free(a);
	xd_rra_free(b);
}

static void picking(void)
{
	int64_t now = 1500000000;
	is_int(xd_rra_pick(now - 120, now, 5), 0, "the last 2 min at 5 s: the 5 s level");
	is_int(xd_rra_pick(now - 3600, now, 5), 1, "the last hour: the 1 min level (5 s keeps 10 min)");
	is_int(xd_rra_pick(now - 3600, now, 60), 1, "interval=60: the 1 min level");
	is_int(xd_rra_pick(now - 3600, now, 3600), 2, "interval=3600: the 1 h level");
	is_int(xd_rra_pick(now - 86400 * 30, now, 5), 3, "a month back: the 1 day level");
	is_int(xd_rra_pick(now - 86400 * 3650, now, 5), 3, "further than any: the longest");
}

int main(void)
{
	time_weighted();
	consolidation();
	heartbeat_and_gap();
	relayout();
	picking();
	return tap_done();
}
