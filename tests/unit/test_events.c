/* test_events.c - event.from tokens, subscriptions and event classes
 * (core/events/event_sub.c): the parts of the event API that need no daemon. */
#include <math.h>
#include <stdlib.h>

#include "events/event_sub.h"
#include "tap.h"

static void test_tokens(void)
{
	xd_error err = XD_ERROR_INIT;
	uint64_t g = 99, m = 99;
	char tok[XD_EVENT_TOKEN_LEN];

	is_int(xd_event_token_parse("", &g, &m, &err), 0, "empty token parses");
	ok(g == 0 && m == 0, "empty token is the beginning");

	xd_event_token_format(1234, 7, tok);
	is_str(tok, "00000000000000001234,00000000000000000007", "token format as xapi");
	is_int(xd_event_token_parse(tok, &g, &m, &err), 0, "formatted token parses");
	ok(g == 1234 && m == 7, "token round trip");

	xd_event_token_format(UINT64_MAX, 0, tok);
	is_int(xd_event_token_parse(tok, &g, &m, &err), 0, "max token parses");
	ok(g == UINT64_MAX && m == 0, "max token round trip");

	char a[XD_EVENT_TOKEN_LEN], b[XD_EVENT_TOKEN_LEN];
	xd_event_token_format(9, 0, a);
	xd_event_token_format(10, 0, b);
	ok(strcmp(a, b) < 0, "tokens compare lexicographically");

	is_int(xd_event_token_parse("5,0", &g, &m, &err), 0, "unpadded token accepted");
	ok(g == 5, "unpadded token value");

	static const char *const bad[] = {
		"garbage", "12", ",", "1,", ",1", "1,2,3", "-1,0", "1 ,0", "0x10,0",
		"18446744073709551616,0", "1,a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(xd_event_token_parse(bad[i], &g, &m, &err), -1, "bad token '%s' refused", bad[i]);
		is_str(err.code, "EVENT_FROM_TOKEN_PARSE_FAILURE", "  with EVENT_FROM_TOKEN_PARSE_FAILURE");
		ok(err.nparams == 1 && strcmp(err.params[0], bad[i]) == 0, "  echoing the token");
		xd_error_clear(&err);
	}
}

static void test_subs(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_subs s = XD_SUBS_INIT;

	is_int(xd_subs_add(&s, "VM", &err), 0, "class subscription");
	is_int(xd_subs_add(&s, "task/OpaqueRef:abc", &err), 0, "object subscription");
	is_int(xd_subs_add(&s, "nosuchclass", &err), 0, "unknown class accepted");
	is_int(s.n, 3, "three subscriptions");
	ok(s.v[0].kind == XD_SUB_CLASS && strcmp(s.v[0].cls, "vm") == 0, "class lower-cased");
	ok(s.v[1].kind == XD_SUB_OBJECT && strcmp(s.v[1].cls, "task") == 0 &&
	   strcmp(s.v[1].ref, "OpaqueRef:abc") == 0, "object split at the slash");

	ok(xd_subs_match_class(&s, "vm"), "matches class vm");
	ok(xd_subs_match_class(&s, "task"), "object subscription selects its class");
	ok(!xd_subs_match_class(&s, "host"), "does not match host");
	ok(xd_subs_match_object(&s, "vm", "OpaqueRef:x"), "any vm matches");
	ok(xd_subs_match_object(&s, "task", "OpaqueRef:abc"), "the subscribed task matches");
	ok(!xd_subs_match_object(&s, "task", "OpaqueRef:other"), "another task does not");
	ok(!xd_subs_match_object(&s, "host", "OpaqueRef:abc"), "same ref, other class does not");

	/* unregister removes equal entries, case-insensitively for the class */
	xd_subs rm = XD_SUBS_INIT;
	is_int(xd_subs_add(&rm, "vM", &err), 0, "parse for removal");
	xd_subs_remove(&s, &rm);
	is_int(s.n, 2, "vm removed");
	ok(!xd_subs_match_object(&s, "vm", "OpaqueRef:x"), "vm no longer matches");
	xd_subs_clear(&rm);

	xd_subs copy = XD_SUBS_INIT;
	xd_subs_copy(&copy, &s);
	is_int(copy.n, 2, "copy has both");
	ok(xd_subs_match_object(&copy, "task", "OpaqueRef:abc"), "copy matches like the original");
	xd_subs_clear(&copy);
	xd_subs_clear(&s);

	is_int(xd_subs_add(&s, "*", &err), 0, "star");
	ok(s.v[0].kind == XD_SUB_ALL, "star is all");
	ok(xd_subs_match_object(&s, "anything", "OpaqueRef:y"), "star matches everything");
	xd_subs_clear(&s);

	/* split at the first slash only */
	is_int(xd_subs_add(&s, "vdi/a/b", &err), 0, "ref containing a slash");
	is_str(s.v[0].ref, "a/b", "ref keeps the rest");
	xd_subs_clear(&s);

	/* arrays: all or nothing */
	xd_value *arr = xd_array();
	xd_array_append_take(arr, xd_string("host"));
	xd_array_append_take(arr, xd_int(3));
	is_int(xd_subs_add_array(&s, arr, &err), -1, "non-string entry refused");
	is_str(err.code, "EVENT_SUBSCRIPTION_PARSE_FAILURE", "  with EVENT_SUBSCRIPTION_PARSE_FAILURE");
	is_int(s.n, 0, "  and nothing added");
	xd_error_clear(&err);
	xd_array_remove(arr, 1);
	xd_array_append_take(arr, xd_string("SR"));
	is_int(xd_subs_add_array(&s, arr, &err), 0, "string array parses");
	ok(s.n == 2 && xd_subs_match_class(&s, "sr"), "both entries in");
	xd_value_free(arr);
	xd_subs_clear(&s);
}

static void test_classes(void)
{
	ok(xd_event_class_has_events("VM"), "VM has events");
	ok(xd_event_class_has_events("task"), "task has events");
	ok(xd_event_class_has_events("message"), "message has events");
	ok(!xd_event_class_has_events("session"), "session has none");
	ok(!xd_event_class_has_events("secret"), "secret has none");
	ok(!xd_event_class_has_events("User"), "user has none, any case");
}

static void test_timeout(void)
{
	ok(xd_event_timeout_normalise(30.0) == 30.0, "30 s stays");
	ok(xd_event_timeout_normalise(0) == 0, "0 stays");
	ok(xd_event_timeout_normalise(-1) == 86400, "negative is a day");
	ok(xd_event_timeout_normalise(NAN) == 86400, "NaN is a day");
	ok(xd_event_timeout_normalise(1e300) == 86400, "huge is a day");
}

int main(void)
{
	test_tokens();
	test_subs();
	test_classes();
	test_timeout();
	return tap_done();
}
