/* http.c - the HTTP/1.1 server (see http.h).
 *
 * One acceptor thread polls the TCP and unix listeners; each accepted
 * connection gets a thread of its own for its whole life (keep-alive), up to
 * max_connections (beyond: 503 and close). A connection owns one read buffer
 * reused for all its requests: a request is parsed in place, its body read
 * next to its head, and whatever bytes follow (a pipelined request) stay for
 * the next round. An answer is one sendmsg of head + body.
 *
 * Against one hostile client (slowloris): a whole RPC request (head and
 * body) must arrive within request_timeout of its first byte (else 408 and
 * close), and one TCP address holds at most max_per_address connections
 * (beyond: its idle kept-alive connections make room, else 503), so that
 * it cannot take every slot from the others.
 *
 * Stopping: the listeners close first; connections waiting for a request are
 * woken with shutdown(); a connection in the middle of a request finishes it
 * and then sees the stop flag.
 *
 * Owns: the listening sockets, the connection threads and their buffers, the
 * table of registered paths (filled before xd_http_start, read-only after).
 */
#define _GNU_SOURCE
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "http_listen.h"
#include "http_parse.h"
#include "log.h"
#include "tls/tls.h"
#include "strbuf.h"
#include "wire.h"

#define CONN_BUF_MIN (16 * 1024)
/* A buffer or answer that grew past this for one big request is given back
 * afterwards, so that idle connections stay small. */
#define CONN_KEEP_MAX (256 * 1024)
/* No byte from a peer (or no progress sending to it) for this long: drop it. */
#define IO_TIMEOUT_SEC 600
/* Lingering close after an error answer: how long and how much to drain. */
#define LINGER_MS 1000
#define LINGER_BYTES (4 * 1024 * 1024)
#define CHUNK_LINE_MAX 1024
#define TRAILER_MAX 8192
#define DEFAULT_MAX_BODY (300 * 1024) /* xapi's http_limit_max_rpc_size */
#define DEFAULT_MAX_CONNECTIONS 1024
#define DEFAULT_MAX_PER_ADDRESS 128
#define DEFAULT_REQUEST_TIMEOUT_S 30.0
#define MAX_ROUTES 64
/* An RPC answer that grows past this is sent as it is encoded (chunked)
 * instead of whole with a Content-Length: the memory of a call stays about
 * this size whatever the answer's (get_all_records of 100,000 VMs). */
#define STREAM_FROM ((size_t)1 << 20)

typedef struct route {
	char method[16];
	char path[256];
	xd_http_path_fn fn;
} route;

static route routes[MAX_ROUTES];
static size_t nroutes;

typedef struct conn {
	struct conn *next;
	pthread_t thread;
	int fd;
	bool fd_open;   /* guarded by srv.lock: stop may shutdown() it */
	bool idle;      /* waiting for a request head; guarded by srv.lock */
	bool fresh;     /* idle with no byte of the next request yet; srv.lock */
	bool done;      /* the thread has finished; guarded by srv.lock */
	xd_peer peer;
	struct timespec deadline; /* a request is arriving: its last moment */
	bool timing;    /* deadline is set */
	bool timed_out; /* the deadline passed while reading */
	char *buf;      /* [0, len) read from the peer, request at 0 */
	size_t len, cap;
	size_t req_end; /* end of the current request (head + body) */
	xd_strbuf out;  /* answer body */
	/* The answer being streamed (see stream_drain): */
	int s_minor;    /* the request's HTTP/1.x */
	bool s_keep;    /* the connection goes on after it */
	bool s_json;
	bool streamed;  /* its head and first bytes are sent */
} conn;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* a connection finished */
	atomic_bool stopping;
	bool running;
	int tcp_fd, unix_fd, tls_fd;
	int wake[2];               /* pipe that wakes the acceptor */
	int port, tls_port;
	char *socket_path;
	size_t max_body;
	unsigned max_conns;
	unsigned max_per_address;
	double request_timeout_s;
	unsigned nactive;          /* connections not yet done */
	conn *conns;
	pthread_t acceptor;
} srv = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tcp_fd = -1,
	.unix_fd = -1,
	.tls_fd = -1,
	.wake = { -1, -1 },
};

static atomic_uint_fast64_t next_request_id;

static const char html_500[] =
	"<html><body><h1>HTTP 500 internal server error</h1>An unexpected error occurred; "
	"please wait a while and try again. If the problem persists, please contact your "
	"support representative.</body></html>";

/* ---- registry ------------------------------------------------------------ */

