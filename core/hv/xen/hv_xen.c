/* hv_xen.c - the real hypervisor backend (hv.h "xen"): libxl builds,
 * saves, restores and hot-plugs domains, libxenctrl reports their state and
 * the host's memory, libxenstore carries the guest agent's data.
 *
 * One libxl context, one libxenctrl and one libxenstore handle live from
 * xd_hv_xen_open to xd_hv_xen_close and are shared by the threads; the
 * operations during which libxl forks (building, destroying, saving a
 * domain, hot-plugging its devices) each take a libxl context of their own
 * instead (op_ctx_open, where the reason is). libxl gets our own xentoollog
 * logger (hv_xen_log.h) so nothing reaches stderr, and reaps only the
 * children it forked itself (bootloader, device model, hotplug scripts),
 * leaving SIGCHLD of our other children alone.
 *
 * Without a hypervisor (no /dev/xen, or handles that cannot be opened)
 * xd_hv_xen_available says why, and every operation fails with
 * INTERNAL_ERROR instead of touching a missing handle.
 *
 * Console: HVM guests have a VNC server in qemu ("rfb", "vnc://127.0.0.1:
 * <port>" from console/vnc-port); others their PV console ("vt100", the pty).
 * Migration: url tcp://host:port; the receiver listens there and feeds the
 * stream to libxl_domain_create_restore, the sender streams
 * libxl_domain_suspend into the connection.
 */
#define _GNU_SOURCE
#include "hv/hv.h"

#include <errno.h>
#include <fcntl.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "hv/hv_int.h"
#include "hv_xen_config.h"
#include "hv_xen_guest.h"
#include "hv_xen_host.h"
#include "hv_xen_log.h"
#include "hv_xen_nbd.h"
#include "log.h"
#include "uri.h"

#define PAGE_BYTES 4096LL
#define SHUTDOWN_POLL_US 50000
#define MIGRATE_ACCEPT_WAIT_MS 30000

static struct {
	pthread_mutex_t lock;        /* guards the handles' lifetime, not their use */
	xentoollog_logger *lg;
	libxl_ctx *ctx;
	xc_interface *xch;
	struct xs_handle *xsh;
} X = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* libxl reaps its own children only (not those of the plugins etc.). */
static const libxl_childproc_hooks child_hooks = {
	.chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
};

/* ---- handles ------------------------------------------------------------------ */

typedef struct handles {
	xentoollog_logger *lg;
	libxl_ctx *ctx;
	xc_interface *xch;
	struct xs_handle *xsh;
} handles;

static void handles_close(handles *h)
{
	if (h->xsh)
		xs_close(h->xsh);
	if (h->xch)
		xc_interface_close(h->xch);
	if (h->ctx)
		libxl_ctx_free(h->ctx);
	if (h->lg)
		xd_hv_xen_logger_free(h->lg);
	memset(h, 0, sizeof(*h));
}

static bool have_xen_device(void)
{
	return access("/dev/xen/privcmd", F_OK) == 0 || access("/proc/xen/privcmd", F_OK) == 0;
}

