/* xe_named.c - the commands with names of their own, gathered from the
 * tables of the files that implement them (VMs, hosts, devices, storage,
 * transfers, data sources, console, diagnostics, RBAC), in help order.
 */
#include <string.h>

#include "xe_cmds.h"

static const struct {
	const xe_named_cmd *const *cmds;
	const size_t *n;
} tables[] = {
	{ &xe_vm_cmds, &xe_vm_ncmds },
	{ &xe_vm_settings_cmds, &xe_vm_settings_ncmds },
	{ &xe_vm_device_cmds, &xe_vm_device_ncmds },
	{ &xe_host_cmds, &xe_host_ncmds },
	{ &xe_host_admin_cmds, &xe_host_admin_ncmds },
	{ &xe_host_info_cmds, &xe_host_info_ncmds },
	{ &xe_host_cert_cmds, &xe_host_cert_ncmds },
	{ &xe_object_cmds, &xe_object_ncmds },
	{ &xe_net_config_cmds, &xe_net_config_ncmds },
	{ &xe_device_cmds, &xe_device_ncmds },
	{ &xe_storage_cmds, &xe_storage_ncmds },
	{ &xe_sr_probe_ext_cmds, &xe_sr_probe_ext_ncmds },
	{ &xe_transfer_cmds, &xe_transfer_ncmds },
	{ &xe_metrics_cmds, &xe_metrics_ncmds },
	{ &xe_console_cmds, &xe_console_ncmds },
	{ &xe_diagnostic_cmds, &xe_diagnostic_ncmds },
	{ &xe_rbac_cmds, &xe_rbac_ncmds },
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

size_t xe_named_cmd_count(void)
{
	size_t n = 0;

	for (size_t t = 0; t < NTABLES; t++)
		n += *tables[t].n;
	return n;
}

const xe_named_cmd *xe_named_cmd_at(size_t i)
{
	for (size_t t = 0; t < NTABLES; t++) {
		if (i < *tables[t].n)
			return &(*tables[t].cmds)[i];
		i -= *tables[t].n;
	}
	return NULL;
}

const xe_named_cmd *xe_named_cmd_find(const char *name)
{
	for (size_t i = 0; i < xe_named_cmd_count(); i++)
		if (strcmp(xe_named_cmd_at(i)->name, name) == 0)
			return xe_named_cmd_at(i);
	return NULL;
}
