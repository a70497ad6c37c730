/* rbac_int.h - what the files of core/rbac share (see rbac.h). */
#ifndef XD_RBAC_INT_H
#define XD_RBAC_INT_H

#include <stddef.h>

#include "rbac.h"

/* One "role" object: a permission (no subroles) or one of xapi's roles. */
typedef struct xd_role {
	char *name_label;        /* "vm.start", "http/put_import_raw_vdi", "pool-admin" */
	const char *description;
	char uuid[37];
	char ref[48];            /* "OpaqueRef:" uuid */
	bool is_internal;
	int role_bit;            /* a role: its bit; a permission: -1 */
	unsigned roles;          /* a permission: the roles that have it; a role: 1 << bit */
} xd_role;

/* roles.c: the table (permissions first, then the roles, as upstream's
 * get_all) and its look-ups; NULL when nothing matches. */
size_t xd_rbac_nroles(void);
const xd_role *xd_rbac_role_at(size_t i);
const xd_role *xd_rbac_role_by_ref(const char *ref);
const xd_role *xd_rbac_role_by_name(const char *name_label);
const xd_role *xd_rbac_role_by_uuid(const char *uuid);
/* The permission of message m of class c, and of an HTTP data path. */
const xd_role *xd_rbac_permission_of(const xd_class *c, const xd_message *m);
const xd_role *xd_rbac_http_permission(const char *handler);
int xd_rbac_build_table(void);
void xd_rbac_free_table(void);
void xd_rbac_register_role_api(void);

/* The hash of the role table's and the session cache's indexes (FNV-1a). */
size_t xd_rbac_hash(const char *s);
/* The role mask of a set of role refs (subject.roles). */
unsigned xd_rbac_mask_of_refs(const xd_value *refs);
/* The permission names of a role (name_labels, sorted): a new string set. */
xd_value *xd_rbac_permission_names(unsigned mask);

/* subject.c, auth_api.c */
void xd_rbac_register_subject_api(void);
void xd_rbac_register_auth_api(void);

#endif
