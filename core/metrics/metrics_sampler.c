/* metrics_sampler.c - the sampling thread: every interval it asks the
 * collectors (plugins, each with a deadline), reads what the core has
 * itself (the running VMs from the hypervisor backend: the backend's
 * handles live in xapid, so no worker process can read them; each
 * attached VDI's I/O counters from its SR driver's vdi_io), and archives
 * the round. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "db/db.h"
#include "dm.h"
#include "http/http.h"
#include "hv/hv.h"
#include "loader/plugins.h"
#include "log.h"
#include "metrics_int.h"
#include "network/network.h"
#include "storage/storage.h"

static struct {
	pthread_t th;
	bool running, stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	double interval;
	/* collectors' declarations: plugin/name -> owner class */
	struct decl { char *plugin, *name, *owner_class; } *decls;
	size_t ndecls;
	char host_uuid[40];
	time_t last_round;             /* under the store lock */
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .interval = 5 };

time_t xd_metrics_last_round(void)
{
	return S.last_round;
}

double xd_metrics_interval(void)
{
	return S.interval;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *str_field(const xd_value *const *f, int i)
{
	return i >= 0 && f[i] && f[i]->t == XD_V_STRING ? f[i]->u.s : "";
}

static int64_t int_field(const xd_value *const *f, int i)
{
	return i >= 0 && f[i] && f[i]->t == XD_V_INT ? f[i]->u.i : -1;
}

/* ---- collectors (plugins) ---- */

static const char *kind_of_class(const char *owner_class)
{
	if (!strcasecmp(owner_class, "VM"))
		return "vm";
	if (!strcasecmp(owner_class, "SR"))
		return "sr";
	return "host"; /* host; PIF figures are the host's, as xapi's pif_<dev>_rx */
}

static void on_declare(const xd_ds_decl *d)
{
	xd_mstore_lock();
	size_t i;
	for (i = 0; i < S.ndecls; i++)
		if (!strcmp(S.decls[i].plugin, d->plugin) && !strcmp(S.decls[i].name, d->name))
			break;
	if (i == S.ndecls) {
		struct decl *grown = realloc(S.decls, (S.ndecls + 1) * sizeof *grown);
		if (grown) {
			S.decls = grown;
			S.decls[S.ndecls].plugin = strdup(d->plugin);
			S.decls[S.ndecls].name = strdup(d->name);
			S.decls[S.ndecls].owner_class = strdup(d->owner_class);
			S.ndecls++;
		}
	}
	/* a host source is declared on the host at once (get_data_sources
	 * lists it before its first sample); others when their owner samples */
	if (!strcmp(kind_of_class(d->owner_class), "host") && S.host_uuid[0]) {
		xd_mobj *o = xd_mstore_obj("host", S.host_uuid, true);
		xd_mstore_declare(o, d->name, d->description, d->units, (xd_ds_kind)d->type, d->min,
				  d->max, d->enabled_by_default);
	}
	xd_mstore_unlock();
}

typedef struct round_ctx {
	double t;
} round_ctx;

static void on_sample(void *ud, const char *plugin, const char *name, const char *owner,
		      double v)
{
	round_ctx *r = ud;
	xd_mstore_lock();
	const char *cls = "host";
	for (size_t i = 0; i < S.ndecls; i++)
		if (!strcmp(S.decls[i].plugin, plugin) && !strcmp(S.decls[i].name, name))
			cls = S.decls[i].owner_class;
	const char *kind = kind_of_class(cls);
	const char *uuid = !strcmp(kind, "host") || !owner ? S.host_uuid : owner;
	xd_mobj *o = xd_mstore_obj(kind, uuid, true);
	xd_ds *d = xd_mstore_find(o, name);
	if (d && d->owned_by_core) {
		xd_mstore_unlock();
		return;
	}
	if (!d) /* first sample of a VM's or SR's source: a gauge, archived */
		d = xd_mstore_declare(o, name, "", "", XD_DS_GAUGE, -INFINITY, INFINITY, true);
	xd_mstore_sample(d, v, r->t);
	o->seen = true;
	xd_mstore_unlock();
}

/* ---- VMs, from the hypervisor backend ---- */

typedef struct vm_row {
	char uuid[40];
	int64_t domid, target;
} vm_row;

typedef struct vm_list {
	vm_row *v;
	size_t n;
	int f_uuid, f_state, f_domid, f_target, f_dynmax;
} vm_list;

static int collect_vm(const char *ref, const xd_value *const *f, void *ud)
{
	(void)ref;
	vm_list *l = ud;
	if (strcmp(str_field(f, l->f_state), "Running") != 0 || int_field(f, l->f_domid) < 0)
		return 0;
	vm_row *grown = realloc(l->v, (l->n + 1) * sizeof *grown);
	if (!grown)
		return 0;
	l->v = grown;
	vm_row *r = &l->v[l->n++];
	snprintf(r->uuid, sizeof r->uuid, "%s", str_field(f, l->f_uuid));
	r->domid = int_field(f, l->f_domid);
	/* VM.memory_target is xapi's deprecated field (0): the balloon's
	 * target is dynamic_max then, as squeezed sets it without pressure */
	r->target = int_field(f, l->f_target);
	if (r->target <= 0)
		r->target = int_field(f, l->f_dynmax);
	return 0;
}

static void sample_vm(const vm_row *vm, double t)
{
	const xd_hv_ops *hv = xd_hv();
	xd_hv_dominfo di;
	xd_hv_guest_info gi;
	xd_error err = XD_ERROR_INIT;
	memset(&gi, 0, sizeof gi);
	gi.memory_used = gi.memory_free = -1;
	if (!hv || hv->info((int)vm->domid, &di, &err) != 0) {
		xd_error_clear(&err);
		return;
	}
	bool guest = hv->guest_info && hv->guest_info((int)vm->domid, &gi, &err) == 0;
	xd_error_clear(&err);
	xd_mstore_lock();
	xd_mobj *o = xd_mstore_obj("vm", vm->uuid, true);
	o->seen = true;
	/* cpu<i>: the fraction of a physical CPU each vCPU used; the backend
	 * gives the domain's CPU time, spread evenly over its vCPUs */
	for (int i = 0; i < di.vcpus && i < 64; i++) {
		char name[16], desc[64];
		snprintf(name, sizeof name, "cpu%d", i);
		snprintf(desc, sizeof desc, "CPU%d usage", i);
		xd_ds *d = xd_mstore_declare(o, name, desc, "(fraction)", XD_DS_DERIVE, 0, 1, true);
		xd_mstore_sample(d, di.cpu_time_s / di.vcpus, t);
	}
	xd_mstore_sample(xd_mstore_declare(o, "memory", "Memory currently allocated to VM",
					   "B", XD_DS_GAUGE, 0, INFINITY, true),
			 (double)di.memory_actual, t);
	if (vm->target >= 0)
		xd_mstore_sample(xd_mstore_declare(o, "memory_target",
						   "Target of VM balloon driver", "B",
						   XD_DS_GAUGE, 0, INFINITY, true),
				 (double)vm->target, t);
	if (guest && gi.memory_free >= 0) {
		xd_mstore_sample(xd_mstore_declare(o, "memory_internal_free",
						   "Memory used as reported by the guest agent",
						   "KiB", XD_DS_GAUGE, 0, INFINITY, true),
				 (double)gi.memory_free / 1024.0, t);
	}
	if (guest && gi.memory_used >= 0)
		xd_mstore_sample(xd_mstore_declare(o, "memory_internal_used",
						   "Memory in use inside the guest, from its agent",
						   "KiB", XD_DS_GAUGE, 0, INFINITY, true),
				 (double)gi.memory_used / 1024.0, t);
	xd_mstore_unlock();
	xd_value_free(gi.os_version);
	xd_value_free(gi.networks);
	xd_value_free(gi.other);
}

static void sample_vms(double t)
{
	const xd_class *c = xd_dm_class("VM");
	vm_list l = { .f_uuid = xd_dm_field_index(c, "uuid"),
		      .f_state = xd_dm_field_index(c, "power_state"),
		      .f_domid = xd_dm_field_index(c, "domid"),
		      .f_target = xd_dm_field_index(c, "memory_target"),
		      .f_dynmax = xd_dm_field_index(c, "memory_dynamic_max") };
	xd_db_foreach(c, collect_vm, &l);
	for (size_t i = 0; i < l.n; i++)
		sample_vm(&l.v[i], t);
	free(l.v);
}

/* ---- VDIs, from their SR driver (vdi_io) ---- */

typedef struct ref_list {
	char **refs;
	size_t n;
	const char *want_sr;
	int f_sr;
} ref_list;

static int collect_ref(const char *ref, const xd_value *const *f, void *ud)
{
	ref_list *l = ud;
	if (l->want_sr && strcmp(str_field(f, l->f_sr), l->want_sr) != 0)
		return 0;
	char **grown = realloc(l->refs, (l->n + 1) * sizeof *grown);
	if (grown) {
		l->refs = grown;
		l->refs[l->n++] = strdup(ref);
	}
	return 0;
}

static void free_refs(ref_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->refs[i]);
	free(l->refs);
}