/* Opens all three handles with a quiet logger; -1 with the reason in why. */
static int handles_open(handles *h, char *why, size_t whylen)
{
	const char *prefix = have_xen_device() ? "" : "no /dev/xen (not running on Xen); ";
	int rc;

	memset(h, 0, sizeof(*h));
	h->lg = xd_hv_xen_logger_new(true);
	rc = libxl_ctx_alloc(&h->ctx, LIBXL_VERSION, 0, h->lg);
	if (rc != 0) {
		h->ctx = NULL;
		snprintf(why, whylen, "%slibxl_ctx_alloc failed: %s", prefix,
			 *xd_hv_xen_logger_first_error(h->lg) ? xd_hv_xen_logger_first_error(h->lg)
							      : libxl_error_to_string(rc));
		goto fail;
	}
	h->xch = xc_interface_open(h->lg, h->lg, 0);
	if (!h->xch) {
		snprintf(why, whylen, "%sxc_interface_open failed: %s", prefix, strerror(errno));
		goto fail;
	}
	h->xsh = xs_open(0);
	if (!h->xsh) {
		snprintf(why, whylen, "%sxs_open failed: %s", prefix, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	handles_close(h);
	return -1;
}

bool xd_hv_xen_available(char *why, size_t whylen)
{
	handles h;
	bool open;

	pthread_mutex_lock(&X.lock);
	open = X.ctx != NULL;
	pthread_mutex_unlock(&X.lock);
	if (open)
		return true;
	if (handles_open(&h, why, whylen) < 0)
		return false;
	handles_close(&h);
	return true;
}

/* Releases the /dev/nbdN left connected by an earlier run for domains that
 * are gone (xd_hv_xen_nbd_sweep); the disks of live domains stay. */
static void sweep_stale_nbd(void)
{
	libxl_dominfo *doms;
	char **in_use = NULL;
	int ndoms = 0, n = 0, cap = 0;
	/* a device missed here could be a live domain's disk: no sweep then */
	bool complete;

	doms = libxl_list_domain(X.ctx, &ndoms);
	complete = doms != NULL;
	for (int d = 0; complete && d < ndoms; d++) {
		libxl_device_disk *disks;
		int ndisks = 0;

		disks = libxl_device_disk_list(X.ctx, doms[d].domid, &ndisks);
		for (int i = 0; complete && disks && i < ndisks; i++) {
			if (!xd_hv_xen_nbd_is_device(disks[i].pdev_path))
				continue;
			if (n == cap) {
				char **grown = realloc(in_use, (size_t)(cap ? 2 * cap : 16) *
								 sizeof(*in_use));
				if (!grown) {
					complete = false;
					break;
				}
				in_use = grown;
				cap = cap ? 2 * cap : 16;
			}
			if (!(in_use[n] = strdup(disks[i].pdev_path)))
				complete = false;
			else
				n++;
		}
		if (disks)
			libxl_device_disk_list_free(disks, ndisks);
	}
	if (doms)
		libxl_dominfo_list_free(doms, ndoms);
	if (complete)
		xd_hv_xen_nbd_sweep(in_use, n);
	else
		xd_warn("xen: cannot list the domains' disks: stale /dev/nbd* left as they are");
	for (int i = 0; i < n; i++)
		free(in_use[i]);
	free(in_use);
}

int xd_hv_xen_open(char *why, size_t whylen)
{
	handles h;
	int rc = 0;

	pthread_mutex_lock(&X.lock);
	if (!X.ctx) {
		rc = handles_open(&h, why, whylen);
		if (rc == 0) {
			xd_hv_xen_logger_set_quiet(h.lg, false);
			libxl_childproc_setmode(h.ctx, &child_hooks, NULL);
			X.lg = h.lg;
			X.ctx = h.ctx;
			X.xch = h.xch;
			X.xsh = h.xsh;
		}
	}
	pthread_mutex_unlock(&X.lock);
	if (rc == 0) {
		xd_hv_xen_nbd_prepare();
		sweep_stale_nbd();
	}
	return rc;
}

void xd_hv_xen_close(void)
{
	handles h;

	pthread_mutex_lock(&X.lock);
	h = (handles){ X.lg, X.ctx, X.xch, X.xsh };
	X.lg = NULL;
	X.ctx = NULL;
	X.xch = NULL;
	X.xsh = NULL;
	pthread_mutex_unlock(&X.lock);
	handles_close(&h);
}

/* The context, or NULL with INTERNAL_ERROR when the backend is not open. */
static libxl_ctx *ctx_or_err(xd_error *err)
{
	libxl_ctx *ctx;

	pthread_mutex_lock(&X.lock);
	ctx = X.ctx;
	pthread_mutex_unlock(&X.lock);
	if (!ctx)
		xd_error_setf(err, "INTERNAL_ERROR", "the xen backend is not open");
	return ctx;
}

static int libxl_failed(xd_error *err, const char *what, int domid, int rc)
{
	if (rc == ERROR_DOMAIN_NOTFOUND)
		return xd_hv_err_no_domain(err, domid);
	return xd_error_setf(err, "INTERNAL_ERROR", "%s of domain %d failed: %s", what, domid,
			     libxl_error_to_string(rc));
}

/* ---- domain state ---------------------------------------------------------------- */

/* The hypervisor's view of one domain; -1 (INTERNAL_ERROR) if it is not there. */
static int getinfo(int domid, xc_dominfo_t *xi, xd_error *err)
{
	if (!ctx_or_err(err))
		return -1;
	if (domid < 0 || xc_domain_getinfo(X.xch, (uint32_t)domid, 1, xi) != 1 ||
	    (int)xi->domid != domid)
		return xd_hv_err_no_domain(err, domid);
	return 0;
}

static void uuid_of(const xc_dominfo_t *xi, char out[40])
{
	const uint8_t *u = xi->handle;

	snprintf(out, 40, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

static xd_shutdown_reason reason_of(unsigned code)
{
	switch (code) {
	case SHUTDOWN_poweroff: return XD_SHUTDOWN_POWEROFF;
	case SHUTDOWN_reboot: return XD_SHUTDOWN_REBOOT;
	case SHUTDOWN_suspend: return XD_SHUTDOWN_SUSPEND;
	case SHUTDOWN_soft_reset: return XD_SHUTDOWN_REBOOT;
	default: return XD_SHUTDOWN_CRASH; /* crash, watchdog */
	}
}

static int xen_info(int domid, xd_hv_dominfo *out, xd_error *err)
{
	xc_dominfo_t xi;

	memset(out, 0, sizeof(*out));
	if (getinfo(domid, &xi, err) < 0)
		return -1;
	out->domid = domid;
	if (xi.dying) {
		out->state = XD_DOM_DYING;
	} else if (xi.crashed) {
		out->state = XD_DOM_CRASHED;
		out->reason = XD_SHUTDOWN_CRASH;
	} else if (xi.shutdown) {
		out->state = XD_DOM_SHUTDOWN;
		out->reason = reason_of(xi.shutdown_reason);
	} else {
		out->state = xi.paused ? XD_DOM_PAUSED : XD_DOM_RUNNING;
	}
	out->memory_actual = (int64_t)xi.nr_pages * PAGE_BYTES;
	out->vcpus = (int)xi.nr_online_vcpus;
	out->cpu_time_s = (double)xi.cpu_time / 1e9;
	return 0;
}

static int64_t xen_free_memory(void)
{
	xd_error err = XD_ERROR_INIT;
	libxl_ctx *ctx = ctx_or_err(&err);
	uint64_t kb = 0;

	xd_error_clear(&err);
	if (!ctx || libxl_get_free_memory(ctx, &kb) != 0)
		return 0;
	return (int64_t)kb * 1024;
}

static int64_t xen_total_memory(void)
{
	xd_error err = XD_ERROR_INIT;
	xc_physinfo_t pi;

	memset(&pi, 0, sizeof(pi));
	if (!ctx_or_err(&err)) {
		xd_error_clear(&err);
		return 0;
	}
	if (xc_physinfo(X.xch, &pi) != 0)
		return 0;
	return (int64_t)pi.total_pages * PAGE_BYTES;
}

/* The host's facts as Xen has them (xl info): version with its extra
 * part, the scheduler, the capabilities string, physical CPUs; and dom0's
 * memory and vCPUs (xl list 0). */
static int xen_host_info(xd_hv_host_info *out, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	libxl_physinfo pi;
	libxl_dominfo di;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!ctx)
		return -1;
	libxl_physinfo_init(&pi);
	libxl_dominfo_init(&di);
	const libxl_version_info *v = libxl_get_version_info(ctx);
	if (!v || libxl_get_physinfo(ctx, &pi) != 0 || libxl_domain_info(ctx, &di, 0) != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "xen: cannot read the host's facts from libxl");
		goto out;
	}
	if (asprintf(&out->version, "%d.%d%s", v->xen_version_major, v->xen_version_minor,
		     v->xen_version_extra ? v->xen_version_extra : "") < 0)
		out->version = NULL;
	const char *sched = libxl_scheduler_to_string(libxl_get_scheduler(ctx));
	out->sched_policy = strdup(sched ? sched : "unknown");
	out->capabilities = strdup(v->capabilities ? v->capabilities : "");
	out->nr_cpus = (int)pi.nr_cpus;
	out->total_memory = (int64_t)pi.total_pages * PAGE_BYTES;
	out->dom0_memory = (int64_t)di.current_memkb * 1024;
	out->dom0_memory_max = (int64_t)di.max_memkb * 1024;
	out->dom0_vcpus = (int)di.vcpu_online;
	if (!out->version || !out->sched_policy || !out->capabilities) {
		xd_hv_host_info_clear(out);
		xd_error_setf(err, "INTERNAL_ERROR", "xen: out of memory");
		goto out;
	}
	rc = 0;
out:
	libxl_physinfo_dispose(&pi);
	libxl_dominfo_dispose(&di);
	return rc;
}

/* ---- building ---------------------------------------------------------------------- */

static int not_enough_memory(xd_error *err, uint64_t need_kb, uint64_t free_kb)
{
	char n[32], a[32];

	snprintf(n, sizeof(n), "%llu", (unsigned long long)need_kb * 1024);
	snprintf(a, sizeof(a), "%llu", (unsigned long long)free_kb * 1024);
	return xd_error_set(err, "HOST_NOT_ENOUGH_FREE_MEMORY", n, a, NULL);
}

/* Is there room for cfg? (we do not balloon dom0 down to make some) */
/* ---- disks on NBD datapaths (hv_xen_nbd.h) ---------------------------------------- */

/* A copy of a spec's disks whose NBD datapaths point at dom0 devices
 * connected for them (devs[i], heap, NULL where the disk needed none). */
typedef struct resolved_disks {
	xd_hv_disk *disks;
	char **devs;
	int n;
} resolved_disks;

/* Frees r; with disconnect, releases its devices first (a build that failed). */
static void resolved_free(resolved_disks *r, bool disconnect)
{
	for (int i = 0; i < r->n; i++) {
		if (disconnect && r->devs[i])
			xd_hv_xen_nbd_release(r->devs[i]);
		free(r->devs[i]);
	}
	free(r->devs);
	free(r->disks);
	memset(r, 0, sizeof(*r));
}

/* One disk: *out is *in, with its NBD datapath connected as *dev. */
static int resolve_disk(const xd_hv_disk *in, xd_hv_disk *out, char **dev, xd_error *err)
{
	*out = *in;
	*dev = NULL;
	if (!xd_hv_xen_nbd_is_datapath(in->datapath))
		return 0;
	if (xd_hv_xen_nbd_connect(in->datapath, in->readonly || in->cdrom, dev, err) < 0)
		return -1;
	out->datapath = *dev;
	out->format = "raw"; /* the NBD server already reads the image's format */
	return 0;
}

/* *out is spec with its disks resolved (r owns them). */
static int resolve_disks(const xd_hv_domain_spec *spec, xd_hv_domain_spec *out,
			 resolved_disks *r, xd_error *err)
{
	*out = *spec;
	memset(r, 0, sizeof(*r));
	if (spec->ndisks <= 0)
		return 0;
	r->disks = calloc((size_t)spec->ndisks, sizeof(*r->disks));
	r->devs = calloc((size_t)spec->ndisks, sizeof(*r->devs));
	if (!r->disks || !r->devs) {
		resolved_free(r, false);
		return xd_error_setf(err, "INTERNAL_ERROR", "out of memory");
	}
	for (r->n = 0; r->n < spec->ndisks; r->n++) {
		if (resolve_disk(&spec->disks[r->n], &r->disks[r->n], &r->devs[r->n], err) < 0) {
			resolved_free(r, true);
			return -1;
		}
	}
	out->disks = r->disks;
	return 0;
}

/* Whether a disk's device is one xapid dedicates to it: a /dev/nbdN it
 * connected (hv_xen_nbd.h), or an LV's device-mapper node (the lvm SR
 * driver activates the VDI's LV for its attach). */
static bool dedicated_device(const char *path)
{
	return path && (xd_hv_xen_nbd_is_device(path) || strncmp(path, "/dev/mapper/", 12) == 0);
}

/* libxl's hotplug script for the disks on devices dedicated to them
 * (installed with xapid; Xen's own `block` where it is not, as in a build
 * tree). */
static void set_dedicated_scripts(libxl_device_disk *disks, int n)
{
	static const char script[] = XD_LIBEXECDIR "/xapi-c/block-dedicated";
	bool have = access(script, X_OK) == 0;

	for (int i = 0; i < n; i++) {
		if (!dedicated_device(disks[i].pdev_path))
			continue;
		if (!have) {
			xd_warn("xen: %s missing: Xen's block script serves %s", script,
				disks[i].pdev_path);
			continue;
		}
		free(disks[i].script);
		disks[i].script = strdup(script);
	}
}

/* Destroys a domain, then releases the NBD devices its disks were on: read
 * from libxl before, so that xapid restarted in between still finds them. */
static int destroy_domain(libxl_ctx *ctx, uint32_t domid)
{
	libxl_device_disk *disks;
	char *devs[64];
	int n = 0, ndevs = 0, rc;

	disks = libxl_device_disk_list(ctx, domid, &n);
	for (int i = 0; disks && i < n && ndevs < 64; i++)
		if (xd_hv_xen_nbd_is_device(disks[i].pdev_path))
			devs[ndevs++] = strdup(disks[i].pdev_path);
	if (disks)
		libxl_device_disk_list_free(disks, n);
	rc = libxl_domain_destroy(ctx, domid, NULL);
	for (int i = 0; i < ndevs; i++) {
		if (rc == 0)
			xd_hv_xen_nbd_release(devs[i]);
		free(devs[i]);
	}
	return rc;
}

static int check_memory(libxl_ctx *ctx, libxl_domain_config *cfg, xd_error *err)
{
	uint64_t need = 0, avail = 0;
	int rc;

	rc = libxl_domain_need_memory(ctx, cfg, INVALID_DOMID, &need);
	if (rc == 0)
		rc = libxl_get_free_memory(ctx, &avail);
	if (rc != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot compute free memory: %s",
				     libxl_error_to_string(rc));
	if (avail < need)
		return not_enough_memory(err, need, avail);
	return 0;
}

static int create_with(libxl_ctx *ctx, const xd_hv_domain_spec *spec, xd_error *err)
{
	xd_hv_domain_spec rs;
	resolved_disks r;
	libxl_domain_config cfg;
	uint32_t domid = (uint32_t)INVALID_DOMID;
	int rc, result = -1;

	if (!ctx)
		return -1;
	if (xd_hv_spec_check(spec, err) < 0) /* before any device is connected for it */
		return -1;
	if (resolve_disks(spec, &rs, &r, err) < 0)
		return -1;
	if (xd_hv_xen_config_build(&rs, &cfg, err) < 0)
		goto out_disks;
	set_dedicated_scripts(cfg.disks, cfg.num_disks);
	if (check_memory(ctx, &cfg, err) < 0)
		goto out;
	/* libxl builds it paused: xl unpauses it afterwards, so does our caller */
	rc = libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL);
	if (rc != 0) {
		if (domid != (uint32_t)INVALID_DOMID) /* half-built (ERROR_ABORTED) */
			libxl_domain_destroy(ctx, domid, NULL);
		xd_error_setf(err, "INTERNAL_ERROR", "libxl_domain_create_new for VM %s failed: %s",
			      spec->vm_uuid, libxl_error_to_string(rc));
		goto out;
	}
	xd_info("xen: domain %u built for VM %s (%s)", domid, spec->vm_uuid,
		spec->name ? spec->name : "");
	result = (int)domid;
out:
	libxl_domain_config_dispose(&cfg);
out_disks:
	resolved_free(&r, result < 0);
	return result;
}

static int xen_unpause(int domid, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	int rc;

	if (!ctx)
		return -1;
	rc = libxl_domain_unpause(ctx, (uint32_t)domid, NULL);
	return rc ? libxl_failed(err, "unpause", domid, rc) : 0;
}

static int xen_pause(int domid, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	xc_dominfo_t xi;
	int rc;

	if (!ctx || getinfo(domid, &xi, err) < 0)
		return -1;
	if (xi.paused) /* Xen counts pauses; ours do not nest */
		return 0;
	rc = libxl_domain_pause(ctx, (uint32_t)domid, NULL);
	return rc ? libxl_failed(err, "pause", domid, rc) : 0;
}

static int destroy_with(libxl_ctx *ctx, int domid, xd_error *err)
{
	int rc;

	if (!ctx)
		return -1;
	rc = destroy_domain(ctx, (uint32_t)domid);
	return rc ? libxl_failed(err, "destroy", domid, rc) : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int shutdown_with(libxl_ctx *ctx, int domid, xd_shutdown_reason reason, double timeout_s,
			 xd_error *err)
{
	double deadline = now_s() + (timeout_s > 0 ? timeout_s : 0);
	char uuid[40], t[32];
	xc_dominfo_t xi;
	int rc;

	if (!ctx || getinfo(domid, &xi, err) < 0)
		return -1;
	uuid_of(&xi, uuid);
	if (xi.shutdown || xi.dying)
		return xd_error_setf(err, "INTERNAL_ERROR", "domain %d is shut down", domid);
	switch (reason) {
	case XD_SHUTDOWN_SUSPEND:
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "a domain is suspended with suspend, not shutdown");
	case XD_SHUTDOWN_CRASH: /* the hypervisor crashes it: no guest involved */
		if (xc_domain_shutdown(X.xch, (uint32_t)domid, SHUTDOWN_crash) != 0)
			return xd_error_setf(err, "INTERNAL_ERROR", "cannot crash domain %d: %s", domid,
					     strerror(errno));
		return 0;
	case XD_SHUTDOWN_REBOOT:
		rc = libxl_domain_reboot(ctx, (uint32_t)domid, NULL);
		break;
	default:
		rc = libxl_domain_shutdown(ctx, (uint32_t)domid, NULL);
		/* an HVM guest without PV drivers still has ACPI's power button */
		if (rc == ERROR_NOPARAVIRT && xi.hvm)
			rc = libxl_send_trigger(ctx, (uint32_t)domid, LIBXL_TRIGGER_POWER, 0, NULL);
		break;
	}
	if (rc == ERROR_NOPARAVIRT)
		return xd_error_set(err, "VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT", uuid, NULL);
	if (rc != 0)
		return libxl_failed(err, "shutdown", domid, rc);
	for (;;) {
		if (getinfo(domid, &xi, err) < 0)
			return -1;
		if (xi.shutdown || xi.dying)
			break;
		if (now_s() >= deadline) {
			xd_hv_format_float(timeout_s, t);
			return xd_error_set(err, "VM_SHUTDOWN_TIMEOUT", uuid, t, NULL);
		}
		usleep(SHUTDOWN_POLL_US);
	}
	rc = destroy_domain(ctx, (uint32_t)domid);
	return rc ? libxl_failed(err, "destroy", domid, rc) : 0;
}

/* The file a suspend image datapath names (heap): file:// URIs are
 * percent-decoded (xapi/storage.h), other paths taken as they are. */
static char *image_path(const char *path, xd_error *err)
{
	char *p = strncmp(path, "file://", 7) == 0 ? xd_file_uri_path(path) : strdup(path);
	if (!p)
		xd_error_setf(err, "INTERNAL_ERROR", "unusable suspend image path %s", path);
	return p;
}

static int suspend_with(libxl_ctx *ctx, int domid, const char *path, xd_error *err)
{
	char *p;
	int fd, rc;

	if (!ctx)
		return -1;
	if (!path || !*path)
		return xd_error_setf(err, "INTERNAL_ERROR", "suspend without an image path");
	if (!(p = image_path(path, err)))
		return -1;
	/* no O_TRUNC: the image may go onto a VDI whose size must not change */
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot write suspend image %s: %s", p,
			      strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	rc = libxl_domain_suspend(ctx, (uint32_t)domid, fd, 0, NULL);
	if (rc == 0 && fsync(fd) != 0 && errno != EINVAL)
		rc = ERROR_FAIL;
	close(fd);
	if (rc != 0)
		return libxl_failed(err, "suspend", domid, rc);
	rc = destroy_domain(ctx, (uint32_t)domid);
	return rc ? libxl_failed(err, "destroy", domid, rc) : 0;
}

/* Builds spec's domain from a libxl stream on fd (restore and migration). */
static int create_from_stream(libxl_ctx *ctx, const xd_hv_domain_spec *spec, int fd,
			      xd_error *err)
{
	libxl_domain_restore_params params;
	xd_hv_domain_spec rs;
	resolved_disks r;
	libxl_domain_config cfg;
	uint32_t domid = (uint32_t)INVALID_DOMID;
	int rc, result = -1;

	if (xd_hv_spec_check(spec, err) < 0) /* before any device is connected for it */
		return -1;
	if (resolve_disks(spec, &rs, &r, err) < 0)
		return -1;
	if (xd_hv_xen_config_build(&rs, &cfg, err) < 0) {
		resolved_free(&r, true);
		return -1;
	}
	set_dedicated_scripts(cfg.disks, cfg.num_disks);
	libxl_domain_restore_params_init(&params);
	params.checkpointed_stream = LIBXL_CHECKPOINTED_STREAM_NONE;
	params.stream_version = 2; /* what libxl_domain_suspend writes */
	if (check_memory(ctx, &cfg, err) < 0)
		goto out;
	rc = libxl_domain_create_restore(ctx, &cfg, &domid, fd, -1, &params, NULL, NULL);
	if (rc != 0) {
		if (domid != (uint32_t)INVALID_DOMID)
			libxl_domain_destroy(ctx, domid, NULL);
		xd_error_setf(err, "INTERNAL_ERROR", "libxl_domain_create_restore for VM %s failed: %s",
			      spec->vm_uuid, libxl_error_to_string(rc));
		goto out;
	}
	result = (int)domid;
out:
	libxl_domain_restore_params_dispose(&params);
	libxl_domain_config_dispose(&cfg);
	resolved_free(&r, result < 0);
	return result;
}

static int restore_with(libxl_ctx *ctx, const xd_hv_domain_spec *spec, const char *path,
		xd_error *err)
{
	char *p;
	int fd, domid;

	if (!ctx)
		return -1;
	if (!path || !*path)
		return xd_error_setf(err, "INTERNAL_ERROR", "restore without an image path");
	if (!(p = image_path(path, err)))
		return -1;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot read suspend image %s: %s", p,
			      strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	domid = create_from_stream(ctx, spec, fd, err);
	close(fd);
	return domid;
}

/* ---- devices ---------------------------------------------------------------------- */

static int disk_add_with(libxl_ctx *ctx, int domid, const xd_hv_disk *disk, xd_error *err)
{
	libxl_device_disk d, existing;
	xd_hv_disk rd;
	char *dev = NULL;
	int rc;

	if (!ctx)
		return -1;
	libxl_device_disk_init(&existing);
	if (disk->vdev && libxl_vdev_to_device_disk(ctx, (uint32_t)domid, disk->vdev, &existing) == 0) {
		libxl_device_disk_dispose(&existing);
		return xd_error_set(err, "DEVICE_ALREADY_ATTACHED", disk->vdev, NULL);
	}
	libxl_device_disk_dispose(&existing);
	if (resolve_disk(disk, &rd, &dev, err) < 0)
		return -1;
	if (xd_hv_xen_config_disk(&rd, &d, err) < 0) {
		rc = -1;
	} else {
		set_dedicated_scripts(&d, 1);
		rc = libxl_device_disk_add(ctx, (uint32_t)domid, &d, NULL);
		if (rc != 0)
			rc = libxl_failed(err, "disk hotplug", domid, rc);
		libxl_device_disk_dispose(&d);
	}
	if (rc != 0 && dev)
		xd_hv_xen_nbd_release(dev);
	free(dev);
	return rc ? -1 : 0;
}

static int disk_remove_with(libxl_ctx *ctx, int domid, const char *vdev, bool force, xd_error *err)
{
	libxl_device_disk d;
	int rc;

	if (!ctx)
		return -1;
	libxl_device_disk_init(&d);
	if (!vdev || libxl_vdev_to_device_disk(ctx, (uint32_t)domid, vdev, &d) != 0) {
		libxl_device_disk_dispose(&d);
		return xd_error_set(err, "DEVICE_ALREADY_DETACHED", vdev ? vdev : "", NULL);
	}
	rc = force ? libxl_device_disk_destroy(ctx, (uint32_t)domid, &d, NULL)
		   : libxl_device_disk_remove(ctx, (uint32_t)domid, &d, NULL);
	if (rc == 0)
		xd_hv_xen_nbd_release(d.pdev_path);
	libxl_device_disk_dispose(&d);
	if (rc != 0 && !force) /* the frontend did not let go */
		return xd_error_set(err, "DEVICE_DETACH_REJECTED", "VBD", vdev,
				    libxl_error_to_string(rc), NULL);
	return rc ? libxl_failed(err, "disk unplug", domid, rc) : 0;
}

static int nic_add_with(libxl_ctx *ctx, int domid, const xd_hv_nic *nic, xd_error *err)
{
	libxl_device_nic n, existing;
	xc_dominfo_t xi;
	char id[16];
	int rc;

	if (!ctx || getinfo(domid, &xi, err) < 0)
		return -1;
	if (!nic)
		return xd_error_setf(err, "INTERNAL_ERROR", "no NIC");
	if (xd_hv_xen_config_nic(nic, xi.hvm, &n, err) < 0)
		return -1;
	libxl_device_nic_init(&existing);
	if (libxl_devid_to_device_nic(ctx, (uint32_t)domid, nic->devid, &existing) == 0) {
		snprintf(id, sizeof(id), "%d", nic->devid);
		rc = xd_error_set(err, "DEVICE_ALREADY_ATTACHED", id, NULL);
	} else {
		rc = libxl_device_nic_add(ctx, (uint32_t)domid, &n, NULL);
		if (rc != 0)
			rc = libxl_failed(err, "NIC hotplug", domid, rc);
	}
	libxl_device_nic_dispose(&existing);
	libxl_device_nic_dispose(&n);
	return rc ? -1 : 0;
}

static int nic_remove_with(libxl_ctx *ctx, int domid, int devid, xd_error *err)
{
	libxl_device_nic n;
	char id[16];
	int rc;

	if (!ctx)
		return -1;
	snprintf(id, sizeof(id), "%d", devid);
	libxl_device_nic_init(&n);
	if (libxl_devid_to_device_nic(ctx, (uint32_t)domid, devid, &n) != 0) {
		libxl_device_nic_dispose(&n);
		return xd_error_set(err, "DEVICE_ALREADY_DETACHED", id, NULL);
	}
	rc = libxl_device_nic_remove(ctx, (uint32_t)domid, &n, NULL);
	libxl_device_nic_dispose(&n);
	return rc ? xd_error_set(err, "DEVICE_DETACH_REJECTED", "VIF", id,
				 libxl_error_to_string(rc), NULL)
		  : 0;
}

/* ---- memory and vCPUs ------------------------------------------------------------ */

static int xen_set_memory_target(int domid, int64_t bytes, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	libxl_domain_config cfg;
	xc_dominfo_t xi;
	uint64_t avail = 0, max_kb, now_kb;
	int rc;

	if (!ctx || getinfo(domid, &xi, err) < 0)
		return -1;
	/* static max as the domain was built (the hypervisor's max_memkb
	 * includes video memory) */
	libxl_domain_config_init(&cfg);
	rc = libxl_retrieve_domain_configuration(ctx, (uint32_t)domid, &cfg, NULL);
	max_kb = cfg.b_info.max_memkb;
	libxl_domain_config_dispose(&cfg);
	if (rc != 0)
		return libxl_failed(err, "reading the configuration", domid, rc);
	if (bytes <= 0 || (uint64_t)bytes / 1024 > max_kb)
		return xd_hv_err_memory_order(err);
	now_kb = (uint64_t)xi.nr_pages * (PAGE_BYTES / 1024);
	if ((uint64_t)bytes / 1024 > now_kb && libxl_get_free_memory(ctx, &avail) == 0 &&
	    (uint64_t)bytes / 1024 - now_kb > avail)
		return not_enough_memory(err, (uint64_t)bytes / 1024 - now_kb, avail);
	rc = libxl_set_memory_target(ctx, (uint32_t)domid, bytes / 1024, 0, 1);
	return rc ? libxl_failed(err, "setting the memory target", domid, rc) : 0;
}

static int xen_set_vcpus(int domid, int n, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	libxl_dominfo di;
	libxl_bitmap map;
	int rc, max, i;

	if (!ctx)
		return -1;
	libxl_dominfo_init(&di);
	rc = libxl_domain_info(ctx, &di, (uint32_t)domid);
	max = (int)di.vcpu_max_id + 1;
	libxl_dominfo_dispose(&di);
	if (rc != 0)
		return libxl_failed(err, "reading the vCPUs", domid, rc);
	if (n < 1 || n > max)
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "the maximum number of vcpus configured for this VM is currently: %d",
				     max);
	libxl_bitmap_init(&map);
	rc = libxl_bitmap_alloc(ctx, &map, max);
	for (i = 0; rc == 0 && i < n; i++)
		libxl_bitmap_set(&map, i);
	if (rc == 0)
		rc = libxl_set_vcpuonline(ctx, (uint32_t)domid, &map, NULL);
	libxl_bitmap_dispose(&map);
	return rc ? libxl_failed(err, "setting the vCPUs", domid, rc) : 0;
}

