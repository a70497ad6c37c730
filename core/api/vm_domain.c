/* vm_domain.c - from a VM record to a hypervisor domain (the spec with its
 * disks and NICs), and the db state of a VM whose domain runs or is gone:
 * power_state, domid, resident_on, the devices' currently_attached and
 * device names, the console, VM_metrics and VM_guest_metrics. */
#include "vm_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "network/network.h"

#define MiB (1024LL * 1024LL)

/* One disk: the hv view and what the db needs afterwards. */
typedef struct vm_disk {
	char *vbd, *vdi;        /* refs; vdi NULL for an empty drive */
	char *vbd_uuid, *device, *datapath, *format;
	bool attached;          /* the VDI was attached for this domain */
} vm_disk;

typedef struct vm_nic {
	char *vif, *vif_uuid, *mac, *bridge;
	int devid;
	int64_t mtu;
} vm_nic;

struct xd_vm_devices {
	vm_disk *disk;
	xd_hv_disk *hv_disks;
	int ndisks;
	vm_nic *nic;
	xd_hv_nic *hv_nics;
	int nnics;
};

const char *xd_vm_domain_type(const xd_value *rec)
{
	const char *t = xd_rec_str(rec, "domain_type");
	if (strcmp(t, "hvm") == 0 || strcmp(t, "pv") == 0 || strcmp(t, "pvh") == 0)
		return t;
	if (strcmp(t, "pv_in_pvh") == 0)
		return "pvh";
	/* unspecified: as xapi derives it from the older HVM_boot_policy */
	return xd_rec_str(rec, "HVM_boot_policy")[0] ? "hvm" : "pv";
}

bool xd_vm_is_hvm(const xd_value *rec)
{
	return strcmp(xd_vm_domain_type(rec), "hvm") == 0;
}

/* xapi's Memory.HVM.shadow_mib: pages, 256 per vCPU, the p2m map and the
 * resident shadow, in MiB (256 pages), times the multiplier; at least 1. */
static int64_t shadow_mib(int64_t static_max_mib, int64_t vcpus, double mult)
{
	int64_t pages = 256 * vcpus + 2 * static_max_mib;
	int64_t shadow = (int64_t)((double)((pages + 255) / 256) * (mult > 0 ? mult : 1.0));

	return shadow < 1 ? 1 : shadow;
}

int64_t xd_vm_shadow_mib(const xd_value *rec, double mult)
{
	int64_t static_max_mib = (xd_rec_int(rec, "memory_static_max") + MiB - 1) / MiB;
	int64_t vcpus = xd_rec_int(rec, "VCPUs_max");

	return shadow_mib(static_max_mib < 0 ? 0 : static_max_mib, vcpus < 0 ? 0 : vcpus, mult);
}

/* xapi's Memory.{HVM,Linux}.overhead_mib. */
int64_t xd_vm_memory_overhead(const xd_value *rec)
{
	int64_t static_max_mib = (xd_rec_int(rec, "memory_static_max") + MiB - 1) / MiB;
	int64_t vcpus = xd_rec_int(rec, "VCPUs_max");
	double mult = xd_rec_float(rec, "HVM_shadow_multiplier");
	const char *dt = xd_vm_domain_type(rec);
	int64_t extra_internal = strcmp(dt, "pv") == 0 ? 0 : 1, extra_external = 1;
	if (vcpus < 0)
		vcpus = 0;
	if (static_max_mib < 0)
		static_max_mib = 0;
	int64_t shadow = shadow_mib(static_max_mib, vcpus, mult);
	int64_t per_vcpu = (38 * vcpus + 255) / 256;
	return (extra_internal + extra_external + shadow + per_vcpu) * MiB;
}

