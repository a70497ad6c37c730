/* test_mock.c - the SDK's mock host (sdk/mock/, xapi/mock.h) itself: loading
 * (a .so, a linked init, failures with their reason), settings, maps, what a
 * call records (emits copied, the last error, progress, cancel after N polls,
 * helpers run for real with their timeout, log lines), the ABI checks, and
 * data sources. Drives the faulty test driver (tests/plugins/faulty.c).
 *
 *   test_mock [path/to/faulty.so]   (default: the build's, FAULTY_SO)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xapi/mock.h>

#include "tap.h"

#ifndef FAULTY_SO
#define FAULTY_SO "tests/plugins/.libs/faulty.so"
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- a plugin linked into the test: xapi_mock_init ---- */

static const struct xapi_host *linked_host;
static int linked_fini_calls;

static int linked_attach(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	(void)st, (void)flags;
	char label[64];
	/* a stack buffer: the mock must copy what is emitted */
	snprintf(label, sizeof label, "attached %s", sr->uuid);
	struct xapi_sr_info info = { .size = sizeof info, .uuid = sr->uuid, .name_label = label,
				     .physical_size = 42, .physical_utilisation = -1,
				     .virtual_allocation = -1,
				     .sm_config = sr->device_config };
	return linked_host->emit_sr(call, &info);
}

static int linked_silent(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	(void)st, (void)call, (void)sr, (void)flags;
	return XAPI_E_FAILED; /* a driver bug: no xapi_fail() */
}

static int linked_ok_no_emit(void *st, xapi_call_t *call, const struct xapi_sr *sr, unsigned flags)
{
	(void)st, (void)call, (void)sr, (void)flags;
	return XAPI_OK; /* a driver bug for sr_scan: the SR's space is owed */
}

static const struct xapi_sr_ops linked_ops = {
	.size = sizeof(struct xapi_sr_ops),
	.sr_attach = linked_attach,
	.sr_detach = linked_silent,
	.sr_scan = linked_ok_no_emit,
};

static void linked_fini(void *st)
{
	(void)st;
	linked_fini_calls++;
}

static const struct xapi_plugin_desc linked_desc = {
	.size = sizeof(struct xapi_plugin_desc),
	.abi_version = XAPI_ABI_VERSION,
	.kind = XAPI_KIND_STORAGE,
	.name = "linked",
	.fini = linked_fini,
	.ops = &linked_ops,
};

static int linked_init(const struct xapi_host *host, xapi_plugin_t *self,
		       const struct xapi_plugin_desc **d, void **st)
{
	linked_host = host;
	const char *mode = host->config_get(self, "mode");
	if (mode && strcmp(mode, "refuse") == 0) {
		xapi_log(host, self, NULL, XAPI_LOG_ERROR, "mode %s: not today", mode);
		return XAPI_E_INVALID;
	}
	xapi_log(host, self, NULL, XAPI_LOG_INFO, "linked up");
	struct xapi_ds_desc ds = { .size = sizeof ds, .name = "linked_ds", .units = "B",
				   .owner_class = "SR", .type = XAPI_DS_ABSOLUTE, .max = 10 };
	if (host->ds_declare(self, &ds) != XAPI_OK)
		return XAPI_E_FAILED;
	*d = &linked_desc;
	*st = NULL;
	return XAPI_OK;
}