/* ---- guest data, console ---------------------------------------------------------- */

typedef struct xs_dom {
	struct xs_handle *xsh;
	int domid;
} xs_dom;

static char *xs_dom_read(void *p, const char *key)
{
	xs_dom *d = p;
	char path[256];
	unsigned len;

	snprintf(path, sizeof(path), "/local/domain/%d/%s", d->domid, key);
	return xs_read(d->xsh, XBT_NULL, path, &len);
}

static char **xs_dom_list(void *p, const char *key, unsigned *n)
{
	xs_dom *d = p;
	char path[256];

	snprintf(path, sizeof(path), "/local/domain/%d/%s", d->domid, key);
	*n = 0;
	return xs_directory(d->xsh, XBT_NULL, path, n);
}

static int xen_guest_info(int domid, xd_hv_guest_info *out, xd_error *err)
{
	xc_dominfo_t xi;
	xs_dom d = { NULL, domid };
	xd_hv_xen_store st = { xs_dom_read, xs_dom_list, &d };

	memset(out, 0, sizeof(*out));
	out->memory_used = out->memory_free = -1;
	if (getinfo(domid, &xi, err) < 0)
		return -1;
	d.xsh = X.xsh;
	xd_hv_xen_guest_read(&st, out);
	return 0;
}

static int xen_console(int domid, char **protocol, char **location, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	xs_dom d = { NULL, domid };
	char *port, *tty = NULL;
	int rc;

	*protocol = *location = NULL;
	if (!ctx)
		return -1;
	d.xsh = X.xsh;
	port = xs_dom_read(&d, "console/vnc-port");
	if (port) {
		if (asprintf(location, "vnc://127.0.0.1:%s", port) < 0)
			abort();
		free(port);
		*protocol = strdup("rfb");
		return 0;
	}
	rc = libxl_console_get_tty(ctx, (uint32_t)domid, 0, LIBXL_CONSOLE_TYPE_PV, &tty);
	if (rc != 0)
		return libxl_failed(err, "finding the console", domid, rc);
	*protocol = strdup("vt100");
	*location = tty;
	return 0;
}

