/* plugin_required.c - the device_config keys a storage driver marks
 * XAPI_CONFIG_REQUIRED, checked before the driver runs (SR.create, SR.probe,
 * PBD.plug), with the error sm's drivers give for a missing key. xapi itself
 * does not check device_config: its drivers do, each with a code per key
 * (XE_SR_ERRORCODES.xml), so the well-known keys get those codes and the
 * others sm's generic ConfigParamsMissing (115). */
#define _GNU_SOURCE /* asprintf */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "plugins_int.h"

/* sm's codes for a missing device-config key, with its wording. */
static const struct {
	const char *key;
	int code;
	const char *text;
} sm_missing[] = {
	{ "location", 94, "The request is missing the location parameter" },
	{ "device", 90, "The request is missing the device parameter" },
	{ "serverpath", 101, "The request is missing the serverpath parameter" },
	{ "server", 102, "The request is missing the server parameter" },
	{ "target", 95, "The request is missing the target parameter" },
	{ "targetIQN", 96, "The request is missing or has an incorrect target IQN parameter" },
	{ "SCSIid", 107, "The SCSIid parameter is missing or incorrect" },
	{ "LUNid", 89, "The request is missing the LUNid parameter" },
};

void xd_plugin_note_required(xd_plugin *p, const char *key, const char *description,
			     int64_t bits)
{
	xd_struct_set_take(p->required, key, xd_int(bits));
	/* SM.configuration is how clients (and the conformance kit) see it */
	if (description && strstr(description, "required"))
		return;
	char *d = NULL;
	if (asprintf(&d, "%s%s(required)", description ? description : "",
		     description && *description ? " " : "") < 0)
		return;
	xd_struct_set_take(p->configuration, key, xd_string_take(d));
}

static int missing(const xd_plugin *p, const char *key, xd_error *err)
{
	for (size_t i = 0; i < sizeof sm_missing / sizeof sm_missing[0]; i++)
		if (strcmp(sm_missing[i].key, key) == 0) {
			char code[48];
			snprintf(code, sizeof code, "SR_BACKEND_FAILURE_%d", sm_missing[i].code);
			return xd_error_set(err, code, "", sm_missing[i].text, "", NULL);
		}
	char *text = NULL;
	if (asprintf(&text, "Not all required parameters specified. [opterr=device-config:%s "
		     "is required by the %s driver]", key, p->name) < 0)
		text = NULL;
	xd_error_set(err, "SR_BACKEND_FAILURE_115", "", text ? text : "", "", NULL);
	free(text);
	return -1;
}

int xd_plugin_check_required(const xd_plugin *p, xd_sr_op op, const xd_sr_args *args,
			     xd_error *err)
{
	const xd_value *dc;
	if (op == XD_SR_PROBE)
		dc = args ? args->device_config : NULL;
	else if (op == XD_SR_CREATE || op == XD_SR_ATTACH)
		dc = args && args->sr ? args->sr->device_config : NULL;
	else
		return 0;
	for (size_t i = 0; p->required && i < p->required->u.st.n; i++) {
		const xd_member *m = &p->required->u.st.m[i];
		if (op == XD_SR_PROBE && (m->v->u.i & XAPI_CONFIG_PROBE_OPTIONAL))
			continue;
		const xd_value *v = dc && dc->t == XD_V_STRUCT ? xd_struct_get(dc, m->name) : NULL;
		/* an empty value (xe device-config:location=) is as good as none */
		if (!v || (v->t == XD_V_STRING && !v->u.s[0])) {
			xd_info("plugin %s: %s refused: device-config:%s is required", p->conf_name,
				xd_pp_sr_op_names[op], m->name);
			return missing(p, m->name, err);
		}
	}
	return 0;
}