int xd_http_register(const char *method, const char *path, xd_http_path_fn fn)
{
	if (!method || !path || !fn || nroutes == MAX_ROUTES ||
	    strlen(method) >= sizeof(routes[0].method) || strlen(path) >= sizeof(routes[0].path)) {
		xd_err("http: cannot register %s %s", method ? method : "?", path ? path : "?");
		return -1;
	}
	snprintf(routes[nroutes].method, sizeof(routes[nroutes].method), "%s", method);
	snprintf(routes[nroutes].path, sizeof(routes[nroutes].path), "%s", path);
	routes[nroutes].fn = fn;
	nroutes++;
	return 0;
}

static const route *find_route(const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, path) == 0 && strcmp(routes[i].method, method) == 0)
			return &routes[i];
	return NULL;
}

/* ---- sending ------------------------------------------------------------- */

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorised";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Request Entity Too Large";
	case 416: return "Range Not Satisfiable";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return status < 400 ? "OK" : "Error";
	}
}

/* Writes all of iov; MSG_NOSIGNAL so that a vanished peer is an error
 * return, not a SIGPIPE. */
static int send_iov(int fd, struct iovec *iov, int iovcnt)
{
	while (iovcnt > 0) {
		struct msghdr mh;
		ssize_t n;

		if (iov->iov_len == 0) {
			iov++;
			iovcnt--;
			continue;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)iovcnt;
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0) {
			if ((size_t)n >= iov->iov_len) {
				n -= (ssize_t)iov->iov_len;
				iov++;
				iovcnt--;
			} else {
				iov->iov_base = (char *)iov->iov_base + n;
				iov->iov_len -= (size_t)n;
				n = 0;
			}
		}
	}
	return 0;
}

/* One answer: status line, framing, the given extra header lines (each
 * ending in CRLF), body; one system call in the common case. */
static int respond(int fd, int minor, bool keep_alive, int status, const char *ctype,
		   const char *extra, const char *body, size_t blen)
{
	char head[1024];
	struct iovec iov[2];
	int n;

	n = snprintf(head, sizeof(head),
		     "HTTP/1.%d %d %s\r\nContent-Length: %zu\r\n%s%s%s%s%s\r\n",
		     minor == 0 ? 0 : 1, status, reason(status), blen,
		     ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "",
		     extra ? extra : "",
		     !keep_alive ? "Connection: close\r\n" : minor == 0 ? "Connection: keep-alive\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	iov[0].iov_base = head;
	iov[0].iov_len = (size_t)n;
	iov[1].iov_base = (void *)body;
	iov[1].iov_len = blen;
	return send_iov(fd, iov, 2);
}

void xd_http_send_simple(int fd, int status, const char *content_type, const char *body)
{
	if (!body)
		body = "";
	if (respond(fd, 1, false, status, content_type, NULL, body, strlen(body)) < 0)
		xd_debug("http: could not send %d: %s", status, strerror(errno));
}

static void send_error_html(conn *c, int minor, int status, const char *text)
{
	char body[512];

	snprintf(body, sizeof(body), "<html><body><h1>HTTP %d %s</h1>%s</body></html>", status,
		 reason(status), text);
	respond(c->fd, minor, false, status, "text/html", NULL, body, strlen(body));
}

/* After an error answer to a request whose rest we will not read: stop
 * sending, then read and drop what the peer still sends for a while, so that
 * closing does not reset the connection before the peer read the answer. */
static void linger_close(conn *c)
{
	char sink[4096];
	struct timespec t0, t;
	size_t total = 0;

	shutdown(c->fd, SHUT_WR);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = LINGER_MS - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || total >= LINGER_BYTES)
			break;
		if (poll(&pfd, 1, (int)left) <= 0)
			break;
		n = recv(c->fd, sink, sizeof(sink), 0);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

/* ---- reading ------------------------------------------------------------- */

static void conn_reserve(conn *c, size_t want)
{
	size_t ncap;
	char *p;

	if (want <= c->cap)
		return;
	ncap = c->cap ? c->cap : CONN_BUF_MIN;
	while (ncap < want)
		ncap *= 2;
	p = realloc(c->buf, ncap);
	if (!p)
		abort(); /* as strbuf: nothing useful is possible without memory */
	c->buf = p;
	c->cap = ncap;
}

static void deadline_start(conn *c)
{
	double s = srv.request_timeout_s;

	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += (time_t)s;
	c->deadline.tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (c->deadline.tv_nsec >= 1000000000L) {
		c->deadline.tv_sec++;
		c->deadline.tv_nsec -= 1000000000L;
	}
	c->timing = true;
}

/* Waits until the peer sent something or the request's deadline passed
 * (then sets timed_out). Returns 0 to go on reading, -1 on timeout. */
static int wait_readable(conn *c)
{
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		struct timespec now;
		long long left;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long long)(c->deadline.tv_sec - now.tv_sec) * 1000 +
		       (c->deadline.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			break;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return 0; /* let recv report the error */
	}
	c->timed_out = true;
	return -1;
}

