/* xe_vm_install.c - vm-install (a VM from a template: clone, or copy onto
 * sr-uuid=, the template's `disks` provisioned on that SR or the pool's
 * default SR) and the uninstall commands (vm-, template-, snapshot-): the
 * VM records and the disks they own, listed first and destroyed with
 * --force or after the user types yes, as upstream xe does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"
#include "xe_util.h"

static const char *str_field(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;

	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static bool is_null_ref(const char *ref)
{
	return !ref || !*ref || strcmp(ref, "OpaqueRef:NULL") == 0;
}

/* ---- vm-install ---- */

/* The template by template-uuid=, template-name-label= / template-name=,
 * or template= (a uuid, else a name-label). Caller frees. */
static char *find_template(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_opts_get(o, "template-uuid");
	const char *name = xe_opts_get(o, "template-name-label");
	const char *any = xe_opts_get(o, "template");
	xd_value *all, *is;
	char *ref = NULL;
	size_t found = 0;

	if (!name)
		name = xe_opts_get(o, "template-name");
	if (!uuid && !name && any) {
		xd_error err = XD_ERROR_INIT;
		xd_value *r = xe_client_try(x, "VM.get_by_uuid", xe_strings(1, any), &err);

		xd_error_clear(&err);
		if (r && r->t == XD_V_STRING)
			ref = xe_strdup(r->u.s);
		xd_value_free(r);
		if (!ref)
			name = any;
	} else if (uuid) {
		ref = xe_client_ref_by_uuid(x, "VM", uuid);
		if (!ref)
			return NULL;
	} else if (!name) {
		xe_failure("Template must be specified by parameter 'template-uuid', "
			   "'template-name', 'template-name-label' or 'template'");
		return NULL;
	}
	if (!ref && name) {
		all = xe_client_call(x, "VM.get_all_records", NULL);
		if (!all)
			return NULL;
		for (size_t i = 0; all->t == XD_V_STRUCT && i < all->u.st.n; i++) {
			const xd_value *rec = all->u.st.m[i].v;
			const xd_value *t = xd_struct_get(rec, "is_a_template");
			const xd_value *cd = xd_struct_get(rec, "is_control_domain");

			if (t && t->t == XD_V_BOOL && t->u.b && !(cd && cd->t == XD_V_BOOL && cd->u.b) &&
			    strcmp(str_field(rec, "name_label"), name) == 0) {
				found++;
				free(ref);
				ref = xe_strdup(all->u.st.m[i].name);
			}
		}
		xd_value_free(all);
		if (found != 1) {
			xe_failure(found ? "More than one matching template found"
					 : "No templates matched");
			free(ref);
			return NULL;
		}
	}
	is = xe_client_call(x, "VM.get_is_a_template", xe_strings(1, ref));
	if (is && is->t == XD_V_BOOL && is->u.b) {
		xd_value_free(is);
		return ref;
	}
	if (is)
		xe_failure("Can only install from templates");
	xd_value_free(is);
	free(ref);
	return NULL;
}

/* The SR of sr-uuid= and/or sr-name-label= (both must agree); *ref stays
 * NULL if neither is given. 0, or -1 after printing the error. */
static int install_sr(xe_client *x, const xe_opts *o, char **ref)
{
	const char *uuid = xe_opts_get(o, "sr-uuid");
	const char *name = xe_opts_get(o, "sr-name-label");
	xd_value *srs;
	int rc = 0;

	*ref = NULL;
	if (uuid && !(*ref = xe_client_ref_by_uuid(x, "SR", uuid)))
		return -1;
	if (!name)
		return 0;
	srs = xe_client_call(x, "SR.get_by_name_label", xe_strings(1, name));
	if (!srs || srs->t != XD_V_ARRAY) {
		rc = -1;
	} else if (srs->u.arr.n == 0) {
		xe_failure("No SR with that name-label found");
		rc = -1;
	} else if (*ref) {
		bool in = false;

		for (size_t i = 0; i < srs->u.arr.n; i++)
			in |= strcmp(srs->u.arr.items[i]->u.s, *ref) == 0;
		if (!in) {
			xe_failure("SR specified via sr-uuid doesn't have the name specified via "
				   "sr-name-label");
			rc = -1;
		}
	} else if (srs->u.arr.n > 1) {
		xe_failure("Multiple SRs with that name-label found");
		rc = -1;
	} else {
		*ref = xe_strdup(srs->u.arr.items[0]->u.s);
	}
	xd_value_free(srs);
	if (rc < 0) {
		free(*ref);
		*ref = NULL;
	}
	return rc;
}

