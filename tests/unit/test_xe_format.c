/* test_xe_format.c - the xe client's pure parts: field names and markers
 * from the datamodel, value text, text to values and its exact errors, the
 * record layout, --minimal escaping, the command line, and filters. */
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "value.h"
#include "xe_args.h"
#include "xe_client.h"
#include "xe_format.h"
#include "xe_view.h"

#include "tap.h"

static const xd_field *F(const char *cls, const char *field)
{
	const xd_class *c = xd_dm_class(cls);
	int i = c ? xd_dm_field_index(c, field) : -1;

	if (i < 0) {
		printf("# no field %s.%s\n", cls, field);
		abort();
	}
	return &c->fields[i];
}

/* Checks xe_field_name and frees it. */
static void is_name(const char *cls, const char *field, const char *want)
{
	char *n = xe_field_name(F(cls, field));

	is_str(n, want, "xe name of %s.%s", cls, field);
	free(n);
}

static void is_marker(const char *cls, const char *field, const char *want)
{
	is_str(xe_field_marker(xd_dm_class(cls), F(cls, field)), want, "marker of %s.%s", cls,
	       field);
}

/* Formats a value (taken) of cls.field's type; checks and frees. */
static void is_fmt(const char *cls, const char *field, xd_value *v, const char *want)
{
	char *s = xe_format_value(F(cls, field)->type, v, NULL, NULL);

	is_str(s, want, "format %s.%s", cls, field);
	free(s);
	xd_value_free(v);
}

static const char *fake_resolve(void *ud, const char *cls, const char *ref)
{
	int *calls = ud;

	(*calls)++;
	if (strcmp(cls, "host") == 0 && strcmp(ref, "OpaqueRef:h1") == 0)
		return "11111111-2222-3333-4444-555555555555";
	return NULL;
}

static void test_names(void)
{
	const xd_class *vm = xd_dm_class("VM"), *vbd = xd_dm_class("VBD");

	is_name("VM", "name_label", "name-label");
	is_name("VM", "uuid", "uuid");
	is_name("VM", "VCPUs_max", "VCPUs-max");
	is_name("VM", "power_state", "power-state");
	is_name("VM", "resident_on", "resident-on");
	is_name("VM", "suspend_VDI", "suspend-VDI");
	is_name("VBD", "VM", "vm-uuid");
	is_name("VBD", "VDI", "vdi-uuid");
	is_name("VDI", "SR", "sr-uuid");
	is_name("PIF", "network", "network-uuid");
	is_name("pool", "default_SR", "default-SR");

	is_int(xe_field_lookup(vm, "name-label"), xd_dm_field_index(vm, "name_label"),
	       "lookup by xe name");
	is_int(xe_field_lookup(vm, "name_label"), xd_dm_field_index(vm, "name_label"),
	       "lookup by wire name");
	is_int(xe_field_lookup(vm, "Name-Label"), xd_dm_field_index(vm, "name_label"),
	       "lookup ignores case when nothing matches exactly");
	is_int(xe_field_lookup(vm, "vcpus-max"), xd_dm_field_index(vm, "VCPUs_max"),
	       "lookup vcpus-max");
	is_int(xe_field_lookup(vbd, "vm-uuid"), xd_dm_field_index(vbd, "VM"), "lookup vm-uuid");
	is_int(xe_field_lookup(vbd, "VM"), xd_dm_field_index(vbd, "VM"), "lookup VM");
	is_int(xe_field_lookup(vm, "no-such-field"), -1, "unknown field");
	is_int(xe_field_lookup(vm, ""), -1, "empty name");
}

static void test_markers(void)
{
	is_marker("VM", "uuid", "( RO)");
	is_marker("VM", "name_label", "( RW)");
	is_marker("VM", "power_state", "( RO)");
	is_marker("VM", "other_config", "(MRW)");
	is_marker("VM", "tags", "(SRW)");
	is_marker("VM", "allowed_operations", "(SRO)");
	is_marker("VM", "current_operations", "(MRO)");
	is_marker("pool", "master", "( RO)");
	is_marker("pool", "default_SR", "( RW)");
	ok(xe_field_settable(xd_dm_class("VM"), F("VM", "name_label")), "name_label settable");
	ok(!xe_field_settable(xd_dm_class("VM"), F("VM", "power_state")),
	   "power_state not settable");
	ok(xe_field_addable(xd_dm_class("VM"), F("VM", "other_config")), "other_config addable");
	ok(xe_field_removable(xd_dm_class("VM"), F("VM", "tags")), "tags removable");
	ok(!xe_field_addable(xd_dm_class("VM"), F("VM", "name_label")),
	   "a string is not addable");
}

