/* test_dm.c - the datamodel runtime: classes and counts, types, relations,
 * defaults, coercion of client values and its exact errors, accessors,
 * message flags, the db string form. */
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "error.h"
#include "value.h"

#include "tap.h"

static const xd_class *C(const char *name)
{
	return xd_dm_class(name);
}

static const xd_field *F(const char *cls, const char *field)
{
	const xd_class *c = C(cls);
	int i = c ? xd_dm_field_index(c, field) : -1;

	if (i < 0) {
		printf("# no field %s.%s\n", cls, field);
		return NULL;
	}
	return &c->fields[i];
}

static const xd_type *T(const char *cls, const char *field)
{
	const xd_field *f = F(cls, field);

	return f ? f->type : NULL;
}

static const xd_message *M(const char *cls, const char *msg)
{
	const xd_class *c = C(cls);

	return c ? xd_dm_message(c, msg) : NULL;
}

/* Compares an error with [code, p0, p1] (p1 NULL: exactly one param). */
static void is_err(xd_error *e, const char *code, const char *p0, const char *p1, const char *what)
{
	size_t n = p1 ? 2 : 1;

	is_str(e->code, code, "%s: code", what);
	is_int(e->nparams, n, "%s: param count", what);
	if (e->nparams >= 1)
		is_str(e->params[0], p0, "%s: param 0", what);
	if (p1 && e->nparams >= 2)
		is_str(e->params[1], p1, "%s: param 1", what);
	xd_error_clear(e);
}

/* Renders a value for comparisons; frees the value. */
static char *dbg_take(xd_value *v)
{
	char *s = v ? xd_value_to_debug_string(v) : strdup("(null)");

	xd_value_free(v);
	return s;
}

static void is_default(const xd_type *t, const char *text, const char *want, const char *label)
{
	char *got = dbg_take(t ? xd_dm_parse_default(t, text) : NULL);

	/* want: the debug rendering of the parsed value, NULL = must fail */
	is_str(got, want ? want : "(null)", "default %s", label);
	free(got);
}

/* ---- classes ---------------------------------------------------------- */

static void test_classes(void)
{
	/* Counts of non-removed fields and messages in upstream's datamodel
	 * (tools/dmgen.py --stats), messages including the hidden *_where. */
	static const struct {
		const char *name;
		size_t nfields, nmessages;
	} want[] = {
		{ "session", 16, 29 },  { "auth", 0, 3 },      { "subject", 4, 15 },
		{ "role", 5, 16 },      { "pool", 57, 159 },    { "host", 70, 170 },
		{ "host_metrics", 5, 14 }, { "host_cpu", 13, 22 }, { "VM", 89, 219 },
		{ "VM_metrics", 15, 24 }, { "VM_guest_metrics", 12, 21 }, { "VBD", 21, 47 },
		{ "VBD_metrics", 1, 1 }, { "VDI", 32, 74 },     { "SR", 21, 60 },
		{ "PBD", 6, 20 },       { "SM", 14, 24 },       { "network", 16, 38 },
		{ "PIF", 35, 58 },      { "PIF_metrics", 11, 20 }, { "VIF", 26, 54 },
		{ "VLAN", 5, 16 },      { "Bond", 9, 22 },      { "tunnel", 6, 21 },
		{ "task", 17, 34 },     { "event", 7, 6 },      { "message", 7, 11 },
		{ "console", 5, 16 },   { "blob", 7, 19 },      { "secret", 3, 15 },
	};
	size_t n = sizeof(want) / sizeof(want[0]);

	is_int(xd_dm_nclasses(), n, "number of classes");
	for (size_t i = 0; i < n; i++) {
		const xd_class *c = C(want[i].name);

		ok(c != NULL, "class %s present", want[i].name);
		if (!c)
			continue;
		is_int(c->nfields, want[i].nfields, "%s field count", want[i].name);
		is_int(c->nmessages, want[i].nmessages, "%s message count", want[i].name);
		ok(xd_dm_class_at((size_t)c->idx) == c, "%s idx round-trips", want[i].name);
		for (size_t k = 0; k < c->nfields; k++)
			if (c->fields[k].idx != (int)k)
				ok(0, "%s.%s idx", c->name, c->fields[k].name);
	}
	ok(xd_dm_class_at(n) == NULL, "class_at past the end");

	is_str(C("VM")->lname, "vm", "VM lname");
	is_str(C("VM_guest_metrics")->lname, "vm_guest_metrics", "VM_guest_metrics lname");
	is_str(C("host")->lname, "host", "host lname");
	ok(C("vm") == NULL, "exact lookup is case-sensitive");
	ok(xd_dm_class_ci("vm") == C("VM"), "ci lookup vm");
	ok(xd_dm_class_ci("Vm_Guest_Metrics") == C("VM_guest_metrics"), "ci lookup mixed case");
	ok(xd_dm_class_ci("pbd") == C("PBD"), "ci lookup pbd");
	ok(xd_dm_class_ci("crashdump") == NULL, "class we do not serve");
	ok(C(NULL) == NULL && xd_dm_class_ci(NULL) == NULL, "NULL name");

	ok(!C("event")->stored, "event is not stored");
	ok(C("VM")->stored && C("session")->stored && C("task")->stored, "VM, session, task stored");
	ok(C("VM")->has_ctor_dtor, "VM has implicit create/destroy");
	ok(C("VDI")->has_ctor_dtor && C("VBD")->has_ctor_dtor && C("VIF")->has_ctor_dtor &&
		   C("network")->has_ctor_dtor && C("PBD")->has_ctor_dtor &&
		   C("console")->has_ctor_dtor && C("secret")->has_ctor_dtor,
	   "VDI VBD VIF network PBD console secret have implicit create/destroy");
	ok(!C("host")->has_ctor_dtor, "host.destroy is explicit");
	ok(!C("SR")->has_ctor_dtor && !C("task")->has_ctor_dtor && !C("blob")->has_ctor_dtor &&
		   !C("message")->has_ctor_dtor && !C("Bond")->has_ctor_dtor,
	   "SR task blob message Bond: explicit constructors");

	is_int(C("VM")->uuid_field, xd_dm_field_index(C("VM"), "uuid"), "VM uuid field");
	is_int(C("VM")->name_label_field, xd_dm_field_index(C("VM"), "name_label"), "VM name_label");
	ok(C("VM")->name_label_field >= 0, "VM has name_label");
	is_int(C("VBD")->name_label_field, -1, "VBD has no name_label");
	is_int(C("event")->uuid_field, -1, "event has no uuid");

	is_int(xd_dm_field_index(C("VM"), "name__label"), C("VM")->name_label_field,
	       "db column name__label");
	is_int(xd_dm_field_index(C("VM"), "VCPUs__params"), xd_dm_field_index(C("VM"), "VCPUs_params"),
	       "db column VCPUs__params");
	ok(xd_dm_field_index(C("VM"), "VCPUs_params") >= 0, "VM.VCPUs_params exists");
	is_int(xd_dm_field_index(C("VM"), "no_such_field"), -1, "unknown field");
	is_int(xd_dm_field_index(C("VM"), "name_Label"), -1, "field lookup is exact");
	ok(F("VM", "other_config")->idx == xd_dm_field_index(C("VM"), "other_config"),
	   "field idx consistent");
	ok(xd_dm_message(C("VM"), "no_such_message") == NULL, "unknown message");

	const xd_enum *e = xd_dm_enum("vm_power_state");

	ok(e && e->nvalues == 4, "vm_power_state has 4 values");
	if (e) {
		is_str(e->values[0], "Halted", "vm_power_state[0]");
		is_str(e->values[3], "Suspended", "vm_power_state[3]");
		ok(e->values[4] == NULL, "values NULL terminated");
	}
	ok(xd_dm_enum("bond_mode") && xd_dm_enum("cls") && xd_dm_enum("task_status_type"),
	   "enums of fields and params declared");
	ok(xd_dm_enum("no_such_enum") == NULL, "unknown enum");
}