/* The pool's default SR's uuid, or NULL if it has none that exists. */
static char *default_sr_uuid(xe_client *x)
{
	char *ref = xe_default_sr(x, NULL);
	const char *u = ref ? xe_client_ref_uuid(x, "SR", ref) : NULL;
	char *uuid = u ? xe_strdup(u) : NULL;

	free(ref);
	return uuid;
}

/* The template's `disks` provision XML with every disk that names no SR
 * (sr="") put on sr_uuid, as upstream's rewrite_provisioning_xml does. */
static char *rewrite_disks(const char *xml, const char *sr_uuid)
{
	static const char empty[] = "sr=\"\"";
	size_t n = 0, ul = strlen(sr_uuid);
	char *out, *w;

	for (const char *p = xml; (p = strstr(p, empty)); p += sizeof(empty) - 1)
		n++;
	out = xe_calloc(strlen(xml) + n * ul + 1, 1);
	w = out;
	for (const char *p = xml;;) {
		const char *hit = strstr(p, empty);

		if (!hit) {
			strcpy(w, p);
			break;
		}
		memcpy(w, p, (size_t)(hit - p) + 4); /* up to and with sr=" */
		w += hit - p + 4;
		memcpy(w, sr_uuid, ul);
		w += ul;
		*w++ = '"';
		p = hit + sizeof(empty) - 1;
	}
	return out;
}

/* After the clone/copy: description, suspend SR, the disks' SR, provision,
 * and the BIOS strings of host bios_from (copy-bios-strings-from=) if given. */
static int install_finish(xe_client *x, const char *vm, const char *tmpl, const char *sr,
			  const char *sr_uuid, const char *bios_from)
{
	xd_value *oc, *ssr;
	const xd_value *disks;
	int rc;

	if (xe_client_call_ok(x, "VM.set_name_description",
			      xe_strings(2, vm, "Installed via xe CLI")) < 0)
		return -1;
	ssr = sr ? xd_string(sr) : xe_client_call(x, "VM.get_suspend_SR", xe_strings(1, tmpl));
	if (!ssr)
		return -1;
	{
		xd_value *args = xe_strings(1, vm);

		xd_array_append_take(args, ssr);
		if (xe_client_call_ok(x, "VM.set_suspend_SR", args) < 0)
			return -1;
	}
	oc = xe_client_call(x, "VM.get_other_config", xe_strings(1, vm));
	if (!oc)
		return -1;
	disks = oc->t == XD_V_STRUCT ? xd_struct_get(oc, "disks") : NULL;
	rc = 0;
	if (disks && disks->t == XD_V_STRING && sr_uuid) {
		char *xml = rewrite_disks(disks->u.s, sr_uuid);

		if (xe_client_call_ok(x, "VM.remove_from_other_config", xe_strings(2, vm, "disks")) < 0 ||
		    xe_client_call_ok(x, "VM.add_to_other_config", xe_strings(3, vm, "disks", xml)) < 0)
			rc = -1;
		free(xml);
	} else if (disks && !sr_uuid) {
		xe_failure("Failed to find a valid default SR for the Pool. Please provide an "
			   "sr-name-label or sr-uuid parameter.");
		rc = -1;
	}
	xd_value_free(oc);
	if (rc == 0)
		rc = xe_client_call_ok(x, "VM.provision", xe_strings(1, vm));
	if (rc == 0 && bios_from) {
		char *host = xe_client_ref_by_uuid(x, "host", bios_from);

		rc = host ? xe_client_call_ok(x, "VM.copy_bios_strings", xe_strings(2, vm, host)) : -1;
		free(host);
	}
	return rc;
}