/* The attached VBDs of running VMs, once a round: a VDI's counters are
 * also its VBD's rates on the VM (xapi's vbd_<device>_read / _write). */
typedef struct vbd_row {
	char vdi[64], vm_uuid[40], device[16];
} vbd_row;

typedef struct vbd_list {
	vbd_row *v;
	size_t n;
	int f_vdi, f_vm, f_device, f_userdevice, f_attached;
} vbd_list;

static vbd_list vbds;

static int collect_vbd(const char *ref, const xd_value *const *f, void *ud)
{
	(void)ref;
	vbd_list *l = ud;
	const char *vdi = str_field(f, l->f_vdi);
	if (!f[l->f_attached] || !f[l->f_attached]->u.b || !vdi[0] ||
	    !strcmp(vdi, "OpaqueRef:NULL"))
		return 0;
	const xd_class *vc = xd_dm_class("VM");
	xd_value *uuid = xd_db_get_field(vc, str_field(f, l->f_vm), xd_dm_field_index(vc, "uuid"));
	vbd_row *grown = uuid && uuid->t == XD_V_STRING
				 ? realloc(l->v, (l->n + 1) * sizeof *grown) : NULL;
	if (grown) {
		l->v = grown;
		vbd_row *r = &l->v[l->n++];
		snprintf(r->vdi, sizeof r->vdi, "%s", vdi);
		snprintf(r->vm_uuid, sizeof r->vm_uuid, "%s", uuid->u.s);
		/* device is what the guest calls it (xvda); before a plug has
		 * named it, xvd<letter> of the userdevice number, as xapi names it */
		const char *dev = str_field(f, l->f_device);
		if (dev[0])
			snprintf(r->device, sizeof r->device, "%s", dev);
		else
			snprintf(r->device, sizeof r->device, "xvd%c",
				 'a' + atoi(str_field(f, l->f_userdevice)) % 26);
	}
	xd_value_free(uuid);
	return 0;
}