/* ---- types ------------------------------------------------------------ */

static void test_types(void)
{
	const xd_type *t;

	t = T("VM", "name_label");
	ok(t && t->kind == XD_T_STRING, "string");
	is_str(t ? t->text : NULL, "string", "string text");
	ok(T("VM", "user_version")->kind == XD_T_INT, "int");
	ok(T("VM", "HVM_shadow_multiplier")->kind == XD_T_FLOAT, "float");
	ok(T("VM", "is_a_template")->kind == XD_T_BOOL, "bool");
	ok(T("VM", "snapshot_time")->kind == XD_T_DATETIME, "datetime");
	t = T("VBD", "VM");
	ok(t->kind == XD_T_REF, "ref");
	is_str(t->name, "VM", "ref target");
	t = T("VM", "appliance");
	ok(t->kind == XD_T_REF, "ref to a class we do not serve");
	is_str(t->name, "VM_appliance", "its target name");
	t = T("VM", "power_state");
	ok(t->kind == XD_T_ENUM && t->en == xd_dm_enum("vm_power_state"), "enum");
	is_str(t->name, "vm_power_state", "enum name");
	t = T("VM", "VBDs");
	ok(t->kind == XD_T_SET && t->elem->kind == XD_T_REF, "ref set");
	is_str(t->elem->name, "VBD", "ref set target");
	t = T("VM", "allowed_operations");
	ok(t->kind == XD_T_SET && t->elem->kind == XD_T_ENUM, "enum set");
	t = T("VM", "other_config");
	ok(t->kind == XD_T_MAP && t->key->kind == XD_T_STRING && t->val->kind == XD_T_STRING,
	   "string map");
	is_str(t->text, "(string -> string) map", "map text");
	ok(t == T("host", "other_config"), "types are interned");
	ok(T("VM", "VCPUs_params") == t, "same text, same type");
	t = T("VM", "current_operations");
	ok(t->kind == XD_T_MAP && t->val->kind == XD_T_ENUM, "(string -> enum) map");
	t = T("VM", "blocked_operations");
	ok(t->kind == XD_T_MAP && t->key->kind == XD_T_ENUM, "(enum -> string) map");
	t = T("VM_metrics", "VCPUs_CPU");
	ok(t->kind == XD_T_MAP && t->key->kind == XD_T_INT && t->val->kind == XD_T_INT,
	   "(int -> int) map");
	t = T("event", "snapshot");
	ok(t->kind == XD_T_RECORD, "event snapshot is a record");
	is_str(t->name, "<class>", "of any class");

	t = M("VM", "get_all_records")->result;
	ok(t->kind == XD_T_MAP && t->key->kind == XD_T_REF && t->val->kind == XD_T_RECORD,
	   "get_all_records result");
	is_str(t->val->name, "VM", "record class");
	t = M("host", "get_data_sources")->result;
	ok(t->kind == XD_T_SET && t->elem->kind == XD_T_RECORD, "record set");
	is_str(t->elem->name, "data_source", "record set class");
	ok(M("VM", "start")->result->kind == XD_T_VOID, "void result");
	t = M("event", "from")->result;
	ok(t->kind == XD_T_OTHER, "untyped result");
	is_str(t->text, "an event batch", "its text");
	/* A nested map type from a message result. */
	const xd_message *m = M("VM", "get_possible_hosts");

	ok(m && m->result->kind == XD_T_SET, "VM.get_possible_hosts result");

	is_int(F("VM", "name_label")->qual, XD_Q_RW, "RW");
	is_int(F("VBD", "VM")->qual, XD_Q_RO_CTOR, "RO/constructor");
	is_int(F("VM", "VBDs")->qual, XD_Q_RO_RUNTIME, "RO/runtime");
	ok(F("VM", "memory_target")->deprecated, "deprecated field");
	ok(!F("VM", "memory_static_max")->deprecated, "published field");
	ok(F("VM", "pending_guidances_full") != NULL, "prototyped field kept");
	is_str(F("VM", "name_label")->default_text, "\"\"", "declared default text");
	ok(F("VM", "user_version")->default_text == NULL, "no default");
}