static void test_format(void)
{
	xd_value *v;
	int calls = 0;
	char *s;

	is_fmt("VM", "name_label", xd_string("my vm"), "my vm");
	is_fmt("VM", "name_label", xd_string(""), "");
	is_fmt("VM", "is_a_template", xd_bool(true), "true");
	is_fmt("VM", "is_a_template", xd_bool(false), "false");
	is_fmt("VM", "memory_static_max", xd_int(268435456), "268435456");
	is_fmt("VM", "memory_static_max", xd_string("42"), "42");
	is_fmt("VM", "memory_static_max", xd_int(-1), "-1");
	is_fmt("VM", "HVM_shadow_multiplier", xd_float(1.0), "1.000");
	is_fmt("VM", "HVM_shadow_multiplier", xd_int(2), "2.000");
	is_fmt("VM", "power_state", xd_string("Running"), "running");
	is_fmt("VM", "resident_on", xd_string("OpaqueRef:NULL"), XE_NOT_IN_DB);
	is_fmt("VM", "resident_on", xd_string(""), XE_NOT_IN_DB);
	is_fmt("VM", "resident_on", xd_string("OpaqueRef:h1"), XE_NOT_IN_DB);
	is_fmt("VM", "snapshot_time", xd_datetime(0), "19700101T00:00:00Z");
	is_fmt("VM", "snapshot_time", xd_string("20260821T02:00:23Z"), "20260821T02:00:23Z");
	is_fmt("VM", "name_label", NULL, "");
	is_fmt("VM", "name_label", xd_nil(), "");

	v = xd_array();
	is_fmt("VM", "tags", v, "");
	v = xd_array();
	xd_array_append_take(v, xd_string("a"));
	xd_array_append_take(v, xd_string("b c"));
	is_fmt("VM", "tags", v, "a; b c");
	v = xd_array();
	xd_array_append_take(v, xd_string("start"));
	xd_array_append_take(v, xd_string("clean_shutdown"));
	is_fmt("VM", "allowed_operations", v, "start; clean_shutdown");
	v = xd_struct();
	is_fmt("VM", "other_config", v, "");
	v = xd_struct();
	xd_struct_set_take(v, "k", xd_string("v"));
	xd_struct_set_take(v, "k2", xd_string("v2; x"));
	is_fmt("VM", "other_config", v, "k: v; k2: v2; x");

	/* Refs go through the resolver, once per ref shown. */
	v = xd_string("OpaqueRef:h1");
	s = xe_format_value(F("VM", "resident_on")->type, v, fake_resolve, &calls);
	is_str(s, "11111111-2222-3333-4444-555555555555", "ref shown as the target's uuid");
	is_int(calls, 1, "resolver called once");
	free(s);
	xd_value_free(v);
	v = xd_string("OpaqueRef:NULL");
	s = xe_format_value(F("VM", "resident_on")->type, v, fake_resolve, &calls);
	is_str(s, XE_NOT_IN_DB, "null ref");
	is_int(calls, 1, "the null ref is not resolved");
	free(s);
	xd_value_free(v);
	v = xd_string("OpaqueRef:gone");
	s = xe_format_value(F("VM", "resident_on")->type, v, fake_resolve, &calls);
	is_str(s, XE_NOT_IN_DB, "unresolvable ref");
	free(s);
	xd_value_free(v);
}

/* Parses text for cls.field; checks the debug rendering or the error. */
static void is_parse(const char *cls, const char *field, const char *text, const char *want,
		     const char *want_why)
{
	char *why = NULL;
	xd_value *v = xe_parse_value(F(cls, field)->type, text, field, &why);
	char *got = v ? xd_value_to_debug_string(v) : NULL;

	is_str(got, want, "parse %s.%s '%s'", cls, field, text);
	is_str(why, want_why, "parse %s.%s '%s': error", cls, field, text);
	free(got);
	free(why);
	xd_value_free(v);
}

static char *dbg(xd_value *v)
{
	char *s = xd_value_to_debug_string(v);

	xd_value_free(v);
	return s;
}

