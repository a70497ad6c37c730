/* sr_probe.c - SR.probe and SR.probe_ext: which SRs exist at a
 * device_config (xapi_sr.ml probe / probe_ext). The driver's sr_probe
 * emits one SR info per SR found; probe renders them as the XML document
 * xapi builds for structured probe results, probe_ext as probe_result
 * records. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "loader/plugins.h"
#include "log.h"
#include "rpc/rpc.h"
#include "storage_api.h"
#include "strbuf.h"

/* Runs the driver's sr_probe (type lower-cased) for the call's host. */
static int run_probe(const xd_call *call, xd_sr_result *r, xd_error *err)
{
	const char *host = xd_arg_str(call, 0);
	char *type = strdup(xd_arg_str(call, 2));
	int rc = -1;
	if (!type)
		abort();
	for (char *p = type; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (xd_check_ref(xd_dm_class("host"), host, err) < 0)
		goto out;
	if (!xd_this_host() || strcmp(host, xd_this_host()) != 0) {
		xd_error_set(err, "HOST_OFFLINE", host, NULL);
		goto out;
	}
	if (!xd_plugins_has_sr_type(type)) {
		xd_error_set(err, "SR_UNKNOWN_DRIVER", type, NULL);
		goto out;
	}
	if (!xd_plugins_sr_can(type, XD_SR_PROBE)) {
		/* what xapi's Sm.sr_probe says for drivers without SR_PROBE */
		xd_error_set(err, "SR_BACKEND_FAILURE",
			     "Operation 'sr_probe' not supported by this SR type", "", "", NULL);
		goto out;
	}
	xd_sr_args args = { .device_config = call->args[1], .sm_config = call->args[3],
			    .task = call->task };
	rc = xd_plugins_sr_call(type, XD_SR_PROBE, &args, r, err);
	if (rc < 0)
		xd_storage_fix_error(err, NULL, NULL, NULL, -1);
out:
	free(type);
	return rc;
}

static void xml_el(xd_strbuf *b, const char *name, const char *text)
{
	xd_strbuf_printf(b, "<%s>", name);
	xd_strbuf_put_xml_escaped(b, text);
	xd_strbuf_printf(b, "</%s>", name);
}

static xd_value *h_probe(const xd_call *call, xd_error *err)
{
	xd_sr_result r = { 0 };
	if (run_probe(call, &r, err) < 0) {
		xd_sr_result_clear(&r);
		return NULL;
	}
	/* the document xapi makes of structured probe results (Xmlm, no indent) */
	xd_strbuf b = XD_STRBUF_INIT;
	xd_strbuf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (!r.nsrs)
		xd_strbuf_puts(&b, "<SRlist/>");
	else
		xd_strbuf_puts(&b, "<SRlist>");
	for (size_t i = 0; i < r.nsrs; i++) {
		const xd_sr_info *si = &r.srs[i];
		char size[32];
		snprintf(size, sizeof(size), "%" PRId64, si->physical_size);
		xd_strbuf_puts(&b, "<SR>");
		xml_el(&b, "size", size);
		xml_el(&b, "name_label", si->name_label ? si->name_label : "");
		xml_el(&b, "name_description", si->name_description ? si->name_description : "");
		if (si->uuid)
			xml_el(&b, "UUID", si->uuid);
		xd_strbuf_puts(&b, "</SR>");
	}
	if (r.nsrs)
		xd_strbuf_puts(&b, "</SRlist>");
	xd_strbuf_puts(&b, "\n");
	xd_sr_result_clear(&r);
	return xd_string_take(xd_strbuf_steal(&b));
}

static xd_value *probe_result(const xd_call *call, const xd_sr_info *si)
{
	xd_value *res = xd_struct();
	xd_struct_set_take(res, "configuration", xd_value_copy(call->args[1]));
	xd_struct_set_take(res, "complete", xd_bool(true));
	if (si) {
		xd_value *st = xd_struct();
		int64_t total = si->physical_size, used = si->physical_utilisation;
		if (si->uuid)
			xd_struct_set_take(st, "uuid", xd_string(si->uuid));
		xd_struct_set_take(st, "name_label", xd_string(si->name_label));
		xd_struct_set_take(st, "name_description", xd_string(si->name_description));
		xd_struct_set_take(st, "free_space",
				   xd_int(total >= 0 && used >= 0 && used <= total ? total - used : 0));
		xd_struct_set_take(st, "total_space", xd_int(total >= 0 ? total : 0));
		xd_struct_set_take(st, "clustered", xd_bool(false));
		xd_struct_set_take(st, "health", xd_string("healthy"));
		xd_struct_set_take(res, "sr", st);
	}
	xd_struct_set_take(res, "extra_info",
			   si && si->sm_config && si->sm_config->t == XD_V_STRUCT
				   ? xd_value_copy(si->sm_config)
				   : xd_struct());
	return res;
}

static xd_value *h_probe_ext(const xd_call *call, xd_error *err)
{
	xd_sr_result r = { 0 };
	if (run_probe(call, &r, err) < 0) {
		xd_sr_result_clear(&r);
		return NULL;
	}
	xd_value *out = xd_array();
	for (size_t i = 0; i < r.nsrs; i++)
		xd_array_append_take(out, probe_result(call, &r.srs[i]));
	if (!r.nsrs) /* nothing there: this configuration can make a new SR */
		xd_array_append_take(out, probe_result(call, NULL));
	xd_sr_result_clear(&r);
	return out;
}

void xd_api_sr_probe_register(void)
{
	xd_rpc_register("SR", "probe", h_probe);
	xd_rpc_register("SR", "probe_ext", h_probe_ext);
}