/* A VBD's userdevice or device as a disk number: "3", "xvdd", "hdd", "sdd". */
int xd_vm_disk_number(const char *s)
{
	if (!s || !*s)
		return -1;
	if (strncmp(s, "/dev/", 5) == 0)
		s += 5;
	if (isdigit((unsigned char)*s)) {
		char *end;
		long n = strtol(s, &end, 10);
		return *end ? -1 : (int)n;
	}
	const char *letters = NULL;
	if (strncmp(s, "xvd", 3) == 0)
		letters = s + 3;
	else if (strncmp(s, "hd", 2) == 0 || strncmp(s, "sd", 2) == 0)
		letters = s + 2;
	if (!letters || !islower((unsigned char)*letters))
		return -1;
	int n = 0, len = 0;
	for (; islower((unsigned char)*letters) && len < 3; letters++, len++)
		n = n * 26 + (*letters - 'a' + 1);
	return *letters ? -1 : n - 1;
}

void xd_vm_vbd_device_name(const char *userdevice, bool hvm, char out[16])
{
	long n = xd_vm_disk_number(userdevice);
	if (n < 0)
		n = 0;
	if (hvm && n < 4) {
		snprintf(out, 16, "hd%c", (char)('a' + n));
		return;
	}
	/* xvda..xvdz, xvdaa..: base 26 without a zero digit */
	char letters[8];
	int len = 0;
	for (long k = n + 1; k > 0 && len < 7; k = (k - 1) / 26)
		letters[len++] = (char)('a' + (k - 1) % 26);
	int o = snprintf(out, 16, "xvd");
	while (len > 0 && o < 15)
		out[o++] = letters[--len];
	out[o] = 0;
}

/* ---- devices ------------------------------------------------------------- */

void xd_vm_devices_free(xd_vm_devices *d, bool detach)
{
	if (!d)
		return;
	for (int i = 0; i < d->ndisks; i++) {
		vm_disk *k = &d->disk[i];
		if (detach && k->attached)
			xd_vm_vdi_detach(k->vdi);
		free(k->vbd);
		free(k->vdi);
		free(k->vbd_uuid);
		free(k->device);
		free(k->datapath);
		free(k->format);
	}
	for (int i = 0; i < d->nnics; i++) {
		free(d->nic[i].vif);
		free(d->nic[i].vif_uuid);
		free(d->nic[i].mac);
		free(d->nic[i].bridge);
	}
	free(d->disk);
	free(d->hv_disks);
	free(d->nic);
	free(d->hv_nics);
	free(d);
}

static int prepare_disk(xd_vm_devices *d, const char *vbd_ref, bool hvm, xd_error *err)
{
	xd_value *vbd = xd_db_get_record(xd_dm_class("VBD"), vbd_ref);
	if (!vbd)
		return 0; /* destroyed meanwhile */
	vm_disk *k = &d->disk[d->ndisks];
	xd_hv_disk *h = &d->hv_disks[d->ndisks];
	memset(k, 0, sizeof *k);
	memset(h, 0, sizeof *h);
	char dev[16];
	xd_vm_vbd_device_name(xd_rec_str(vbd, "userdevice"), hvm, dev);
	k->vbd = strdup(vbd_ref);
	k->vbd_uuid = strdup(xd_rec_str(vbd, "uuid"));
	k->device = strdup(dev);
	bool empty = xd_rec_bool(vbd, "empty");
	const char *vdi = xd_rec_str(vbd, "VDI");
	bool ro = strcmp(xd_rec_str(vbd, "mode"), "RO") == 0;
	int rc = 0;
	if (!empty && !xd_ref_is_null(vdi)) {
		k->vdi = strdup(vdi);
		rc = xd_vm_vdi_attach(vdi, !ro, &k->datapath, &k->format, err);
		k->attached = rc == 0;
	}
	h->vbd_uuid = k->vbd_uuid;
	h->vdev = k->device;
	h->datapath = k->datapath;
	h->format = k->format ? k->format : "raw";
	h->readonly = ro;
	h->cdrom = strcmp(xd_rec_str(vbd, "type"), "CD") == 0;
	h->bootable = xd_rec_bool(vbd, "bootable");
	d->ndisks++;
	xd_value_free(vbd);
	return rc;
}

