/* vm_provision.c - VM.provision, as xapi's xapi_templates.ml: a template's
 * other_config "disks" holds
 *     <provision><disk device="0" size="8589934592" sr="<SR uuid>"
 *                      bootable="true" type="system"/>...</provision>
 * and provisioning makes each disk (a VDI on that SR, a VBD on the VM),
 * drops the key so it is not done twice, and turns the template into a VM
 * (its "install time"). A failure takes back the disks made so far. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "storage_api.h"
#include "tasks/tasks.h"
#include "vm_int.h"

typedef struct disk_spec {
	char *device, *sr, *type;
	int64_t size;
	bool bootable;
} disk_spec;

/* The value of attribute name in the element text [p, end) (heap), XML
 * entities decoded; NULL if absent. */
static char *attribute(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	for (const char *q = p; q + n + 2 < end; q++) {
		if (strncmp(q, name, n) != 0 || (q > p && q[-1] != ' ' && q[-1] != '\t' &&
						  q[-1] != '\n' && q[-1] != '\r'))
			continue;
		const char *v = q + n;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= end || *v != '=')
			continue;
		v++;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= end || (*v != '"' && *v != '\''))
			continue;
		char quote = *v++;
		const char *close = memchr(v, quote, (size_t)(end - v));
		if (!close)
			return NULL;
		char *out = malloc((size_t)(close - v) + 1), *o = out;
		if (!out)
			abort();
		static const struct {
			const char *ent;
			char c;
		} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
			     { "&apos;", '\'' } };
		while (v < close) {
			size_t k;
			for (k = 0; k < 5; k++) {
				size_t l = strlen(ents[k].ent);
				if ((size_t)(close - v) >= l && strncmp(v, ents[k].ent, l) == 0) {
					*o++ = ents[k].c;
					v += l;
					break;
				}
			}
			if (k == 5)
				*o++ = *v++;
		}
		*o = 0;
		return out;
	}
	return NULL;
}

static void specs_free(disk_spec *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(d[i].device);
		free(d[i].sr);
		free(d[i].type);
	}
	free(d);
}

/* The <disk/> elements of the provision XML. Anything else is
 * INTERNAL_ERROR, as xapi's Parse_failure. */
static disk_spec *parse_disks(const char *xml, size_t *n, xd_error *err)
{
	disk_spec *out = NULL;
	size_t cap = 0;
	*n = 0;
	if (!strstr(xml, "<provision")) {
		xd_error_set(err, "INTERNAL_ERROR", "other_config:disks is not a <provision> document",
			     NULL);
		return NULL;
	}
	for (const char *p = strstr(xml, "<disk"); p; p = strstr(p + 1, "<disk")) {
		const char *end = strchr(p, '>');
		char *dev = end ? attribute(p, end, "device") : NULL;
		char *size = end ? attribute(p, end, "size") : NULL;
		char *sr = end ? attribute(p, end, "sr") : NULL;
		char *boot = end ? attribute(p, end, "bootable") : NULL;
		char *type = end ? attribute(p, end, "type") : NULL;
		char *tail = NULL;
		long long bytes = size ? strtoll(size, &tail, 10) : -1;
		bool ok = dev && size && sr && boot && tail && !*tail && bytes >= 0;
		if (ok) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 4;
				out = realloc(out, cap * sizeof *out);
				if (!out)
					abort();
			}
			disk_spec *d = &out[(*n)++];
			d->device = dev;
			d->sr = sr;
			d->size = bytes;
			d->bootable = strcmp(boot, "true") == 0;
			d->type = type ? type : strdup("system");
			dev = sr = type = NULL;
		}
		free(dev);
		free(size);
		free(sr);
		free(boot);
		free(type);
		if (!ok) {
			specs_free(out, *n);
			xd_error_set(err, "INTERNAL_ERROR", "other_config:disks: a <disk> lacks an attribute",
				     NULL);
			return NULL;
		}
	}
	if (!out)
		out = calloc(1, sizeof *out);
	return out;
}

/* A message run in-process through its handler (its checks and hooks). */
static xd_value *call_api(const xd_call *parent, const char *cls, const char *msg,
			  xd_value *arg, xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	const xd_message *m = xd_dm_message(c, msg);
	xd_handler_fn fn = m ? xd_rpc_handler(c, m) : NULL;
	if (!fn || m->nparams != 1) {
		xd_error_setf(err, "INTERNAL_ERROR", "no handler for %s.%s", cls, msg);
		return NULL;
	}
	xd_value *args[1] = { arg };
	xd_call call = *parent;
	call.cls = c;
	call.msg = m;
	call.args = args;
	call.nargs = 1;
	return fn(&call, err);
}