/* ---- relations -------------------------------------------------------- */

static const xd_relation *find_rel(const char *one, const char *onef, const char *many,
				   const char *manyf)
{
	for (size_t i = 0; i < xd_dm_nrelations(); i++) {
		const xd_relation *r = xd_dm_relation_at(i);

		if (strcmp(r->one_cls->name, one) == 0 &&
		    strcmp(r->one_cls->fields[r->one_field].name, onef) == 0 &&
		    strcmp(r->many_cls->name, many) == 0 &&
		    strcmp(r->many_cls->fields[r->many_field].name, manyf) == 0)
			return r;
	}
	return NULL;
}

static void test_relations(void)
{
	static const char *const rels[][4] = {
		{ "VBD", "VM", "VM", "VBDs" },
		{ "VBD", "VDI", "VDI", "VBDs" },
		{ "VIF", "VM", "VM", "VIFs" },
		{ "VIF", "network", "network", "VIFs" },
		{ "PIF", "host", "host", "PIFs" },
		{ "PIF", "network", "network", "PIFs" },
		{ "PBD", "host", "host", "PBDs" },
		{ "PBD", "SR", "SR", "PBDs" },
		{ "VDI", "SR", "SR", "VDIs" },
		{ "VM", "resident_on", "host", "resident_VMs" },
		{ "console", "VM", "VM", "consoles" },
		{ "host_cpu", "host", "host", "host_CPUs" },
		{ "VM", "snapshot_of", "VM", "snapshots" },
		{ "VDI", "snapshot_of", "VDI", "snapshots" },
		{ "VM", "parent", "VM", "children" },
		{ "task", "subtask_of", "task", "subtasks" },
		{ "PIF", "bond_slave_of", "Bond", "slaves" },
		{ "Bond", "master", "PIF", "bond_master_of" },
		{ "VLAN", "tagged_PIF", "PIF", "VLAN_slave_of" },
		{ "tunnel", "access_PIF", "PIF", "tunnel_access_PIF_of" },
		{ "tunnel", "transport_PIF", "PIF", "tunnel_transport_PIF_of" },
		{ "VDI", "metadata_of_pool", "pool", "metadata_VDIs" },
	};
	size_t n = sizeof(rels) / sizeof(rels[0]);

	is_int(xd_dm_nrelations(), n, "number of relations");
	for (size_t i = 0; i < n; i++)
		ok(find_rel(rels[i][0], rels[i][1], rels[i][2], rels[i][3]) != NULL,
		   "relation %s.%s <-> %s.%s", rels[i][0], rels[i][1], rels[i][2], rels[i][3]);
	for (size_t i = 0; i < xd_dm_nrelations(); i++) {
		const xd_relation *r = xd_dm_relation_at(i);
		const xd_type *one = r->one_cls->fields[r->one_field].type;
		const xd_type *many = r->many_cls->fields[r->many_field].type;

		ok(one->kind == XD_T_REF && strcmp(one->name, r->many_cls->name) == 0 &&
			   many->kind == XD_T_SET && strcmp(many->elem->name, r->one_cls->name) == 0,
		   "relation %zu typed consistently", i);
	}
	ok(xd_dm_relation_at(n) == NULL, "relation_at past the end");
	ok(find_rel("VM", "metrics", "VM_metrics", "VM") == NULL, "VM.metrics is no relation");
}

/* ---- defaults --------------------------------------------------------- */

