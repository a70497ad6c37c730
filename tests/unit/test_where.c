/* test_where.c - the get_all_records_where expression language (core/generic/where.c)
 * on real VM rows: each construct, upstream's precedence (and/or equal and
 * left-grouping, not loosest), literals without escapes, both field name
 * forms, db string forms of non-string fields, unknown fields, and the exact
 * INVALID_VALUE errors for bad syntax. */
#include <stdlib.h>
#include <string.h>

#include "dm.h"
#include "error.h"
#include "generic/where.h"
#include "value.h"

#include "tap.h"

static const char PARSE[] = "Stdlib.Parsing.Parse_error";
static const char LEX[] = "Failure(\"lexing: empty token\")";

static const xd_class *vm;
static xd_value **row;

/* A VM row: defaults, then the fields this test looks at. */
static void make_row(const char *label, const char *power, bool tmpl)
{
	size_t i;

	if (row) {
		for (i = 0; i < vm->nfields; i++)
			xd_value_free(row[i]);
		free(row);
	}
	row = calloc(vm->nfields, sizeof(*row));
	for (i = 0; i < vm->nfields; i++)
		row[i] = xd_dm_default_value(&vm->fields[i]);
	i = (size_t)xd_dm_field_index(vm, "name_label");
	xd_value_free(row[i]);
	row[i] = xd_string(label);
	i = (size_t)xd_dm_field_index(vm, "power_state");
	xd_value_free(row[i]);
	row[i] = xd_string(power);
	i = (size_t)xd_dm_field_index(vm, "is_a_template");
	xd_value_free(row[i]);
	row[i] = xd_bool(tmpl);
}

static void set_field(const char *name, xd_value *v)
{
	int i = xd_dm_field_index(vm, name);

	xd_value_free(row[i]);
	row[i] = v;
}

/* 1 true, 0 false, -1 did not parse. */
static int eval(const char *expr)
{
	xd_error err = XD_ERROR_INIT;
	xd_where *w = xd_where_parse(expr, &err);
	int r;

	if (!w) {
		printf("# parse error: %s [%s, %s]\n", err.code, err.nparams > 0 ? err.params[0] : "",
		       err.nparams > 1 ? err.params[1] : "");
		xd_error_clear(&err);
		return -1;
	}
	r = xd_where_eval(w, vm, (const xd_value *const *)row);
	xd_where_free(w);
	return r;
}

/* Checks that expr fails with INVALID_VALUE [expr, why]. */
static void bad(const char *expr, const char *why, const char *what)
{
	xd_error err = XD_ERROR_INIT;
	xd_where *w = xd_where_parse(expr, &err);

	ok(w == NULL, "%s: refused", what);
	is_str(err.code, "INVALID_VALUE", "%s: INVALID_VALUE", what);
	is_int(err.nparams, 2, "%s: two params", what);
	is_str(err.nparams > 0 ? err.params[0] : NULL, expr, "%s: first param is the expression", what);
	is_str(err.nparams > 1 ? err.params[1] : NULL, why, "%s: %s", what, why);
	xd_where_free(w);
	xd_error_clear(&err);
}

