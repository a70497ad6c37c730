/* xe_transport.c - JSON-RPC 2.0 over HTTP/1.1 for xe (see xe_transport.h). */
#define _GNU_SOURCE
#include "xe_transport.h"


#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "strbuf.h"
#include "wire.h"
#include "xe_http.h"
#include "xe_util.h"
#include "tls_pipe.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/time.h>

#define XE_MAX_RESPONSE (256u * 1024 * 1024) /* refuse absurd replies */

struct xe_conn {
	char *socket_path; /* unix target, or NULL */
	char *host;        /* tcp target */
	int port;
	bool tls;          /* https: every connection through a TLS pipe */
	char *target;      /* printable target */
	int fd;            /* -1 when not connected */
	bool debug;
	long next_id;
	char *why;         /* last transport error */
	/* Read buffer: bytes [rpos, rlen) of rbuf are unread. */
	char *rbuf;
	size_t rpos, rlen, rcap;
};

static void set_why(xe_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(xe_conn *c, const char *fmt, ...)
{
	va_list ap;

	free(c->why);
	c->why = NULL;
	va_start(ap, fmt);
	if (vasprintf(&c->why, fmt, ap) < 0)
		c->why = NULL; /* xe_conn_error() then says "no error": only on OOM */
	va_end(ap);
}

static xe_conn *conn_alloc(void)
{
	xe_conn *c = xe_calloc(1, sizeof(*c));

	c->fd = -1;
	c->next_id = 1;
	return c;
}

xe_conn *xe_conn_new_unix(const char *socket_path)
{
	xe_conn *c = conn_alloc();

	c->socket_path = xe_strdup(socket_path);
	c->target = xe_strdup(socket_path);
	return c;
}

xe_conn *xe_conn_new_tcp(const char *host, int port, bool tls)
{
	xe_conn *c = conn_alloc();

	c->host = xe_strdup(host);
	c->port = port;
	c->tls = tls;
	c->target = strchr(host, ':') ? xe_printf("[%s]:%d", host, port)
				      : xe_printf("%s:%d", host, port);
	return c;
}

static void conn_close(xe_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rpos = c->rlen = 0;
}

void xe_conn_free(xe_conn *c)
{
	if (!c)
		return;
	conn_close(c);
	free(c->socket_path);
	free(c->host);
	free(c->target);
	free(c->why);
	free(c->rbuf);
	free(c);
}

void xe_conn_set_debug(xe_conn *c, bool on)
{
	c->debug = on;
}

const char *xe_conn_target(const xe_conn *c)
{
	return c->target;
}

const char *xe_conn_error(const xe_conn *c)
{
	return c->why ? c->why : "no error";
}

static int connect_unix(xe_conn *c)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(c->socket_path) >= sizeof(sa.sun_path)) {
		set_why(c, "Cannot connect to %s: socket path too long", c->socket_path);
		return -1;
	}
	strcpy(sa.sun_path, c->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_why(c, "Cannot connect to %s: %s", c->socket_path, strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		set_why(c, "Cannot connect to %s: %s", c->socket_path, strerror(errno));
		close(fd);
		return -1;
	}
	c->fd = fd;
	return 0;
}

/* The TLS handshake on a connected socket, then a pipe (lib/tls_pipe.h):
 * the returned fd is read and written in clear like any other. As
 * upstream's xe, the server's certificate is not checked (xapi's hosts
 * present self-signed ones); the traffic is encrypted all the same. */
