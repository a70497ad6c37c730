/* xe_obj.c - the classes xe knows by name, the per-class command table, and
 * the helpers the per-class commands share (xe_list.c reads, xe_change.c
 * writes, both over the generic XenAPI messages).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_format.h"
#include "xe_obj.h"
#include "xe_util.h"
#include "xe_view.h"

/* ---- the classes xe knows by name ---- */

static const xe_classinfo classes[] = {
	{ "vm", "VM", "name-label,uuid,power-state", "is-a-template=false", "VMs" },
	{ "template", "VM", "name-label,name-description,uuid",
	  "is-a-template=true,is-a-snapshot=false", "templates" },
	{ "snapshot", "VM", "name-label,name-description,uuid,snapshot-of,snapshot-time",
	  "is-a-snapshot=true", "snapshots" },
	{ "host", "host", "uuid,name-label,name-description", NULL, "hosts" },
	{ "host-cpu", "host_cpu", "uuid,number,vendor,speed,utilisation", NULL, "host CPUs" },
	{ "host-metrics", "host_metrics", "uuid,memory-total,live,last-updated", NULL,
	  "host metrics objects" },
	{ "pool", "pool", "uuid,name-label,name-description,master,default-SR", NULL, "pools" },
	{ "sr", "SR", "uuid,name-label,name-description,host,type,content-type", NULL, "SRs" },
	{ "vdi", "VDI", "uuid,name-label,name-description,virtual-size,read-only,sharable,sr-uuid",
	  NULL, "VDIs" },
	{ "vbd", "VBD", "uuid,vm-uuid,vm-name-label,vdi-uuid,device,empty", NULL, "VBDs" },
	{ "pbd", "PBD", "uuid,host-uuid,sr-uuid,device-config,currently-attached", NULL, "PBDs" },
	{ "sm", "SM", "uuid,type,name-label,name-description,vendor,copyright,configuration", NULL,
	  "SM (storage driver) objects" },
	{ "network", "network", "uuid,name-label,name-description,bridge", NULL, "networks" },
	{ "vif", "VIF", "uuid,device,vm-uuid,network-uuid", NULL, "VIFs" },
	{ "pif", "PIF", "uuid,device,VLAN,MAC,network-uuid,currently-attached,host-uuid", NULL,
	  "PIFs" },
	{ "bond", "Bond", "uuid,master,slaves", NULL, "bonds" },
	{ "vlan", "VLAN", "uuid,tagged-PIF,untagged-PIF,tag", NULL, "VLANs" },
	{ "tunnel", "tunnel", "uuid,transport-PIF,access-PIF,status", NULL, "tunnels" },
	{ "console", "console", "uuid,vm-uuid,vm-name-label,protocol,location", NULL, "consoles" },
	{ "task", "task", "uuid,name-label,name-description,status,progress", NULL, "tasks" },
	{ "message", "message", "", NULL, "messages" },
	{ "secret", "secret", "", NULL, "secrets" },
	{ "blob", "blob", "uuid,name-label,mime-type", NULL, "blobs" },
};

size_t xe_classinfo_count(void)
{
	return sizeof(classes) / sizeof(classes[0]);
}

const xe_classinfo *xe_classinfo_at(size_t i)
{
	return i < xe_classinfo_count() ? &classes[i] : NULL;
}

/* For served classes without an entry above. */
static const xe_classinfo generic_info = { NULL, NULL, "uuid,name-label,name-description", NULL,
					   "objects" };

const xd_class *xe_class_resolve(const char *xe_name, const xe_classinfo **ci)
{
	const xd_class *c;
	char *dm;

	for (size_t i = 0; i < xe_classinfo_count(); i++)
		if (strcmp(classes[i].xe_name, xe_name) == 0) {
			c = xd_dm_class(classes[i].dm_name);
			if (!c)
				return NULL;
			*ci = &classes[i];
			return c;
		}
	dm = xe_strdup(xe_name);
	for (char *p = dm; *p; p++)
		if (*p == '-')
			*p = '_';
	c = xd_dm_class_ci(dm);
	free(dm);
	/* Only classes with objects and uuids make sense here. */
	if (!c || !c->stored || c->uuid_field < 0)
		return NULL;
	*ci = &generic_info;
	return c;
}

/* ---- helpers ---- */

xd_value *xe_obj_call(xe_client *x, const xd_class *c, const char *msg, xd_value *args)
{
	char *method = xe_printf("%s.%s", c->name, msg);
	xd_value *r = xe_client_call(x, method, args);

	free(method);
	return r;
}

const char *xe_obj_required(const xe_opts *o, const char *key)
{
	const char *v = xe_opts_get(o, key);

	if (!v)
		fprintf(stderr, "Required parameter not found: %s\n", key);
	return v;
}

