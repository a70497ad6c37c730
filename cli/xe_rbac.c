/* xe_rbac.c - the RBAC commands, with upstream's parameter names:
 * subject-add subject-name=, subject-remove subject-uuid=,
 * subject-role-add / subject-role-remove uuid= role-name=|role-uuid=,
 * role-list (xapi's roles only, not the permissions, as upstream's), and
 * session-subject-identifier-list / -logout subject-identifier= /
 * -logout-all. The
 * other subject-* and role-* commands are the generic per-class ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_cmds.h"
#include "xe_format.h"
#include "xe_obj.h"
#include "xe_util.h"

/* subject-add: the name resolved to an identifier by the server's
 * directory (auth.get_subject_identifier), then subject.create; prints the
 * new subject's uuid. */
static int cmd_subject_add(xe_client *x, const xe_opts *o)
{
	const char *name = xe_obj_required(o, "subject-name");
	xd_value *id, *rec, *args, *ref, *uuid;

	if (!name)
		return 1;
	id = xe_client_call(x, "auth.get_subject_identifier", xe_strings(1, name));
	if (!id)
		return 1;
	rec = xd_struct();
	xd_struct_set_take(rec, "subject_identifier", id);
	xd_struct_set_take(rec, "other_config", xd_struct());
	args = xd_array();
	xd_array_append_take(args, rec);
	ref = xe_client_call(x, "subject.create", args);
	if (!ref)
		return 1;
	uuid = xe_client_call(x, "subject.get_uuid", xe_strings(1, ref->u.s));
	xd_value_free(ref);
	if (!uuid)
		return 1;
	printf("%s\n", uuid->u.s);
	xd_value_free(uuid);
	return 0;
}

static int cmd_subject_remove(xe_client *x, const xe_opts *o)
{
	const char *uuid = xe_obj_required(o, "subject-uuid");
	char *subject = uuid ? xe_client_ref_by_uuid(x, "subject", uuid) : NULL;
	int rc = subject ? xe_client_call_ok(x, "subject.destroy", xe_strings(1, subject)) < 0 : 1;

	free(subject);
	return rc;
}

/* The role named by role-uuid= or role-name= (exactly one), as upstream's
 * subject_role_common: an unknown name gives OpaqueRef:NULL, which the
 * server refuses with ROLE_NOT_FOUND. Heap ref or NULL (printed why). */
static char *role_ref(xe_client *x, const xe_opts *o)
{
	const char *ruuid = xe_opts_get(o, "role-uuid"), *rname = xe_opts_get(o, "role-name");
	xd_value *r;
	char *ref;

	if (!(ruuid && *ruuid) && !(rname && *rname)) {
		xe_fail("Required parameter not found: role-uuid or role-name");
		return NULL;
	}
	if (ruuid && *ruuid && rname && *rname) {
		xe_fail("Parameters role-uuid and role-name cannot be used together");
		return NULL;
	}
	if (ruuid && *ruuid)
		return xe_client_ref_by_uuid(x, "role", ruuid);
	r = xe_client_call(x, "role.get_by_name_label", xe_strings(1, rname));
	if (!r)
		return NULL;
	ref = xe_strdup(r->t == XD_V_ARRAY && r->u.arr.n ? r->u.arr.items[0]->u.s
						       : "OpaqueRef:NULL");
	xd_value_free(r);
	return ref;
}

static int subject_role(xe_client *x, const xe_opts *o, const char *method)
{
	const char *uuid = xe_obj_required(o, "uuid");
	char *role = uuid ? role_ref(x, o) : NULL;
	char *subject = role ? xe_client_ref_by_uuid(x, "subject", uuid) : NULL;
	int rc = subject ? xe_client_call_ok(x, method, xe_strings(2, subject, role)) < 0 : 1;

	free(subject);
	free(role);
	return rc;
}

static int cmd_subject_role_add(xe_client *x, const xe_opts *o)
{
	return subject_role(x, o, "subject.add_to_roles");
}

static int cmd_subject_role_remove(xe_client *x, const xe_opts *o)
{
	return subject_role(x, o, "subject.remove_from_roles");
}

static const char *field(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);

	return v && v->t == XD_V_STRING ? v->u.s : "";
}

