/* test_value.c - unit tests of the base modules: value trees, datetimes,
 * errors, ids, strbuf escaping and the logger's line format. */
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "ids.h"
#include "log.h"
#include "strbuf.h"
#include "value.h"

#include "tap.h"

static void test_tree(void)
{
	xd_value *st = xd_struct(), *arr = xd_array(), *c, *d;
	char *dbg;

	xd_struct_set_take(st, "name", xd_string("vm1"));
	xd_struct_set_take(st, "count", xd_int(-42));
	xd_struct_set_take(st, "on", xd_bool(true));
	xd_struct_set_take(st, "f", xd_float(1.5));
	xd_struct_set_take(st, "n", xd_nil());
	xd_struct_set_take(st, "when", xd_datetime(1787277623));
	xd_array_append_take(arr, xd_string("a"));
	xd_array_append_take(arr, xd_string_n("bcdef", 2));
	xd_array_append_take(arr, xd_string(NULL));
	xd_array_append_take(arr, xd_string_take(strdup("d")));
	xd_struct_set_take(st, "list", arr);

	is_int(st->u.st.n, 7, "struct has 7 members");
	is_str(xd_struct_get(st, "name")->u.s, "vm1", "struct_get string");
	is_int(xd_struct_get(st, "count")->u.i, -42, "struct_get int");
	ok(xd_struct_get(st, "missing") == NULL, "struct_get of absent member is NULL");
	ok(xd_struct_get(arr, "name") == NULL, "struct_get on an array is NULL");
	is_str(arr->u.arr.items[1]->u.s, "bc", "string_n copies n bytes");
	is_str(arr->u.arr.items[2]->u.s, "", "string(NULL) is empty");

	xd_struct_set_take(st, "name", xd_string("vm2"));
	is_int(st->u.st.n, 7, "set_take on an existing name replaces");
	is_str(xd_struct_get(st, "name")->u.s, "vm2", "replaced value");
	is_str(st->u.st.m[0].name, "name", "replacement keeps position");

	c = xd_value_copy(st);
	ok(c != st && xd_value_equal(c, st), "copy is equal");
	ok(xd_struct_get(c, "list") != arr, "copy is deep");
	xd_struct_set_take(c, "count", xd_int(43));
	ok(!xd_value_equal(c, st), "changed copy differs");
	xd_struct_set_take(c, "count", xd_int(-42));
	ok(xd_value_equal(c, st), "equal again");

	/* Member order does not matter for equality. */
	d = xd_struct();
	xd_struct_set_take(d, "b", xd_int(2));
	xd_struct_set_take(d, "a", xd_int(1));
	{
		xd_value *e = xd_struct();

		xd_struct_set_take(e, "a", xd_int(1));
		xd_struct_set_take(e, "b", xd_int(2));
		ok(xd_value_equal(d, e), "struct equality ignores member order");
		xd_struct_set_take(e, "c", xd_int(3));
		ok(!xd_value_equal(d, e), "extra member makes structs differ");
		xd_value_free(e);
	}
	xd_value_free(d);

	ok(!xd_value_equal(xd_struct_get(st, "count"), xd_struct_get(st, "when")),
	   "int and datetime with different types differ");
	{
		xd_value *i1 = xd_int(5), *dt = xd_datetime(5), *n1 = xd_float(NAN),
			 *n2 = xd_float(NAN), *s1 = xd_string("5");

		ok(!xd_value_equal(i1, dt), "int 5 != datetime 5");
		ok(!xd_value_equal(i1, s1), "int 5 != string \"5\"");
		ok(xd_value_equal(n1, n2), "NaN equals NaN");
		ok(xd_value_equal(NULL, NULL), "NULL equals NULL");
		ok(!xd_value_equal(i1, NULL), "value != NULL");
		xd_value_free(i1);
		xd_value_free(dt);
		xd_value_free(n1);
		xd_value_free(n2);
		xd_value_free(s1);
	}

	is_int(xd_struct_remove(c, "on"), 0, "remove existing member");
	is_int(xd_struct_remove(c, "on"), -1, "remove absent member");
	is_int(c->u.st.n, 6, "one member fewer");
	is_str(c->u.st.m[2].name, "f", "order kept after remove");

	arr = xd_struct_get(c, "list");
	xd_array_remove(arr, 0);
	xd_array_remove(arr, 99); /* out of range: ignored */
	is_int(arr->u.arr.n, 3, "array_remove");
	is_str(arr->u.arr.items[0]->u.s, "bc", "array order kept after remove");

	/* Misuse must not crash nor leak (valgrind/ASan check the leak). */
	xd_array_append_take(c, xd_string("x"));
	xd_struct_set_take(arr, "x", xd_string("x"));
	ok(1, "append to non-array and set on non-struct are ignored");

	dbg = xd_value_to_debug_string(arr);
	is_str(dbg, "[\"bc\", \"\", \"d\"]", "debug string of an array");
	free(dbg);
	{
		xd_value *s = xd_struct();

		xd_struct_set_take(s, "k\"", xd_datetime(0));
		xd_struct_set_take(s, "b", xd_bool(false));
		xd_struct_set_take(s, "n", xd_nil());
		xd_struct_set_take(s, "i", xd_int(INT64_MIN));
		xd_struct_set_take(s, "f", xd_float(0.1));
		dbg = xd_value_to_debug_string(s);
		is_str(dbg,
		       "{\"k\\\"\": datetime(19700101T00:00:00Z), \"b\": false, \"n\": null, "
		       "\"i\": -9223372036854775808, \"f\": 0.1}",
		       "debug string of a struct");
		free(dbg);
		xd_value_free(s);
	}

	xd_value_free(c);
	xd_value_free(st);
	xd_value_free(NULL);
}

