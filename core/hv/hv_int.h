/* hv_int.h - what the hypervisor backends share behind hv.h: opening and
 * closing a backend (hv.c selects one), the checks every backend makes on a
 * domain spec, and the error shapes both report the same way.
 *
 * Errors that name a VM (VM_SHUTDOWN_TIMEOUT, VM_FAILED_SHUTDOWN_ACKNOWLEDGMENT,
 * VM_MIGRATE_FAILED) carry the VM's uuid where xapi puts its ref: the
 * backend knows domains, not database refs; the VM layer swaps it. Device
 * errors (DEVICE_ALREADY_ATTACHED/DETACHED) carry the disk's vdev or the NIC's
 * devid for the same reason.
 */
#ifndef XD_HV_INT_H
#define XD_HV_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "hv.h"

/* xen: checks that a hypervisor is there and opens the long-lived handles
 * (libxl, libxenctrl, libxenstore). Returns 0, or -1 with the reason in why. */
int xd_hv_xen_open(char *why, size_t whylen);
void xd_hv_xen_close(void);

/* sim: forgets every simulated domain, fault and pending migration (domids
 * keep counting up: they are never reused within a run). */
void xd_hv_sim_reset(void);

/* The checks both backends make before building a domain: a VM uuid, a known
 * domain_type, 0 < target <= static_max, 1 <= VCPUs_at_startup <= VCPUs_max,
 * unique vdevs and devids, a datapath on every disk but an empty CD. */
int xd_hv_spec_check(const xd_hv_domain_spec *spec, xd_error *err);

/* "hvm", "pv" or "pvh" for a spec's domain_type (pv_in_pvh is pvh); NULL if
 * it is none of xapi's domain types. */
const char *xd_hv_domain_kind(const char *domain_type);

/* A float as OCaml's string_of_float prints it ("60." , "1.5"): xapi sends
 * VM_SHUTDOWN_TIMEOUT's timeout that way. */
void xd_hv_format_float(double v, char out[32]);

/* INTERNAL_ERROR for a domid that is not there (both backends alike). */
int xd_hv_err_no_domain(xd_error *err, int domid);

/* MEMORY_CONSTRAINT_VIOLATION_ORDER: xapi's error for memory settings that
 * break static_min <= dynamic_min <= target <= dynamic_max <= static_max. */
int xd_hv_err_memory_order(xd_error *err);

#endif