/* Reads what is available (at least one byte, blocking). Makes room for at
 * least `room` (>= 1) more bytes first. Returns bytes read, 0 on EOF, -1 on
 * error (including the idle timeout and the request's deadline). */
static ssize_t conn_fill(conn *c, size_t room)
{
	ssize_t n;

	if (c->cap - c->len < room)
		conn_reserve(c, c->len + room);
	if (c->timing && wait_readable(c) < 0)
		return -1;
	do
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		c->len += (size_t)n;
	return n;
}

static void set_idle(conn *c, bool idle)
{
	pthread_mutex_lock(&srv.lock);
	c->idle = idle;
	c->fresh = false;
	pthread_mutex_unlock(&srv.lock);
}

/* Waits until buf holds a whole request head and parses it. Returns 0, -1
 * when the connection is over (EOF, error, stopping), or an HTTP status to
 * refuse the request with. */
static int read_head(conn *c, xd_http_head *h)
{
	size_t scan = 0, end, skip;

	/* The deadline runs from the request's first byte: waiting for the
	 * next request on a kept-alive connection is the idle timeout's. */
	c->timing = false;
	if (c->len)
		deadline_start(c);
	for (;;) {
		/* Blank lines before a request line are allowed: drop them. */
		skip = xd_http_leading_blank(c->buf, c->len);
		if (skip) {
			memmove(c->buf, c->buf + skip, c->len - skip);
			c->len -= skip;
			scan = 0;
		}
		end = c->len ? xd_http_head_end(c->buf, c->len, &scan) : 0;
		if (end)
			break;
		if (c->len >= XD_HTTP_HEAD_MAX)
			return 431;

		/* Only a connection blocked here may be shut down by stop;
		 * the check and the flag change are one step under the lock. */
		pthread_mutex_lock(&srv.lock);
		if (atomic_load(&srv.stopping)) {
			pthread_mutex_unlock(&srv.lock);
			return -1;
		}
		c->idle = true;
		c->fresh = c->len == 0;
		pthread_mutex_unlock(&srv.lock);
		ssize_t n = conn_fill(c, 2048);
		set_idle(c, false);
		if (n <= 0)
			return c->timed_out ? 408 : -1;
		if (!c->timing)
			deadline_start(c);
	}
	if (end > XD_HTTP_HEAD_MAX)
		return 431;
	return xd_http_head_parse(c->buf, end, h);
}

/* Makes sure len - *r >= k by moving the undecoded bytes down to *w (the
 * decoded body ends there) and reading more. */
static int chunk_need(conn *c, size_t *w, size_t *r, size_t k)
{
	while (c->len - *r < k) {
		if (*r > *w) {
			memmove(c->buf + *w, c->buf + *r, c->len - *r);
			c->len -= *r - *w;
			*r = *w;
		}
		if (conn_fill(c, 4096) <= 0)
			return -1;
	}
	return 0;
}

/* Decodes a chunked body that starts at buf[start], in place: the body ends
 * up at buf[start, start + *blen) and the bytes that followed it (the next
 * request) right after. Returns 0, -1 (connection lost) or 400/413. */