/* Appending without the duplicate scan, for names unique by construction. */
static void test_struct_append(void)
{
	xd_value *st = xd_struct(), *arr = xd_array();
	char name[32];

	xd_struct_reserve(st, 3);
	is_int(st->u.st.cap, 3, "reserve makes room");
	xd_struct_append(st, "a", xd_int(1));
	xd_struct_append_take(st, strdup("b"), xd_string("two"));
	xd_struct_append(st, "c", xd_bool(true));
	is_int(st->u.st.cap, 3, "appending within the reserve does not grow");
	xd_struct_reserve(st, 2);
	is_int(st->u.st.cap, 3, "reserve never shrinks");
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "k%d", i);
		xd_struct_append(st, name, xd_int(i));
	}
	is_int(st->u.st.n, 1003, "1003 members appended");
	is_str(st->u.st.m[0].name, "a", "order kept (first)");
	is_str(st->u.st.m[1002].name, "k999", "order kept (last)");
	is_str(xd_struct_get(st, "b")->u.s, "two", "append_take keeps the name it was given");
	is_int(xd_struct_get(st, "k500")->u.i, 500, "found by struct_get");
	/* set_take still finds appended members */
	xd_struct_set_take(st, "k0", xd_int(-1));
	is_int(st->u.st.n, 1003, "set_take replaces an appended member");
	is_int(xd_struct_get(st, "k0")->u.i, -1, "with the new value");

	/* Misuse frees what was given (valgrind/ASan see no leak). */
	xd_struct_append(arr, "x", xd_int(1));
	xd_struct_append_take(arr, strdup("y"), xd_string("leak?"));
	xd_struct_append(st, NULL, xd_int(1));
	xd_struct_append_take(NULL, strdup("z"), xd_int(1));
	xd_struct_reserve(arr, 10);
	is_int(arr->u.arr.n, 0, "append to an array does nothing");
	is_int(st->u.st.n, 1003, "append without a name does nothing");
	xd_value_free(arr);
	xd_value_free(st);
}

