/* hv_sim.c - the simulated host (hv.h backend "sim"): what the tests and
 * benchmarks run on, with the state machine of the xen backend. This file
 * holds the state, the memory budget, the faults and the domains' life;
 * hotplug, the guest agent and migration are in hv_sim_devices.c,
 * hv_sim_guest.c and hv_sim_migrate.c (shared: hv_sim_int.h).
 *
 * - domids count up from 1 and are never reused within a run;
 * - memory is a finite budget (xd_hv_sim_set_memory; by default the
 *   machine's MemTotal less a dom0 share): a domain holds its target from
 *   create to destroy, and create/restore/set_memory_target refuse with
 *   HOST_NOT_ENOUGH_FREE_MEMORY [needed, available] when it is short;
 * - a domain is created paused; unpause runs it (and its simulated guest
 *   boots: the guest agent reports from then on); cpu_time advances with
 *   wall time while it runs;
 * - clean shutdown asks the guest, which acknowledges at once if it is
 *   running (a paused guest cannot: the request times out);
 * - suspend writes a real image (hv_sim_image.h) and frees the memory,
 *   restore checks the image against the VM and builds it paused;
 * - migration hands the domain to a receiver waiting in the same process
 *   on the same URL (a registry keyed by URL);
 * - faults per VM uuid (xd_hv_sim_inject, or VM.other_config "sim:fault"
 *   passed on by the VM layer), a comma-separated list of:
 *     create_fails      create/restore fail (INTERNAL_ERROR)
 *     crash             the domain crashes as soon as it runs
 *     shutdown_ignored  the guest ignores clean shutdown/reboot requests
 *                       (VM_SHUTDOWN_TIMEOUT after the timeout)
 *     shutdown_refused  the guest does not acknowledge them
 *                       (VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT at once)
 *     unplug_rejected   the guest refuses to release a device unless forced
 *                       (DEVICE_DETACH_REJECTED)
 * Everything is under one lock; waits (guest acknowledgement, migration) use
 * one condition variable that every change broadcasts (xd_sim_changed).
 */
#define _GNU_SOURCE
#include "hv/hv.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hv/hv_int.h"
#include "hv_sim_image.h"
#include "hv_sim_int.h"
#include "log.h"

#define MiB (1024LL * 1024)
#define GiB (1024LL * MiB)
#define FALLBACK_TOTAL (16 * GiB)     /* if /proc/meminfo cannot be read */

typedef struct sim_fault {
	char *vm_uuid, *faults;
} sim_fault;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	xd_sim_dom **doms;              /* sorted by domid (they only grow) */
	size_t ndoms, cap;
	int next_domid;
	int64_t total;
	bool total_known;
	sim_fault *faults;
	size_t nfaults;
} S = { .lock = PTHREAD_MUTEX_INITIALIZER, .next_domid = 1 };

static pthread_once_t cond_once = PTHREAD_ONCE_INIT;

/* The condition variable waits on the monotonic clock (wall-clock jumps
 * must not stretch or cut a shutdown timeout). */
static void init_cond(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&S.changed, &a);
	pthread_condattr_destroy(&a);
}

void xd_sim_changed(void)
{
	pthread_cond_broadcast(&S.changed);
}

void xd_sim_lock(void)
{
	pthread_once(&cond_once, init_cond);
	pthread_mutex_lock(&S.lock);
}

void xd_sim_unlock(void)
{
	pthread_mutex_unlock(&S.lock);
}

double xd_sim_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits for a broadcast until the monotonic deadline. Caller holds the lock. */
void xd_sim_wait_until(double deadline)
{
	struct timespec ts;
	double whole = (double)(int64_t)deadline;

	if (deadline <= xd_sim_now())
		return;
	ts.tv_sec = (time_t)whole;
	ts.tv_nsec = (long)((deadline - whole) * 1e9);
	pthread_cond_timedwait(&S.changed, &S.lock, &ts);
}

char *xd_sim_strdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		abort();
	return p;
}

char *xd_sim_strdup_or_null(const char *s)
{
	return s ? xd_sim_strdup(s) : NULL;
}

void *xd_sim_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

/* ---- memory ---------------------------------------------------------------- */

/* This machine's MemTotal in bytes, or -1. */
static int64_t meminfo_total(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long long kb = -1;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
				break;
		fclose(f);
	}
	return kb > 0 ? (int64_t)kb * 1024 : -1;
}

