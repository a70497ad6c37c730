/* register.c - every api/ module's handlers, installed at start-up. */
#include "api.h"

void xd_api_register_all(void)
{
	xd_api_message_register();
	xd_api_blob_register();
	xd_api_blob_http_register();
	xd_api_pool_register();
	xd_api_host_register();
	xd_api_host_evacuate_register();
	xd_api_host_admin_register();
	xd_api_vm_register();
	xd_api_vm_bios_register();
	xd_api_vm_memory_live_register();
	xd_api_sr_register();
	xd_api_pbd_register();
	xd_api_vdi_register();
	xd_api_vdi_http_register();
	xd_api_console_http_register();
	xd_api_vm_export_register();
	xd_api_vm_import_register();
	xd_api_devices_register();
	xd_api_pif_register();
	xd_api_network_register();
	xd_api_vlan_bond_register();
	xd_api_host_plugins_register();
	xd_api_host_cert_register();
	xd_api_data_sources_register();
}
