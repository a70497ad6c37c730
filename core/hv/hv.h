/* hv.h - the hypervisor backend: what the VM lifecycle code asks of the
 * host's domain manager, with two implementations selected at start-up:
 *   sim (hv_sim.c)  a simulated host, deterministic, with fault injection;
 *                   what the tests run on.
 *   xen (hv_xen.c)  libxl for building domains, libxenctrl for stats,
 *                   libxenstore for device state and guest data. Always
 *                   compiled and linked; without a hypervisor it reports
 *                   itself unavailable.
 * Both obey the same state machine: a domain is created paused, unpaused to
 * run, paused/unpaused, shut down (clean: asks the guest; hard: destroys),
 * suspended to a file and restored from one.
 *
 * Owns: the backend's handles and (sim) its simulated domains. Thread safe.
 * Errors: the functions return 0 / -1 with a XenAPI error in err (e.g.
 * HOST_NOT_ENOUGH_FREE_MEMORY [needed, available], INTERNAL_ERROR [...]).
 */
#ifndef XD_HV_H
#define XD_HV_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "value.h"

typedef enum { XD_DOM_RUNNING, XD_DOM_PAUSED, XD_DOM_SHUTDOWN, XD_DOM_CRASHED, XD_DOM_DYING } xd_dom_state;
typedef enum { XD_SHUTDOWN_POWEROFF, XD_SHUTDOWN_REBOOT, XD_SHUTDOWN_SUSPEND, XD_SHUTDOWN_CRASH,
	       XD_SHUTDOWN_HALT } xd_shutdown_reason;

/* A disk of a domain to build or hot-plug. Strings borrowed. */
typedef struct xd_hv_disk {
	const char *vbd_uuid;
	const char *vdev;         /* guest device: "xvda", "hda"... (from userdevice) */
	const char *datapath;     /* the VDI's datapath URI (xapi/storage.h); NULL = empty CD */
	const char *format;       /* "raw" | "qcow2" */
	bool readonly;
	bool cdrom;
	bool bootable;
} xd_hv_disk;

/* A network interface. Strings borrowed. */
typedef struct xd_hv_nic {
	const char *vif_uuid;
	int devid;                /* VIF.device */
	const char *mac;
	const char *bridge;       /* the network's bridge */
	int64_t mtu;
} xd_hv_nic;

/* Everything needed to build a domain, from the VM record. Borrowed. */
typedef struct xd_hv_domain_spec {
	const char *vm_uuid;
	const char *name;
	const char *domain_type;  /* "hvm", "pv", "pvh" (pv_in_pvh treated as pvh) */
	int64_t memory_static_max, memory_target;  /* bytes */
	int64_t vcpus_max, vcpus_at_startup;
	const xd_value *platform;          /* VM.platform map */
	const xd_value *hvm_boot_params;   /* VM.HVM_boot_params map */
	const char *pv_kernel, *pv_ramdisk, *pv_args, *pv_bootloader, *pv_bootloader_args;
	const xd_hv_disk *disks;
	int ndisks;
	const xd_hv_nic *nics;
	int nnics;
} xd_hv_domain_spec;

typedef struct xd_hv_dominfo {
	int domid;
	xd_dom_state state;
	xd_shutdown_reason reason;   /* when state is SHUTDOWN */
	int64_t memory_actual;       /* bytes */
	int vcpus;
	double cpu_time_s;
} xd_hv_dominfo;

/* Guest-agent data (VM_guest_metrics): os_version, networks, memory... all
 * as string maps (XD_V_STRUCT); NULL when the guest reports nothing. */
typedef struct xd_hv_guest_info {
	xd_value *os_version;
	xd_value *networks;
	xd_value *other;
	int64_t memory_used, memory_free;  /* bytes inside the guest, -1 unknown */
	bool pv_drivers;
} xd_hv_guest_info;

/* What the hypervisor says of the host and of its control domain (the
 * host record's software_version.xen, sched_policy, capabilities, its CPUs,
 * and the dom0 VM record). Strings are the caller's (xd_hv_host_info_clear). */
typedef struct xd_hv_host_info {
	char *version;               /* "4.17.7": the hypervisor's full version */
	char *sched_policy;          /* "credit2" */
	char *capabilities;          /* space-separated: "xen-3.0-x86_64 hvm-3.0-x86_32 ..." */
	int nr_cpus;                 /* physical CPUs the hypervisor runs on */
	int64_t total_memory;        /* bytes of the whole host */
	int64_t dom0_memory;         /* the control domain's current memory, bytes */
	int64_t dom0_memory_max;     /* ... and its maximum */
	int dom0_vcpus;              /* its online vCPUs */
} xd_hv_host_info;
void xd_hv_host_info_clear(xd_hv_host_info *h);

