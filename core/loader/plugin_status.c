/* plugin_status.c - what a storage driver's answer means: its status, its
 * xapi_fail() and what it emitted, turned into success or the XenAPI error
 * of the table in plugins.h (the same as in xapi/plugin.h and
 * doc/plugin-sdk.md). What can only be a bug of the driver (a return that is
 * no status, XAPI_E_FAILED without a reason, XAPI_OK without the VDI the op
 * is for, an unusable location) is logged as "driver bug" naming the plugin
 * and answered SR_BACKEND_FAILURE with a sentence that says which. */
#define _GNU_SOURCE /* asprintf, vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plugins_int.h"

int xd_plugin_backend_failure(xd_error *err, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	xd_error_set(err, "SR_BACKEND_FAILURE", "", msg ? msg : "", "", NULL);
	free(msg);
	return -1;
}

/* A driver bug: one error line naming the plugin, and the client's error. */
static int driver_bug(const xd_plugin *p, xd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int driver_bug(const xd_plugin *p, xd_error *err, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	xd_err("plugin %s: driver bug: %s", p->conf_name, msg ? msg : "?");
	xd_error_set(err, "SR_BACKEND_FAILURE", "", msg ? msg : "", "", NULL);
	free(msg);
	return -1;
}

int xd_plugins_driver_bug(const char *type, xd_error *err, const char *fmt, ...)
{
	const xd_plugin *p = xd_plugins_find_sr(type);
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	xd_err("plugin %s: driver bug: %s", p ? p->conf_name : type, msg ? msg : "?");
	xd_error_set(err, "SR_BACKEND_FAILURE", "", msg ? msg : "", "", NULL);
	free(msg);
	return -1;
}

bool xd_plugin_valid_code(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* The error a driver reported with failv. */
static int driver_error(json_object *e, const char *sr_uuid, const char *location, xd_error *err)
{
	const char *code = xd_pp_str(e, "code"), *msg = xd_pp_str(e, "msg");
	const char *detail = xd_pp_str(e, "detail"); /* fail_detail: sm's stderr */
	int n = (int)xd_pp_int(e, "n", 0);
	char *text = NULL;
	if (!msg)
		msg = "";
	if (code && xd_plugin_valid_code(code))
		return xd_error_set(err, code, msg, NULL);
	if (code && asprintf(&text, "%s: %s", code, msg) >= 0)
		msg = text;
	/* SMAPIv1's well-known fault codes, mapped as xapi's sm_exec does. */
	switch (n) {
	case 16: xd_error_set(err, "SR_DEVICE_IN_USE", NULL); break;
	case 24: xd_error_set(err, "VDI_IN_USE", NULL); break;
	case 39: xd_error_set(err, "SR_NOT_EMPTY", NULL); break;
	case 144: xd_error_set(err, "VDI_MISSING", sr_uuid, location ? location : "", NULL); break;
	default:
		if (n > 0) {
			char c[48];
			snprintf(c, sizeof c, "SR_BACKEND_FAILURE_%d", n);
			xd_error_set(err, c, "", msg, detail ? detail : "", NULL);
		} else {
			xd_error_set(err, "SR_BACKEND_FAILURE", "", msg, detail ? detail : "", NULL);
		}
	}
	free(text);
	return -1;
}

/* The VDI ops that work on a VDI the core already has (VDI_MISSING and
 * VDI_IN_USE can name it). */
static bool on_existing_vdi(xd_sr_op op)
{
	return op > XD_VDI_CREATE && op != XD_VDI_INTRODUCE;
}

/* The ops whose XAPI_OK means nothing without the VDI they made or
 * describe. */
static bool must_emit_vdi(xd_sr_op op)
{
	switch (op) {
	case XD_VDI_CREATE: case XD_VDI_SNAPSHOT: case XD_VDI_CLONE: case XD_VDI_RESIZE:
	case XD_VDI_ATTACH: case XD_VDI_INTRODUCE: case XD_VDI_UPDATE:
		return true;
	default:
		return false;
	}
}

const char *xd_plugin_status_name(int64_t status)
{
	switch (status) {
	case XAPI_OK: return "XAPI_OK";
	case XAPI_E_FAILED: return "XAPI_E_FAILED";
	case XAPI_E_UNSUPPORTED: return "XAPI_E_UNSUPPORTED";
	case XAPI_E_INVALID: return "XAPI_E_INVALID";
	case XAPI_E_NOT_FOUND: return "XAPI_E_NOT_FOUND";
	case XAPI_E_BUSY: return "XAPI_E_BUSY";
	case XAPI_E_CANCELLED: return "XAPI_E_CANCELLED";
	case XAPI_E_NO_SPACE: return "XAPI_E_NO_SPACE";
	default: return "an unknown status";
	}
}

/* A failing status without xapi_fail (the table in xapi/plugin.h). */
static int status_error(const xd_plugin *p, xd_sr_op op, const xd_sr_args *a, int64_t status,
			xd_error *err)
{
	const char *opname = xd_pp_sr_op_names[op];
	const char *sr_uuid = a && a->sr && a->sr->uuid ? a->sr->uuid : "";
	const char *location = a && a->location ? a->location : "";
	char n[32], detail[256];
	/* The client gets the status's error below, but no reason: said in the
	 * log so that the vendor hears of it (UNSUPPORTED and CANCELLED say all
	 * there is to say). */
	if (status != XAPI_E_UNSUPPORTED && status != XAPI_E_CANCELLED && status != XAPI_E_FAILED)
		xd_warn("plugin %s: driver bug: the %s driver returned %s from %s without "
			"xapi_fail: the client gets no reason", p->conf_name, p->name,
			xd_plugin_status_name(status), opname);
	switch (status) {
	case XAPI_E_UNSUPPORTED:
		return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", sr_uuid, NULL);
	case XAPI_E_INVALID:
		/* sm's InvalidArg and SRUnavailable, worded as sm's XenError
		 * words a detail */
		snprintf(detail, sizeof detail, "Invalid argument [opterr=the %s driver refused the "
			 "arguments of %s]", p->name, opname);
		return xd_error_set(err, "SR_BACKEND_FAILURE_1", "", detail, "", NULL);
	case XAPI_E_NOT_FOUND:
		if (on_existing_vdi(op) || op == XD_VDI_INTRODUCE)
			return xd_error_set(err, "VDI_MISSING", sr_uuid, location, NULL);
		snprintf(detail, sizeof detail, "The SR is not available [opterr=the %s driver did "
			 "not find it during %s]", p->name, opname);
		return xd_error_set(err, "SR_BACKEND_FAILURE_47", "", detail, "", NULL);
	case XAPI_E_BUSY:
		if (op == XD_SR_DELETE)
			return xd_error_set(err, "SR_NOT_EMPTY", NULL);
		if (on_existing_vdi(op))
			return xd_error_set(err, "VDI_IN_USE", NULL);
		return xd_error_set(err, "SR_DEVICE_IN_USE", NULL);
	case XAPI_E_CANCELLED:
		return xd_error_set(err, "TASK_CANCELLED", a && a->task ? a->task : "", NULL);
	case XAPI_E_NO_SPACE:
		snprintf(n, sizeof n, "%lld",
			 (long long)(a && a->want ? a->want->virtual_size : a ? a->size : 0));
		return xd_error_set(err, "SR_FULL", n, "", NULL);
	default: /* XAPI_E_FAILED: the one status that says "see xapi_fail" */
		return driver_bug(p, err, "the %s driver failed in %s without saying why "
				  "(XAPI_E_FAILED without xapi_fail)", p->name, opname);
	}
}

_Static_assert(XAPI_LOCATION_MAX == 1024, "the message below names the limit");

/* Why s cannot be a location (NULL if it can): see "Locations" in
 * xapi/plugin.h. Control characters cannot travel in XML-RPC 1.0 text and
 * malformed UTF-8 breaks clients' decoders; the length bound keeps one
 * driver from filling the database and every VDI record. */
static const char *location_flaw(const char *s)
{
	if (!s || !*s)
		return "it is empty";
	size_t len = strlen(s);
	if (len > XAPI_LOCATION_MAX)
		return "it is longer than 1024 bytes";
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = u[i];
		if (c < 0x20 || c == 0x7f)
			return "it holds a control character";
		if (c < 0x80)
			continue;
		size_t extra = (c & 0xe0) == 0xc0 && c >= 0xc2 ? 1
			     : (c & 0xf0) == 0xe0 ? 2
			     : (c & 0xf8) == 0xf0 && c <= 0xf4 ? 3 : 0;
		if (!extra || i + extra >= len)
			return "it is not valid UTF-8";
		for (size_t k = 1; k <= extra; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				return "it is not valid UTF-8";
		i += extra;
	}
	return NULL;
}

/* What an XAPI_OK call emitted: is it what the op must give, and usable? */
static int check_results(const xd_plugin *p, xd_sr_op op, const xd_sr_result *out,
			 xd_error *err)
{
	const char *opname = xd_pp_sr_op_names[op];
	if (must_emit_vdi(op) && out->nvdis == 0)
		return driver_bug(p, err, "the %s driver returned XAPI_OK from %s without emitting "
				  "the VDI", p->name, opname);
	for (size_t i = 0; i < out->nvdis; i++) {
		const xd_vdi_info *v = &out->vdis[i];
		const char *what = "location", *flaw = location_flaw(v->location);
		if (!flaw && v->snapshot_of && (flaw = location_flaw(v->snapshot_of)))
			what = "snapshot_of";
		if (!flaw && v->parent && (flaw = location_flaw(v->parent)))
			what = "parent";
		if (flaw)
			return driver_bug(p, err, "the %s driver emitted an unusable %s from %s: %s",
					  p->name, what, opname, flaw);
	}
	return 0;
}

int xd_plugin_verdict(const xd_plugin *p, xd_sr_op op, const xd_sr_args *a, json_object *done,
		      const xd_sr_result *out, xd_error *err)
{
	json_object *st = NULL;
	const char *opname = xd_pp_sr_op_names[op];
	const char *sr_uuid = a && a->sr && a->sr->uuid ? a->sr->uuid : "";
	json_object *e = xd_pp_obj(done, "err");
	if (!json_object_object_get_ex(done, "status", &st) || !json_object_is_type(st, json_type_int))
		return driver_bug(p, err, "the %s driver's worker answered %s without a status",
				  p->name, opname);
	int64_t status = json_object_get_int64(st);

	if (status == XAPI_E_UNSUPPORTED && xd_pp_int(done, "absent", 0))
		return xd_error_set(err, "SR_OPERATION_NOT_SUPPORTED", sr_uuid, NULL);
	if (!XAPI_STATUS_VALID(status)) {
		/* After an xapi_fail its error says more than ours; the bug is
		 * logged either way. */
		if (e) {
			xd_err("plugin %s: driver bug: the %s driver returned %lld from %s, which is "
			       "not a status (a bare errno?)", p->conf_name, p->name, (long long)status,
			       opname);
			return driver_error(e, sr_uuid, a ? a->location : NULL, err);
		}
		return driver_bug(p, err, "the %s driver returned %lld from %s, which is not a "
				  "status (a bare errno?)", p->name, (long long)status, opname);
	}
	if (status == XAPI_OK) {
		if (e)
			xd_warn("plugin %s: driver bug: %s called xapi_fail (\"%s\") and returned XAPI_OK: "
				"taken as a success", p->conf_name, opname,
				xd_pp_str(e, "msg") ? xd_pp_str(e, "msg") : "");
		return check_results(p, op, out, err);
	}
	if (e)
		return driver_error(e, sr_uuid, a ? a->location : NULL, err);
	return status_error(p, op, a, status, err);
}
