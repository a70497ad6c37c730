/* test_wire.c - unit tests of the XML-RPC and JSON-RPC codecs: byte-exact
 * encoder output, requests as the real clients send them, malformed input
 * with its exact message, a 5 MB request, concurrent parsing, pre-encoded
 * text (XD_V_RAW) appended verbatim. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire.h"

#include "tap.h"

#define HEAD "<?xml version=\"1.0\"?><methodResponse><params><param>"
#define TAIL "</param></params></methodResponse>"

/* Encodes v with xd_xmlrpc_encode_value and compares the bytes; frees v. */
static void xml_is(xd_value *v, const char *want, const char *what)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	xd_xmlrpc_encode_value(&sb, v);
	is_str(sb.data, want, "xml encode %s", what);
	xd_strbuf_free(&sb);
	xd_value_free(v);
}

static void json_is(xd_value *v, const char *want, const char *what)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	xd_json_encode_value(&sb, v);
	is_str(sb.data, want, "json encode %s", what);
	xd_strbuf_free(&sb);
	xd_value_free(v);
}

static void test_xml_encode(void)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_error err = XD_ERROR_INIT;
	xd_value *v, *st, *arr;

	xml_is(xd_string("OpaqueRef:abc"), "<value>OpaqueRef:abc</value>", "string untyped");
	xml_is(xd_string(""), "<value></value>", "empty string");
	xml_is(xd_string("a&b<c>d\"e'f"), "<value>a&amp;b&lt;c&gt;d\"e'f</value>", "escaping");
	xml_is(xd_string("t\tn\nr\rx\x01y\x1f"), "<value>t\tn\nr\rxy</value>",
	       "controls XML cannot carry are dropped");
	xml_is(xd_string("caf\xc3\xa9 \xf0\x9f\x98\x80"), "<value>caf\xc3\xa9 \xf0\x9f\x98\x80</value>",
	       "UTF-8 passes through");
	xml_is(xd_int(1234), "<value>1234</value>", "int as untyped decimal");
	xml_is(xd_int(0), "<value>0</value>", "int zero");
	xml_is(xd_int(-42), "<value>-42</value>", "negative int");
	xml_is(xd_int(INT64_MAX), "<value>9223372036854775807</value>", "int64 max");
	xml_is(xd_int(INT64_MIN), "<value>-9223372036854775808</value>", "int64 min");
	xml_is(xd_bool(true), "<value><boolean>1</boolean></value>", "true");
	xml_is(xd_bool(false), "<value><boolean>0</boolean></value>", "false");
	xml_is(xd_float(1.5), "<value><double>1.5</double></value>", "double");
	xml_is(xd_float(0.1), "<value><double>0.1</double></value>", "double %.16g");
	xml_is(xd_float(1.0 / 3), "<value><double>0.3333333333333333</double></value>",
	       "double 16 digits");
	xml_is(xd_float(30.0), "<value><double>30</double></value>", "integral double");
	xml_is(xd_float(1e20), "<value><double>1e+20</double></value>", "double exponent");
	xml_is(xd_float(NAN), "<value><double>nan</double></value>", "nan");
	xml_is(xd_float(-NAN), "<value><double>nan</double></value>", "negative nan");
	xml_is(xd_float(INFINITY), "<value><double>inf</double></value>", "inf");
	xml_is(xd_float(-INFINITY), "<value><double>-inf</double></value>", "-inf");
	xml_is(xd_datetime(1787277623),
	       "<value><dateTime.iso8601>20260821T02:00:23Z</dateTime.iso8601></value>",
	       "datetime in xapi's form");
	xml_is(xd_datetime(0), "<value><dateTime.iso8601>19700101T00:00:00Z</dateTime.iso8601></value>",
	       "null date");
	xml_is(xd_nil(), "<value><nil/></value>", "nil");
	xml_is(xd_array(), "<value><array><data></data></array></value>", "empty array");
	xml_is(xd_struct(), "<value><struct></struct></value>", "empty struct");

	arr = xd_array();
	xd_array_append_take(arr, xd_string("a"));
	xd_array_append_take(arr, xd_int(2));
	xd_array_append_take(arr, xd_array());
	xml_is(arr,
	       "<value><array><data><value>a</value><value>2</value>"
	       "<value><array><data></data></array></value></data></array></value>",
	       "nested array");

	st = xd_struct();
	xd_struct_set_take(st, "name_label", xd_string("vm <1>"));
	xd_struct_set_take(st, "k&v", xd_string(""));
	v = xd_struct();
	xd_struct_set_take(v, "x", xd_bool(true));
	xd_struct_set_take(st, "other", v);
	xml_is(st,
	       "<value><struct><member><name>name_label</name><value>vm &lt;1&gt;</value></member>"
	       "<member><name>k&amp;v</name><value></value></member>"
	       "<member><name>other</name><value><struct><member><name>x</name>"
	       "<value><boolean>1</boolean></value></member></struct></value></member>"
	       "</struct></value>",
	       "struct with escaped names and nested struct");

	/* Envelopes. */
	v = xd_string("OpaqueRef:1");
	xd_xmlrpc_encode_success(&sb, v);
	is_str(sb.data,
	       HEAD "<value><struct><member><name>Status</name><value>Success</value></member>"
		    "<member><name>Value</name><value>OpaqueRef:1</value></member></struct></value>" TAIL,
	       "success envelope, byte for byte");
	ok(!strchr(sb.data, '\n') && !strstr(sb.data, "> <"), "no whitespace between tags");
	xd_value_free(v);
	xd_strbuf_reset(&sb);

	v = xd_string("");
	xd_xmlrpc_encode_success(&sb, v);
	is_str(sb.data,
	       HEAD "<value><struct><member><name>Status</name><value>Success</value></member>"
		    "<member><name>Value</name><value></value></member></struct></value>" TAIL,
	       "void result carries Value as the empty string");
	xd_value_free(v);
	xd_strbuf_reset(&sb);

	xd_error_set(&err, "HANDLE_INVALID", "VM", "OpaqueRef:<bad>", NULL);
	xd_xmlrpc_encode_failure(&sb, &err);
	is_str(sb.data,
	       HEAD "<value><struct><member><name>Status</name><value>Failure</value></member>"
		    "<member><name>ErrorDescription</name><value><array><data>"
		    "<value>HANDLE_INVALID</value><value>VM</value><value>OpaqueRef:&lt;bad&gt;</value>"
		    "</data></array></value></member></struct></value>" TAIL,
	       "failure envelope, byte for byte");
	xd_strbuf_reset(&sb);

	xd_error_set(&err, "SESSION_INVALID", NULL);
	xd_xmlrpc_encode_failure(&sb, &err);
	is_str(sb.data,
	       HEAD "<value><struct><member><name>Status</name><value>Failure</value></member>"
		    "<member><name>ErrorDescription</name><value><array><data>"
		    "<value>SESSION_INVALID</value></data></array></value></member></struct></value>" TAIL,
	       "failure without params");
	xd_strbuf_reset(&sb);
	xd_error_clear(&err);

	arr = xd_array();
	xd_array_append_take(arr, xd_string("VM.get_all"));
	xd_array_append_take(arr, xd_string("system.listMethods"));
	xd_xmlrpc_encode_raw(&sb, arr);
	is_str(sb.data,
	       HEAD "<value><array><data><value>VM.get_all</value><value>system.listMethods</value>"
		    "</data></array></value>" TAIL,
	       "raw response (system.listMethods)");
	xd_value_free(arr);
	xd_strbuf_free(&sb);
}

