/* test_plugins.c - the core's plugin machinery (core/loader/plugins.h) against the
 * real xapid-plugin-worker and the test plugins of tests/plugins/, all from
 * the build dir: refusals (one log line each), the descriptor as SM object,
 * storage calls and their errors, a crash, an exit and a hang isolated in
 * the worker (which comes back on the next call), rescans. */
#define _GNU_SOURCE /* asprintf */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "dm.h"
#include "loader/plugins.h"
#include "log.h"
#include "tap.h"

#ifndef XD_TEST_BUILDDIR
#define XD_TEST_BUILDDIR "."
#endif

static char dir[] = "/tmp/test_plugins.XXXXXX";
static char confdir[512], logpath[512];

static void write_conf(const char *name, const char *text)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.conf", confdir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A conf enabling test plugin so (from the build dir), plus extra lines. */
static void enable(const char *name, const char *so, const char *extra)
{
	char text[2048];
	snprintf(text, sizeof text, "# test\nenabled = true\npath = %s/tests/plugins/%s.so\n%s",
		 XD_TEST_BUILDDIR, so, extra ? extra : "");
	write_conf(name, text);
}

static char *read_log(void)
{
	FILE *f = fopen(logpath, "r");
	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = calloc(1, (size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = 0;
	fclose(f);
	return s;
}

/* Lines of the log holding both needles. */
static int count_lines(const char *log, const char *a, const char *b)
{
	int n = 0;
	const char *line = log;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *l = strndup(line, len);
		if (strstr(l, a) && (!b || strstr(l, b)))
			n++;
		free(l);
		line = end ? end + 1 : NULL;
	}
	return n;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *param(const xd_error *e, size_t i)
{
	return i < e->nparams ? e->params[i] : "(none)";
}

static xd_value *string_map(const char *k, const char *v)
{
	xd_value *m = xd_struct();
	if (k)
		xd_struct_set_take(m, k, xd_string(v));
	return m;
}

/* vdi_create in faulty with this name_label; returns the call's rc. */
static int create_vdi(const char *name, xd_sr_result *out, xd_error *err)
{
	xd_value *dc = string_map("path", "/nowhere"), *smc = string_map(NULL, NULL);
	xd_value *vsm = string_map("kept", "yes");
	xd_sr_ref sr = { .type = "faulty", .uuid = "sr-uuid-1", .name_label = "an SR",
			 .device_config = dc, .sm_config = smc };
	xd_vdi_info want = { .uuid = "vdi-uuid-1", .name_label = (char *)name,
			     .virtual_size = 1 << 20, .physical_utilisation = -1, .sm_config = vsm };
	xd_sr_args a = { .sr = &sr, .want = &want };
	int rc = xd_plugins_sr_call("faulty", XD_VDI_CREATE, &a, out, err);
	xd_value_free(dc);
	xd_value_free(smc);
	xd_value_free(vsm);
	return rc;
}

static void check_error(const char *vdi_name, const char *code, const char *p0, const char *p1,
			const char *p2)
{
	xd_sr_result r;
	xd_error err = XD_ERROR_INIT;
	int rc = create_vdi(vdi_name, &r, &err);
	is_int(rc, -1, "vdi_create '%s' fails", vdi_name);
	is_str(err.code, code, "  with %s", code);
	if (p0)
		is_str(param(&err, 0), p0, "  param 0");
	if (p1)
		is_str(param(&err, 1), p1, "  param 1");
	if (p2)
		is_str(param(&err, 2), p2, "  param 2");
	is_int(r.nvdis, 0, "  and no result is kept");
	xd_sr_result_clear(&r);
	xd_error_clear(&err);
}

static void check_ok_again(const char *after)
{
	xd_sr_result r;
	xd_error err = XD_ERROR_INIT;
	int rc = create_vdi("ok", &r, &err);
	is_int(rc, 0, "after %s, the next call works (worker restarted)%s%s", after,
	       err.code ? ": " : "", err.code ? err.code : "");
	is_int(r.nvdis, 1, "  and emits its VDI");
	xd_sr_result_clear(&r);
	xd_error_clear(&err);
}

static void *hang_thread(void *arg)
{
	xd_error *err = arg;
	xd_sr_result r;
	create_vdi("hang", &r, err);
	xd_sr_result_clear(&r);
	return NULL;
}

static const xd_value *sm_field(const xd_value *rec, const char *name)
{
	return rec ? xd_struct_get(rec, name) : NULL;
}

static xd_value *sm_record(const char *type)
{
	const xd_class *c = xd_dm_class("SM");
	xd_value *all = xd_db_get_all(c);
	xd_value *found = NULL;
	for (size_t i = 0; all && i < all->u.arr.n && !found; i++) {
		xd_value *rec = xd_db_get_record(c, all->u.arr.items[i]->u.s);
		const xd_value *t = sm_field(rec, "type");
		if (t && strcmp(t->u.s, type) == 0)
			found = rec;
		else
			xd_value_free(rec);
	}
	xd_value_free(all);
	return found;
}

static bool array_has(const xd_value *a, const char *s)
{
	for (size_t i = 0; a && a->t == XD_V_ARRAY && i < a->u.arr.n; i++)
		if (strcmp(a->u.arr.items[i]->u.s, s) == 0)
			return true;
	return false;
}

static void test_loading(void)
{
	char *log = read_log();
	static const char *const refused[][2] = {
		{ "bad_abi", "built for plugin ABI 1.0, but this xapid speaks ABI 2.1" },
		{ "no_symbol", "no symbol xapi_plugin_init: was it built with XAPI_PLUGIN_DEFINE?" },
		{ "null_op", "mandatory op sr_scan is NULL" },
		{ "cap_no_op", "claims capability VDI_SNAPSHOT but its vdi_snapshot op is NULL" },
		{ "bad_name", "name 'Bad-Name' is not 1 to 64 of [a-z0-9_]" },
		{ "init_fail", "xapi_plugin_init failed with XAPI_E_INVALID (-10003): setting token must "
			       "be 'secret', not '(unset)'" },
		{ "dup_two", "its name 'dup' is already taken by plugin dup_one" },
		{ "missing", "no such file" },
		{ "badconf", "line 2: enabled = 'maybe' is not true or false" },
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		char who[64];
		snprintf(who, sizeof who, " plugin %s (", refused[i][0]);
		is_int(count_lines(log, who, "refused: "), 1, "%s: one refusal line", refused[i][0]);
		is_int(count_lines(log, who, refused[i][1]), 1, "  saying: %s", refused[i][1]);
		char tag[64];
		snprintf(tag, sizeof tag, "plugin %s", refused[i][0]);
		is_int(count_lines(log, " error ", tag), 1, "  and no other error line about it");
	}
	is_int(count_lines(log, "plugin off", "refused"), 0, "a disabled plugin is not refused");
	free(log);

	xd_value *types = xd_plugins_sr_types();
	is_int(types->u.arr.n, 2, "two storage drivers loaded");
	ok(array_has(types, "faulty") && array_has(types, "dup"), "faulty and dup");
	xd_value_free(types);
	ok(xd_plugins_has_sr_type("faulty"), "has faulty");
	ok(!xd_plugins_has_sr_type("bad_abi"), "not bad_abi");
	ok(!xd_plugins_has_sr_type(NULL), "not NULL");
	ok(xd_plugins_sr_can("faulty", XD_VDI_CREATE), "faulty can vdi_create");
	ok(xd_plugins_sr_can("faulty", XD_SR_PROBE), "faulty can sr_probe");
	ok(!xd_plugins_sr_can("faulty", XD_VDI_SNAPSHOT), "faulty cannot vdi_snapshot");
	ok(!xd_plugins_sr_can("nosuch", XD_SR_SCAN), "no driver, no op");

	xd_value *sm = sm_record("faulty");
	ok(sm != NULL, "an SM object for faulty");
	is_str(sm_field(sm, "name_label")->u.s, "Faulty test driver", "SM.name_label: the title");
	is_str(sm_field(sm, "name_description")->u.s,
	       "Faulty test driver: crashes, exits or hangs on request", "SM.name_description");
	is_str(sm_field(sm, "vendor")->u.s, "xapi-c tests", "SM.vendor");
	is_str(sm_field(sm, "copyright")->u.s, "(C) the xapi-c authors", "SM.copyright");
	is_str(sm_field(sm, "version")->u.s, "0.1", "SM.version");
	is_str(sm_field(sm, "required_api_version")->u.s, "2.1", "SM.required_api_version");
	is_str(sm_field(sm, "driver_filename")->u.s, XD_TEST_BUILDDIR "/tests/plugins/faulty.so",
	       "SM.driver_filename");
	const xd_value *caps = sm_field(sm, "capabilities");
	ok(array_has(caps, "SR_PROBE") && array_has(caps, "VDI_CREATE") &&
		   array_has(caps, "VDI_RESET_ON_BOOT") && array_has(caps, "ATOMIC_PAUSE") &&
		   array_has(caps, "VDI_DELETE") && caps->u.arr.n == 5,
	   "SM.capabilities: the names, unknown ones kept");
	const xd_value *feat = sm_field(sm, "features");
	const xd_value *rob = feat ? xd_struct_get(feat, "VDI_RESET_ON_BOOT") : NULL;
	const xd_value *vc = feat ? xd_struct_get(feat, "VDI_CREATE") : NULL;
	ok(rob && rob->u.i == 2, "SM.features: VDI_RESET_ON_BOOT/2 is version 2");
	ok(vc && vc->u.i == 1, "SM.features: VDI_CREATE is version 1");
	const xd_value *conf = sm_field(sm, "configuration");
	const xd_value *fault = conf ? xd_struct_get(conf, "fault") : NULL;
	ok(fault && strstr(fault->u.s, "crash"), "SM.configuration: key -> description");
	xd_value_free(sm);
	xd_value *dup = sm_record("dup");
	ok(dup && strcmp(sm_field(dup, "name_label")->u.s, "Duplicate test driver") == 0,
	   "SM of dup (no title separator: the whole description)");
	xd_value_free(dup);
	ok(sm_record("bad_abi") == NULL, "no SM object for a refused plugin");
}

static void test_calls(void)
{
	xd_sr_result r;
	xd_error err = XD_ERROR_INIT;
	xd_value *dc = string_map("path", "/nowhere"), *smc = string_map(NULL, NULL);
	xd_sr_ref sr = { .type = "faulty", .uuid = "sr-uuid-1", .name_label = "an SR",
			 .device_config = dc, .sm_config = smc };
	xd_sr_args a = { .sr = &sr };

	is_int(xd_plugins_sr_call("faulty", XD_SR_ATTACH, &a, &r, &err), 0, "sr_attach");
	is_int(r.nsrs, 1, "  emits the SR");
	is_str(r.nsrs ? r.srs[0].name_label : NULL, "hello there",
	       "  named by its plugins.d setting (config_get)");
	is_str(r.nsrs ? r.srs[0].uuid : NULL, "sr-uuid-1", "  with the SR's uuid");
	is_int(r.nsrs ? r.srs[0].physical_size : 0, 1 << 30, "  and its size");
	xd_sr_result_clear(&r);

	is_int(create_vdi("ok", &r, &err), 0, "vdi_create");
	is_int(r.nvdis, 1, "  emits one VDI");
	if (r.nvdis) {
		is_str(r.vdis[0].location, "faulty/vdi-uuid-1", "  its location");
		is_str(r.vdis[0].name_label, "ok", "  its name");
		is_int(r.vdis[0].virtual_size, 1 << 20, "  its size");
		const xd_value *kept = r.vdis[0].sm_config ? xd_struct_get(r.vdis[0].sm_config, "kept")
							 : NULL;
		ok(kept && strcmp(kept->u.s, "yes") == 0, "  its sm_config");
		ok(!r.vdis[0].snapshot_of && !r.vdis[0].datapath, "  and no snapshot_of, datapath");
	}
	xd_sr_result_clear(&r);

	is_int(create_vdi("run", &r, &err), 0, "vdi_create running a helper (host->run)");
	is_str(r.nvdis ? r.vdis[0].name_label : NULL, "out-of-helper\n", "  got its output");
	xd_sr_result_clear(&r);

	check_error("fail", "SR_BACKEND_FAILURE_42", "", "the faulty driver failed on purpose", "");
	check_error("full", "SR_FULL", "no room in the faulty SR", NULL, NULL);
	check_error("notfound", "SR_BACKEND_FAILURE_47", "",
		    "The SR is not available [opterr=the faulty driver did not find it during vdi_create]",
		    "");

	/* an op the driver does not have */
	a.location = "faulty/x";
	is_int(xd_plugins_sr_call("faulty", XD_VDI_SNAPSHOT, &a, &r, &err), -1, "vdi_snapshot: no op");
	is_str(err.code, "SR_OPERATION_NOT_SUPPORTED", "  SR_OPERATION_NOT_SUPPORTED");
	is_str(param(&err, 0), "sr-uuid-1", "  [sr uuid]");
	xd_error_clear(&err);
	is_int(xd_plugins_sr_call("nosuch", XD_SR_SCAN, &a, &r, &err), -1, "unknown type");
	is_str(err.code, "SR_UNKNOWN_DRIVER", "  SR_UNKNOWN_DRIVER");
	is_str(param(&err, 0), "nosuch", "  [type]");
	xd_error_clear(&err);

	/* probe, by device_config */
	xd_value *pdc = string_map("where", "here");
	xd_sr_args pa = { .device_config = pdc, .sm_config = smc };
	is_int(xd_plugins_sr_call("faulty", XD_SR_PROBE, &pa, &r, &err), 0, "sr_probe");
	is_int(r.nsrs, 1, "  finds one SR");
	const xd_value *where = r.nsrs && r.srs[0].sm_config ? xd_struct_get(r.srs[0].sm_config, "where")
							     : NULL;
	ok(where && strcmp(where->u.s, "here") == 0, "  its sm_config from device_config");
	xd_sr_result_clear(&r);
	xd_value_free(pdc);
	pdc = string_map("fault", "crash");
	pa.device_config = pdc;
	is_int(xd_plugins_sr_call("faulty", XD_SR_PROBE, &pa, &r, &err), -1, "sr_probe crashing");
	is_str(param(&err, 1), "the faulty driver crashed (signal 11) during sr_probe",
	       "  says so");
	xd_error_clear(&err);
	xd_value_free(pdc);
	xd_value_free(dc);
	xd_value_free(smc);
}

static void test_isolation(void)
{
	check_error("crash", "SR_BACKEND_FAILURE", "",
		    "the faulty driver crashed (signal 11) during vdi_create", "");
	check_ok_again("a crash");
	check_error("exit", "SR_BACKEND_FAILURE", "",
		    "the faulty driver exited with status 3 during vdi_create", "");
	check_ok_again("exit(3)");

	/* A hang: killed after plugin_timeout (2 s); meanwhile other plugins
	 * answer at once. */
	xd_error herr = XD_ERROR_INIT;
	pthread_t t;
	double t0 = now_s();
	pthread_create(&t, NULL, hang_thread, &herr);
	usleep(300 * 1000);
	xd_value *dc = string_map(NULL, NULL);
	xd_sr_ref sr = { .type = "dup", .uuid = "sr-2", .device_config = dc, .sm_config = dc };
	xd_sr_args a = { .sr = &sr };
	xd_sr_result r;
	xd_error err = XD_ERROR_INIT;
	double t1 = now_s();
	int rc = xd_plugins_sr_call("dup", XD_SR_SCAN, &a, &r, &err);
	double took = now_s() - t1;
	is_int(rc, 0, "another driver answers during the hang");
	ok(took < 1.0, "  at once (%.3f s)", took);
	xd_value *types = xd_plugins_sr_types();
	ok(types->u.arr.n == 2, "  and the registry answers too");
	xd_value_free(types);
	xd_sr_result_clear(&r);
	xd_value_free(dc);
	pthread_join(t, NULL);
	double hung = now_s() - t0;
	is_str(herr.code, "SR_BACKEND_FAILURE", "the hanging call fails");
	is_str(param(&herr, 1), "the faulty driver did not answer within 2 s during vdi_create",
	       "  with the timeout");
	ok(hung >= 1.9 && hung < 6, "  after about 2 s (%.2f s)", hung);
	xd_error_clear(&herr);
	check_ok_again("a hang");

	char *log = read_log();
	is_int(count_lines(log, "plugin faulty: its worker crashed (signal 11) during vdi_create", NULL),
	       1, "the crash is one log line");
	is_int(count_lines(log, "plugin faulty: its worker did not answer within 2 s", NULL), 1,
	       "the hang is one log line");
	is_int(count_lines(log, "plugin faulty: vdi_create of 'ok' in SR sr-uuid-1", " info "), 4,
	       "the plugin's own log lines arrive, at their level");
	free(log);
}

static void test_rescan(void)
{
	enable("init_fail", "init_fail", "token = secret\n");
	ok(!xd_plugins_has_sr_type("init_fail"), "init_fail not loaded before the rescan");
	is_int(xd_plugins_rescan(), 0, "rescan");
	ok(xd_plugins_has_sr_type("init_fail"), "init_fail loaded by the rescan (setting fixed)");
	xd_value *sm = sm_record("init_fail");
	ok(sm != NULL, "  with its SM object");
	xd_value_free(sm);
	ok(xd_plugins_has_sr_type("faulty"), "faulty still there");
	/* Disabling takes a restart: what is loaded stays. */
	write_conf("faulty", "enabled = false\n");
	is_int(xd_plugins_rescan(), 0, "rescan again");
	ok(xd_plugins_has_sr_type("faulty"), "faulty stays loaded until a restart");
}

typedef struct nap_arg {
	const char *type;
	int rc;
} nap_arg;

static void *nap_thread(void *arg)
{
	nap_arg *n = arg;
	xd_value *m = string_map(NULL, NULL);
	xd_sr_ref sr = { .type = n->type, .uuid = "sr-nap", .device_config = m, .sm_config = m };
	xd_vdi_info want = { .uuid = "vdi-nap", .name_label = "nap", .virtual_size = 1 };
	xd_sr_args a = { .sr = &sr, .want = &want };
	xd_sr_result r;
	xd_error err = XD_ERROR_INIT;
	n->rc = xd_plugins_sr_call(n->type, XD_VDI_CREATE, &a, &r, &err);
	xd_sr_result_clear(&r);
	xd_error_clear(&err);
	xd_value_free(m);
	return NULL;
}

/* Four calls of 0.5 s at once: one after the other for a plugin without
 * XAPI_PLUGIN_THREADSAFE, side by side (in several workers) for one with. */
static double four_naps(const char *type)
{
	pthread_t t[4];
	nap_arg n[4];
	double t0 = now_s();
	for (int i = 0; i < 4; i++) {
		n[i] = (nap_arg){ .type = type, .rc = -2 };
		pthread_create(&t[i], NULL, nap_thread, &n[i]);
	}
	int failed = 0;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		failed += n[i].rc != 0;
	}
	is_int(failed, 0, "four concurrent calls to %s succeed", type);
	return now_s() - t0;
}

static void test_concurrency(void)
{
	double serial = four_naps("faulty");
	ok(serial >= 1.95, "  one at a time without XAPI_PLUGIN_THREADSAFE (%.2f s)", serial);
	enable("faulty_ts", "faulty", "threadsafe = true\n");
	is_int(xd_plugins_rescan(), 0, "rescan loads faulty_ts");
	ok(xd_plugins_has_sr_type("faulty_ts"), "  (the thread-safe variant)");
	double parallel = four_naps("faulty_ts");
	ok(parallel < 1.5, "  side by side with it (%.2f s)", parallel);
	double again = four_naps("faulty_ts");
	ok(again < 1.0, "  and its workers are kept for later calls (%.2f s)", again);
}

static void test_restart_drops_sm(const char *worker)
{
	xd_plugins_shutdown();
	ok(!xd_plugins_has_sr_type("faulty"), "nothing loaded after shutdown");
	/* faulty.conf now says enabled = false: its SM object goes. */
	xd_plugins_config cfg = { .plugin_dir = XD_TEST_BUILDDIR "/tests/plugins",
				  .conf_dir = confdir, .worker_path = worker, .timeout_s = 2 };
	is_int(xd_plugins_init(&cfg), 0, "init again");
	xd_value *sm = sm_record("faulty");
	ok(sm == NULL, "the SM object of a driver no longer loaded is destroyed");
	xd_value_free(sm);
	sm = sm_record("dup");
	ok(sm != NULL, "the SM objects of loaded ones stay");
	xd_value_free(sm);
	xd_plugins_shutdown();

	xd_plugins_config nodir = { .conf_dir = "/nonexistent/plugins.d", .worker_path = worker };
	is_int(xd_plugins_init(&nodir), 0, "a missing plugins.d is no plugins, not an error");
	xd_value *types = xd_plugins_sr_types();
	is_int(types->u.arr.n, 0, "  none loaded");
	xd_value_free(types);
	xd_plugins_shutdown();
}

int main(void)
{
	xd_error err = XD_ERROR_INIT;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(confdir, sizeof confdir, "%s/plugins.d", dir);
	snprintf(logpath, sizeof logpath, "%s/log", dir);
	mkdir(confdir, 0755);
	xd_log_set_level(XD_LOG_DEBUG);
	xd_log_set_file(logpath);
	if (xd_dm_init() != 0 || xd_db_open(":memory:", &err) != 0) {
		printf("cannot set up the db\n");
		return 1;
	}

	enable("faulty", "faulty", "greeting = hello there\n");
	enable("dup_one", "dup", NULL);
	enable("dup_two", "dup", NULL);
	enable("bad_abi", "bad_abi", NULL);
	enable("no_symbol", "no_symbol", NULL);
	enable("null_op", "null_op", NULL);
	enable("cap_no_op", "cap_no_op", NULL);
	enable("bad_name", "bad_name", NULL);
	enable("init_fail", "init_fail", NULL);
	write_conf("missing", "enabled = true\n");
	write_conf("badconf", "# x\nenabled = maybe\n");
	write_conf("off", "enabled = false\n");
	write_conf("notes", "this is not a conf file\n"); /* no '=': refused too */

	const char *worker = XD_TEST_BUILDDIR "/xapid-plugin-worker";
	xd_plugins_config cfg = { .plugin_dir = XD_TEST_BUILDDIR "/tests/plugins",
				  .conf_dir = confdir, .worker_path = worker, .timeout_s = 2 };
	is_int(xd_plugins_init(&cfg), 0, "init");
	test_loading();
	test_calls();
	test_isolation();
	test_concurrency();
	test_rescan();
	test_restart_drops_sm(worker);

	xd_db_close();
	char cmd[1100];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