static void collect_vbds(void)
{
	const xd_class *c = xd_dm_class("VBD");
	free(vbds.v);
	vbds = (vbd_list){ .f_vdi = xd_dm_field_index(c, "VDI"), .f_vm = xd_dm_field_index(c, "VM"),
			   .f_device = xd_dm_field_index(c, "device"),
			   .f_userdevice = xd_dm_field_index(c, "userdevice"),
			   .f_attached = xd_dm_field_index(c, "currently_attached") };
	xd_db_foreach(c, collect_vbd, &vbds);
}

/* The VBDs of VDI vdi_ref: its counters as rates on their VMs (under the
 * store lock). */
static void sample_vbds_of(const char *vdi_ref, const xd_vdi_io *io, double t)
{
	static const struct {
		const char *suffix, *desc, *units;
		int which; /* 0 read_bytes 1 write_bytes 2 read_ops 3 write_ops */
	} f[] = {
		{ "read", "Reads from device %s, in B/s", "B/s", 0 },
		{ "write", "Writes to device %s, in B/s", "B/s", 1 },
		{ "iops_read", "Read requests per second of device %s", "requests/s", 2 },
		{ "iops_write", "Write requests per second of device %s", "requests/s", 3 },
	};
	const int64_t vals[] = { io->read_bytes, io->write_bytes, io->read_ops, io->write_ops };
	for (size_t i = 0; i < vbds.n; i++) {
		if (strcmp(vbds.v[i].vdi, vdi_ref) != 0)
			continue;
		xd_mobj *o = xd_mstore_obj("vm", vbds.v[i].vm_uuid, true);
		for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
			if (vals[f[k].which] < 0)
				continue;
			char name[64], desc[96];
			snprintf(name, sizeof name, "vbd_%s_%s", vbds.v[i].device, f[k].suffix);
			snprintf(desc, sizeof desc, f[k].desc, vbds.v[i].device);
			xd_ds *d = xd_mstore_declare(o, name, desc, f[k].units, XD_DS_DERIVE, 0,
						     INFINITY, true);
			xd_mstore_sample(d, (double)vals[f[k].which], t);
		}
	}
}