/* Parses a call that must succeed; returns params (caller frees). */
static xd_value *call_ok(const char *xml, size_t len, const char *want_method, const char *what)
{
	char *method = NULL, *why = NULL;
	xd_value *params = NULL;
	int rc = xd_xmlrpc_parse_call(xml, len, &method, &params, &why);

	is_int(rc, 0, "parse %s", what);
	if (rc != 0)
		printf("#   why: %s\n", why ? why : "(null)");
	if (want_method)
		is_str(method, want_method, "method of %s", what);
	free(method);
	free(why);
	return params;
}

static void call_bad(const char *xml, const char *want_why, const char *what)
{
	char *method = (char *)"untouched", *why = NULL;
	xd_value *params = (xd_value *)&params;
	int rc = xd_xmlrpc_parse_call(xml, strlen(xml), &method, &params, &why);

	is_int(rc, -1, "refuse %s", what);
	ok(method == NULL && params == NULL, "no results on failure: %s", what);
	is_str(why, want_why, "message for %s", what);
	free(why);
}

static const char python_call[] =
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>VM.set_other</methodName>\n<params>\n"
	"<param>\n<value><string>OpaqueRef:abc</string></value>\n</param>\n"
	"<param>\n<value><string>name &amp; &lt;x&gt;</string></value>\n</param>\n"
	"<param>\n<value><int>5</int></value>\n</param>\n"
	"<param>\n<value><double>30.0</double></value>\n</param>\n"
	"<param>\n<value><boolean>1</boolean></value>\n</param>\n"
	"<param>\n<value><nil/></value></param>\n"
	"<param>\n<value><struct>\n<member>\n<name>k</name>\n<value><string>v</string></value>\n</member>\n"
	"<member>\n<name>n</name>\n<value><array><data>\n<value><int>1</int></value>\n"
	"<value><string>two</string></value>\n</data></array></value>\n</member>\n</struct></value>\n</param>\n"
	"<param>\n<value><array><data>\n</data></array></value>\n</param>\n"
	"<param>\n<value><dateTime.iso8601>20260821T02:00:23</dateTime.iso8601></value>\n</param>\n"
	"</params>\n</methodCall>\n";