int xe_cmd_vm_install(xe_client *x, const xe_opts *o)
{
	const char *name = xe_obj_required(o, "new-name-label");
	char *tmpl = name ? find_template(x, o) : NULL;
	char *sr = NULL, *sr_uuid = NULL;
	xd_value *snap = NULL, *vm = NULL;
	int rc = 1;

	if (!tmpl)
		return 1;
	snap = xe_client_call(x, "VM.get_is_a_snapshot", xe_strings(1, tmpl));
	if (!snap)
		goto out;
	if (snap->t == XD_V_BOOL && snap->u.b &&
	    (xe_opts_get(o, "sr-uuid") || xe_opts_get(o, "sr-name-label"))) {
		xe_failure("Do not use the sr-name-label or sr-uuid argument when installing from a "
			   "snapshot. By default, it will install each new disk on the same SR as "
			   "the corresponding snapshot disks.");
		goto out;
	}
	if (install_sr(x, o, &sr) < 0)
		goto out;
	if (sr) {
		const char *u = xe_client_ref_uuid(x, "SR", sr);

		sr_uuid = u ? xe_strdup(u) : NULL;
	} else {
		sr_uuid = default_sr_uuid(x);
	}
	vm = sr ? xe_client_call(x, "VM.copy", xe_strings(3, tmpl, name, sr))
		: xe_client_call(x, "VM.clone", xe_strings(2, tmpl, name));
	if (!vm || vm->t != XD_V_STRING)
		goto out;
	if (install_finish(x, vm->u.s, tmpl, sr, sr_uuid,
			   xe_opts_get(o, "copy-bios-strings-from")) < 0) {
		/* Nothing half-made is left behind. */
		xd_value *d = xe_client_call(x, "VM.destroy", xe_strings(1, vm->u.s));

		xd_value_free(d);
		goto out;
	}
	rc = xe_print_new_uuid(x, "VM", vm);
out:
	xd_value_free(snap);
	xd_value_free(vm);
	free(tmpl);
	free(sr);
	free(sr_uuid);
	return rc;
}

/* ---- uninstall ---- */

typedef struct doomed {
	char **vms;
	size_t nvms;
	char **vdis;
	size_t nvdis;
} doomed;

static void push(char ***list, size_t *n, const char *ref)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i], ref) == 0)
			return;
	*list = xe_realloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xe_strdup(ref);
}

static void doomed_clear(doomed *d)
{
	for (size_t i = 0; i < d->nvms; i++)
		free(d->vms[i]);
	for (size_t i = 0; i < d->nvdis; i++)
		free(d->vdis[i]);
	free(d->vms);
	free(d->vdis);
}

/* The VM and what it owns: the VDIs of its VBDs whose other_config has
 * "owner", and its suspend image. */
static int add_vm(xe_client *x, doomed *d, const char *vm)
{
	xd_value *rec = xe_client_call(x, "VM.get_record", xe_strings(1, vm));
	const xd_value *vbds;

	if (!rec)
		return -1;
	push(&d->vms, &d->nvms, vm);
	vbds = xd_struct_get(rec, "VBDs");
	for (size_t i = 0; vbds && vbds->t == XD_V_ARRAY && i < vbds->u.arr.n; i++) {
		xd_value *vbd = xe_client_call(x, "VBD.get_record",
					       xe_strings(1, vbds->u.arr.items[i]->u.s));
		const xd_value *oc = vbd ? xd_struct_get(vbd, "other_config") : NULL;
		const char *vdi = str_field(vbd, "VDI");

		if (oc && oc->t == XD_V_STRUCT && xd_struct_get(oc, "owner") && !is_null_ref(vdi) &&
		    xe_client_ref_uuid(x, "VDI", vdi))
			push(&d->vdis, &d->nvdis, vdi);
		xd_value_free(vbd);
	}
	if (!is_null_ref(str_field(rec, "suspend_VDI")) &&
	    xe_client_ref_uuid(x, "VDI", str_field(rec, "suspend_VDI")))
		push(&d->vdis, &d->nvdis, str_field(rec, "suspend_VDI"));
	xd_value_free(rec);
	return x->broken ? -1 : 0;
}

