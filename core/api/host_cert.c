/* host_cert.c - the host's TLS server certificate: get_server_certificate,
 * install_server_certificate, reset_server_certificate (core/tls does the
 * checks, the files and the swap). */
#include "api.h"
#include "generic/generic.h"
#include "rpc/rpc.h"
#include "tls/tls.h"
#include "value.h"

static xd_value *h_get_server_certificate(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	return xd_string_take(xd_tls_server_certificate());
}

/* (host, certificate, private_key, certificate_chain); an empty chain is
 * no chain, as xapi's. */
static xd_value *h_install_server_certificate(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	if (xd_tls_install(xd_arg_str(call, 1), xd_arg_str(call, 2), xd_arg_str(call, 3), err) < 0)
		return NULL;
	return xd_string("");
}

static xd_value *h_reset_server_certificate(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0 || xd_tls_reset(err) < 0)
		return NULL;
	return xd_string("");
}

void xd_api_host_cert_register(void)
{
	xd_rpc_register("host", "reset_server_certificate", h_reset_server_certificate);
	xd_rpc_register("host", "get_server_certificate", h_get_server_certificate);
	xd_rpc_register("host", "install_server_certificate", h_install_server_certificate);
}