static int read_chunked(conn *c, size_t start, size_t limit, size_t *blen)
{
	size_t w = start, r = start, trailer = 0;

	for (;;) {
		char *nl;
		size_t size = 0, i, digits = 0;

		while (!(nl = memchr(c->buf + r, '\n', c->len - r))) {
			if (c->len - r > CHUNK_LINE_MAX)
				return 400;
			if (chunk_need(c, &w, &r, c->len - r + 1) < 0)
				return -1;
		}
		for (i = r; c->buf + i < nl; i++, digits++) {
			char ch = c->buf[i];
			int d = (ch >= '0' && ch <= '9') ? ch - '0' :
				(ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 :
				(ch >= 'A' && ch <= 'F') ? ch - 'A' + 10 : -1;

			if (d < 0)
				break;
			if (size > limit)
				return 413;
			size = size * 16 + (size_t)d;
		}
		/* After the size: nothing, chunk extensions (ignored) or CR. */
		if (digits == 0 || (c->buf + i < nl && c->buf[i] != ';' && c->buf[i] != '\r' &&
				    c->buf[i] != ' ' && c->buf[i] != '\t'))
			return 400;
		if (size > limit || w - start + size > limit)
			return 413;
		r = (size_t)(nl - c->buf) + 1;
		if (size == 0)
			break;
		while (size > 0) {
			size_t take;

			if (chunk_need(c, &w, &r, 1) < 0)
				return -1;
			take = c->len - r < size ? c->len - r : size;
			memmove(c->buf + w, c->buf + r, take);
			w += take;
			r += take;
			size -= take;
		}
		if (chunk_need(c, &w, &r, 1) < 0)
			return -1;
		if (c->buf[r] == '\r') {
			if (chunk_need(c, &w, &r, 2) < 0)
				return -1;
			r++;
		}
		if (c->buf[r] != '\n')
			return 400;
		r++;
	}

	/* Trailer fields, up to an empty line; ignored. */
	for (;;) {
		char *nl;
		size_t n;

		while (!(nl = memchr(c->buf + r, '\n', c->len - r))) {
			if (c->len - r > TRAILER_MAX)
				return 400;
			if (chunk_need(c, &w, &r, c->len - r + 1) < 0)
				return -1;
		}
		n = (size_t)(nl - (c->buf + r));
		trailer += n + 1;
		if (trailer > TRAILER_MAX)
			return 400;
		r += n + 1;
		if (n == 0 || (n == 1 && nl[-1] == '\r'))
			break;
	}

	memmove(c->buf + w, c->buf + r, c->len - r);
	c->len -= r - w;
	*blen = w - start;
	c->req_end = w;
	return 0;
}

static int send_continue(conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct iovec iov = { (void *)cont, sizeof(cont) - 1 };

	return send_iov(c->fd, &iov, 1);
}

/* Reads the body of the request into buf (it starts at buf[h->len]); sets
 * *blen and c->req_end. Returns 0, -1 (connection lost) or an HTTP status.
 * A client that asked "Expect: 100-continue" and has not sent the body yet
 * is told to go on (curl waits a second otherwise). */
static int read_body(conn *c, const xd_http_head *h, size_t *blen)
{
	size_t limit = srv.max_body;

	*blen = 0;
	c->req_end = h->len;
	if (h->chunked) {
		if (h->expect_continue && c->len == h->len && send_continue(c) < 0)
			return -1;
		return read_chunked(c, h->len, limit, blen);
	}
	if (h->content_length <= 0)
		return 0;
	if ((uint64_t)h->content_length > limit)
		return 413;
	*blen = (size_t)h->content_length;
	c->req_end = h->len + *blen;
	if (h->expect_continue && c->len == h->len && send_continue(c) < 0)
		return -1;
	conn_reserve(c, c->req_end);
	while (c->len < c->req_end)
		if (conn_fill(c, 1) <= 0)
			return -1;
	return 0;
}

/* ---- requests ------------------------------------------------------------ */

static const char rpc_cors[] =
	"Access-Control-Allow-Origin: *\r\n"
	"Access-Control-Allow-Headers: X-Requested-With\r\n";

/* The drain of c->out (strbuf.h) while an RPC answer is encoded: the first
 * time, the head goes out, then every drain is one chunk. HTTP/1.0 has no
 * chunks: the body goes as it is and the connection closes to end it. */
static int stream_drain(void *ud, const char *p, size_t n)
{
	conn *c = ud;
	char line[32];
	struct iovec iov[3];
	bool chunked = c->s_minor != 0;

	if (!c->streamed) {
		char head[512];
		int hn;

		if (!chunked)
			c->s_keep = false;
		hn = snprintf(head, sizeof(head),
			      "HTTP/1.%d 200 OK\r\n%sContent-Type: %s\r\n%s%s\r\n", chunked ? 1 : 0,
			      chunked ? "Transfer-Encoding: chunked\r\n" : "",
			      c->s_json ? "application/json" : "text/xml", rpc_cors,
			      c->s_keep ? "" : "Connection: close\r\n");
		iov[0] = (struct iovec){ head, (size_t)hn };
		c->streamed = true;
		if (send_iov(c->fd, iov, 1) < 0)
			return -1;
	}
	if (n == 0)
		return 0; /* a zero-size chunk would end the body */
	if (!chunked) {
		iov[0] = (struct iovec){ (void *)p, n };
		return send_iov(c->fd, iov, 1);
	}
	int ln = snprintf(line, sizeof(line), "%zx\r\n", n);
	iov[0] = (struct iovec){ line, (size_t)ln };
	iov[1] = (struct iovec){ (void *)p, n };
	iov[2] = (struct iovec){ (void *)"\r\n", 2 };
	return send_iov(c->fd, iov, 3);
}

/* Sends what is left of a streamed answer and its end. Returns 0 or -1. */
static int stream_finish(conn *c)
{
	if (c->out.drain_failed)
		return -1;
	if (c->out.len && stream_drain(c, c->out.data, c->out.len) < 0)
		return -1;
	if (c->s_minor == 0)
		return 0; /* the close ends it */
	struct iovec iov = { (void *)"0\r\n\r\n", 5 };
	return send_iov(c->fd, &iov, 1);
}

/* Runs one XML-RPC or JSON-RPC call from body; the answer goes to c->out,
 * or, past STREAM_FROM bytes, to the peer as it is encoded (c->streamed).
 * Returns 0, or -1 if the body does not parse (the caller answers 500). */
static int run_rpc(conn *c, const xd_http_head *h, bool json, const char *body, size_t blen)
{
	xd_error err = XD_ERROR_INIT;
	xd_result_kind kind = XD_RESULT_ENVELOPE;
	xd_value *params = NULL, *res;
	char *method = NULL, *why = NULL;
	xd_jsonrpc_req jreq;
	int rc = -1;

	memset(&jreq, 0, sizeof(jreq));
	xd_strbuf_reset(&c->out);
	c->peer.json = json; /* handlers may answer pre-encoded text (XD_V_RAW) */
	c->s_minor = h->minor;
	c->s_keep = h->keep_alive;
	c->s_json = json;
	c->streamed = false;
	if (json) {
		if (xd_jsonrpc_parse_request(body, blen, &jreq, &why) < 0)
			goto out;
		params = jreq.params;
		jreq.params = NULL;
		res = xd_rpc_dispatch(jreq.method, params, &c->peer, &kind, &err);
	} else {
		if (xd_xmlrpc_parse_call(body, blen, &method, &params, &why) < 0)
			goto out;
		res = xd_rpc_dispatch(method, params, &c->peer, &kind, &err);
	}
	if (!res && !xd_error_is_set(&err))
		xd_error_set(&err, "INTERNAL_ERROR", "no result and no error", NULL);

	xd_strbuf_set_drain(&c->out, stream_drain, c, STREAM_FROM);
	if (json) {
		if (res)
			xd_jsonrpc_encode_success(&c->out, &jreq, res);
		else
			xd_jsonrpc_encode_failure(&c->out, &jreq, &err);
	} else if (res) {
		if (kind == XD_RESULT_RAW)
			xd_xmlrpc_encode_raw(&c->out, res);
		else
			xd_xmlrpc_encode_success(&c->out, res);
	} else {
		xd_xmlrpc_encode_failure(&c->out, &err);
	}
	if (c->streamed && stream_finish(c) < 0)
		c->s_keep = false;
	xd_strbuf_set_drain(&c->out, NULL, NULL, 0);
	xd_value_free(res);
	rc = 0;
out:
	if (rc < 0)
		xd_info("http: unparseable %s request: %s", json ? "JSON-RPC" : "XML-RPC",
			why ? why : "?");
	free(why);
	free(method);
	xd_jsonrpc_req_clear(&jreq);
	xd_error_clear(&err);
	return rc;
}

/* A request to a registered path: the handler owns the rest of the
 * connection's bytes for this request and writes the whole answer. We
 * cannot know how much of the body it consumed, so the connection closes. */
static void run_path_handler(conn *c, const xd_http_head *h, const route *rt)
{
	xd_http_request req;
	size_t avail = c->len - h->len;

	if (h->expect_continue && avail == 0 && (h->chunked || h->content_length > 0))
		send_continue(c);
	memset(&req, 0, sizeof(req));
	req.method = c->buf + h->method;
	req.path = c->buf + h->path;
	req.query = c->buf + h->query;
	req.authorization = h->authorization == XD_HTTP_NONE ? NULL : c->buf + h->authorization;
	req.content_length = h->content_length;
	req.chunked = h->chunked;
	req.body_prefix = c->buf + h->len;
	req.body_prefix_len = h->content_length >= 0 && (uint64_t)h->content_length < avail
				      ? (size_t)h->content_length : avail;
	req.fd = c->fd;
	req.peer = &c->peer;
	rt->fn(&req);
}

/* Answers one request whose head is parsed. Returns the status sent (for
 * the log) and sets *keep to whether the connection goes on. */
static int handle_request(conn *c, const xd_http_head *h, bool *keep)
{
	const char *method = c->buf + h->method;
	const char *path = c->buf + h->path;
	const route *rt = find_route(method, path);
	bool json;
	size_t blen;
	int st;

	*keep = false;
	if (rt) {
		c->timing = false; /* data paths stream for as long as they need */
		run_path_handler(c, h, rt);
		return 0; /* the handler's own status; not known here */
	}

	st = read_body(c, h, &blen);
	c->timing = false;
	if (st < 0 && c->timed_out)
		st = 408;
	if (st < 0)
		return 0;
	if (st == 413) {
		char text[256];

		/* Not a byte of the body is read: answer, then drop the rest. */
		snprintf(text, sizeof(text), "The request body is larger than the limit of %zu bytes.",
			 srv.max_body);
		send_error_html(c, h->minor, 413, text);
		linger_close(c);
		return 413;
	}
	if (st) {
		send_error_html(c, h->minor, st, st == 408 ? "The request did not arrive in time." :
				"The HTTP request was malformed. Please correct and retry.");
		linger_close(c);
		return st;
	}

	/* read_body may have grown (moved) the buffer: method and path are
	 * offsets into it, so take them again */
	method = c->buf + h->method;
	path = c->buf + h->path;
	if (strcmp(method, "POST") == 0) {
		json = strcmp(path, "/jsonrpc") == 0;
		if (run_rpc(c, h, json, c->buf + h->len, blen) < 0) {
			respond(c->fd, h->minor, false, 500, "text/html", NULL, html_500,
				sizeof(html_500) - 1);
			return 500;
		}
		*keep = c->s_keep;
		if (c->streamed)
			return 200; /* sent as it was encoded */
		if (respond(c->fd, h->minor, *keep, 200, json ? "application/json" : "text/xml", rpc_cors,
			    c->out.data, c->out.len) < 0)
			*keep = false;
		return 200;
	}

	if (strcmp(method, "OPTIONS") == 0) {
		*keep = h->keep_alive;
		if (respond(c->fd, h->minor, *keep, 200, NULL,
			    "Access-Control-Allow-Origin: *\r\n"
			    "Access-Control-Allow-Methods: GET, POST, PUT, OPTIONS\r\n"
			    "Access-Control-Allow-Headers: X-Requested-With, Content-Type\r\n",
			    "", 0) < 0)
			*keep = false;
		return 200;
	}

	*keep = h->keep_alive;
	{
		static const char body[] = "<html><body><h1>HTTP 404 not found</h1>The requested "
					   "resource was not found.</body></html>";
		/* HEAD gets the head only (RFC 9110 9.3.2). */
		bool head = strcmp(method, "HEAD") == 0;
		char hdr[160];
		struct iovec iov[2];
		int n = snprintf(hdr, sizeof(hdr),
				 "HTTP/1.%d 404 Not Found\r\nContent-Length: %zu\r\n"
				 "Content-Type: text/html\r\n%s\r\n",
				 h->minor == 0 ? 0 : 1, sizeof(body) - 1,
				 !*keep ? "Connection: close\r\n" :
				 h->minor == 0 ? "Connection: keep-alive\r\n" : "");

		iov[0].iov_base = hdr;
		iov[0].iov_len = (size_t)n;
		iov[1].iov_base = (void *)body;
		iov[1].iov_len = head ? 0 : sizeof(body) - 1;
		if (send_iov(c->fd, iov, 2) < 0)
			*keep = false;
	}
	return 404;
}

/* ---- connections --------------------------------------------------------- */

/* Drops the finished request and keeps what follows it (pipelining); gives
 * back memory a big request made the buffers grow to. */
static void conn_next(conn *c)
{
	size_t rest = c->len - c->req_end;

	if (rest)
		memmove(c->buf, c->buf + c->req_end, rest);
	c->len = rest;
	c->req_end = 0;
	if (c->cap > CONN_KEEP_MAX && rest <= CONN_BUF_MIN) {
		char *p = realloc(c->buf, CONN_BUF_MIN);

		if (p) {
			c->buf = p;
			c->cap = CONN_BUF_MIN;
		}
	}
	if (c->out.cap > CONN_KEEP_MAX)
		xd_strbuf_free(&c->out);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void *conn_main(void *arg)
{
	conn *c = arg;

	for (;;) {
		xd_http_head h;
		struct timespec t0;
		uint64_t id;
		bool keep;
		int st;

		if (atomic_load(&srv.stopping))
			break;
		st = read_head(c, &h);
		if (st < 0)
			break;
		if (st) {
			/* We cannot tell where this request ends: answer and
			 * close. The version is unknown, so answer 1.1. */
			xd_debug("http: %s: bad request head (%d)", c->peer.addr, st);
			send_error_html(c, 1, st,
					st == 431 ? "Exceeded the maximum header size." :
					st == 408 ? "The request did not arrive in time." :
					"The HTTP request was malformed. Please correct and retry.");
			linger_close(c);
			break;
		}

		id = atomic_fetch_add(&next_request_id, 1) + 1;
		xd_log_set_request(id);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		st = handle_request(c, &h, &keep);
		xd_debug("http: %s %s %s %d %.3f ms", c->peer.addr, c->buf + h.method, c->buf + h.path,
			 st, ms_since(&t0));
		xd_log_set_request(0);
		if (!keep)
			break;
		conn_next(c);
	}

	pthread_mutex_lock(&srv.lock);
	c->fd_open = false;
	pthread_mutex_unlock(&srv.lock);
	close(c->fd);
	free(c->buf);
	c->buf = NULL;
	xd_strbuf_free(&c->out);

	pthread_mutex_lock(&srv.lock);
	c->done = true;
	srv.nactive--;
	pthread_cond_broadcast(&srv.cond);
	pthread_mutex_unlock(&srv.lock);
	return NULL;
}

/* Joins and frees finished connections. Called with srv.lock held. */
static void reap_locked(void)
{
	conn **pp = &srv.conns;

	while (*pp) {
		conn *c = *pp;

		if (c->done) {
			*pp = c->next;
			pthread_join(c->thread, NULL);
			free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void peer_name(int fd, bool is_unix, xd_peer *p)
{
	memset(p, 0, sizeof(*p));
	p->is_unix = is_unix;
	p->uid = (uid_t)-1;
	if (is_unix) {
		struct ucred cr;
		socklen_t len = sizeof(cr);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0) {
			p->uid = cr.uid;
			snprintf(p->addr, sizeof(p->addr), "unix:pid=%d,uid=%u", (int)cr.pid,
				 (unsigned)cr.uid);
		} else {
			snprintf(p->addr, sizeof(p->addr), "unix");
		}
	} else {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";

		memset(&ss, 0, sizeof(ss));

		if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0)
			getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port, sizeof(port),
				    NI_NUMERICHOST | NI_NUMERICSERV);
		snprintf(p->addr, sizeof(p->addr), ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host,
			 port);
		snprintf(p->addr_host, sizeof(p->addr_host), "%s", host);
	}
}

/* Whether host may open one more connection. At its cap, its oldest
 * kept-alive connection that waits for a request with nothing sent yet is
 * closed to make room (its client reconnects, as after any keep-alive close);
 * connections in the middle of a request (a slowloris) are never the ones
 * that go. Called with srv.lock held; a walk of at most max_conns entries. */
static bool room_for_locked(const char *host)
{
	conn *oldest_idle = NULL;
	unsigned n = 0;

	for (conn *c = srv.conns; c; c = c->next) /* newest first */
		if (!c->done && c->fd_open && strcmp(c->peer.addr_host, host) == 0) {
			n++;
			if (c->idle && c->fresh)
				oldest_idle = c;
		}
	if (n < srv.max_per_address)
		return true;
	if (!oldest_idle)
		return false;
	shutdown(oldest_idle->fd, SHUT_RDWR);
	oldest_idle->fresh = false; /* going: not a candidate twice */
	return true;
}

static void refuse_busy(int fd)
{
	static const char body[] = "<html><body><h1>HTTP 503 service unavailable</h1>Too many "
				   "connections; please try again later.</body></html>";
	char sink[4096];

	respond(fd, 1, false, 503, "text/html", NULL, body, sizeof(body) - 1);
	/* Take what the client already sent, so that close() does not reset
	 * the connection under the answer. */
	while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
	close(fd);
}

/* The kinds of listener a connection comes from. */
typedef enum { LISTENER_TCP, LISTENER_UNIX, LISTENER_TLS } listener_kind;

static void accept_one(int lfd, listener_kind kind)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_SEC };
	bool is_unix = kind == LISTENER_UNIX;
	pthread_attr_t attr;
	xd_peer peer;
	conn *c;
	int fd, one = 1;

	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			xd_warn("http: accept: %s", strerror(errno));
			usleep(10000); /* do not spin while out of descriptors */
		}
		return;
	}
	if (!is_unix)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Who is calling is the TCP peer, also behind TLS (never the
	 * socketpair's own credentials). */
	peer_name(fd, is_unix, &peer);
	if (kind == LISTENER_TLS) {
		/* From here on the connection is the clear side of a TLS pipe
		 * (lib/tls_pipe.h): everything below reads and writes it as a
		 * plain socket. The handshake shares the request deadline. */
		fd = xd_tls_accept(fd, srv.request_timeout_s);
		if (fd < 0)
			return;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->fd = fd;
	c->fd_open = true;
	c->peer = peer;

	pthread_mutex_lock(&srv.lock);
	reap_locked();
	if (srv.nactive >= srv.max_conns ||
	    (!is_unix && !room_for_locked(c->peer.addr_host))) {
		bool all = srv.nactive >= srv.max_conns;

		pthread_mutex_unlock(&srv.lock);
		if (all)
			xd_warn("http: %u connections open, refusing another", srv.max_conns);
		else
			xd_debug("http: %u connections from %s, refusing another", srv.max_per_address,
				 c->peer.addr_host);
		free(c);
		refuse_busy(fd);
		return;
	}
	conn_reserve(c, CONN_BUF_MIN);
	pthread_attr_init(&attr);
	if (pthread_create(&c->thread, &attr, conn_main, c) != 0) {
		pthread_mutex_unlock(&srv.lock);
		pthread_attr_destroy(&attr);
		xd_warn("http: cannot start a connection thread");
		free(c->buf);
		free(c);
		refuse_busy(fd);
		return;
	}
	pthread_attr_destroy(&attr);
	c->next = srv.conns;
	srv.conns = c;
	srv.nactive++;
	pthread_mutex_unlock(&srv.lock);
}

static void *acceptor_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd pfd[4];
		int n = 0, i;

		pfd[n++] = (struct pollfd){ .fd = srv.wake[0], .events = POLLIN };
		if (srv.tcp_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = srv.tcp_fd, .events = POLLIN };
		if (srv.unix_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = srv.unix_fd, .events = POLLIN };
		if (srv.tls_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = srv.tls_fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			xd_err("http: poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents || atomic_load(&srv.stopping))
			break;
		for (i = 1; i < n; i++)
			if (pfd[i].revents & POLLIN)
				accept_one(pfd[i].fd, pfd[i].fd == srv.unix_fd  ? LISTENER_UNIX
						      : pfd[i].fd == srv.tls_fd ? LISTENER_TLS
										: LISTENER_TCP);
	}
	return NULL;
}

static void close_listeners(void)
{
	if (srv.tcp_fd >= 0)
		close(srv.tcp_fd);
	if (srv.unix_fd >= 0)
		close(srv.unix_fd);
	if (srv.tls_fd >= 0)
		close(srv.tls_fd);
	srv.tcp_fd = srv.unix_fd = srv.tls_fd = -1;
	if (srv.socket_path) {
		unlink(srv.socket_path);
		free(srv.socket_path);
		srv.socket_path = NULL;
	}
	for (int i = 0; i < 2; i++) {
		if (srv.wake[i] >= 0)
			close(srv.wake[i]);
		srv.wake[i] = -1;
	}
}

int xd_http_start(const xd_http_config *cfg)
{
	if (srv.running) {
		xd_err("http: already started");
		return -1;
	}
	/* Path handlers write to sockets with plain write(): a peer that went
	 * away must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);

	atomic_store(&srv.stopping, false);
	srv.max_body = cfg->max_body ? cfg->max_body : DEFAULT_MAX_BODY;
	srv.max_conns = cfg->max_connections ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
	srv.max_per_address = cfg->max_per_address ? cfg->max_per_address : DEFAULT_MAX_PER_ADDRESS;
	srv.request_timeout_s = cfg->request_timeout_s > 0 ? cfg->request_timeout_s
							   : DEFAULT_REQUEST_TIMEOUT_S;
	srv.port = srv.tls_port = 0;
	if (pipe2(srv.wake, O_CLOEXEC) < 0) {
		xd_err("http: pipe: %s", strerror(errno));
		return -1;
	}
	if (cfg->listen && (srv.tcp_fd = xd_http_listen_tcp(cfg->listen, &srv.port)) < 0)
		goto fail;
	if (cfg->listen_tls && (srv.tls_fd = xd_http_listen_tcp(cfg->listen_tls, &srv.tls_port)) < 0)
		goto fail;
	if (cfg->socket_path) {
		if ((srv.unix_fd = xd_http_listen_unix(cfg->socket_path)) < 0)
			goto fail;
		srv.socket_path = strdup(cfg->socket_path);
		if (!srv.socket_path)
			abort();
	}
	if (pthread_create(&srv.acceptor, NULL, acceptor_main, NULL) != 0) {
		xd_err("http: cannot start the acceptor thread");
		goto fail;
	}
	srv.running = true;
	return 0;
fail:
	close_listeners();
	return -1;
}

bool xd_http_stopping(void)
{
	return atomic_load(&srv.stopping);
}

int xd_http_port(void)
{
	return srv.port;
}

int xd_http_tls_port(void)
{
	return srv.tls_port;
}

void xd_http_stop(void)
{
	conn *c;
	char b = 1;

	if (!srv.running)
		return;
	atomic_store(&srv.stopping, true);
	if (write(srv.wake[1], &b, 1) < 0)
		xd_warn("http: waking the acceptor: %s", strerror(errno));
	pthread_join(srv.acceptor, NULL);
	close_listeners();

	pthread_mutex_lock(&srv.lock);
	for (c = srv.conns; c; c = c->next)
		if (c->idle && c->fd_open)
			shutdown(c->fd, SHUT_RDWR);
	while (srv.nactive > 0)
		pthread_cond_wait(&srv.cond, &srv.lock);
	reap_locked();
	pthread_mutex_unlock(&srv.lock);
	srv.running = false;
}
