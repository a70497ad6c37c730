/* test_records_stream.c - the streamed bulk answers (generic/records_stream.c,
 * events/event_stream.c): for every stored class and both wires, the bytes
 * written piece by piece through a drain are exactly those of the answer
 * built whole as a value tree and encoded at once (what xapid sent before
 * it streamed); a drain that fails (the peer left) stops the answer early
 * without leaking (run under ASan by tests/run-all --sanitize). */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "dm.h"
#include "events/event_stream.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "tap.h"
#include "wire.h"

#define PER_CLASS 3

/* The drain of the tests: appends to a capture buffer; fails after
 * fail_after calls when fail_after > 0. */
typedef struct capture {
	xd_strbuf got;
	int calls, fail_after;
} capture;

static int capture_drain(void *ud, const char *p, size_t n)
{
	capture *cp = ud;
	if (cp->fail_after && cp->calls >= cp->fail_after)
		return -1;
	cp->calls++;
	xd_strbuf_append(&cp->got, p, n);
	return 0;
}

static const xd_jsonrpc_req jreq = { .method = "m", .id_json = "7", .version = 2 };

static void encode(xd_strbuf *sb, const xd_value *v, bool json)
{
	if (json)
		xd_jsonrpc_encode_success(sb, &jreq, v);
	else
		xd_xmlrpc_encode_success(sb, v);
}

/* v encoded through a drain at every drain point; the whole text (NUL
 * terminated, heap) and the number of drains. */
static char *streamed(const xd_value *v, bool json, int *drains, size_t *len)
{
	capture cp = { XD_STRBUF_INIT, 0, 0 };
	xd_strbuf sb = XD_STRBUF_INIT;

	xd_strbuf_set_drain(&sb, capture_drain, &cp, 1);
	encode(&sb, v, json);
	xd_strbuf_append(&cp.got, sb.data, sb.len);
	xd_strbuf_free(&sb);
	*drains = cp.calls;
	*len = cp.got.len;
	return xd_strbuf_steal(&cp.got);
}

static char *whole(const xd_value *v, bool json, size_t *len)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	encode(&sb, v, json);
	*len = sb.len;
	return xd_strbuf_steal(&sb);
}

static bool same(const xd_value *lazy, const xd_value *tree, bool json, int *drains)
{
	size_t a, b;
	char *s = streamed(lazy, json, drains, &a), *w = whole(tree, json, &b);
	bool eq = a == b && memcmp(s, w, a) == 0;
	if (!eq)
		printf("#   streamed %zu bytes: %.300s\n#   whole %zu bytes: %.300s\n", a, s, b, w);
	free(s);
	free(w);
	return eq;
}

/* Objects with text that needs escaping on both wires. */
static void populate(const xd_class *c)
{
	int nl = xd_dm_field_index(c, "name_label");
	for (int i = 0; i < PER_CLASS; i++) {
		xd_value *r = xd_struct();
		xd_error err = XD_ERROR_INIT;
		for (size_t f = 0; f < c->nfields; f++)
			xd_struct_set_take(r, c->fields[f].name, xd_dm_default_value(&c->fields[f]));
		if (c->uuid_field >= 0)
			xd_struct_set_take(r, "uuid", xd_string_take(xd_uuid_new()));
		if (nl >= 0 && c->fields[nl].type->kind == XD_T_STRING)
			xd_struct_set_take(r, "name_label", xd_string("a <b> & \"c\" \\ \xc3\xa9\t"));
		char *ref = xd_ref_new();
		if (xd_db_create(c, ref, r, &err) < 0) {
			printf("# create %s: %s\n", c->name, err.code);
			xd_error_clear(&err);
		}
		free(ref);
	}
}

typedef struct tree_ctx {
	const xd_class *cls;
	xd_value *out;
	int i;
	bool odd_only;
} tree_ctx;

static int add_record(const char *ref, const xd_value *const *fields, void *ud)
{
	tree_ctx *t = ud;
	(void)fields;
	if (!t->odd_only || t->i++ % 2 == 1)
		xd_struct_append(t->out, ref, xd_db_get_record(t->cls, ref));
	return 0;
}

static bool odd(const char *ref, const xd_value *const *fields, void *ud)
{
	(void)ref;
	(void)fields;
	return (*(int *)ud)++ % 2 == 1;
}