static void test_xml_parse(void)
{
	xd_value *p;
	char *dbg;

	/* XenAPI.py (Python xmlrpc.client with allow_none) */
	p = call_ok(python_call, strlen(python_call), "VM.set_other", "XenAPI.py call");
	if (p) {
		dbg = xd_value_to_debug_string(p);
		is_str(dbg,
		       "[\"OpaqueRef:abc\", \"name & <x>\", 5, 30, true, null, "
		       "{\"k\": \"v\", \"n\": [1, \"two\"]}, [], datetime(20260821T02:00:23Z)]",
		       "XenAPI.py params decoded with their types");
		free(dbg);
		is_int(p->u.arr.items[2]->t, XD_V_INT, "<int> is XD_V_INT");
		is_int(p->u.arr.items[3]->t, XD_V_FLOAT, "<double> is XD_V_FLOAT");
		is_int(p->u.arr.items[5]->t, XD_V_NIL, "<nil/> is XD_V_NIL");
		is_int(p->u.arr.items[8]->t, XD_V_DATETIME, "dateTime is XD_V_DATETIME");
		xd_value_free(p);
	}
	{
		static const char empty_py[] = "<?xml version='1.0'?>\n<methodCall>\n<methodName>"
					       "event.from</methodName>\n<params>\n</params>\n</methodCall>\n";

		p = call_ok(empty_py, strlen(empty_py), "event.from", "XenAPI.py call without args");
		ok(p && p->t == XD_V_ARRAY && p->u.arr.n == 0, "empty params array");
		xd_value_free(p);
	}

	/* Xen Orchestra: compact, untyped strings, <params /> */
	{
		static const char xo1[] = "<?xml version=\"1.0\"?><methodCall><methodName>system.listMethods"
					  "</methodName><params /></methodCall>";
		static const char xo2[] = "<?xml version=\"1.0\"?><methodCall><methodName>"
					  "session.login_with_password</methodName><params><param><value>root"
					  "</value></param><param><value>p&amp;ss word</value></param>"
					  "</params></methodCall>";
		static const char xo3[] = "<methodCall><methodName>a</methodName><params/></methodCall>";
		static const char xo4[] = "<methodCall><methodName>a</methodName></methodCall>";

		p = call_ok(xo1, strlen(xo1), "system.listMethods", "XO <params />");
		ok(p && p->u.arr.n == 0, "<params /> is no params");
		xd_value_free(p);
		p = call_ok(xo2, strlen(xo2), "session.login_with_password", "XO login");
		ok(p && p->u.arr.n == 2 && p->u.arr.items[0]->t == XD_V_STRING &&
			   strcmp(p->u.arr.items[0]->u.s, "root") == 0 &&
			   strcmp(p->u.arr.items[1]->u.s, "p&ss word") == 0,
		   "untyped strings decoded");
		xd_value_free(p);
		p = call_ok(xo3, strlen(xo3), "a", "<params/>");
		ok(p && p->u.arr.n == 0, "<params/> is no params");
		xd_value_free(p);
		p = call_ok(xo4, strlen(xo4), "a", "no <params> at all");
		ok(p && p->u.arr.n == 0, "missing params is no params");
		xd_value_free(p);
	}

	/* Every scalar form clients use. */
	{
		static const char x[] =
			"<methodCall><methodName>t</methodName><params>"
			"<param><value></value></param>"
			"<param><value/></param>"
			"<param><value><string></string></value></param>"
			"<param><value><string/></value></param>"
			"<param><value>  spaced\n text  </value></param>"
			"<param><value><i4>-7</i4></value></param>"
			"<param><value><i8>9223372036854775807</i8></value></param>"
			"<param><value><int>99999999999</int></value></param>"
			"<param><value><boolean>0</boolean></value></param>"
			"<param><value><double>60.1</double></value></param>"
			"<param><value><double>-1e3</double></value></param>"
			"<param><value><dateTime.iso8601>20260821T02:00:23Z</dateTime.iso8601></value></param>"
			"<param><value><dateTime.iso8601>2026-08-21T04:00:23+02:00</dateTime.iso8601></value></param>"
			"<param><value><base64>aGVsbG8=</base64></value></param>"
			"<param><value>\xf0\x9f\x98\x80 &#x1F600; &#233;</value></param>"
			"<param><value><![CDATA[a<b&c]]></value></param>"
			"<param><value><ex:nil/></value></param>"
			"<param><value><struct/></value></param>"
			"<param><value><array><data/></array></value></param>"
			"<param><value><struct><member><name>dup</name><value>1</value></member>"
			"<member><name>dup</name><value>2</value></member></struct></value></param>"
			"</params></methodCall>";

		p = call_ok(x, strlen(x), "t", "every scalar form");
		if (p) {
			dbg = xd_value_to_debug_string(p);
			is_str(dbg,
			       "[\"\", \"\", \"\", \"\", \"  spaced\\n text  \", -7, 9223372036854775807, "
			       "99999999999, false, 60.1, -1000, datetime(20260821T02:00:23Z), "
			       "datetime(20260821T02:00:23Z), \"hello\", "
			       "\"\xf0\x9f\x98\x80 \xf0\x9f\x98\x80 \xc3\xa9\", \"a<b&c\", null, {}, [], "
			       "{\"dup\": \"2\"}]",
			       "scalar forms decoded");
			free(dbg);
			xd_value_free(p);
		}
	}

	/* Typed values with whitespace around them, as pretty-printers emit. */
	{
		static const char x[] = "<methodCall>\n  <methodName>t</methodName>\n  <params>\n"
					"    <param>\n      <value>\n        <string>s</string>\n      "
					"</value>\n    </param>\n  </params>\n</methodCall>\n";

		p = call_ok(x, strlen(x), "t", "indented typed value");
		ok(p && p->u.arr.n == 1 && p->u.arr.items[0]->t == XD_V_STRING &&
			   strcmp(p->u.arr.items[0]->u.s, "s") == 0,
		   "whitespace around a typed child is ignored");
		xd_value_free(p);
	}

	/* Malformed input: -1 and an exact message, never a crash. */
	call_bad("", "line 1: not well-formed XML: no element found", "empty body");
	call_bad("garbage", "line 1: not well-formed XML: syntax error", "garbage");
	call_bad("<methodCall><methodName>a</methodName><params><param><value>x",
		 "line 1: not well-formed XML: no element found", "truncated");
	call_bad("<methodCall><methodName>a</methodName></methodCall>junk",
		 "line 1: not well-formed XML: junk after document element", "trailing junk");
	call_bad("<methodResponse><params/></methodResponse>",
		 "line 1: root element <methodResponse> is not <methodCall>", "wrong root");
	call_bad("<methodCall><params/></methodCall>", "line 1: methodCall without <methodName>",
		 "missing methodName");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><foo>1</foo>"
		 "</value></param></params></methodCall>",
		 "line 1: unexpected element <foo>", "unknown type");
	call_bad("<methodCall><methodName>a</methodName><params><value>1</value></params></methodCall>",
		 "line 1: element <value> not allowed in <params>", "value outside param");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><int>1</int>"
		 "<int>2</int></value></param></params></methodCall>",
		 "line 1: <value> with more than one child", "two types in one value");
	call_bad("<methodCall><methodName>a</methodName><params><param><value>x<int>1</int>"
		 "</value></param></params></methodCall>",
		 "line 1: <value> with more than one child", "mixed content");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><int>12x</int>"
		 "</value></param></params></methodCall>",
		 "line 1: bad integer '12x'", "bad int");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><int>"
		 "99999999999999999999</int></value></param></params></methodCall>",
		 "line 1: bad integer '99999999999999999999'", "int beyond 64 bits");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><double>x</double>"
		 "</value></param></params></methodCall>",
		 "line 1: bad double 'x'", "bad double");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><dateTime.iso8601>"
		 "yesterday</dateTime.iso8601></value></param></params></methodCall>",
		 "line 1: bad dateTime.iso8601 'yesterday'", "bad datetime");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><struct><member>"
		 "<value>1</value></member></struct></value></param></params></methodCall>",
		 "line 1: <member> without a <name> before its <value>", "member without name");
	call_bad("<methodCall><methodName>a</methodName><params><param><value><struct><member>"
		 "<name>k</name></member></struct></value></param></params></methodCall>",
		 "line 1: <member> without <value>", "member without value");
	call_bad("<methodCall><methodName>a</methodName><params>oops</params></methodCall>",
		 "line 1: unexpected text 'oops'", "text between tags");
	call_bad("<methodCall><methodName>a</methodName><params><param><value>\xff</value>"
		 "</param></params></methodCall>",
		 "line 1: not well-formed XML: not well-formed", "invalid UTF-8");
	call_bad("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		 "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
		 "<methodCall><methodName>&lol2;</methodName></methodCall>",
		 "DOCTYPE declarations are not accepted", "DOCTYPE (entity expansion)");
	call_bad("<?xml version=\"1.0\"?><!-- <a> --><?pi x?><!DOCTYPE a [<!ENTITY e \"x\">]>"
		 "<methodCall><methodName>&e;</methodName></methodCall>",
		 "DOCTYPE declarations are not accepted", "DOCTYPE after a comment holding markup");
	{
		static const char c[] = "<?xml version=\"1.0\"?>\n<!-- a comment --><methodCall>"
					"<methodName>a</methodName></methodCall>";
		xd_value_free(call_ok(c, strlen(c), "a", "comment in the prolog"));
	}
	{
		/* 300 nested arrays: refused, not a stack overflow. */
		xd_strbuf sb = XD_STRBUF_INIT;
		char *method = NULL, *why = NULL;
		xd_value *params = NULL;
		int i;

		xd_strbuf_puts(&sb, "<methodCall><methodName>a</methodName><params><param>");
		for (i = 0; i < 300; i++)
			xd_strbuf_puts(&sb, "<value><array><data>");
		is_int(xd_xmlrpc_parse_call(sb.data, sb.len, &method, &params, &why), -1,
		       "refuse very deep nesting");
		is_str(why, "line 1: nested deeper than 256 elements", "depth message");
		free(why);
		xd_strbuf_free(&sb);
	}
	{
		char *method = NULL, *why = NULL;
		xd_value *params = NULL;

		is_int(xd_xmlrpc_parse_call("<methodCall><methodName>a</methodName></methodCall>",
					    20, &method, &params, &why),
		       -1, "length is honoured (no reading past len)");
		free(why);
		is_int(xd_xmlrpc_parse_call("<methodCall><methodName>a</methodName></methodCall>x",
					    51, &method, &params, NULL),
		       0, "bytes after len are ignored; why may be NULL");
		free(method);
		xd_value_free(params);
	}
}

