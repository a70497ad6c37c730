/* auth_api.c - the auth class over the local accounts (users file or the
 * system's, with PAM): a local user's subject_identifier is its name. */
#include "auth/session.h"
#include "generic/generic.h"
#include "rbac_int.h"
#include "rpc/rpc.h"

/* auth.get_subject_identifier: the identifier of a local account. */
static xd_value *h_get_subject_identifier(const xd_call *call, xd_error *err)
{
	const char *name = xd_arg_str(call, 0);
	xd_value *info = xd_auth_user_info(name);
	if (!info) {
		xd_error_set(err, "SUBJECT_CANNOT_BE_RESOLVED", NULL);
		return NULL;
	}
	xd_value_free(info);
	return xd_string(name);
}

static xd_value *h_get_subject_information_from_identifier(const xd_call *call, xd_error *err)
{
	xd_value *info = xd_auth_user_info(xd_arg_str(call, 0));
	if (!info)
		xd_error_set(err, "SUBJECT_CANNOT_BE_RESOLVED", NULL);
	return info;
}

static xd_value *h_get_group_membership(const xd_call *call, xd_error *err)
{
	xd_value *groups = xd_auth_user_groups(xd_arg_str(call, 0));
	if (!groups)
		xd_error_set(err, "SUBJECT_CANNOT_BE_RESOLVED", NULL);
	return groups;
}

void xd_rbac_register_auth_api(void)
{
	xd_rpc_register("auth", "get_subject_identifier", h_get_subject_identifier);
	xd_rpc_register("auth", "get_subject_information_from_identifier",
			h_get_subject_information_from_identifier);
	xd_rpc_register("auth", "get_group_membership", h_get_group_membership);
}
