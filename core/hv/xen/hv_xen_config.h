/* hv_xen_config.h - the VM record (a domain spec, hv.h) as a libxl domain
 * configuration. Pure: no hypervisor, no libxl context needed, so it is unit
 * tested on any machine by comparing libxl's own JSON of the result.
 *
 * What goes where (upstream xapi/xenopsd semantics, libxl 4.17 fields):
 *   domain_type      hvm / pv / pvh (pv_in_pvh as pvh): c_info.type, b_info type
 *   name             c_info.name is the VM uuid: libxl refuses two domains of
 *                    one name and xapi's name_label need not be unique
 *   memory           max_memkb = static_max, target_memkb = target (KiB)
 *   VCPUs            max_vcpus = VCPUs_max; avail_vcpus = the first
 *                    VCPUs_at_startup of them
 *   PV / PVH boot    PV_bootloader (pygrub) with PV_bootloader_args, else
 *                    PV_kernel / PV_ramdisk; PV_args is the command line
 *   HVM boot         HVM_boot_params firmware bios|uefi (SeaBIOS/OVMF,
 *                    ROMBIOS under qemu-trad), order (default "cd"); serial
 *                    pty, VNC on 127.0.0.1
 *   platform         acpi, apic, nx, pae, viridian (xapi's booleans: true/1,
 *                    false/0; anything else keeps libxl's default),
 *                    device-model (qemu-trad | qemu-upstream[-compat|-uefi])
 *   disks            the VDI's datapath: file:///p -> p through qdisk
 *                    (format raw / qcow2 / vhd); a raw /dev/ path through
 *                    blkback (phy). nbd+unix:// is refused here: the
 *                    backend first connects it to a /dev/nbdN
 *                    (hv_xen_nbd.h). CD-ROMs removable, read-only, empty
 *                    when they have no datapath
 *   NICs             vif on the network's bridge with MAC and MTU
 *                    (emulated + PV for HVM guests)
 * Errors as xapi: INVALID_VALUE [HVM-boot-params['firmware'], v],
 * INVALID_VALUE [platform:device-model, why], MAC_INVALID [mac]; the spec
 * checks of hv_int.h; INTERNAL_ERROR for datapaths libxl cannot reach.
 */
#ifndef XD_HV_XEN_CONFIG_H
#define XD_HV_XEN_CONFIG_H

#include <libxl.h>
#include <stdbool.h>

#include "error.h"
#include "hv/hv.h"

/* Initialises *out and fills it from spec. On error *out is disposed again;
 * on success the caller disposes it (libxl_domain_config_dispose). */
int xd_hv_xen_config_build(const xd_hv_domain_spec *spec, libxl_domain_config *out,
			   xd_error *err);

/* One disk / NIC, as for a domain build or a hotplug. out is initialised
 * here; on success the caller disposes it (libxl_device_*_dispose). */
int xd_hv_xen_config_disk(const xd_hv_disk *disk, libxl_device_disk *out, xd_error *err);
int xd_hv_xen_config_nic(const xd_hv_nic *nic, bool hvm, libxl_device_nic *out, xd_error *err);

/* The libxl target (pdev_path) for a VDI datapath URI. Caller frees *target. */
int xd_hv_xen_datapath_target(const char *datapath, char **target, xd_error *err);

/* libxl's JSON of a configuration (libxl_domain_config_to_json, the
 * wrapper around libxl_domain_config_gen_json). ctx may be NULL: libxl uses
 * it only to log a failure of its JSON generator. Caller frees; NULL on
 * failure. */
char *xd_hv_xen_config_json(libxl_ctx *ctx, libxl_domain_config *cfg);

#endif