static void test_defaults(void)
{
	const xd_type *str = T("VM", "name_label"), *flt = T("VM", "HVM_shadow_multiplier");
	xd_value *v;
	char *s;

	is_default(T("VM", "other_config"), "{}", "{}", "{} map");
	is_default(T("VM", "tags"), "{}", "[]", "{} set");
	is_default(str, "\"\"", "\"\"", "\"\"");
	is_default(str, "\"1.0\"", "\"1.0\"", "\"1.0\"");
	is_default(str, "\"0:0\"", "\"0:0\"", "\"0:0\"");
	is_default(str, "\"()\"", "\"()\"", "\"()\"");
	is_default(T("VM", "suspend_VDI"), "OpaqueRef:NULL", "\"OpaqueRef:NULL\"", "OpaqueRef:NULL");
	is_default(T("VM", "snapshot_of"), "Null", "\"OpaqueRef:NULL\"", "Null ref");
	is_default(flt, "1.", "1", "1.");
	is_default(flt, "-1.", "-1", "-1.");
	is_default(flt, "20.", "20", "20.");
	is_default(flt, "0.", "0", "0.");

	v = xd_dm_parse_default(T("VM", "snapshot_time"), "19700101T00:00:00Z");
	ok(v && v->t == XD_V_DATETIME && v->u.i == 0, "datetime epoch");
	xd_value_free(v);

	v = xd_dm_parse_default(T("tunnel", "status"), "{\"active\" -> \"false\"}");
	ok(v && v->t == XD_V_STRUCT && v->u.st.n == 1, "one-entry map");
	if (v && v->t == XD_V_STRUCT && v->u.st.n == 1) {
		is_str(v->u.st.m[0].name, "active", "map key");
		is_str(xd_struct_get(v, "active")->u.s, "false", "map value");
	}
	xd_value_free(v);
	v = xd_dm_parse_default(T("tunnel", "status"), "{\"address\" -> \"localhost\", \"port\" -> \"27000\"}");
	ok(v && v->u.st.n == 2 && strcmp(xd_struct_get(v, "port")->u.s, "27000") == 0,
	   "two-entry map");
	xd_value_free(v);

	v = xd_dm_parse_default(T("VM", "VBDs"),
				"{OpaqueRef:0165f154-ba3e-034e-6b27-5d271af109ba}");
	ok(v && v->t == XD_V_ARRAY && v->u.arr.n == 1, "ref set literal");
	if (v && v->t == XD_V_ARRAY && v->u.arr.n == 1)
		is_str(v->u.arr.items[0]->u.s, "OpaqueRef:0165f154-ba3e-034e-6b27-5d271af109ba",
		       "ref set element");
	xd_value_free(v);
	v = xd_dm_parse_default(T("VM", "VBDs"), "{OpaqueRef:a, OpaqueRef:b}");
	ok(v && v->u.arr.n == 2, "two-element set");
	xd_value_free(v);

	v = xd_dm_default_value(F("host", "virtual_hardware_platform_versions"));
	ok(v && v->t == XD_V_ARRAY && v->u.arr.n == 1 && v->u.arr.items[0]->t == XD_V_INT &&
		   v->u.arr.items[0]->u.i == 0,
	   "{0} int set");
	xd_value_free(v);

	is_default(T("VM", "power_state"), "Halted", "\"Halted\"", "enum value");
	is_default(T("Bond", "mode"), "balance-slb", "\"balance-slb\"", "enum value with dash");
	is_default(T("network", "MTU"), "1500", "1500", "int");
	is_default(T("network", "MTU"), "-1", "-1", "negative int");
	is_default(T("network", "MTU"), "21474836480", "21474836480", "big int");
	is_default(T("network", "managed"), "true", "true", "true");
	is_default(T("network", "managed"), "false", "false", "false");

	/* Texts that do not parse. */
	is_default(T("network", "MTU"), "abc", NULL, "bad int");
	is_default(T("network", "managed"), "yes", NULL, "bad bool");
	is_default(T("VM", "power_state"), "Exploded", NULL, "bad enum");
	is_default(T("VM", "other_config"), "{\"a\" -> }", NULL, "bad map");
	is_default(T("VM", "other_config"), "{\"a\" \"b\"}", NULL, "map without arrow");
	is_default(T("VM", "tags"), "{\"a\"", NULL, "unterminated set");
	is_default(T("network", "MTU"), "1 2", NULL, "trailing garbage");
	is_default(T("VM", "snapshot_time"), "yesterday", NULL, "bad datetime");
	ok(xd_dm_parse_default(str, NULL) == NULL && xd_dm_parse_default(NULL, "1") == NULL,
	   "NULL arguments");

	/* Field defaults: declared, then zero values by type. */
	v = xd_dm_default_value(F("network", "MTU"));
	ok(v && v->t == XD_V_INT && v->u.i == 1500, "network.MTU default 1500");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "power_state"));
	is_str(v ? v->u.s : NULL, "Halted", "VM.power_state default");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "HVM_shadow_multiplier"));
	ok(v && v->t == XD_V_FLOAT && v->u.f == 1.0, "VM.HVM_shadow_multiplier default 1.");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "user_version"));
	ok(v && v->t == XD_V_INT && v->u.i == 0, "zero int");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "is_a_template"));
	ok(v && v->t == XD_V_BOOL && !v->u.b, "zero bool");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "resident_on"));
	is_str(v ? v->u.s : NULL, "OpaqueRef:NULL", "zero ref");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "actions_after_shutdown"));
	is_str(v ? v->u.s : NULL, "destroy", "zero enum is its first value");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "VBDs"));
	ok(v && v->t == XD_V_ARRAY && v->u.arr.n == 0, "zero set");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "VCPUs_params"));
	ok(v && v->t == XD_V_STRUCT && v->u.st.n == 0, "zero map");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM_metrics", "start_time"));
	ok(v && v->t == XD_V_DATETIME && v->u.i == 0, "zero datetime");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "uuid"));
	is_str(v ? v->u.s : NULL, "", "zero string");
	xd_value_free(v);
	v = xd_dm_default_value(F("VM", "HVM_boot_policy"));
	s = dbg_take(v);
	is_str(s, "\"\"", "deprecated string without default");
	free(s);

	/* Every declared default of every class parses (init checked it; this
	 * makes sure default_value never falls back silently). */
	size_t bad = 0, total = 0;

	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);

		for (size_t k = 0; k < c->nfields; k++) {
			if (!c->fields[k].default_text)
				continue;
			total++;
			v = xd_dm_parse_default(c->fields[k].type, c->fields[k].default_text);
			if (!v) {
				bad++;
				printf("# %s.%s '%s'\n", c->name, c->fields[k].name,
				       c->fields[k].default_text);
			}
			xd_value_free(v);
		}
	}
	ok(total == 277 && bad == 0, "all %zu declared field defaults parse", total);
}

/* ---- coercion ------------------------------------------------------- */

/* Coerces v (taken) to t; returns the debug rendering of the result or of
 * NULL on error (err left set). */
static char *co(const xd_type *t, xd_value *v, xd_error *err)
{
	if (xd_dm_coerce(t, &v, "x", err) < 0) {
		xd_value_free(v);
		return NULL;
	}
	return dbg_take(v);
}

static void is_co(const xd_type *t, xd_value *v, const char *want, const char *label)
{
	xd_error err = XD_ERROR_INIT;
	char *got = co(t, v, &err);

	is_str(got, want, "coerce %s", label);
	if (err.code)
		printf("#   error %s %s\n", err.code, err.nparams ? err.params[0] : "");
	xd_error_clear(&err);
	free(got);
}

static void is_co_err(const xd_type *t, xd_value *v, const char *code, const char *p1,
		      const char *label)
{
	xd_error err = XD_ERROR_INIT;
	char *got = co(t, v, &err);

	ok(got == NULL, "coerce %s fails", label);
	free(got);
	is_err(&err, code, "x", p1, label);
}

static xd_value *arr2(xd_value *a, xd_value *b)
{
	xd_value *arr = xd_array();

	xd_array_append_take(arr, a);
	if (b)
		xd_array_append_take(arr, b);
	return arr;
}

static xd_value *map1(const char *k, xd_value *v)
{
	xd_value *st = xd_struct();

	xd_struct_set_take(st, k, v);
	return st;
}

