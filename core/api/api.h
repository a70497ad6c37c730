/* api.h - the register functions of the api/ modules: one per XenAPI
 * class that has messages with behaviour. Each installs its handlers with
 * xd_rpc_register (and generic create/destroy hooks where needed). */
#ifndef XD_API_H
#define XD_API_H

void xd_api_message_register(void);
void xd_api_pool_register(void);
void xd_api_host_register(void);
void xd_api_vm_register(void);
void xd_api_sr_register(void);
void xd_api_pbd_register(void);
void xd_api_vdi_register(void);
/* PUT /import_raw_vdi, GET /export_raw_vdi (http.h routes). */
void xd_api_vdi_http_register(void);
void xd_api_devices_register(void);
void xd_api_host_plugins_register(void); /* host.call_plugin (host_plugins.c) */

/* Calls every register function above. */
void xd_api_register_all(void);

#endif
