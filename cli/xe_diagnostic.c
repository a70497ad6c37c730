/* xe_diagnostic.c - `xe diagnostic-vm-status uuid=`: upstream's report of
 * where a VM could run and why not: its uuid, name, power state and
 * possible hosts; each of its VBDs with whether it is attachable; for each
 * host VM.assert_can_boot_here's verdict; and VM.assert_agile's. The
 * verdicts are worded as upstream's CLI words them.
 *
 * (The other diagnostic-* commands report on upstream's OCaml runtime and
 * database internals: not applicable here.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xe_cmds.h"
#include "xe_format.h"
#include "xe_obj.h"
#include "xe_util.h"

/* The object a ref names, by uuid, as upstream's ref_convert. */
static const char *uuid_of(xe_client *x, const char *cls, const char *ref)
{
	const char *u = xe_client_ref_uuid(x, cls, ref);

	return u ? u : ref;
}

/* An assertion's failure as upstream's print_assert_exception words it
 * (heap); the generic form is OCaml's printing of the exception. */
static char *explain(xe_client *x, const xd_error *e)
{
	const char *p1 = e->nparams > 0 ? e->params[0] : "", *p2 = e->nparams > 1 ? e->params[1] : "";
	xd_strbuf b = XD_STRBUF_INIT;

	if (!strcmp(e->code, "VM_REQUIRES_SR")) {
		xd_strbuf_printf(&b, "VM requires access to SR: %s", uuid_of(x, "SR", p2));
	} else if (!strcmp(e->code, "HOST_DISABLED")) {
		xd_strbuf_puts(&b, "Host disabled (use 'xe host-enable' to re-enable)");
	} else if (!strcmp(e->code, "HOST_NOT_LIVE")) {
		xd_strbuf_puts(&b, "Host down");
	} else if (!strcmp(e->code, "HOST_NOT_ENOUGH_FREE_MEMORY")) {
		xd_strbuf_puts(&b, "Not enough free memory");
	} else if (!strcmp(e->code, "VM_REQUIRES_NET")) {
		xd_strbuf_printf(&b, "VM requires access to network: %s", uuid_of(x, "network", p2));
	} else if (!strcmp(e->code, "INVALID_VALUE") && e->nparams == 2) {
		xd_strbuf_printf(&b, "Field has invalid value: %s = %s", p1, p2);
	} else if (!strcmp(e->code, "HA_CONSTRAINT_VIOLATION_SR_NOT_SHARED")) {
		xd_strbuf_printf(&b, "VM requires access to non-shared SR: %s. SR must both be marked "
				     "as shared and a properly configured PBD must be plugged-in on "
				     "every host",
				 uuid_of(x, "SR", p1));
	} else if (!strcmp(e->code, "HA_CONSTRAINT_VIOLATION_NETWORK_NOT_SHARED")) {
		xd_strbuf_printf(&b, "VM requires access to non-shared Network: %s. Network must "
				     "either be entirely virtual or there must be a PIF connecting to "
				     "this Network on every host.",
				 uuid_of(x, "network", p1));
	} else {
		xd_strbuf_printf(&b, "Server_error(%s, [ ", e->code);
		for (size_t i = 0; i < e->nparams; i++)
			xd_strbuf_printf(&b, "%s%s", i ? "; " : "", e->params[i]);
		xd_strbuf_puts(&b, " ])");
	}
	return xd_strbuf_steal(&b);
}

/* Calls an assertion: NULL if it holds, else the reason (heap). */
static char *assertion(xe_client *x, const char *method, xd_value *args)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *r = xe_client_try(x, method, args, &err);
	char *why = NULL;

	if (!r)
		why = err.code ? explain(x, &err) : xe_strdup("the call failed");
	xd_value_free(r);
	xd_error_clear(&err);
	return why;
}

static void print_block(const char *const *labels, const char *const *values, size_t n)
{
	char *text = xe_render_record(labels, values, n);

	printf("%s\n\n", text);
	free(text);
}