static void prepare_nic(xd_vm_devices *d, const char *vif_ref)
{
	xd_value *vif = xd_db_get_record(xd_dm_class("VIF"), vif_ref);
	if (!vif)
		return;
	const xd_class *net = xd_dm_class("network");
	xd_value *br = xd_db_get_field(net, xd_rec_str(vif, "network"),
				       xd_dm_field_index(net, "bridge"));
	vm_nic *n = &d->nic[d->nnics];
	xd_hv_nic *h = &d->hv_nics[d->nnics];
	n->vif = strdup(vif_ref);
	n->vif_uuid = strdup(xd_rec_str(vif, "uuid"));
	n->mac = strdup(xd_rec_str(vif, "MAC"));
	n->bridge = strdup(br && br->t == XD_V_STRING ? br->u.s : "");
	n->devid = (int)strtol(xd_rec_str(vif, "device"), NULL, 10);
	n->mtu = xd_rec_int(vif, "MTU");
	h->vif_uuid = n->vif_uuid;
	h->devid = n->devid;
	h->mac = n->mac;
	h->bridge = n->bridge;
	h->mtu = n->mtu;
	d->nnics++;
	xd_value_free(br);
	xd_value_free(vif);
}

xd_vm_devices *xd_vm_devices_prepare(const char *vm, const xd_value *rec, xd_error *err)
{
	xd_vm_devices *d = calloc(1, sizeof *d);
	const xd_value *vbds = xd_struct_get(rec, "VBDs"), *vifs = xd_struct_get(rec, "VIFs");
	size_t nv = vbds ? vbds->u.arr.n : 0, nn = vifs ? vifs->u.arr.n : 0;
	if (!d)
		abort();
	d->disk = calloc(nv + 1, sizeof *d->disk);
	d->hv_disks = calloc(nv + 1, sizeof *d->hv_disks);
	d->nic = calloc(nn + 1, sizeof *d->nic);
	d->hv_nics = calloc(nn + 1, sizeof *d->hv_nics);
	if (!d->disk || !d->hv_disks || !d->nic || !d->hv_nics)
		abort();
	bool hvm = xd_vm_is_hvm(rec);
	for (size_t i = 0; i < nv; i++) {
		if (prepare_disk(d, vbds->u.arr.items[i]->u.s, hvm, err) < 0) {
			xd_vm_devices_free(d, true);
			return NULL;
		}
	}
	for (size_t i = 0; i < nn; i++)
		prepare_nic(d, vifs->u.arr.items[i]->u.s);
	return d;
}

/* ---- the domain ----------------------------------------------------------- */

static const char *nonempty(const char *s)
{
	return s && s[0] ? s : NULL;
}

void xd_vm_domain_spec(const xd_value *rec, const xd_vm_devices *d, xd_hv_domain_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->vm_uuid = xd_rec_str(rec, "uuid");
	spec->name = xd_rec_str(rec, "name_label");
	spec->domain_type = xd_vm_domain_type(rec);
	/* memory clamped into the static range, as xapi's constraint transform */
	int64_t smin = xd_rec_int(rec, "memory_static_min"), smax = xd_rec_int(rec, "memory_static_max");
	int64_t target = xd_rec_int(rec, "memory_dynamic_max");
	if (target > smax)
		target = smax;
	if (target < smin)
		target = smin;
	spec->memory_static_max = smax;
	spec->memory_target = target;
	spec->vcpus_max = xd_rec_int(rec, "VCPUs_max");
	spec->vcpus_at_startup = xd_rec_int(rec, "VCPUs_at_startup");
	spec->platform = xd_struct_get(rec, "platform");
	spec->hvm_boot_params = xd_struct_get(rec, "HVM_boot_params");
	spec->pv_kernel = nonempty(xd_rec_str(rec, "PV_kernel"));
	spec->pv_ramdisk = nonempty(xd_rec_str(rec, "PV_ramdisk"));
	spec->pv_args = nonempty(xd_rec_str(rec, "PV_args"));
	spec->pv_bootloader = nonempty(xd_rec_str(rec, "PV_bootloader"));
	spec->pv_bootloader_args = nonempty(xd_rec_str(rec, "PV_bootloader_args"));
	if (d) {
		spec->disks = d->hv_disks;
		spec->ndisks = d->ndisks;
		spec->nics = d->hv_nics;
		spec->nnics = d->nnics;
	}
}

