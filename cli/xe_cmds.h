/* xe_cmds.h - the xe commands: the per-class ones (<class>-list,
 * -param-list, -param-get, -param-set, -param-add, -param-remove,
 * -param-clear), event-wait, the table of classes xe knows by name, and
 * the commands with names of their own (xe_storage.c, xe_vm.c; xe_named.c
 * gathers their tables).
 *
 * Every command returns the process exit code (0 or 1) and has printed its
 * output (stdout) or its error (stderr).
 */
#ifndef XE_CMDS_H
#define XE_CMDS_H

#include <stdint.h>

#include "dm.h"
#include "xe_args.h"
#include "xe_client.h"

typedef struct xe_classinfo {
	const char *xe_name;   /* "vm", "host-cpu" */
	const char *dm_name;   /* "VM", "host_cpu" */
	const char *defaults;  /* <class>-list columns, comma separated; "" = all */
	const char *filters;   /* implicit filters, e.g. "is-a-template=false" */
	const char *what;      /* plural for help texts */
} xe_classinfo;

/* The table of classes with xe names, in help order. */
const xe_classinfo *xe_classinfo_at(size_t i);
size_t xe_classinfo_count(void);
/* The class behind an xe name ("vm", "host-cpu", or any served class by its
 * name, case-insensitive, '-' for '_'); NULL if none. *ci gets the table
 * entry or a generic one. */
const xd_class *xe_class_resolve(const char *xe_name, const xe_classinfo **ci);

/* The per-class operations, by the suffix of the command name. */
typedef int (*xe_class_cmd_fn)(xe_client *x, const xe_opts *o, const xd_class *c,
			       const xe_classinfo *ci);
typedef struct xe_class_op {
	const char *suffix;    /* "-list", "-param-get"... */
	xe_class_cmd_fn fn;
	const char *required;  /* for help: "uuid param-name" */
	const char *optional;
	const char *help;
} xe_class_op;
size_t xe_class_op_count(void);
const xe_class_op *xe_class_op_at(size_t i);
/* Splits "vm-param-get" into its class and op; NULL if not one. */
const xe_class_op *xe_class_op_match(const char *command, const xd_class **c,
				     const xe_classinfo **ci);

int xe_cmd_event_wait(xe_client *x, const xe_opts *o);

/* Commands with a name of their own rather than <class>-<op> (the storage
 * commands of xe_storage.c: sr-create, vdi-snapshot...). */
typedef int (*xe_named_cmd_fn)(xe_client *x, const xe_opts *o);
typedef struct xe_named_cmd {
	const char *name;
	xe_named_cmd_fn fn;
	const char *required;  /* for help */
	const char *optional;
	const char *help;
} xe_named_cmd;
/* The tables of the command files, gathered by xe_named.c. */
extern const xe_named_cmd *const xe_storage_cmds;
extern const size_t xe_storage_ncmds;
extern const xe_named_cmd *const xe_vm_cmds;
extern const size_t xe_vm_ncmds;
extern const xe_named_cmd *const xe_vm_device_cmds;
extern const size_t xe_vm_device_ncmds;
extern const xe_named_cmd *const xe_host_cmds;
extern const size_t xe_host_ncmds;
/* xe_sr_probe_ext.c: sr-probe-ext. */
extern const xe_named_cmd *const xe_sr_probe_ext_cmds;
extern const size_t xe_sr_probe_ext_ncmds;
/* xe_host_admin.c: host-dmesg, host-send-debug-keys, host-set-hostname-live,
 * host-syslog-reconfigure, host-shutdown-agent. */
extern const xe_named_cmd *const xe_host_admin_cmds;
extern const size_t xe_host_admin_ncmds;
/* xe_vm_settings.c: vm-copy-bios-strings, vm-is-bios-customized,
 * vm-memory-target-set, vm-memory-balloon, vm-memory-target-wait,
 * vm-memory-shadow-multiplier-set. */
