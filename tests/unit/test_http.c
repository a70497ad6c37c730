/* test_http.c - the HTTP server (core/http/http.c) through raw sockets, with a fake
 * xd_rpc_dispatch defined here (rpc.c is not linked): routing of POST paths to
 * XML-RPC / JSON-RPC, exact headers, keep-alive, pipelining, chunked bodies,
 * limits and malformed requests, the unix socket and its peer uid, registered
 * paths, concurrency, max_connections and stopping. Expected RPC bodies are
 * made with the wire encoders themselves, so that this test checks the
 * transport and not the encoding. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "http/http.h"
#include "http/http_parse.h"
#include "log.h"
#include "tap.h"
#include "wire.h"

/* ---- the fake dispatcher ---------------------------------------------- */

static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_method[128];
static atomic_int ncalls;

xd_value *xd_rpc_dispatch(const char *method, xd_value *params, const xd_peer *peer,
			  xd_result_kind *kind, xd_error *err)
{
	xd_value *res = NULL;

	pthread_mutex_lock(&fake_lock);
	snprintf(last_method, sizeof(last_method), "%s", method);
	pthread_mutex_unlock(&fake_lock);
	atomic_fetch_add(&ncalls, 1);

	if (strcmp(method, "echo") == 0) {
		res = params->u.arr.n ? xd_value_copy(params->u.arr.items[0]) : xd_string("");
	} else if (strcmp(method, "fail") == 0) {
		xd_error_set(err, "SOME_ERROR", "p1", NULL);
	} else if (strcmp(method, "system.listMethods") == 0) {
		*kind = XD_RESULT_RAW;
		res = xd_array();
		xd_array_append_take(res, xd_string("a.b"));
		xd_array_append_take(res, xd_string("c.d"));
	} else if (strcmp(method, "whoami") == 0) {
		char s[64];

		if (peer->is_unix)
			snprintf(s, sizeof(s), "unix:%d", (int)peer->uid);
		else
			snprintf(s, sizeof(s), "tcp:%d", (int)peer->uid);
		res = xd_string(s);
	} else if (strcmp(method, "slow") == 0) {
		usleep(300 * 1000);
		res = xd_string("done");
	} else {
		xd_error_set(err, "MESSAGE_METHOD_UNKNOWN", method, NULL);
	}
	xd_value_free(params);
	return res;
}

static const char *last(void)
{
	static char copy[128];

	pthread_mutex_lock(&fake_lock);
	memcpy(copy, last_method, sizeof(copy));
	last_method[0] = '\0';
	pthread_mutex_unlock(&fake_lock);
	return copy;
}

/* ---- registered paths -------------------------------------------------- */

static void get_data(const xd_http_request *req)
{
	char *name = xd_http_query_get(req->query, "name");
	char body[256];

	snprintf(body, sizeof(body), "name=%s auth=%s", name ? name : "(none)",
		 req->authorization ? req->authorization : "(none)");
	free(name);
	xd_http_send_simple(req->fd, 200, "text/plain", body);
}

/* Reads the whole body (prefix + rest from the fd) and answers its size
 * and first bytes. */