static int tls_connect(xe_conn *c, int fd)
{
	struct timeval tv = { .tv_sec = 30 };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;

	SSL_CTX_free(ctx); /* ssl holds its own reference */
	if (!ssl) {
		close(fd);
		set_why(c, "Cannot connect to %s: no TLS context", c->target);
		return -1;
	}
	SSL_set_min_proto_version(ssl, TLS1_2_VERSION);
	SSL_set_tlsext_host_name(ssl, c->host);
	SSL_set_fd(ssl, fd);
	/* a server that never answers the handshake does not hang xe */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (SSL_connect(ssl) != 1) {
		unsigned long e = ERR_get_error();
		char reason[256] = "the server closed the connection (is it plain HTTP? try --nossl)";

		if (e)
			ERR_error_string_n(e, reason, sizeof(reason));
		ERR_clear_error();
		set_why(c, "Cannot connect to %s: TLS handshake failed: %s", c->target, reason);
		SSL_free(ssl);
		close(fd);
		return -1;
	}
	tv.tv_sec = 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	fd = xd_tls_pipe_start(ssl, fd, 0);
	if (fd < 0)
		set_why(c, "Cannot connect to %s: cannot start the TLS pipe", c->target);
	return fd;
}

static int connect_tcp(xe_conn *c)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int gai, fd = -1, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", c->port);
	gai = getaddrinfo(c->host, portstr, &hints, &res);
	if (gai != 0) {
		set_why(c, "Cannot connect to %s: %s", c->target, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		set_why(c, "Cannot connect to %s: %s", c->target, strerror(saved));
		return -1;
	}
	if (c->tls && (fd = tls_connect(c, fd)) < 0)
		return -1;
	c->fd = fd;
	return 0;
}

int xe_conn_connect_data(xe_conn *c)
{
	int saved = c->fd, fd;
	c->fd = -1;
	int rc = c->socket_path ? connect_unix(c) : connect_tcp(c);
	fd = c->fd;
	c->fd = saved;
	return rc < 0 ? -1 : fd;
}

const char *xe_conn_host(const xe_conn *c)
{
	return c->socket_path ? "localhost" : c->host;
}

static int conn_open(xe_conn *c)
{
	c->rpos = c->rlen = 0;
	return c->socket_path ? connect_unix(c) : connect_tcp(c);
}

/* Reads more bytes into the buffer. Returns bytes read, 0 at EOF, -1 error. */
static ssize_t fill(xe_conn *c)
{
	ssize_t r;

	if (c->rpos > 0 && c->rpos == c->rlen)
		c->rpos = c->rlen = 0;
	if (c->rlen + 4096 > c->rcap) {
		size_t ncap = c->rcap ? c->rcap * 2 : 16384;
		char *n;

		while (ncap < c->rlen + 4096)
			ncap *= 2;
		n = xe_realloc(c->rbuf, ncap);
		c->rbuf = n;
		c->rcap = ncap;
	}
	do
		r = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		c->rlen += (size_t)r;
	return r;
}

/* One line (without CRLF) as a heap string, or NULL at EOF/error. */
static char *read_line(xe_conn *c)
{
	for (;;) {
		char *nl = c->rbuf ? memchr(c->rbuf + c->rpos, '\n', c->rlen - c->rpos) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - (c->rbuf + c->rpos));
			char *line = xe_strndup(c->rbuf + c->rpos, n);

			if (n > 0 && line[n - 1] == '\r')
				line[n - 1] = '\0';
			c->rpos += n + 1;
			return line;
		}
		if (c->rlen - c->rpos > 65536)
			return NULL; /* no header line is that long */
		if (fill(c) <= 0)
			return NULL;
	}
}

static int read_exact(xe_conn *c, xd_strbuf *out, size_t n)
{
	while (n > 0) {
		size_t avail = c->rlen - c->rpos;

		if (avail == 0) {
			if (fill(c) <= 0)
				return -1;
			continue;
		}
		if (avail > n)
			avail = n;
		xd_strbuf_append(out, c->rbuf + c->rpos, avail);
		c->rpos += avail;
		n -= avail;
	}
	return 0;
}

/* Reads one HTTP response. Returns 0 with status and body; -1 on I/O error
 * (*got_any tells whether any byte of the response arrived). */