static void sample_one_vdi(xd_mobj *o, const char *vdi_uuid, const xd_vdi_io *io, double t)
{
	static const struct {
		const char *suffix, *desc, *units;
		xd_ds_kind kind;
		double scale;
		int which; /* 0 read_bytes 1 write_bytes 2 read_ops 3 write_ops */
	} f[] = {
		{ "read", "Bytes per second read from the VDI", "B/s", XD_DS_DERIVE, 1, 0 },
		{ "write", "Bytes per second written to the VDI", "B/s", XD_DS_DERIVE, 1, 1 },
		{ "iops_read", "Read requests per second", "requests/s", XD_DS_DERIVE, 1, 2 },
		{ "iops_write", "Write requests per second", "requests/s", XD_DS_DERIVE, 1, 3 },
		{ "read_total", "Bytes read from the VDI since it was made", "B", XD_DS_GAUGE, 1, 0 },
		{ "write_total", "Bytes written to the VDI since it was made", "B", XD_DS_GAUGE, 1, 1 },
	};
	const int64_t vals[] = { io->read_bytes, io->write_bytes, io->read_ops, io->write_ops };
	char name[96];
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (vals[f[i].which] < 0)
			continue;
		snprintf(name, sizeof name, "vdi_%s_%s", vdi_uuid, f[i].suffix);
		xd_ds *d = xd_mstore_declare(o, name, f[i].desc, f[i].units, f[i].kind, 0, INFINITY,
					     true);
		xd_mstore_sample(d, (double)vals[f[i].which] * f[i].scale, t);
	}
	/* latency: the time the requests of the interval took, per request */
	const int64_t times[] = { io->read_time_us, io->write_time_us };
	const int64_t ops[] = { io->read_ops, io->write_ops };
	for (int k = 0; k < 2; k++) {
		if (times[k] < 0 || ops[k] < 0)
			continue;
		snprintf(name, sizeof name, "vdi_%s_%s_latency", vdi_uuid, k ? "write" : "read");
		xd_ds *d = xd_mstore_declare(o, name, "Average time of a request", "ms", XD_DS_GAUGE, 0,
					     INFINITY, true);
		/* kept as a gauge of the whole life: counters of time and ops */
		xd_mstore_sample(d, ops[k] ? (double)times[k] / 1000.0 / (double)ops[k] : 0, t);
	}
}

static void sample_sr_vdis(const char *sr_ref, double t)
{
	xd_storage_sr s;
	xd_error err = XD_ERROR_INIT;
	if (xd_storage_sr_open(sr_ref, &s, &err) != 0 || !s.attached || !s.sr.type ||
	    !xd_plugins_sr_has_vdi_io(s.sr.type)) {
		xd_error_clear(&err);
		xd_storage_sr_close(&s);
		return;
	}
	const xd_class *vc = xd_dm_class("VDI");
	ref_list l = { .want_sr = sr_ref, .f_sr = xd_dm_field_index(vc, "SR") };
	xd_db_foreach(vc, collect_ref, &l);
	int f_loc = xd_dm_field_index(vc, "location"), f_uuid = xd_dm_field_index(vc, "uuid");
	for (size_t i = 0; i < l.n; i++) {
		xd_value *loc = xd_db_get_field(vc, l.refs[i], f_loc);
		xd_value *uuid = xd_db_get_field(vc, l.refs[i], f_uuid);
		xd_vdi_io io;
		if (loc && uuid && loc->t == XD_V_STRING && uuid->t == XD_V_STRING &&
		    xd_plugins_vdi_io(&s.sr, loc->u.s, S.interval * 0.8, &io, &err) == 0) {
			xd_mstore_lock();
			xd_mobj *o = xd_mstore_obj("sr", s.sr.uuid, true);
			o->seen = true;
			sample_one_vdi(o, uuid->u.s, &io, t);
			sample_vbds_of(l.refs[i], &io, t);
			xd_mstore_unlock();
		}
		xd_error_clear(&err);
		xd_value_free(loc);
		xd_value_free(uuid);
	}
	free_refs(&l);
	xd_storage_sr_close(&s);
}