static const char *str(const xd_value *rec, const char *field)
{
	const xd_value *v = xd_struct_get(rec, field);

	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static const char *yes_no(const xd_value *rec, const char *field)
{
	const xd_value *v = xd_struct_get(rec, field);

	return v && v->t == XD_V_BOOL && v->u.b ? "true" : "false";
}

static void show_vm(xe_client *x, const char *vm, const xd_value *rec)
{
	static const char *const labels[] = { "uuid ( RO)", "name-label ( RW)", "power-state ( RO)",
					      "possible-hosts ( RO)" };
	xd_value *hosts = xe_client_call(x, "VM.get_possible_hosts", xe_strings(1, vm));
	xd_strbuf h = XD_STRBUF_INIT;
	char *power = xe_lower(str(rec, "power_state"));
	const char *vals[4];

	for (size_t i = 0; hosts && i < hosts->u.arr.n; i++)
		xd_strbuf_printf(&h, "%s%s", i ? "; " : "", uuid_of(x, "host", hosts->u.arr.items[i]->u.s));
	vals[0] = str(rec, "uuid");
	vals[1] = str(rec, "name_label");
	vals[2] = power;
	vals[3] = h.data ? h.data : "";
	print_block(labels, vals, 4);
	free(power);
	xd_strbuf_free(&h);
	xd_value_free(hosts);
}

static void show_vbd(xe_client *x, const char *vbd)
{
	static const char *const labels[] = { "uuid ( RO)", "vdi-uuid ( RO)", "empty ( RO)",
					      "device ( RO)", "userdevice ( RW)", "mode ( RW)",
					      "type ( RW)", "attachable ( RO)", "storage-lock ( RO)" };
	xd_value *rec = xe_client_call(x, "VBD.get_record", xe_strings(1, vbd));
	char *why, *attachable;
	const char *vals[9], *vdi;

	if (!rec)
		return;
	vdi = str(rec, "VDI");
	why = assertion(x, "VBD.assert_attachable", xe_strings(1, vbd));
	attachable = why ? xe_printf("false (error: %s)", why) : xe_strdup("true");
	vals[0] = str(rec, "uuid");
	vals[1] = strcmp(vdi, "OpaqueRef:NULL") ? uuid_of(x, "VDI", vdi) : "<not in database>";
	vals[2] = yes_no(rec, "empty");
	vals[3] = str(rec, "device");
	vals[4] = str(rec, "userdevice");
	vals[5] = str(rec, "mode");
	vals[6] = str(rec, "type");
	vals[7] = attachable;
	vals[8] = yes_no(rec, "storage_lock");
	print_block(labels, vals, 9);
	free(why);
	free(attachable);
	xd_value_free(rec);
}

static void show_hosts(xe_client *x, const char *vm)
{
	xd_value *hosts = xe_client_call(x, "host.get_all", NULL);

	for (size_t i = 0; hosts && i < hosts->u.arr.n; i++) {
		const char *h = hosts->u.arr.items[i]->u.s;
		const char *name = xe_client_ref_name(x, "host", h);
		char *why = assertion(x, "VM.assert_can_boot_here", xe_strings(2, vm, h));

		if (why)
			printf("%s: Cannot start here [%s]\n", name ? name : h, why);
		else
			printf("%s: OK\n", name ? name : h);
		free(why);
	}
	printf("\n\n");
	xd_value_free(hosts);
}

static int cmd_diagnostic_vm_status(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "uuid");
	char *vm = uuid ? xe_client_ref_by_uuid(x, "VM", uuid) : NULL;
	xd_value *rec = vm ? xe_client_call(x, "VM.get_record", xe_strings(1, vm)) : NULL;
	const xd_value *vbds;
	char *why;

	if (!rec) {
		free(vm);
		return 1;
	}
	show_vm(x, vm, rec);
	printf("Checking to see whether disks are attachable\n");
	vbds = xd_struct_get(rec, "VBDs");
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++)
		show_vbd(x, vbds->u.arr.items[i]->u.s);
	printf("Checking to see whether VM can boot on each host\n");
	show_hosts(x, vm);
	why = assertion(x, "VM.assert_agile", xe_strings(1, vm));
	if (why)
		printf("VM is not agile because: %s\n", why);
	else
		printf("VM is agile.\n");
	free(why);
	xd_value_free(rec);
	free(vm);
	return 0;
}

static const xe_named_cmd cmds[] = {
	{ "diagnostic-vm-status", cmd_diagnostic_vm_status, "uuid", "",
	  "Query the hosts on which the VM can boot, check the sharing/locking status of all "
	  "VBDs." },
};

const size_t xe_diagnostic_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_diagnostic_cmds = cmds;