int xd_vm_domain_build(const xd_value *rec, const xd_vm_devices *d, const char *restore_from,
		       bool paused, xd_error *err)
{
	const xd_hv_ops *hv = xd_hv();
	xd_hv_domain_spec spec;
	xd_vm_domain_spec(rec, d, &spec);
	int domid = restore_from ? hv->restore(&spec, restore_from, err) : hv->create(&spec, err);
	if (domid < 0)
		return -1;
	/* Its NICs on their networks' bridges before it runs (without a network
	 * backend they are records only, as before networking existed). */
	bool plugged = true;
	for (int i = 0; d && xd_network_backend() && i < d->nnics && plugged; i++)
		plugged = xd_network_vif_plug(d->nic[i].vif, domid, err) == 0;
	if (!plugged || (!paused && hv->unpause(domid, err) < 0)) {
		for (int i = 0; d && xd_network_backend() && i < d->nnics; i++)
			xd_network_vif_unplug(d->nic[i].vif, domid);
		xd_error e2 = XD_ERROR_INIT;
		hv->destroy(domid, &e2);
		xd_error_clear(&e2);
		return -1;
	}
	return domid;
}

/* ---- db state -------------------------------------------------------------- */

static bool field_is_true(const char *cls, const char *ref, const char *field)
{
	const xd_class *c = xd_dm_class(cls);
	xd_value *v = xd_db_get_field(c, ref, xd_dm_field_index(c, field));
	bool b = v && v->t == XD_V_BOOL && v->u.b;
	xd_value_free(v);
	return b;
}

static void queue_console(xd_vm_update *u, int domid)
{
	char *proto = NULL, *loc = NULL;
	xd_error err = XD_ERROR_INIT;
	if (xd_hv()->console(domid, &proto, &loc, &err) == 0) {
		char *ref = xd_ref_new(), *uuid = xd_uuid_new();
		xd_value *c = xd_struct();
		/* the backend's own address (a pty, a VNC port) stays inside: clients
		 * reach the console through xapid, as xapi's */
		xd_struct_set_take(c, "uuid", xd_string(uuid));
		xd_struct_set_take(c, "protocol", xd_string(proto));
		xd_struct_set_take(c, "location", xd_string_take(xd_console_location(uuid)));
		xd_struct_set_take(c, "VM", xd_string(xd_vm_update_ref(u)));
		xd_struct_set_take(c, "other_config", xd_struct());
		xd_vm_update_create(u, "console", ref, c);
		free(ref);
		free(uuid);
	} else {
		xd_warn("VM %s: no console: %s", xd_vm_update_ref(u), err.code);
	}
	free(proto);
	free(loc);
	xd_error_clear(&err);
}

void xd_vm_queue_running(xd_vm_update *u, int domid, const xd_vm_devices *d, bool paused)
{
	xd_value *vm = xd_vm_update_after(u);
	const char *host = xd_this_host();
	xd_rec_set(vm, "power_state", xd_string(paused ? "Paused" : "Running"));
	xd_rec_set(vm, "domid", xd_int(domid));
	xd_rec_set(vm, "resident_on", xd_string(host ? host : XD_NULL_REF));
	xd_rec_set(vm, "scheduled_to_be_resident_on", xd_string(XD_NULL_REF));
	if (strcmp(xd_rec_str(vm, "domain_type"), "unspecified") == 0)
		xd_rec_set(vm, "domain_type", xd_string(xd_vm_domain_type(vm)));
	xd_rec_set(vm, "domarch", xd_string("x64"));
	xd_rec_set(vm, "memory_overhead", xd_int(xd_vm_memory_overhead(vm)));
	for (int i = 0; d && i < d->ndisks; i++) {
		xd_vm_update_set(u, "VBD", d->disk[i].vbd, "currently_attached", xd_bool(true));
		xd_vm_update_set(u, "VBD", d->disk[i].vbd, "device", xd_string(d->disk[i].device));
	}
	for (int i = 0; d && i < d->nnics; i++)
		xd_vm_update_set(u, "VIF", d->nic[i].vif, "currently_attached", xd_bool(true));
	/* a reboot keeps no console of the old domain */
	const xd_value *cons = xd_struct_get(vm, "consoles");
	for (size_t i = 0; cons && i < cons->u.arr.n; i++)
		xd_vm_update_destroy(u, "console", cons->u.arr.items[i]->u.s);
	queue_console(u, domid);
	xd_vm_queue_metrics(u, domid, true);
	xd_vm_queue_device_ops(u, 1);
}