static char *make_disk(const xd_call *call, const char *vm, const char *vm_uuid,
		       const disk_spec *d, char **vbd_out, xd_error *err)
{
	const xd_class *sc = xd_dm_class("SR");
	char *sr = xd_db_ref_by_uuid(sc, d->sr);
	*vbd_out = NULL;
	if (!sr) {
		xd_error_set(err, "UUID_INVALID", "sr", d->sr, NULL);
		return NULL;
	}
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "name_label", xd_string(d->device));
	xd_struct_set_take(rec, "name_description", xd_string("Created by template provisioner"));
	xd_struct_set_take(rec, "SR", xd_string(sr));
	xd_struct_set_take(rec, "virtual_size", xd_int(d->size));
	xd_struct_set_take(rec, "type", xd_string(d->type));
	xd_struct_set_take(rec, "sharable", xd_bool(false));
	xd_struct_set_take(rec, "read_only", xd_bool(false));
	xd_struct_set_take(rec, "other_config", xd_struct());
	xd_value *sm = xd_struct();
	xd_struct_set_take(sm, "vmhint", xd_string(vm_uuid));
	xd_struct_set_take(rec, "sm_config", sm);
	const xd_enum *types = xd_dm_enum("vdi_type");
	bool known = false;
	for (size_t i = 0; types && i < types->nvalues; i++)
		known |= strcmp(types->values[i], d->type) == 0;
	if (!known) {
		xd_value_free(rec);
		free(sr);
		xd_error_setf(err, "INTERNAL_ERROR", "string2vdi_type: Unknown VDI type \"%s\"", d->type);
		return NULL;
	}
	char *vdi = xd_vdi_create_record(call->task, rec, err); /* rec taken */
	free(sr);
	if (!vdi)
		return NULL;
	xd_value *vbd = xd_struct();
	xd_struct_set_take(vbd, "VM", xd_string(vm));
	xd_struct_set_take(vbd, "VDI", xd_string(vdi));
	xd_struct_set_take(vbd, "userdevice", xd_string(d->device));
	xd_struct_set_take(vbd, "bootable", xd_bool(d->bootable));
	xd_struct_set_take(vbd, "mode", xd_string("RW"));
	xd_struct_set_take(vbd, "type", xd_string("Disk"));
	xd_struct_set_take(vbd, "unpluggable", xd_bool(strcmp(d->type, "system") != 0));
	xd_struct_set_take(vbd, "empty", xd_bool(false));
	xd_value *oc = xd_struct();
	xd_struct_set_take(oc, "owner", xd_string(""));
	xd_struct_set_take(vbd, "other_config", oc);
	xd_struct_set_take(vbd, "qos_algorithm_type", xd_string(""));
	xd_struct_set_take(vbd, "qos_algorithm_params", xd_struct());
	xd_value *ref = call_api(call, "VBD", "create", vbd, err);
	xd_value_free(vbd);
	if (!ref) {
		xd_error e = XD_ERROR_INIT;
		xd_vm_vdi_destroy(call, vdi, &e);
		xd_error_clear(&e);
		free(vdi);
		return NULL;
	}
	*vbd_out = strdup(ref->u.s);
	xd_value_free(ref);
	return vdi;
}

static int provision_disks(const xd_call *call, const char *vm, const xd_value *rec,
			   const char *xml, xd_error *err)
{
	size_t n = 0;
	disk_spec *d = parse_disks(xml, &n, err);
	if (!d)
		return -1;
	char **vdis = calloc(n + 1, sizeof *vdis), **vbds = calloc(n + 1, sizeof *vbds);
	if (!vdis || !vbds)
		abort();
	int rc = 0;
	size_t made = 0;
	for (; made < n && rc == 0; made++) {
		vdis[made] = make_disk(call, vm, xd_rec_str(rec, "uuid"), &d[made], &vbds[made], err);
		if (!vdis[made])
			rc = -1;
		if (call->task)
			xd_task_set_progress(call->task, 0.1 + 0.8 * (double)(made + 1) / (double)n);
	}
	for (size_t i = 0; i < n; i++) {
		if (rc < 0 && vbds[i]) { /* as xapi: what was made goes again */
			xd_error e = XD_ERROR_INIT;
			xd_db_destroy(xd_dm_class("VBD"), vbds[i], &e);
			xd_error_clear(&e);
		}
		if (rc < 0 && vdis[i]) {
			xd_error e = XD_ERROR_INIT;
			xd_vm_vdi_destroy(call, vdis[i], &e);
			xd_error_clear(&e);
		}
		free(vdis[i]);
		free(vbds[i]);
	}
	free(vdis);
	free(vbds);
	specs_free(d, n);
	return rc;
}

static xd_value *h_provision(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	char *key = NULL;
	if (xd_check_ref(xd_dm_class("VM"), vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, "provision", &key, err) < 0)
		return NULL;
	int rc = -1;
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	const char *xml = rec ? xd_rec_map_get(rec, "other_config", "disks") : NULL;
	if (rec && (!xml || provision_disks(call, vm, rec, xml, err) == 0)) {
		xd_vm_update *u = xd_vm_update_begin(vm, err);
		if (u) {
			xd_value *after = xd_vm_update_after(u);
			xd_rec_set(after, "is_a_template", xd_bool(false));
			xd_value *oc = xd_struct_get(after, "other_config");
			if (oc && oc->t == XD_V_STRUCT) {
				xd_struct_remove(oc, "disks");
				xd_struct_remove(oc, "postinstall");
			}
			const char *m = xd_rec_str(after, "metrics");
			if (!xd_ref_is_null(m))
				xd_vm_update_set(u, "VM_metrics", m, "install_time",
						 xd_datetime((int64_t)time(NULL)));
			xd_vm_queue_device_ops(u, -1);
			xd_vm_update_end_op(u, key);
			rc = xd_vm_update_commit(u, err);
		}
	}
	if (rc < 0)
		xd_vm_op_end(vm, key);
	xd_value_free(rec);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

void xd_api_vm_provision_register(void)
{
	xd_rpc_register("VM", "provision", h_provision);
}
