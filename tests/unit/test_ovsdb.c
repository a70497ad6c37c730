/* test_ovsdb.c - the OVSDB client of the Open vSwitch backend without OVS:
 * the framing of RFC 7047 JSON-RPC on a stream (values split anywhere, back
 * to back), calls over a socketpair to a scripted server (echo answered,
 * notifications kept, errors, stale replies, timeouts, a closed peer), the
 * transact result checks, and the exact JSON of the operations the backend
 * builds. (tests/integration/test_ovs_plugin.py runs them against a real
 * ovsdb-server.) */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#include "../../plugins/network/ovs/ovsdb_client.h"
#include "../../plugins/network/ovs/ovsdb_ops.h"
#include "../../plugins/network/ovs/ovsdb_stream.h"

static const char *js(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* ---- framing ---- */

static void test_stream(void)
{
	const char *msg = "{\"id\":1,\"result\":[{\"rows\":[{\"name\":\"a}\\\"{b\"}]}],\"error\":null}";
	size_t len = strlen(msg);
	int all = 1;
	/* every split point: the value comes out once, whole */
	for (size_t cut = 0; cut <= len; cut++) {
		struct ovsdb_stream s;
		json_object *v = NULL;
		ovsdb_stream_init(&s);
		ovsdb_stream_feed(&s, msg, cut);
		int r1 = ovsdb_stream_next(&s, &v);
		if (r1 == 1 && cut < len)
			all = 0;
		if (r1 != 1) {
			ovsdb_stream_feed(&s, msg + cut, len - cut);
			r1 = ovsdb_stream_next(&s, &v);
		}
		if (r1 != 1 || strcmp(js(v), msg) != 0)
			all = 0;
		json_object *w;
		if (ovsdb_stream_next(&s, &w) != 0)
			all = 0;
		json_object_put(v);
		ovsdb_stream_fini(&s);
	}
	ok(all, "a reply split at any of its %zu bytes is parsed once, whole (braces in strings too)",
	   len);

	/* byte by byte, three values back to back with whitespace between */
	const char *three = "{\"a\":1}{\"b\":[2,3]}\n {\"c\":\"x\"}";
	struct ovsdb_stream s;
	ovsdb_stream_init(&s);
	int got = 0;
	char seen[64] = "";
	for (size_t i = 0; three[i]; i++) {
		ovsdb_stream_feed(&s, three + i, 1);
		json_object *v;
		while (ovsdb_stream_next(&s, &v) == 1) {
			got++;
			strcat(seen, js(v));
			json_object_put(v);
		}
	}
	is_int(got, 3, "three values fed a byte at a time come out as three");
	is_str(seen, "{\"a\":1}{\"b\":[2,3]}{\"c\":\"x\"}", "... in order");
	ovsdb_stream_fini(&s);

	/* two in one read */
	ovsdb_stream_init(&s);
	ovsdb_stream_feed(&s, "{\"x\":1}{\"y\":2}", 14);
	json_object *v1, *v2, *v3;
	int a = ovsdb_stream_next(&s, &v1), b = ovsdb_stream_next(&s, &v2);
	int c = ovsdb_stream_next(&s, &v3);
	ok(a == 1 && b == 1 && c == 0 && strcmp(js(v2), "{\"y\":2}") == 0,
	   "two values in one read: both, then nothing");
	json_object_put(v1);
	json_object_put(v2);
	ovsdb_stream_fini(&s);

	ovsdb_stream_init(&s);
	ovsdb_stream_feed(&s, "{\"x\":]", 6);
	json_object *bad;
	is_int(ovsdb_stream_next(&s, &bad), -1, "bad JSON is an error");
	ok(strstr(s.err, "bad JSON") != NULL, "... saying so: %s", s.err);
	ovsdb_stream_fini(&s);
}

/* ---- a scripted server on the other end of a socketpair ---- */

struct server {
	int fd;
	const char *const *replies;   /* sent in turn, "$ID" replaced by the request's id */
	int echo_first;               /* send an echo request and check its answer */
	int echo_ok;
	int requests;
	char last_request[4096];
};

static void send_str(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static json_object *read_msg(struct ovsdb_stream *in, int fd)
{
	json_object *m;
	for (;;) {
		int r = ovsdb_stream_next(in, &m);
		if (r == 1)
			return m;
		if (r < 0)
			return NULL;
		char buf[512];
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			return NULL;
		ovsdb_stream_feed(in, buf, (size_t)n);
	}
}

static void *serve(void *arg)
{
	struct server *sv = arg;
	struct ovsdb_stream in;
	ovsdb_stream_init(&in);
	for (size_t i = 0; sv->replies[i]; i++) {
		json_object *req = read_msg(&in, sv->fd);
		if (!req)
			break;
		sv->requests++;
		snprintf(sv->last_request, sizeof sv->last_request, "%s", js(req));
		long long id = json_object_get_int64(json_object_object_get(req, "id"));
		json_object_put(req);
		if (sv->echo_first && i == 0) {
			send_str(sv->fd, "{\"method\":\"echo\",\"params\":[\"ping\"],\"id\":\"echo\"}");
			json_object *ans = read_msg(&in, sv->fd);
			sv->echo_ok = ans && strcmp(js(ans), "{\"result\":[\"ping\"],\"error\":null,"
							   "\"id\":\"echo\"}") == 0;
			json_object_put(ans);
		}
		if (strcmp(sv->replies[i], "-") == 0)
			continue; /* no answer: the client times out */
		if (strcmp(sv->replies[i], "close") == 0)
			break;
		char out[4096], idbuf[32];
		snprintf(idbuf, sizeof idbuf, "%lld", id);
		const char *src = sv->replies[i], *p;
		out[0] = '\0';
		while ((p = strstr(src, "$ID"))) {
			strncat(out, src, (size_t)(p - src));
			strcat(out, idbuf);
			src = p + 3;
		}
		strcat(out, src);
		send_str(sv->fd, out);
	}
	ovsdb_stream_fini(&in);
	close(sv->fd);
	return NULL;
}

static void start(struct server *sv, struct ovsdb_client *c, pthread_t *t, int timeout_ms)
{
	int sp[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	sv->fd = sp[1];
	ovsdb_client_attach(c, sp[0], timeout_ms);
	pthread_create(t, NULL, serve, sv);
}

static void test_calls(void)
{
	/* a notification and a stale reply before ours; an echo to answer */
	static const char *const r1[] = {
		"{\"method\":\"update\",\"params\":[null,{\"Open_vSwitch\":{}}],\"id\":null}"
		"{\"id\":999,\"result\":\"stale\",\"error\":null}"
		"{\"id\":$ID,\"result\":[\"Open_vSwitch\"],\"error\":null}",
		"{\"id\":$ID,\"result\":null,\"error\":{\"error\":\"unknown database\"}}",
		NULL };
	struct server sv = { .replies = r1, .echo_first = 1 };
	struct ovsdb_client c;
	pthread_t t;
	start(&sv, &c, &t, 5000);
	json_object *res;
	int rc = ovsdb_client_call(&c, "list_dbs", json_object_new_array(), &res);
	ok(rc == 0 && res && strcmp(js(res), "[\"Open_vSwitch\"]") == 0,
	   "list_dbs: the reply with our id, past a stale one");
	json_object_put(res);
	ok(sv.echo_ok, "the server's echo was answered with its params and id");
	json_object *note;
	ok(ovsdb_client_notification(&c, 0, &note) == 1 &&
	   strstr(js(note), "\"method\":\"update\"") != NULL, "the notification was kept");
	json_object_put(note);
	is_str(sv.last_request, "{\"method\":\"list_dbs\",\"params\":[],\"id\":1}",
	       "the request as RFC 7047 frames it");
	rc = ovsdb_client_call(&c, "get_schema", json_object_new_array(), &res);
	ok(rc == -1 && strstr(c.err, "unknown database"), "an error reply fails the call: %s",
	   c.err);
	pthread_join(t, NULL);
	ovsdb_client_close(&c);

	/* silence, then a closed connection */
	static const char *const r2[] = { "-", "close", NULL };
	struct server sv2 = { .replies = r2 };
	start(&sv2, &c, &t, 200);
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = ovsdb_client_call(&c, "list_dbs", json_object_new_array(), &res);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double took = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	ok(rc == -1 && strstr(c.err, "did not answer list_dbs within 200 ms") && took < 2,
	   "no answer: the call fails at its deadline (%.2f s): %s", took, c.err);
	rc = ovsdb_client_call(&c, "list_dbs", json_object_new_array(), &res);
	ok(rc == -1 && strstr(c.err, "closed the connection"), "a closed peer: %s", c.err);
	pthread_join(t, NULL);
	ovsdb_client_close(&c);

	/* transact: every op's result looked at */
	static const char *const r3[] = {
		"{\"id\":$ID,\"result\":[{\"uuid\":[\"uuid\",\"u1\"]},{\"error\":\"constraint "
		"violation\",\"details\":\"Transaction causes multiple rows in \\\"Bridge\\\" table to "
		"have identical values (\\\"br0\\\") for index on column \\\"name\\\".\"}],\"error\":null}",
		"{\"id\":$ID,\"result\":[{},{\"error\":\"constraint violation\",\"details\":\"Cannot "
		"update immutable column name\"}],\"error\":null}",
		"{\"id\":$ID,\"result\":[{\"count\":1}],\"error\":null}",
		"{\"id\":$ID,\"result\":[],\"error\":null}",
		NULL };
	struct server sv3 = { .replies = r3 };
	start(&sv3, &c, &t, 5000);
	json_object *ops = json_object_new_array();
	json_object_array_add(ops, ovsdb_op_comment("x"));
	json_object_array_add(ops, ovsdb_op_comment("y"));
	rc = ovsdb_client_transact(&c, "Open_vSwitch", ops, &res);
	ok(rc == -1 && ovsdb_client_conflict(&c), "a duplicate name is a conflict to retry: %s",
	   c.err);
	json_object_put(res);
	ok(strstr(sv3.last_request, "\"method\":\"transact\",\"params\":[\"Open_vSwitch\","
				    "{\"op\":\"comment\"") != NULL,
	   "transact's params: the database, then the operations");
	ops = json_object_new_array();
	json_object_array_add(ops, ovsdb_op_comment("x"));
	rc = ovsdb_client_transact(&c, "Open_vSwitch", ops, &res);
	ok(rc == -1 && !ovsdb_client_conflict(&c) && strstr(c.err, "immutable"),
	   "another constraint violation is an error, not a race: %s", c.err);
	json_object_put(res);
	ops = json_object_new_array();
	json_object_array_add(ops, ovsdb_op_comment("x"));
	rc = ovsdb_client_transact(&c, "Open_vSwitch", ops, &res);
	ok(rc == 0, "a transaction whose operations all succeeded");
	json_object_put(res);
	ops = json_object_new_array();
	json_object_array_add(ops, ovsdb_op_comment("x"));
	rc = ovsdb_client_transact(&c, "Open_vSwitch", ops, &res);
	ok(rc == -1 && strstr(c.err, "0 results for 1 operations"), "missing results: %s", c.err);
	json_object_put(res);
	pthread_join(t, NULL);
	ovsdb_client_close(&c);

	struct ovsdb_client nc;
	ok(ovsdb_client_open(&nc, "/nonexistent/db.sock", 100) == -1 &&
	   strstr(nc.err, "cannot connect to ovsdb-server at /nonexistent/db.sock"),
	   "no server: %s", nc.err);
	ovsdb_client_close(&nc);
}

/* ---- the operations ---- */

static void test_ops(void)
{
	/* what ovs_bridge.c sends for a new bridge, piece by piece */
	json_object *iface = json_object_new_object();
	json_object_object_add(iface, "name", json_object_new_string("xenbr0"));
	json_object_object_add(iface, "type", json_object_new_string("internal"));
	json_object *op = ovsdb_op_insert("Interface", iface, "iface");
	is_str(js(op), "{\"op\":\"insert\",\"table\":\"Interface\",\"row\":{\"name\":\"xenbr0\","
		       "\"type\":\"internal\"},\"uuid-name\":\"iface\"}", "insert with a uuid-name");
	json_object_put(op);
	json_object *e = json_object_new_array();
	json_object_array_add(e, ovsdb_named_uuid("bridge"));
	op = ovsdb_op_mutate("Open_vSwitch", ovsdb_where_all(),
			     ovsdb_mutation("bridges", "insert", ovsdb_set(e)));
	is_str(js(op), "{\"op\":\"mutate\",\"table\":\"Open_vSwitch\",\"where\":[],\"mutations\":"
		       "[[\"bridges\",\"insert\",[\"set\",[[\"named-uuid\",\"bridge\"]]]]]}",
	       "mutate: a set of one named uuid inserted into every row's bridges");
	json_object_put(op);
	static const char *const cols[] = { "error", "ofport", NULL };
	op = ovsdb_op_select("Interface", ovsdb_where_str("name", "vif1.0"), cols);
	is_str(js(op), "{\"op\":\"select\",\"table\":\"Interface\",\"where\":[[\"name\",\"==\","
		       "\"vif1.0\"]],\"columns\":[\"error\",\"ofport\"]}", "select by name");
	json_object_put(op);
	json_object *row = json_object_new_object(), *m = ovsdb_map();
	ovsdb_map_put(m, "xs-vif-uuid", "5b1c");
	ovsdb_map_put(m, "attached-mac", "aa:bb:cc:dd:ee:ff");
	json_object_object_add(row, "external_ids", m);
	json_object_object_add(row, "tag", ovsdb_empty_set());
	op = ovsdb_op_update("Interface", ovsdb_where_eq("_uuid", ovsdb_uuid("0c5e")), row);
	is_str(js(op), "{\"op\":\"update\",\"table\":\"Interface\",\"where\":[[\"_uuid\",\"==\","
		       "[\"uuid\",\"0c5e\"]]],\"row\":{\"external_ids\":[\"map\",[[\"xs-vif-uuid\","
		       "\"5b1c\"],[\"attached-mac\",\"aa:bb:cc:dd:ee:ff\"]]],\"tag\":[\"set\",[]]}}",
	       "update: a map, an empty optional column, a where on _uuid");
	json_object_put(op);
	op = ovsdb_op_delete("Port", ovsdb_where_str("name", "p"));
	is_str(js(op), "{\"op\":\"delete\",\"table\":\"Port\",\"where\":[[\"name\",\"==\",\"p\"]]}",
	       "delete");
	json_object_put(op);

	/* reading rows back (5.1: a set of one is its bare atom) */
	json_object *r = json_tokener_parse(
		"[{\"rows\":[{\"_uuid\":[\"uuid\",\"b1\"],\"name\":\"xenbr0\","
		"\"ports\":[\"set\",[[\"uuid\",\"p1\"],[\"uuid\",\"p2\"]]],\"tag\":[\"set\",[]],"
		"\"external_ids\":[\"map\",[[\"xs-network-uuids\",\"n1\"]]]},"
		"{\"_uuid\":[\"uuid\",\"b2\"],\"ports\":[\"uuid\",\"p3\"],\"tag\":100}]}]");
	json_object *rows = ovsdb_result_rows(r, 0);
	json_object *b1 = json_object_array_get_idx(rows, 0), *b2 = json_object_array_get_idx(rows, 1);
	is_str(ovsdb_row_uuid(b1), "b1", "_uuid");
	is_int(ovsdb_set_count(ovsdb_col(b1, "ports")), 2, "a set of two");
	ok(ovsdb_set_has_uuid(ovsdb_col(b1, "ports"), "p2") &&
	   !ovsdb_set_has_uuid(ovsdb_col(b1, "ports"), "p3"), "set membership");
	is_int(ovsdb_set_count(ovsdb_col(b2, "ports")), 1, "a bare uuid is a set of one");
	ok(ovsdb_set_has_uuid(ovsdb_col(b2, "ports"), "p3"), "... that holds it");
	int64_t tag = -1;
	ok(!ovsdb_opt_int(ovsdb_col(b1, "tag"), &tag), "an empty optional integer");
	ok(ovsdb_opt_int(ovsdb_col(b2, "tag"), &tag) && tag == 100, "an optional integer set");
	is_str(ovsdb_map_get(ovsdb_col(b1, "external_ids"), "xs-network-uuids"), "n1", "map get");
	ok(ovsdb_map_get(ovsdb_col(b1, "external_ids"), "nope") == NULL, "map get of a missing key");
	is_str(ovsdb_str(b1, "name"), "xenbr0", "a string column");
	is_str(ovsdb_str(b2, "name"), "", "an absent column reads as \"\"");
	ok(ovsdb_result_rows(r, 1) == NULL, "no such result");
	json_object_put(r);
}

int main(void)
{
	test_stream();
	test_calls();
	test_ops();
	return tap_done();
}
