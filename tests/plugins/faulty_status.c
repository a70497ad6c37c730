/* faulty_status.c - see faulty_status.h. */
#include "faulty_status.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int emit_at(const struct xapi_host *h, xapi_call_t *call, const char *location,
		   const char *parent, const char *uuid)
{
	struct xapi_vdi_info v = {
		.size = sizeof v,
		.location = location,
		.uuid = uuid,
		.virtual_size = 1 << 20,
		.physical_utilisation = 0,
		.parent = parent,
	};
	h->emit_vdi(call, &v);
	return XAPI_OK;
}

int faulty_status_fault(const struct xapi_host *h, xapi_call_t *call, const char *how,
			const char *uuid, int *rc)
{
	static const struct {
		const char *name;
		int status;
	} bare[] = {
		{ "st-failed", XAPI_E_FAILED },       { "st-unsupported", XAPI_E_UNSUPPORTED },
		{ "st-invalid", XAPI_E_INVALID },     { "st-notfound", XAPI_E_NOT_FOUND },
		{ "st-busy", XAPI_E_BUSY },           { "st-cancelled", XAPI_E_CANCELLED },
		{ "st-nospace", XAPI_E_NO_SPACE },    { "eio", -EIO },
		{ "minus1", -1 },                     { "positive", 7 },
		{ "noemit", XAPI_OK },
	};
	char loc[2048];
	if (!how)
		return 0;
	for (size_t i = 0; i < sizeof bare / sizeof bare[0]; i++)
		if (strcmp(how, bare[i].name) == 0) {
			*rc = bare[i].status;
			return 1;
		}
	if (strcmp(how, "fail-eio") == 0) {
		xapi_fail(h, call, NULL, 200, "General IO error: the disk said EIO");
		*rc = -EIO;
		return 1;
	}
	if (strcmp(how, "fail-ok") == 0) {
		xapi_fail(h, call, NULL, 200, "a failure the driver then ignored");
		snprintf(loc, sizeof loc, "faulty/%s", uuid ? uuid : "fail-ok");
		*rc = emit_at(h, call, loc, NULL, uuid);
		return 1;
	}
	if (strncmp(how, "fail-", 5) == 0 && how[5] >= '0' && how[5] <= '9') {
		int n = 0;
		sscanf(how + 5, "%d", &n);
		*rc = xapi_fail(h, call, NULL, n, "the faulty driver failed with %d", n);
		return 1;
	}
	if (strcmp(how, "fail-named") == 0) {
		*rc = xapi_fail(h, call, "VDI_IO_ERROR", 0, "the faulty disk cannot be read");
		return 1;
	}
	if (strcmp(how, "fail-oddcode") == 0) {
		*rc = xapi_fail(h, call, "not a code", 5, "an odd code");
		return 1;
	}
	if (strcmp(how, "loc-empty") == 0) {
		*rc = emit_at(h, call, "", NULL, uuid);
		return 1;
	}
	if (strcmp(how, "loc-ctrl") == 0) {
		*rc = emit_at(h, call, "faulty/line\nbreak", NULL, uuid);
		return 1;
	}
	if (strcmp(how, "loc-long") == 0) {
		memset(loc, 'x', 1025);
		loc[1025] = 0;
		*rc = emit_at(h, call, loc, NULL, uuid);
		return 1;
	}
	if (strcmp(how, "loc-utf8") == 0) {
		*rc = emit_at(h, call, "faulty/\xc3\x28", NULL, uuid);
		return 1;
	}
	if (strcmp(how, "parent-ctrl") == 0) {
		snprintf(loc, sizeof loc, "faulty/%s", uuid ? uuid : "parent-ctrl");
		*rc = emit_at(h, call, loc, "faulty/\x7f", uuid);
		return 1;
	}
	return 0;
}
