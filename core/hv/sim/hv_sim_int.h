/* hv_sim_int.h - what the parts of the simulated host share (hv_sim.c:
 * state, memory, faults, domains and their lifecycle; hv_sim_devices.c:
 * hotplug; hv_sim_guest.c: the guest agent and console; hv_sim_migrate.c:
 * migration between receivers and senders of one process).
 *
 * All of it lives under one lock (xd_sim_lock); functions taking or
 * returning an xd_sim_dom expect the caller to hold it. Whoever changes a
 * domain calls xd_sim_changed() to wake the waiters (xd_sim_wait_until).
 */
#ifndef XD_HV_SIM_INT_H
#define XD_HV_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hv/hv.h"
#include "hv_sim_image.h"

typedef struct xd_sim_disk {
	char *vdev, *datapath, *format;
	bool readonly, cdrom;
} xd_sim_disk;

typedef struct xd_sim_nic {
	int devid;
	char *mac, *bridge;
	int64_t mtu;
} xd_sim_nic;

typedef struct xd_sim_dom {
	int domid;
	char *vm_uuid, *domain_type;
	xd_dom_state state;
	xd_shutdown_reason reason;
	int64_t static_max, memory;  /* memory: what it holds */
	int64_t target;              /* its balloon target (memory reaches it at once
				      * unless the balloon_stuck fault says otherwise) */
	int64_t shadow_mib;          /* shadow memory of an HVM domain */
	int vcpus, vcpus_max;
	double cpu_s;                /* cpu time until run_since */
	double run_since;            /* monotonic time it last started running */
	bool booted;                 /* has run: its guest agent reports */
	xd_sim_disk *disks;
	int ndisks;
	xd_sim_nic *nics;
	int nnics;
} xd_sim_dom;


void xd_sim_lock(void);
void xd_sim_unlock(void);
/* Wakes every waiter (after any change to a domain, a fault, a receiver). */
void xd_sim_changed(void);
/* Waits for a change until the monotonic deadline (xd_sim_now() based). */
void xd_sim_wait_until(double deadline);
double xd_sim_now(void);

char *xd_sim_strdup(const char *s);          /* NULL becomes "" */
char *xd_sim_strdup_or_null(const char *s);
void *xd_sim_calloc(size_t n, size_t size);

bool xd_sim_has_fault(const char *vm_uuid, const char *name);

/* The domain or NULL; _live_dom also applies faults and wants it running
 * or paused (else NULL with the error). */
xd_sim_dom *xd_sim_find(int domid);
xd_sim_dom *xd_sim_live_dom(int domid, xd_error *err);
void xd_sim_dom_remove(xd_sim_dom *d);
void xd_sim_disk_copy(xd_sim_disk *k, const xd_hv_disk *src);
void xd_sim_disk_free(xd_sim_disk *k);
void xd_sim_nic_copy(xd_sim_nic *n, const xd_hv_nic *src);
void xd_sim_nic_free(xd_sim_nic *n);

/* The domain as a suspend image / a paused domain of spec from an image
 * (same_vm_ok: the sender of a migration still holds one of the same VM). */
void xd_sim_image_of(const xd_sim_dom *d, xd_sim_image *img);
int xd_sim_build_from_image(const xd_hv_domain_spec *spec, const xd_sim_image *img,
			    bool same_vm_ok, xd_error *err);

/* The operations of the other parts (see hv.h for their contracts). */
int xd_sim_disk_add(int domid, const xd_hv_disk *disk, xd_error *err);
int xd_sim_disk_remove(int domid, const char *vdev, bool force, xd_error *err);
int xd_sim_nic_add(int domid, const xd_hv_nic *nic, xd_error *err);
int xd_sim_nic_remove(int domid, int devid, xd_error *err);
int xd_sim_guest_info(int domid, xd_hv_guest_info *out, xd_error *err);
int xd_sim_console(int domid, char **protocol, char **location, xd_error *err);
int xd_sim_migrate_send(int domid, const char *url, bool live, xd_error *err);
int xd_sim_migrate_receive(const xd_hv_domain_spec *spec, const char *url, xd_error *err);
/* The simulated host's network (hv_sim_net.c), under the sim lock: a
 * NIC's veth pair, made and removed; the domain's namespace removed; the
 * addresses its guest has (-1: no simulated network). */
int xd_sim_net_nic_add(int domid, const xd_sim_nic *n, xd_error *err);
void xd_sim_net_nic_remove(int domid, int devid);
void xd_sim_net_dom_gone(int domid);
int xd_sim_net_guest_addrs(int domid, int devid, char *v4, size_t n4, char **v6, int max6,
			   int *n6);
/* Makes every thread waiting in a migration give up (host reset). */
void xd_sim_migrate_reset(void);

/* The simulated hypervisor's console ring (hv_sim_conring.c): a line
 * "(XEN) <text>" added; the whole ring (caller frees; NULL out of memory);
 * emptied (host reset); what Xen prints for each debug key of keys. */
void xd_sim_conring_add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xd_sim_conring_read(void);
void xd_sim_conring_reset(void);
void xd_sim_conring_debug_keys(const char *keys);

#endif
