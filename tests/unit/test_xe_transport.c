/* test_xe_transport.c - xe's JSON-RPC over HTTP against a scripted server on
 * a unix socket: the request it sends, success and both error shapes,
 * Content-Length, chunked and read-to-close bodies, reconnecting when a
 * kept-alive connection was closed, and each transport failure's message. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "value.h"
#include "xe_transport.h"

#include "tap.h"

/* One scripted answer: the raw bytes, and whether the server closes the
 * connection after it. */
typedef struct step {
	const char *reply;
	int close_after;
} step;

static const step *steps;
static size_t nsteps, served;
static int listen_fd = -1;
static char last_request[8192];
static int connections;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* Reads one request (head + Content-Length body) into last_request. */
static int read_request(int fd)
{
	size_t len = 0;
	char *end;
	long clen;

	for (;;) {
		ssize_t r = read(fd, last_request + len, sizeof(last_request) - 1 - len);

		if (r <= 0)
			return -1;
		len += (size_t)r;
		last_request[len] = '\0';
		end = strstr(last_request, "\r\n\r\n");
		if (!end)
			continue;
		{
			const char *cl = strstr(last_request, "Content-Length: ");

			clen = cl ? atol(cl + 16) : 0;
		}
		if ((long)(len - (size_t)(end + 4 - last_request)) >= clen)
			return 0;
	}
}

static void *server_main(void *arg __attribute__((unused)))
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0)
			return NULL;
		pthread_mutex_lock(&mu);
		connections++;
		pthread_mutex_unlock(&mu);
		for (;;) {
			const step *s;

			if (read_request(fd) < 0)
				break;
			pthread_mutex_lock(&mu);
			s = served < nsteps ? &steps[served++] : NULL;
			pthread_mutex_unlock(&mu);
			if (!s)
				break;
			if (write(fd, s->reply, strlen(s->reply)) < 0)
				break;
			if (s->close_after)
				break;
		}
		close(fd);
	}
}

static void script(const step *s, size_t n)
{
	pthread_mutex_lock(&mu);
	steps = s;
	nsteps = n;
	served = 0;
	connections = 0;
	pthread_mutex_unlock(&mu);
}

#define OK_HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"