static void test_linked(void)
{
	xapi_mock_t *m = xapi_mock_new();
	xapi_mock_setting(m, "mode", "refuse");
	is_int(xapi_mock_init(m, linked_init), XAPI_E_INVALID, "init refusing: its status");
	is_str(xapi_mock_error(m), "mode refuse: not today", "... and its complaint as the reason");
	ok(xapi_mock_sr_ops(m) == NULL, "... no ops");
	xapi_mock_free(m);
	is_int(linked_fini_calls, 0, "no fini after a failed init");

	m = xapi_mock_new();
	is_int(xapi_mock_init(m, linked_init), XAPI_OK, "init linked into the test");
	is_str(xapi_mock_error(m), "", "... no error");
	ok(xapi_mock_log_find(m, "linked up") != NULL, "init's log line is kept");
	is_int((long long)xapi_mock_nds(m), 1, "one data source declared");
	is_str(xapi_mock_ds(m, 0)->units, "B", "... copied with its units");
	ok(xapi_mock_ds(m, 0)->type == XAPI_DS_ABSOLUTE && xapi_mock_ds(m, 0)->max == 10,
	   "... type and range");
	ok(xapi_mock_net_ops(m) == NULL && xapi_mock_metrics_ops(m) == NULL, "storage ops only");

	const struct xapi_sr_ops *ops = xapi_mock_sr_ops(m);
	xapi_call_t *c = xapi_mock_call(m);
	struct xapi_sr sr = { .size = sizeof sr, .uuid = "u-1",
			      .device_config = xapi_mock_kv(m, "a", "1", "b", "2", NULL) };
	const struct xapi_host *h = xapi_mock_host(m);
	is_int((long long)h->kv_count(sr.device_config), 2, "kv: two pairs");
	is_str(h->kv_get(sr.device_config, "b"), "2", "kv_get");
	is_str(h->kv_key(sr.device_config, 0), "a", "kv_key in order");
	ok(h->kv_get(sr.device_config, "c") == NULL && h->kv_key(sr.device_config, 2) == NULL,
	   "absent keys and indexes: NULL");

	int rc = ops->sr_attach(NULL, c, &sr, 0);
	const struct xapi_mock_result *r = xapi_mock_result(c);
	ok(rc == XAPI_OK && r->nsrs == 1, "emit_sr recorded");
	is_str(r->nsrs ? r->srs[0].name_label : NULL, "attached u-1", "... a copy of a stack buffer");
	is_str(r->nsrs ? h->kv_get(r->srs[0].sm_config, "a") : NULL, "1", "... maps copied too");
	ok(xapi_mock_check(c, "sr_attach", rc) == NULL, "check: a correct call");

	xapi_mock_call_reset(c);
	rc = ops->sr_detach(NULL, c, &sr, 0);
	const char *bug = xapi_mock_check(c, "sr_detach", rc);
	ok(bug && strstr(bug, "XAPI_E_FAILED without xapi_fail()"), "check: a failure without a reason (%s)",
	   bug ? bug : "none");
	xapi_mock_call_reset(c);
	rc = ops->sr_scan(NULL, c, &sr, 0);
	bug = xapi_mock_check(c, "sr_scan", rc);
	ok(bug && strstr(bug, "without emit_sr()"), "check: an sr_scan without its emit (%s)",
	   bug ? bug : "none");
	xapi_mock_call_reset(c);
	ok(xapi_mock_check(c, "vdi_delete", 5) != NULL, "check: a positive status (a bare errno)");
	ok(xapi_mock_check(c, "vdi_delete", XAPI_OK) == NULL, "check: vdi_delete owes no emit");

	/* emits without their size are refused, as xapid's worker does */
	struct xapi_vdi_info nosize = { 0 };
	is_int(h->emit_vdi(c, &nosize), XAPI_E_INVALID, "emit without size: XAPI_E_INVALID");
	is_int((long long)xapi_mock_result(c)->nvdis, 0, "... nothing recorded");
	xapi_mock_free(m);
	is_int(linked_fini_calls, 1, "xapi_mock_free runs fini once");
}

/* ---- the faulty driver through a .so ---- */