/* Parameters that are never filters, setters or map entries. */
bool xe_obj_is_std_param(const char *k)
{
	static const char *const std[] = { "params",	"all",	 "force", "multiple",
					   "message-priority", "trace", NULL };

	for (size_t i = 0; std[i]; i++)
		if (strcmp(k, std[i]) == 0)
			return true;
	return strncmp(k, "database:", 9) == 0;
}

xd_value *xe_obj_all_records(xe_client *x, const xd_class *c)
{
	xd_value *all = xe_obj_call(x, c, "get_all_records", NULL);

	if (all && all->t != XD_V_STRUCT) {
		xe_fail("the server's get_all_records reply is not a map");
		xd_value_free(all);
		return NULL;
	}
	/* The records name themselves: no call needed to show these refs. */
	for (size_t i = 0; all && i < all->u.st.n; i++) {
		const xd_value *rec = all->u.st.m[i].v;
		const xd_value *u = c->uuid_field >= 0
					    ? xd_struct_get(rec, c->fields[c->uuid_field].name)
					    : NULL;
		const xd_value *nl = c->name_label_field >= 0
					     ? xd_struct_get(rec, c->fields[c->name_label_field].name)
					     : NULL;

		xe_client_ref_learn(x, all->u.st.m[i].name, u && u->t == XD_V_STRING ? u->u.s : NULL,
				    nl && nl->t == XD_V_STRING ? nl->u.s : NULL);
	}
	return all;
}

/* The object's ref and record for uuid=...; prints errors. */
int xe_obj_fetch(xe_client *x, const xe_opts *o, const xd_class *c, char **ref, xd_value **rec)
{
	const char *uuid = xe_obj_required(o, "uuid");

	*ref = NULL;
	*rec = NULL;
	if (!uuid)
		return -1;
	*ref = xe_client_ref_by_uuid(x, c->name, uuid);
	if (!*ref)
		return -1;
	*rec = xe_obj_call(x, c, "get_record", xe_strings(1, *ref));
	if (!*rec || (*rec)->t != XD_V_STRUCT) {
		if (*rec)
			xe_fail("the server's get_record reply is not a record");
		xd_value_free(*rec);
		*rec = NULL;
		free(*ref);
		*ref = NULL;
		return -1;
	}
	return 0;
}

/* ---- the op table ---- */

static const xe_class_op ops[] = {
	{ "-param-list", xe_cmd_param_list, "uuid", "",
	  "Lists all the parameters of the object with this uuid." },
	{ "-param-get", xe_cmd_param_get, "uuid param-name", "param-key",
	  "Prints one parameter of the object. For a map parameter, param-key=<key> "
	  "prints the value of that key alone." },
	{ "-param-set", xe_cmd_param_set, "uuid", "<field>=<value> <map>:<key>=<value> ...",
	  "Sets parameters of the object. A reference is given by the uuid of its target "
	  "(empty for none); a map entry with <map>:<key>=<value>." },
	{ "-param-add", xe_cmd_param_add, "uuid param-name", "param-key <key>=<value> ...",
	  "Adds to a set or map parameter: for a set, param-key=<member>; for a map, "
	  "the entries as <key>=<value>." },
	{ "-param-remove", xe_cmd_param_remove, "uuid param-name param-key", "",
	  "Removes a member from a set parameter or a key from a map parameter." },
	{ "-param-clear", xe_cmd_param_clear, "uuid param-name", "",
	  "Empties a set or map parameter, or clears a string or reference parameter." },
	{ "-list", xe_cmd_list, "", "params=<a,b,...|all> --minimal <field>=<value> "
				 "<map>:<key>=<value> <set>:contains=<value>",
	  "Lists the objects, filtered on the optional <field>=<value> arguments (the "
	  "values as shown). params= picks the fields shown; --minimal prints only the "
	  "first of them, comma-separated, on one line." },
};

size_t xe_class_op_count(void)
{
	return sizeof(ops) / sizeof(ops[0]);
}

const xe_class_op *xe_class_op_at(size_t i)
{
	return i < xe_class_op_count() ? &ops[i] : NULL;
}

const xe_class_op *xe_class_op_match(const char *command, const xd_class **c,
				     const xe_classinfo **ci)
{
	size_t len = strlen(command);

	for (size_t i = 0; i < xe_class_op_count(); i++) {
		size_t sl = strlen(ops[i].suffix);
		char *prefix;
		const xd_class *found;

		if (len <= sl || strcmp(command + len - sl, ops[i].suffix) != 0)
			continue;
		prefix = xe_strndup(command, len - sl);
		found = xe_class_resolve(prefix, ci);
		free(prefix);
		if (found) {
			*c = found;
			return &ops[i];
		}
	}
	return NULL;
}
