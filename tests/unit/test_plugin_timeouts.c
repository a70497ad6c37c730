/* test_plugin_timeouts.c - the per-operation limits of storage calls
 * (core/loader/plugin_timeouts.h): which ops get the short metadata
 * default, plugin_timeout below it, the timeout.<op> keys and their bad
 * values. */
#include <stdlib.h>
#include <string.h>

#include "loader/plugin_timeouts.h"
#include "tap.h"

static double limit(const xd_op_timeouts *t, const char *op, double global, const char *source)
{
	char src[64];
	double v = xd_op_timeout(t, xd_pp_sr_op_index(op), global, src, sizeof src);
	is_str(src, source, "  %s: the limit comes from %s", op, source);
	return v;
}

static void test_defaults(void)
{
	xd_op_timeouts none = { { 0 } };
	static const char *const metadata[] = { "sr_probe",   "sr_attach",  "sr_detach",
						"sr_scan",    "sr_update",  "vdi_attach",
						"vdi_detach", "vdi_introduce", "vdi_update" };
	static const char *const data[] = { "sr_create",    "sr_delete", "vdi_create", "vdi_delete",
					    "vdi_snapshot", "vdi_clone", "vdi_resize" };
	for (size_t i = 0; i < sizeof metadata / sizeof metadata[0]; i++) {
		ok(limit(&none, metadata[i], 3600, "the default for metadata operations") == 300,
		   "%s gets 300 s of a 3600 s plugin_timeout", metadata[i]);
		ok(limit(&none, metadata[i], 2, "plugin_timeout") == 2,
		   "%s gets a plugin_timeout shorter than 300 s", metadata[i]);
	}
	for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
		ok(limit(&none, data[i], 3600, "plugin_timeout") == 3600, "%s gets plugin_timeout",
		   data[i]);
	is_int(sizeof metadata / sizeof metadata[0] + sizeof data / sizeof data[0], XD_PP_SR_NOPS,
	       "every op is one or the other");
}

static void test_keys(void)
{
	xd_op_timeouts t = { { 0 } };
	char *why = NULL;
	ok(xd_op_timeout_key("timeout.sr_scan"), "timeout.sr_scan is xapid's");
	ok(!xd_op_timeout_key("timeouts"), "timeouts is a plugin setting");
	ok(!xd_op_timeout_key("greeting"), "greeting is a plugin setting");
	is_int(xd_op_timeout_parse(&t, "timeout.sr_scan", "20", &why), 0, "timeout.sr_scan = 20");
	is_int(xd_op_timeout_parse(&t, "timeout.vdi_snapshot", "7200.5", &why), 0,
	       "timeout.vdi_snapshot = 7200.5");
	ok(limit(&t, "sr_scan", 3600, "timeout.sr_scan") == 20, "  sr_scan: 20 s");
	ok(limit(&t, "vdi_snapshot", 3600, "timeout.vdi_snapshot") == 7200.5,
	   "  vdi_snapshot: more than plugin_timeout");
	ok(limit(&t, "sr_probe", 3600, "the default for metadata operations") == 300,
	   "  the others keep their defaults");

	static const struct {
		const char *key, *value, *why;
	} bad[] = {
		{ "timeout.sr_scan", "soon", "timeout.sr_scan = 'soon' is not a number of seconds more than 0" },
		{ "timeout.sr_scan", "0", "timeout.sr_scan = '0' is not a number of seconds more than 0" },
		{ "timeout.sr_scan", "-5", "timeout.sr_scan = '-5' is not a number of seconds more than 0" },
		{ "timeout.sr_scan", "inf", "timeout.sr_scan = 'inf' is not a number of seconds more than 0" },
		{ "timeout.sr_scan", "nan", "timeout.sr_scan = 'nan' is not a number of seconds more than 0" },
		{ "timeout.sr_scan", "", "timeout.sr_scan = '' is not a number of seconds more than 0" },
		{ "timeout.sr_scan", "30s", "timeout.sr_scan = '30s' is not a number of seconds more than 0" },
		{ "timeout.vdi_copy", "30", "timeout.vdi_copy: 'vdi_copy' is not a storage operation "
					    "(sr_probe, sr_create, sr_delete, sr_attach, sr_detach, sr_scan, "
					    "sr_update, vdi_create, vdi_delete, vdi_snapshot, vdi_clone, "
					    "vdi_resize, vdi_attach, vdi_detach, vdi_introduce, vdi_update)" },
		{ "timeout.", "30", NULL },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		is_int(xd_op_timeout_parse(&t, bad[i].key, bad[i].value, &why), -1, "%s = '%s' refused",
		       bad[i].key, bad[i].value);
		ok(why != NULL, "  with a reason");
		if (bad[i].why)
			is_str(why, bad[i].why, "  which names the key");
		free(why);
		why = NULL;
	}
	ok(limit(&t, "sr_scan", 3600, "timeout.sr_scan") == 20, "a refused value changes nothing");
}

int main(void)
{
	test_defaults();
	test_keys();
	return tap_done();
}
