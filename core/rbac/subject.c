/* subject.c - the subject class: who, besides the local superuser, may log
 * in, and with which roles. For local and PAM users the
 * subject_identifier is the user name (doc/xapid.md). */
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "log.h"
#include "rbac_int.h"
#include "rpc/rpc.h"

static const xd_class *subject_cls;
static int f_identifier, f_roles;

typedef struct find_ctx {
	const char *identifier;
	char *ref;
	unsigned mask;
} find_ctx;

static int find_identifier(const char *ref, const xd_value *const *fields, void *ud)
{
	find_ctx *cx = ud;
	if (cx->ref || strcmp(fields[f_identifier]->u.s, cx->identifier) != 0)
		return 0;
	cx->ref = strdup(ref);
	cx->mask = xd_rbac_mask_of_refs(fields[f_roles]);
	return 0;
}

int xd_rbac_subject_of_user(const char *user, char **subject_ref, unsigned *mask)
{
	find_ctx cx = { .identifier = user };
	xd_db_foreach(subject_cls, find_identifier, &cx);
	if (!cx.ref)
		return -1;
	*subject_ref = cx.ref;
	*mask = cx.mask;
	return 0;
}

/* subject.create: the identifier must be new and name a local account; the
 * subject starts with no roles (upstream's, with the RBAC feature on) and
 * other_config describes the account. */
static int create_check(const xd_call *call, const char *ref, xd_value *record, xd_error *err)
{
	const xd_value *id = xd_struct_get(record, "subject_identifier");
	const char *identifier = id && id->t == XD_V_STRING ? id->u.s : "";
	char *existing = NULL;
	unsigned mask;
	if (xd_rbac_subject_of_user(identifier, &existing, &mask) == 0) {
		free(existing);
		return xd_error_set(err, "SUBJECT_ALREADY_EXISTS", NULL);
	}
	xd_value *info = xd_auth_user_info(identifier);
	if (!info)
		return xd_error_set(err, "SUBJECT_CANNOT_BE_RESOLVED", NULL);
	xd_struct_set_take(record, "other_config", info);
	xd_struct_set_take(record, "roles", xd_array());
	xd_info("subject %s created", identifier);
	return 0;
}

static const xd_class_hooks subject_hooks = { .create_check = create_check };

/* subject.destroy: the subject's sessions end with it. */
static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *id = xd_db_get_field(subject_cls, self, f_identifier);
	if (!id) {
		xd_error_set(err, "HANDLE_INVALID", "subject", self, NULL);
		return NULL;
	}
	int rc = xd_db_destroy(subject_cls, self, err);
	if (rc == 0) {
		xd_info("subject %s destroyed", id->u.s);
		xd_session_logout_subject(id->u.s, NULL);
	}
	xd_value_free(id);
	return rc == 0 ? xd_void() : NULL;
}

/* The composite role a role ref names; permissions are roles too in
 * upstream's table, but only xapi's roles are given to subjects here. */
static const xd_role *role_of(const char *ref)
{
	const xd_role *r = xd_rbac_role_by_ref(ref);
	return r && r->role_bit >= 0 ? r : NULL;
}

static bool has_role(const xd_value *roles, const char *ref)
{
	for (size_t i = 0; roles && i < roles->u.arr.n; i++)
		if (strcmp(roles->u.arr.items[i]->u.s, ref) == 0)
			return true;
	return false;
}

static xd_value *h_add_to_roles(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0), *role = xd_arg_str(call, 1);
	xd_value *roles = xd_db_get_field(subject_cls, self, f_roles);
	xd_value *res = NULL;
	if (!roles)
		xd_error_set(err, "HANDLE_INVALID", "subject", self, NULL);
	else if (!role_of(role))
		xd_error_set(err, "ROLE_NOT_FOUND", NULL);
	else if (has_role(roles, role))
		xd_error_set(err, "ROLE_ALREADY_EXISTS", NULL);
	else if (xd_db_set_add(subject_cls, self, f_roles, call->args[1], err) == 0)
		res = xd_void();
	xd_value_free(roles);
	return res;
}

static xd_value *h_remove_from_roles(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0), *role = xd_arg_str(call, 1);
	xd_value *roles = xd_db_get_field(subject_cls, self, f_roles);
	xd_value *res = NULL;
	if (!roles)
		xd_error_set(err, "HANDLE_INVALID", "subject", self, NULL);
	else if (!has_role(roles, role))
		xd_error_set(err, "ROLE_NOT_FOUND", NULL);
	else if (xd_db_set_remove(subject_cls, self, f_roles, call->args[1], err) == 0)
		res = xd_void();
	xd_value_free(roles);
	return res;
}

static xd_value *h_get_permissions_name_label(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *roles = xd_db_get_field(subject_cls, self, f_roles);
	if (!roles) {
		xd_error_set(err, "HANDLE_INVALID", "subject", self, NULL);
		return NULL;
	}
	xd_value *names = xd_rbac_permission_names(xd_rbac_mask_of_refs(roles));
	xd_value_free(roles);
	return names;
}

void xd_rbac_register_subject_api(void)
{
	subject_cls = xd_dm_class("subject");
	f_identifier = xd_dm_field_index(subject_cls, "subject_identifier");
	f_roles = xd_dm_field_index(subject_cls, "roles");
	xd_generic_set_hooks("subject", &subject_hooks);
	xd_rpc_register("subject", "destroy", h_destroy);
	xd_rpc_register("subject", "add_to_roles", h_add_to_roles);
	xd_rpc_register("subject", "remove_from_roles", h_remove_from_roles);
	xd_rpc_register("subject", "get_permissions_name_label", h_get_permissions_name_label);
}
