/* rbac.h - xapi's role based access control: the static roles and
 * permissions, the subjects, and the one permission check of every call.
 *
 * A permission is a message's wire name in lower case ("vm.start"), or
 * "http/<action>" for an HTTP data path; the roles allowed each come from the
 * datamodel (tools/dmgen.py puts a role mask on every message). Since a
 * session's permissions are exactly the union of its roles' permissions, the
 * check is one AND of the session's role mask with the message's: O(1).
 * Roles and permissions are both "role" objects, as upstream's: permissions
 * have no subroles; a role's subroles are its permissions. Their refs are
 * "OpaqueRef:<uuid>" with upstream's uuids (the MD5 of the wire name).
 *
 * Owns: the role table (built by xd_rbac_init, read-only after) and the
 * role mask of every live session (filled at login, or from the db after a
 * restart; forgotten when the session goes).
 */
#ifndef XD_RBAC_H
#define XD_RBAC_H

#include <stdbool.h>

#include "dm.h"
#include "error.h"
#include "value.h"

/* The role mask of the local superuser: every permission, also those no
 * role has (upstream's _R_LOCAL_ROOT_ONLY). */
#define XD_RBAC_SUPERUSER (~0u)

/* Builds the role table (needs xd_dm_init) and registers the role, subject
 * and auth handlers (rpc registry) and the session hook. */
int xd_rbac_init(void);
void xd_rbac_register_api(void);
void xd_rbac_shutdown(void);

/* Login of a user who is not the local superuser: the subject whose
 * subject_identifier is the user name (local and PAM users: the name is the
 * identifier). 0 with *subject_ref (heap) and *mask (its roles), -1 if no
 * subject has that identifier. */
int xd_rbac_subject_of_user(const char *user, char **subject_ref, unsigned *mask);
/* The permission names of a role mask (session.rbac_permissions): a new
 * string set. */
xd_value *xd_rbac_permission_names(unsigned mask);

/* A new session's role mask (at login). */
void xd_rbac_session_set(const char *session, unsigned mask);
/* The role mask of a live session. */
unsigned xd_rbac_session_mask(const char *session);

/* The permission check of one call: 0 if the session may call message m of
 * class c, else -1 with RBAC_PERMISSION_DENIED [permission, "No permission
 * in user session. (Roles with this permission: ...)"]. */
int xd_rbac_check_call(const char *session, const xd_class *c, const xd_message *m,
		       xd_error *err);
/* The same for an HTTP data path, by the name its handler gives
 * xd_auth_http ("import_raw_vdi"...): permission "http/<upstream action>".
 * A handler not in the table is pool-admin's only ("http/<handler>"). */
int xd_rbac_check_http(const char *handler, unsigned mask, xd_error *err);

#endif