static void test_coerce(void)
{
	const xd_type *ti = T("VM", "user_version"), *tf = T("VM", "HVM_shadow_multiplier");
	const xd_type *tb = T("VM", "is_a_template"), *td = T("VM", "snapshot_time");
	const xd_type *ts = T("VM", "name_label"), *te = T("VM", "power_state");
	const xd_type *tr = T("VBD", "VM"), *tset = T("VM", "VBDs");
	xd_value *v;
	xd_error err = XD_ERROR_INIT;

	/* int */
	is_co(ti, xd_int(5), "5", "int from int");
	is_co(ti, xd_string("42"), "42", "int from digit string");
	is_co(ti, xd_string("-7"), "-7", "int from negative string");
	is_co(ti, xd_string("9223372036854775807"), "9223372036854775807", "int64 max");
	is_co(ti, xd_float(3.0), "3", "int from integral JSON number");
	is_co_err(ti, xd_string("abc"), "INVALID_VALUE", "abc", "int from word");
	is_co_err(ti, xd_string(""), "INVALID_VALUE", "", "int from empty string");
	is_co_err(ti, xd_string("12a"), "INVALID_VALUE", "12a", "int with trailing junk");
	is_co_err(ti, xd_string(" 1"), "INVALID_VALUE", " 1", "int with space");
	is_co_err(ti, xd_string("99999999999999999999"), "INVALID_VALUE",
		  "99999999999999999999", "int overflow");
	is_co_err(ti, xd_bool(true), "FIELD_TYPE_ERROR", NULL, "int from bool");
	is_co_err(ti, xd_float(3.5), "FIELD_TYPE_ERROR", NULL, "int from fraction");
	is_co_err(ti, xd_array(), "FIELD_TYPE_ERROR", NULL, "int from array");
	is_co_err(ti, xd_nil(), "FIELD_TYPE_ERROR", NULL, "int from nil");

	/* float */
	is_co(tf, xd_float(1.5), "1.5", "float from float");
	is_co(tf, xd_int(2), "2", "float from int");
	v = xd_int(2);
	ok(xd_dm_coerce(tf, &v, "x", &err) == 0 && v->t == XD_V_FLOAT, "int becomes XD_V_FLOAT");
	xd_value_free(v);
	v = xd_string("-0.25");
	ok(xd_dm_coerce(tf, &v, "x", &err) == 0 && v->t == XD_V_FLOAT && v->u.f == -0.25,
	   "float from numeric string");
	xd_value_free(v);
	v = xd_string("60.1");
	ok(xd_dm_coerce(tf, &v, "x", &err) == 0 && v->t == XD_V_FLOAT && v->u.f == 60.1,
	   "float 60.1 (XO's event.from timeout) from string");
	xd_value_free(v);
	is_co_err(tf, xd_string("fast"), "INVALID_VALUE", "fast", "float from word");
	is_co_err(tf, xd_string(""), "INVALID_VALUE", "", "float from empty string");
	is_co_err(tf, xd_bool(false), "FIELD_TYPE_ERROR", NULL, "float from bool");

	/* bool */
	is_co(tb, xd_bool(true), "true", "bool from bool");
	is_co(tb, xd_string("true"), "true", "bool from \"true\"");
	is_co(tb, xd_string("false"), "false", "bool from \"false\"");
	is_co_err(tb, xd_string("yes"), "INVALID_VALUE", "yes", "bool from yes");
	is_co_err(tb, xd_int(1), "FIELD_TYPE_ERROR", NULL, "bool from int");

	/* datetime */
	v = xd_string("20240102T03:04:05Z");
	ok(xd_dm_coerce(td, &v, "x", &err) == 0 && v->t == XD_V_DATETIME && v->u.i == 1704164645,
	   "datetime from string");
	xd_value_free(v);
	v = xd_datetime(77);
	ok(xd_dm_coerce(td, &v, "x", &err) == 0 && v->t == XD_V_DATETIME && v->u.i == 77,
	   "datetime from datetime");
	xd_value_free(v);
	is_co_err(td, xd_string("noon"), "INVALID_VALUE", "noon", "datetime from word");
	is_co_err(td, xd_int(5), "FIELD_TYPE_ERROR", NULL, "datetime from int");

	/* string, ref */
	is_co(ts, xd_string("hello"), "\"hello\"", "string");
	is_co_err(ts, xd_int(1), "FIELD_TYPE_ERROR", NULL, "string from int");
	is_co(tr, xd_string("OpaqueRef:NULL"), "\"OpaqueRef:NULL\"", "ref");
	is_co_err(tr, xd_int(1), "FIELD_TYPE_ERROR", NULL, "ref from int");

	/* enum */
	is_co(te, xd_string("Running"), "\"Running\"", "enum");
	is_co(te, xd_string("running"), "\"Running\"", "enum is case-insensitive, canonical");
	is_co_err(te, xd_string("Exploded"), "INVALID_VALUE", "Exploded", "enum non-member");
	is_co_err(te, xd_int(0), "FIELD_TYPE_ERROR", NULL, "enum from int");

	/* sets */
	is_co(tset, arr2(xd_string("OpaqueRef:a"), xd_string("OpaqueRef:b")),
	      "[\"OpaqueRef:a\", \"OpaqueRef:b\"]", "ref set");
	is_co(tset, xd_array(), "[]", "empty set");
	is_co_err(tset, arr2(xd_string("OpaqueRef:a"), xd_int(3)), "FIELD_TYPE_ERROR", NULL,
		  "set with a bad element");
	is_co_err(tset, xd_string("OpaqueRef:a"), "FIELD_TYPE_ERROR", NULL, "set from string");
	is_co(T("host", "virtual_hardware_platform_versions"), arr2(xd_string("1"), xd_int(2)),
	      "[1, 2]", "int set elements coerced");
	is_co(T("VM", "allowed_operations"), arr2(xd_string("START"), NULL), "[\"start\"]",
	      "enum set elements canonical");
	is_co_err(T("VM", "allowed_operations"), arr2(xd_string("fly"), NULL), "INVALID_VALUE",
		  "fly", "enum set bad element");

	/* maps */
	is_co(T("VM", "other_config"), map1("k", xd_string("v")), "{\"k\": \"v\"}", "string map");
	is_co_err(T("VM", "other_config"), map1("k", xd_int(1)), "FIELD_TYPE_ERROR", NULL,
		  "string map with int value");
	is_co_err(T("VM", "other_config"), arr2(xd_string("k"), NULL), "FIELD_TYPE_ERROR", NULL,
		  "map from array");
	is_co(T("SM", "features"), map1("VDI_CREATE", xd_string("2")), "{\"VDI_CREATE\": 2}",
	      "(string -> int) map value coerced");
	is_co_err(T("SM", "features"), map1("VDI_CREATE", xd_string("two")), "INVALID_VALUE",
		  "two", "(string -> int) map bad value");
	is_co(T("VM_metrics", "VCPUs_CPU"), map1("0", xd_int(3)), "{\"0\": 3}", "(int -> int) map");
	is_co(T("VM_metrics", "VCPUs_CPU"), map1("007", xd_int(3)), "{\"7\": 3}",
	      "int key canonical");
	is_co_err(T("VM_metrics", "VCPUs_CPU"), map1("zero", xd_int(3)), "INVALID_VALUE", "zero",
		  "(int -> int) map bad key");
	is_co(T("VM", "blocked_operations"), map1("clean_shutdown", xd_string("no")),
	      "{\"clean_shutdown\": \"no\"}", "(enum -> string) map");
	is_co(T("VM", "blocked_operations"), map1("CLEAN_SHUTDOWN", xd_string("no")),
	      "{\"clean_shutdown\": \"no\"}", "enum key canonical");
	is_co_err(T("VM", "blocked_operations"), map1("fly", xd_string("no")), "INVALID_VALUE",
		  "fly", "(enum -> string) map bad key");
	v = map1("start", xd_string("a"));
	xd_struct_set_take(v, "START", xd_string("b"));
	is_co_err(T("VM", "blocked_operations"), v, "INVALID_VALUE", "START",
		  "enum keys colliding after canonicalisation");
	is_co(T("VM", "current_operations"), map1("OpaqueRef:t", xd_string("Start")),
	      "{\"OpaqueRef:t\": \"start\"}", "(string -> enum) map value");

	/* nested: a map of sets from a message parameter */
	const xd_message *m = M("VM", "migrate_send");

	ok(m && m->params[3].type->kind == XD_T_MAP, "VM.migrate_send vdi_map is a map");
	if (m)
		is_co(m->params[3].type, map1("OpaqueRef:vdi", xd_string("OpaqueRef:sr")),
		      "{\"OpaqueRef:vdi\": \"OpaqueRef:sr\"}", "(ref -> ref) map");
	m = M("VM", "create");
	is_co(m->params[0].type, xd_struct(), "{}", "record from struct");
	is_co_err(m->params[0].type, xd_string("x"), "FIELD_TYPE_ERROR", NULL, "record from string");

	/* the error names what */
	v = xd_string("Exploded");
	ok(xd_dm_coerce(te, &v, "power_state", &err) < 0, "error with a named value");
	is_err(&err, "INVALID_VALUE", "power_state", "Exploded", "named value");
	xd_value_free(v);
}