static void queue_detached(xd_vm_update *u, const char *cls, const xd_value *refs)
{
	for (size_t i = 0; refs && i < refs->u.arr.n; i++) {
		const char *r = refs->u.arr.items[i]->u.s;
		if (field_is_true(cls, r, "currently_attached"))
			xd_vm_update_set(u, cls, r, "currently_attached", xd_bool(false));
	}
}

void xd_vm_queue_stopped(xd_vm_update *u, const char *to_state)
{
	xd_value *vm = xd_vm_update_after(u);
	/* its VIFs' ports go with the domain (the db still has its domid) */
	const xd_class *vc = xd_dm_class("VM");
	xd_value *old = xd_db_get_field(vc, xd_vm_update_ref(u), xd_dm_field_index(vc, "domid"));
	const xd_value *vifs = xd_struct_get(vm, "VIFs");
	for (size_t i = 0; old && old->u.i >= 0 && vifs && i < vifs->u.arr.n; i++)
		if (field_is_true("VIF", vifs->u.arr.items[i]->u.s, "currently_attached"))
			xd_network_vif_unplug(vifs->u.arr.items[i]->u.s, (int)old->u.i);
	xd_value_free(old);
	xd_rec_set(vm, "power_state", xd_string(to_state));
	xd_rec_set(vm, "domid", xd_int(-1));
	xd_rec_set(vm, "resident_on", xd_string(XD_NULL_REF));
	xd_rec_set(vm, "scheduled_to_be_resident_on", xd_string(XD_NULL_REF));
	if (strcmp(to_state, "Halted") == 0)
		xd_rec_set(vm, "requires_reboot", xd_bool(false));
	queue_detached(u, "VBD", xd_struct_get(vm, "VBDs"));
	queue_detached(u, "VIF", xd_struct_get(vm, "VIFs"));
	const xd_value *cons = xd_struct_get(vm, "consoles");
	for (size_t i = 0; cons && i < cons->u.arr.n; i++)
		xd_vm_update_destroy(u, "console", cons->u.arr.items[i]->u.s);
	const char *m = xd_rec_str(vm, "metrics");
	if (!xd_ref_is_null(m) && xd_db_exists(xd_dm_class("VM_metrics"), m)) {
		xd_vm_update_set(u, "VM_metrics", m, "memory_actual", xd_int(0));
		xd_vm_update_set(u, "VM_metrics", m, "VCPUs_number", xd_int(0));
		xd_vm_update_set(u, "VM_metrics", m, "state", xd_array());
		xd_vm_update_set(u, "VM_metrics", m, "current_domain_type", xd_string("unspecified"));
		xd_vm_update_set(u, "VM_metrics", m, "last_updated", xd_datetime((int64_t)time(NULL)));
	}
	const char *gm = xd_rec_str(vm, "guest_metrics");
	if (!xd_ref_is_null(gm) && xd_db_exists(xd_dm_class("VM_guest_metrics"), gm))
		xd_vm_update_set(u, "VM_guest_metrics", gm, "live", xd_bool(false));
	xd_vm_queue_device_ops(u, 0);
}

void xd_vm_detach_disks(const xd_value *rec)
{
	const xd_class *vbd = xd_dm_class("VBD");
	const xd_value *vbds = xd_struct_get(rec, "VBDs");
	for (size_t i = 0; vbds && i < vbds->u.arr.n; i++) {
		xd_value *r = xd_db_get_record(vbd, vbds->u.arr.items[i]->u.s);
		const char *vdi = xd_rec_str(r, "VDI");
		if (r && xd_rec_bool(r, "currently_attached") && !xd_rec_bool(r, "empty") &&
		    !xd_ref_is_null(vdi))
			xd_vm_vdi_detach(vdi);
		xd_value_free(r);
	}
}