static void test_constructs(void)
{
	make_row("web1", "Running", false);

	is_int(eval("field \"name__label\" = \"web1\""), 1, "db column form name__label");
	is_int(eval("field \"name_label\" = \"web1\""), 1, "wire form name_label");
	is_int(eval("field \"name__label\" = \"web2\""), 0, "different literal");
	is_int(eval("\"web1\" = field \"name__label\""), 1, "field on the right");
	is_int(eval("\"a\" = \"a\""), 1, "two literals, equal");
	is_int(eval("\"a\" = \"b\""), 0, "two literals, different");
	is_int(eval("field \"name__label\" = field \"name_label\""), 1, "two fields");
	is_int(eval("field \"power_state\" = \"Running\""), 1, "enum by name");
	is_int(eval("field \"power_state\" = \"running\""), 0, "enum compare is case-sensitive");
	is_int(eval("field \"is_a_template\" = \"false\""), 1, "bool as false");
	is_int(eval("field \"is_a_template\" = \"true\""), 0, "bool not true");
	is_int(eval("true"), 1, "true");
	is_int(eval("false"), 0, "false");
	is_int(eval("not false"), 1, "not false");
	is_int(eval("not field \"name__label\" = \"web1\""), 0, "not eq");
	is_int(eval("field \"power_state\" = \"Running\" and field \"is_a_template\" = \"false\""), 1,
	       "and: both true");
	is_int(eval("field \"power_state\" = \"Halted\" and field \"is_a_template\" = \"false\""), 0,
	       "and: one false");
	is_int(eval("field \"power_state\" = \"Halted\" or field \"is_a_template\" = \"false\""), 1,
	       "or: one true");
	is_int(eval("false or false"), 0, "or: both false");
	is_int(eval("(true)"), 1, "parentheses");
	is_int(eval("((field \"name__label\" = \"web1\"))"), 1, "nested parentheses");
	is_int(eval("\t field\n\"name__label\"=\"web1\"  "), 1, "space, tab and newline are blanks");
	is_int(eval("field\"name__label\"=\"web1\"and\"x\"=\"x\""), 1, "keywords need no separator");
	is_int(eval("truefalse") == -1, 1, "but 'truefalse' is two tokens (a grammar error)");

	/* Other field types: ints, sets, maps, refs in their db string form. */
	set_field("VCPUs_max", xd_int(4));
	is_int(eval("field \"VCPUs_max\" = \"4\""), 1, "int in decimal");
	{
		xd_value *tags = xd_array();

		xd_array_append_take(tags, xd_string("a"));
		xd_array_append_take(tags, xd_string("b"));
		set_field("tags", tags);
		is_int(eval("field \"tags\" = \"('a' 'b')\""), 1, "set as ('a' 'b')");
	}
	{
		xd_value *oc = xd_struct();

		xd_struct_set_take(oc, "k", xd_string("v"));
		set_field("other_config", oc);
		is_int(eval("field \"other_config\" = \"(('k' 'v'))\""), 1, "map as (('k' 'v'))");
	}
	is_int(eval("field \"resident_on\" = \"OpaqueRef:NULL\""), 1, "null ref");
}

static void test_precedence(void)
{
	make_row("web1", "Running", false);

	/* and/or have the same precedence and group to the left. */
	is_int(eval("true or true and false"), 0, "a or b and c = (a or b) and c");
	is_int(eval("false and true or true"), 1, "a and b or c = (a and b) or c");
	is_int(eval("true or (true and false)"), 1, "parentheses override");
	/* not takes everything to its right. */
	is_int(eval("not false and false"), 1, "not a and b = not (a and b)");
	is_int(eval("(not false) and false"), 0, "(not a) and b");
	is_int(eval("not true or true"), 0, "not a or b = not (a or b)");
	is_int(eval("true and not true or true"), 0, "a and not b or c = a and not (b or c)");
	is_int(eval("(not true) or true"), 1, "(not a) or b");
	is_int(eval("not not true"), 1, "not not");
	/* A long chain costs no recursion. */
	{
		size_t n = 50000, i;
		char *s = malloc(n * 12 + 16), *p = s;

		p += sprintf(p, "true");
		for (i = 0; i < n; i++)
			p += sprintf(p, " and \"x\"=\"x\"");
		is_int(eval(s), 1, "a chain of %zu ands", n);
		p += sprintf(p, " and false");
		is_int(eval(s), 0, "... and false");
		free(s);
	}
}

static void test_literals(void)
{
	make_row("a\\b", "Running", false);
	is_int(eval("field \"name__label\" = \"a\\b\""), 1, "backslash is an ordinary character");
	make_row("", "Running", false);
	is_int(eval("field \"name__label\" = \"\""), 1, "empty literal");
	make_row("it's (x) = y and z", "Halted", false);
	is_int(eval("field \"name__label\" = \"it's (x) = y and z\""), 1, "keywords and symbols in a literal");
	make_row("two\nlines", "Halted", false);
	is_int(eval("field \"name__label\" = \"two\nlines\""), 1, "newline in a literal");
	make_row("Ünïcödé", "Halted", false);
	is_int(eval("field \"name__label\" = \"Ünïcödé\""), 1, "UTF-8 literal");
}