/* A 5 MB request: one big string and many small params. */
static void test_xml_large(void)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *p;
	size_t big = 5u * 1024 * 1024, i;
	char *blob = malloc(big + 1);
	struct timespec t0, t1;

	for (i = 0; i < big; i++)
		blob[i] = (char)('a' + i % 26);
	blob[big] = '\0';
	xd_strbuf_puts(&sb, "<?xml version=\"1.0\"?><methodCall><methodName>VDI.write</methodName>"
			    "<params><param><value>");
	xd_strbuf_puts(&sb, blob);
	xd_strbuf_puts(&sb, "</value></param><param><value><array><data>");
	for (i = 0; i < 20000; i++)
		xd_strbuf_printf(&sb, "<value><i4>%zu</i4></value>", i);
	xd_strbuf_puts(&sb, "</data></array></value></param></params></methodCall>");
	ok(sb.len > big, "request is larger than 5 MB (%zu bytes)", sb.len);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	p = call_ok(sb.data, sb.len, "VDI.write", "5 MB request");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# 5 MB parse took %.1f ms\n",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	ok(p && p->u.arr.n == 2 && strlen(p->u.arr.items[0]->u.s) == big &&
		   memcmp(p->u.arr.items[0]->u.s, blob, big) == 0,
	   "5 MB string arrives intact");
	ok(p && p->u.arr.items[1]->u.arr.n == 20000 &&
		   p->u.arr.items[1]->u.arr.items[19999]->u.i == 19999,
	   "20000 array items arrive");
	xd_value_free(p);
	xd_strbuf_free(&sb);
	free(blob);
}