static void test_parse(void)
{
	char *s_str = dbg(xd_string("hello")), *s_int = dbg(xd_int(12)),
	     *s_neg = dbg(xd_int(-3)), *s_t = dbg(xd_bool(true)), *s_f = dbg(xd_bool(false)),
	     *s_halted = dbg(xd_string("Halted")), *s_fl = dbg(xd_float(1.5)),
	     *s_dt = dbg(xd_string("20260101T00:00:00Z"));

	is_parse("VM", "name_label", "hello", s_str, NULL);
	is_parse("VM", "memory_static_max", "12", s_int, NULL);
	is_parse("VM", "memory_static_max", "-3", s_neg, NULL);
	is_parse("VM", "memory_static_max", "12x", NULL,
		 "Parameter memory_static_max must be an integer");
	is_parse("VM", "memory_static_max", "", NULL,
		 "Parameter memory_static_max must be an integer");
	is_parse("VM", "is_a_template", "yes", s_t, NULL);
	is_parse("VM", "is_a_template", "TRUE", s_t, NULL);
	is_parse("VM", "is_a_template", "0", s_f, NULL);
	is_parse("VM", "is_a_template", "maybe", NULL,
		 "Parameter is_a_template must be a boolean (true or false)");
	is_parse("VM", "power_state", "halted", s_halted, NULL);
	is_parse("VM", "power_state", "HALTED", s_halted, NULL);
	is_parse("VM", "power_state", "off", NULL,
		 "Parameter power_state must be one of: Halted, Paused, Running, Suspended");
	is_parse("VM", "HVM_shadow_multiplier", "1.5", s_fl, NULL);
	is_parse("VM", "HVM_shadow_multiplier", "x", NULL,
		 "Parameter HVM_shadow_multiplier must be a floating-point number");
	is_parse("VM", "snapshot_time", "20260101T00:00:00Z", s_dt, NULL);
	is_parse("VM", "snapshot_time", "yesterday", NULL,
		 "Parameter snapshot_time must be a date and time (YYYYMMDDTHH:MM:SSZ)");
	is_parse("VM", "other_config", "x", NULL,
		 "Parameter other_config cannot be given on the command line (type (string -> string) map)");
	free(s_str);
	free(s_int);
	free(s_neg);
	free(s_t);
	free(s_f);
	free(s_halted);
	free(s_fl);
	free(s_dt);
}

static void test_render(void)
{
	const char *labels[] = { "uuid ( RO)", "name-label ( RW)", "power-state ( RO)" };
	const char *vals[] = { "u-1", "My VM", "running" };
	char *s = xe_render_record(labels, vals, 3);

	/* Width 4 + the longest label (17): the first padded right, the rest left. */
	is_str(s,
	       "uuid ( RO)           : u-1\n"
	       "     name-label ( RW): My VM\n"
	       "    power-state ( RO): running\n",
	       "record layout as xe's");
	free(s);
	s = xe_render_record(labels, vals, 1);
	is_str(s, "uuid ( RO)    : u-1\n", "one line");
	free(s);
	s = xe_render_record(labels, vals, 0);
	is_str(s, "\n", "no fields");
	free(s);

	s = xe_escape_commas("a,b\\c");
	is_str(s, "a\\,b\\\\c", "--minimal escapes commas and backslashes");
	free(s);
	s = xe_escape_commas("");
	is_str(s, "", "empty");
	free(s);
}