static int read_response(xe_conn *c, int *status, xd_strbuf *body, bool *keep_alive,
			 bool *got_any)
{
	char *line = NULL;
	long long clen = -1;
	bool chunked = false;
	int rc = -1;

	*got_any = false;
	*keep_alive = true;
	if (c->rpos == c->rlen) {
		ssize_t r = fill(c);

		if (r <= 0)
			goto out;
	}
	*got_any = true;
	line = read_line(c);
	if (!line || strncmp(line, "HTTP/1.", 7) != 0 || strlen(line) < 12) {
		set_why(c, "Malformed HTTP response from %s", c->target);
		goto out;
	}
	*status = atoi(line + 9);
	if (strncmp(line, "HTTP/1.0", 8) == 0)
		*keep_alive = false;
	for (;;) {
		free(line);
		line = read_line(c);
		if (!line) {
			set_why(c, "Connection to %s closed in the HTTP headers", c->target);
			goto out;
		}
		if (line[0] == '\0')
			break;
		if (strncasecmp(line, "Content-Length:", 15) == 0)
			clen = strtoll(line + 15, NULL, 10);
		else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && strcasestr(line + 18, "chunked"))
			chunked = true;
		else if (strncasecmp(line, "Connection:", 11) == 0 && strcasestr(line + 11, "close"))
			*keep_alive = false;
	}
	if (chunked) {
		for (;;) {
			unsigned long long n;

			free(line);
			line = read_line(c);
			if (!line)
				goto short_body;
			n = strtoull(line, NULL, 16);
			if (n > XE_MAX_RESPONSE || body->len + n > XE_MAX_RESPONSE)
				goto too_big;
			if (n == 0) {
				/* trailers up to the empty line */
				do {
					free(line);
					line = read_line(c);
				} while (line && line[0]);
				break;
			}
			if (read_exact(c, body, (size_t)n) < 0)
				goto short_body;
			free(line);
			line = read_line(c); /* CRLF after the chunk */
			if (!line)
				goto short_body;
		}
	} else if (clen >= 0) {
		if ((unsigned long long)clen > XE_MAX_RESPONSE)
			goto too_big;
		if (read_exact(c, body, (size_t)clen) < 0)
			goto short_body;
	} else {
		/* Body up to EOF. */
		*keep_alive = false;
		for (;;) {
			size_t avail = c->rlen - c->rpos;
			ssize_t r;

			xd_strbuf_append(body, c->rbuf + c->rpos, avail);
			c->rpos += avail;
			if (body->len > XE_MAX_RESPONSE)
				goto too_big;
			r = fill(c);
			if (r < 0)
				goto short_body;
			if (r == 0)
				break;
		}
	}
	rc = 0;
	goto out;
short_body:
	set_why(c, "Connection to %s closed in the middle of a response", c->target);
	goto out;
too_big:
	set_why(c, "Response from %s is too large", c->target);
out:
	free(line);
	return rc;
}

/* Turns a JSON-RPC error member into err: v2 {code, message, data} or v1
 * [code, params...]. */
static void error_from_json(const xd_value *e, xd_error *err)
{
	const char *params[XD_ERROR_MAX_PARAMS];
	char *owned[XD_ERROR_MAX_PARAMS];
	size_t n = 0;
	const char *code = "INTERNAL_ERROR";
	const xd_value *data = NULL;
	size_t first = 0;

	if (e->t == XD_V_STRUCT) {
		const xd_value *m = xd_struct_get(e, "message");

		if (m && m->t == XD_V_STRING)
			code = m->u.s;
		data = xd_struct_get(e, "data");
	} else if (e->t == XD_V_ARRAY) {
		if (e->u.arr.n > 0 && e->u.arr.items[0]->t == XD_V_STRING)
			code = e->u.arr.items[0]->u.s;
		data = e;
		first = 1;
	} else if (e->t == XD_V_STRING) {
		code = e->u.s;
	}
	if (data && data->t == XD_V_ARRAY) {
		for (size_t i = first; i < data->u.arr.n && n < XD_ERROR_MAX_PARAMS; i++) {
			const xd_value *p = data->u.arr.items[i];

			if (p->t == XD_V_STRING) {
				owned[n] = NULL;
				params[n] = p->u.s;
			} else {
				xd_strbuf sb = XD_STRBUF_INIT;

				xd_json_encode_value(&sb, p);
				owned[n] = xd_strbuf_steal(&sb);
				params[n] = owned[n];
			}
			n++;
		}
	}
	xd_error_setv(err, code, params, n);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
}