static const step s_basic[] = {
	{ OK_HEAD "Content-Length: 40\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":\"ok\",\"id\":1}  ", 0 },
	{ OK_HEAD "Transfer-Encoding: chunked\r\n\r\n"
		  "1e\r\n{\"jsonrpc\":\"2.0\",\"error\":{\"cod\r\n"
		  "38\r\ne\":1,\"message\":\"UUID_INVALID\",\"data\":[\"VM\",\"x\"]},\"id\":2}\r\n"
		  "0\r\n\r\n", 0 },
	{ OK_HEAD "Content-Length: 54\r\n\r\n{\"result\":null,\"error\":[\"SESSION_INVALID\",\"r\"],\"id\":3}", 0 },
	{ OK_HEAD "Content-Length: 46\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":[1,\"a\",true],\"id\":4}", 1 },
	/* after a close the client reconnects by itself */
	{ "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"jsonrpc\":\"2.0\",\"result\":{\"k\":\"v\"},\"id\":5}", 1 },
	{ "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 0 },
	{ OK_HEAD "Content-Length: 9\r\n\r\nnot json!", 0 },
	{ OK_HEAD "Content-Length: 100\r\n\r\n{\"truncated\":", 1 },
};

static void test_calls(const char *path)
{
	xe_conn *c = xe_conn_new_unix(path);
	xd_error err = XD_ERROR_INIT;
	xd_value *r = NULL, *params;
	char *dbg;

	is_str(xe_conn_target(c), path, "target is the socket path");
	script(s_basic, sizeof(s_basic) / sizeof(s_basic[0]));

	params = xd_array();
	xd_array_append_take(params, xd_string("OpaqueRef:s"));
	xd_array_append_take(params, xd_int(7));
	is_int(xe_conn_call(c, "VM.get_name_label", params, &r, &err), 0, "success");
	ok(r && r->t == XD_V_STRING && strcmp(r->u.s, "ok") == 0, "result string");
	xd_value_free(r);
	ok(strncmp(last_request, "POST /jsonrpc HTTP/1.1\r\n", 24) == 0, "request line");
	ok(strstr(last_request, "\r\nContent-Type: application/json\r\n") != NULL, "content type");
	ok(strstr(last_request, "{\"jsonrpc\":\"2.0\",\"method\":\"VM.get_name_label\","
				"\"params\":[\"OpaqueRef:s\",7],\"id\":1}") != NULL,
	   "JSON-RPC 2.0 body");

	is_int(xe_conn_call(c, "VM.get_record", xd_array(), &r, &err), -1, "v2 error (chunked)");
	is_str(err.code, "UUID_INVALID", "v2 error code");
	is_int(err.nparams, 2, "v2 error params");
	is_str(err.nparams == 2 ? err.params[1] : NULL, "x", "v2 error param");
	ok(r == NULL, "no result on error");
	xd_error_clear(&err);
	ok(strstr(last_request, "\"id\":2}") != NULL, "ids count up");

	is_int(xe_conn_call(c, "VM.get_all", xd_array(), &r, &err), -1, "v1 error");
	is_str(err.code, "SESSION_INVALID", "v1 error code");
	is_int(err.nparams, 1, "v1 error params");
	is_str(err.nparams == 1 ? err.params[0] : NULL, "r", "v1 error param");
	xd_error_clear(&err);

	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), 0, "array result");
	dbg = r ? xd_value_to_debug_string(r) : NULL;
	ok(r && r->t == XD_V_ARRAY && r->u.arr.n == 3, "array of 3: %s", dbg ? dbg : "(null)");
	free(dbg);
	xd_value_free(r);
	is_int(connections, 1, "one connection so far (keep-alive)");

	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), 0, "after the server closed");
	ok(r && r->t == XD_V_STRUCT && xd_struct_get(r, "k"), "body read to EOF");
	xd_value_free(r);
	is_int(connections, 2, "reconnected once");

	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), -2, "HTTP 500");
	{
		char want[512];

		snprintf(want, sizeof(want), "HTTP error 500 from %s", path);
		is_str(xe_conn_error(c), want, "HTTP error message");
	}
	ok(!xd_error_is_set(&err), "no XenAPI error for a transport failure");

	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), -2, "malformed JSON");
	ok(strncmp(xe_conn_error(c), "Malformed JSON-RPC response from ", 33) == 0, "message: %s",
	   xe_conn_error(c));

	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), -2, "truncated body");
	{
		char want[512];

		snprintf(want, sizeof(want), "Connection to %s closed in the middle of a response",
			 path);
		is_str(xe_conn_error(c), want, "truncated message");
	}
	/* Script exhausted: the server closes without answering. */
	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), -2, "no answer");
	{
		char want[512];

		snprintf(want, sizeof(want), "Connection to %s closed without a response", path);
		is_str(xe_conn_error(c), want, "no answer message");
	}
	xe_conn_free(c);
}

static void test_connect_failures(void)
{
	xe_conn *c = xe_conn_new_unix("/nonexistent/dir/xapi.sock");
	xe_conn *t = xe_conn_new_tcp("127.0.0.1", 1, false);
	xd_error err = XD_ERROR_INIT;
	xd_value *r = NULL;

	is_int(xe_conn_call(c, "x.y", xd_array(), &r, &err), -2, "no socket");
	is_str(xe_conn_error(c),
	       "Cannot connect to /nonexistent/dir/xapi.sock: No such file or directory",
	       "no socket message");
	is_str(xe_conn_target(t), "127.0.0.1:1", "tcp target");
	is_int(xe_conn_call(t, "x.y", xd_array(), &r, &err), -2, "refused");
	is_str(xe_conn_error(t), "Cannot connect to 127.0.0.1:1: Connection refused",
	       "refused message");
	xe_conn_free(c);
	xe_conn_free(t);
	t = xe_conn_new_tcp("::1", 8080, false);
	is_str(xe_conn_target(t), "[::1]:8080", "v6 target in brackets");
	xe_conn_free(t);
}

int main(void)
{
	char dir[] = "/tmp/xe-transport-XXXXXX";
	char path[256];
	struct sockaddr_un sa;
	pthread_t th;

	if (!mkdtemp(dir)) {
		printf("not ok 1 - mkdtemp\n");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(listen_fd, 4) < 0) {
		printf("not ok 1 - listen on %s\n", path);
		return 1;
	}
	pthread_create(&th, NULL, server_main, NULL);
	test_calls(path);
	test_connect_failures();
	/* Stop the server: shutting the listener down makes accept() fail. */
	shutdown(listen_fd, SHUT_RDWR);
	close(listen_fd);
	pthread_join(th, NULL);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