static void put_upload(const xd_http_request *req)
{
	size_t got = req->body_prefix_len;
	char buf[4096], body[256], first[9] = "";

	memcpy(first, req->body_prefix, got < 8 ? got : 8);
	while ((int64_t)got < req->content_length) {
		ssize_t n = read(req->fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		if (got < 8)
			memcpy(first + got, buf, (size_t)n < 8 - got ? (size_t)n : 8 - got);
		got += (size_t)n;
	}
	snprintf(body, sizeof(body), "%zu %s", got, first);
	xd_http_send_simple(req->fd, 200, "text/plain", body);
}

/* ---- a raw client ------------------------------------------------------ */

typedef struct client {
	int fd;
	char buf[1 << 16];
	size_t len;
} client;

typedef struct response {
	int status;
	char version[16];
	char head[4096];   /* header fields, "\r\n"-separated */
	char *body;
	size_t blen;
} response;

static int tcp_connect_port(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static client *client_new(int fd)
{
	client *c = calloc(1, sizeof(*c));
	struct timeval tv = { .tv_sec = 5 };

	c->fd = fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return c;
}

static void client_free(client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static int send_str(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int csend(client *c, const char *s)
{
	return send_str(c->fd, s, strlen(s));
}

static int cfill(client *c)
{
	ssize_t n;

	if (c->len == sizeof(c->buf))
		return -1;
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 0;
}

static void response_clear(response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/* The value of header `name` in r (exact text), or NULL. */
static const char *header(const response *r, const char *name)
{
	static _Thread_local char val[512];
	const char *p = r->head;
	size_t nl = strlen(name);

	while (*p) {
		const char *e = strstr(p, "\r\n");

		if (!e)
			e = p + strlen(p);
		if ((size_t)(e - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;

			while (*v == ' ')
				v++;
			snprintf(val, sizeof(val), "%.*s", (int)(e - v), v);
			return val;
		}
		p = *e ? e + 2 : e;
	}
	return NULL;
}

/* Reads one response. head_only: a HEAD request (no body). Returns 0 or -1. */
static int read_response_x(client *c, response *r, bool head_only)
{
	char *end;
	size_t hlen, need;
	const char *cl;

	memset(r, 0, sizeof(*r));
	while (!(end = memmem(c->buf, c->len, "\r\n\r\n", 4)))
		if (cfill(c) < 0)
			return -1;
	hlen = (size_t)(end - c->buf) + 4;
	if (sscanf(c->buf, "%15s %d", r->version, &r->status) != 2)
		return -1;
	{
		char *first = memmem(c->buf, hlen, "\r\n", 2);
		size_t n = hlen - (size_t)(first + 2 - c->buf) - 2;

		if (n >= sizeof(r->head))
			return -1;
		memcpy(r->head, first + 2, n);
		r->head[n] = '\0';
	}
	cl = header(r, "Content-Length");
	need = head_only || !cl ? 0 : (size_t)atol(cl);
	while (c->len < hlen + need)
		if (cfill(c) < 0)
			return -1;
	r->body = malloc(need + 1);
	memcpy(r->body, c->buf + hlen, need);
	r->body[need] = '\0';
	r->blen = need;
	memmove(c->buf, c->buf + hlen + need, c->len - hlen - need);
	c->len -= hlen + need;
	return 0;
}

static int read_response(client *c, response *r)
{
	return read_response_x(c, r, false);
}

/* True if the server closed the connection (nothing more to read). */
static bool at_eof(client *c)
{
	char b;

	if (c->len)
		return false;
	return recv(c->fd, &b, 1, 0) == 0;
}

/* ---- request builders -------------------------------------------------- */

static char *xml_call(const char *method, const char *arg)
{
	char *s = NULL;

	if (asprintf(&s,
		     "<?xml version=\"1.0\"?><methodCall><methodName>%s</methodName><params>%s%s%s"
		     "</params></methodCall>",
		     method, arg ? "<param><value><string>" : "", arg ? arg : "",
		     arg ? "</string></value></param>" : "") < 0)
		abort();
	return s;
}

static char *post(const char *path, const char *extra, const char *body)
{
	char *s = NULL;

	if (asprintf(&s,
		     "POST %s HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\n%sContent-Length: %zu\r\n\r\n%s",
		     path, extra ? extra : "", strlen(body), body) < 0)
		abort();
	return s;
}

static char *xml_post(const char *path, const char *method, const char *arg)
{
	char *b = xml_call(method, arg), *s = post(path, NULL, b);

	free(b);
	return s;
}

static char *expect_xml_success(const xd_value *v)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	xd_xmlrpc_encode_success(&sb, v);
	return xd_strbuf_steal(&sb);
}

static char *expect_xml_string(const char *s)
{
	xd_value *v = xd_string(s);
	char *r = expect_xml_success(v);

	xd_value_free(v);
	return r;
}

/* Does one XML-RPC echo on c and checks the answer is "arg". */
static bool echo_ok(client *c, const char *path, const char *arg)
{
	char *req = xml_post(path, "echo", arg), *want = expect_xml_string(arg);
	response r;
	bool good = false;

	if (csend(c, req) == 0 && read_response(c, &r) == 0) {
		good = r.status == 200 && strcmp(r.body, want) == 0;
		if (!good)
			printf("# %s: status %d, body '%s'\n", path, r.status, r.body);
		response_clear(&r);
	}
	free(req);
	free(want);
	return good;
}

/* ---- tests ------------------------------------------------------------- */

static int port;
static char sock_path[108];

static void test_rpc_routing(void)
{
	client *c = client_new(tcp_connect_port(port));
	char *req, *want;
	response r;
	const char *paths[] = { "/", "/RPC2", "/xmlrpc", "/anything", "/RPC2?x=1", "/jsonrpcx" };
	size_t i;

	/* Keep-alive: two requests on one connection. */
	req = xml_post("/", "echo", "hello");
	want = expect_xml_string("hello");
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "POST / answered");
	is_int(r.status, 200, "POST / -> 200");
	is_str(r.version, "HTTP/1.1", "HTTP/1.1 answer");
	is_str(header(&r, "Content-Type"), "text/xml", "XML-RPC Content-Type is exactly text/xml");
	is_str(header(&r, "Access-Control-Allow-Origin"), "*", "XML-RPC: CORS origin");
	is_str(header(&r, "Access-Control-Allow-Headers"), "X-Requested-With", "XML-RPC: CORS headers");
	ok(header(&r, "Connection") == NULL, "no Connection header on a kept 1.1 connection");
	is_str(r.body, want, "POST / body is the encoded success");
	is_str(last(), "echo", "dispatcher saw the method");
	response_clear(&r);
	free(req);
	free(want);

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ok(echo_ok(c, paths[i], paths[i]), "POST %s reaches XML-RPC on the same connection", paths[i]);
		is_str(last(), "echo", "  (dispatched)");
	}

	/* A failure is an envelope in a 200. */
	req = xml_post("/", "fail", NULL);
	{
		xd_error e = XD_ERROR_INIT;
		xd_strbuf sb = XD_STRBUF_INIT;

		xd_error_set(&e, "SOME_ERROR", "p1", NULL);
		xd_xmlrpc_encode_failure(&sb, &e);
		ok(csend(c, req) == 0 && read_response(c, &r) == 0, "failing call answered");
		is_int(r.status, 200, "failing call -> 200");
		is_str(r.body, sb.data, "failure envelope");
		xd_strbuf_free(&sb);
		xd_error_clear(&e);
	}
	response_clear(&r);
	free(req);

	/* RAW result: system.listMethods. */
	req = xml_post("/", "system.listMethods", NULL);
	{
		xd_strbuf sb = XD_STRBUF_INIT;
		xd_value *v = xd_array();

		xd_array_append_take(v, xd_string("a.b"));
		xd_array_append_take(v, xd_string("c.d"));
		xd_xmlrpc_encode_raw(&sb, v);
		ok(csend(c, req) == 0 && read_response(c, &r) == 0, "listMethods answered");
		is_str(r.body, sb.data, "listMethods is a bare value (encode_raw)");
		xd_strbuf_free(&sb);
		xd_value_free(v);
	}
	response_clear(&r);
	free(req);
	client_free(c);
}

static void test_jsonrpc(void)
{
	client *c = client_new(tcp_connect_port(port));
	const char *body = "{\"method\":\"echo\",\"params\":[\"hi\"],\"id\":7}";
	const char *body2 = "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"params\":[],\"id\":\"x\"}";
	xd_jsonrpc_req jr;
	xd_strbuf sb = XD_STRBUF_INIT;
	char *why = NULL, *req;
	response r;

	ok(xd_jsonrpc_parse_request(body, strlen(body), &jr, &why) == 0, "fixture parses");
	{
		xd_value *v = xd_string("hi");

		xd_jsonrpc_encode_success(&sb, &jr, v);
		xd_value_free(v);
	}
	xd_jsonrpc_req_clear(&jr);

	req = post("/jsonrpc", NULL, body);
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "POST /jsonrpc answered");
	free(req);
	is_int(r.status, 200, "/jsonrpc -> 200");
	is_str(header(&r, "Content-Type"), "application/json", "JSON Content-Type exactly application/json");
	is_str(header(&r, "Access-Control-Allow-Origin"), "*", "JSON: CORS origin");
	is_str(header(&r, "Access-Control-Allow-Headers"), "X-Requested-With", "JSON: CORS headers");
	is_str(r.body, sb.data, "JSON-RPC success body");
	is_str(last(), "echo", "JSON-RPC dispatched");
	response_clear(&r);

	req = post("/jsonrpc?foo=bar", "Content-Type: application/json; charset=utf-8\r\n", body);
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "POST /jsonrpc?query answered");
	free(req);
	is_str(header(&r, "Content-Type"), "application/json", "/jsonrpc with a query is JSON-RPC");
	is_str(r.body, sb.data, "same body");
	response_clear(&r);
	xd_strbuf_free(&sb);

	ok(xd_jsonrpc_parse_request(body2, strlen(body2), &jr, &why) == 0, "v2 fixture parses");
	{
		xd_error e = XD_ERROR_INIT;

		xd_error_set(&e, "SOME_ERROR", "p1", NULL);
		xd_jsonrpc_encode_failure(&sb, &jr, &e);
		xd_error_clear(&e);
	}
	xd_jsonrpc_req_clear(&jr);
	req = post("/jsonrpc", NULL, body2);
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "JSON-RPC failure answered");
	free(req);
	is_int(r.status, 200, "JSON-RPC failure -> 200");
	is_str(r.body, sb.data, "JSON-RPC failure body");
	response_clear(&r);
	xd_strbuf_free(&sb);

	/* Unparseable bodies: HTTP 500 with an HTML body, connection closed. */
	req = post("/jsonrpc", NULL, "{not json");
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "bad JSON answered");
	free(req);
	is_int(r.status, 500, "bad JSON -> 500");
	is_str(header(&r, "Content-Type"), "text/html", "500 is HTML");
	ok(strstr(r.body, "<html>") != NULL, "500 has an HTML body");
	ok(at_eof(c), "connection closed after 500");
	response_clear(&r);
	client_free(c);

	c = client_new(tcp_connect_port(port));
	req = post("/", NULL, "this is not xml");
	atomic_store(&ncalls, 0);
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "bad XML answered");
	free(req);
	is_int(r.status, 500, "bad XML -> 500");
	is_int(atomic_load(&ncalls), 0, "nothing dispatched for bad XML");
	response_clear(&r);
	client_free(c);
}