static void test_records(const xd_class *c)
{
	for (int json = 0; json <= 1; json++) {
		tree_ctx t = { c, xd_struct(), 0, false };
		int drains;
		xd_db_foreach(c, add_record, &t);
		xd_value *lazy = xd_records_stream(c, NULL, NULL);
		ok(same(lazy, t.out, json, &drains), "%s.get_all_records, %s: streamed == whole",
		   c->name, json ? "JSON" : "XML-RPC");
		ok(drains >= PER_CLASS, "  drained at each record (%d)", drains);
		xd_value_free(lazy);
		xd_value_free(t.out);

		int k = 0;
		tree_ctx o = { c, xd_struct(), 0, true };
		xd_db_foreach(c, add_record, &o);
		lazy = xd_records_stream(c, odd, &k);
		ok(same(lazy, o.out, json, &drains), "%s: a filtered stream (_where), %s", c->name,
		   json ? "JSON" : "XML-RPC");
		xd_value_free(lazy);
		xd_value_free(o.out);
	}
}

static bool only_class(const xd_class *c, const char *ref, void *ud)
{
	(void)ref;
	return c == ud;
}

static void test_events(const xd_class *c)
{
	for (int json = 0; json <= 1; json++) {
		xd_change *ch = NULL, *bare = NULL;
		size_t n = 0, nb = 0;
		uint64_t upto;
		bool lost;
		int drains;

		xd_db_changes(0, only_class, (void *)c, &ch, &n, &upto, &lost);
		xd_db_changes_bare(0, only_class, (void *)c, &bare, &nb, &upto, &lost);
		xd_value *tree = xd_array();
		for (size_t i = 0; i < n; i++) {
			xd_array_append_take(tree, xd_event_record(&ch[i], ch[i].snapshot, NULL));
			ch[i].snapshot = NULL;
		}
		xd_db_changes_free(ch, n);
		xd_value *lazy = xd_event_stream(bare, nb);
		ok(n == nb && same(lazy, tree, json, &drains),
		   "%s: first event.from's events, %s: streamed == whole", c->name,
		   json ? "JSON" : "XML-RPC");
		xd_value_free(lazy);
		xd_value_free(tree);
	}
}

/* The peer leaves after the first drain: the rest is not produced. */
static void test_failed_drain(const xd_class *vm)
{
	capture cp = { XD_STRBUF_INIT, 0, 1 };
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *lazy = xd_records_stream(vm, NULL, NULL);

	xd_strbuf_set_drain(&sb, capture_drain, &cp, 1);
	xd_xmlrpc_encode_success(&sb, lazy);
	ok(sb.drain_failed, "a failed drain is remembered");
	is_int(cp.calls, 1, "nothing is drained after the failure");
	ok(xd_strbuf_drain_point(&sb) == -1 && sb.len == 0, "later drain points drop the bytes");
	xd_value *copy = xd_value_copy(lazy); /* copies share the maker */
	xd_value_free(lazy);
	size_t len;
	char *again = whole(copy, false, &len);
	ok(strstr(again, "</methodResponse>") != NULL, "a copy outlives the original and emits again");
	free(again);
	xd_value_free(copy);
	xd_strbuf_free(&sb);
	xd_strbuf_free(&cp.got);
}

int main(void)
{
	xd_error err = XD_ERROR_INIT;

	xd_log_set_level(XD_LOG_WARN);
	if (xd_dm_init() < 0 || xd_db_open(":memory:", &err) < 0)
		return 2;
	for (size_t i = 0; i < xd_dm_nclasses(); i++)
		if (xd_dm_class_at(i)->stored)
			populate(xd_dm_class_at(i));
	for (int round = 0; round < 2; round++) /* memos absent, then made */
		for (size_t i = 0; i < xd_dm_nclasses(); i++) {
			const xd_class *c = xd_dm_class_at(i);
			if (!c->stored)
				continue;
			test_records(c);
			test_events(c);
		}
	xd_db_set_memo_limit(0); /* records encoded for the call, never kept */
	test_records(xd_dm_class("VM"));
	test_failed_drain(xd_dm_class("VM"));
	xd_db_close();
	return tap_done();
}