static void sample_vdis(double t)
{
	collect_vbds();
	ref_list l = { 0 };
	xd_db_foreach(xd_dm_class("SR"), collect_ref, &l);
	for (size_t i = 0; i < l.n; i++)
		sample_sr_vdis(l.refs[i], t);
	free_refs(&l);
}

/* ---- PIFs and VIFs, from the network backend ---- */

static void on_counters(void *ud, const xd_network_counters *c)
{
	static const struct {
		const char *suffix, *desc, *units;
	} f[] = {
		{ "rx", "Bytes per second received", "B/s" },
		{ "tx", "Bytes per second sent", "B/s" },
		{ "rx_packets", "Packets per second received", "packets/s" },
		{ "tx_packets", "Packets per second sent", "packets/s" },
		{ "rx_errors", "Receive errors per second", "errors/s" },
		{ "tx_errors", "Send errors per second", "errors/s" },
	};
	const int64_t vals[] = { c->rx_bytes, c->tx_bytes, c->rx_packets, c->tx_packets,
				 c->rx_errors, c->tx_errors };
	double t = *(const double *)ud;
	xd_mstore_lock();
	xd_mobj *o = xd_mstore_obj(c->owner_uuid ? "vm" : "host",
				   c->owner_uuid ? c->owner_uuid : S.host_uuid, true);
	o->seen = true;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (vals[i] < 0)
			continue;
		char name[96];
		snprintf(name, sizeof name, "%s_%s", c->name, f[i].suffix);
		/* xapi archives a VIF's and a PIF's bytes by default, the rest
		 * on request (record_data_source) */
		xd_ds *d = xd_mstore_declare(o, name, f[i].desc, f[i].units, XD_DS_DERIVE, 0,
					     INFINITY, i < 2);
		xd_mstore_sample(d, (double)vals[i], t);
		d->owned_by_core = true;
	}
	xd_mstore_unlock();
}

static void prune_gone(void);

/* ---- the round ---- */

static void set_host_uuid(void)
{
	const char *h = xd_this_host();
	xd_value *u = h ? xd_db_get_field(xd_dm_class("host"), h,
					   xd_dm_field_index(xd_dm_class("host"), "uuid")) : NULL;
	if (u && u->t == XD_V_STRING) {
		xd_mstore_lock();
		snprintf(S.host_uuid, sizeof S.host_uuid, "%s", u->u.s);
		xd_mstore_unlock();
	}
	xd_value_free(u);
}

static void round_once(void)
{
	double t = now_s();
	round_ctx r = { .t = t };
	size_t n;
	xd_mstore_lock();
	xd_mobj **all = xd_mstore_all(&n);
	for (size_t i = 0; i < n; i++) {
		all[i]->seen = false;
		for (size_t k = 0; k < all[i]->nds; k++)
			all[i]->ds[k].fresh = false;
	}
	xd_mstore_unlock();
	/* the network backend's figures first: a collector's source of the
	 * same name (the pif collector's, of the machine's own interfaces)
	 * does not overwrite them */
	xd_network_sample(on_counters, &t);
	xd_plugins_metrics_collect(S.interval * 0.8, on_sample, &r);
	sample_vms(t);
	sample_vdis(t);
	xd_mstore_lock();
	all = xd_mstore_all(&n);
	for (size_t i = 0; i < n; i++)
		if (all[i]->seen || !strcmp(all[i]->kind, "host"))
			xd_mrrd_update(all[i], (time_t)t);
	S.last_round = (time_t)t;
	xd_mstore_unlock();
	xd_mdisk_round_end((int64_t)t, false);
	xd_metrics_alarms_check(t);
	prune_gone();
}