static void test_args(void)
{
	xe_opts o;
	char *why = NULL;
	char *a1[] = { "xe", "vm-list", "-s", "host1:8080", "-u", "root", "-pw", "secret",
		       "params=uuid,name-label", "--minimal", "name-label=a=b", "--force",
		       "--timeout", "5", "--key=v", NULL };
	char *a2[] = { "xe", "-s", "[::1]:81", "call", "VM.get_all", "x=y", "{\"a\":1}",
		       "--minimal", NULL };
	char *a3[] = { "xe", "pool-list", "-p", "70000", NULL };
	char *a4[] = { "xe", "pool-list", "-u", NULL };
	char *a5[] = { "xe", "server=h", "port=81", "username=u", "password=p",
		       "passwordfile=/f", "socket=/s", "minimal=yes", "help", "vm-list", NULL };
	char *a6[] = { "xe", "--socket", "/tmp/s", "-p", "8080", "-s", "::1", "--version",
		       "--help", "--debug", "--nossl", NULL };
	char *a7[] = { "xe", "minimal=perhaps", NULL };

	is_int(xe_args_parse(15, a1, &o, &why), 0, "parse a1");
	is_str(o.command, "vm-list", "command");
	is_str(o.server, "host1", "host from -s host:port");
	is_int(o.port, 8080, "port from -s host:port");
	is_str(o.username, "root", "-u");
	is_str(o.password, "secret", "-pw");
	ok(o.minimal, "--minimal");
	is_int(o.nparams, 5, "params: params, name-label, force, timeout, key");
	is_str(xe_opts_get(&o, "params"), "uuid,name-label", "params=");
	is_str(xe_opts_get(&o, "name-label"), "a=b", "value keeps later '='");
	is_str(xe_opts_get(&o, "force"), "true", "--force is force=true");
	ok(xe_opts_flag(&o, "force"), "force flag");
	ok(!xe_opts_flag(&o, "params"), "params is no flag");
	is_str(xe_opts_get(&o, "timeout"), "5", "--timeout N");
	is_str(xe_opts_get(&o, "key"), "v", "--key=v");
	is_str(xe_opts_get(&o, "nope"), NULL, "absent");
	is_int(o.nwords, 0, "no words");
	xe_opts_clear(&o);

	is_int(xe_args_parse(8, a2, &o, &why), 0, "parse a2");
	is_str(o.server, "::1", "bracketed v6 host");
	is_int(o.port, 81, "bracketed v6 port");
	is_str(o.command, "call", "call");
	is_int(o.nwords, 3, "call keeps every later word");
	is_str(o.words[1], "x=y", "call word with '='");
	is_str(o.words[2], "{\"a\":1}", "call JSON word");
	is_int(o.nparams, 0, "call has no params");
	ok(o.minimal, "options still apply after call");
	xe_opts_clear(&o);

	is_int(xe_args_parse(4, a3, &o, &why), -1, "bad port");
	is_str(why, "Port number must be an integer (1-65535): '70000'", "bad port message");
	free(why);
	why = NULL;
	is_int(xe_args_parse(3, a4, &o, &why), -1, "missing value");
	is_str(why, "Option -u needs a value", "missing value message");
	free(why);
	why = NULL;

	is_int(xe_args_parse(10, a5, &o, &why), 0, "parse a5");
	is_str(o.server, "h", "server=");
	is_int(o.port, 81, "port=");
	is_str(o.username, "u", "username=");
	is_str(o.password, "p", "password=");
	is_str(o.pwfile, "/f", "passwordfile=");
	is_str(o.socket, "/s", "socket=");
	ok(o.minimal, "minimal=yes");
	is_str(o.command, "help", "help command");
	is_int(o.nwords, 1, "help word");
	is_str(o.words[0], "vm-list", "help about");
	xe_opts_clear(&o);

	is_int(xe_args_parse(11, a6, &o, &why), 0, "parse a6");
	is_str(o.socket, "/tmp/s", "--socket");
	is_str(o.server, "::1", "bare v6 address");
	is_int(o.port, 8080, "-p");
	ok(o.version && o.help && o.debug, "--version --help --debug");
	is_str(o.command, NULL, "no command");
	xe_opts_clear(&o);

	is_int(xe_args_parse(2, a7, &o, &why), -1, "bad minimal");
	is_str(why, "minimal must be true or false, not 'perhaps'", "bad minimal message");
	free(why);
	why = NULL;
}

static void is_filter_err(const xe_view *v, const char *key, const char *want)
{
	xe_filter f;
	char *why = NULL;

	is_int(xe_filter_parse(v, key, "x", false, &f, &why), -1, "filter %s refused", key);
	is_str(why, want, "filter %s: message", key);
	free(why);
}

