/* plugin_timeouts.c - per-operation limits of storage calls (see
 * plugin_timeouts.h). */
#define _GNU_SOURCE /* asprintf */
#include "plugin_timeouts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "timeout."

/* Operations that only look at or change metadata: a healthy driver ends
 * them in seconds, so one that has not after minutes is hung, and waiting
 * plugin_timeout (an hour) for it only blocks its SR. The others (create,
 * delete, snapshot, clone, resize of SRs and VDIs) may allocate, zero or
 * copy data for as long as the storage needs. */
static const char *const metadata_ops[] = {
	"sr_probe",   "sr_attach",  "sr_detach",     "sr_scan",    "sr_update",
	"vdi_attach", "vdi_detach", "vdi_introduce", "vdi_update",
};

static bool is_metadata(int op)
{
	for (size_t i = 0; i < sizeof metadata_ops / sizeof metadata_ops[0]; i++)
		if (strcmp(xd_pp_sr_op_names[op], metadata_ops[i]) == 0)
			return true;
	return false;
}

bool xd_op_timeout_key(const char *key)
{
	return key && strncmp(key, PREFIX, strlen(PREFIX)) == 0;
}

int xd_op_timeout_parse(xd_op_timeouts *t, const char *key, const char *value, char **why)
{
	*why = NULL;
	const char *name = key + strlen(PREFIX);
	int op = xd_pp_sr_op_index(name);
	if (op < 0) {
		char list[512] = "";
		for (int i = 0; i < XD_PP_SR_NOPS; i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
				 xd_pp_sr_op_names[i]);
		if (asprintf(why, "%s: '%s' is not a storage operation (%s)", key, name, list) < 0)
			*why = NULL;
		return -1;
	}
	char *end;
	errno = 0;
	double v = strtod(value, &end);
	/* strtod takes "inf", "nan" and hex: only plain finite numbers pass */
	if (errno || end == value || *end || !isfinite(v) || v <= 0) {
		if (asprintf(why, "%s = '%s' is not a number of seconds more than 0", key, value) < 0)
			*why = NULL;
		return -1;
	}
	t->s[op] = v;
	return 0;
}

double xd_op_timeout(const xd_op_timeouts *t, int op, double plugin_timeout, char *source,
		     size_t source_len)
{
	if (op >= 0 && op < XD_PP_SR_NOPS && t && t->s[op] > 0) {
		snprintf(source, source_len, PREFIX "%s", xd_pp_sr_op_names[op]);
		return t->s[op];
	}
	if (op >= 0 && op < XD_PP_SR_NOPS && is_metadata(op) &&
	    XD_METADATA_TIMEOUT_S < plugin_timeout) {
		snprintf(source, source_len, "the default for metadata operations");
		return XD_METADATA_TIMEOUT_S;
	}
	snprintf(source, source_len, "plugin_timeout");
	return plugin_timeout;
}