static void print_vdi(xe_client *x, const char *vdi)
{
	xd_value *rec = xe_client_call(x, "VDI.get_record", xe_strings(1, vdi));
	const xd_value *vbds = rec ? xd_struct_get(rec, "VBDs") : NULL;

	if (!rec)
		return;
	printf("VDI: %s (%s) %s\n", str_field(rec, "uuid"), str_field(rec, "name_label"),
	       vbds && vbds->t == XD_V_ARRAY && vbds->u.arr.n > 1
		       ? " ** WARNING: disk is shared by other VMs" : "");
	xd_value_free(rec);
}

/* Upstream asks on the terminal; a script says --force. */
static bool user_says_yes(void)
{
	char line[256] = "";
	size_t n;

	printf("Type 'yes' to continue\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (strcmp(line, "yes") == 0)
		return true;
	printf("Aborted (you typed: '%s')\n", line);
	return false;
}

static int uninstall(xe_client *x, const xe_opts *o, doomed *d)
{
	int rc = 0;

	printf("The following items are about to be destroyed\n");
	for (size_t i = 0; i < d->nvms; i++)
		printf("VM : %s (%s)\n", xe_client_ref_uuid(x, "VM", d->vms[i]),
		       xe_client_ref_name(x, "VM", d->vms[i]));
	for (size_t i = 0; i < d->nvdis; i++)
		print_vdi(x, d->vdis[i]);
	if (!xe_opts_flag(o, "force") && !user_says_yes())
		return 0;
	for (size_t i = 0; i < d->nvms && rc == 0; i++) {
		xd_value *ps = xe_client_call(x, "VM.get_power_state", xe_strings(1, d->vms[i]));

		if (!ps)
			rc = -1;
		else if (ps->t == XD_V_STRING && strcmp(ps->u.s, "Halted") != 0)
			rc = xe_client_call_ok(x, "VM.hard_shutdown", xe_strings(1, d->vms[i]));
		xd_value_free(ps);
		if (rc == 0)
			rc = xe_client_call_ok(x, "VM.destroy", xe_strings(1, d->vms[i]));
	}
	for (size_t i = 0; i < d->nvdis && rc == 0; i++)
		rc = xe_client_call_ok(x, "VDI.destroy", xe_strings(1, d->vdis[i]));
	if (rc == 0)
		printf("All objects destroyed\n");
	return rc < 0 ? 1 : 0;
}

static int op_collect(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	doomed *d = ud;
	const xd_value *snaps = xd_struct_get(vm->rec, "snapshots");

	(void)o;
	if (add_vm(x, d, vm->ref) < 0)
		return 1;
	for (size_t i = 0; snaps && snaps->t == XD_V_ARRAY && i < snaps->u.arr.n; i++)
		if (add_vm(x, d, snaps->u.arr.items[i]->u.s) < 0)
			return 1;
	return 0;
}

int xe_cmd_vm_uninstall(xe_client *x, const xe_opts *o)
{
	static const char *const own[] = { "force", NULL };
	const xe_selspec spec = { "VM", "vm", XE_VM_IMPLICIT, own, "VMs", "VM" };
	doomed d = { 0 };
	int rc = xe_select_each(x, o, &spec, true, op_collect, &d);

	if (rc == 0)
		rc = uninstall(x, o, &d);
	doomed_clear(&d);
	return rc;
}

int xe_cmd_template_uninstall(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "template-uuid");
	char *ref = uuid ? xe_client_ref_by_uuid(x, "VM", uuid) : NULL;
	xd_value *is = ref ? xe_client_call(x, "VM.get_is_a_template", xe_strings(1, ref)) : NULL;
	doomed d = { 0 };
	int rc = 1;

	if (is && !(is->t == XD_V_BOOL && is->u.b))
		xe_failure("This operation can only be performed on a VM template. %s is not a VM "
			   "template.", uuid);
	else if (is && add_vm(x, &d, ref) == 0)
		rc = uninstall(x, o, &d);
	xd_value_free(is);
	doomed_clear(&d);
	free(ref);
	return rc;
}

int xe_cmd_snapshot_uninstall(xe_client *x, const xe_opts *o)
{
	char *ref = xe_snapshot_ref(x, o);
	doomed d = { 0 };
	int rc = 1;

	if (ref && add_vm(x, &d, ref) == 0)
		rc = uninstall(x, o, &d);
	doomed_clear(&d);
	free(ref);
	return rc;
}