/* ---- db string form ------------------------------------------------- */

static void is_db(const xd_type *t, xd_value *v, const char *want, const char *label)
{
	char *s = xd_dm_value_to_db_string(t, v);

	is_str(s, want, "db string %s", label);
	free(s);
	xd_value_free(v);
}

static void test_db_string(void)
{
	xd_value *m;

	is_db(T("VM", "name_label"), xd_string("a b"), "a b", "string");
	is_db(T("VM", "user_version"), xd_int(-12), "-12", "int");
	is_db(T("VM", "is_a_template"), xd_bool(true), "true", "bool");
	is_db(T("VM", "HVM_shadow_multiplier"), xd_float(1.5), "1.5", "float");
	is_db(T("VM", "snapshot_time"), xd_datetime(1704164645), "20240102T03:04:05Z", "datetime");
	is_db(T("VM", "power_state"), xd_string("Halted"), "Halted", "enum");
	is_db(T("VM", "tags"), arr2(xd_string("a"), xd_string("b")), "('a' 'b')", "set");
	is_db(T("VM", "tags"), xd_array(), "()", "empty set");
	is_db(T("VM", "tags"), arr2(xd_string("it's"), xd_string("c:\\d")), "('it\\'s' 'c:\\\\d')",
	      "set escaping");
	m = map1("k", xd_string("v"));
	xd_struct_set_take(m, "k2", xd_string("v2"));
	is_db(T("VM", "other_config"), m, "(('k' 'v') ('k2' 'v2'))", "map");
	is_db(T("VM", "other_config"), xd_struct(), "()", "empty map");
	is_db(T("host", "virtual_hardware_platform_versions"), arr2(xd_int(0), xd_int(1)),
	      "('0' '1')", "int set");
}

/* ---- messages ------------------------------------------------------- */

static void is_acc(const char *cls, const char *msg, int acc, const char *field)
{
	const xd_message *m = M(cls, msg);

	ok(m != NULL, "%s.%s exists", cls, msg);
	if (!m)
		return;
	is_int(m->accessor, acc, "%s.%s accessor kind", cls, msg);
	if (field)
		is_int(m->field_idx, xd_dm_field_index(C(cls), field), "%s.%s is for %s", cls, msg,
		       field);
	else
		is_int(m->field_idx, -1, "%s.%s is no field accessor", cls, msg);
}