/* ---- migration ---------------------------------------------------------------------- */

/* tcp://host:port -> host and port (caller frees both). */
static int parse_tcp_url(const char *url, char **host, char **port)
{
	const char *hp = strncmp(url, "tcp://", 6) == 0 ? url + 6 : NULL;
	const char *colon = hp ? strrchr(hp, ':') : NULL;

	*host = *port = NULL;
	if (!colon || colon == hp || !colon[1])
		return -1;
	*host = strndup(hp, (size_t)(colon - hp));
	*port = strdup(colon + 1);
	if (!*host || !*port)
		abort();
	return 0;
}

static int tcp_socket(const char *url, bool listening, xd_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	char *host, *port;
	int fd = -1, one = 1;

	if (parse_tcp_url(url, &host, &port) < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "not a tcp://host:port URL: %s", url);
	hints.ai_flags = listening ? AI_PASSIVE : 0;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		ai = NULL;
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (listening)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (listening ? bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 1) != 0
			      : connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	if (ai)
		freeaddrinfo(ai);
	if (fd < 0)
		xd_error_setf(err, "INTERNAL_ERROR", "cannot %s %s", listening ? "listen on" : "reach",
			      url);
	free(host);
	free(port);
	return fd;
}

static int migrate_send_with(libxl_ctx *ctx, int domid, const char *url, bool live, xd_error *err)
{
	xd_error why = XD_ERROR_INIT;
	xc_dominfo_t xi;
	char uuid[40];
	int fd, rc;

	if (!ctx || getinfo(domid, &xi, err) < 0)
		return -1;
	uuid_of(&xi, uuid);
	fd = tcp_socket(url ? url : "", false, &why);
	if (fd < 0) {
		xd_error_set(err, "VM_MIGRATE_FAILED", uuid, "localhost", url ? url : "",
			     why.params[0], NULL);
		xd_error_clear(&why);
		return -1;
	}
	rc = libxl_domain_suspend(ctx, (uint32_t)domid, fd, live ? LIBXL_SUSPEND_LIVE : 0, NULL);
	close(fd);
	if (rc != 0)
		return xd_error_set(err, "VM_MIGRATE_FAILED", uuid, "localhost", url,
				    libxl_error_to_string(rc), NULL);
	rc = destroy_domain(ctx, (uint32_t)domid);
	return rc ? libxl_failed(err, "destroy", domid, rc) : 0;
}