typedef struct xd_hv_ops {
	const char *name;            /* "sim" | "xen" */
	/* The host and its control domain, as the hypervisor has them now. */
	int (*host_info)(xd_hv_host_info *out, xd_error *err);
	/* The host's memory the hypervisor can give to guests (bytes). */
	int64_t (*free_memory)(void);
	int64_t (*total_memory)(void);
	/* Builds the domain paused. Returns its domid or -1. */
	int (*create)(const xd_hv_domain_spec *spec, xd_error *err);
	int (*unpause)(int domid, xd_error *err);
	int (*pause)(int domid, xd_error *err);
	/* Clean shutdown asks the guest (fails with VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT
	 * or times out with VM_SHUTDOWN_TIMEOUT); then the domain is destroyed. */
	int (*shutdown)(int domid, xd_shutdown_reason reason, double timeout_s, xd_error *err);
	int (*destroy)(int domid, xd_error *err);
	/* Saves the domain's memory to path and destroys it / builds it from path (paused). */
	int (*suspend)(int domid, const char *path, xd_error *err);
	int (*restore)(const xd_hv_domain_spec *spec, const char *path, xd_error *err);
	/* Hotplug. */
	int (*disk_add)(int domid, const xd_hv_disk *disk, xd_error *err);
	int (*disk_remove)(int domid, const char *vdev, bool force, xd_error *err);
	int (*nic_add)(int domid, const xd_hv_nic *nic, xd_error *err);
	int (*nic_remove)(int domid, int devid, xd_error *err);
	/* Memory target and vCPUs of a running domain. */
	int (*set_memory_target)(int domid, int64_t bytes, xd_error *err);
	int (*set_vcpus)(int domid, int n, xd_error *err);
	/* State and stats; -1 with HANDLE_INVALID-like INTERNAL_ERROR if no such domain. */
	int (*info)(int domid, xd_hv_dominfo *out, xd_error *err);
	/* Guest-agent data (caller frees the maps). */
	int (*guest_info)(int domid, xd_hv_guest_info *out, xd_error *err);
	/* Console: a location clients connect to (rfb/vt100). */
	int (*console)(int domid, char **protocol, char **location, xd_error *err);
	/* Migration between hosts: send the domain to a receiver URL / receive. */
	int (*migrate_send)(int domid, const char *url, bool live, xd_error *err);
	int (*migrate_receive)(const xd_hv_domain_spec *spec, const char *url, xd_error *err);
	/* The hypervisor's console ring (xen: xc_readconsolering; sim: its own
	 * ring of boot, domain and debug-key lines). Caller frees. */
	char *(*dmesg)(xd_error *err);
	/* Debug keys injected into the hypervisor (xen: xc_send_debug_keys; sim:
	 * what Xen prints for them lands in its ring). */
	int (*send_debug_keys)(const char *keys, xd_error *err);
	/* The host's own name (xen: sethostname and /etc/hostname of the control
	 * domain; sim: nothing, the simulated host's name is the database's). */
	int (*set_hostname)(const char *name, xd_error *err);
	/* The balloon target the domain is asked to reach (bytes; info's
	 * memory_actual is what it holds now). */
	int (*memory_target)(int domid, int64_t *bytes, xd_error *err);
	/* The shadow memory of a running HVM domain (MiB): more of the host's
	 * memory for it, or HOST_NOT_ENOUGH_FREE_MEMORY [needed, available]. */
	int (*set_shadow_memory)(int domid, int64_t mib, xd_error *err);
} xd_hv_ops;

/* Picks the backend: name "sim" or "xen". "xen" without a hypervisor fails
 * with a clear message (xapid then exits, unless configured to fall back
 * to sim: fallback_to_sim). Returns 0 or -1 with a message in err. */
int xd_hv_init(const char *name, bool fallback_to_sim, xd_error *err);
const xd_hv_ops *xd_hv(void);
void xd_hv_shutdown(void);

/* The backends, for tests that want one directly. */
const xd_hv_ops *xd_hv_sim_ops(void);
const xd_hv_ops *xd_hv_xen_ops(void);
/* xen: is a hypervisor reachable? (libxl_ctx_alloc + xc_interface_open) */
bool xd_hv_xen_available(char *why, size_t whylen);

/* sim only: fault injection for tests (by VM uuid): "shutdown_ignored"
 * (clean shutdown times out), "crash" (the domain crashes after start),
 * "create_fails", "balloon_stuck" (the guest's balloon driver ignores new
 * memory targets). Also settable from VM.other_config "sim:fault" keys. */
void xd_hv_sim_set_memory(int64_t total_bytes);
/* sim only: the simulated host's network (hv_sim_net.c). Makes network
 * namespace `netns` (and <netns>-lan) unless they exist, with the NICs of
 * the comma-separated `nics` as veth devices there (their other ends lan0,
 * lan1... in <netns>-lan); from then on every NIC of a domain is a veth
 * vif<domid>.<devid> in netns whose other end is eth<devid> in the guest's
 * namespace <netns>-d<domid>, and the guest agent reports the addresses
 * it really has. 0 or -1 with err. */
int xd_hv_sim_net_setup(const char *netns, const char *nics, xd_error *err);
/* Removes the namespaces (at a clean stop). */
void xd_hv_sim_net_teardown(void);
/* Its name (new string), or NULL without a simulated network. */
char *xd_hv_sim_netns(void);
void xd_hv_sim_inject(const char *vm_uuid, const char *fault);

#endif