static void test_messages(void)
{
	const xd_message *m;

	is_acc("VM", "get_name_label", XD_ACC_GET, "name_label");
	is_acc("VM", "set_name_label", XD_ACC_SET, "name_label");
	is_acc("VM", "get_VBDs", XD_ACC_GET, "VBDs");
	is_acc("VM", "add_to_other_config", XD_ACC_MAP_ADD, "other_config");
	is_acc("VM", "remove_from_other_config", XD_ACC_MAP_REMOVE, "other_config");
	is_acc("VM", "add_to_VCPUs_params", XD_ACC_MAP_ADD, "VCPUs_params");
	is_acc("VM", "add_tags", XD_ACC_SET_ADD, "tags");
	is_acc("VM", "remove_tags", XD_ACC_SET_REMOVE, "tags");
	is_acc("host", "add_tags", XD_ACC_SET_ADD, "tags");
	is_acc("VM", "set_tags", XD_ACC_SET, "tags");
	is_acc("VM", "add_to_blocked_operations", XD_ACC_MAP_ADD, "blocked_operations");
	is_acc("VM", "get_pending_guidances_full", XD_ACC_GET, "pending_guidances_full");
	/* Explicit messages with accessor-like names have behaviour. */
	is_acc("VM", "add_to_VCPUs_params_live", XD_ACC_NONE, NULL);
	is_acc("VM", "add_to_NVRAM", XD_ACC_NONE, NULL);
	is_acc("VM", "set_VCPUs_max", XD_ACC_NONE, NULL);
	is_acc("VM", "set_memory_static_max", XD_ACC_NONE, NULL);
	is_acc("VDI", "set_name_label", XD_ACC_NONE, NULL);
	is_acc("VIF", "add_ipv4_allowed", XD_ACC_NONE, NULL);
	is_acc("network", "add_purpose", XD_ACC_NONE, NULL);
	is_acc("task", "set_status", XD_ACC_NONE, NULL);
	is_acc("VM", "get_record", XD_ACC_NONE, NULL);
	is_acc("VM", "get_by_uuid", XD_ACC_NONE, NULL);
	is_acc("VM", "get_by_name_label", XD_ACC_NONE, NULL);
	is_acc("VM", "get_all", XD_ACC_NONE, NULL);
	is_acc("VM", "create", XD_ACC_NONE, NULL);
	ok(M("VM", "set_power_state") == NULL, "no setter for a RO field");
	ok(M("VM", "add_to_tags") == NULL && M("VM", "add_other_config") == NULL,
	   "no add_to_ for sets, no add_ for maps");

	m = M("session", "login_with_password");
	ok(m && (m->flags & XD_MSG_NO_SESSION), "login_with_password takes no session");
	is_int(m->nparams, 4, "login_with_password params");
	is_int(m->nrequired, 2, "login_with_password required");
	is_str(m->params[0].name, "uname", "first param");
	is_str(m->params[2].name, "version", "third param");
	is_str(m->params[2].default_text, "\"1.1\"", "version default");
	is_str(m->params[3].default_text, "\"\"", "originator default");
	ok(m->params[1].default_text == NULL, "pwd mandatory");
	ok(m->result->kind == XD_T_REF, "returns a session ref");
	m = M("session", "slave_local_login_with_password");
	ok(m && (m->flags & XD_MSG_NO_SESSION) && m->nrequired == 2, "slave_local_login");
	m = M("session", "logout");
	ok(m && !(m->flags & XD_MSG_NO_SESSION) && m->nparams == 0, "logout takes a session only");
	m = M("VM", "snapshot");
	ok(m && m->nparams == 3 && m->nrequired == 2, "VM.snapshot ignore_vdis optional");
	m = M("host", "evacuate");
	ok(m && m->nparams == 3 && m->nrequired == 1, "host.evacuate network, batch size optional");
	m = M("VM", "start");
	ok(m && m->nparams == 3 && m->nrequired == 3, "VM.start all required");
	is_str(m->params[0].name, "vm", "VM.start first param (session dropped)");

	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		const xd_message *gar = xd_dm_message(c, "get_all_records");
		const xd_message *w = xd_dm_message(c, "get_all_records_where");
		const xd_message *gw = xd_dm_message(c, "get_all_where");

		if (!gar) {
			ok(!w && !gw, "%s: no get_all_records, no *_where", c->name);
			continue;
		}
		ok(w && gw, "%s: get_all_records_where and get_all_where", c->name);
		if (!w || !gw)
			continue;
		ok(gw->flags & XD_MSG_HIDDEN, "%s.get_all_where hidden", c->name);
		ok(gw->nparams == 1 && gw->nrequired == 1 && strcmp(gw->params[0].name, "expr") == 0 &&
			   gw->params[0].type->kind == XD_T_STRING,
		   "%s.get_all_where(string expr)", c->name);
		ok(gw->result->kind == XD_T_SET && gw->result->elem->kind == XD_T_REF &&
			   strcmp(gw->result->elem->name, c->name) == 0,
		   "%s.get_all_where result", c->name);
		if (strcmp(c->name, "message") == 0)
			continue; /* an explicit, published message there */
		ok((w->flags & (XD_MSG_HIDDEN | XD_MSG_IMPLICIT)) == (XD_MSG_HIDDEN | XD_MSG_IMPLICIT) &&
			   !(w->flags & XD_MSG_ASYNC),
		   "%s.get_all_records_where implicit, hidden, not async", c->name);
		ok(w->result == gar->result, "%s.get_all_records_where result", c->name);
	}
	m = M("VM", "get_all_records_where");
	is_str(m ? m->result->text : NULL, "(VM ref -> VM record) map", "VM.get_all_records_where result");
	ok(!(M("VM", "get_all_records")->flags & XD_MSG_HIDDEN), "get_all_records is listed");
	ok(M("session", "get_all_records_where") == NULL, "session has no get_all_records_where");
	ok(!(M("message", "get_all_records_where")->flags & XD_MSG_HIDDEN),
	   "message.get_all_records_where is a published explicit message");

	/* Implicit / deprecated flags */
	ok(M("VM", "get_name_label")->flags & XD_MSG_IMPLICIT, "getter implicit");
	ok(!(M("VM", "start")->flags & XD_MSG_IMPLICIT), "start explicit");
	ok(M("VM", "get_PCI_bus")->flags & XD_MSG_DEPRECATED, "deprecated accessor");
	ok(M("event", "next")->flags & XD_MSG_DEPRECATED, "event.next deprecated");
	ok(!(M("event", "from")->flags & XD_MSG_DEPRECATED), "event.from published");
	ok(M("VM", "snapshot_with_quiesce") == NULL, "removed messages left out");
	ok(M("VBD_metrics", "get_io_read_kbs") == NULL && xd_dm_field_index(C("VBD_metrics"),
	   "io_read_kbs") < 0, "removed fields left out");
}