static void test_datetime(void)
{
	char buf[32];
	int64_t t;
	static const struct {
		const char *text;
		int64_t want;
	} good[] = {
		{ "20260821T02:00:23Z", 1787277623 },
		{ "2026-08-21T02:00:23Z", 1787277623 },
		{ "20260821T02:00:23", 1787277623 },
		{ "2026-08-21T02:00:23", 1787277623 },
		{ "20260821T020023Z", 1787277623 },
		{ "20260821T04:00:23+02:00", 1787277623 },
		{ "20260821T04:00:23+0200", 1787277623 },
		{ "20260821T04:00:23+02", 1787277623 },
		{ "2026-08-20T20:30:23-05:30", 1787277623 },
		{ "20260821T02:00:23.999Z", 1787277623 },
		{ "20260821t02:00:23z", 1787277623 },
		{ "19700101T00:00:00Z", 0 },
		{ "19691231T23:59:59Z", -1 },
		{ "20000229T23:59:59Z", 951868799 },
		{ "99991231T23:59:59Z", 253402300799LL },
	};
	static const char *const bad[] = {
		"", "garbage", "2026082T02:00:23Z", "20261321T02:00:23Z", "20260230T00:00:00Z",
		"20260821 02:00:23Z", "20260821T24:00:00Z", "20260821T02:60:00Z",
		"20260821T02:00:23Q", "20260821T02:00:23Zjunk", "2026-0821T02:00:23Z",
		"20260821T02:00:23+2", "20260821T02:00:23+02:", "20260821T02:00:23.",
		"19000229T00:00:00Z", "20260821T02:00",
	};
	size_t i;

	xd_datetime_format(1787277623, buf);
	is_str(buf, "20260821T02:00:23Z", "format in xapi's shape");
	xd_datetime_format(0, buf);
	is_str(buf, "19700101T00:00:00Z", "format of the epoch (xapi's null date)");
	xd_datetime_format(-1, buf);
	is_str(buf, "19691231T23:59:59Z", "format before the epoch");
	xd_datetime_format(951868799, buf);
	is_str(buf, "20000229T23:59:59Z", "format of a leap day");
	xd_datetime_format(INT64_MAX, buf);
	is_str(buf, "99991231T23:59:59Z", "huge values are clamped");
	xd_datetime_format(INT64_MIN, buf);
	is_str(buf, "00000101T00:00:00Z", "huge negative values are clamped");

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		t = 12345;
		is_int(xd_datetime_parse(good[i].text, &t), 0, "parse '%s'", good[i].text);
		is_int(t, good[i].want, "value of '%s'", good[i].text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(xd_datetime_parse(bad[i], &t), -1, "refuse '%s'", bad[i]);
	is_int(xd_datetime_parse(NULL, &t), -1, "refuse NULL");

	/* Round trip over a range of instants. */
	{
		int fails = 0;
		int64_t x;

		for (x = -5000000000LL; x < 5000000000LL; x += 7777777) {
			xd_datetime_format(x, buf);
			if (xd_datetime_parse(buf, &t) != 0 || t != x)
				fails++;
		}
		is_int(fails, 0, "format/parse round trip");
	}
}

static void test_error(void)
{
	xd_error e = XD_ERROR_INIT, f = XD_ERROR_INIT;
	const char *ps[] = { "a", NULL, "c" };

	ok(!xd_error_is_set(&e), "fresh error is unset");
	ok(!xd_error_is_set(NULL), "NULL error is unset");
	is_int(xd_error_set(&e, "HANDLE_INVALID", "VM", "OpaqueRef:x", NULL), -1,
	       "set returns -1");
	ok(xd_error_is_set(&e), "error is set");
	is_str(e.code, "HANDLE_INVALID", "code");
	is_int(e.nparams, 2, "two params");
	is_str(e.params[0], "VM", "param 0");
	is_str(e.params[1], "OpaqueRef:x", "param 1");

	is_int(xd_error_copy(&f, &e), 0, "copy");
	xd_error_clear(&e);
	ok(!xd_error_is_set(&e), "cleared");
	is_str(f.code, "HANDLE_INVALID", "copy survives the original");
	is_str(f.params[1], "OpaqueRef:x", "copied param");

	/* Re-raise using one of the error's own strings. */
	xd_error_set(&f, "UUID_INVALID", f.params[0], f.params[1], NULL);
	is_str(f.code, "UUID_INVALID", "self-referencing set: code");
	is_str(f.params[0], "VM", "self-referencing set: param");

	is_int(xd_error_setf(&f, "INTERNAL_ERROR", "bad %s %d", "thing", 7), -1, "setf");
	is_str(f.code, "INTERNAL_ERROR", "setf code");
	is_int(f.nparams, 1, "setf has one param");
	is_str(f.params[0], "bad thing 7", "setf text");

	xd_error_setv(&f, "X", ps, 3);
	is_int(f.nparams, 3, "setv count");
	is_str(f.params[1], "", "NULL param becomes empty");
	is_str(f.params[2], "c", "setv param");

	xd_error_set(&f, "SESSION_INVALID", NULL);
	is_int(f.nparams, 0, "no params");
	xd_error_copy(&f, &e);
	ok(!xd_error_is_set(&f), "copying an unset error clears");

	{
		const char *many[20];
		size_t i;

		for (i = 0; i < 20; i++)
			many[i] = "p";
		xd_error_setv(&f, "MANY", many, 20);
		is_int(f.nparams, XD_ERROR_MAX_PARAMS, "params capped at the maximum");
	}
	is_int(xd_error_set(NULL, "X", NULL), -1, "set on NULL err returns -1");
	xd_error_clear(&f);
	xd_error_clear(&e);
}

static void test_ids(void)
{
	char *u1 = xd_uuid_new(), *u2 = xd_uuid_new(), *r = xd_ref_new();
	int allgood = 1, i;

	ok(xd_uuid_valid(u1), "new uuid is valid: %s", u1);
	is_int(strlen(u1), 36, "uuid length");
	ok(u1[14] == '4', "version 4");
	ok(strchr("89ab", u1[19]) != NULL, "RFC 4122 variant");
	ok(strcmp(u1, u2) != 0, "two uuids differ");
	ok(strncmp(r, "OpaqueRef:", 10) == 0, "ref prefix: %s", r);
	ok(xd_uuid_valid(r + 10), "ref carries a uuid");
	is_int(strlen(r), 46, "ref length");
	for (i = 0; i < 1000; i++) {
		char *u = xd_uuid_new();

		for (const char *p = u; *p; p++)
			if (*p != '-' && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
				allgood = 0;
		if (!xd_uuid_valid(u) || u[14] != '4')
			allgood = 0;
		free(u);
	}
	ok(allgood, "1000 uuids are lower-case v4");

	ok(xd_uuid_valid("6F9619FF-8B86-D011-B42D-00C04FC964FF"), "upper case accepted");
	ok(!xd_uuid_valid("6f9619ff-8b86-d011-b42d-00c04fc964f"), "short refused");
	ok(!xd_uuid_valid("6f9619ff-8b86-d011-b42d-00c04fc964ff0"), "long refused");
	ok(!xd_uuid_valid("6f9619ff8b86-d011-b42d-00c04fc964ff0"), "missing dash refused");
	ok(!xd_uuid_valid("6f9619ff-8b86-d011-b42d-00c04fc964fg"), "non-hex refused");
	ok(!xd_uuid_valid(""), "empty refused");
	ok(!xd_uuid_valid(NULL), "NULL refused");

	ok(xd_ref_is_null(NULL), "NULL is the null ref");
	ok(xd_ref_is_null(""), "\"\" is the null ref");
	ok(xd_ref_is_null("OpaqueRef:NULL"), "OpaqueRef:NULL is the null ref");
	ok(!xd_ref_is_null(r), "a new ref is not null");
	free(u1);
	free(u2);
	free(r);
}

static void test_strbuf(void)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	char *s;
	int i;

	xd_strbuf_put_xml_escaped(&sb, "a&b<c>d\"e'f");
	is_str(sb.data, "a&amp;b&lt;c&gt;d\"e'f", "xml escaping of & < >");
	xd_strbuf_reset(&sb);
	xd_strbuf_put_xml_escaped(&sb, "");
	is_str(sb.data, "", "xml escaping of empty string");
	xd_strbuf_reset(&sb);
	xd_strbuf_put_xml_escaped(&sb, "<<>>&&");
	is_str(sb.data, "&lt;&lt;&gt;&gt;&amp;&amp;", "adjacent escapes");
	xd_strbuf_reset(&sb);

	xd_strbuf_put_json_string(&sb, "q\"b\\s/n\nr\rt\tb\bf\f\x01\x1f\x7f caf\xc3\xa9 \xe2\x82\xac");
	is_str(sb.data,
	       "\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\f\\u0001\\u001f\x7f caf\xc3\xa9 \xe2\x82\xac\"",
	       "json escaping: quotes, controls, UTF-8 passthrough");
	xd_strbuf_reset(&sb);
	xd_strbuf_put_json_string(&sb, "");
	is_str(sb.data, "\"\"", "json empty string");
	xd_strbuf_reset(&sb);

	for (i = 0; i < 10000; i++)
		xd_strbuf_printf(&sb, "%d,", i);
	is_int(sb.len, strlen(sb.data), "len matches contents after growth");
	ok(strncmp(sb.data, "0,1,2,", 6) == 0 && strstr(sb.data, ",9999,") != NULL,
	   "printf appends");
	xd_strbuf_reset(&sb);
	xd_strbuf_printf(&sb, "%s", "");
	xd_strbuf_printf(&sb, "%0300d", 1);
	is_int(sb.len, 300, "long printf into fresh buffer");
	xd_strbuf_putc(&sb, 'x');
	xd_strbuf_append(&sb, "yz", 1);
	is_int(sb.len, 302, "putc/append");
	ok(sb.data[300] == 'x' && sb.data[301] == 'y' && sb.data[302] == '\0', "terminated");
	s = xd_strbuf_steal(&sb);
	ok(sb.data == NULL && sb.len == 0, "steal empties the buffer");
	free(s);
	s = xd_strbuf_steal(&sb);
	is_str(s, "", "steal of an empty buffer gives \"\"");
	free(s);
	xd_strbuf_free(&sb);

	/* Growing past the size where buffers get huge pages (8 MB) keeps
	 * every byte: 40 MB of numbered 64-byte lines. */
	{
		char line[65];
		bool same = true;

		for (int k = 0; k < 655360; k++) {
			snprintf(line, sizeof(line), "%063d", k);
			line[63] = '\n';
			xd_strbuf_append(&sb, line, 64);
		}
		is_int(sb.len, 655360 * 64, "40 MB appended");
		for (int k = 0; k < 655360 && same; k += 4099) {
			snprintf(line, sizeof(line), "%063d", k);
			same = memcmp(sb.data + (size_t)k * 64, line, 63) == 0 &&
			       sb.data[(size_t)k * 64 + 63] == '\n';
		}
		ok(same && sb.data[sb.len] == '\0', "large buffer keeps its bytes, terminated");
		xd_strbuf_free(&sb);
	}
}

static void *log_thread(void *arg)
{
	int id = (int)(intptr_t)arg;
	char task[64];
	int i;

	snprintf(task, sizeof(task), "OpaqueRef:task-%d", id);
	xd_log_set_request((uint64_t)id);
	xd_log_set_task(task);
	for (i = 0; i < 200; i++)
		xd_info("thread %d line %d", id, i);
	return NULL;
}

static void test_log(void)
{
	char path[] = "/tmp/xd-test-log-XXXXXX";
	xd_log_level lvl = XD_LOG_ERROR;
	char line[512];
	regex_t re;
	FILE *f;
	int fd, n = 0, bad = 0;
	pthread_t th[4];

	is_int(xd_log_level_parse("debug", &lvl), 0, "parse debug");
	is_int(lvl, XD_LOG_DEBUG, "debug level");
	is_int(xd_log_level_parse("warn", &lvl), 0, "parse warn");
	is_int(lvl, XD_LOG_WARN, "warn level");
	is_int(xd_log_level_parse("verbose", &lvl), -1, "refuse unknown level");
	is_int(xd_log_set_file("/nonexistent/dir/log"), -1, "unopenable log file");

	fd = mkstemp(path);
	close(fd);
	is_int(xd_log_set_file(path), 0, "log to file");
	xd_log_set_level(XD_LOG_INFO);
	xd_debug("hidden");
	xd_info("plain %d", 1);
	xd_log_set_request(42);
	xd_log_set_task("OpaqueRef:abc");
	xd_warn("with context\nsecond line\n");
	xd_log_set_task(NULL);
	xd_err("request only");
	xd_log_set_request(0);
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, log_thread, (void *)(intptr_t)(i + 1));
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	xd_log_set_file(NULL);

	f = fopen(path, "r");
	ok(f != NULL, "log file readable");
	if (!f)
		return;
	regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z ",
		REG_EXTENDED | REG_NOSUB);
	if (fgets(line, sizeof(line), f)) {
		ok(regexec(&re, line, 0, NULL, 0) == 0, "timestamp shape: %s", line);
		is_str(line + 25, "info plain 1\n", "no context: level and message");
	}
	if (fgets(line, sizeof(line), f))
		is_str(line + 25, "warn [req 42] [task OpaqueRef:abc] with context\\nsecond line\n",
		       "request and task context, newline escaped, one line");
	if (fgets(line, sizeof(line), f))
		is_str(line + 25, "error [req 42] request only\n", "task cleared");
	while (fgets(line, sizeof(line), f)) {
		int id, ln, id2;

		n++;
		if (regexec(&re, line, 0, NULL, 0) != 0 ||
		    sscanf(line + 25, "info [req %d] [task OpaqueRef:task-%d] thread %*d line %d", &id,
			   &id2, &ln) != 3 ||
		    id != id2)
			bad++;
	}
	is_int(n, 800, "all threaded lines present");
	is_int(bad, 0, "threaded lines intact and carry their own thread's context");
	regfree(&re);
	fclose(f);
	unlink(path);
}