static int migrate_receive_with(libxl_ctx *ctx, const xd_hv_domain_spec *spec, const char *url,
				xd_error *err)
{
	struct pollfd pfd;
	int lfd, fd, domid;

	if (!ctx)
		return -1;
	if (xd_hv_spec_check(spec, err) < 0)
		return -1;
	lfd = tcp_socket(url ? url : "", true, err);
	if (lfd < 0)
		return -1;
	pfd = (struct pollfd){ .fd = lfd, .events = POLLIN };
	if (poll(&pfd, 1, MIGRATE_ACCEPT_WAIT_MS) != 1) {
		close(lfd);
		return xd_error_setf(err, "INTERNAL_ERROR", "no migration arrived at %s", url);
	}
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	if (fd < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "accepting the migration at %s: %s", url,
				     strerror(errno));
	domid = create_from_stream(ctx, spec, fd, err);
	close(fd);
	return domid;
}

/* ---- the operations that fork, each on a libxl context of its own ---------------- */

/* libxl forks hotplug scripts, the device model and its save helper from
 * inside these operations, and its child frees the forking context's
 * xenstore handle (xs_daemon_destroy_postfork) before it execs. Another
 * thread in the middle of a call on the same context at that moment leaves
 * that handle half-updated in the child's copy: a child that dies of a
 * corrupted heap, or hangs holding every socket xapid had open (its
 * listener among them). So no forking operation shares its context: each
 * gets one of its own (a few ms: a xenstore connection, privcmd), freed
 * when it ends; the queries keep the shared one, which never forks. */