/* What the simulated dom0 keeps of a host of `total` bytes: 1 GiB + 5%, at
 * most half. */
static int64_t dom0_share(int64_t total)
{
	int64_t dom0 = GiB + total / 20;

	return dom0 > total / 2 ? total / 2 : dom0;
}

/* MemTotal less what dom0 keeps. */
static int64_t default_total(void)
{
	int64_t total = meminfo_total();

	return total <= 0 ? FALLBACK_TOTAL : total - dom0_share(total);
}

static int64_t total_locked(void)
{
	if (!S.total_known) {
		S.total = default_total();
		S.total_known = true;
	}
	return S.total;
}

static int64_t free_locked(void)
{
	int64_t used = 0, avail;
	size_t i;

	for (i = 0; i < S.ndoms; i++)
		used += S.doms[i]->memory + S.doms[i]->shadow_mib * MiB;
	avail = total_locked() - used;
	return avail > 0 ? avail : 0;
}

static int not_enough_memory(xd_error *err, int64_t needed, int64_t available)
{
	char n[32], a[32];

	snprintf(n, sizeof(n), "%" PRId64, needed);
	snprintf(a, sizeof(a), "%" PRId64, available);
	return xd_error_set(err, "HOST_NOT_ENOUGH_FREE_MEMORY", n, a, NULL);
}

/* ---- faults ---------------------------------------------------------------- */

static sim_fault *fault_entry(const char *vm_uuid)
{
	size_t i;

	for (i = 0; i < S.nfaults; i++)
		if (strcmp(S.faults[i].vm_uuid, vm_uuid) == 0)
			return &S.faults[i];
	return NULL;
}

bool xd_sim_has_fault(const char *vm_uuid, const char *name)
{
	sim_fault *f = fault_entry(vm_uuid);
	size_t n = strlen(name);
	const char *p;

	if (!f)
		return false;
	for (p = f->faults; *p;) {
		size_t len;
		while (*p == ',' || *p == ' ')
			p++;
		len = strcspn(p, ", ");
		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len;
	}
	return false;
}

void xd_hv_sim_inject(const char *vm_uuid, const char *fault)
{
	sim_fault *f;

	if (!vm_uuid)
		return;
	xd_sim_lock();
	f = fault_entry(vm_uuid);
	if (!fault || !*fault) {
		if (f) {
			free(f->vm_uuid);
			free(f->faults);
			*f = S.faults[--S.nfaults];
		}
	} else if (f) {
		free(f->faults);
		f->faults = xd_sim_strdup(fault);
	} else {
		sim_fault *grown = realloc(S.faults, (S.nfaults + 1) * sizeof(*grown));
		if (!grown)
			abort();
		S.faults = grown;
		S.faults[S.nfaults].vm_uuid = xd_sim_strdup(vm_uuid);
		S.faults[S.nfaults].faults = xd_sim_strdup(fault);
		S.nfaults++;
	}
	xd_debug("sim: faults of VM %s: %s", vm_uuid, fault && *fault ? fault : "(none)");
	pthread_cond_broadcast(&S.changed);
	xd_sim_unlock();
}

void xd_hv_sim_set_memory(int64_t total_bytes)
{
	xd_sim_lock();
	S.total = total_bytes > 0 ? total_bytes : 0;
	S.total_known = true;
	xd_sim_unlock();
}

/* ---- domains --------------------------------------------------------------- */