/* want: 1 = Async.<cls>.<msg> exists, 0 = it does not. */
static void is_async(const char *cls, const char *msg, int want)
{
	const xd_message *m = M(cls, msg);

	ok(m && !!(m->flags & XD_MSG_ASYNC) == want, "%sAsync.%s.%s", want ? "" : "no ", cls, msg);
}

/* Which messages have an Async form is upstream's per-message choice
 * (tools/dmgen.py NO_ASYNC), not a per-class rule. */
static void test_async(void)
{
	/* explicit, with an Async form */
	is_async("VM", "start", 1);
	is_async("VM", "clean_shutdown", 1);
	is_async("VM", "set_memory_limits", 1);
	is_async("VDI", "snapshot", 1);
	is_async("VDI", "set_name_label", 1);
	is_async("SR", "create", 1);
	is_async("SR", "scan", 1);
	is_async("host", "evacuate", 1);
	is_async("pool", "join", 1);
	/* classes once thought to be all-sync have some Async messages */
	is_async("task", "cancel", 1);
	is_async("event", "register", 1);
	is_async("event", "unregister", 1);
	is_async("session", "get_all_subject_identifiers", 1);
	is_async("session", "logout_subject_identifier", 1);

	/* explicit, without one */
	is_async("VM", "get_allowed_VBD_devices", 0);
	is_async("VM", "get_allowed_VIF_devices", 0);
	is_async("VM", "set_VCPUs_max", 0);
	is_async("VM", "set_memory_static_max", 0);
	is_async("VM", "get_boot_record", 0);
	is_async("VDI", "set_read_only", 0);
	is_async("VDI", "get_nbd_info", 0);
	is_async("SR", "get_supported_types", 0);
	is_async("host", "get_servertime", 0);
	is_async("host", "list_methods", 0);
	is_async("host", "emergency_ha_disable", 0);
	is_async("pool", "emergency_transition_to_master", 0);
	is_async("pool", "ha_compute_max_host_failures_to_tolerate", 0);
	is_async("session", "login_with_password", 0);
	is_async("session", "logout", 0);
	is_async("event", "from", 0);
	is_async("event", "next", 0);
	is_async("task", "create", 0);
	is_async("task", "set_status", 0);
	is_async("message", "create", 0);
	is_async("message", "get_since", 0);
	is_async("blob", "create", 0);

	/* implicit: create/destroy have one, the rest never */
	is_async("VM", "create", 1);
	is_async("VM", "destroy", 1);
	is_async("host", "destroy", 1);
	is_async("secret", "create", 1);
	is_async("VM", "get_record", 0);
	is_async("VM", "get_name_label", 0);
	is_async("VM", "set_name_label", 0);
	is_async("VM", "add_to_other_config", 0);
	is_async("VM", "get_all", 0);
	is_async("VM", "get_all_records", 0);
	is_async("VM", "get_by_uuid", 0);
	is_async("VM", "get_by_name_label", 0);
	is_async("task", "add_to_other_config", 0);

	size_t sync_explicit = 0, explicit = 0, bad_implicit = 0;
	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		for (size_t j = 0; j < c->nmessages; j++) {
			const xd_message *m = &c->messages[j];
			if (!(m->flags & XD_MSG_IMPLICIT)) {
				explicit++;
				sync_explicit += !(m->flags & XD_MSG_ASYNC);
			} else if (!!(m->flags & XD_MSG_ASYNC) !=
				   (strcmp(m->name, "create") == 0 || strcmp(m->name, "destroy") == 0)) {
				bad_implicit++;
				printf("#   implicit %s.%s: wrong Async flag\n", c->name, m->name);
			}
		}
	}
	is_int((long long)explicit, 360, "explicit messages");
	is_int((long long)sync_explicit, 96, "explicit messages without an Async form");
	is_int((long long)bad_implicit, 0, "only implicit create/destroy are async");
}

/* The roles of each message, from the datamodel: bit i is xd_decl_roles[i]
 * (pool-admin, pool-operator, vm-power-admin, vm-admin, vm-operator,
 * client-cert, read-only). */
static void test_roles(void)
{
	static const struct {
		const char *cls, *msg;
		unsigned roles;
	} want[] = {
		{ "VM", "get_record", 0x7f },        /* everybody */
		{ "VM", "start", 0x1f },             /* vm-operator and above */
		{ "VM", "set_name_label", 0x0f },    /* vm-admin and above */
		{ "VM", "snapshot", 0x07 },          /* vm-power-admin and above */
		{ "pool", "set_name_label", 0x03 },  /* pool-operator and above */
		{ "host", "disable", 0x23 },         /* ... and client-cert */
		{ "subject", "create", 0x01 },       /* pool-admin */
		{ "session", "change_password", 0 }, /* the local superuser only */
		{ "role", "get_all_where", 0x7f },   /* hidden: get_all_records's */
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const xd_message *m = xd_dm_message(C(want[i].cls), want[i].msg);

		ok(m != NULL, "%s.%s declared", want[i].cls, want[i].msg);
		if (m)
			is_int(m->roles, want[i].roles, "%s.%s roles", want[i].cls, want[i].msg);
	}
}

int main(void)
{
	ok(xd_dm_nclasses() == 0 && xd_dm_class("VM") == NULL, "nothing before init");
	ok(xd_dm_init() == 0, "init");
	const xd_class *vm = C("VM");

	ok(xd_dm_init() == 0 && C("VM") == vm, "init is idempotent");
	test_classes();
	test_types();
	test_relations();
	test_defaults();
	test_coerce();
	test_db_string();
	test_messages();
	test_async();
	test_roles();
	return tap_done();
}