static libxl_ctx *op_ctx_open(xd_error *err)
{
	xentoollog_logger *lg;
	libxl_ctx *ctx = NULL;
	int rc;

	pthread_mutex_lock(&X.lock);
	lg = X.ctx ? X.lg : NULL;
	pthread_mutex_unlock(&X.lock);
	if (!lg) {
		xd_error_setf(err, "INTERNAL_ERROR", "the xen backend is not open");
		return NULL;
	}
	rc = libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, lg);
	if (rc != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "libxl_ctx_alloc failed: %s",
			      libxl_error_to_string(rc));
		return NULL;
	}
	libxl_childproc_setmode(ctx, &child_hooks, NULL);
	return ctx;
}

static void op_ctx_close(libxl_ctx *ctx)
{
	if (ctx)
		libxl_ctx_free(ctx);
}

static int xen_create(const xd_hv_domain_spec *spec, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? create_with(ctx, spec, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_destroy(int domid, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? destroy_with(ctx, domid, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_shutdown(int domid, xd_shutdown_reason reason, double timeout_s, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? shutdown_with(ctx, domid, reason, timeout_s, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_suspend(int domid, const char *path, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? suspend_with(ctx, domid, path, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_restore(const xd_hv_domain_spec *spec, const char *path, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? restore_with(ctx, spec, path, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_disk_add(int domid, const xd_hv_disk *disk, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? disk_add_with(ctx, domid, disk, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_disk_remove(int domid, const char *vdev, bool force, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? disk_remove_with(ctx, domid, vdev, force, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_nic_add(int domid, const xd_hv_nic *nic, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? nic_add_with(ctx, domid, nic, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_nic_remove(int domid, int devid, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? nic_remove_with(ctx, domid, devid, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_migrate_send(int domid, const char *url, bool live, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? migrate_send_with(ctx, domid, url, live, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

static int xen_migrate_receive(const xd_hv_domain_spec *spec, const char *url, xd_error *err)
{
	libxl_ctx *ctx = op_ctx_open(err);
	int rc = ctx ? migrate_receive_with(ctx, spec, url, err) : -1;

	op_ctx_close(ctx);
	return rc;
}

/* ---- the host ------------------------------------------------------------------ */

static xc_interface *xch_or_err(xd_error *err)
{
	return ctx_or_err(err) ? X.xch : NULL;
}

static char *xen_dmesg(xd_error *err)
{
	xc_interface *xch = xch_or_err(err);

	return xch ? xd_hv_xen_read_conring(xch, err) : NULL;
}

static int xen_send_debug_keys(const char *keys, xd_error *err)
{
	xc_interface *xch = xch_or_err(err);

	return xch ? xd_hv_xen_debug_keys(xch, keys, err) : -1;
}

static int xen_set_hostname(const char *name, xd_error *err)
{
	return xd_hv_xen_set_hostname(name, "/etc/hostname", err);
}

static int xen_memory_target(int domid, int64_t *bytes, xd_error *err)
{
	libxl_ctx *ctx = ctx_or_err(err);
	uint64_t kb = 0;
	int rc;

	if (!ctx)
		return -1;
	rc = libxl_get_memory_target(ctx, (uint32_t)domid, &kb);
	if (rc != 0)
		return libxl_failed(err, "reading the memory target", domid, rc);
	*bytes = (int64_t)kb * 1024;
	return 0;
}

static int xen_set_shadow_memory(int domid, int64_t mib, xd_error *err)
{
	xc_interface *xch = xch_or_err(err);
	unsigned int mb = (unsigned int)mib, cur = 0;
	uint64_t free_kb = 0;

	if (!xch)
		return -1;
	if (xc_shadow_control(xch, (uint32_t)domid, XEN_DOMCTL_SHADOW_OP_SET_ALLOCATION, &mb, 0) == 0)
		return 0;
	if (errno != ENOMEM)
		return xd_error_setf(err, "INTERNAL_ERROR", "setting the shadow memory of domain %d: %s",
				     domid, strerror(errno));
	/* as xenopsd: what more was asked for, and what the host has */
	xc_shadow_control(xch, (uint32_t)domid, XEN_DOMCTL_SHADOW_OP_GET_ALLOCATION, &cur, 0);
	libxl_get_free_memory(X.ctx, &free_kb);
	return not_enough_memory(err, mib > cur ? (uint64_t)(mib - cur) * 1024 : 0, free_kb);
}

static const xd_hv_ops xen_ops = {
	.name = "xen",
	.host_info = xen_host_info,
	.free_memory = xen_free_memory,
	.total_memory = xen_total_memory,
	.create = xen_create,
	.unpause = xen_unpause,
	.pause = xen_pause,
	.shutdown = xen_shutdown,
	.destroy = xen_destroy,
	.suspend = xen_suspend,
	.restore = xen_restore,
	.disk_add = xen_disk_add,
	.disk_remove = xen_disk_remove,
	.nic_add = xen_nic_add,
	.nic_remove = xen_nic_remove,
	.set_memory_target = xen_set_memory_target,
	.set_vcpus = xen_set_vcpus,
	.info = xen_info,
	.guest_info = xen_guest_info,
	.console = xen_console,
	.migrate_send = xen_migrate_send,
	.migrate_receive = xen_migrate_receive,
	.dmesg = xen_dmesg,
	.send_debug_keys = xen_send_debug_keys,
	.set_hostname = xen_set_hostname,
	.memory_target = xen_memory_target,
	.set_shadow_memory = xen_set_shadow_memory,
};

const xd_hv_ops *xd_hv_xen_ops(void)
{
	return &xen_ops;
}