static xd_value *sample_value(void)
{
	xd_value *st = xd_struct(), *arr = xd_array(), *inner = xd_struct();

	xd_struct_set_take(st, "s", xd_string("a & <b> \xf0\x9f\x98\x80"));
	xd_struct_set_take(st, "empty", xd_string(""));
	xd_struct_set_take(st, "i", xd_int(-9000000000LL));
	xd_struct_set_take(st, "f", xd_float(0.25));
	xd_struct_set_take(st, "b", xd_bool(true));
	xd_struct_set_take(st, "d", xd_datetime(1787277623));
	xd_struct_set_take(st, "n", xd_nil());
	xd_array_append_take(arr, xd_string("x"));
	xd_array_append_take(arr, xd_bool(false));
	xd_struct_set_take(inner, "deep", xd_array());
	xd_array_append_take(arr, inner);
	xd_struct_set_take(st, "arr", arr);
	return st;
}

static void test_xml_response(void)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *v = sample_value(), *out = NULL, *want;
	char *why = NULL;

	xd_xmlrpc_encode_success(&sb, v);
	is_int(xd_xmlrpc_parse_response(sb.data, sb.len, &out, &why), 0, "parse our own response");
	/* ints travel as strings: that is what a client reads back */
	want = xd_struct();
	xd_struct_set_take(want, "Status", xd_string("Success"));
	xd_struct_set_take(v, "i", xd_string("-9000000000"));
	xd_struct_set_take(want, "Value", v);
	ok(xd_value_equal(out, want), "response round trip (ints come back as strings)");
	xd_value_free(out);
	xd_value_free(want);

	xd_strbuf_reset(&sb);
	xd_strbuf_puts(&sb, "<?xml version=\"1.0\"?>\n<methodResponse>\n<fault>\n<value><struct>\n"
			    "<member><name>faultCode</name><value><int>-503</int></value></member>\n"
			    "<member><name>faultString</name><value><string>boom</string></value></member>\n"
			    "</struct></value>\n</fault>\n</methodResponse>\n");
	out = (xd_value *)&out;
	is_int(xd_xmlrpc_parse_response(sb.data, sb.len, &out, &why), -1, "fault response");
	is_str(why, "XML-RPC fault -503: boom", "fault message");
	ok(out == NULL, "no value for a fault");
	free(why);
	why = NULL;
	is_int(xd_xmlrpc_parse_response("<methodResponse></methodResponse>", 33, &out, &why), -1,
	       "empty methodResponse refused");
	is_str(why, "line 1: methodResponse without params or fault", "empty response message");
	free(why);
	why = NULL;
	is_int(xd_xmlrpc_parse_response("<methodCall><methodName>a</methodName></methodCall>", 51,
					&out, &why),
	       -1, "a call is not a response");
	free(why);
	xd_strbuf_free(&sb);
}

/* Many threads parse different documents at once; all must decode right. */
struct par_arg {
	int id;
	int bad;
};

static void *par_thread(void *p)
{
	struct par_arg *a = p;
	xd_strbuf sb = XD_STRBUF_INIT;
	int i;

	for (i = 0; i < 300; i++) {
		char *method = NULL, *why = NULL;
		xd_value *params = NULL;

		xd_strbuf_reset(&sb);
		xd_strbuf_printf(&sb,
				 "<methodCall><methodName>m%d</methodName><params><param><value>"
				 "<struct><member><name>k%d</name><value><i4>%d</i4></value></member>"
				 "</struct></value></param><param><value>s%d-%d</value></param>"
				 "</params></methodCall>",
				 a->id, i, i, a->id, i);
		if (xd_xmlrpc_parse_call(sb.data, sb.len, &method, &params, &why) != 0) {
			a->bad++;
		} else {
			char key[32], s[32], m[16];
			xd_value *st = params->u.arr.items[0], *iv;

			snprintf(key, sizeof(key), "k%d", i);
			snprintf(s, sizeof(s), "s%d-%d", a->id, i);
			snprintf(m, sizeof(m), "m%d", a->id);
			iv = xd_struct_get(st, key);
			if (strcmp(method, m) || !iv || iv->u.i != i ||
			    strcmp(params->u.arr.items[1]->u.s, s))
				a->bad++;
		}
		free(method);
		free(why);
		xd_value_free(params);
	}
	xd_strbuf_free(&sb);
	return NULL;
}