/* VMs and SRs that are gone from the db: their sources and archives go
 * with them. */
static void prune_gone(void)
{
	char (*gone)[2][40] = NULL;
	size_t ngone = 0, n;
	xd_mstore_lock();
	xd_mobj **all = xd_mstore_all(&n);
	for (size_t i = 0; i < n; i++) {
		const char *cls = !strcmp(all[i]->kind, "vm") ? "VM"
				  : !strcmp(all[i]->kind, "sr") ? "SR" : NULL;
		char *ref = cls ? xd_db_ref_by_uuid(xd_dm_class(cls), all[i]->uuid) : NULL;
		if (cls && !ref) {
			void *grown = realloc(gone, (ngone + 1) * sizeof *gone);
			if (grown) {
				gone = grown;
				snprintf(gone[ngone][0], 40, "%s", all[i]->kind);
				snprintf(gone[ngone][1], 40, "%s", all[i]->uuid);
				ngone++;
			}
		}
		free(ref);
	}
	xd_mstore_unlock();
	for (size_t i = 0; i < ngone; i++)
		xd_metrics_forget_object(gone[i][0], gone[i][1]);
	free(gone);
}

static void *sampler(void *arg)
{
	(void)arg;
	/* its CPU time is what bench/metrics.py measures */
	pthread_setname_np(pthread_self(), "xd-metrics");
	pthread_mutex_lock(&S.lock);
	while (!S.stop) {
		pthread_mutex_unlock(&S.lock);
		double t0 = now_s();
		round_once();
		/* the next round on the next multiple of the interval */
		double next = (floor(t0 / S.interval) + 1) * S.interval;
		struct timespec until = { .tv_sec = (time_t)next,
					  .tv_nsec = (long)((next - floor(next)) * 1e9) };
		pthread_mutex_lock(&S.lock);
		while (!S.stop && now_s() < next)
			pthread_cond_timedwait(&S.cond, &S.lock, &until);
	}
	pthread_mutex_unlock(&S.lock);
	return NULL;
}

int xd_metrics_start(const xd_metrics_config *cfg)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/rrd", cfg->state_dir);
	xd_mdisk_init(dir);
	xd_mdisk_load(); /* the history so far, before the first round */
	S.interval = cfg->interval_s > 0 ? cfg->interval_s : XD_RRD_STEP;
	set_host_uuid();
	xd_plugins_on_ds_declare(on_declare);
	xd_metrics_http_register();
	S.stop = false;
	if (pthread_create(&S.th, NULL, sampler, NULL) != 0) {
		xd_err("metrics: cannot start the sampler thread");
		return -1;
	}
	S.running = true;
	xd_info("metrics: sampling every %g s into %s", S.interval, dir);
	return 0;
}

void xd_metrics_stop(void)
{
	if (!S.running)
		return;
	pthread_mutex_lock(&S.lock);
	S.stop = true;
	pthread_cond_broadcast(&S.cond);
	pthread_mutex_unlock(&S.lock);
	pthread_join(S.th, NULL);
	S.running = false;
	/* a clean stop writes every archive whole: nothing to replay at start */
	xd_mdisk_round_end((int64_t)S.last_round, true);
	xd_mdisk_shutdown();
	xd_mrrd_free_scratch();
	xd_plugins_on_ds_declare(NULL);
	free(vbds.v);
	vbds = (vbd_list){ 0 };
	xd_mstore_lock(); /* a declaration read just before the hook went may still run */
	for (size_t i = 0; i < S.ndecls; i++) {
		free(S.decls[i].plugin);
		free(S.decls[i].name);
		free(S.decls[i].owner_class);
	}
	free(S.decls);
	S.decls = NULL;
	S.ndecls = 0;
	xd_mstore_unlock();
	xd_metrics_alarms_free();
	xd_mstore_shutdown();
}