/* role-list: upstream's columns (uuid, name, description) of the roles
 * (role.get_all_records_where "subroles<>[]"). */
static int cmd_role_list(xe_client *x, const xe_opts *o)
{
	xd_value *all = xe_client_call(x, "role.get_all_records_where",
				       xe_strings(1, "subroles<>[]"));
	bool first = true;

	if (!all)
		return 1;
	for (size_t i = 0; all->t == XD_V_STRUCT && i < all->u.st.n; i++) {
		const xd_value *rec = all->u.st.m[i].v;
		const char *labels[3] = { "uuid ( RO)", "name ( RO)", "description ( RO)" };
		const char *vals[3] = { field(rec, "uuid"), field(rec, "name_label"),
					field(rec, "name_description") };

		if (o->minimal) {
			char *e = xe_escape_commas(vals[0]);

			printf("%s%s", first ? "" : ",", e);
			free(e);
			first = false;
		} else {
			char *text = xe_render_record(labels, vals, 3);

			printf("%s\n\n", text);
			free(text);
		}
	}
	if (o->minimal)
		printf("\n");
	xd_value_free(all);
	return 0;
}

/* The identifiers of the subjects with a session: all of them as a list
 * (print), or each logged out. */
static int subject_identifiers(xe_client *x, const xe_opts *o, bool logout)
{
	xd_value *ids = xe_client_call(x, "session.get_all_subject_identifiers", xd_array());
	int rc = 0;

	if (!ids)
		return 1;
	for (size_t i = 0; ids->t == XD_V_ARRAY && i < ids->u.arr.n && !rc; i++) {
		const char *id = ids->u.arr.items[i]->u.s;

		if (logout) {
			rc = xe_client_call_ok(x, "session.logout_subject_identifier",
					       xe_strings(1, id)) < 0;
		} else if (o->minimal) {
			char *e = xe_escape_commas(id);

			printf("%s%s", i ? "," : "", e);
			free(e);
		} else {
			const char *label = "subject-identifier ( RO)";
			char *text = xe_render_record(&label, &id, 1);

			printf("%s\n\n", text);
			free(text);
		}
	}
	if (!logout && o->minimal)
		printf("\n");
	xd_value_free(ids);
	return rc;
}

static int cmd_session_subject_identifier_list(xe_client *x, const xe_opts *o)
{
	return subject_identifiers(x, o, false);
}

static int cmd_session_subject_identifier_logout_all(xe_client *x, const xe_opts *o)
{
	return subject_identifiers(x, o, true);
}

static int cmd_session_subject_identifier_logout(xe_client *x, const xe_opts *o)
{
	const char *id = xe_obj_required(o, "subject-identifier");

	return id ? xe_client_call_ok(x, "session.logout_subject_identifier",
				      xe_strings(1, id)) < 0
		  : 1;
}

static const xe_named_cmd cmds[] = {
	{ "subject-add", cmd_subject_add, "subject-name", "",
	  "Add a subject to the list of subjects that can access the pool" },
	{ "subject-remove", cmd_subject_remove, "subject-uuid", "",
	  "Remove a subject from the list of subjects that can access the pool" },
	{ "subject-role-add", cmd_subject_role_add, "uuid", "role-name, role-uuid",
	  "Add a role to a subject" },
	{ "subject-role-remove", cmd_subject_role_remove, "uuid", "role-name, role-uuid",
	  "Remove a role from a subject" },
	{ "role-list", cmd_role_list, "", "",
	  "Lists the roles (uuid, name, description), not the permissions." },
	{ "session-subject-identifier-list", cmd_session_subject_identifier_list, "", "",
	  "Return a list of all the user subject ids of all externally-authenticated existing "
	  "sessions" },
	{ "session-subject-identifier-logout", cmd_session_subject_identifier_logout,
	  "subject-identifier", "",
	  "Log out all externally-authenticated sessions associated to a user subject id" },
	{ "session-subject-identifier-logout-all", cmd_session_subject_identifier_logout_all, "",
	  "", "Log out all externally-authenticated sessions" },
};

const size_t xe_rbac_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_rbac_cmds = cmds;