static void test_xml_threads(void)
{
	pthread_t th[8];
	struct par_arg args[8];
	int i, bad = 0;

	for (i = 0; i < 8; i++) {
		args[i].id = i;
		args[i].bad = 0;
		pthread_create(&th[i], NULL, par_thread, &args[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		bad += args[i].bad;
	}
	is_int(bad, 0, "8 threads x 300 concurrent parses all correct");
}

/* ---- JSON ---- */

static void test_json_encode(void)
{
	xd_value *st;

	json_is(xd_string("q\"b\\s\n\t\x01 caf\xc3\xa9 </"), "\"q\\\"b\\\\s\\n\\t\\u0001 caf\xc3\xa9 </\"",
		"string escaping and UTF-8 passthrough");
	json_is(xd_string(""), "\"\"", "empty string");
	json_is(xd_int(INT64_MAX), "9223372036854775807", "int64 as a bare number");
	json_is(xd_int(INT64_MIN), "-9223372036854775808", "int64 min");
	json_is(xd_float(1.5), "1.5", "float");
	json_is(xd_float(30.0), "30.0", "integral float keeps a fraction");
	json_is(xd_float(0.1), "0.1", "shortest round-trip float");
	json_is(xd_float(1.0 / 3), "0.3333333333333333", "17-digit float");
	json_is(xd_float(1e300), "1e+300", "float exponent");
	json_is(xd_float(NAN), "null", "NaN as null");
	json_is(xd_bool(true), "true", "true");
	json_is(xd_bool(false), "false", "false");
	json_is(xd_nil(), "null", "nil");
	json_is(xd_datetime(1787277623), "\"20260821T02:00:23Z\"", "datetime as xapi string");
	json_is(xd_array(), "[]", "empty array");
	json_is(xd_struct(), "{}", "empty object");
	st = sample_value();
	json_is(st,
		"{\"s\":\"a & <b> \xf0\x9f\x98\x80\",\"empty\":\"\",\"i\":-9000000000,\"f\":0.25,"
		"\"b\":true,\"d\":\"20260821T02:00:23Z\",\"n\":null,"
		"\"arr\":[\"x\",false,{\"deep\":[]}]}",
		"nested object, members in order");
}

static void json_parse_bad(const char *text, const char *want_why, const char *what)
{
	xd_value *v = (xd_value *)&v;
	char *why = NULL;

	is_int(xd_json_parse(text, strlen(text), &v, &why), -1, "json refuse %s", what);
	ok(v == NULL, "no value for %s", what);
	is_str(why, want_why, "json message for %s", what);
	free(why);
}

static void test_json_parse(void)
{
	const char *doc = "{\"a\":1,\"b\":[true,null,2.5,\"x\\u00e9\\ud83d\\ude00\"],\"c\":{},"
			  "\"big\":-9223372036854775808,\"z\":\"20260821T02:00:23Z\"}  \n";
	xd_value *v = NULL, *again = NULL;
	xd_strbuf sb = XD_STRBUF_INIT;
	char *why = NULL, *dbg;

	is_int(xd_json_parse(doc, strlen(doc), &v, &why), 0, "parse JSON");
	dbg = xd_value_to_debug_string(v);
	is_str(dbg,
	       "{\"a\": 1, \"b\": [true, null, 2.5, \"x\xc3\xa9\xf0\x9f\x98\x80\"], \"c\": {}, "
	       "\"big\": -9223372036854775808, \"z\": \"20260821T02:00:23Z\"}",
	       "JSON decoded with types; datetimes stay strings");
	free(dbg);
	is_int(xd_struct_get(v, "a")->t, XD_V_INT, "integer is XD_V_INT");
	xd_json_encode_value(&sb, v);
	is_int(xd_json_parse(sb.data, sb.len, &again, &why), 0, "reparse our encoding");
	ok(xd_value_equal(v, again), "JSON round trip");
	xd_value_free(v);
	xd_value_free(again);
	xd_strbuf_free(&sb);

	is_int(xd_json_parse("42", 2, &v, &why), 0, "top-level number");
	ok(v && v->t == XD_V_INT && v->u.i == 42, "top-level number value");
	xd_value_free(v);
	is_int(xd_json_parse("null", 4, &v, &why), 0, "top-level null");
	ok(v && v->t == XD_V_NIL, "null is XD_V_NIL");
	xd_value_free(v);
	is_int(xd_json_parse("[1] trailing", 3, &v, NULL), 0, "len is honoured");
	xd_value_free(v);

	json_parse_bad("", "malformed JSON at offset 0: unexpected end of data", "empty");
	json_parse_bad("{\"a\":", "malformed JSON at offset 5: unexpected end of data", "truncated");
	json_parse_bad("[1,]", "malformed JSON at offset 3: unexpected character", "trailing comma");
	json_parse_bad("[1] x", "malformed JSON at offset 4: unexpected character", "trailing junk");
	json_parse_bad("42 x", "malformed JSON at offset 3: unexpected character",
		       "trailing junk after a number");
	json_parse_bad("\"\xff\"", "malformed JSON at offset 1: invalid utf-8 string", "bad UTF-8");
	/* a string with a NUL cannot be a C string: it becomes null, which the
	 * parameter checks refuse with FIELD_TYPE_ERROR */
	ok(xd_json_parse("[\"a\\u0000b\"]", 12, &v, NULL) == 0 && v->t == XD_V_ARRAY &&
	   v->u.arr.n == 1 && v->u.arr.items[0]->t == XD_V_NIL, "NUL in string becomes null");
	xd_value_free(v);
	json_parse_bad("9223372036854775808", "integer out of the 64-bit range", "int overflow");
}

static void jreq_bad(const char *body, const char *want_why, const char *what)
{
	xd_jsonrpc_req req;
	char *why = NULL;

	is_int(xd_jsonrpc_parse_request(body, strlen(body), &req, &why), -1, "refuse %s", what);
	ok(!req.method && !req.params && !req.id_json, "request left empty: %s", what);
	is_str(why, want_why, "message for %s", what);
	free(why);
	xd_jsonrpc_req_clear(&req);
}

static void test_jsonrpc(void)
{
	xd_jsonrpc_req req;
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_error err = XD_ERROR_INIT;
	xd_value *v;
	char *why = NULL;
	const char *b;

	/* v1 (no "jsonrpc" key) */
	b = "{\"method\":\"session.login_with_password\",\"params\":[\"root\",\"pw\"],\"id\":7}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "v1 request");
	is_int(req.version, 1, "v1 detected");
	is_str(req.method, "session.login_with_password", "v1 method");
	is_str(req.id_json, "7", "v1 id kept as JSON text");
	ok(req.params && req.params->t == XD_V_ARRAY && req.params->u.arr.n == 2, "v1 params");
	v = xd_string("OpaqueRef:s");
	xd_jsonrpc_encode_success(&sb, &req, v);
	is_str(sb.data, "{\"result\":\"OpaqueRef:s\",\"error\":null,\"id\":7}", "v1 success shape");
	xd_strbuf_reset(&sb);
	xd_error_set(&err, "SESSION_AUTHENTICATION_FAILED", "root",
		     "Authentication failure", NULL);
	xd_jsonrpc_encode_failure(&sb, &req, &err);
	is_str(sb.data,
	       "{\"result\":null,\"error\":[\"SESSION_AUTHENTICATION_FAILED\",\"root\","
	       "\"Authentication failure\"],\"id\":7}",
	       "v1 failure shape");
	xd_strbuf_reset(&sb);
	xd_jsonrpc_req_clear(&req);
	ok(!req.method && !req.params && !req.id_json, "req_clear empties");
	xd_jsonrpc_req_clear(&req); /* twice is harmless */

	/* v2 as Xen Orchestra sends it: id 0 */
	b = "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_all_records\",\"params\":[\"OpaqueRef:s\"],\"id\":0}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "v2 request");
	is_int(req.version, 2, "v2 detected");
	is_str(req.id_json, "0", "id 0 echoed");
	xd_jsonrpc_encode_success(&sb, &req, v);
	is_str(sb.data, "{\"jsonrpc\":\"2.0\",\"result\":\"OpaqueRef:s\",\"id\":0}",
	       "v2 success shape, no error key");
	xd_strbuf_reset(&sb);
	xd_jsonrpc_encode_failure(&sb, &req, &err);
	is_str(sb.data,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"SESSION_AUTHENTICATION_FAILED\","
	       "\"data\":[\"root\",\"Authentication failure\"]},\"id\":0}",
	       "v2 failure shape");
	xd_strbuf_reset(&sb);
	xd_error_set(&err, "SESSION_INVALID", NULL);
	xd_jsonrpc_encode_failure(&sb, &req, &err);
	is_str(sb.data,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":\"SESSION_INVALID\",\"data\":[]},"
	       "\"id\":0}",
	       "v2 failure without params");
	xd_strbuf_reset(&sb);
	xd_jsonrpc_req_clear(&req);
	xd_value_free(v);

	/* string id, escaped, and a struct result */
	b = "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[],\"id\":\"a\\\"b/c\"}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "string id");
	is_str(req.id_json, "\"a\\\"b/c\"", "string id echoed as JSON text");
	v = xd_struct();
	xd_struct_set_take(v, "n", xd_int(5));
	xd_jsonrpc_encode_success(&sb, &req, v);
	is_str(sb.data, "{\"jsonrpc\":\"2.0\",\"result\":{\"n\":5},\"id\":\"a\\\"b/c\"}",
	       "v2 success with struct result");
	xd_strbuf_reset(&sb);
	xd_value_free(v);
	xd_jsonrpc_req_clear(&req);

	/* void result, missing params, params as an object (v2) */
	b = "{\"method\":\"system.listMethods\",\"id\":1}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "missing params");
	ok(req.params && req.params->t == XD_V_ARRAY && req.params->u.arr.n == 0,
	   "missing params is an empty array");
	v = xd_string("");
	xd_jsonrpc_encode_success(&sb, &req, v);
	is_str(sb.data, "{\"result\":\"\",\"error\":null,\"id\":1}", "void result is \"\"");
	xd_strbuf_reset(&sb);
	xd_value_free(v);
	xd_jsonrpc_req_clear(&req);
	b = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":null,\"id\":1}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "null params");
	ok(req.params && req.params->u.arr.n == 0, "null params is an empty array");
	xd_jsonrpc_req_clear(&req);
	b = "{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"a\":1},\"id\":1}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "v2 object params");
	ok(req.params && req.params->u.arr.n == 1 && req.params->u.arr.items[0]->t == XD_V_STRUCT,
	   "v2 object params become one struct argument");
	xd_jsonrpc_req_clear(&req);
	b = "{\"id\":12345678901234,\"params\":[1,\"2\"],\"method\":\"m\"}";
	is_int(xd_jsonrpc_parse_request(b, strlen(b), &req, &why), 0, "keys in any order");
	is_str(req.id_json, "12345678901234", "large integer id");
	ok(req.params->u.arr.items[0]->t == XD_V_INT && req.params->u.arr.items[1]->t == XD_V_STRING,
	   "param types kept");
	xd_jsonrpc_req_clear(&req);

	/* refused */
	jreq_bad("{\"method\":\"m\",\"params\":[]}", "Required field id is missing", "missing id");
	jreq_bad("{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":[],\"id\":null}",
		 "Required field id is missing", "null id (notification)");
	jreq_bad("{\"method\":\"m\",\"params\":[],\"id\":1.5}", "Invalid field 'id' in request body",
		 "float id");
	jreq_bad("{\"method\":\"m\",\"params\":[],\"id\":[1]}", "Invalid field 'id' in request body",
		 "array id");
	jreq_bad("{\"params\":[],\"id\":1}", "Invalid field 'method' in request body", "missing method");
	jreq_bad("{\"method\":5,\"params\":[],\"id\":1}", "Invalid field 'method' in request body",
		 "method not a string");
	jreq_bad("{\"jsonrpc\":\"1.0\",\"method\":\"m\",\"params\":[],\"id\":1}",
		 "Invalid field 'jsonrpc' in request body", "jsonrpc not 2.0");
	jreq_bad("{\"method\":\"m\",\"params\":\"x\",\"id\":1}", "Invalid field 'params' in request body",
		 "params a string");
	jreq_bad("{\"method\":\"m\",\"params\":{\"a\":1},\"id\":1}",
		 "Invalid field 'params' in request body", "v1 params an object");
	jreq_bad("[1,2]", "JSON-RPC request is not an object", "array body");
	jreq_bad("null", "JSON-RPC request is not an object", "null body");
	jreq_bad("{\"method\":\"m\",", "malformed JSON at offset 14: unexpected end of data",
		 "truncated body");
	xd_error_clear(&err);
	xd_strbuf_free(&sb);
}

/* ---- pre-encoded text (XD_V_RAW) ---- */

/* Encodes v both ways and returns the pair of texts joined by '|' (static). */
static const char *both(const xd_value *v)
{
	static char out[1024];
	xd_strbuf x = XD_STRBUF_INIT, j = XD_STRBUF_INIT;

	xd_xmlrpc_encode_value(&x, v);
	xd_json_encode_value(&j, v);
	snprintf(out, sizeof(out), "%s|%s", x.data, j.data);
	xd_strbuf_free(&x);
	xd_strbuf_free(&j);
	return out;
}

static void test_raw(void)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *v, *c, *st, *arr;
	char *dbg;

	/* Verbatim: no escaping, no wrapping, in either encoder. */
	v = xd_raw("<value>a & b</value>", 20);
	xml_is(v, "<value>a & b</value>", "raw text as given");
	json_is(xd_raw("{\"k\":\"<&>\"}", 11), "{\"k\":\"<&>\"}", "raw text as given");
	/* len, not the NUL, bounds the text. */
	json_is(xd_raw("[1,2]garbage", 5), "[1,2]", "raw copies len bytes");
	json_is(xd_raw_take(NULL, 3), "", "raw of no text is empty");

	/* Inside structs and arrays, in place of a member's or item's value:
	 * the same bytes as the value it stands for. */
	st = xd_struct();
	const char *rec = "<value><struct><member><name>x</name><value>1</value></member>"
			  "</struct></value>";
	xd_struct_append(st, "OpaqueRef:1", xd_raw(rec, strlen(rec)));
	xd_struct_append(st, "OpaqueRef:2", xd_string("plain"));
	xml_is(st,
	       "<value><struct><member><name>OpaqueRef:1</name><value><struct><member><name>x"
	       "</name><value>1</value></member></struct></value></member><member><name>"
	       "OpaqueRef:2</name><value>plain</value></member></struct></value>",
	       "raw member of a struct");
	arr = xd_array();
	xd_array_append_take(arr, xd_raw("{\"x\":1}", 7));
	xd_array_append_take(arr, xd_int(2));
	json_is(arr, "[{\"x\":1},2]", "raw item of an array");

	/* In a whole response envelope. */
	v = xd_raw("<value>OpaqueRef:x</value>", 26);
	xd_xmlrpc_encode_success(&sb, v);
	is_str(sb.data,
	       HEAD "<value><struct><member><name>Status</name><value>Success</value></member>"
		    "<member><name>Value</name><value>OpaqueRef:x</value></member></struct></value>" TAIL,
	       "raw value in a success envelope");
	xd_strbuf_free(&sb);
	xd_value_free(v);

	/* Shared text: values show it without copying and keep it alive. */
	xd_shared_text *t = xd_shared_text_new("<value>7</value>", 16);
	v = xd_raw_shared(t);
	ok(v->t == XD_V_RAW && v->u.raw.s == t->text && v->u.raw.len == 16,
	   "raw_shared shows the shared text itself");
	c = xd_value_copy(v);
	ok(c->u.raw.s == t->text, "a copy of a shared raw shares it too");
	is_int(t->refs, 3, "the maker and two values hold it");
	xd_shared_text_release(t); /* the maker lets go first */
	xd_value_free(v);
	is_str(both(c), "<value>7</value>|<value>7</value>", "text alive while a value holds it");
	ok(xd_value_equal(c, c), "raw equals itself");
	v = xd_raw("<value>7</value>", 16);
	ok(xd_value_equal(c, v), "shared and owned raw with the same bytes are equal");
	xd_value_free(v);
	v = xd_raw("<value>8</value>", 16);
	ok(!xd_value_equal(c, v), "different bytes are not equal");
	ok(!xd_value_equal(c, xd_struct_get(NULL, "x")), "raw is not equal to NULL");
	xd_value_free(v);
	v = xd_string("<value>7</value>");
	ok(!xd_value_equal(c, v), "raw is not equal to a string of the same text");
	xd_value_free(v);
	dbg = xd_value_to_debug_string(c);
	is_str(dbg, "raw(<value>7</value>)", "debug rendering");
	free(dbg);
	xd_value_free(c); /* the last hold: ASan/valgrind see it freed */

	/* An owned raw copies its text. */
	v = xd_raw("{}", 2);
	c = xd_value_copy(v);
	ok(c->u.raw.s != v->u.raw.s && c->u.raw.shared == NULL, "an owned raw copies its text");
	is_str(both(c), "{}|{}", "copy encodes the same");
	xd_value_free(v);
	xd_value_free(c);

	/* wrap: a block written in place after a reserved header. */
	char *block = malloc(sizeof(xd_shared_text) + 4);
	memcpy(block + sizeof(xd_shared_text), "abc", 3);
	t = xd_shared_text_wrap(block, 3);
	is_str(t->text, "abc", "wrap NUL-terminates the text");
	is_int(t->refs, 1, "wrap gives one hold");
	xd_shared_text_hold(NULL);
	xd_shared_text_release(NULL);
	xd_shared_text_release(t);
}

int main(void)
{
	test_xml_encode();
	test_xml_parse();
	test_xml_large();
	test_xml_response();
	test_xml_threads();
	test_json_encode();
	test_json_parse();
	test_jsonrpc();
	test_raw();
	return tap_done();
}
