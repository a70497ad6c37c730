/* dm_decl.c - the XenAPI classes, fields, messages and enums we serve.
 *
 * GENERATED FILE, do not edit. Regenerate with
 *     python3 tools/dmgen.py PATH/TO/xenapi-datamodel.json lib
 * (tools/dmgen.py reads upstream's machine-readable datamodel and keeps
 * only names, types, qualifiers, defaults and flags, in our own format).
 */
#include "dm_decl.h"

/* ---- enums ---- */

static const char *const e0[] = { "balance-slb", "active-backup", "lacp", NULL };
static const char *const e1[] = { "VM", "Host", "SR", "Pool", "VMPP", "VMSS", "PVS_proxy", "VDI", "Certificate", NULL };
static const char *const e2[] = { "vt100", "rfb", "rdp", NULL };
static const char *const e3[] = { "hvm", "pv", "pv_in_pvh", "pvh", "unspecified", NULL };
static const char *const e4[] = { "add", "del", "mod", NULL };
static const char *const e5[] = { "provision", "evacuate", "shutdown", "reboot", "power_on", "vm_start", "vm_resume", "vm_migrate", "apply_updates", "enable", NULL };
static const char *const e6[] = { "enabled", "disable_on_reboot", "disabled", "enable_on_reboot", NULL };
static const char *const e7[] = { "any", "best_effort", "default_policy", NULL };
static const char *const e8[] = { "core", "cpu", "socket", NULL };
static const char *const e9[] = { "None", "DHCP", "Static", NULL };
static const char *const e10[] = { "None", "DHCP", "Static", "Autoconf", NULL };
static const char *const e11[] = { "yes", "no", "unknown", NULL };
static const char *const e12[] = { "unlocked", "disabled", NULL };
static const char *const e13[] = { "attaching", NULL };
static const char *const e14[] = { "nbd", "insecure_nbd", NULL };
static const char *const e15[] = { "reset", "persist", NULL };
static const char *const e16[] = { "destroy", "coredump_and_destroy", "restart", "coredump_and_restart", "preserve", "rename_restart", NULL };
static const char *const e17[] = { "destroy", "restart", NULL };
static const char *const e18[] = { "soft_reboot", "destroy", "restart", "preserve", NULL };
static const char *const e19[] = { "enabled", "disabled", "unknown", NULL };
static const char *const e20[] = { "ha_enable", "ha_disable", "cluster_create", "designate_new_master", "configure_repositories", "sync_updates", "get_updates", "apply_updates", "tls_verification_enable", "cert_refresh", "exchange_certificates_on_join", "exchange_ca_certificates_on_join", "copy_primary_host_certs", "eject", NULL };
static const char *const e21[] = { "IPv4", "IPv6", NULL };
static const char *const e22[] = { "scan", "destroy", "forget", "plug", "unplug", "update", "vdi_create", "vdi_introduce", "vdi_destroy", "vdi_resize", "vdi_clone", "vdi_snapshot", "vdi_mirror", "vdi_enable_cbt", "vdi_disable_cbt", "vdi_data_destroy", "vdi_list_changed_blocks", "vdi_set_on_boot", "pbd_create", "pbd_destroy", NULL };
static const char *const e23[] = { "cancel", "destroy", NULL };
static const char *const e24[] = { "pending", "success", "failure", "cancelling", "cancelled", NULL };
static const char *const e25[] = { "daily", "weekly", "monthly", NULL };
static const char *const e26[] = { "yes", "no", "unspecified", NULL };
static const char *const e27[] = { "gre", "vxlan", NULL };
static const char *const e28[] = { "reboot_host", "reboot_host_on_livepatch_failure", "reboot_host_on_kernel_livepatch_failure", "reboot_host_on_xen_livepatch_failure", "restart_toolstack", "restart_device_model", "restart_vm", NULL };
static const char *const e29[] = { "daily", "weekly", NULL };
static const char *const e30[] = { "RO", "RW", NULL };
static const char *const e31[] = { "attach", "eject", "insert", "plug", "unplug", "unplug_force", "pause", "unpause", NULL };
static const char *const e32[] = { "CD", "Disk", "Floppy", NULL };
static const char *const e33[] = { "clone", "copy", "resize", "resize_online", "snapshot", "mirror", "destroy", "forget", "update", "force_unlock", "generate_config", "enable_cbt", "disable_cbt", "data_destroy", "list_changed_blocks", "set_on_boot", "blocked", NULL };
static const char *const e34[] = { "system", "user", "ephemeral", "suspend", "crashdump", "ha_statefile", "metadata", "redo_log", "rrd", "pvs_cache", "cbt_metadata", NULL };
static const char *const e35[] = { "None", "Static", NULL };
static const char *const e36[] = { "None", "Static", NULL };
static const char *const e37[] = { "network_default", "locked", "unlocked", "disabled", NULL };
static const char *const e38[] = { "attach", "plug", "unplug", NULL };
static const char *const e39[] = { "snapshot", "clone", "copy", "create_template", "revert", "checkpoint", "snapshot_with_quiesce", "provision", "start", "start_on", "pause", "unpause", "clean_shutdown", "clean_reboot", "hard_shutdown", "power_state_reset", "hard_reboot", "suspend", "csvm", "resume", "resume_on", "pool_migrate", "migrate_send", "get_boot_record", "send_sysrq", "send_trigger", "query_services", "shutdown", "call_plugin", "changing_memory_live", "awaiting_memory_live", "changing_dynamic_range", "changing_static_range", "changing_memory_limits", "changing_shadow_memory", "changing_shadow_memory_live", "changing_VCPUs", "changing_VCPUs_live", "changing_NVRAM", "assert_operation_valid", "data_source_op", "update_allowed_operations", "make_into_template", "import", "export", "metadata_export", "reverting", "destroy", "create_vtpm", NULL };
static const char *const e40[] = { "Halted", "Paused", "Running", "Suspended", NULL };

const xd_enum xd_decl_enums[] = {
	{ "bond_mode", e0, 3 },
	{ "cls", e1, 9 },
	{ "console_protocol", e2, 3 },
	{ "domain_type", e3, 5 },
	{ "event_operation", e4, 3 },
	{ "host_allowed_operations", e5, 10 },
	{ "host_display", e6, 4 },
	{ "host_numa_affinity_policy", e7, 3 },
	{ "host_sched_gran", e8, 3 },
	{ "ip_configuration_mode", e9, 3 },
	{ "ipv6_configuration_mode", e10, 4 },
	{ "latest_synced_updates_applied_state", e11, 3 },
	{ "network_default_locking_mode", e12, 2 },
	{ "network_operations", e13, 1 },
	{ "network_purpose", e14, 2 },
	{ "on_boot", e15, 2 },
	{ "on_crash_behaviour", e16, 6 },
	{ "on_normal_exit", e17, 2 },
	{ "on_softreboot_behavior", e18, 4 },
	{ "pif_igmp_status", e19, 3 },
	{ "pool_allowed_operations", e20, 14 },
	{ "primary_address_type", e21, 2 },
	{ "storage_operations", e22, 20 },
	{ "task_allowed_operations", e23, 2 },
	{ "task_status_type", e24, 5 },
	{ "telemetry_frequency", e25, 3 },
	{ "tristate_type", e26, 3 },
	{ "tunnel_protocol", e27, 2 },
	{ "update_guidances", e28, 7 },
	{ "update_sync_frequency", e29, 2 },
	{ "vbd_mode", e30, 2 },
	{ "vbd_operations", e31, 8 },
	{ "vbd_type", e32, 3 },
	{ "vdi_operations", e33, 17 },
	{ "vdi_type", e34, 11 },
	{ "vif_ipv4_configuration_mode", e35, 2 },
	{ "vif_ipv6_configuration_mode", e36, 2 },
	{ "vif_locking_mode", e37, 4 },
	{ "vif_operations", e38, 3 },
	{ "vm_operations", e39, 49 },
	{ "vm_power_state", e40, 4 },
};
const size_t xd_decl_nenums = 41;

/* ---- parameter lists (shared) ---- */