static void test_faulty(const char *so)
{
	xapi_mock_t *m = xapi_mock_new();
	is_int(xapi_mock_load(m, "/nonexistent/x.so"), XAPI_E_NOT_FOUND, "a missing .so");
	ok(strstr(xapi_mock_error(m), "cannot load /nonexistent/x.so") != NULL, "... says so: %s",
	   xapi_mock_error(m));
	xapi_mock_setting(m, "greeting", "hello from the test");
	if (xapi_mock_load(m, so) != XAPI_OK) {
		ok(0, "load %s: %s", so, xapi_mock_error(m));
		xapi_mock_free(m);
		return;
	}
	ok(1, "faulty.so loaded");
	const struct xapi_sr_ops *ops = xapi_mock_sr_ops(m);
	void *st = xapi_mock_st(m);
	xapi_call_t *c = xapi_mock_call(m);
	struct xapi_sr sr = { .size = sizeof sr, .uuid = "sr-1", .device_config = xapi_mock_kv(m, NULL) };
	const char *bug;

	is_int(ops->sr_attach(st, c, &sr, 0), XAPI_OK, "sr_attach");
	is_str(xapi_mock_result(c)->nsrs ? xapi_mock_result(c)->srs[0].name_label : NULL,
	       "hello from the test", "settings reach config_get");

	/* progress and cancellation: "slow" polls cancelled() every 50 ms */
	struct xapi_vdi_info want = { .size = sizeof want, .uuid = "v-1", .name_label = "slow",
				      .virtual_size = 1 };
	xapi_mock_call_reset(c);
	xapi_mock_cancel_after(c, 3);
	double t0 = now();
	int rc = ops->vdi_create(st, c, &sr, &want, 0);
	const struct xapi_mock_result *r = xapi_mock_result(c);
	is_int(rc, XAPI_E_CANCELLED, "cancelled after 3 polls");
	is_int((long long)r->ncancel_polls, 4, "... asked 4 times");
	is_int((long long)r->nprogress, 3, "... 3 progress reports before");
	ok(r->progress > 0 && r->progress < 0.02, "... the last one recorded (%g)", r->progress);
	ok(now() - t0 < 2, "... in well under the 10 s it would take");
	ok(r->nlogs == 1, "the op's log line is counted on its call");
	xapi_mock_call_reset(c);
	ok(xapi_mock_result(c)->ncancel_polls == 0, "reset: a fresh call, never cancelled");

	/* helpers run for real */
	want.name_label = "run";
	rc = ops->vdi_create(st, c, &sr, &want, 0);
	r = xapi_mock_result(c);
	is_int(rc, XAPI_OK, "vdi_create running echo");
	is_int((long long)r->runs, 1, "... one helper run");
	is_str(r->nvdis ? r->vdis[0].name_label : NULL, "out-of-helper\n", "... its output");
	is_str(r->nvdis ? r->vdis[0].location : NULL, "faulty/v-1", "... the location");
	ok(xapi_mock_find_vdi(c, "faulty/v-1") == &r->vdis[0] && !xapi_mock_find_vdi(c, "x"),
	   "find_vdi");
	const struct xapi_host *h = xapi_mock_host(m);
	const char *out = NULL;
	const char *sleep_argv[] = { "sh", "-c", "sleep 5 & echo started; wait", NULL };
	t0 = now();
	rc = h->run(c, sleep_argv, 300, &out);
	ok(rc == -1 && now() - t0 < 2, "a helper past its timeout is killed: -1 (%.2f s)", now() - t0);
	is_str(out, "started\n\n[killed after 300 ms]", "... with what it wrote before, and why");
	const char *false_argv[] = { "false", NULL };
	is_int(h->run(c, false_argv, 5000, NULL), 1, "exit status of a helper");
	const char *missing_argv[] = { "/nonexistent/helper", NULL };
	is_int(h->run(c, missing_argv, 5000, &out), -1, "a helper that cannot run: -1");
	is_str(out, "cannot run /nonexistent/helper: No such file or directory", "... and why");

	/* the last error of a call is the one kept */
	xapi_mock_call_reset(c);
	want.name_label = "fail";
	rc = ops->vdi_create(st, c, &sr, &want, 0);
	r = xapi_mock_result(c);
	ok(rc == XAPI_E_FAILED && r->failed && r->fail_code == 42 && !r->fail_xenapi,
	   "xapi_fail(NULL, 42): recorded");
	is_str(r->fail_msg, "the faulty driver failed on purpose", "... with its message");
	ok(xapi_mock_check(c, "vdi_create", rc) == NULL, "... a correct failure");
	xapi_mock_call_reset(c);
	want.name_label = "full";
	rc = ops->vdi_create(st, c, &sr, &want, 0);
	is_str(xapi_mock_result(c)->fail_xenapi, "SR_FULL", "a named XenAPI error");
	xapi_mock_call_reset(c);
	want.name_label = "notfound";
	rc = ops->vdi_create(st, c, &sr, &want, 0);
	bug = xapi_mock_check(c, "vdi_create", rc);
	ok(rc == XAPI_E_NOT_FOUND && bug && strstr(bug, "without xapi_fail()"),
	   "check: a bare status is a driver bug (%s)", bug ? bug : "none");
	xapi_mock_call_reset(c);
	xapi_mock_cancel_after(c, 0);
	want.name_label = "slow";
	rc = ops->vdi_create(st, c, &sr, &want, 0);
	ok(rc == XAPI_E_CANCELLED && !xapi_mock_check(c, "vdi_create", rc),
	   "check: XAPI_E_CANCELLED needs no reason");

	/* calls are independent */
	xapi_call_t *c2 = xapi_mock_call(m);
	want.name_label = "plain";
	is_int(ops->vdi_create(st, c2, &sr, &want, 0), XAPI_OK, "a second call");
	ok(xapi_mock_result(c2)->nvdis == 1 && xapi_mock_result(c)->nvdis == 0,
	   "... records apart from the first");
	xapi_mock_call_free(c2);
	xapi_mock_free(m);
}

int main(int argc, char **argv)
{
	test_linked();
	test_faulty(argc > 1 ? argv[1] : FAULTY_SO);
	return tap_done();
}
