/* api.h - the register functions of the api/ modules: one per XenAPI
 * class that has messages with behaviour. Each installs its handlers with
 * xd_rpc_register (and generic create/destroy hooks where needed). */
#ifndef XD_API_H
#define XD_API_H

void xd_api_message_register(void);
void xd_api_blob_register(void);          /* blob.create/destroy, X.create_new_blob (blob.c) */
void xd_api_blob_http_register(void);     /* GET/PUT /blob: a blob's bytes (blob_http.c) */
void xd_api_pool_register(void);
void xd_api_host_register(void);
void xd_api_host_evacuate_register(void);
/* host.dmesg, send_debug_keys, set_hostname_live, syslog_reconfigure,
 * shutdown_agent (host_admin.c). */
void xd_api_host_admin_register(void);
void xd_api_vm_register(void);
void xd_api_vm_bios_register(void);
/* VM.wait_memory_target_live (vm_memory_live.c). */
void xd_api_vm_memory_live_register(void);      /* VM.copy_bios_strings, set_bios_strings (vm_bios.c) */
void xd_api_sr_register(void);
void xd_api_pbd_register(void);
void xd_api_vdi_register(void);
/* PUT /import_raw_vdi, GET /export_raw_vdi (http.h routes). */
void xd_api_vdi_http_register(void);
/* CONNECT /console (console_http.c). */
void xd_api_console_http_register(void);
/* GET /export, /export_metadata (vm_export.c); PUT /import (vm_import.c): XVAs. */
void xd_api_vm_export_register(void);
void xd_api_vm_import_register(void);
void xd_api_devices_register(void);
void xd_api_pif_register(void);          /* PIF.* (pif.c) */
void xd_api_network_register(void);      /* network.*, VIF network calls, host.management_* (network_api.c) */
void xd_api_vlan_bond_register(void);    /* VLAN, Bond, tunnel (vlan_bond.c) */
void xd_api_data_sources_register(void); /* host/VM/SR data sources (data_sources.c) */
void xd_api_host_plugins_register(void); /* host.call_plugin (host_plugins.c) */
void xd_api_host_cert_register(void);    /* host.*_server_certificate (host_cert.c) */

/* Calls every register function above. */
void xd_api_register_all(void);

/* The VM monitor (vm_monitor.c): the VM refresher, and the VM knobs main.c sets.
 *
 * Owns: one thread that, every interval (and when kicked), reads the
 * domains of the VMs running on this host from the hypervisor backend and
 * keeps VM_metrics, VM_guest_metrics and host_metrics.memory_free current
 * (writing only what changed), and carries out what a guest did by itself
 * (shut down, rebooted, crashed: actions_after_shutdown/reboot/crash).
 */

/* Brings the db in line with the backend after a (re)start: VMs that were
 * running and have no domain any more are Halted, operations left in
 * current_operations by the previous run are dropped, allowed_operations
 * is computed where it never was. Then starts the thread. Call after the
 * backend (xd_hv_init) and the db are up. Returns 0 or -1. */
int xd_vm_monitor_start(double interval_s);
void xd_vm_monitor_stop(void);

/* How long VM.clean_shutdown / clean_reboot wait for the guest (config
 * clean_shutdown_timeout; default xapi's 1200 s). */
void xd_vm_set_shutdown_timeout(double seconds);

#endif