xd_sim_dom *xd_sim_find(int domid)
{
	size_t lo = 0, hi = S.ndoms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (S.doms[mid]->domid == domid)
			return S.doms[mid];
		if (S.doms[mid]->domid < domid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static xd_sim_dom *find_vm(const char *vm_uuid)
{
	size_t i;

	for (i = 0; i < S.ndoms; i++)
		if (strcmp(S.doms[i]->vm_uuid, vm_uuid) == 0)
			return S.doms[i];
	return NULL;
}

void xd_sim_disk_free(xd_sim_disk *k)
{
	free(k->vdev);
	free(k->datapath);
	free(k->format);
}

void xd_sim_nic_free(xd_sim_nic *n)
{
	free(n->mac);
	free(n->bridge);
}

static void dom_free(xd_sim_dom *d)
{
	int i;

	for (i = 0; i < d->ndisks; i++)
		xd_sim_disk_free(&d->disks[i]);
	for (i = 0; i < d->nnics; i++)
		xd_sim_nic_free(&d->nics[i]);
	free(d->disks);
	free(d->nics);
	free(d->vm_uuid);
	free(d->domain_type);
	free(d);
}

void xd_sim_disk_copy(xd_sim_disk *k, const xd_hv_disk *src)
{
	k->vdev = xd_sim_strdup(src->vdev);
	k->datapath = xd_sim_strdup_or_null(src->datapath);
	k->format = xd_sim_strdup_or_null(src->format);
	k->readonly = src->readonly;
	k->cdrom = src->cdrom;
}

void xd_sim_nic_copy(xd_sim_nic *n, const xd_hv_nic *src)
{
	n->devid = src->devid;
	n->mac = xd_sim_strdup_or_null(src->mac);
	n->bridge = xd_sim_strdup_or_null(src->bridge);
	n->mtu = src->mtu;
}

/* A new paused domain of spec holding memory bytes, with the next domid.
 * Caller holds the lock and has checked the budget. */
static xd_sim_dom *dom_new(const xd_hv_domain_spec *spec, int64_t memory, int vcpus)
{
	xd_sim_dom *d = xd_sim_calloc(1, sizeof(*d));
	int i;

	d->domid = S.next_domid++;
	d->vm_uuid = xd_sim_strdup(spec->vm_uuid);
	d->domain_type = xd_sim_strdup(spec->domain_type);
	d->state = XD_DOM_PAUSED;
	d->static_max = spec->memory_static_max;
	d->memory = d->target = memory;
	d->vcpus = vcpus;
	d->vcpus_max = (int)spec->vcpus_max;
	d->disks = xd_sim_calloc((size_t)spec->ndisks, sizeof(*d->disks));
	for (i = 0; i < spec->ndisks; i++)
		xd_sim_disk_copy(&d->disks[d->ndisks++], &spec->disks[i]);
	d->nics = xd_sim_calloc((size_t)spec->nnics, sizeof(*d->nics));
	for (i = 0; i < spec->nnics; i++)
		xd_sim_nic_copy(&d->nics[d->nnics++], &spec->nics[i]);
	if (S.ndoms == S.cap) {
		xd_sim_dom **grown;
		S.cap = S.cap ? S.cap * 2 : 16;
		grown = realloc(S.doms, S.cap * sizeof(*grown));
		if (!grown)
			abort();
		S.doms = grown;
	}
	S.doms[S.ndoms++] = d; /* the largest domid so far: stays sorted */
	xd_sim_conring_add("d%d: domain created for VM %s", d->domid, d->vm_uuid);
	for (i = 0; i < d->nnics; i++) {
		xd_error err = XD_ERROR_INIT;
		/* the VIF's plug then fails on the missing device, with why */
		if (xd_sim_net_nic_add(d->domid, &d->nics[i], &err) < 0)
			xd_warn("sim: domain %d: NIC %d has no device: %s", d->domid,
				d->nics[i].devid, err.nparams ? err.params[0] : err.code);
		xd_error_clear(&err);
	}
	pthread_cond_broadcast(&S.changed);
	return d;
}

void xd_sim_dom_remove(xd_sim_dom *d)
{
	size_t i;

	for (int k = 0; k < d->nnics; k++)
		xd_sim_net_nic_remove(d->domid, d->nics[k].devid);
	xd_sim_net_dom_gone(d->domid);
	xd_sim_conring_add("d%d: domain destroyed", d->domid);
	for (i = 0; i < S.ndoms; i++)
		if (S.doms[i] == d) {
			memmove(&S.doms[i], &S.doms[i + 1], (S.ndoms - i - 1) * sizeof(*S.doms));
			S.ndoms--;
			break;
		}
	dom_free(d);
	pthread_cond_broadcast(&S.changed);
}

static double cpu_time(const xd_sim_dom *d)
{
	return d->state == XD_DOM_RUNNING ? d->cpu_s + (xd_sim_now() - d->run_since) : d->cpu_s;
}

/* Every state change goes through here: it keeps the cpu clock and wakes
 * whoever waits for a state. */
static void set_state(xd_sim_dom *d, xd_dom_state st, xd_shutdown_reason reason)
{
	if (d->state == XD_DOM_RUNNING && st != XD_DOM_RUNNING)
		d->cpu_s += xd_sim_now() - d->run_since;
	if (d->state != XD_DOM_RUNNING && st == XD_DOM_RUNNING) {
		d->run_since = xd_sim_now();
		d->booted = true;
	}
	if (st == XD_DOM_CRASHED && d->state != XD_DOM_CRASHED)
		xd_sim_conring_add("d%d: domain crashed", d->domid);
	d->state = st;
	d->reason = reason;
	pthread_cond_broadcast(&S.changed);
}

/* The "crash" fault strikes whenever the domain runs. */
static void apply_faults(xd_sim_dom *d)
{
	if (d->state == XD_DOM_RUNNING && xd_sim_has_fault(d->vm_uuid, "crash")) {
		xd_info("sim: domain %d (VM %s) crashes (injected fault)", d->domid, d->vm_uuid);
		set_state(d, XD_DOM_CRASHED, XD_SHUTDOWN_CRASH);
	}
}

static bool is_live(const xd_sim_dom *d)
{
	return d->state == XD_DOM_RUNNING || d->state == XD_DOM_PAUSED;
}

static const char *state_name(xd_dom_state st)
{
	switch (st) {
	case XD_DOM_RUNNING: return "running";
	case XD_DOM_PAUSED: return "paused";
	case XD_DOM_SHUTDOWN: return "shut down";
	case XD_DOM_CRASHED: return "crashed";
	case XD_DOM_DYING: return "dying";
	}
	return "unknown";
}

/* The domain, live (running or paused); else -1 with the error. */
xd_sim_dom *xd_sim_live_dom(int domid, xd_error *err)
{
	xd_sim_dom *d = xd_sim_find(domid);

	if (!d) {
		xd_hv_err_no_domain(err, domid);
		return NULL;
	}
	apply_faults(d);
	if (!is_live(d)) {
		xd_error_setf(err, "INTERNAL_ERROR", "domain %d is %s", domid, state_name(d->state));
		return NULL;
	}
	return d;
}

/* ---- the operations ------------------------------------------------------ */

static int64_t sim_free_memory(void)
{
	int64_t v;

	xd_sim_lock();
	v = free_locked();
	xd_sim_unlock();
	return v;
}

static int64_t sim_total_memory(void)
{
	int64_t v;

	xd_sim_lock();
	v = total_locked();
	xd_sim_unlock();
	return v;
}

/* The simulated host is this machine (its CPUs, its memory with a dom0
 * share kept back) running the Xen it stands for: 4.17 with credit2, the
 * default scheduler there, and an x86_64 host's capabilities. */
static int sim_host_info(xd_hv_host_info *out, xd_error *err)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int64_t whole = meminfo_total(), guests = sim_total_memory();
	int64_t dom0 = whole > 0 ? dom0_share(whole) : GiB;

	memset(out, 0, sizeof(*out));
	out->version = strdup("4.17.0");
	out->sched_policy = strdup("credit2");
	out->capabilities = strdup("xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
	if (!out->version || !out->sched_policy || !out->capabilities) {
		xd_hv_host_info_clear(out);
		return xd_error_setf(err, "INTERNAL_ERROR", "sim: out of memory");
	}
	out->nr_cpus = ncpus > 0 ? (int)ncpus : 1;
	out->total_memory = guests + dom0;
	out->dom0_memory = dom0;
	out->dom0_memory_max = dom0;
	out->dom0_vcpus = out->nr_cpus;
	return 0;
}

/* What create and restore share: faults, one domain per VM, the budget. */
static int admit(const xd_hv_domain_spec *spec, int64_t memory, xd_error *err)
{
	xd_sim_dom *other;
	int64_t avail;

	if (xd_sim_has_fault(spec->vm_uuid, "create_fails"))
		return xd_error_setf(err, "INTERNAL_ERROR", "simulated fault: create_fails");
	other = find_vm(spec->vm_uuid);
	if (other)
		return xd_error_setf(err, "INTERNAL_ERROR", "VM %s already has domain %d",
				     spec->vm_uuid, other->domid);
	avail = free_locked();
	if (avail < memory)
		return not_enough_memory(err, memory, avail);
	return 0;
}

static int sim_create(const xd_hv_domain_spec *spec, xd_error *err)
{
	int domid = -1;

	if (xd_hv_spec_check(spec, err) < 0)
		return -1;
	xd_sim_lock();
	if (admit(spec, spec->memory_target, err) == 0)
		domid = dom_new(spec, spec->memory_target, (int)spec->vcpus_at_startup)->domid;
	xd_sim_unlock();
	if (domid > 0)
		xd_debug("sim: domain %d built for VM %s", domid, spec->vm_uuid);
	return domid;
}

static int sim_unpause(int domid, xd_error *err)
{
	xd_sim_dom *d;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (d) {
		if (d->state == XD_DOM_PAUSED)
			set_state(d, XD_DOM_RUNNING, XD_SHUTDOWN_POWEROFF);
		apply_faults(d);
		rc = 0;
	}
	xd_sim_unlock();
	return rc;
}

static int sim_pause(int domid, xd_error *err)
{
	xd_sim_dom *d;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (d) {
		if (d->state == XD_DOM_RUNNING)
			set_state(d, XD_DOM_PAUSED, XD_SHUTDOWN_POWEROFF);
		rc = 0;
	}
	xd_sim_unlock();
	return rc;
}

static int sim_destroy(int domid, xd_error *err)
{
	xd_sim_dom *d;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_find(domid);
	if (d) {
		xd_sim_dom_remove(d);
		rc = 0;
	} else {
		xd_hv_err_no_domain(err, domid);
	}
	xd_sim_unlock();
	return rc;
}

static int shutdown_timeout(xd_error *err, const char *vm_uuid, double timeout_s)
{
	char t[32];

	xd_hv_format_float(timeout_s, t);
	return xd_error_set(err, "VM_SHUTDOWN_TIMEOUT", vm_uuid, t, NULL);
}

static int sim_shutdown(int domid, xd_shutdown_reason reason, double timeout_s, xd_error *err)
{
	double deadline = xd_sim_now() + (timeout_s > 0 ? timeout_s : 0);
	char *vm_uuid = NULL;
	xd_sim_dom *d;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	vm_uuid = xd_sim_strdup(d->vm_uuid);
	if (reason == XD_SHUTDOWN_SUSPEND) {
		xd_error_setf(err, "INTERNAL_ERROR", "a domain is suspended with suspend, not shutdown");
		goto out;
	}
	if (reason == XD_SHUTDOWN_CRASH) { /* the hypervisor crashes it: no guest involved */
		set_state(d, XD_DOM_CRASHED, XD_SHUTDOWN_CRASH);
		rc = 0;
		goto out;
	}
	if (xd_sim_has_fault(vm_uuid, "shutdown_refused")) {
		xd_error_set(err, "VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT", vm_uuid, NULL);
		goto out;
	}
	/* the guest acts on the request when it runs and does not ignore it;
	 * the fault may be lifted or the domain unpaused while we wait */
	for (;;) {
		d = xd_sim_find(domid);
		if (!d) {
			xd_hv_err_no_domain(err, domid);
			goto out;
		}
		apply_faults(d);
		if (!is_live(d)) {
			xd_error_setf(err, "INTERNAL_ERROR", "domain %d is %s", domid,
				      state_name(d->state));
			goto out;
		}
		if (d->state == XD_DOM_RUNNING && !xd_sim_has_fault(vm_uuid, "shutdown_ignored"))
			break;
		if (xd_sim_now() >= deadline) {
			shutdown_timeout(err, vm_uuid, timeout_s);
			goto out;
		}
		xd_sim_wait_until(deadline);
	}
	set_state(d, XD_DOM_SHUTDOWN, reason);
	xd_sim_dom_remove(d);
	rc = 0;
out:
	xd_sim_unlock();
	free(vm_uuid);
	return rc;
}

void xd_sim_image_of(const xd_sim_dom *d, xd_sim_image *img)
{
	int i;

	memset(img, 0, sizeof(*img));
	img->vm_uuid = xd_sim_strdup(d->vm_uuid);
	img->domain_type = xd_sim_strdup(d->domain_type);
	img->memory = d->memory;
	img->static_max = d->static_max;
	img->vcpus = d->vcpus;
	img->vcpus_max = d->vcpus_max;
	img->cpu_time_s = cpu_time(d);
	img->vdevs = xd_sim_calloc((size_t)d->ndisks, sizeof(char *));
	for (i = 0; i < d->ndisks; i++)
		img->vdevs[img->ndisks++] = xd_sim_strdup(d->disks[i].vdev);
	img->devids = xd_sim_calloc((size_t)d->nnics, sizeof(int));
	for (i = 0; i < d->nnics; i++)
		img->devids[img->nnics++] = d->nics[i].devid;
}

static int sim_suspend(int domid, const char *path, xd_error *err)
{
	xd_sim_image img;
	xd_dom_state was;
	xd_sim_dom *d;
	int rc = -1;

	if (!path || !*path)
		return xd_error_setf(err, "INTERNAL_ERROR", "suspend without an image path");
	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d) {
		xd_sim_unlock();
		return -1;
	}
	/* the guest stops while its memory is saved; the file is written
	 * without the lock (the others go on) */
	was = d->state;
	set_state(d, XD_DOM_PAUSED, XD_SHUTDOWN_SUSPEND);
	xd_sim_image_of(d, &img);
	xd_sim_unlock();

	rc = xd_sim_image_write(&img, path, err);
	xd_sim_image_clear(&img);

	xd_sim_lock();
	d = xd_sim_find(domid);
	if (rc == 0 && d) {
		set_state(d, XD_DOM_SHUTDOWN, XD_SHUTDOWN_SUSPEND);
		xd_sim_dom_remove(d);
	} else if (rc == 0) {
		rc = xd_hv_err_no_domain(err, domid); /* destroyed while saving */
	} else if (d && d->state == XD_DOM_PAUSED && was == XD_DOM_RUNNING) {
		set_state(d, XD_DOM_RUNNING, XD_SHUTDOWN_POWEROFF); /* as xenopsd resumes it */
	}
	xd_sim_unlock();
	return rc;
}

static int dom_from_image(const xd_hv_domain_spec *spec, const xd_sim_image *img)
{
	xd_sim_dom *d = dom_new(spec, img->memory, img->vcpus);

	d->cpu_s = img->cpu_time_s;
	d->booted = true; /* the guest was running when it was saved */
	return d->domid;
}

/* Builds a paused domain of spec from an image (restore, and migration,
 * where the sender still holds a domain of the same VM). */
int xd_sim_build_from_image(const xd_hv_domain_spec *spec, const xd_sim_image *img,
			    bool same_vm_ok, xd_error *err)
{
	int64_t avail;

	if (xd_sim_has_fault(spec->vm_uuid, "create_fails"))
		return xd_error_setf(err, "INTERNAL_ERROR", "simulated fault: create_fails");
	if (!same_vm_ok)
		return admit(spec, img->memory, err) < 0 ? -1 : dom_from_image(spec, img);
	avail = free_locked();
	if (avail < img->memory)
		return not_enough_memory(err, img->memory, avail);
	return dom_from_image(spec, img);
}

static int sim_restore(const xd_hv_domain_spec *spec, const char *path, xd_error *err)
{
	xd_sim_image img;
	int domid = -1;

	if (xd_hv_spec_check(spec, err) < 0)
		return -1;
	if (!path || !*path)
		return xd_error_setf(err, "INTERNAL_ERROR", "restore without an image path");
	if (xd_sim_image_read(path, &img, err) < 0)
		return -1;
	if (xd_sim_image_check(&img, spec, path, err) == 0) {
		xd_sim_lock();
		domid = xd_sim_build_from_image(spec, &img, false, err);
		xd_sim_unlock();
	}
	xd_sim_image_clear(&img);
	return domid;
}

/* ---- memory, vCPUs, state ------------------------------------------------------ */

static int sim_set_memory_target(int domid, int64_t bytes, xd_error *err)
{
	xd_sim_dom *d;
	int64_t avail;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	if (bytes <= 0 || bytes > d->static_max) {
		xd_hv_err_memory_order(err);
		goto out;
	}
	avail = free_locked();
	if (bytes - d->memory > avail) {
		not_enough_memory(err, bytes - d->memory, avail);
		goto out;
	}
	d->target = bytes;
	/* the balloon driver reaches any target at once, unless it is stuck */
	if (!xd_sim_has_fault(d->vm_uuid, "balloon_stuck"))
		d->memory = bytes;
	pthread_cond_broadcast(&S.changed);
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

static int sim_set_vcpus(int domid, int n, xd_error *err)
{
	xd_sim_dom *d;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	if (n < 1 || n > d->vcpus_max) {
		/* xapi's words for xenopsd's Invalid_vcpus */
		xd_error_setf(err, "INTERNAL_ERROR",
			      "the maximum number of vcpus configured for this VM is currently: %d",
			      d->vcpus_max);
		goto out;
	}
	d->vcpus = n;
	pthread_cond_broadcast(&S.changed);
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

static int sim_memory_target(int domid, int64_t *bytes, xd_error *err)
{
	xd_sim_dom *d;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (d)
		*bytes = d->target;
	xd_sim_unlock();
	return d ? 0 : -1;
}

/* Shadow memory comes out of the host's free memory, as on Xen. */
static int sim_set_shadow_memory(int domid, int64_t mib, xd_error *err)
{
	xd_sim_dom *d;
	int64_t more, avail;
	int rc = -1;

	xd_sim_lock();
	d = xd_sim_live_dom(domid, err);
	if (!d)
		goto out;
	more = (mib - d->shadow_mib) * MiB;
	avail = free_locked();
	if (more > avail) {
		not_enough_memory(err, more, avail);
		goto out;
	}
	d->shadow_mib = mib;
	pthread_cond_broadcast(&S.changed);
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

static int sim_info(int domid, xd_hv_dominfo *out, xd_error *err)
{
	xd_sim_dom *d;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	xd_sim_lock();
	d = xd_sim_find(domid);
	if (!d) {
		xd_hv_err_no_domain(err, domid);
		goto out;
	}
	apply_faults(d);
	out->domid = d->domid;
	out->state = d->state;
	out->reason = d->reason;
	out->memory_actual = d->memory;
	out->vcpus = d->vcpus;
	out->cpu_time_s = cpu_time(d);
	rc = 0;
out:
	xd_sim_unlock();
	return rc;
}

/* ---- the table ---------------------------------------------------------------- */

void xd_hv_sim_reset(void)
{
	size_t i;

	xd_sim_lock();
	for (i = 0; i < S.ndoms; i++) {
		xd_sim_net_dom_gone(S.doms[i]->domid);
		dom_free(S.doms[i]);
	}
	free(S.doms);
	S.doms = NULL;
	S.ndoms = S.cap = 0;
	for (i = 0; i < S.nfaults; i++) {
		free(S.faults[i].vm_uuid);
		free(S.faults[i].faults);
	}
	free(S.faults);
	S.faults = NULL;
	S.nfaults = 0;
	S.total_known = false;
	pthread_cond_broadcast(&S.changed);
	xd_sim_unlock();
	xd_sim_migrate_reset();
	xd_sim_conring_reset();
}

static char *sim_dmesg(xd_error *err)
{
	char *s = xd_sim_conring_read();

	if (!s)
		xd_error_setf(err, "INTERNAL_ERROR", "sim: out of memory");
	return s;
}

static int sim_send_debug_keys(const char *keys, xd_error *err)
{
	(void)err;
	xd_sim_conring_debug_keys(keys);
	return 0;
}

/* The simulated host is not this machine: its name is only recorded (by
 * the caller, in the database), never given to the machine. */
static int sim_set_hostname(const char *name, xd_error *err)
{
	(void)err;
	xd_info("sim: host name %s recorded (the machine's own is left alone)", name);
	return 0;
}

static const xd_hv_ops sim_ops = {
	.name = "sim",
	.host_info = sim_host_info,
	.free_memory = sim_free_memory,
	.total_memory = sim_total_memory,
	.create = sim_create,
	.unpause = sim_unpause,
	.pause = sim_pause,
	.shutdown = sim_shutdown,
	.destroy = sim_destroy,
	.suspend = sim_suspend,
	.restore = sim_restore,
	.disk_add = xd_sim_disk_add,
	.disk_remove = xd_sim_disk_remove,
	.nic_add = xd_sim_nic_add,
	.nic_remove = xd_sim_nic_remove,
	.set_memory_target = sim_set_memory_target,
	.set_vcpus = sim_set_vcpus,
	.info = sim_info,
	.guest_info = xd_sim_guest_info,
	.console = xd_sim_console,
	.migrate_send = xd_sim_migrate_send,
	.migrate_receive = xd_sim_migrate_receive,
	.dmesg = sim_dmesg,
	.send_debug_keys = sim_send_debug_keys,
	.set_hostname = sim_set_hostname,
	.memory_target = sim_memory_target,
	.set_shadow_memory = sim_set_shadow_memory,
};

const xd_hv_ops *xd_hv_sim_ops(void)
{
	return &sim_ops;
}