static void test_unknown_fields(void)
{
	make_row("web1", "Running", false);
	is_int(eval("field \"no_such_field\" = \"x\""), 0, "unknown field: false");
	is_int(eval("field \"no_such_field\" = field \"no_such_field\""), 0, "unknown = unknown: false");
	is_int(eval("not field \"no_such_field\" = \"x\""), 1, "not (unknown field): true");
	is_int(eval("field \"NAME__LABEL\" = \"web1\""), 0, "field names are case-sensitive");
	is_int(eval("field \"_ref\" = \"x\""), 0, "the _ref column is not a field here");
	ok(!xd_where_eval(NULL, vm, (const xd_value *const *)row), "NULL expression is false");
}

static void test_errors(void)
{
	bad("", PARSE, "empty text");
	bad("   ", PARSE, "only blanks");
	bad("field \"a\"", PARSE, "value without =");
	bad("\"a\"", PARSE, "a bare literal");
	bad("field \"a\" = ", PARSE, "missing right side");
	bad("= \"a\"", PARSE, "missing left side");
	bad("field = \"a\"", PARSE, "field without a name");
	bad("field \"a\" = \"b\" = \"c\"", PARSE, "chained =");
	bad("(true", PARSE, "unclosed parenthesis");
	bad("true)", PARSE, "stray closing parenthesis");
	bad("()", PARSE, "empty parentheses");
	bad("(field \"a\") = \"b\"", PARSE, "parenthesised value");
	bad("true and", PARSE, "and without right side");
	bad("or true", PARSE, "or without left side");
	bad("not", PARSE, "not without operand");
	bad("true true", PARSE, "two expressions");
	bad("field \"a\" = \"b\" \"c\"", PARSE, "literal after an expression");
	bad("field \"a\" <> \"b\"", LEX, "<> is not in the language");
	bad("field \"a\" != \"b\"", LEX, "!= is not in the language");
	bad("field 'a' = 'b'", LEX, "single quotes");
	bad("field \"a\" = \"b", LEX, "unterminated literal");
	bad("TRUE", LEX, "keywords are lower case");
	bad("fieldx \"a\" = \"b\"", LEX, "keyword glued to a letter");
	bad("true\r\n", LEX, "CR is not a blank");
	bad("field \"a\" = \"b\" xyz", LEX, "trailing junk");
	/* Which error comes first follows the order tokens are read. */
	bad("= @", PARSE, "grammar error before a lexical one");
	bad("true and @", LEX, "lexical error before a grammar one");

	{
		size_t n = 2000, i;
		char *s = malloc(2 * n + 8), *p = s;

		for (i = 0; i < n; i++)
			*p++ = '(';
		strcpy(p, "true");
		p += 4;
		for (i = 0; i < n; i++)
			*p++ = ')';
		*p = '\0';
		bad(s, "expression nested too deeply", "2000 parentheses");
		free(s);
	}
	{
		xd_error err = XD_ERROR_INIT;
		xd_where *w = xd_where_parse(NULL, &err);

		ok(w == NULL && err.code && strcmp(err.code, "INVALID_VALUE") == 0, "NULL text refused");
		xd_error_clear(&err);
	}
	is_int(eval("((((((((((true))))))))))"), 1, "moderate nesting is fine");
}

int main(void)
{
	size_t i;

	if (xd_dm_init() < 0) {
		ok(0, "datamodel init");
		return tap_done();
	}
	vm = xd_dm_class("VM");
	ok(vm != NULL, "VM class");
	if (!vm)
		return tap_done();

	test_constructs();
	test_precedence();
	test_literals();
	test_unknown_fields();
	test_errors();

	for (i = 0; i < vm->nfields; i++)
		xd_value_free(row[i]);
	free(row);
	return tap_done();
}