static void test_view_and_filters(void)
{
	const xd_class *vm = xd_dm_class("VM"), *vbd = xd_dm_class("VBD");
	xe_client x;
	xe_view v, vb;
	xe_filter f;
	xe_row row;
	xd_value *rec = xd_struct(), *oc = xd_struct(), *tags = xd_array();
	char *why = NULL;
	int c;

	/* No connection: a broken client resolves nothing (and calls no one). */
	xe_client_init(&x, NULL);
	x.broken = true;

	xe_view_init(&vb, vbd);
	c = xe_view_col(&vb, "vm-uuid");
	ok(c >= 0, "vbd has vm-uuid");
	is_str(c >= 0 && (size_t)c + 1 < vb.ncols ? vb.cols[c + 1].label : NULL, "vm-name-label",
	       "vm-name-label follows vm-uuid");
	ok(c >= 0 && vb.cols[c + 1].ref_name, "vm-name-label is virtual");
	c = xe_view_col(&vb, "vm-name-label");
	{
		char *h = c >= 0 ? xe_view_heading(&vb, (size_t)c) : NULL;

		is_str(h, "vm-name-label ( RO)", "heading of a virtual column");
		free(h);
	}
	xe_view_clear(&vb);

	xe_view_init(&v, vm);
	is_int(v.ncols >= vm->nfields, 1, "a column per field at least");
	is_str(v.cols[0].label, "uuid", "uuid first");
	xd_struct_set_take(rec, "uuid", xd_string("u-1"));
	xd_struct_set_take(rec, "name_label", xd_string("web"));
	xd_struct_set_take(rec, "power_state", xd_string("Running"));
	xd_struct_set_take(oc, "owner", xd_string("ops"));
	xd_struct_set_take(rec, "other_config", oc);
	xd_array_append_take(tags, xd_string("prod"));
	xd_struct_set_take(rec, "tags", tags);
	xd_struct_set_take(rec, "resident_on", xd_string("OpaqueRef:somewhere"));
	xe_row_init(&row, &v, "OpaqueRef:vm1", rec);

	is_int(xe_filter_parse(&v, "power-state", "running", false, &f, &why), 0, "field filter");
	ok(f.kind == XE_F_FIELD, "field kind");
	ok(xe_filter_match(&f, &row, &v, &x), "power-state=running matches");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "power-state", "Running", false, &f, &why), 0, "enum any case");
	ok(xe_filter_match(&f, &row, &v, &x), "power-state=Running matches too");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "name-label", "WEB", false, &f, &why), 0, "string filter");
	ok(!xe_filter_match(&f, &row, &v, &x), "strings compare exactly");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "power-state", "/=halted", true, &f, &why), 0, "negated");
	ok(f.negate, "negate flag");
	ok(xe_filter_match(&f, &row, &v, &x), "power-state=/=halted matches");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "name-label", "/=web", false, &f, &why), 0, "no negation");
	ok(!f.negate && !xe_filter_match(&f, &row, &v, &x), "'/=web' taken literally");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "other-config:owner", "ops", false, &f, &why), 0, "map key");
	ok(f.kind == XE_F_MAP_KEY && xe_filter_match(&f, &row, &v, &x), "map key matches");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "other-config:nobody", "ops", false, &f, &why), 0, "map key");
	ok(!xe_filter_match(&f, &row, &v, &x), "absent key does not match");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "other-config-owner", "ops", false, &f, &why), 0, "legacy key");
	ok(f.kind == XE_F_MAP_KEY && xe_filter_match(&f, &row, &v, &x), "legacy map syntax");
	is_str(f.key, "owner", "legacy key name");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "tags:contains", "prod", false, &f, &why), 0, "set contains");
	ok(f.kind == XE_F_SET_CONTAINS && xe_filter_match(&f, &row, &v, &x), "set contains");
	xe_filter_clear(&f);
	is_int(xe_filter_parse(&v, "resident-on", XE_NOT_IN_DB, false, &f, &why), 0, "ref filter");
	ok(xe_filter_match(&f, &row, &v, &x), "unresolved ref shows as not in database");
	xe_filter_clear(&f);
	is_str(xe_row_value(&row, &v, (size_t)xe_view_col(&v, "other-config"), &x), "owner: ops",
	       "row value of a map");
	is_str(xe_row_value(&row, &v, (size_t)xe_view_col(&v, "is-a-template"), &x), "",
	       "a field the record lacks is empty");

	is_filter_err(&v, "nope", "Unknown field 'nope'");
	is_filter_err(&v, "nope:key", "Unknown field 'nope:key'");
	is_filter_err(&v, "name-label:key", "Field 'name-label' is not a set or map");
	is_filter_err(&v, "tags:prod",
		      "Invalid syntax for set filtering (should be set-param:contains=key)");

	xe_row_clear(&row, &v);
	xe_view_clear(&v);
	xd_value_free(rec);
	xe_client_clear(&x);
}

int main(void)
{
	if (xd_dm_init() < 0) {
		printf("not ok 1 - xd_dm_init\n");
		return 1;
	}
	test_names();
	test_markers();
	test_format();
	test_parse();
	test_render();
	test_args();
	test_view_and_filters();
	return tap_done();
}