static void test_pipelining(void)
{
	client *c = client_new(tcp_connect_port(port));
	char *a = xml_post("/", "echo", "one"), *b = xml_post("/RPC2", "echo", "two");
	char *j = post("/jsonrpc", NULL, "{\"method\":\"echo\",\"params\":[\"three\"],\"id\":3}");
	char *all = NULL, *w1 = expect_xml_string("one"), *w2 = expect_xml_string("two");
	response r;
	size_t i, n;

	if (asprintf(&all, "%s%s%s", a, b, j) < 0)
		abort();
	ok(csend(c, all) == 0, "three requests sent in one write");
	ok(read_response(c, &r) == 0 && strcmp(r.body, w1) == 0, "pipelined 1st answer");
	response_clear(&r);
	ok(read_response(c, &r) == 0 && strcmp(r.body, w2) == 0, "pipelined 2nd answer");
	response_clear(&r);
	ok(read_response(c, &r) == 0 && strcmp(header(&r, "Content-Type"), "application/json") == 0 &&
		   strstr(r.body, "three") != NULL,
	   "pipelined 3rd (JSON) answer");
	response_clear(&r);

	/* The same request dribbled a byte at a time. */
	n = strlen(a);
	for (i = 0; i < n; i++) {
		if (send_str(c->fd, a + i, 1) < 0)
			break;
		if (i % 16 == 0)
			usleep(100);
	}
	ok(i == n && read_response(c, &r) == 0 && strcmp(r.body, w1) == 0,
	   "request sent byte by byte is answered");
	response_clear(&r);

	/* Blank lines before a request are tolerated. */
	free(all);
	if (asprintf(&all, "\r\n\r\n%s", b) < 0)
		abort();
	ok(csend(c, all) == 0 && read_response(c, &r) == 0 && strcmp(r.body, w2) == 0,
	   "leading blank lines skipped");
	response_clear(&r);

	free(a);
	free(b);
	free(j);
	free(all);
	free(w1);
	free(w2);
	client_free(c);
}