extern const xe_named_cmd *const xe_vm_settings_cmds;
extern const size_t xe_vm_settings_ncmds;
/* xe_host_cert.c: host-server-certificate-install, host-reset-server-certificate. */
extern const xe_named_cmd *const xe_host_cert_cmds;
extern const size_t xe_host_cert_ncmds;
/* xe_host_info.c: host-cpu-info, host-get-cpu-features, host-license-view. */
extern const xe_named_cmd *const xe_host_info_cmds;
extern const size_t xe_host_info_ncmds;
/* xe_objects.c: secret-create/destroy, vm-create/destroy, memory overheads. */
extern const xe_named_cmd *const xe_object_cmds;
extern const size_t xe_object_ncmds;
/* xe_net_config.c: management interface, PIF and VIF addressing. */
extern const xe_named_cmd *const xe_net_config_cmds;
extern const size_t xe_net_config_ncmds;
extern const xe_named_cmd *const xe_device_cmds;
extern const size_t xe_device_ncmds;
extern const xe_named_cmd *const xe_transfer_cmds;
extern const size_t xe_transfer_ncmds;
extern const xe_named_cmd *const xe_console_cmds;
extern const size_t xe_console_ncmds;
extern const xe_named_cmd *const xe_diagnostic_cmds;
extern const size_t xe_diagnostic_ncmds;
/* xe_rbac.c: subject-add/-remove, subject-role-add/-remove, role-list. */
extern const xe_named_cmd *const xe_rbac_cmds;
extern const size_t xe_rbac_ncmds;
/* xe_metrics.c: host-, vm- and sr-data-source-list/-query/-record/-forget. */
extern const xe_named_cmd *const xe_metrics_cmds;
extern const size_t xe_metrics_ncmds;
size_t xe_named_cmd_count(void);
/* The host a command runs on: host-uuid=, else the only host, else the
 * pool's master (xe_storage.c). NULL after printing why; caller frees. */
char *xe_host_ref(xe_client *x, const xe_opts *o);
const xe_named_cmd *xe_named_cmd_at(size_t i);
const xe_named_cmd *xe_named_cmd_find(const char *name);

/* Installing and uninstalling (xe_vm_install.c), in xe_vm.c's table. */
int xe_cmd_vm_install(xe_client *x, const xe_opts *o);
int xe_cmd_vm_uninstall(xe_client *x, const xe_opts *o);
int xe_cmd_template_uninstall(xe_client *x, const xe_opts *o);
int xe_cmd_snapshot_uninstall(xe_client *x, const xe_opts *o);
/* The snapshot named by snapshot-uuid= or uuid=, checked to be a snapshot;
 * NULL after printing the error. Caller frees. */
char *xe_snapshot_ref(xe_client *x, const xe_opts *o);

/* The arguments of SR.probe and SR.probe_ext: [host (host-uuid= or the
 * one xe talks to), device-config:, type, sm-config:]; NULL after printing
 * why. */
xd_value *xe_probe_args(xe_client *x, const xe_opts *o, const char *type);

/* The <prefix>k=v parameters as a map ("device-config:", "args:"). */
xd_value *xe_map_params(const xe_opts *o, const char *prefix);

/* The ref of the object of class cls named by the uuid in parameter key;
 * NULL after printing the error. Caller frees. */
char *xe_ref_param(xe_client *x, const xe_opts *o, const char *key, const char *cls);
/* <cls>.<msg>(ref of uuid=): the commands that only name their object. */
int xe_call_on_uuid(xe_client *x, const xe_opts *o, const char *cls, const char *msg);
/* One call (args taken); prints the new object's uuid when cls is given.
 * The exit code. */
int xe_call_and_print(xe_client *x, const char *method, xd_value *args, const char *cls);
/* A boolean parameter (dflt when absent): 0, or -1 after printing why. */
int xe_bool_param(const xe_opts *o, const char *key, bool dflt, bool *out);

/* Prints the uuid of ref (the result of a call that made an object of class
 * cls) on its own line, as xe's creators do. The exit code. */
int xe_print_new_uuid(xe_client *x, const char *cls, const xd_value *ref);

/* A size as xe reads it: bytes, or with a suffix KiB/MiB/GiB/TiB (also
 * K/M/G/T, B; any case). 0, or -1 if it is not one. */
int xe_parse_size(const char *s, int64_t *out);

#endif