static const xd_decl_param p0[] = { { "subject_identifier", "string", NULL } };
static const xd_decl_param p1[] = { { "filename", "string", NULL } };
static const xd_decl_param p2[] = { { "uname", "string", NULL }, { "pwd", "string", NULL } };
static const xd_decl_param p3[] = { { "old_pwd", "string", NULL }, { "new_pwd", "string", NULL } };
static const xd_decl_param p4[] = { { "uname", "string", NULL }, { "pwd", "string", NULL }, { "version", "string", "\"1.1\"" }, { "originator", "string", "\"\"" } };
static const xd_decl_param p5[] = { { "self", "session ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p6[] = { { "self", "session ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p7[] = { { "self", "session ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p8[] = { { "self", "session ref", NULL } };
static const xd_decl_param p9[] = { { "uuid", "string", NULL } };
static const xd_decl_param p10[] = { { "subject_name", "string", NULL } };
static const xd_decl_param p11[] = { { "self", "subject ref", NULL } };
static const xd_decl_param p12[] = { { "self", "subject ref", NULL }, { "role", "role ref", NULL } };
static const xd_decl_param p13[] = { { "args", "subject record", NULL } };
static const xd_decl_param p14[] = { { "expr", "string", NULL } };
static const xd_decl_param p15[] = { { "label", "string", NULL } };
static const xd_decl_param p16[] = { { "permission", "role ref", NULL } };
static const xd_decl_param p17[] = { { "self", "role ref", NULL } };
static const xd_decl_param p18[] = { { "self", "pool ref", NULL }, { "value", "int", NULL } };
static const xd_decl_param p19[] = { { "self", "pool ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p20[] = { { "self", "pool ref", NULL }, { "update_sync_frequency", "enum update_sync_frequency", NULL }, { "update_sync_day", "int", NULL } };
static const xd_decl_param p21[] = { { "self", "pool ref", NULL } };
static const xd_decl_param p22[] = { { "self", "pool ref", NULL }, { "value", "datetime", NULL } };
static const xd_decl_param p23[] = { { "self", "pool ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p24[] = { { "self", "pool ref", NULL }, { "url", "string", NULL }, { "username", "string", NULL }, { "password", "string", NULL } };
static const xd_decl_param p25[] = { { "self", "pool ref", NULL }, { "name", "string", NULL } };
static const xd_decl_param p26[] = { { "self", "pool ref", NULL }, { "requires_reboot", "bool", NULL } };
static const xd_decl_param p27[] = { { "self", "pool ref", NULL }, { "force", "bool", NULL }, { "token", "string", "\"\"" }, { "token_id", "string", "\"\"" } };
static const xd_decl_param p28[] = { { "self", "pool ref", NULL }, { "value", "Repository ref", NULL } };
static const xd_decl_param p29[] = { { "self", "pool ref", NULL }, { "value", "Repository ref set", NULL } };
static const xd_decl_param p30[] = { { "self", "pool ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p31[] = { { "self", "pool ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p32[] = { { "self", "pool ref", NULL }, { "edition", "string", NULL } };
static const xd_decl_param p33[] = { { "self", "pool ref", NULL }, { "config", "(string -> string) map", NULL } };
static const xd_decl_param p34[] = { { "address", "string", NULL } };
static const xd_decl_param p35[] = { { "sr", "SR ref", NULL } };
static const xd_decl_param p36[] = { { "name", "string", NULL } };
static const xd_decl_param p37[] = { { "name", "string", NULL }, { "cert", "string", NULL } };
static const xd_decl_param p38[] = { { "host", "string", NULL }, { "port", "int", NULL }, { "body", "string", NULL } };
static const xd_decl_param p39[] = { { "config", "(string -> string) map", NULL } };
static const xd_decl_param p40[] = { { "wlb_url", "string", NULL }, { "wlb_username", "string", NULL }, { "wlb_password", "string", NULL }, { "xenserver_username", "string", NULL }, { "xenserver_password", "string", NULL } };
static const xd_decl_param p41[] = { { "pool", "pool ref", NULL } };
static const xd_decl_param p42[] = { { "pool", "pool ref", NULL }, { "config", "(string -> string) map", "{}" } };
static const xd_decl_param p43[] = { { "pool", "pool ref", NULL }, { "config", "(string -> string) map", NULL }, { "service_name", "string", NULL }, { "auth_type", "string", NULL } };
static const xd_decl_param p44[] = { { "pool", "pool ref", NULL }, { "name", "string", NULL }, { "mime_type", "string", NULL }, { "public", "bool", "false" } };
static const xd_decl_param p45[] = { { "failed_hosts", "host ref set", NULL }, { "failed_vms", "VM ref set", NULL } };
static const xd_decl_param p46[] = { { "configuration", "(VM ref -> string) map", NULL } };
static const xd_decl_param p47[] = { { "n", "int", NULL } };
static const xd_decl_param p48[] = { { "seconds", "int", NULL } };
static const xd_decl_param p49[] = { { "host", "host ref", NULL } };
static const xd_decl_param p50[] = { { "heartbeat_srs", "SR ref set", NULL }, { "configuration", "(string -> string) map", NULL } };
static const xd_decl_param p51[] = { { "pif", "PIF ref", NULL }, { "network", "network ref", NULL }, { "VLAN", "int", NULL } };
static const xd_decl_param p52[] = { { "network", "network ref", NULL } };
static const xd_decl_param p53[] = { { "device", "string", NULL }, { "network", "network ref", NULL }, { "VLAN", "int", NULL } };
static const xd_decl_param p54[] = { { "master_address", "string", NULL } };
static const xd_decl_param p55[] = { { "master_address", "string", NULL }, { "master_username", "string", NULL }, { "master_password", "string", NULL } };
static const xd_decl_param p56[] = { { "self", "pool ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p57[] = { { "self", "pool ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p58[] = { { "self", "pool ref", NULL }, { "value", "SR ref", NULL } };
static const xd_decl_param p59[] = { { "self", "host ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p60[] = { { "self", "host ref", NULL }, { "hash", "string", NULL } };
static const xd_decl_param p61[] = { { "self", "host ref", NULL }, { "value", "enum host_numa_affinity_policy", NULL } };
static const xd_decl_param p62[] = { { "self", "host ref", NULL } };
static const xd_decl_param p63[] = { { "self", "host ref", NULL }, { "value", "enum host_sched_gran", NULL } };
static const xd_decl_param p64[] = { { "host", "host ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p65[] = { { "host", "host ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p66[] = { { "host", "host ref", NULL }, { "network", "network ref", NULL }, { "options", "(string -> string) map", NULL } };
static const xd_decl_param p67[] = { { "host", "host ref", NULL }, { "sr", "SR ref", NULL } };
static const xd_decl_param p68[] = { { "self", "host ref", NULL }, { "power_on_mode", "string", NULL }, { "power_on_config", "(string -> string) map", NULL } };
static const xd_decl_param p69[] = { { "host", "host ref", NULL }, { "edition", "string", NULL }, { "force", "bool", "false" } };
static const xd_decl_param p70[] = { { "host", "host ref", NULL }, { "certificate", "string", NULL }, { "private_key", "string", NULL }, { "certificate_chain", "string", "\"\"" } };
static const xd_decl_param p71[] = { { "host", "host ref", NULL }, { "config", "(string -> string) map", "{}" } };
static const xd_decl_param p72[] = { { "host", "host ref", NULL }, { "config", "(string -> string) map", NULL }, { "service_name", "string", NULL }, { "auth_type", "string", NULL } };
static const xd_decl_param p73[] = { { "host", "host ref", NULL }, { "call", "string", NULL } };
static const xd_decl_param p74[] = { { "host", "host ref", NULL }, { "name", "string", NULL } };
static const xd_decl_param p75[] = { { "host", "host ref", NULL }, { "plugin", "string", NULL }, { "fn", "string", NULL }, { "args", "(string -> string) map", NULL } };
static const xd_decl_param p76[] = { { "host", "host ref", NULL }, { "name", "string", NULL }, { "mime_type", "string", NULL }, { "public", "bool", "false" } };
static const xd_decl_param p77[] = { { "host", "host ref", NULL }, { "delay", "float", NULL } };
static const xd_decl_param p78[] = { { "host", "host ref", NULL }, { "hostname", "string", NULL } };
static const xd_decl_param p79[] = { { "interface", "string", NULL } };
static const xd_decl_param p80[] = { { "pif", "PIF ref", NULL } };
static const xd_decl_param p81[] = { { "host", "host ref", NULL }, { "network", "network ref", "OpaqueRef:NULL" }, { "evacuate_batch_size", "int", "0" } };
static const xd_decl_param p82[] = { { "host", "host ref", NULL }, { "data_source", "string", NULL } };
static const xd_decl_param p83[] = { { "soft", "bool", "false" } };
static const xd_decl_param p84[] = { { "host", "host ref", NULL }, { "contents", "string", NULL } };
static const xd_decl_param p85[] = { { "host", "host ref", NULL }, { "url", "string", NULL }, { "options", "(string -> string) map", NULL } };
static const xd_decl_param p86[] = { { "host", "host ref", NULL }, { "keys", "string", NULL } };
static const xd_decl_param p87[] = { { "self", "host ref", NULL }, { "value", "enum host_display", NULL } };
static const xd_decl_param p88[] = { { "self", "host ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p89[] = { { "self", "host ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p90[] = { { "self", "host ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p91[] = { { "self", "host ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p92[] = { { "self", "host ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p93[] = { { "self", "host ref", NULL }, { "value", "SR ref", NULL } };
static const xd_decl_param p94[] = { { "self", "host_metrics ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p95[] = { { "self", "host_metrics ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p96[] = { { "self", "host_metrics ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p97[] = { { "self", "host_metrics ref", NULL } };
static const xd_decl_param p98[] = { { "self", "host_cpu ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p99[] = { { "self", "host_cpu ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p100[] = { { "self", "host_cpu ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p101[] = { { "self", "host_cpu ref", NULL } };
static const xd_decl_param p102[] = { { "self", "VM ref", NULL } };
static const xd_decl_param p103[] = { { "self", "VM ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p104[] = { { "self", "VM ref", NULL }, { "value", "enum domain_type", NULL } };
static const xd_decl_param p105[] = { { "self", "VM ref", NULL }, { "value", "enum on_crash_behaviour", NULL } };
static const xd_decl_param p106[] = { { "url", "string", NULL }, { "sr", "SR ref", NULL }, { "full_restore", "bool", NULL }, { "force", "bool", NULL } };
static const xd_decl_param p107[] = { { "self", "VM ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p108[] = { { "vm", "VM ref", NULL }, { "plugin", "string", NULL }, { "fn", "string", NULL }, { "args", "(string -> string) map", NULL } };
static const xd_decl_param p109[] = { { "self", "VM ref", NULL }, { "value", "VM_appliance ref", NULL } };
static const xd_decl_param p110[] = { { "type", "string", NULL }, { "username", "string", NULL }, { "password", "string", NULL }, { "sr", "SR ref", NULL }, { "remote_config", "(string -> string) map", NULL } };
static const xd_decl_param p111[] = { { "self", "VM ref", NULL }, { "session_to", "session ref", NULL }, { "force", "bool", NULL } };
static const xd_decl_param p112[] = { { "self", "VM ref", NULL }, { "session_to", "session ref", NULL } };
static const xd_decl_param p113[] = { { "self", "VM ref", NULL }, { "value", "VDI ref", NULL } };
static const xd_decl_param p114[] = { { "self", "VM ref", NULL }, { "value", "int", NULL } };
static const xd_decl_param p115[] = { { "self", "VM ref", NULL }, { "value", "VMSS ref", NULL } };
static const xd_decl_param p116[] = { { "vm", "VM ref", NULL }, { "host", "host ref", NULL } };
static const xd_decl_param p117[] = { { "self", "VM ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p118[] = { { "vm", "VM ref", NULL } };
static const xd_decl_param p119[] = { { "vm", "VM ref", NULL }, { "name", "string", NULL }, { "mime_type", "string", NULL }, { "public", "bool", "false" } };
static const xd_decl_param p120[] = { { "self", "VM ref", NULL }, { "host", "host ref", NULL } };
static const xd_decl_param p121[] = { { "self", "VM ref", NULL }, { "op", "enum vm_operations", NULL } };
static const xd_decl_param p122[] = { { "self", "VM ref", NULL }, { "data_source", "string", NULL } };
static const xd_decl_param p123[] = { { "vm", "VM ref", NULL }, { "dest", "(string -> string) map", NULL }, { "live", "bool", NULL }, { "vdi_map", "(VDI ref -> SR ref) map", NULL }, { "vif_map", "(VIF ref -> network ref) map", NULL }, { "options", "(string -> string) map", NULL }, { "vgpu_map", "(VGPU ref -> GPU_group ref) map", "{}" } };
static const xd_decl_param p124[] = { { "self", "VM ref", NULL }, { "total", "int", NULL }, { "approximate", "bool", NULL } };
static const xd_decl_param p125[] = { { "vm", "VM ref", NULL }, { "trigger", "string", NULL } };
static const xd_decl_param p126[] = { { "vm", "VM ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p127[] = { { "self", "VM ref", NULL }, { "multiplier", "float", NULL } };
static const xd_decl_param p128[] = { { "self", "VM ref", NULL }, { "value", "float", NULL } };
static const xd_decl_param p129[] = { { "self", "VM ref", NULL }, { "target", "int", NULL } };
static const xd_decl_param p130[] = { { "self", "VM ref", NULL }, { "static_min", "int", NULL }, { "static_max", "int", NULL }, { "dynamic_min", "int", NULL }, { "dynamic_max", "int", NULL } };
static const xd_decl_param p131[] = { { "self", "VM ref", NULL }, { "min", "int", NULL }, { "max", "int", NULL } };
static const xd_decl_param p132[] = { { "self", "VM ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p133[] = { { "self", "VM ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p134[] = { { "self", "VM ref", NULL }, { "nvcpu", "int", NULL } };
static const xd_decl_param p135[] = { { "vm", "VM ref", NULL }, { "host", "host ref", NULL }, { "options", "(string -> string) map", NULL } };
static const xd_decl_param p136[] = { { "vm", "VM ref", NULL }, { "host", "host ref", NULL }, { "start_paused", "bool", NULL }, { "force", "bool", NULL } };
static const xd_decl_param p137[] = { { "vm", "VM ref", NULL }, { "start_paused", "bool", NULL }, { "force", "bool", NULL } };
static const xd_decl_param p138[] = { { "vm", "VM ref", NULL }, { "new_name", "string", NULL } };
static const xd_decl_param p139[] = { { "snapshot", "VM ref", NULL } };
static const xd_decl_param p140[] = { { "vm", "VM ref", NULL }, { "new_name", "string", NULL }, { "sr", "SR ref", NULL } };
static const xd_decl_param p141[] = { { "vm", "VM ref", NULL }, { "new_name", "string", NULL }, { "ignore_vdis", "VDI ref set", "{}" } };
static const xd_decl_param p142[] = { { "self", "VM ref", NULL }, { "value", "SR ref", NULL } };
static const xd_decl_param p143[] = { { "self", "VM ref", NULL }, { "key", "enum vm_operations", NULL } };
static const xd_decl_param p144[] = { { "self", "VM ref", NULL }, { "key", "enum vm_operations", NULL }, { "value", "string", NULL } };
static const xd_decl_param p145[] = { { "self", "VM ref", NULL }, { "value", "(enum vm_operations -> string) map", NULL } };
static const xd_decl_param p146[] = { { "self", "VM ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p147[] = { { "self", "VM ref", NULL }, { "value", "enum on_normal_exit", NULL } };
static const xd_decl_param p148[] = { { "self", "VM ref", NULL }, { "value", "enum on_softreboot_behavior", NULL } };
static const xd_decl_param p149[] = { { "self", "VM ref", NULL }, { "value", "host ref", NULL } };
static const xd_decl_param p150[] = { { "args", "VM record", NULL } };
static const xd_decl_param p151[] = { { "self", "VM_metrics ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p152[] = { { "self", "VM_metrics ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p153[] = { { "self", "VM_metrics ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p154[] = { { "self", "VM_metrics ref", NULL } };
static const xd_decl_param p155[] = { { "self", "VM_guest_metrics ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p156[] = { { "self", "VM_guest_metrics ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p157[] = { { "self", "VM_guest_metrics ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p158[] = { { "self", "VM_guest_metrics ref", NULL } };
static const xd_decl_param p159[] = { { "self", "VBD ref", NULL }, { "value", "enum vbd_mode", NULL } };
static const xd_decl_param p160[] = { { "self", "VBD ref", NULL } };
static const xd_decl_param p161[] = { { "vbd", "VBD ref", NULL }, { "vdi", "VDI ref", NULL } };
static const xd_decl_param p162[] = { { "vbd", "VBD ref", NULL } };
static const xd_decl_param p163[] = { { "self", "VBD ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p164[] = { { "self", "VBD ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p165[] = { { "self", "VBD ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p166[] = { { "self", "VBD ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p167[] = { { "self", "VBD ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p168[] = { { "self", "VBD ref", NULL }, { "value", "enum vbd_type", NULL } };
static const xd_decl_param p169[] = { { "args", "VBD record", NULL } };
static const xd_decl_param p170[] = { { "self", "VBD_metrics ref", NULL } };
static const xd_decl_param p171[] = { { "self", "VDI ref", NULL } };
static const xd_decl_param p172[] = { { "vdi_from", "VDI ref", NULL }, { "vdi_to", "VDI ref", NULL } };
static const xd_decl_param p173[] = { { "vdi", "VDI ref", NULL }, { "sr", "SR ref", NULL }, { "options", "(string -> string) map", NULL } };
static const xd_decl_param p174[] = { { "self", "VDI ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p175[] = { { "self", "VDI ref", NULL }, { "value", "enum on_boot", NULL } };
static const xd_decl_param p176[] = { { "self", "VDI ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p177[] = { { "vdi", "VDI ref", NULL } };
static const xd_decl_param p178[] = { { "vdi", "VDI ref", NULL }, { "sr", "SR ref", "OpaqueRef:NULL" }, { "base_vdi", "VDI ref", "OpaqueRef:NULL" }, { "into_vdi", "VDI ref", "OpaqueRef:NULL" } };
static const xd_decl_param p179[] = { { "uuid", "string", NULL }, { "name_label", "string", NULL }, { "name_description", "string", NULL }, { "SR", "SR ref", NULL }, { "type", "enum vdi_type", NULL }, { "sharable", "bool", NULL }, { "read_only", "bool", NULL }, { "other_config", "(string -> string) map", NULL }, { "location", "string", NULL }, { "xenstore_data", "(string -> string) map", NULL }, { "sm_config", "(string -> string) map", NULL }, { "managed", "bool", NULL }, { "virtual_size", "int", NULL }, { "physical_utilisation", "int", NULL }, { "metadata_of_pool", "pool ref", NULL }, { "is_a_snapshot", "bool", NULL }, { "snapshot_time", "datetime", NULL }, { "snapshot_of", "VDI ref", NULL } };
static const xd_decl_param p180[] = { { "vdi", "VDI ref", NULL }, { "size", "int", NULL } };
static const xd_decl_param p181[] = { { "vdi", "VDI ref", NULL }, { "driver_params", "(string -> string) map", "{}" } };
static const xd_decl_param p182[] = { { "self", "VDI ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p183[] = { { "self", "VDI ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p184[] = { { "self", "VDI ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p185[] = { { "self", "VDI ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p186[] = { { "args", "VDI record", NULL } };
static const xd_decl_param p187[] = { { "sr", "SR ref", NULL }, { "data_source", "string", NULL } };
static const xd_decl_param p188[] = { { "self", "SR ref", NULL }, { "value", "int", NULL } };
static const xd_decl_param p189[] = { { "sr", "SR ref", NULL }, { "name", "string", NULL }, { "mime_type", "string", NULL }, { "public", "bool", "false" } };
static const xd_decl_param p190[] = { { "sr", "SR ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p191[] = { { "sr", "SR ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p192[] = { { "host", "host ref", NULL }, { "device_config", "(string -> string) map", NULL }, { "type", "string", NULL }, { "sm_config", "(string -> string) map", NULL } };
static const xd_decl_param p193[] = { { "host", "host ref", NULL }, { "device_config", "(string -> string) map", NULL }, { "physical_size", "int", NULL }, { "name_label", "string", NULL }, { "name_description", "string", NULL }, { "type", "string", NULL }, { "content_type", "string", NULL }, { "sm_config", "(string -> string) map", NULL } };
static const xd_decl_param p194[] = { { "uuid", "string", NULL }, { "name_label", "string", NULL }, { "name_description", "string", NULL }, { "type", "string", NULL }, { "content_type", "string", NULL }, { "shared", "bool", NULL }, { "sm_config", "(string -> string) map", NULL } };
static const xd_decl_param p195[] = { { "host", "host ref", NULL }, { "device_config", "(string -> string) map", NULL }, { "physical_size", "int", NULL }, { "name_label", "string", NULL }, { "name_description", "string", NULL }, { "type", "string", NULL }, { "content_type", "string", NULL }, { "shared", "bool", NULL }, { "sm_config", "(string -> string) map", NULL } };
static const xd_decl_param p196[] = { { "self", "SR ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p197[] = { { "self", "SR ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p198[] = { { "self", "SR ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p199[] = { { "self", "SR ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p200[] = { { "self", "SR ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p201[] = { { "self", "SR ref", NULL } };
static const xd_decl_param p202[] = { { "self", "PBD ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p203[] = { { "self", "PBD ref", NULL } };
static const xd_decl_param p204[] = { { "self", "PBD ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p205[] = { { "self", "PBD ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p206[] = { { "args", "PBD record", NULL } };
static const xd_decl_param p207[] = { { "self", "SM ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p208[] = { { "self", "SM ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p209[] = { { "self", "SM ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p210[] = { { "self", "SM ref", NULL } };
static const xd_decl_param p211[] = { { "self", "network ref", NULL }, { "value", "enum network_purpose", NULL } };
static const xd_decl_param p212[] = { { "network", "network ref", NULL }, { "value", "enum network_default_locking_mode", NULL } };
static const xd_decl_param p213[] = { { "network", "network ref", NULL }, { "name", "string", NULL }, { "mime_type", "string", NULL }, { "public", "bool", "false" } };
static const xd_decl_param p214[] = { { "self", "network ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p215[] = { { "self", "network ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p216[] = { { "self", "network ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p217[] = { { "self", "network ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p218[] = { { "self", "network ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p219[] = { { "self", "network ref", NULL }, { "value", "int", NULL } };
static const xd_decl_param p220[] = { { "self", "network ref", NULL } };
static const xd_decl_param p221[] = { { "args", "network record", NULL } };
static const xd_decl_param p222[] = { { "self", "PIF ref", NULL }, { "name", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p223[] = { { "self", "PIF ref", NULL } };
static const xd_decl_param p224[] = { { "device", "string", NULL }, { "network", "network ref", NULL }, { "host", "host ref", NULL }, { "MAC", "string", NULL }, { "MTU", "int", NULL }, { "VLAN", "int", NULL }, { "physical", "bool", NULL }, { "ip_configuration_mode", "enum ip_configuration_mode", NULL }, { "IP", "string", NULL }, { "netmask", "string", NULL }, { "gateway", "string", NULL }, { "DNS", "string", NULL }, { "bond_slave_of", "Bond ref", NULL }, { "VLAN_master_of", "VLAN ref", NULL }, { "management", "bool", NULL }, { "other_config", "(string -> string) map", NULL }, { "disallow_unplug", "bool", NULL }, { "ipv6_configuration_mode", "enum ipv6_configuration_mode", NULL }, { "IPv6", "string set", NULL }, { "ipv6_gateway", "string", NULL }, { "primary_address_type", "enum primary_address_type", NULL }, { "managed", "bool", NULL }, { "properties", "(string -> string) map", NULL } };
static const xd_decl_param p225[] = { { "self", "PIF ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p226[] = { { "host", "host ref", NULL }, { "MAC", "string", NULL }, { "device", "string", NULL }, { "managed", "bool", NULL } };
static const xd_decl_param p227[] = { { "self", "PIF ref", NULL }, { "primary_address_type", "enum primary_address_type", NULL } };
static const xd_decl_param p228[] = { { "self", "PIF ref", NULL }, { "mode", "enum ipv6_configuration_mode", NULL }, { "IPv6", "string", NULL }, { "gateway", "string", NULL }, { "DNS", "string", NULL } };
static const xd_decl_param p229[] = { { "self", "PIF ref", NULL }, { "mode", "enum ip_configuration_mode", NULL }, { "IP", "string", NULL }, { "netmask", "string", NULL }, { "gateway", "string", NULL }, { "DNS", "string", NULL } };
static const xd_decl_param p230[] = { { "device", "string", NULL }, { "network", "network ref", NULL }, { "host", "host ref", NULL }, { "VLAN", "int", NULL } };
static const xd_decl_param p231[] = { { "self", "PIF ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p232[] = { { "self", "PIF ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p233[] = { { "self", "PIF ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p234[] = { { "self", "PIF_metrics ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p235[] = { { "self", "PIF_metrics ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p236[] = { { "self", "PIF_metrics ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p237[] = { { "self", "PIF_metrics ref", NULL } };
static const xd_decl_param p238[] = { { "self", "VIF ref", NULL }, { "mode", "enum vif_ipv6_configuration_mode", NULL }, { "address", "string", "\"\"" }, { "gateway", "string", "\"\"" } };
static const xd_decl_param p239[] = { { "self", "VIF ref", NULL }, { "mode", "enum vif_ipv4_configuration_mode", NULL }, { "address", "string", "\"\"" }, { "gateway", "string", "\"\"" } };
static const xd_decl_param p240[] = { { "self", "VIF ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p241[] = { { "self", "VIF ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p242[] = { { "self", "VIF ref", NULL }, { "value", "enum vif_locking_mode", NULL } };
static const xd_decl_param p243[] = { { "self", "VIF ref", NULL }, { "network", "network ref", NULL } };
static const xd_decl_param p244[] = { { "self", "VIF ref", NULL } };
static const xd_decl_param p245[] = { { "self", "VIF ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p246[] = { { "self", "VIF ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p247[] = { { "self", "VIF ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p248[] = { { "args", "VIF record", NULL } };
static const xd_decl_param p249[] = { { "self", "VLAN ref", NULL } };
static const xd_decl_param p250[] = { { "tagged_PIF", "PIF ref", NULL }, { "tag", "int", NULL }, { "network", "network ref", NULL } };
static const xd_decl_param p251[] = { { "self", "VLAN ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p252[] = { { "self", "VLAN ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p253[] = { { "self", "VLAN ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p254[] = { { "self", "Bond ref", NULL }, { "name", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p255[] = { { "self", "Bond ref", NULL }, { "value", "enum bond_mode", NULL } };
static const xd_decl_param p256[] = { { "self", "Bond ref", NULL } };
static const xd_decl_param p257[] = { { "network", "network ref", NULL }, { "members", "PIF ref set", NULL }, { "MAC", "string", NULL }, { "mode", "enum bond_mode", "balance-slb" }, { "properties", "(string -> string) map", "{}" } };
static const xd_decl_param p258[] = { { "self", "Bond ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p259[] = { { "self", "Bond ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p260[] = { { "self", "Bond ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p261[] = { { "self", "tunnel ref", NULL } };
static const xd_decl_param p262[] = { { "transport_PIF", "PIF ref", NULL }, { "network", "network ref", NULL }, { "protocol", "enum tunnel_protocol", "gre" } };
static const xd_decl_param p263[] = { { "self", "tunnel ref", NULL }, { "value", "enum tunnel_protocol", NULL } };
static const xd_decl_param p264[] = { { "self", "tunnel ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p265[] = { { "self", "tunnel ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p266[] = { { "self", "tunnel ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p267[] = { { "self", "task ref", NULL }, { "value", "string set", NULL } };
static const xd_decl_param p268[] = { { "self", "task ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p269[] = { { "self", "task ref", NULL }, { "value", "float", NULL } };
static const xd_decl_param p270[] = { { "self", "task ref", NULL }, { "value", "enum task_status_type", NULL } };
static const xd_decl_param p271[] = { { "task", "task ref", NULL } };
static const xd_decl_param p272[] = { { "self", "task ref", NULL } };
static const xd_decl_param p273[] = { { "label", "string", NULL }, { "description", "string", NULL } };
static const xd_decl_param p274[] = { { "self", "task ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p275[] = { { "self", "task ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p276[] = { { "self", "task ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p277[] = { { "class", "string", NULL }, { "ref", "string", NULL } };
static const xd_decl_param p278[] = { { "classes", "string set", NULL }, { "token", "string", NULL }, { "timeout", "float", NULL } };
static const xd_decl_param p279[] = { { "classes", "string set", NULL } };
static const xd_decl_param p280[] = { { "self", "message ref", NULL } };
static const xd_decl_param p281[] = { { "since", "datetime", NULL } };
static const xd_decl_param p282[] = { { "cls", "enum cls", NULL }, { "obj_uuid", "string", NULL }, { "since", "datetime", NULL } };
static const xd_decl_param p283[] = { { "messages", "message ref set", NULL } };
static const xd_decl_param p284[] = { { "name", "string", NULL }, { "priority", "int", NULL }, { "cls", "enum cls", NULL }, { "obj_uuid", "string", NULL }, { "body", "string", NULL } };
static const xd_decl_param p285[] = { { "self", "console ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p286[] = { { "self", "console ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p287[] = { { "self", "console ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p288[] = { { "self", "console ref", NULL } };
static const xd_decl_param p289[] = { { "args", "console record", NULL } };
static const xd_decl_param p290[] = { { "self", "blob ref", NULL } };
static const xd_decl_param p291[] = { { "mime_type", "string", NULL }, { "public", "bool", "false" } };
static const xd_decl_param p292[] = { { "self", "blob ref", NULL }, { "value", "bool", NULL } };
static const xd_decl_param p293[] = { { "self", "blob ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p294[] = { { "self", "secret ref", NULL }, { "key", "string", NULL } };
static const xd_decl_param p295[] = { { "self", "secret ref", NULL }, { "key", "string", NULL }, { "value", "string", NULL } };
static const xd_decl_param p296[] = { { "self", "secret ref", NULL }, { "value", "(string -> string) map", NULL } };
static const xd_decl_param p297[] = { { "self", "secret ref", NULL }, { "value", "string", NULL } };
static const xd_decl_param p298[] = { { "self", "secret ref", NULL } };
static const xd_decl_param p299[] = { { "args", "secret record", NULL } };

/* ---- session ---- */

static const xd_decl_field f_session[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "this_host", "host ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "this_user", "user ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_active", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "pool", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "is_local_superuser", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "subject", "subject ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "validation_time", "datetime", XD_Q_RO_RUNTIME, "19700101T00:00:00Z", false },
	{ "auth_user_sid", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "auth_user_name", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "rbac_permissions", "string set", XD_Q_RO_CTOR, "{}", false },
	{ "tasks", "task ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "parent", "session ref", XD_Q_RO_CTOR, "OpaqueRef:NULL", false },
	{ "originator", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "client_certificate", "bool", XD_Q_RO_RUNTIME, "false", false },
};

static const xd_decl_message m_session[] = {
	{ "logout_subject_identifier", "void", XD_MSG_ASYNC, 0x3, p0, 1 },
	{ "get_all_subject_identifiers", "string set", XD_MSG_ASYNC, 0x7f, NULL, 0 },
	{ "local_logout", "void", 0, 0x1, NULL, 0 },
	{ "create_from_db_file", "session ref", XD_MSG_ASYNC, 0x0, p1, 1 },
	{ "slave_local_login_with_password", "session ref", XD_MSG_NO_SESSION, 0x1, p2, 2 },
	{ "change_password", "void", 0, 0x0, p3, 2 },
	{ "logout", "void", 0, 0x7f, NULL, 0 },
	{ "login_with_password", "session ref", XD_MSG_NO_SESSION, 0x7f, p4, 4 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x1, p5, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x1, p6, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x1, p7, 2 },
	{ "get_client_certificate", "bool", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_originator", "string", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_parent", "session ref", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_tasks", "task ref set", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_rbac_permissions", "string set", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_auth_user_name", "string", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_auth_user_sid", "string", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_validation_time", "datetime", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_subject", "subject ref", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_is_local_superuser", "bool", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_pool", "bool", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_last_active", "datetime", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_this_user", "user ref", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_this_host", "host ref", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
	{ "get_by_uuid", "session ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "session record", XD_MSG_IMPLICIT, 0x7f, p8, 1 },
};

/* ---- auth ---- */

static const xd_decl_field f_auth[] = {
};

static const xd_decl_message m_auth[] = {
	{ "get_group_membership", "string set", XD_MSG_ASYNC, 0x7f, p0, 1 },
	{ "get_subject_information_from_identifier", "(string -> string) map", XD_MSG_ASYNC, 0x7f, p0, 1 },
	{ "get_subject_identifier", "string", XD_MSG_ASYNC, 0x7f, p10, 1 },
};

/* ---- subject ---- */

static const xd_decl_field f_subject[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "subject_identifier", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "other_config", "(string -> string) map", XD_Q_RO_CTOR, "{}", false },
	{ "roles", "role ref set", XD_Q_RO_RUNTIME, "{OpaqueRef:0165f154-ba3e-034e-6b27-5d271af109ba}", false },
};

static const xd_decl_message m_subject[] = {
	{ "get_all_records", "(subject ref -> subject record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "subject ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_permissions_name_label", "string set", XD_MSG_ASYNC, 0x7f, p11, 1 },
	{ "remove_from_roles", "void", XD_MSG_ASYNC, 0x1, p12, 2 },
	{ "add_to_roles", "void", XD_MSG_ASYNC, 0x1, p12, 2 },
	{ "get_roles", "role ref set", XD_MSG_IMPLICIT, 0x7f, p11, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p11, 1 },
	{ "get_subject_identifier", "string", XD_MSG_IMPLICIT, 0x7f, p11, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p11, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0x1, p11, 1 },
	{ "create", "subject ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0x1, p13, 1 },
	{ "get_by_uuid", "subject ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "subject record", XD_MSG_IMPLICIT, 0x7f, p11, 1 },
	{ "get_all_records_where", "(subject ref -> subject record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "subject ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- role ---- */

static const xd_decl_field f_role[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "name_description", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "subroles", "role ref set", XD_Q_RO_CTOR, "{}", false },
	{ "is_internal", "bool", XD_Q_RO_RUNTIME, "false", false },
};

static const xd_decl_message m_role[] = {
	{ "get_all_records", "(role ref -> role record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "role ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_by_permission_name_label", "role ref set", XD_MSG_ASYNC, 0x7f, p15, 1 },
	{ "get_by_permission", "role ref set", XD_MSG_ASYNC, 0x7f, p16, 1 },
	{ "get_permissions_name_label", "string set", XD_MSG_ASYNC, 0x7f, p17, 1 },
	{ "get_permissions", "role ref set", XD_MSG_ASYNC, 0x7f, p17, 1 },
	{ "get_is_internal", "bool", XD_MSG_IMPLICIT, 0x7f, p17, 1 },
	{ "get_subroles", "role ref set", XD_MSG_IMPLICIT, 0x7f, p17, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p17, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p17, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p17, 1 },
	{ "get_by_name_label", "role ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "get_by_uuid", "role ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "role record", XD_MSG_IMPLICIT, 0x7f, p17, 1 },
	{ "get_all_records_where", "(role ref -> role record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "role ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- pool ---- */

static const xd_decl_field f_pool[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RW, NULL, false },
	{ "name_description", "string", XD_Q_RW, NULL, false },
	{ "master", "host ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "default_SR", "SR ref", XD_Q_RW, NULL, false },
	{ "suspend_image_SR", "SR ref", XD_Q_RW, NULL, false },
	{ "crash_dump_SR", "SR ref", XD_Q_RW, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "ha_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "ha_configuration", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "ha_statefiles", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "ha_host_failures_to_tolerate", "int", XD_Q_RO_RUNTIME, "0", false },
	{ "ha_plan_exists_for", "int", XD_Q_RO_RUNTIME, "0", false },
	{ "ha_allow_overcommit", "bool", XD_Q_RW, "false", false },
	{ "ha_overcommitted", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "blobs", "(string -> blob ref) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "tags", "string set", XD_Q_RW, "{}", false },
	{ "gui_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "health_check_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "wlb_url", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "wlb_username", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "wlb_enabled", "bool", XD_Q_RW, "false", false },
	{ "wlb_verify_cert", "bool", XD_Q_RW, "false", true },
	{ "redo_log_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "redo_log_vdi", "VDI ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "vswitch_controller", "string", XD_Q_RO_RUNTIME, "\"\"", true },
	{ "restrictions", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "metadata_VDIs", "VDI ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "ha_cluster_stack", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "allowed_operations", "enum pool_allowed_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum pool_allowed_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "guest_agent_config", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "cpu_info", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "policy_no_vendor_device", "bool", XD_Q_RW, "false", false },
	{ "live_patching_disabled", "bool", XD_Q_RW, "false", false },
	{ "igmp_snooping_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "uefi_certificates", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "custom_uefi_certificates", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "is_psr_pending", "bool", XD_Q_RW, "false", false },
	{ "tls_verification_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "repositories", "Repository ref set", XD_Q_RO_RUNTIME, "{}", false },
	{ "client_certificate_auth_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "client_certificate_auth_name", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "repository_proxy_url", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "repository_proxy_username", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "repository_proxy_password", "secret ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "migration_compression", "bool", XD_Q_RW, "false", false },
	{ "coordinator_bias", "bool", XD_Q_RW, "true", false },
	{ "local_auth_max_threads", "int", XD_Q_RO_CTOR, "8", false },
	{ "ext_auth_max_threads", "int", XD_Q_RO_CTOR, "1", false },
	{ "telemetry_uuid", "secret ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "telemetry_frequency", "enum telemetry_frequency", XD_Q_RO_RUNTIME, "weekly", false },
	{ "telemetry_next_collection", "datetime", XD_Q_RO_RUNTIME, "19700101T00:00:00Z", false },
	{ "last_update_sync", "datetime", XD_Q_RO_RUNTIME, "19700101T00:00:00Z", false },
	{ "update_sync_frequency", "enum update_sync_frequency", XD_Q_RO_RUNTIME, "weekly", false },
	{ "update_sync_day", "int", XD_Q_RO_RUNTIME, "0", false },
	{ "update_sync_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
};

static const xd_decl_message m_pool[] = {
	{ "get_all_records", "(pool ref -> pool record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "pool ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "set_ext_auth_max_threads", "void", 0, 0x3, p18, 2 },
	{ "set_local_auth_max_threads", "void", 0, 0x3, p18, 2 },
	{ "set_update_sync_enabled", "void", XD_MSG_ASYNC, 0x3, p19, 2 },
	{ "configure_update_sync", "void", XD_MSG_ASYNC, 0x3, p20, 3 },
	{ "reset_telemetry_uuid", "void", XD_MSG_ASYNC, 0x1, p21, 1 },
	{ "set_telemetry_next_collection", "void", XD_MSG_ASYNC, 0x1, p22, 2 },
	{ "set_https_only", "void", XD_MSG_ASYNC, 0x3, p19, 2 },
	{ "set_custom_uefi_certificates", "void", XD_MSG_ASYNC, 0x1, p23, 2 },
	{ "set_uefi_certificates", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x1, p23, 2 },
	{ "disable_repository_proxy", "void", XD_MSG_ASYNC, 0x23, p21, 1 },
	{ "configure_repository_proxy", "void", XD_MSG_ASYNC, 0x23, p24, 4 },
	{ "disable_client_certificate_auth", "void", XD_MSG_ASYNC, 0x23, p21, 1 },
	{ "enable_client_certificate_auth", "void", XD_MSG_ASYNC, 0x23, p25, 2 },
	{ "check_update_readiness", "string set set", XD_MSG_ASYNC, 0x23, p26, 2 },
	{ "sync_updates", "string", XD_MSG_ASYNC, 0x23, p27, 4 },
	{ "remove_repository", "void", XD_MSG_ASYNC, 0x23, p28, 2 },
	{ "add_repository", "void", XD_MSG_ASYNC, 0x23, p28, 2 },
	{ "set_repositories", "void", XD_MSG_ASYNC, 0x23, p29, 2 },
	{ "rotate_secret", "void", XD_MSG_ASYNC, 0x1, NULL, 0 },
	{ "remove_from_guest_agent_config", "void", XD_MSG_ASYNC, 0x1, p30, 2 },
	{ "add_to_guest_agent_config", "void", XD_MSG_ASYNC, 0x1, p31, 3 },
	{ "has_extension", "bool", XD_MSG_ASYNC, 0x1, p25, 2 },
	{ "set_igmp_snooping_enabled", "void", XD_MSG_ASYNC, 0x3, p19, 2 },
	{ "disable_ssl_legacy", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p21, 1 },
	{ "apply_edition", "void", XD_MSG_ASYNC, 0x3, p32, 2 },
	{ "get_license_state", "(string -> string) map", XD_MSG_ASYNC, 0x7f, p21, 1 },
	{ "disable_local_storage_caching", "void", XD_MSG_ASYNC, 0x3, p21, 1 },
	{ "enable_local_storage_caching", "void", XD_MSG_ASYNC, 0x3, p21, 1 },
	{ "test_archive_target", "string", 0, 0x3, p33, 2 },
	{ "set_vswitch_controller", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p34, 1 },
	{ "disable_redo_log", "void", XD_MSG_ASYNC, 0x3, NULL, 0 },
	{ "enable_redo_log", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "enable_tls_verification", "void", 0, 0x1, NULL, 0 },
	{ "certificate_sync", "void", XD_MSG_ASYNC, 0x3, NULL, 0 },
	{ "crl_list", "string set", XD_MSG_ASYNC, 0x3, NULL, 0 },
	{ "crl_uninstall", "void", XD_MSG_ASYNC, 0x3, p36, 1 },
	{ "crl_install", "void", XD_MSG_ASYNC, 0x3, p37, 2 },
	{ "uninstall_ca_certificate", "void", XD_MSG_ASYNC, 0x23, p36, 1 },
	{ "install_ca_certificate", "void", XD_MSG_ASYNC, 0x23, p37, 2 },
	{ "certificate_list", "string set", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, NULL, 0 },
	{ "certificate_uninstall", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p36, 1 },
	{ "certificate_install", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p37, 2 },
	{ "send_test_post", "string", XD_MSG_ASYNC, 0x1, p38, 3 },
	{ "retrieve_wlb_recommendations", "(VM ref -> string set) map", XD_MSG_ASYNC, 0x7f, NULL, 0 },
	{ "retrieve_wlb_configuration", "(string -> string) map", XD_MSG_ASYNC, 0x7f, NULL, 0 },
	{ "send_wlb_configuration", "void", XD_MSG_ASYNC, 0x3, p39, 1 },
	{ "deconfigure_wlb", "void", XD_MSG_ASYNC, 0x3, NULL, 0 },
	{ "initialize_wlb", "void", XD_MSG_ASYNC, 0x3, p40, 5 },
	{ "detect_nonhomogeneous_external_auth", "void", 0, 0x3, p41, 1 },
	{ "disable_external_auth", "void", 0, 0x1, p42, 2 },
	{ "enable_external_auth", "void", 0, 0x1, p43, 4 },
	{ "create_new_blob", "blob ref", XD_MSG_ASYNC, 0x3, p44, 4 },
	{ "set_ha_host_failures_to_tolerate", "void", XD_MSG_ASYNC, 0x3, p18, 2 },
	{ "ha_compute_vm_failover_plan", "(VM ref -> (string -> string) map) map", 0, 0x3, p45, 2 },
	{ "ha_compute_hypothetical_max_host_failures_to_tolerate", "int", 0, 0x7f, p46, 1 },
	{ "ha_compute_max_host_failures_to_tolerate", "int", 0, 0x3, NULL, 0 },
	{ "ha_failover_plan_exists", "bool", 0, 0x3, p47, 1 },
	{ "ha_prevent_restarts_for", "void", 0, 0x3, p48, 1 },
	{ "designate_new_master", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "sync_database", "void", XD_MSG_ASYNC, 0x3, NULL, 0 },
	{ "disable_ha", "void", XD_MSG_ASYNC, 0x23, NULL, 0 },
	{ "enable_ha", "void", XD_MSG_ASYNC, 0x23, p50, 2 },
	{ "create_VLAN_from_PIF", "PIF ref set", XD_MSG_ASYNC, 0x3, p51, 3 },
	{ "management_reconfigure", "void", XD_MSG_ASYNC, 0x3, p52, 1 },
	{ "create_VLAN", "PIF ref set", XD_MSG_ASYNC, 0x3, p53, 3 },
	{ "recover_slaves", "host ref set", XD_MSG_ASYNC, 0x3, NULL, 0 },
	{ "emergency_reset_master", "void", 0, 0x3, p54, 1 },
	{ "emergency_transition_to_master", "void", 0, 0x3, NULL, 0 },
	{ "eject", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "join_force", "void", XD_MSG_ASYNC, 0x3, p55, 3 },
	{ "join", "void", XD_MSG_ASYNC, 0x3, p55, 3 },
	{ "set_coordinator_bias", "void", XD_MSG_IMPLICIT, 0x3, p19, 2 },
	{ "set_migration_compression", "void", XD_MSG_IMPLICIT, 0x3, p19, 2 },
	{ "set_is_psr_pending", "void", XD_MSG_IMPLICIT, 0x3, p19, 2 },
	{ "set_live_patching_disabled", "void", XD_MSG_IMPLICIT, 0x3, p19, 2 },
	{ "set_policy_no_vendor_device", "void", XD_MSG_IMPLICIT, 0x3, p19, 2 },
	{ "set_wlb_verify_cert", "void", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x3, p19, 2 },
	{ "set_wlb_enabled", "void", XD_MSG_IMPLICIT, 0x23, p19, 2 },
	{ "remove_from_health_check_config", "void", XD_MSG_IMPLICIT, 0x3, p30, 2 },
	{ "add_to_health_check_config", "void", XD_MSG_IMPLICIT, 0x3, p31, 3 },
	{ "set_health_check_config", "void", XD_MSG_IMPLICIT, 0x3, p56, 2 },
	{ "remove_from_gui_config", "void", XD_MSG_IMPLICIT, 0x1f, p30, 2 },
	{ "add_to_gui_config", "void", XD_MSG_IMPLICIT, 0x1f, p31, 3 },
	{ "set_gui_config", "void", XD_MSG_IMPLICIT, 0x1f, p56, 2 },
	{ "remove_tags", "void", XD_MSG_IMPLICIT, 0x1f, p23, 2 },
	{ "add_tags", "void", XD_MSG_IMPLICIT, 0x1f, p23, 2 },
	{ "set_tags", "void", XD_MSG_IMPLICIT, 0x1f, p57, 2 },
	{ "set_ha_allow_overcommit", "void", XD_MSG_IMPLICIT, 0x3, p19, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p30, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p31, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p56, 2 },
	{ "set_crash_dump_SR", "void", XD_MSG_IMPLICIT, 0x3, p58, 2 },
	{ "set_suspend_image_SR", "void", XD_MSG_IMPLICIT, 0x3, p58, 2 },
	{ "set_default_SR", "void", XD_MSG_IMPLICIT, 0x3, p58, 2 },
	{ "set_name_description", "void", XD_MSG_IMPLICIT, 0x3, p23, 2 },
	{ "set_name_label", "void", XD_MSG_IMPLICIT, 0x3, p23, 2 },
	{ "get_update_sync_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_update_sync_day", "int", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_update_sync_frequency", "enum update_sync_frequency", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_last_update_sync", "datetime", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_telemetry_next_collection", "datetime", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_telemetry_frequency", "enum telemetry_frequency", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_telemetry_uuid", "secret ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ext_auth_max_threads", "int", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_local_auth_max_threads", "int", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_coordinator_bias", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_migration_compression", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_repository_proxy_password", "secret ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_repository_proxy_username", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_repository_proxy_url", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_client_certificate_auth_name", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_client_certificate_auth_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_repositories", "Repository ref set", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_tls_verification_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_is_psr_pending", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_custom_uefi_certificates", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_uefi_certificates", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_igmp_snooping_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_live_patching_disabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_policy_no_vendor_device", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_cpu_info", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_guest_agent_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_current_operations", "(string -> enum pool_allowed_operations) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_allowed_operations", "enum pool_allowed_operations set", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_cluster_stack", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_metadata_VDIs", "VDI ref set", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_restrictions", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_vswitch_controller", "string", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p21, 1 },
	{ "get_redo_log_vdi", "VDI ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_redo_log_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_wlb_verify_cert", "bool", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p21, 1 },
	{ "get_wlb_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_wlb_username", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_wlb_url", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_health_check_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_gui_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_tags", "string set", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_blobs", "(string -> blob ref) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_overcommitted", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_allow_overcommit", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_plan_exists_for", "int", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_host_failures_to_tolerate", "int", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_statefiles", "string set", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_configuration", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_ha_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_crash_dump_SR", "SR ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_suspend_image_SR", "SR ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_default_SR", "SR ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_master", "host ref", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_by_uuid", "pool ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "pool record", XD_MSG_IMPLICIT, 0x7f, p21, 1 },
	{ "get_all_records_where", "(pool ref -> pool record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "pool ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- host ---- */

static const xd_decl_field f_host[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RW, "\"\"", false },
	{ "name_description", "string", XD_Q_RW, "\"\"", false },
	{ "memory_overhead", "int", XD_Q_RO_RUNTIME, "0", false },
	{ "allowed_operations", "enum host_allowed_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum host_allowed_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "API_version_major", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "API_version_minor", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "API_version_vendor", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "API_version_vendor_implementation", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "enabled", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "software_version", "(string -> string) map", XD_Q_RO_CTOR, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "capabilities", "string set", XD_Q_RO_CTOR, NULL, false },
	{ "cpu_configuration", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "sched_policy", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "supported_bootloaders", "string set", XD_Q_RO_RUNTIME, NULL, false },
	{ "resident_VMs", "VM ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "logging", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "PIFs", "PIF ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "suspend_image_sr", "SR ref", XD_Q_RW, NULL, false },
	{ "crash_dump_sr", "SR ref", XD_Q_RW, NULL, false },
	{ "crashdumps", "host_crashdump ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "patches", "host_patch ref set", XD_Q_RO_RUNTIME, NULL, true },
	{ "updates", "pool_update ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PBDs", "PBD ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "host_CPUs", "host_cpu ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "cpu_info", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "hostname", "string", XD_Q_RW, NULL, false },
	{ "address", "string", XD_Q_RW, NULL, false },
	{ "metrics", "host_metrics ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "license_params", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "ha_statefiles", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "ha_network_peers", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "blobs", "(string -> blob ref) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "tags", "string set", XD_Q_RW, "{}", false },
	{ "external_auth_type", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "external_auth_service_name", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "external_auth_configuration", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "edition", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "license_server", "(string -> string) map", XD_Q_RW, "{\"address\" -> \"localhost\", \"port\" -> \"27000\"}", false },
	{ "bios_strings", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "power_on_mode", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "power_on_config", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "local_cache_sr", "SR ref", XD_Q_RO_CTOR, "OpaqueRef:NULL", false },
	{ "chipset_info", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "PCIs", "PCI ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PGPUs", "PGPU ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PUSBs", "PUSB ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "ssl_legacy", "bool", XD_Q_RO_CTOR, "true", true },
	{ "guest_VCPUs_params", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "display", "enum host_display", XD_Q_RW, "enabled", false },
	{ "virtual_hardware_platform_versions", "int set", XD_Q_RO_RUNTIME, "{0}", false },
	{ "control_domain", "VM ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "updates_requiring_reboot", "pool_update ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "features", "Feature ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "iscsi_iqn", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "multipathing", "bool", XD_Q_RO_CTOR, "false", false },
	{ "uefi_certificates", "string", XD_Q_RO_CTOR, "\"\"", true },
	{ "certificates", "Certificate ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "editions", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "pending_guidances", "enum update_guidances set", XD_Q_RO_RUNTIME, "{}", false },
	{ "tls_verification_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "last_software_update", "datetime", XD_Q_RO_RUNTIME, "19700101T00:00:00Z", false },
	{ "https_only", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "latest_synced_updates_applied", "enum latest_synced_updates_applied_state", XD_Q_RO_RUNTIME, "unknown", false },
	{ "numa_affinity_policy", "enum host_numa_affinity_policy", XD_Q_RO_RUNTIME, "default_policy", false },
	{ "pending_guidances_recommended", "enum update_guidances set", XD_Q_RO_RUNTIME, "{}", false },
	{ "pending_guidances_full", "enum update_guidances set", XD_Q_RO_RUNTIME, "{}", false },
	{ "last_update_hash", "string", XD_Q_RO_RUNTIME, "\"\"", false },
};

static const xd_decl_message m_host[] = {
	{ "get_all_records", "(host ref -> host record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "host ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "emergency_clear_mandatory_guidance", "void", 0, 0x0, NULL, 0 },
	{ "set_https_only", "void", XD_MSG_ASYNC, 0x3, p59, 2 },
	{ "apply_updates", "string set set", XD_MSG_ASYNC, 0x23, p60, 2 },
	{ "emergency_reenable_tls_verification", "void", 0, 0x0, NULL, 0 },
	{ "emergency_disable_tls_verification", "void", 0, 0x0, NULL, 0 },
	{ "set_numa_affinity_policy", "void", XD_MSG_ASYNC, 0x1, p61, 2 },
	{ "get_sched_gran", "enum host_sched_gran", XD_MSG_ASYNC, 0x0, p62, 1 },
	{ "set_sched_gran", "void", XD_MSG_ASYNC, 0x0, p63, 2 },
	{ "set_uefi_certificates", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x0, p64, 2 },
	{ "set_multipathing", "void", XD_MSG_ASYNC, 0x3, p65, 2 },
	{ "set_iscsi_iqn", "void", XD_MSG_ASYNC, 0x3, p64, 2 },
	{ "set_ssl_legacy", "void", XD_MSG_ASYNC, 0x3, p59, 2 },
	{ "disable_display", "enum host_display", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "enable_display", "enum host_display", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "declare_dead", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "migrate_receive", "(string -> string) map", XD_MSG_ASYNC, 0x7, p66, 3 },
	{ "disable_local_storage_caching", "void", 0, 0x3, p49, 1 },
	{ "enable_local_storage_caching", "void", 0, 0x3, p67, 2 },
	{ "set_power_on_mode", "void", XD_MSG_ASYNC, 0x3, p68, 3 },
	{ "refresh_pack_info", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p49, 1 },
	{ "apply_edition", "void", 0, 0x3, p69, 3 },
	{ "reset_server_certificate", "void", XD_MSG_ASYNC, 0x1, p49, 1 },
	{ "emergency_reset_server_certificate", "void", 0, 0x0, NULL, 0 },
	{ "install_server_certificate", "void", XD_MSG_ASYNC, 0x1, p70, 4 },
	{ "refresh_server_certificate", "void", XD_MSG_ASYNC, 0x1, p49, 1 },
	{ "get_server_certificate", "string", XD_MSG_ASYNC, 0x7f, p49, 1 },
	{ "retrieve_wlb_evacuate_recommendations", "(VM ref -> string set) map", XD_MSG_ASYNC, 0x7f, p62, 1 },
	{ "disable_external_auth", "void", 0, 0x1, p71, 2 },
	{ "enable_external_auth", "void", 0, 0x1, p72, 4 },
	{ "get_server_localtime", "datetime", 0, 0x7f, p49, 1 },
	{ "get_servertime", "datetime", 0, 0x7f, p49, 1 },
	{ "call_extension", "string", 0, 0x1, p73, 2 },
	{ "has_extension", "bool", XD_MSG_ASYNC, 0x1, p74, 2 },
	{ "call_plugin", "string", XD_MSG_ASYNC, 0x1, p75, 4 },
	{ "create_new_blob", "blob ref", XD_MSG_ASYNC, 0x3, p76, 4 },
	{ "backup_rrds", "void", 0, 0x1, p77, 2 },
	{ "sync_data", "void", 0, 0x1, p49, 1 },
	{ "compute_memory_overhead", "int", XD_MSG_ASYNC, 0x7f, p49, 1 },
	{ "compute_free_memory", "int", XD_MSG_ASYNC, 0x7f, p49, 1 },
	{ "set_hostname_live", "void", 0, 0x3, p78, 2 },
	{ "shutdown_agent", "void", 0, 0x3, NULL, 0 },
	{ "restart_agent", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "get_system_status_capabilities", "string", 0, 0x7f, p49, 1 },
	{ "get_management_interface", "PIF ref", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "management_disable", "void", 0, 0x3, NULL, 0 },
	{ "local_management_reconfigure", "void", 0, 0x3, p79, 1 },
	{ "management_reconfigure", "void", XD_MSG_ASYNC, 0x3, p80, 1 },
	{ "syslog_reconfigure", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "evacuate", "void", XD_MSG_ASYNC, 0x23, p81, 3 },
	{ "get_uncooperative_resident_VMs", "VM ref set", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x7f, p62, 1 },
	{ "get_vms_which_prevent_evacuation", "(VM ref -> string set) map", XD_MSG_ASYNC, 0x7f, p62, 1 },
	{ "assert_can_evacuate", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "forget_data_source_archives", "void", 0, 0x3, p82, 2 },
	{ "query_data_source", "float", 0, 0x7f, p82, 2 },
	{ "record_data_source", "void", 0, 0x3, p82, 2 },
	{ "get_data_sources", "data_source record set", 0, 0x7f, p49, 1 },
	{ "emergency_ha_disable", "void", 0, 0x3, p83, 1 },
	{ "power_on", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "destroy", "void", XD_MSG_ASYNC, 0x3, p62, 1 },
	{ "license_remove", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "license_add", "void", XD_MSG_ASYNC, 0x3, p84, 2 },
	{ "list_methods", "string set", 0, 0x7f, NULL, 0 },
	{ "bugreport_upload", "void", XD_MSG_ASYNC, 0x3, p85, 3 },
	{ "send_debug_keys", "void", XD_MSG_ASYNC, 0x1, p86, 2 },
	{ "get_log", "string", XD_MSG_ASYNC, 0x7f, p49, 1 },
	{ "dmesg_clear", "string", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "dmesg", "string", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "reboot", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "shutdown", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "enable", "void", XD_MSG_ASYNC, 0x23, p49, 1 },
	{ "disable", "void", XD_MSG_ASYNC, 0x23, p49, 1 },
	{ "set_display", "void", XD_MSG_IMPLICIT, 0x3, p87, 2 },
	{ "remove_from_guest_VCPUs_params", "void", XD_MSG_IMPLICIT, 0x3, p88, 2 },
	{ "add_to_guest_VCPUs_params", "void", XD_MSG_IMPLICIT, 0x3, p89, 3 },
	{ "set_guest_VCPUs_params", "void", XD_MSG_IMPLICIT, 0x3, p90, 2 },
	{ "remove_from_license_server", "void", XD_MSG_IMPLICIT, 0x3, p88, 2 },
	{ "add_to_license_server", "void", XD_MSG_IMPLICIT, 0x3, p89, 3 },
	{ "set_license_server", "void", XD_MSG_IMPLICIT, 0x3, p90, 2 },
	{ "remove_tags", "void", XD_MSG_IMPLICIT, 0x1f, p91, 2 },
	{ "add_tags", "void", XD_MSG_IMPLICIT, 0x1f, p91, 2 },
	{ "set_tags", "void", XD_MSG_IMPLICIT, 0x1f, p92, 2 },
	{ "set_address", "void", XD_MSG_IMPLICIT, 0x3, p91, 2 },
	{ "set_hostname", "void", XD_MSG_IMPLICIT, 0x3, p91, 2 },
	{ "set_crash_dump_sr", "void", XD_MSG_IMPLICIT, 0x3, p93, 2 },
	{ "set_suspend_image_sr", "void", XD_MSG_IMPLICIT, 0x3, p93, 2 },
	{ "remove_from_logging", "void", XD_MSG_IMPLICIT, 0x3, p88, 2 },
	{ "add_to_logging", "void", XD_MSG_IMPLICIT, 0x3, p89, 3 },
	{ "set_logging", "void", XD_MSG_IMPLICIT, 0x3, p90, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p88, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p89, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p90, 2 },
	{ "set_name_description", "void", XD_MSG_IMPLICIT, 0x3, p91, 2 },
	{ "set_name_label", "void", XD_MSG_IMPLICIT, 0x3, p91, 2 },
	{ "get_last_update_hash", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_pending_guidances_full", "enum update_guidances set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_pending_guidances_recommended", "enum update_guidances set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_numa_affinity_policy", "enum host_numa_affinity_policy", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_latest_synced_updates_applied", "enum latest_synced_updates_applied_state", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_https_only", "bool", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_last_software_update", "datetime", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_tls_verification_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_pending_guidances", "enum update_guidances set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_editions", "string set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_certificates", "Certificate ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_uefi_certificates", "string", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p62, 1 },
	{ "get_multipathing", "bool", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_iscsi_iqn", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_features", "Feature ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_updates_requiring_reboot", "pool_update ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_control_domain", "VM ref", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_virtual_hardware_platform_versions", "int set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_display", "enum host_display", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_guest_VCPUs_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_ssl_legacy", "bool", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p62, 1 },
	{ "get_PUSBs", "PUSB ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_PGPUs", "PGPU ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_PCIs", "PCI ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_chipset_info", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_local_cache_sr", "SR ref", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_power_on_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_power_on_mode", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_bios_strings", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_license_server", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_edition", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_external_auth_configuration", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_external_auth_service_name", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_external_auth_type", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_tags", "string set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_blobs", "(string -> blob ref) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_ha_network_peers", "string set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_ha_statefiles", "string set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_license_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_metrics", "host_metrics ref", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_address", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_hostname", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_cpu_info", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_host_CPUs", "host_cpu ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_PBDs", "PBD ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_updates", "pool_update ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_patches", "host_patch ref set", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p62, 1 },
	{ "get_crashdumps", "host_crashdump ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_crash_dump_sr", "SR ref", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_suspend_image_sr", "SR ref", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_PIFs", "PIF ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_logging", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_resident_VMs", "VM ref set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_supported_bootloaders", "string set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_sched_policy", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_cpu_configuration", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_capabilities", "string set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_software_version", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_API_version_vendor_implementation", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_API_version_vendor", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_API_version_minor", "int", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_API_version_major", "int", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_current_operations", "(string -> enum host_allowed_operations) map", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_allowed_operations", "enum host_allowed_operations set", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_memory_overhead", "int", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_by_name_label", "host ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "get_by_uuid", "host ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "host record", XD_MSG_IMPLICIT, 0x7f, p62, 1 },
	{ "get_all_records_where", "(host ref -> host record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "host ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- host_metrics ---- */

static const xd_decl_field f_host_metrics[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "memory_total", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "live", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_updated", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
};

static const xd_decl_message m_host_metrics[] = {
	{ "get_all_records", "(host_metrics ref -> host_metrics record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "host_metrics ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p94, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p95, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p96, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p97, 1 },
	{ "get_last_updated", "datetime", XD_MSG_IMPLICIT, 0x7f, p97, 1 },
	{ "get_live", "bool", XD_MSG_IMPLICIT, 0x7f, p97, 1 },
	{ "get_memory_total", "int", XD_MSG_IMPLICIT, 0x7f, p97, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p97, 1 },
	{ "get_by_uuid", "host_metrics ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "host_metrics record", XD_MSG_IMPLICIT, 0x7f, p97, 1 },
	{ "get_all_records_where", "(host_metrics ref -> host_metrics record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "host_metrics ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- host_cpu ---- */

static const xd_decl_field f_host_cpu[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "host", "host ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "number", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "vendor", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "speed", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "modelname", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "family", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "model", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "stepping", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "flags", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "features", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "utilisation", "float", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
};

static const xd_decl_message m_host_cpu[] = {
	{ "get_all_records", "(host_cpu ref -> host_cpu record) map", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, NULL, 0 },
	{ "get_all", "host_cpu ref set", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p98, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p99, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p100, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_utilisation", "float", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_features", "string", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_flags", "string", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_stepping", "string", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_model", "int", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_family", "int", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_modelname", "string", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_speed", "int", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_vendor", "string", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_number", "int", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_host", "host ref", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p101, 1 },
	{ "get_by_uuid", "host_cpu ref", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p9, 1 },
	{ "get_record", "host_cpu record", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p101, 1 },
	{ "get_all_records_where", "(host_cpu ref -> host_cpu record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "host_cpu ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VM ---- */

static const xd_decl_field f_VM[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "allowed_operations", "enum vm_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum vm_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "name_label", "string", XD_Q_RW, "\"\"", false },
	{ "name_description", "string", XD_Q_RW, "\"\"", false },
	{ "power_state", "enum vm_power_state", XD_Q_RO_CTOR, "Halted", false },
	{ "user_version", "int", XD_Q_RW, NULL, false },
	{ "is_a_template", "bool", XD_Q_RW, NULL, false },
	{ "is_default_template", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "suspend_VDI", "VDI ref", XD_Q_RO_CTOR, "OpaqueRef:NULL", false },
	{ "resident_on", "host ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "scheduled_to_be_resident_on", "host ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "affinity", "host ref", XD_Q_RW, NULL, false },
	{ "memory_overhead", "int", XD_Q_RO_RUNTIME, "0", false },
	{ "memory_target", "int", XD_Q_RO_CTOR, "0", true },
	{ "memory_static_max", "int", XD_Q_RO_CTOR, NULL, false },
	{ "memory_dynamic_max", "int", XD_Q_RO_CTOR, NULL, false },
	{ "memory_dynamic_min", "int", XD_Q_RO_CTOR, NULL, false },
	{ "memory_static_min", "int", XD_Q_RO_CTOR, NULL, false },
	{ "VCPUs_params", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "VCPUs_max", "int", XD_Q_RO_CTOR, NULL, false },
	{ "VCPUs_at_startup", "int", XD_Q_RO_CTOR, NULL, false },
	{ "actions_after_softreboot", "enum on_softreboot_behavior", XD_Q_RW, "soft_reboot", false },
	{ "actions_after_shutdown", "enum on_normal_exit", XD_Q_RW, NULL, false },
	{ "actions_after_reboot", "enum on_normal_exit", XD_Q_RW, NULL, false },
	{ "actions_after_crash", "enum on_crash_behaviour", XD_Q_RO_CTOR, NULL, false },
	{ "consoles", "console ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "VIFs", "VIF ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "VBDs", "VBD ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "VUSBs", "VUSB ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "crash_dumps", "crashdump ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "VTPMs", "VTPM ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PV_bootloader", "string", XD_Q_RW, NULL, false },
	{ "PV_kernel", "string", XD_Q_RW, NULL, false },
	{ "PV_ramdisk", "string", XD_Q_RW, NULL, false },
	{ "PV_args", "string", XD_Q_RW, NULL, false },
	{ "PV_bootloader_args", "string", XD_Q_RW, NULL, false },
	{ "PV_legacy_args", "string", XD_Q_RW, NULL, false },
	{ "HVM_boot_policy", "string", XD_Q_RO_CTOR, NULL, true },
	{ "HVM_boot_params", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "HVM_shadow_multiplier", "float", XD_Q_RO_CTOR, "1.", false },
	{ "platform", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "PCI_bus", "string", XD_Q_RW, NULL, true },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "domid", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "domarch", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_boot_CPU_flags", "(string -> string) map", XD_Q_RO_CTOR, "{}", false },
	{ "is_control_domain", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "metrics", "VM_metrics ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "guest_metrics", "VM_guest_metrics ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_booted_record", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "recommendations", "string", XD_Q_RW, NULL, false },
	{ "xenstore_data", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "ha_always_run", "bool", XD_Q_RO_CTOR, "false", true },
	{ "ha_restart_priority", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "is_a_snapshot", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "snapshot_of", "VM ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "snapshots", "VM ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "snapshot_time", "datetime", XD_Q_RO_RUNTIME, "19700101T00:00:00Z", false },
	{ "transportable_snapshot_id", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "blobs", "(string -> blob ref) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "tags", "string set", XD_Q_RW, "{}", false },
	{ "blocked_operations", "(enum vm_operations -> string) map", XD_Q_RW, "{}", false },
	{ "snapshot_info", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "snapshot_metadata", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "parent", "VM ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "children", "VM ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "bios_strings", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "protection_policy", "VMPP ref", XD_Q_RO_CTOR, "OpaqueRef:NULL", true },
	{ "snapshot_schedule", "VMSS ref", XD_Q_RO_CTOR, "OpaqueRef:NULL", false },
	{ "is_vmss_snapshot", "bool", XD_Q_RO_CTOR, "false", false },
	{ "appliance", "VM_appliance ref", XD_Q_RO_CTOR, "OpaqueRef:NULL", false },
	{ "start_delay", "int", XD_Q_RO_CTOR, "0", false },
	{ "shutdown_delay", "int", XD_Q_RO_CTOR, "0", false },
	{ "order", "int", XD_Q_RO_CTOR, "0", false },
	{ "VGPUs", "VGPU ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "attached_PCIs", "PCI ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "suspend_SR", "SR ref", XD_Q_RW, "OpaqueRef:NULL", false },
	{ "version", "int", XD_Q_RO_CTOR, "0", false },
	{ "generation_id", "string", XD_Q_RO_CTOR, "\"0:0\"", false },
	{ "hardware_platform_version", "int", XD_Q_RW, "0", false },
	{ "has_vendor_device", "bool", XD_Q_RO_CTOR, "false", false },
	{ "requires_reboot", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "reference_label", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "domain_type", "enum domain_type", XD_Q_RO_CTOR, "unspecified", false },
	{ "NVRAM", "(string -> string) map", XD_Q_RO_CTOR, "{}", false },
	{ "pending_guidances", "enum update_guidances set", XD_Q_RO_RUNTIME, "{}", false },
	{ "pending_guidances_recommended", "enum update_guidances set", XD_Q_RO_RUNTIME, "{}", false },
	{ "pending_guidances_full", "enum update_guidances set", XD_Q_RO_RUNTIME, "{}", false },
};

static const xd_decl_message m_VM[] = {
	{ "get_all_records", "(VM ref -> VM record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VM ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "restart_device_models", "void", XD_MSG_ASYNC, 0x27, p102, 1 },
	{ "set_HVM_boot_policy", "void", XD_MSG_DEPRECATED, 0xf, p103, 2 },
	{ "set_domain_type", "void", 0, 0xf, p104, 2 },
	{ "set_actions_after_crash", "void", XD_MSG_ASYNC, 0xf, p105, 2 },
	{ "import", "VM ref set", XD_MSG_ASYNC, 0x3, p106, 4 },
	{ "set_has_vendor_device", "void", XD_MSG_ASYNC, 0xf, p107, 2 },
	{ "call_plugin", "string", XD_MSG_ASYNC, 0x1f, p108, 4 },
	{ "query_services", "(string -> string) map", XD_MSG_ASYNC, 0x1, p102, 1 },
	{ "set_appliance", "void", XD_MSG_ASYNC, 0x3, p109, 2 },
	{ "import_convert", "void", XD_MSG_ASYNC, 0xf, p110, 5 },
	{ "recover", "void", XD_MSG_ASYNC, 0x7f, p111, 3 },
	{ "get_SRs_required_for_recovery", "SR ref set", XD_MSG_ASYNC, 0x7f, p112, 2 },
	{ "assert_can_be_recovered", "void", XD_MSG_ASYNC, 0x7f, p112, 2 },
	{ "set_suspend_VDI", "void", XD_MSG_ASYNC, 0x3, p113, 2 },
	{ "set_order", "void", XD_MSG_ASYNC, 0x3, p114, 2 },
	{ "set_shutdown_delay", "void", XD_MSG_ASYNC, 0x3, p114, 2 },
	{ "set_start_delay", "void", XD_MSG_ASYNC, 0x3, p114, 2 },
	{ "set_snapshot_schedule", "void", 0, 0x3, p115, 2 },
	{ "copy_bios_strings", "void", XD_MSG_ASYNC, 0xf, p116, 2 },
	{ "set_bios_strings", "void", XD_MSG_ASYNC, 0xf, p117, 2 },
	{ "retrieve_wlb_recommendations", "(host ref -> string set) map", XD_MSG_ASYNC, 0x7f, p118, 1 },
	{ "assert_agile", "void", XD_MSG_ASYNC, 0x7f, p102, 1 },
	{ "create_new_blob", "blob ref", XD_MSG_ASYNC, 0x7, p119, 4 },
	{ "assert_can_boot_here", "void", XD_MSG_ASYNC, 0x7f, p120, 2 },
	{ "get_possible_hosts", "host ref set", XD_MSG_ASYNC, 0x7f, p118, 1 },
	{ "get_allowed_VIF_devices", "string set", 0, 0x7f, p118, 1 },
	{ "get_allowed_VBD_devices", "string set", 0, 0x7f, p118, 1 },
	{ "update_allowed_operations", "void", XD_MSG_ASYNC, 0x1, p102, 1 },
	{ "assert_operation_valid", "void", XD_MSG_ASYNC, 0x7f, p121, 2 },
	{ "forget_data_source_archives", "void", 0, 0xf, p122, 2 },
	{ "query_data_source", "float", 0, 0x7f, p122, 2 },
	{ "record_data_source", "void", 0, 0xf, p122, 2 },
	{ "get_data_sources", "data_source record set", 0, 0x7f, p102, 1 },
	{ "get_boot_record", "VM record", XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "assert_can_migrate", "void", XD_MSG_ASYNC, 0x7, p123, 7 },
	{ "migrate_send", "VM ref", XD_MSG_ASYNC, 0x7, p123, 7 },
	{ "maximise_memory", "int", XD_MSG_ASYNC, 0x7f, p124, 3 },
	{ "send_trigger", "void", XD_MSG_ASYNC, 0x1, p125, 2 },
	{ "send_sysrq", "void", XD_MSG_ASYNC, 0x1, p126, 2 },
	{ "set_VCPUs_at_startup", "void", 0, 0xf, p114, 2 },
	{ "set_VCPUs_max", "void", 0, 0xf, p114, 2 },
	{ "set_shadow_multiplier_live", "void", XD_MSG_ASYNC, 0x7, p127, 2 },
	{ "set_HVM_shadow_multiplier", "void", 0, 0x7, p128, 2 },
	{ "get_cooperative", "bool", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "wait_memory_target_live", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "set_memory_target_live", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x7, p129, 2 },
	{ "set_memory", "void", XD_MSG_ASYNC, 0x7, p114, 2 },
	{ "set_memory_limits", "void", XD_MSG_ASYNC, 0x7, p130, 5 },
	{ "set_memory_static_range", "void", XD_MSG_ASYNC, 0x7, p131, 3 },
	{ "set_memory_static_min", "void", 0, 0x7, p114, 2 },
	{ "set_memory_static_max", "void", 0, 0x7, p114, 2 },
	{ "set_memory_dynamic_range", "void", XD_MSG_ASYNC, 0x7, p131, 3 },
	{ "set_memory_dynamic_min", "void", 0, 0x7, p114, 2 },
	{ "set_memory_dynamic_max", "void", 0, 0x7, p114, 2 },
	{ "compute_memory_overhead", "int", XD_MSG_ASYNC, 0x7f, p118, 1 },
	{ "set_ha_always_run", "void", XD_MSG_DEPRECATED, 0x3, p107, 2 },
	{ "set_ha_restart_priority", "void", 0, 0x3, p103, 2 },
	{ "remove_from_NVRAM", "void", 0, 0xf, p132, 2 },
	{ "add_to_NVRAM", "void", 0, 0xf, p133, 3 },
	{ "set_NVRAM", "void", 0, 0xf, p117, 2 },
	{ "add_to_VCPUs_params_live", "void", XD_MSG_ASYNC, 0xf, p133, 3 },
	{ "set_VCPUs_number_live", "void", XD_MSG_ASYNC, 0xf, p134, 2 },
	{ "pool_migrate", "void", XD_MSG_ASYNC, 0x27, p135, 3 },
	{ "resume_on", "void", XD_MSG_ASYNC, 0x27, p136, 4 },
	{ "resume", "void", XD_MSG_ASYNC, 0x1f, p137, 3 },
	{ "suspend", "void", XD_MSG_ASYNC, 0x3f, p118, 1 },
	{ "hard_reboot", "void", XD_MSG_ASYNC, 0x1f, p118, 1 },
	{ "power_state_reset", "void", XD_MSG_ASYNC, 0x3, p118, 1 },
	{ "hard_shutdown", "void", XD_MSG_ASYNC, 0x1f, p118, 1 },
	{ "clean_reboot", "void", XD_MSG_ASYNC, 0x1f, p118, 1 },
	{ "shutdown", "void", XD_MSG_ASYNC, 0x3f, p118, 1 },
	{ "clean_shutdown", "void", XD_MSG_ASYNC, 0x1f, p118, 1 },
	{ "unpause", "void", XD_MSG_ASYNC, 0x1f, p118, 1 },
	{ "pause", "void", XD_MSG_ASYNC, 0x1f, p118, 1 },
	{ "start_on", "void", XD_MSG_ASYNC, 0x27, p136, 4 },
	{ "start", "void", XD_MSG_ASYNC, 0x1f, p137, 3 },
	{ "provision", "void", XD_MSG_ASYNC, 0xf, p118, 1 },
	{ "checkpoint", "VM ref", XD_MSG_ASYNC, 0x7, p138, 2 },
	{ "revert", "void", XD_MSG_ASYNC, 0x7, p139, 1 },
	{ "copy", "VM ref", XD_MSG_ASYNC, 0xf, p140, 3 },
	{ "clone", "VM ref", XD_MSG_ASYNC, 0xf, p138, 2 },
	{ "snapshot", "VM ref", XD_MSG_ASYNC, 0x7, p141, 3 },
	{ "set_hardware_platform_version", "void", XD_MSG_IMPLICIT, 0xf, p114, 2 },
	{ "set_suspend_SR", "void", XD_MSG_IMPLICIT, 0xf, p142, 2 },
	{ "remove_from_blocked_operations", "void", XD_MSG_IMPLICIT, 0xf, p143, 2 },
	{ "add_to_blocked_operations", "void", XD_MSG_IMPLICIT, 0xf, p144, 3 },
	{ "set_blocked_operations", "void", XD_MSG_IMPLICIT, 0xf, p145, 2 },
	{ "remove_tags", "void", XD_MSG_IMPLICIT, 0x1f, p103, 2 },
	{ "add_tags", "void", XD_MSG_IMPLICIT, 0x1f, p103, 2 },
	{ "set_tags", "void", XD_MSG_IMPLICIT, 0x1f, p146, 2 },
	{ "remove_from_xenstore_data", "void", XD_MSG_IMPLICIT, 0xf, p132, 2 },
	{ "add_to_xenstore_data", "void", XD_MSG_IMPLICIT, 0xf, p133, 3 },
	{ "set_xenstore_data", "void", XD_MSG_IMPLICIT, 0xf, p117, 2 },
	{ "set_recommendations", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p132, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p133, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p117, 2 },
	{ "set_PCI_bus", "void", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0xf, p103, 2 },
	{ "remove_from_platform", "void", XD_MSG_IMPLICIT, 0xf, p132, 2 },
	{ "add_to_platform", "void", XD_MSG_IMPLICIT, 0xf, p133, 3 },
	{ "set_platform", "void", XD_MSG_IMPLICIT, 0xf, p117, 2 },
	{ "remove_from_HVM_boot_params", "void", XD_MSG_IMPLICIT, 0xf, p132, 2 },
	{ "add_to_HVM_boot_params", "void", XD_MSG_IMPLICIT, 0xf, p133, 3 },
	{ "set_HVM_boot_params", "void", XD_MSG_IMPLICIT, 0xf, p117, 2 },
	{ "set_PV_legacy_args", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_PV_bootloader_args", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_PV_args", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_PV_ramdisk", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_PV_kernel", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_PV_bootloader", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_actions_after_reboot", "void", XD_MSG_IMPLICIT, 0xf, p147, 2 },
	{ "set_actions_after_shutdown", "void", XD_MSG_IMPLICIT, 0xf, p147, 2 },
	{ "set_actions_after_softreboot", "void", XD_MSG_IMPLICIT, 0xf, p148, 2 },
	{ "remove_from_VCPUs_params", "void", XD_MSG_IMPLICIT, 0xf, p132, 2 },
	{ "add_to_VCPUs_params", "void", XD_MSG_IMPLICIT, 0xf, p133, 3 },
	{ "set_VCPUs_params", "void", XD_MSG_IMPLICIT, 0xf, p117, 2 },
	{ "set_affinity", "void", XD_MSG_IMPLICIT, 0x7, p149, 2 },
	{ "set_is_a_template", "void", XD_MSG_IMPLICIT, 0xf, p107, 2 },
	{ "set_user_version", "void", XD_MSG_IMPLICIT, 0xf, p114, 2 },
	{ "set_name_description", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "set_name_label", "void", XD_MSG_IMPLICIT, 0xf, p103, 2 },
	{ "get_pending_guidances_full", "enum update_guidances set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_pending_guidances_recommended", "enum update_guidances set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_pending_guidances", "enum update_guidances set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_NVRAM", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_domain_type", "enum domain_type", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_reference_label", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_requires_reboot", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_has_vendor_device", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_hardware_platform_version", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_generation_id", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_version", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_suspend_SR", "SR ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_attached_PCIs", "PCI ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VGPUs", "VGPU ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_order", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_shutdown_delay", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_start_delay", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_appliance", "VM_appliance ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_is_vmss_snapshot", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_snapshot_schedule", "VMSS ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_protection_policy", "VMPP ref", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "get_bios_strings", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_children", "VM ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_parent", "VM ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_snapshot_metadata", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_snapshot_info", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_blocked_operations", "(enum vm_operations -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_tags", "string set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_blobs", "(string -> blob ref) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_transportable_snapshot_id", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_snapshot_time", "datetime", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_snapshots", "VM ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_snapshot_of", "VM ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_is_a_snapshot", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_ha_restart_priority", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_ha_always_run", "bool", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "get_xenstore_data", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_recommendations", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_last_booted_record", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_guest_metrics", "VM_guest_metrics ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_metrics", "VM_metrics ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_is_control_domain", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_last_boot_CPU_flags", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_domarch", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_domid", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_PCI_bus", "string", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "get_platform", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_HVM_shadow_multiplier", "float", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_HVM_boot_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_HVM_boot_policy", "string", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "get_PV_legacy_args", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_PV_bootloader_args", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_PV_args", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_PV_ramdisk", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_PV_kernel", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_PV_bootloader", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VTPMs", "VTPM ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_crash_dumps", "crashdump ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VUSBs", "VUSB ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VBDs", "VBD ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VIFs", "VIF ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_consoles", "console ref set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_actions_after_crash", "enum on_crash_behaviour", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_actions_after_reboot", "enum on_normal_exit", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_actions_after_shutdown", "enum on_normal_exit", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_actions_after_softreboot", "enum on_softreboot_behavior", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VCPUs_at_startup", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VCPUs_max", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_VCPUs_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_memory_static_min", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_memory_dynamic_min", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_memory_dynamic_max", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_memory_static_max", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_memory_target", "int", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p102, 1 },
	{ "get_memory_overhead", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_affinity", "host ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_scheduled_to_be_resident_on", "host ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_resident_on", "host ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_suspend_VDI", "VDI ref", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_is_default_template", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_is_a_template", "bool", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_user_version", "int", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_power_state", "enum vm_power_state", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_current_operations", "(string -> enum vm_operations) map", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_allowed_operations", "enum vm_operations set", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_by_name_label", "VM ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p102, 1 },
	{ "create", "VM ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p150, 1 },
	{ "get_by_uuid", "VM ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VM record", XD_MSG_IMPLICIT, 0x7f, p102, 1 },
	{ "get_all_records_where", "(VM ref -> VM record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VM ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VM_metrics ---- */

static const xd_decl_field f_VM_metrics[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "memory_actual", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "VCPUs_number", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "VCPUs_CPU", "(int -> int) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "VCPUs_params", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "VCPUs_flags", "(int -> string set) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "state", "string set", XD_Q_RO_RUNTIME, NULL, false },
	{ "start_time", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "install_time", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_updated", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "hvm", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "nested_virt", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "nomigrate", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "current_domain_type", "enum domain_type", XD_Q_RO_RUNTIME, "unspecified", false },
};

static const xd_decl_message m_VM_metrics[] = {
	{ "get_all_records", "(VM_metrics ref -> VM_metrics record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VM_metrics ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p151, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p152, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p153, 2 },
	{ "get_current_domain_type", "enum domain_type", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_nomigrate", "bool", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_nested_virt", "bool", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_hvm", "bool", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_last_updated", "datetime", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_install_time", "datetime", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_start_time", "datetime", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_state", "string set", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_VCPUs_flags", "(int -> string set) map", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_VCPUs_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_VCPUs_CPU", "(int -> int) map", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_VCPUs_number", "int", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_memory_actual", "int", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_by_uuid", "VM_metrics ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VM_metrics record", XD_MSG_IMPLICIT, 0x7f, p154, 1 },
	{ "get_all_records_where", "(VM_metrics ref -> VM_metrics record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VM_metrics ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VM_guest_metrics ---- */

static const xd_decl_field f_VM_guest_metrics[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "os_version", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "PV_drivers_version", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "PV_drivers_up_to_date", "bool", XD_Q_RO_RUNTIME, NULL, true },
	{ "networks", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "other", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_updated", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "live", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "can_use_hotplug_vbd", "enum tristate_type", XD_Q_RO_RUNTIME, "unspecified", false },
	{ "can_use_hotplug_vif", "enum tristate_type", XD_Q_RO_RUNTIME, "unspecified", false },
	{ "PV_drivers_detected", "bool", XD_Q_RO_RUNTIME, "false", false },
};

static const xd_decl_message m_VM_guest_metrics[] = {
	{ "get_all_records", "(VM_guest_metrics ref -> VM_guest_metrics record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VM_guest_metrics ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p155, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p156, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p157, 2 },
	{ "get_PV_drivers_detected", "bool", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_can_use_hotplug_vif", "enum tristate_type", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_can_use_hotplug_vbd", "enum tristate_type", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_live", "bool", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_last_updated", "datetime", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_other", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_networks", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_PV_drivers_up_to_date", "bool", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p158, 1 },
	{ "get_PV_drivers_version", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_os_version", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_by_uuid", "VM_guest_metrics ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VM_guest_metrics record", XD_MSG_IMPLICIT, 0x7f, p158, 1 },
	{ "get_all_records_where", "(VM_guest_metrics ref -> VM_guest_metrics record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VM_guest_metrics ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VBD ---- */

static const xd_decl_field f_VBD[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "allowed_operations", "enum vbd_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum vbd_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "VM", "VM ref", XD_Q_RO_CTOR, NULL, false },
	{ "VDI", "VDI ref", XD_Q_RO_CTOR, NULL, false },
	{ "device", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "userdevice", "string", XD_Q_RW, NULL, false },
	{ "bootable", "bool", XD_Q_RW, NULL, false },
	{ "mode", "enum vbd_mode", XD_Q_RO_CTOR, NULL, false },
	{ "type", "enum vbd_type", XD_Q_RW, NULL, false },
	{ "unpluggable", "bool", XD_Q_RW, "true", false },
	{ "storage_lock", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "empty", "bool", XD_Q_RO_CTOR, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "currently_attached", "bool", XD_Q_RO_CTOR, "false", false },
	{ "status_code", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "status_detail", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "runtime_properties", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "qos_algorithm_type", "string", XD_Q_RW, NULL, false },
	{ "qos_algorithm_params", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "qos_supported_algorithms", "string set", XD_Q_RO_RUNTIME, NULL, false },
};

static const xd_decl_message m_VBD[] = {
	{ "get_all_records", "(VBD ref -> VBD record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VBD ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "set_mode", "void", XD_MSG_ASYNC, 0xf, p159, 2 },
	{ "assert_attachable", "void", XD_MSG_ASYNC, 0xf, p160, 1 },
	{ "unplug_force", "void", XD_MSG_ASYNC, 0xf, p160, 1 },
	{ "unplug", "void", XD_MSG_ASYNC, 0xf, p160, 1 },
	{ "plug", "void", XD_MSG_ASYNC, 0xf, p160, 1 },
	{ "insert", "void", XD_MSG_ASYNC, 0x1f, p161, 2 },
	{ "eject", "void", XD_MSG_ASYNC, 0x1f, p162, 1 },
	{ "remove_from_qos_algorithm_params", "void", XD_MSG_IMPLICIT, 0xf, p163, 2 },
	{ "add_to_qos_algorithm_params", "void", XD_MSG_IMPLICIT, 0xf, p164, 3 },
	{ "set_qos_algorithm_params", "void", XD_MSG_IMPLICIT, 0xf, p165, 2 },
	{ "set_qos_algorithm_type", "void", XD_MSG_IMPLICIT, 0xf, p166, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p163, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p164, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p165, 2 },
	{ "set_unpluggable", "void", XD_MSG_IMPLICIT, 0xf, p167, 2 },
	{ "set_type", "void", XD_MSG_IMPLICIT, 0xf, p168, 2 },
	{ "set_bootable", "void", XD_MSG_IMPLICIT, 0xf, p167, 2 },
	{ "set_userdevice", "void", XD_MSG_IMPLICIT, 0xf, p166, 2 },
	{ "get_qos_supported_algorithms", "string set", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_qos_algorithm_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_qos_algorithm_type", "string", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_runtime_properties", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_status_detail", "string", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_status_code", "int", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_currently_attached", "bool", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_empty", "bool", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_storage_lock", "bool", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_unpluggable", "bool", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_type", "enum vbd_type", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_mode", "enum vbd_mode", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_bootable", "bool", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_userdevice", "string", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_device", "string", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_VDI", "VDI ref", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_VM", "VM ref", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_current_operations", "(string -> enum vbd_operations) map", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_allowed_operations", "enum vbd_operations set", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p160, 1 },
	{ "create", "VBD ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p169, 1 },
	{ "get_by_uuid", "VBD ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VBD record", XD_MSG_IMPLICIT, 0x7f, p160, 1 },
	{ "get_all_records_where", "(VBD ref -> VBD record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VBD ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VBD_metrics ---- */

static const xd_decl_field f_VBD_metrics[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
};

static const xd_decl_message m_VBD_metrics[] = {
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p170, 1 },
};

/* ---- VDI ---- */

static const xd_decl_field f_VDI[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "name_description", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "allowed_operations", "enum vdi_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum vdi_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "SR", "SR ref", XD_Q_RO_CTOR, NULL, false },
	{ "VBDs", "VBD ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "crash_dumps", "crashdump ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "virtual_size", "int", XD_Q_RO_CTOR, NULL, false },
	{ "physical_utilisation", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "type", "enum vdi_type", XD_Q_RO_CTOR, NULL, false },
	{ "sharable", "bool", XD_Q_RO_CTOR, NULL, false },
	{ "read_only", "bool", XD_Q_RO_CTOR, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "storage_lock", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "location", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "managed", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "missing", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "parent", "VDI ref", XD_Q_RO_RUNTIME, NULL, true },
	{ "xenstore_data", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "sm_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "is_a_snapshot", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "snapshot_of", "VDI ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "snapshots", "VDI ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "snapshot_time", "datetime", XD_Q_RO_RUNTIME, "19700101T00:00:00Z", false },
	{ "tags", "string set", XD_Q_RW, "{}", false },
	{ "allow_caching", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "on_boot", "enum on_boot", XD_Q_RO_RUNTIME, "persist", false },
	{ "metadata_of_pool", "pool ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "metadata_latest", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "is_tools_iso", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "cbt_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
};

static const xd_decl_message m_VDI[] = {
	{ "get_all_records", "(VDI ref -> VDI record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VDI ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_nbd_info", "vdi_nbd_server_info record set", 0, 0xf, p171, 1 },
	{ "list_changed_blocks", "string", XD_MSG_ASYNC, 0x1f, p172, 2 },
	{ "data_destroy", "void", XD_MSG_ASYNC, 0xf, p171, 1 },
	{ "disable_cbt", "void", XD_MSG_ASYNC, 0xf, p171, 1 },
	{ "enable_cbt", "void", XD_MSG_ASYNC, 0xf, p171, 1 },
	{ "pool_migrate", "VDI ref", XD_MSG_ASYNC, 0x7, p173, 3 },
	{ "read_database_pool_uuid", "string", XD_MSG_ASYNC, 0x7f, p171, 1 },
	{ "open_database", "session ref", XD_MSG_ASYNC, 0x3, p171, 1 },
	{ "set_allow_caching", "void", XD_MSG_ASYNC, 0xf, p174, 2 },
	{ "set_on_boot", "void", XD_MSG_ASYNC, 0xf, p175, 2 },
	{ "set_name_description", "void", XD_MSG_ASYNC, 0xf, p176, 2 },
	{ "set_name_label", "void", XD_MSG_ASYNC, 0xf, p176, 2 },
	{ "set_read_only", "void", 0, 0xf, p174, 2 },
	{ "set_sharable", "void", 0, 0xf, p174, 2 },
	{ "forget", "void", XD_MSG_ASYNC, 0xf, p177, 1 },
	{ "copy", "VDI ref", XD_MSG_ASYNC, 0xf, p178, 4 },
	{ "update", "void", XD_MSG_ASYNC, 0xf, p177, 1 },
	{ "introduce", "VDI ref", XD_MSG_ASYNC, 0xf, p179, 18 },
	{ "resize", "void", XD_MSG_ASYNC, 0xf, p180, 2 },
	{ "clone", "VDI ref", XD_MSG_ASYNC, 0xf, p181, 2 },
	{ "snapshot", "VDI ref", XD_MSG_ASYNC, 0xf, p181, 2 },
	{ "remove_tags", "void", XD_MSG_IMPLICIT, 0x1f, p176, 2 },
	{ "add_tags", "void", XD_MSG_IMPLICIT, 0x1f, p176, 2 },
	{ "set_tags", "void", XD_MSG_IMPLICIT, 0x1f, p182, 2 },
	{ "remove_from_sm_config", "void", XD_MSG_IMPLICIT, 0xf, p183, 2 },
	{ "add_to_sm_config", "void", XD_MSG_IMPLICIT, 0xf, p184, 3 },
	{ "set_sm_config", "void", XD_MSG_IMPLICIT, 0xf, p185, 2 },
	{ "remove_from_xenstore_data", "void", XD_MSG_IMPLICIT, 0xf, p183, 2 },
	{ "add_to_xenstore_data", "void", XD_MSG_IMPLICIT, 0xf, p184, 3 },
	{ "set_xenstore_data", "void", XD_MSG_IMPLICIT, 0xf, p185, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p183, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p184, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p185, 2 },
	{ "get_cbt_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_is_tools_iso", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_metadata_latest", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_metadata_of_pool", "pool ref", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_on_boot", "enum on_boot", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_allow_caching", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_tags", "string set", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_snapshot_time", "datetime", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_snapshots", "VDI ref set", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_snapshot_of", "VDI ref", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_is_a_snapshot", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_sm_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_xenstore_data", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_parent", "VDI ref", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p171, 1 },
	{ "get_missing", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_managed", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_location", "string", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_storage_lock", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_read_only", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_sharable", "bool", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_type", "enum vdi_type", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_physical_utilisation", "int", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_virtual_size", "int", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_crash_dumps", "crashdump ref set", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_VBDs", "VBD ref set", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_SR", "SR ref", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_current_operations", "(string -> enum vdi_operations) map", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_allowed_operations", "enum vdi_operations set", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_by_name_label", "VDI ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p171, 1 },
	{ "create", "VDI ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p186, 1 },
	{ "get_by_uuid", "VDI ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VDI record", XD_MSG_IMPLICIT, 0x7f, p171, 1 },
	{ "get_all_records_where", "(VDI ref -> VDI record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VDI ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- SR ---- */

static const xd_decl_field f_SR[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "name_description", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "allowed_operations", "enum storage_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum storage_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "VDIs", "VDI ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PBDs", "PBD ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "virtual_allocation", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "physical_utilisation", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "physical_size", "int", XD_Q_RO_CTOR, NULL, false },
	{ "type", "string", XD_Q_RO_CTOR, NULL, false },
	{ "content_type", "string", XD_Q_RO_CTOR, NULL, false },
	{ "shared", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "tags", "string set", XD_Q_RW, "{}", false },
	{ "sm_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "blobs", "(string -> blob ref) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "local_cache_enabled", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "introduced_by", "DR_task ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "clustered", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "is_tools_sr", "bool", XD_Q_RO_RUNTIME, "false", false },
};

static const xd_decl_message m_SR[] = {
	{ "get_all_records", "(SR ref -> SR record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "SR ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "forget_data_source_archives", "void", 0, 0x3, p187, 2 },
	{ "query_data_source", "float", 0, 0x7f, p187, 2 },
	{ "record_data_source", "void", 0, 0x3, p187, 2 },
	{ "get_data_sources", "data_source record set", 0, 0x7f, p35, 1 },
	{ "disable_database_replication", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "enable_database_replication", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "assert_supports_database_replication", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "assert_can_host_ha_statefile", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "set_physical_size", "void", 0, 0x3, p188, 2 },
	{ "create_new_blob", "blob ref", XD_MSG_ASYNC, 0x3, p189, 4 },
	{ "set_name_description", "void", XD_MSG_ASYNC, 0x3, p190, 2 },
	{ "set_name_label", "void", XD_MSG_ASYNC, 0x3, p190, 2 },
	{ "set_shared", "void", XD_MSG_ASYNC, 0x3, p191, 2 },
	{ "probe_ext", "probe_result record set", XD_MSG_ASYNC, 0x3, p192, 4 },
	{ "probe", "string", XD_MSG_ASYNC, 0x3, p192, 4 },
	{ "scan", "void", XD_MSG_ASYNC, 0x7, p35, 1 },
	{ "get_supported_types", "string set", 0, 0x7f, NULL, 0 },
	{ "update", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "forget", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "destroy", "void", XD_MSG_ASYNC, 0x3, p35, 1 },
	{ "make", "string", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p193, 8 },
	{ "introduce", "SR ref", XD_MSG_ASYNC, 0x3, p194, 7 },
	{ "create", "SR ref", XD_MSG_ASYNC, 0x3, p195, 9 },
	{ "remove_from_sm_config", "void", XD_MSG_IMPLICIT, 0x3, p196, 2 },
	{ "add_to_sm_config", "void", XD_MSG_IMPLICIT, 0x3, p197, 3 },
	{ "set_sm_config", "void", XD_MSG_IMPLICIT, 0x3, p198, 2 },
	{ "remove_tags", "void", XD_MSG_IMPLICIT, 0x1f, p199, 2 },
	{ "add_tags", "void", XD_MSG_IMPLICIT, 0x1f, p199, 2 },
	{ "set_tags", "void", XD_MSG_IMPLICIT, 0x1f, p200, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p196, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p197, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p198, 2 },
	{ "get_is_tools_sr", "bool", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_clustered", "bool", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_introduced_by", "DR_task ref", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_local_cache_enabled", "bool", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_blobs", "(string -> blob ref) map", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_sm_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_tags", "string set", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_shared", "bool", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_content_type", "string", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_type", "string", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_physical_size", "int", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_physical_utilisation", "int", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_virtual_allocation", "int", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_PBDs", "PBD ref set", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_VDIs", "VDI ref set", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_current_operations", "(string -> enum storage_operations) map", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_allowed_operations", "enum storage_operations set", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_by_name_label", "SR ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "get_by_uuid", "SR ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "SR record", XD_MSG_IMPLICIT, 0x7f, p201, 1 },
	{ "get_all_records_where", "(SR ref -> SR record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "SR ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- PBD ---- */

static const xd_decl_field f_PBD[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "host", "host ref", XD_Q_RO_CTOR, NULL, false },
	{ "SR", "SR ref", XD_Q_RO_CTOR, NULL, false },
	{ "device_config", "(string -> string) map", XD_Q_RO_CTOR, NULL, false },
	{ "currently_attached", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
};

static const xd_decl_message m_PBD[] = {
	{ "get_all_records", "(PBD ref -> PBD record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "PBD ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "set_device_config", "void", XD_MSG_ASYNC, 0x3, p202, 2 },
	{ "unplug", "void", XD_MSG_ASYNC, 0x3, p203, 1 },
	{ "plug", "void", XD_MSG_ASYNC, 0x3, p203, 1 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p204, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p205, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p202, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "get_currently_attached", "bool", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "get_device_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "get_SR", "SR ref", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "get_host", "host ref", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0x3, p203, 1 },
	{ "create", "PBD ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0x3, p206, 1 },
	{ "get_by_uuid", "PBD ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "PBD record", XD_MSG_IMPLICIT, 0x7f, p203, 1 },
	{ "get_all_records_where", "(PBD ref -> PBD record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "PBD ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- SM ---- */

static const xd_decl_field f_SM[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "name_description", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "type", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "vendor", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "copyright", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "version", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "required_api_version", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "configuration", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "capabilities", "string set", XD_Q_RO_RUNTIME, "{}", true },
	{ "features", "(string -> int) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "driver_filename", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "required_cluster_stack", "string set", XD_Q_RO_RUNTIME, "{}", false },
};

static const xd_decl_message m_SM[] = {
	{ "get_all_records", "(SM ref -> SM record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "SM ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p207, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p208, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p209, 2 },
	{ "get_required_cluster_stack", "string set", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_driver_filename", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_features", "(string -> int) map", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_capabilities", "string set", XD_MSG_IMPLICIT | XD_MSG_DEPRECATED, 0x7f, p210, 1 },
	{ "get_configuration", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_required_api_version", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_version", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_copyright", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_vendor", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_type", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_by_name_label", "SM ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "get_by_uuid", "SM ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "SM record", XD_MSG_IMPLICIT, 0x7f, p210, 1 },
	{ "get_all_records_where", "(SM ref -> SM record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "SM ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- network ---- */

static const xd_decl_field f_network[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RW, "\"\"", false },
	{ "name_description", "string", XD_Q_RW, "\"\"", false },
	{ "allowed_operations", "enum network_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum network_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "VIFs", "VIF ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PIFs", "PIF ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "MTU", "int", XD_Q_RW, "1500", false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "bridge", "string", XD_Q_RO_CTOR, "\"\"", false },
	{ "managed", "bool", XD_Q_RO_CTOR, "true", false },
	{ "blobs", "(string -> blob ref) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "tags", "string set", XD_Q_RW, "{}", false },
	{ "default_locking_mode", "enum network_default_locking_mode", XD_Q_RO_RUNTIME, "unlocked", false },
	{ "assigned_ips", "(VIF ref -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "purpose", "enum network_purpose set", XD_Q_RO_RUNTIME, "{}", false },
};

static const xd_decl_message m_network[] = {
	{ "get_all_records", "(network ref -> network record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "network ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_purpose", "void", XD_MSG_ASYNC, 0x1, p211, 2 },
	{ "add_purpose", "void", XD_MSG_ASYNC, 0x1, p211, 2 },
	{ "set_default_locking_mode", "void", XD_MSG_ASYNC, 0x3, p212, 2 },
	{ "create_new_blob", "blob ref", XD_MSG_ASYNC, 0x3, p213, 4 },
	{ "remove_tags", "void", XD_MSG_IMPLICIT, 0x1f, p214, 2 },
	{ "add_tags", "void", XD_MSG_IMPLICIT, 0x1f, p214, 2 },
	{ "set_tags", "void", XD_MSG_IMPLICIT, 0x1f, p215, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p216, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p217, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p218, 2 },
	{ "set_MTU", "void", XD_MSG_IMPLICIT, 0xf, p219, 2 },
	{ "set_name_description", "void", XD_MSG_IMPLICIT, 0x3, p214, 2 },
	{ "set_name_label", "void", XD_MSG_IMPLICIT, 0x3, p214, 2 },
	{ "get_purpose", "enum network_purpose set", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_assigned_ips", "(VIF ref -> string) map", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_default_locking_mode", "enum network_default_locking_mode", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_tags", "string set", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_blobs", "(string -> blob ref) map", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_managed", "bool", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_bridge", "string", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_MTU", "int", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_PIFs", "PIF ref set", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_VIFs", "VIF ref set", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_current_operations", "(string -> enum network_operations) map", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_allowed_operations", "enum network_operations set", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_by_name_label", "network ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p220, 1 },
	{ "create", "network ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p221, 1 },
	{ "get_by_uuid", "network ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "network record", XD_MSG_IMPLICIT, 0x7f, p220, 1 },
	{ "get_all_records_where", "(network ref -> network record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "network ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- PIF ---- */

static const xd_decl_field f_PIF[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "device", "string", XD_Q_RO_CTOR, NULL, false },
	{ "network", "network ref", XD_Q_RO_CTOR, NULL, false },
	{ "host", "host ref", XD_Q_RO_CTOR, NULL, false },
	{ "MAC", "string", XD_Q_RO_CTOR, NULL, false },
	{ "MTU", "int", XD_Q_RO_CTOR, NULL, false },
	{ "VLAN", "int", XD_Q_RO_CTOR, NULL, false },
	{ "metrics", "PIF_metrics ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "physical", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "currently_attached", "bool", XD_Q_RO_RUNTIME, "true", false },
	{ "ip_configuration_mode", "enum ip_configuration_mode", XD_Q_RO_RUNTIME, "None", false },
	{ "IP", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "netmask", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "gateway", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "DNS", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "bond_slave_of", "Bond ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "bond_master_of", "Bond ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "VLAN_master_of", "VLAN ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "VLAN_slave_of", "VLAN ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "management", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "disallow_unplug", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "tunnel_access_PIF_of", "tunnel ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "tunnel_transport_PIF_of", "tunnel ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "ipv6_configuration_mode", "enum ipv6_configuration_mode", XD_Q_RO_RUNTIME, "None", false },
	{ "IPv6", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "ipv6_gateway", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "primary_address_type", "enum primary_address_type", XD_Q_RO_RUNTIME, "IPv4", false },
	{ "managed", "bool", XD_Q_RO_CTOR, "true", false },
	{ "properties", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "capabilities", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "igmp_snooping_status", "enum pif_igmp_status", XD_Q_RO_RUNTIME, "unknown", false },
	{ "sriov_physical_PIF_of", "network_sriov ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "sriov_logical_PIF_of", "network_sriov ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "PCI", "PCI ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
};

static const xd_decl_message m_PIF[] = {
	{ "get_all_records", "(PIF ref -> PIF record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "PIF ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "set_property", "void", XD_MSG_ASYNC, 0x3, p222, 3 },
	{ "db_forget", "void", XD_MSG_ASYNC, 0x3, p223, 1 },
	{ "db_introduce", "PIF ref", XD_MSG_ASYNC, 0x3, p224, 23 },
	{ "plug", "void", XD_MSG_ASYNC, 0x3, p223, 1 },
	{ "set_disallow_unplug", "void", XD_MSG_ASYNC, 0x3, p225, 2 },
	{ "unplug", "void", XD_MSG_ASYNC, 0x3, p223, 1 },
	{ "forget", "void", XD_MSG_ASYNC, 0x3, p223, 1 },
	{ "introduce", "PIF ref", XD_MSG_ASYNC, 0x3, p226, 4 },
	{ "scan", "void", XD_MSG_ASYNC, 0x3, p49, 1 },
	{ "set_primary_address_type", "void", XD_MSG_ASYNC, 0x3, p227, 2 },
	{ "reconfigure_ipv6", "void", XD_MSG_ASYNC, 0x3, p228, 5 },
	{ "reconfigure_ip", "void", XD_MSG_ASYNC, 0x3, p229, 6 },
	{ "destroy", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p223, 1 },
	{ "create_VLAN", "PIF ref", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x3, p230, 4 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p231, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p232, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p233, 2 },
	{ "get_PCI", "PCI ref", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_sriov_logical_PIF_of", "network_sriov ref set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_sriov_physical_PIF_of", "network_sriov ref set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_igmp_snooping_status", "enum pif_igmp_status", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_capabilities", "string set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_properties", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_managed", "bool", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_primary_address_type", "enum primary_address_type", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_ipv6_gateway", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_IPv6", "string set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_ipv6_configuration_mode", "enum ipv6_configuration_mode", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_tunnel_transport_PIF_of", "tunnel ref set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_tunnel_access_PIF_of", "tunnel ref set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_disallow_unplug", "bool", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_management", "bool", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_VLAN_slave_of", "VLAN ref set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_VLAN_master_of", "VLAN ref", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_bond_master_of", "Bond ref set", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_bond_slave_of", "Bond ref", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_DNS", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_gateway", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_netmask", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_IP", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_ip_configuration_mode", "enum ip_configuration_mode", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_currently_attached", "bool", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_physical", "bool", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_metrics", "PIF_metrics ref", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_VLAN", "int", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_MTU", "int", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_MAC", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_host", "host ref", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_network", "network ref", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_device", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_by_uuid", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "PIF record", XD_MSG_IMPLICIT, 0x7f, p223, 1 },
	{ "get_all_records_where", "(PIF ref -> PIF record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "PIF ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- PIF_metrics ---- */

static const xd_decl_field f_PIF_metrics[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "carrier", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "vendor_id", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "vendor_name", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "device_id", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "device_name", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "speed", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "duplex", "bool", XD_Q_RO_RUNTIME, NULL, false },
	{ "pci_bus_path", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "last_updated", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
};

static const xd_decl_message m_PIF_metrics[] = {
	{ "get_all_records", "(PIF_metrics ref -> PIF_metrics record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "PIF_metrics ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p234, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p235, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p236, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_last_updated", "datetime", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_pci_bus_path", "string", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_duplex", "bool", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_speed", "int", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_device_name", "string", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_device_id", "string", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_vendor_name", "string", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_vendor_id", "string", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_carrier", "bool", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_by_uuid", "PIF_metrics ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "PIF_metrics record", XD_MSG_IMPLICIT, 0x7f, p237, 1 },
	{ "get_all_records_where", "(PIF_metrics ref -> PIF_metrics record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "PIF_metrics ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VIF ---- */

static const xd_decl_field f_VIF[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "allowed_operations", "enum vif_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum vif_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "device", "string", XD_Q_RO_CTOR, NULL, false },
	{ "network", "network ref", XD_Q_RO_CTOR, NULL, false },
	{ "VM", "VM ref", XD_Q_RO_CTOR, NULL, false },
	{ "MAC", "string", XD_Q_RO_CTOR, NULL, false },
	{ "MTU", "int", XD_Q_RO_CTOR, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "currently_attached", "bool", XD_Q_RO_CTOR, "false", false },
	{ "status_code", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "status_detail", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "runtime_properties", "(string -> string) map", XD_Q_RO_RUNTIME, NULL, false },
	{ "qos_algorithm_type", "string", XD_Q_RW, NULL, false },
	{ "qos_algorithm_params", "(string -> string) map", XD_Q_RW, NULL, false },
	{ "qos_supported_algorithms", "string set", XD_Q_RO_RUNTIME, NULL, false },
	{ "MAC_autogenerated", "bool", XD_Q_RO_RUNTIME, "false", false },
	{ "locking_mode", "enum vif_locking_mode", XD_Q_RO_CTOR, "network_default", false },
	{ "ipv4_allowed", "string set", XD_Q_RO_CTOR, "{}", false },
	{ "ipv6_allowed", "string set", XD_Q_RO_CTOR, "{}", false },
	{ "ipv4_configuration_mode", "enum vif_ipv4_configuration_mode", XD_Q_RO_RUNTIME, "None", false },
	{ "ipv4_addresses", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "ipv4_gateway", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "ipv6_configuration_mode", "enum vif_ipv6_configuration_mode", XD_Q_RO_RUNTIME, "None", false },
	{ "ipv6_addresses", "string set", XD_Q_RO_RUNTIME, "{}", false },
	{ "ipv6_gateway", "string", XD_Q_RO_RUNTIME, "\"\"", false },
};

static const xd_decl_message m_VIF[] = {
	{ "get_all_records", "(VIF ref -> VIF record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VIF ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "configure_ipv6", "void", XD_MSG_ASYNC, 0x1f, p238, 4 },
	{ "configure_ipv4", "void", XD_MSG_ASYNC, 0x1f, p239, 4 },
	{ "remove_ipv6_allowed", "void", XD_MSG_ASYNC, 0x3, p240, 2 },
	{ "add_ipv6_allowed", "void", XD_MSG_ASYNC, 0x3, p240, 2 },
	{ "set_ipv6_allowed", "void", XD_MSG_ASYNC, 0x3, p241, 2 },
	{ "remove_ipv4_allowed", "void", XD_MSG_ASYNC, 0x3, p240, 2 },
	{ "add_ipv4_allowed", "void", XD_MSG_ASYNC, 0x3, p240, 2 },
	{ "set_ipv4_allowed", "void", XD_MSG_ASYNC, 0x3, p241, 2 },
	{ "set_locking_mode", "void", XD_MSG_ASYNC, 0x3, p242, 2 },
	{ "move", "void", XD_MSG_ASYNC, 0xf, p243, 2 },
	{ "unplug_force", "void", XD_MSG_ASYNC, 0xf, p244, 1 },
	{ "unplug", "void", XD_MSG_ASYNC, 0xf, p244, 1 },
	{ "plug", "void", XD_MSG_ASYNC, 0xf, p244, 1 },
	{ "remove_from_qos_algorithm_params", "void", XD_MSG_IMPLICIT, 0xf, p245, 2 },
	{ "add_to_qos_algorithm_params", "void", XD_MSG_IMPLICIT, 0xf, p246, 3 },
	{ "set_qos_algorithm_params", "void", XD_MSG_IMPLICIT, 0xf, p247, 2 },
	{ "set_qos_algorithm_type", "void", XD_MSG_IMPLICIT, 0xf, p240, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p245, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p246, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p247, 2 },
	{ "get_ipv6_gateway", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv6_addresses", "string set", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv6_configuration_mode", "enum vif_ipv6_configuration_mode", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv4_gateway", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv4_addresses", "string set", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv4_configuration_mode", "enum vif_ipv4_configuration_mode", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv6_allowed", "string set", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_ipv4_allowed", "string set", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_locking_mode", "enum vif_locking_mode", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_MAC_autogenerated", "bool", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_qos_supported_algorithms", "string set", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_qos_algorithm_params", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_qos_algorithm_type", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_runtime_properties", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_status_detail", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_status_code", "int", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_currently_attached", "bool", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_MTU", "int", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_MAC", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_VM", "VM ref", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_network", "network ref", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_device", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_current_operations", "(string -> enum vif_operations) map", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_allowed_operations", "enum vif_operations set", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p244, 1 },
	{ "create", "VIF ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p248, 1 },
	{ "get_by_uuid", "VIF ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VIF record", XD_MSG_IMPLICIT, 0x7f, p244, 1 },
	{ "get_all_records_where", "(VIF ref -> VIF record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VIF ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- VLAN ---- */

static const xd_decl_field f_VLAN[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "tagged_PIF", "PIF ref", XD_Q_RO_CTOR, "Null", false },
	{ "untagged_PIF", "PIF ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "tag", "int", XD_Q_RO_CTOR, "-1", false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
};

static const xd_decl_message m_VLAN[] = {
	{ "get_all_records", "(VLAN ref -> VLAN record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "VLAN ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "destroy", "void", XD_MSG_ASYNC, 0x3, p249, 1 },
	{ "create", "VLAN ref", XD_MSG_ASYNC, 0x3, p250, 3 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p251, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p252, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p253, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p249, 1 },
	{ "get_tag", "int", XD_MSG_IMPLICIT, 0x7f, p249, 1 },
	{ "get_untagged_PIF", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p249, 1 },
	{ "get_tagged_PIF", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p249, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p249, 1 },
	{ "get_by_uuid", "VLAN ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "VLAN record", XD_MSG_IMPLICIT, 0x7f, p249, 1 },
	{ "get_all_records_where", "(VLAN ref -> VLAN record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "VLAN ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- Bond ---- */

static const xd_decl_field f_Bond[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "master", "PIF ref", XD_Q_RO_CTOR, "Null", false },
	{ "slaves", "PIF ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "primary_slave", "PIF ref", XD_Q_RO_RUNTIME, "OpaqueRef:NULL", false },
	{ "mode", "enum bond_mode", XD_Q_RO_RUNTIME, "balance-slb", false },
	{ "properties", "(string -> string) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "links_up", "int", XD_Q_RO_RUNTIME, "0", false },
	{ "auto_update_mac", "bool", XD_Q_RO_RUNTIME, "true", false },
};

static const xd_decl_message m_Bond[] = {
	{ "get_all_records", "(Bond ref -> Bond record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "Bond ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "set_property", "void", XD_MSG_ASYNC, 0x3, p254, 3 },
	{ "set_mode", "void", XD_MSG_ASYNC, 0x3, p255, 2 },
	{ "destroy", "void", XD_MSG_ASYNC, 0x3, p256, 1 },
	{ "create", "Bond ref", XD_MSG_ASYNC, 0x3, p257, 5 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p258, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p259, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p260, 2 },
	{ "get_auto_update_mac", "bool", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_links_up", "int", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_properties", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_mode", "enum bond_mode", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_primary_slave", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_slaves", "PIF ref set", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_master", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_by_uuid", "Bond ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "Bond record", XD_MSG_IMPLICIT, 0x7f, p256, 1 },
	{ "get_all_records_where", "(Bond ref -> Bond record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "Bond ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- tunnel ---- */

static const xd_decl_field f_tunnel[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "access_PIF", "PIF ref", XD_Q_RO_CTOR, "Null", false },
	{ "transport_PIF", "PIF ref", XD_Q_RO_CTOR, "Null", false },
	{ "status", "(string -> string) map", XD_Q_RW, "{\"active\" -> \"false\"}", false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "protocol", "enum tunnel_protocol", XD_Q_RW, "gre", false },
};

static const xd_decl_message m_tunnel[] = {
	{ "get_all_records", "(tunnel ref -> tunnel record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "tunnel ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "destroy", "void", XD_MSG_ASYNC, 0x3, p261, 1 },
	{ "create", "tunnel ref", XD_MSG_ASYNC, 0x3, p262, 3 },
	{ "set_protocol", "void", XD_MSG_IMPLICIT, 0x3, p263, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p264, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p265, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p266, 2 },
	{ "remove_from_status", "void", XD_MSG_IMPLICIT, 0x3, p264, 2 },
	{ "add_to_status", "void", XD_MSG_IMPLICIT, 0x3, p265, 3 },
	{ "set_status", "void", XD_MSG_IMPLICIT, 0x3, p266, 2 },
	{ "get_protocol", "enum tunnel_protocol", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_status", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_transport_PIF", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_access_PIF", "PIF ref", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_by_uuid", "tunnel ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "tunnel record", XD_MSG_IMPLICIT, 0x7f, p261, 1 },
	{ "get_all_records_where", "(tunnel ref -> tunnel record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "tunnel ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- task ---- */

static const xd_decl_field f_task[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "name_description", "string", XD_Q_RO_RUNTIME, "\"\"", false },
	{ "allowed_operations", "enum task_allowed_operations set", XD_Q_RO_RUNTIME, "{}", false },
	{ "current_operations", "(string -> enum task_allowed_operations) map", XD_Q_RO_RUNTIME, "{}", false },
	{ "created", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "finished", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "status", "enum task_status_type", XD_Q_RO_RUNTIME, NULL, false },
	{ "resident_on", "host ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "progress", "float", XD_Q_RO_RUNTIME, NULL, false },
	{ "type", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "result", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "error_info", "string set", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
	{ "subtask_of", "task ref", XD_Q_RO_RUNTIME, "Null", false },
	{ "subtasks", "task ref set", XD_Q_RO_RUNTIME, NULL, false },
	{ "backtrace", "string", XD_Q_RO_RUNTIME, "\"()\"", false },
};

static const xd_decl_message m_task[] = {
	{ "get_all_records", "(task ref -> task record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "task ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "set_error_info", "void", 0, 0x7f, p267, 2 },
	{ "set_result", "void", 0, 0x7f, p268, 2 },
	{ "set_progress", "void", 0, 0x7f, p269, 2 },
	{ "set_status", "void", 0, 0x7f, p270, 2 },
	{ "cancel", "void", XD_MSG_ASYNC, 0x7f, p271, 1 },
	{ "destroy", "void", 0, 0x7f, p272, 1 },
	{ "create", "task ref", 0, 0x7f, p273, 2 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p274, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p275, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p276, 2 },
	{ "get_backtrace", "string", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_subtasks", "task ref set", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_subtask_of", "task ref", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_error_info", "string set", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_result", "string", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_type", "string", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_progress", "float", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_resident_on", "host ref", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_status", "enum task_status_type", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_finished", "datetime", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_created", "datetime", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_current_operations", "(string -> enum task_allowed_operations) map", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_allowed_operations", "enum task_allowed_operations set", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_by_name_label", "task ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "get_by_uuid", "task ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "task record", XD_MSG_IMPLICIT, 0x7f, p272, 1 },
	{ "get_all_records_where", "(task ref -> task record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "task ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- event ---- */

static const xd_decl_field f_event[] = {
	{ "snapshot", "<class> record", XD_Q_RO_RUNTIME, NULL, false },
	{ "id", "int", XD_Q_RO_CTOR, NULL, false },
	{ "timestamp", "datetime", XD_Q_RO_CTOR, NULL, true },
	{ "class", "string", XD_Q_RO_CTOR, NULL, false },
	{ "operation", "enum event_operation", XD_Q_RO_CTOR, NULL, false },
	{ "ref", "string", XD_Q_RO_CTOR, NULL, false },
	{ "obj_uuid", "string", XD_Q_RO_CTOR, NULL, true },
};

static const xd_decl_message m_event[] = {
	{ "inject", "string", 0, 0x7f, p277, 2 },
	{ "get_current_id", "int", 0, 0x7f, NULL, 0 },
	{ "from", "an event batch", 0, 0x7f, p278, 3 },
	{ "next", "event record set", XD_MSG_DEPRECATED, 0x7f, NULL, 0 },
	{ "unregister", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x7f, p279, 1 },
	{ "register", "void", XD_MSG_ASYNC | XD_MSG_DEPRECATED, 0x7f, p279, 1 },
};

/* ---- message ---- */

static const xd_decl_field f_message[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "priority", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "cls", "enum cls", XD_Q_RO_RUNTIME, NULL, false },
	{ "obj_uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "timestamp", "datetime", XD_Q_RO_RUNTIME, NULL, false },
	{ "body", "string", XD_Q_RO_RUNTIME, NULL, false },
};

static const xd_decl_message m_message[] = {
	{ "get_all_records_where", "(message ref -> message record) map", 0, 0x7f, p14, 1 },
	{ "get_all_records", "(message ref -> message record) map", 0, 0x7f, NULL, 0 },
	{ "get_by_uuid", "message ref", 0, 0x7f, p9, 1 },
	{ "get_record", "message record", 0, 0x7f, p280, 1 },
	{ "get_since", "(message ref -> message record) map", 0, 0x7f, p281, 1 },
	{ "get_all", "message ref set", 0, 0x7f, NULL, 0 },
	{ "get", "(message ref -> message record) map", 0, 0x7f, p282, 3 },
	{ "destroy_many", "void", XD_MSG_ASYNC, 0x3, p283, 1 },
	{ "destroy", "void", 0, 0x3, p280, 1 },
	{ "create", "message ref", 0, 0x3, p284, 5 },
	{ "get_all_where", "message ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- console ---- */

static const xd_decl_field f_console[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "protocol", "enum console_protocol", XD_Q_RO_RUNTIME, NULL, false },
	{ "location", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "VM", "VM ref", XD_Q_RO_RUNTIME, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, NULL, false },
};

static const xd_decl_message m_console[] = {
	{ "get_all_records", "(console ref -> console record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "console ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0xf, p285, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0xf, p286, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0xf, p287, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p288, 1 },
	{ "get_VM", "VM ref", XD_MSG_IMPLICIT, 0x7f, p288, 1 },
	{ "get_location", "string", XD_MSG_IMPLICIT, 0x7f, p288, 1 },
	{ "get_protocol", "enum console_protocol", XD_MSG_IMPLICIT, 0x7f, p288, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p288, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p288, 1 },
	{ "create", "console ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0xf, p289, 1 },
	{ "get_by_uuid", "console ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "console record", XD_MSG_IMPLICIT, 0x7f, p288, 1 },
	{ "get_all_records_where", "(console ref -> console record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "console ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- blob ---- */

static const xd_decl_field f_blob[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "name_label", "string", XD_Q_RW, "\"\"", false },
	{ "name_description", "string", XD_Q_RW, "\"\"", false },
	{ "size", "int", XD_Q_RO_RUNTIME, NULL, false },
	{ "public", "bool", XD_Q_RW, "false", false },
	{ "last_updated", "datetime", XD_Q_RO_CTOR, NULL, false },
	{ "mime_type", "string", XD_Q_RO_CTOR, NULL, false },
};

static const xd_decl_message m_blob[] = {
	{ "get_all_records", "(blob ref -> blob record) map", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "get_all", "blob ref set", XD_MSG_IMPLICIT, 0x7f, NULL, 0 },
	{ "destroy", "void", 0, 0x3, p290, 1 },
	{ "create", "blob ref", 0, 0x3, p291, 2 },
	{ "set_public", "void", XD_MSG_IMPLICIT, 0x3, p292, 2 },
	{ "set_name_description", "void", XD_MSG_IMPLICIT, 0x3, p293, 2 },
	{ "set_name_label", "void", XD_MSG_IMPLICIT, 0x3, p293, 2 },
	{ "get_mime_type", "string", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_last_updated", "datetime", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_public", "bool", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_size", "int", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_name_description", "string", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_name_label", "string", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_by_name_label", "blob ref set", XD_MSG_IMPLICIT, 0x7f, p15, 1 },
	{ "get_by_uuid", "blob ref", XD_MSG_IMPLICIT, 0x7f, p9, 1 },
	{ "get_record", "blob record", XD_MSG_IMPLICIT, 0x7f, p290, 1 },
	{ "get_all_records_where", "(blob ref -> blob record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
	{ "get_all_where", "blob ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x7f, p14, 1 },
};

/* ---- secret ---- */

static const xd_decl_field f_secret[] = {
	{ "uuid", "string", XD_Q_RO_RUNTIME, NULL, false },
	{ "value", "string", XD_Q_RW, NULL, false },
	{ "other_config", "(string -> string) map", XD_Q_RW, "{}", false },
};

static const xd_decl_message m_secret[] = {
	{ "get_all_records", "(secret ref -> secret record) map", XD_MSG_IMPLICIT, 0x3, NULL, 0 },
	{ "get_all", "secret ref set", XD_MSG_IMPLICIT, 0x3, NULL, 0 },
	{ "remove_from_other_config", "void", XD_MSG_IMPLICIT, 0x3, p294, 2 },
	{ "add_to_other_config", "void", XD_MSG_IMPLICIT, 0x3, p295, 3 },
	{ "set_other_config", "void", XD_MSG_IMPLICIT, 0x3, p296, 2 },
	{ "set_value", "void", XD_MSG_IMPLICIT, 0x3, p297, 2 },
	{ "get_other_config", "(string -> string) map", XD_MSG_IMPLICIT, 0x7f, p298, 1 },
	{ "get_value", "string", XD_MSG_IMPLICIT, 0x3, p298, 1 },
	{ "get_uuid", "string", XD_MSG_IMPLICIT, 0x3, p298, 1 },
	{ "destroy", "void", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0x3, p298, 1 },
	{ "create", "secret ref", XD_MSG_IMPLICIT | XD_MSG_ASYNC, 0x3, p299, 1 },
	{ "get_by_uuid", "secret ref", XD_MSG_IMPLICIT, 0x3, p9, 1 },
	{ "get_record", "secret record", XD_MSG_IMPLICIT, 0x3, p298, 1 },
	{ "get_all_records_where", "(secret ref -> secret record) map", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x3, p14, 1 },
	{ "get_all_where", "secret ref set", XD_MSG_IMPLICIT | XD_MSG_HIDDEN, 0x3, p14, 1 },
};

/* ---- classes ---- */

#define N(a) (sizeof(a) / sizeof((a)[0]))
const xd_decl_class xd_decl_classes[] = {
	{ "session", f_session, N(f_session), m_session, N(m_session) },
	{ "auth", f_auth, N(f_auth), m_auth, N(m_auth) },
	{ "subject", f_subject, N(f_subject), m_subject, N(m_subject) },
	{ "role", f_role, N(f_role), m_role, N(m_role) },
	{ "pool", f_pool, N(f_pool), m_pool, N(m_pool) },
	{ "host", f_host, N(f_host), m_host, N(m_host) },
	{ "host_metrics", f_host_metrics, N(f_host_metrics), m_host_metrics, N(m_host_metrics) },
	{ "host_cpu", f_host_cpu, N(f_host_cpu), m_host_cpu, N(m_host_cpu) },
	{ "VM", f_VM, N(f_VM), m_VM, N(m_VM) },
	{ "VM_metrics", f_VM_metrics, N(f_VM_metrics), m_VM_metrics, N(m_VM_metrics) },
	{ "VM_guest_metrics", f_VM_guest_metrics, N(f_VM_guest_metrics), m_VM_guest_metrics, N(m_VM_guest_metrics) },
	{ "VBD", f_VBD, N(f_VBD), m_VBD, N(m_VBD) },
	{ "VBD_metrics", f_VBD_metrics, N(f_VBD_metrics), m_VBD_metrics, N(m_VBD_metrics) },
	{ "VDI", f_VDI, N(f_VDI), m_VDI, N(m_VDI) },
	{ "SR", f_SR, N(f_SR), m_SR, N(m_SR) },
	{ "PBD", f_PBD, N(f_PBD), m_PBD, N(m_PBD) },
	{ "SM", f_SM, N(f_SM), m_SM, N(m_SM) },
	{ "network", f_network, N(f_network), m_network, N(m_network) },
	{ "PIF", f_PIF, N(f_PIF), m_PIF, N(m_PIF) },
	{ "PIF_metrics", f_PIF_metrics, N(f_PIF_metrics), m_PIF_metrics, N(m_PIF_metrics) },
	{ "VIF", f_VIF, N(f_VIF), m_VIF, N(m_VIF) },
	{ "VLAN", f_VLAN, N(f_VLAN), m_VLAN, N(m_VLAN) },
	{ "Bond", f_Bond, N(f_Bond), m_Bond, N(m_Bond) },
	{ "tunnel", f_tunnel, N(f_tunnel), m_tunnel, N(m_tunnel) },
	{ "task", f_task, N(f_task), m_task, N(m_task) },
	{ "event", f_event, N(f_event), m_event, N(m_event) },
	{ "message", f_message, N(f_message), m_message, N(m_message) },
	{ "console", f_console, N(f_console), m_console, N(m_console) },
	{ "blob", f_blob, N(f_blob), m_blob, N(m_blob) },
	{ "secret", f_secret, N(f_secret), m_secret, N(m_secret) },
};
#undef N
const size_t xd_decl_nclasses = 30;

/* ---- roles and HTTP permissions ---- */

const xd_decl_role xd_decl_roles[] = {
	{ "pool-admin",
	  "The Pool Administrator role has full access to all features and settings, including accessing Dom0 and managing subjects, roles and external authentication", false },
	{ "pool-operator",
	  "The Pool Operator role manages host- and pool-wide resources, including setting up storage, creating resource pools and managing patches, high availability (HA) and workload balancing (WLB)", false },
	{ "vm-power-admin",
	  "The VM Power Administrator role has full access to VM and template management and can choose where to start VMs and use the dynamic memory control and VM snapshot features", false },
	{ "vm-admin",
	  "The VM Administrator role can manage VMs and templates", false },
	{ "vm-operator",
	  "The VM Operator role can use VMs and interact with VM consoles", false },
	{ "client-cert",
	  "The Client Certificate role has access to functionality granted to those who authenticate using a client certificate", true },
	{ "read-only",
	  "The Read-Only role can log in with basic read-only access", false },
};
const size_t xd_decl_nroles = 7;

const xd_decl_http_action xd_decl_http_actions[] = {
	{ "import_raw_vdi", "put_import_raw_vdi", 0xf },
	{ "export_raw_vdi", "get_export_raw_vdi", 0xf },
	{ "import", "put_import", 0xf },
	{ "import_metadata", "put_import_metadata", 0xf },
	{ "export", "get_export", 0xf },
	{ "export_metadata", "get_export_metadata", 0xf },
	{ "console", "connect_console", 0x1f },
	{ "rrd_updates", "get_rrd_updates", 0x5f },
	{ "host_rrd", "get_host_rrd", 0x5f },
	{ "vm_rrd", "get_vm_rrd", 0x5f },
	{ "sr_rrd", "get_sr_rrd", 0x5f },
	{ "get_blob", "get_blob", 0x5f },
	{ "put_blob", "put_blob", 0x7 },
};
const size_t xd_decl_nhttp_actions = 13;
