/* xfer_io.c - the byte streams of a transfer: an HTTP request's body in
 * (Content-Length bounded, HTTP chunked, or until the client closes) and a
 * socket out, both waking every 200 ms to see whether the task was
 * cancelled: a stalled client does not hold a cancelled transfer. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tasks/tasks.h"
#include "transfer.h"

#define XD_XFER_POLL_MS 200
/* chunk_left before the first HTTP chunk's size line is read */
#define XD_XFER_BEFORE_FIRST_CHUNK (-2)

void xd_xfer_in_init(xd_xfer_in *in, const xd_http_request *req, const char *task)
{
	memset(in, 0, sizeof(*in));
	in->fd = req->fd;
	in->prefix = req->body_prefix;
	in->prefix_len = req->body_prefix_len;
	in->limit = req->chunked ? -1 : req->content_length;
	in->http_chunked = req->chunked;
	in->chunk_left = XD_XFER_BEFORE_FIRST_CHUNK;
	in->task = task;
}

static int cancelled(const char *task, xd_error *err)
{
	if (task && xd_task_cancelling(task)) {
		xd_error_set(err, "TASK_CANCELLED", task, NULL);
		return 1;
	}
	return 0;
}

/* Raw bytes of the connection: the prefix first, then the socket. 0 at
 * EOF. */
static int64_t wire_read(xd_xfer_in *in, void *buf, size_t len, xd_error *err)
{
	if (in->prefix_used < in->prefix_len) {
		size_t n = in->prefix_len - in->prefix_used;
		if (n > len)
			n = len;
		memcpy(buf, in->prefix + in->prefix_used, n);
		in->prefix_used += n;
		return (int64_t)n;
	}
	for (;;) {
		if (cancelled(in->task, err))
			return -1;
		struct pollfd pfd = { .fd = in->fd, .events = POLLIN };
		int r = poll(&pfd, 1, XD_XFER_POLL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		ssize_t n = recv(in->fd, buf, len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			xd_error_setf(err, "VDI_IO_ERROR", "reading the request body: %s", strerror(errno));
			return -1;
		}
		return n;
	}
}

/* One byte of the wire (HTTP chunk framing is parsed a byte at a time:
 * the lines are short). */
static int wire_byte(xd_xfer_in *in, char *c, xd_error *err)
{
	int64_t n = wire_read(in, c, 1, err);
	if (n < 0)
		return -1;
	if (n == 0) {
		xd_error_setf(err, "VDI_IO_ERROR", "the HTTP chunked body was cut short");
		return -1;
	}
	return 0;
}

/* The next HTTP chunk's size line (and the CRLF ending the one before). */
static int next_http_chunk(xd_xfer_in *in, bool first, xd_error *err)
{
	char line[80];
	size_t n = 0;
	char c;
	if (!first) {
		char crlf[2];
		if (wire_byte(in, &crlf[0], err) < 0 || wire_byte(in, &crlf[1], err) < 0)
			return -1;
		if (crlf[0] != '\r' || crlf[1] != '\n')
			return xd_error_setf(err, "VDI_IO_ERROR", "malformed HTTP chunk framing"), -1;
	}
	for (;;) {
		if (wire_byte(in, &c, err) < 0)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 >= sizeof(line))
			return xd_error_setf(err, "VDI_IO_ERROR", "HTTP chunk size line too long"), -1;
		line[n++] = c;
	}
	line[n] = 0;
	char *end;
	errno = 0;
	long long size = strtoll(line, &end, 16);
	if (end == line || errno || size < 0 || (*end && *end != '\r' && *end != ';'))
		return xd_error_setf(err, "VDI_IO_ERROR", "malformed HTTP chunk size"), -1;
	if (size == 0) {
		/* the last chunk: trailers up to an empty line */
		size_t len = 0;
		for (;;) {
			if (wire_byte(in, &c, err) < 0)
				return -1;
			if (c == '\n') {
				if (len == 0)
					break;
				len = 0;
			} else if (c != '\r') {
				len++;
			}
		}
		in->chunk_left = -1;
		return 0;
	}
	in->chunk_left = size;
	return 0;
}

int64_t xd_xfer_read_some(xd_xfer_in *in, void *buf, size_t len, xd_error *err)
{
	if (len == 0)
		return 0;
	if (in->http_chunked) {
		bool first = in->chunk_left == XD_XFER_BEFORE_FIRST_CHUNK;
		if ((first || in->chunk_left == 0) && next_http_chunk(in, first, err) < 0)
			return -1;
		if (in->chunk_left < 0)
			return 0;
		if ((int64_t)len > in->chunk_left)
			len = (size_t)in->chunk_left;
	} else if (in->limit >= 0) {
		if (in->pos >= in->limit)
			return 0;
		if ((int64_t)len > in->limit - in->pos)
			len = (size_t)(in->limit - in->pos);
	}
	int64_t n = wire_read(in, buf, len, err);
	if (n < 0)
		return -1;
	if (n == 0 && (in->http_chunked || in->limit >= 0)) {
		xd_error_setf(err, "VDI_IO_ERROR",
			      "the client sent %lld bytes and closed before the end of its body",
			      (long long)in->pos);
		return -1;
	}
	in->pos += n;
	if (in->http_chunked)
		in->chunk_left -= n;
	return n;
}

int xd_xfer_read(xd_xfer_in *in, void *buf, size_t len, const char *what, xd_error *err)
{
	size_t got = 0;
	while (got < len) {
		int64_t n = xd_xfer_read_some(in, (char *)buf + got, len - got, err);
		if (n < 0)
			return -1;
		if (n == 0) {
			xd_error_setf(err, "VDI_IO_ERROR", "the stream ends in the middle of %s (at byte %lld)",
				      what, (long long)in->pos);
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int xd_xfer_skip(xd_xfer_in *in, int64_t n, const char *what, xd_error *err)
{
	char sink[65536];
	while (n > 0) {
		size_t want = n < (int64_t)sizeof(sink) ? (size_t)n : sizeof(sink);
		if (xd_xfer_read(in, sink, want, what, err) < 0)
			return -1;
		n -= (int64_t)want;
	}
	return 0;
}

int64_t xd_xfer_left(const xd_xfer_in *in)
{
	return in->limit >= 0 ? in->limit - in->pos : -1;
}

int xd_xfer_write(xd_xfer_out *out, const void *buf, size_t len, xd_error *err)
{
	const char *p = buf;
	if (out->before_end && out->sent + (int64_t)len >= out->total) {
		void (*fn)(void *) = out->before_end;
		out->before_end = NULL;
		fn(out->ctx);
	}
	while (len) {
		if (cancelled(out->task, err))
			return -1;
		struct pollfd pfd = { .fd = out->fd, .events = POLLOUT };
		int r = poll(&pfd, 1, XD_XFER_POLL_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		ssize_t n = send(out->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == ENOTSOCK) /* a pipe (to a compressor) */
			n = write(out->fd, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0) {
			xd_error_setf(err, "VDI_IO_ERROR", "the client went away after %lld bytes",
				      (long long)out->sent);
			return -1;
		}
		p += n;
		len -= (size_t)n;
		out->sent += n;
	}
	return 0;
}