static int parse_reply(xe_conn *c, const xd_strbuf *body, xd_value **result, xd_error *err)
{
	xd_value *doc = NULL;
	xd_value *e, *r;
	char *why = NULL;
	int rc = -2;

	if (xd_json_parse(body->data ? body->data : "", body->len, &doc, &why) < 0) {
		set_why(c, "Malformed JSON-RPC response from %s: %s", c->target, why ? why : "?");
		goto out;
	}
	if (doc->t != XD_V_STRUCT) {
		set_why(c, "Malformed JSON-RPC response from %s: not an object", c->target);
		goto out;
	}
	e = xd_struct_get(doc, "error");
	if (e && e->t != XD_V_NIL) {
		error_from_json(e, err);
		rc = -1;
		goto out;
	}
	r = xd_struct_get(doc, "result");
	if (!r) {
		set_why(c, "Malformed JSON-RPC response from %s: no result", c->target);
		goto out;
	}
	*result = xd_value_copy(r);
	rc = 0;
out:
	free(why);
	xd_value_free(doc);
	return rc;
}

int xe_conn_call(xe_conn *c, const char *method, xd_value *params, xd_value **result,
		 xd_error *err)
{
	xd_strbuf req = XD_STRBUF_INIT, body = XD_STRBUF_INIT;
	char head[512];
	int status = 0, attempt, hlen, rc = -2;
	bool keep_alive = true, got_any = false;

	*result = NULL;
	xd_strbuf_puts(&req, "{\"jsonrpc\":\"2.0\",\"method\":");
	xd_strbuf_put_json_string(&req, method);
	xd_strbuf_puts(&req, ",\"params\":");
	xd_json_encode_value(&req, params);
	xd_strbuf_printf(&req, ",\"id\":%ld}", c->next_id++);
	if (c->debug)
		fprintf(stderr, "xe: -> %s\n", req.data);
	hlen = snprintf(head, sizeof(head),
			"POST /jsonrpc HTTP/1.1\r\nHost: %s\r\nUser-Agent: xe-c/" PACKAGE_VERSION
			"\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
			"Content-Length: %zu\r\n\r\n",
			c->host ? c->host : "localhost", req.len);
	if (hlen < 0 || (size_t)hlen >= sizeof(head)) {
		set_why(c, "Host name too long: %s", c->target);
		goto out;
	}
	/* A kept-alive connection may have been closed by the server since the
	 * last call: if nothing at all came back, reconnect once and resend. */
	for (attempt = 0; attempt < 2; attempt++) {
		bool fresh = c->fd < 0;

		if (fresh && conn_open(c) < 0)
			goto out;
		xd_strbuf_reset(&body);
		if (xe_http_send_all(c->fd, head, (size_t)hlen) == 0 &&
		    xe_http_send_all(c->fd, req.data, req.len) == 0 &&
		    read_response(c, &status, &body, &keep_alive, &got_any) == 0)
			break;
		conn_close(c);
		if (got_any || fresh) {
			if (!got_any)
				set_why(c, "Connection to %s closed without a response", c->target);
			goto out;
		}
	}
	if (attempt == 2)
		goto out;
	if (!keep_alive)
		conn_close(c);
	if (c->debug)
		fprintf(stderr, "xe: <- HTTP %d %.*s\n", status, (int)body.len,
			body.data ? body.data : "");
	if (status != 200) {
		set_why(c, "HTTP error %d from %s", status, c->target);
		goto out;
	}
	rc = parse_reply(c, &body, result, err);
out:
	xd_value_free(params);
	xd_strbuf_free(&req);
	xd_strbuf_free(&body);
	return rc;
}