static atomic_bool logging_on;

static void *log_busily(void *arg)
{
	(void)arg;
	while (atomic_load(&logging_on))
		xd_info("busy logging from another thread");
	return NULL;
}

/* A child forked while another thread logs (libxl forks its hotplug
 * scripts so from xapid) can log before it execs: no child waits forever
 * for a lock the other thread held at the fork. */
static void test_log_after_fork(void)
{
	pthread_t t;
	int hung = 0, failed = 0;

	xd_log_set_file("/dev/null");
	xd_log_set_level(XD_LOG_INFO);
	atomic_store(&logging_on, true);
	pthread_create(&t, NULL, log_busily, NULL);
	for (int i = 0; i < 300 && !hung; i++) { /* one hang says it all */
		pid_t pid = fork();
		int status = 0;

		if (pid == 0) {
			xd_info("logged from a forked child");
			_exit(0);
		}
		for (int waited_ms = 0;; waited_ms++) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
					failed++;
				break;
			}
			if (waited_ms >= 3000) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				hung++;
				break;
			}
			nanosleep(&(struct timespec){ 0, 1000000L }, NULL);
		}
	}
	atomic_store(&logging_on, false);
	pthread_join(t, NULL);
	xd_log_set_file(NULL);
	is_int(hung, 0, "no forked child hangs in the logger");
	is_int(failed, 0, "every forked child logged and exited");
}

int main(void)
{
	test_tree();
	test_struct_append();
	test_datetime();
	test_error();
	test_ids();
	test_strbuf();
	test_log();
	test_log_after_fork();
	return tap_done();
}