static void test_chunked(void)
{
	client *c = client_new(tcp_connect_port(port));
	char *body = xml_call("echo", "chunky"), *want = expect_xml_string("chunky");
	char *req = NULL, *next = xml_post("/", "echo", "after");
	char *want2 = expect_xml_string("after");
	size_t n = strlen(body), half = n / 2;
	response r;

	/* Two chunks (one with an extension), a trailer, then a pipelined request. */
	if (asprintf(&req,
		     "POST /RPC2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "%zx\r\n%.*s\r\n%zX;ext=1\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n%s",
		     half, (int)half, body, n - half, body + half, next) < 0)
		abort();
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "chunked request answered");
	is_int(r.status, 200, "chunked -> 200");
	is_str(r.body, want, "chunked body decoded");
	response_clear(&r);
	ok(read_response(c, &r) == 0 && strcmp(r.body, want2) == 0, "request after a chunked one");
	response_clear(&r);
	free(req);

	/* Chunked with lowercase hex and bare LF line ends. */
	if (asprintf(&req, "POST / HTTP/1.1\ntransfer-encoding: Chunked\n\n%zx\n%s\n0\n\n", n, body) < 0)
		abort();
	ok(csend(c, req) == 0 && read_response(c, &r) == 0 && strcmp(r.body, want) == 0,
	   "chunked with bare LF");
	response_clear(&r);
	free(req);

	/* A bad chunk size: 400 and close. */
	ok(csend(c, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == 0 &&
		   read_response(c, &r) == 0,
	   "bad chunk size answered");
	is_int(r.status, 400, "bad chunk size -> 400");
	ok(at_eof(c), "closed after a bad chunk");
	response_clear(&r);
	client_free(c);

	/* A chunked body over max_body: 413. */
	c = client_new(tcp_connect_port(port));
	ok(csend(c, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n") == 0 &&
		   read_response(c, &r) == 0,
	   "oversized chunk answered");
	is_int(r.status, 413, "chunk over max_body -> 413");
	response_clear(&r);
	client_free(c);

	free(body);
	free(want);
	free(want2);
	free(next);
}

static void test_limits_and_errors(void)
{
	struct {
		const char *req, *what;
		int status;
	} bad[] = {
		{ "GARBAGE\r\n\r\n", "request line without target", 400 },
		{ "GET  / HTTP/1.1\r\n\r\n", "double space", 400 },
		{ "GET / HTTP/1.1 x\r\n\r\n", "junk after version", 400 },
		{ "GET / HTTP/2.0\r\n\r\n", "HTTP/2.0", 505 },
		{ "GET / FOO/1.1\r\n\r\n", "not HTTP", 400 },
		{ "GET nopath HTTP/1.1\r\n\r\n", "target not a path", 400 },
		{ "G(T / HTTP/1.1\r\n\r\n", "bad method char", 400 },
		{ "GET / HTTP/1.1\r\nBad Header\r\n\r\n", "field without colon", 400 },
		{ "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", "space in field name", 400 },
		{ "GET / HTTP/1.1\r\n: x\r\n\r\n", "empty field name", 400 },
		{ "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", "obsolete line folding", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", "non-numeric Content-Length", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "negative Content-Length", 400 },
		{ "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "conflicting Content-Length", 400 },
		{ "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "unknown transfer coding", 501 },
		{ "GET /\rx HTTP/1.1\r\n\r\n", "CR inside the request line", 400 },
	};
	response r;
	size_t i;
	client *c;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = client_new(tcp_connect_port(port));
		ok(csend(c, bad[i].req) == 0 && read_response(c, &r) == 0, "%s: answered", bad[i].what);
		is_int(r.status, bad[i].status, "%s -> %d", bad[i].what, bad[i].status);
		is_str(header(&r, "Connection"), "close", "%s: Connection: close", bad[i].what);
		ok(at_eof(c), "%s: closed", bad[i].what);
		response_clear(&r);
		client_free(c);
	}

	/* A head that never ends: 431. */
	{
		size_t n = XD_HTTP_HEAD_MAX + 1000;
		char *big = malloc(n + 1);

		memcpy(big, "GET / HTTP/1.1\r\nX-Big: ", 23);
		memset(big + 23, 'a', n - 23);
		big[n] = '\0';
		c = client_new(tcp_connect_port(port));
		ok(csend(c, big) == 0 && read_response(c, &r) == 0, "huge head answered");
		is_int(r.status, 431, "huge head -> 431");
		response_clear(&r);
		client_free(c);
		free(big);
	}
	/* Too many fields: 431. */
	{
		xd_strbuf sb = XD_STRBUF_INIT;

		xd_strbuf_puts(&sb, "GET / HTTP/1.1\r\n");
		for (i = 0; i <= XD_HTTP_FIELDS_MAX; i++)
			xd_strbuf_printf(&sb, "X-F%zu: v\r\n", i);
		xd_strbuf_puts(&sb, "\r\n");
		c = client_new(tcp_connect_port(port));
		ok(csend(c, sb.data) == 0 && read_response(c, &r) == 0, "many fields answered");
		is_int(r.status, 431, "too many fields -> 431");
		response_clear(&r);
		client_free(c);
		xd_strbuf_free(&sb);
	}

	/* 413: the body is never read; the answer comes before it is sent. */
	atomic_store(&ncalls, 0);
	c = client_new(tcp_connect_port(port));
	ok(csend(c, "POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n") == 0 && read_response(c, &r) == 0,
	   "oversized body answered before it was sent");
	is_int(r.status, 413, "body over max_body -> 413");
	ok(strstr(r.body, "larger than the limit of 4096 bytes") != NULL, "413 says what the limit is");
	is_str(header(&r, "Connection"), "close", "413 closes");
	is_int(atomic_load(&ncalls), 0, "nothing dispatched for 413");
	response_clear(&r);
	client_free(c);

	/* A body exactly at the limit is fine. */
	{
		char *arg = malloc(4096), *b, *req, *want;

		c = client_new(tcp_connect_port(port));
		b = xml_call("echo", "");
		memset(arg, 'x', 4096 - strlen(b));
		arg[4096 - strlen(b)] = '\0';
		free(b);
		b = xml_call("echo", arg);
		is_int(strlen(b), 4096, "fixture is exactly max_body");
		req = post("/", NULL, b);
		want = expect_xml_string(arg);
		ok(csend(c, req) == 0 && read_response(c, &r) == 0 && r.status == 200 &&
			   strcmp(r.body, want) == 0,
		   "body of exactly max_body accepted");
		response_clear(&r);
		free(req);
		free(want);
		free(b);
		free(arg);
		client_free(c);
	}

	/* Expect: 100-continue gets a 100 before the body is sent. */
	{
		char *b = xml_call("echo", "cont"), *want = expect_xml_string("cont"), *req = NULL;

		if (asprintf(&req, "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
			     strlen(b)) < 0)
			abort();
		c = client_new(tcp_connect_port(port));
		ok(csend(c, req) == 0 && read_response(c, &r) == 0, "100-continue answered");
		is_int(r.status, 100, "Expect: 100-continue -> 100 first");
		response_clear(&r);
		ok(csend(c, b) == 0 && read_response(c, &r) == 0 && r.status == 200 &&
			   strcmp(r.body, want) == 0,
		   "then the final answer");
		response_clear(&r);
		client_free(c);
		free(req);
		free(b);
		free(want);
	}
}

static void test_http10_and_close(void)
{
	client *c = client_new(tcp_connect_port(port));
	char *b = xml_call("echo", "old"), *want = expect_xml_string("old"), *req = NULL;
	response r;

	if (asprintf(&req, "POST / HTTP/1.0\r\nContent-Length: %zu\r\n\r\n%s", strlen(b), b) < 0)
		abort();
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "HTTP/1.0 answered");
	is_str(r.version, "HTTP/1.0", "answered as HTTP/1.0");
	is_str(r.body, want, "HTTP/1.0 body");
	ok(at_eof(c), "HTTP/1.0 without keep-alive closes");
	response_clear(&r);
	client_free(c);
	free(req);

	c = client_new(tcp_connect_port(port));
	if (asprintf(&req, "POST / HTTP/1.0\r\nConnection: Keep-Alive\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen(b), b) < 0)
		abort();
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "HTTP/1.0 keep-alive answered");
	is_str(header(&r, "Connection"), "keep-alive", "HTTP/1.0 keep-alive acknowledged");
	response_clear(&r);
	ok(csend(c, req) == 0 && read_response(c, &r) == 0 && strcmp(r.body, want) == 0,
	   "HTTP/1.0 keep-alive: second request");
	response_clear(&r);
	client_free(c);
	free(req);

	c = client_new(tcp_connect_port(port));
	if (asprintf(&req, "POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen(b), b) < 0)
		abort();
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "Connection: close answered");
	is_str(header(&r, "Connection"), "close", "Connection: close echoed");
	ok(at_eof(c), "Connection: close honoured");
	response_clear(&r);
	client_free(c);
	free(req);

	/* absolute-form target */
	c = client_new(tcp_connect_port(port));
	if (asprintf(&req, "POST http://host:80/jsonrpc HTTP/1.1\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen("{\"method\":\"echo\",\"params\":[\"abs\"],\"id\":1}"),
		     "{\"method\":\"echo\",\"params\":[\"abs\"],\"id\":1}") < 0)
		abort();
	ok(csend(c, req) == 0 && read_response(c, &r) == 0 &&
		   strcmp(header(&r, "Content-Type"), "application/json") == 0,
	   "absolute-form target routed by its path");
	response_clear(&r);
	client_free(c);
	free(req);
	free(b);
	free(want);
}

static void test_options_get_put(void)
{
	client *c = client_new(tcp_connect_port(port));
	response r;
	char *req = NULL;

	ok(csend(c, "OPTIONS /jsonrpc HTTP/1.1\r\nOrigin: http://x\r\n"
		    "Access-Control-Request-Method: POST\r\n\r\n") == 0 && read_response(c, &r) == 0,
	   "OPTIONS answered");
	is_int(r.status, 200, "OPTIONS -> 200");
	is_str(header(&r, "Access-Control-Allow-Origin"), "*", "pre-flight origin");
	is_str(header(&r, "Access-Control-Allow-Methods"), "GET, POST, PUT, OPTIONS", "pre-flight methods");
	is_str(header(&r, "Access-Control-Allow-Headers"), "X-Requested-With, Content-Type",
	       "pre-flight headers");
	is_str(header(&r, "Content-Length"), "0", "pre-flight has no body");
	response_clear(&r);
	ok(csend(c, "OPTIONS /anything HTTP/1.1\r\n\r\n") == 0 && read_response(c, &r) == 0 &&
		   r.status == 200,
	   "OPTIONS on any path, same connection");
	response_clear(&r);
	ok(echo_ok(c, "/", "after-options"), "POST after OPTIONS on the same connection");

	ok(csend(c, "GET /nothing-here HTTP/1.1\r\n\r\n") == 0 && read_response(c, &r) == 0,
	   "unregistered GET answered");
	is_int(r.status, 404, "unregistered GET -> 404");
	response_clear(&r);
	ok(csend(c, "HEAD /nothing-here HTTP/1.1\r\n\r\n") == 0 && read_response_x(c, &r, true) == 0 &&
		   r.status == 404,
	   "HEAD -> 404 without a body");
	response_clear(&r);
	ok(csend(c, "PUT /not-registered HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc") == 0 &&
		   read_response(c, &r) == 0 && r.status == 404,
	   "unregistered PUT -> 404 (body skipped)");
	response_clear(&r);
	ok(echo_ok(c, "/", "after-404"), "connection still in step after the 404s");
	client_free(c);

	c = client_new(tcp_connect_port(port));
	ok(csend(c, "GET /data?x=1&name=a%20b+c%2B HTTP/1.1\r\nAuthorization: Basic dTpw\r\n\r\n") == 0 &&
		   read_response(c, &r) == 0,
	   "registered GET answered");
	is_int(r.status, 200, "registered GET -> 200");
	is_str(r.body, "name=a b c+ auth=Basic dTpw", "handler got the decoded query and Authorization");
	is_str(header(&r, "Content-Type"), "text/plain", "send_simple content type");
	ok(at_eof(c), "connection closed after a path handler");
	response_clear(&r);
	client_free(c);

	/* PUT with a body larger than max_body: path handlers read it themselves. */
	{
		size_t n = 200000, i;
		char *body = malloc(n);

		for (i = 0; i < n; i++)
			body[i] = (char)('A' + i % 26);
		c = client_new(tcp_connect_port(port));
		if (asprintf(&req, "PUT /upload?vdi=x HTTP/1.1\r\nContent-Length: %zu\r\n\r\n", n) < 0)
			abort();
		ok(csend(c, req) == 0 && send_str(c->fd, body, n) == 0 && read_response(c, &r) == 0,
		   "registered PUT answered");
		is_str(r.body, "200000 ABCDEFGH", "handler read the whole body (prefix + fd)");
		response_clear(&r);
		client_free(c);
		free(req);
		free(body);
	}
}

static void test_unix_socket(void)
{
	client *c;
	response r;
	char *req = xml_post("/", "whoami", NULL), *want;
	struct stat st;

	ok(stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode), "socket file exists");
	is_int(st.st_mode & 0777, 0666, "socket mode 0666");
	c = client_new(unix_connect(sock_path));
	ok(c->fd >= 0, "unix connect");
	{
		char s[32];

		snprintf(s, sizeof(s), "unix:%d", (int)geteuid());
		want = expect_xml_string(s);
	}
	ok(csend(c, req) == 0 && read_response(c, &r) == 0, "unix socket answered");
	is_str(r.body, want, "peer uid over the unix socket is ours");
	ok(geteuid() != 0 || strstr(r.body, "unix:0") != NULL, "uid 0 when running as root");
	response_clear(&r);
	ok(echo_ok(c, "/", "unix keep-alive"), "unix socket keep-alive");
	client_free(c);
	free(want);

	c = client_new(tcp_connect_port(port));
	want = expect_xml_string("tcp:-1");
	ok(csend(c, req) == 0 && read_response(c, &r) == 0 && strcmp(r.body, want) == 0,
	   "TCP peer: not unix, uid -1");
	response_clear(&r);
	client_free(c);
	free(want);
	free(req);
}

#define NTHREADS 40
#define NREQ 25

static void *hammer(void *arg)
{
	bool use_unix = (long)arg % 4 == 0;
	client *c = client_new(use_unix ? unix_connect(sock_path) : tcp_connect_port(port));
	long good = 0;
	int i;

	for (i = 0; i < NREQ; i++) {
		char arg_s[32];

		snprintf(arg_s, sizeof(arg_s), "t%ld-%d", (long)arg, i);
		if (echo_ok(c, i % 2 ? "/" : "/RPC2", arg_s))
			good++;
	}
	client_free(c);
	return (void *)good;
}

static void test_concurrency(void)
{
	pthread_t th[NTHREADS];
	long total = 0, i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, hammer, (void *)i);
	for (i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(th[i], &ret);
		total += (long)ret;
	}
	is_int(total, NTHREADS * NREQ, "%d concurrent connections x %d requests all answered", NTHREADS,
	       NREQ);
}

static void test_parser_units(void)
{
	char buf[512];
	xd_http_head h;
	size_t scan = 0;
	char *v;

	snprintf(buf, sizeof(buf), "POST /a/b?x=1&y=2 HTTP/1.1\r\nContent-Length: 12\r\n"
				   "Connection: keep-alive, Upgrade\r\n\r\n");
	is_int(xd_http_head_end(buf, strlen(buf), &scan), strlen(buf), "head end found");
	is_int(xd_http_head_parse(buf, strlen(buf), &h), 0, "head parses");
	is_str(buf + h.method, "POST", "method");
	is_str(buf + h.path, "/a/b", "path");
	is_str(buf + h.query, "x=1&y=2", "query");
	is_int(h.content_length, 12, "content length");
	ok(h.keep_alive && !h.chunked, "keep-alive, not chunked");
	ok(h.authorization == XD_HTTP_NONE, "no authorization");

	scan = 0;
	snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: x\r\n\r");
	is_int(xd_http_head_end(buf, strlen(buf), &scan), 0, "incomplete head (CR without LF)");
	strcat(buf, "\n");
	is_int(xd_http_head_end(buf, strlen(buf), &scan), strlen(buf), "completed head found on resume");

	snprintf(buf, sizeof(buf), "PUT http://h HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n");
	is_int(xd_http_head_parse(buf, strlen(buf), &h), 0, "absolute-form without path parses");
	is_str(buf + h.path, "/", "absolute-form without path -> /");
	is_str(buf + h.query, "", "and no query");
	ok(h.chunked && h.content_length == -1 && !h.keep_alive,
	   "chunked + Content-Length: chunked wins, connection not reused");

	v = xd_http_query_get("a=1&b=x%2Fy+z&c&d=%zz%4", "b");
	is_str(v, "x/y z", "query_get decodes %%XX and +");
	free(v);
	v = xd_http_query_get("a=1&b=x%2Fy+z&c&d=%zz%4", "c");
	is_str(v, "", "query_get: key without value");
	free(v);
	v = xd_http_query_get("a=1&b=x%2Fy+z&c&d=%zz%4", "d");
	is_str(v, "%zz%4", "query_get keeps malformed escapes");
	free(v);
	v = xd_http_query_get("a=1&b=2", "e");
	ok(v == NULL, "query_get: absent key -> NULL");
	v = xd_http_query_get("sr%5Fid=OpaqueRef%3Aabc", "sr_id");
	is_str(v, "OpaqueRef:abc", "query_get decodes the key too");
	free(v);
	ok(xd_http_query_get(NULL, "a") == NULL, "query_get(NULL) -> NULL");
}

/* Stop with an idle keep-alive connection and one in the middle of a slow
 * call: the slow call is answered, the idle one is closed, stop returns. */
static void *slow_client(void *arg)
{
	client *c = arg;
	char *req = xml_post("/", "slow", NULL);
	response r;
	long good = 0;

	if (csend(c, req) == 0 && read_response(c, &r) == 0 && r.status == 200 && strstr(r.body, "done"))
		good = 1;
	response_clear(&r);
	free(req);
	return (void *)good;
}

static void test_stop(void)
{
	client *idle = client_new(tcp_connect_port(port));
	client *busy = client_new(tcp_connect_port(port));
	pthread_t th;
	void *ret;
	struct stat st;

	ok(echo_ok(idle, "/", "warm"), "idle connection used once");
	pthread_create(&th, NULL, slow_client, busy);
	usleep(100 * 1000);
	xd_http_stop();
	pthread_join(th, &ret);
	ok((long)ret == 1, "call in progress at stop was answered");
	ok(at_eof(idle), "idle connection closed by stop");
	ok(stat(sock_path, &st) < 0 && errno == ENOENT, "socket file removed by stop");
	ok(tcp_connect_port(port) < 0, "TCP listener closed");
	client_free(idle);
	client_free(busy);
}

static void test_max_connections(void)
{
	xd_http_config cfg = { .listen = "127.0.0.1:0", .max_body = 4096, .max_connections = 2 };
	client *a, *b, *c;
	response r;

	ok(xd_http_start(&cfg) == 0, "restart with max_connections 2");
	port = xd_http_port();
	a = client_new(tcp_connect_port(port));
	b = client_new(tcp_connect_port(port));
	ok(echo_ok(a, "/", "a") && echo_ok(b, "/", "b"), "two connections served");
	c = client_new(tcp_connect_port(port));
	ok(read_response(c, &r) == 0, "third connection answered");
	is_int(r.status, 503, "third connection -> 503");
	ok(at_eof(c), "and closed");
	response_clear(&r);
	client_free(c);
	client_free(a);
	usleep(50 * 1000); /* let the server see the close */
	c = client_new(tcp_connect_port(port));
	ok(echo_ok(c, "/", "c"), "a slot freed by a closed connection is reused");
	client_free(c);
	client_free(b);
	xd_http_stop();
}

static void test_listen_variants(void)
{
	xd_http_config cfg = { .listen = "[::1]:0", .max_body = 4096, .max_connections = 8 };
	int fd;

	if (xd_http_start(&cfg) == 0) {
		struct sockaddr_in6 sa;

		ok(xd_http_port() > 0, "IPv6 listener on a port");
		memset(&sa, 0, sizeof(sa));
		sa.sin6_family = AF_INET6;
		sa.sin6_port = htons((uint16_t)xd_http_port());
		sa.sin6_addr = in6addr_loopback;
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		ok(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "IPv6 connect");
		{
			client *c = client_new(fd);

			ok(echo_ok(c, "/", "v6"), "request over IPv6");
			client_free(c);
		}
		xd_http_stop();
	} else {
		ok(1, "# skip: no IPv6 loopback");
	}

	cfg.listen = "127.0.0.1";
	ok(xd_http_start(&cfg) < 0, "listen address without a port refused");
	cfg.listen = "[::1:0";
	ok(xd_http_start(&cfg) < 0, "unbalanced bracket refused");

	/* A stale socket file is replaced; a regular file is not. */
	{
		struct sockaddr_un sa;
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		FILE *f;

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
		unlink(sock_path);
		ok(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0, "stale socket file made");
		close(s); /* bound, never listening, now dead */
		cfg.listen = NULL;
		cfg.socket_path = sock_path;
		ok(xd_http_start(&cfg) == 0, "start over a stale socket file");
		fd = unix_connect(sock_path);
		{
			client *c = client_new(fd);

			ok(fd >= 0 && echo_ok(c, "/", "fresh"), "fresh socket serves");
			client_free(c);
		}
		xd_http_stop();

		f = fopen(sock_path, "w");
		fclose(f);
		ok(xd_http_start(&cfg) < 0, "a regular file at the socket path is not replaced");
		unlink(sock_path);
	}
}

int main(void)
{
	xd_http_config cfg = { .listen = "127.0.0.1:0", .max_body = 4096, .max_connections = 200 };

	xd_log_set_level(getenv("HTTP_TEST_DEBUG") ? XD_LOG_DEBUG : XD_LOG_ERROR);
	snprintf(sock_path, sizeof(sock_path), "/tmp/xd-test-http-%d.sock", (int)getpid());
	cfg.socket_path = sock_path;
	ok(xd_http_register("GET", "/data", get_data) == 0, "register GET /data");
	ok(xd_http_register("PUT", "/upload", put_upload) == 0, "register PUT /upload");
	ok(xd_http_start(&cfg) == 0, "server starts");
	port = xd_http_port();
	ok(port > 0, "bound port reported (%d)", port);
	ok(xd_http_start(&cfg) < 0, "second start refused");

	test_parser_units();
	test_rpc_routing();
	test_jsonrpc();
	test_pipelining();
	test_chunked();
	test_limits_and_errors();
	test_http10_and_close();
	test_options_get_put();
	test_unix_socket();
	test_concurrency();
	test_stop();
	test_max_connections();
	test_listen_variants();
	return tap_done();
}
