/* xfer_io.c - the byte streams of a transfer: an HTTP request's body in
 * (Content-Length bounded, HTTP chunked, or until the client closes) and a
 * socket out, both waking every 200 ms to see whether the task was
 * cancelled: a stalled client does not hold a cancelled transfer. (An HTTP
 * chunked body is refused by every disk data path, as xapi refuses it; /blob
 * takes one: xfer_chunked.c.) */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tasks/tasks.h"
#include "transfer.h"

#define XD_XFER_POLL_MS 200

void xd_xfer_in_init(xd_xfer_in *in, const xd_http_request *req, const char *task)
{
	memset(in, 0, sizeof(*in));
	in->fd = req->fd;
	in->prefix = req->body_prefix;
	in->prefix_len = req->body_prefix_len;
	in->limit = req->content_length;
	in->task = task;
}

/* Looking at the task is two database reads: done at most every
 * XD_XFER_CANCEL_MS while bytes flow (a cancel still stops the transfer
 * well within a second), and at every wake-up while they do not. */
#define XD_XFER_CANCEL_MS 50

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cancelled(const char *task, int64_t *checked_ms, xd_error *err)
{
	if (!task)
		return 0;
	int64_t now = mono_ms();
	if (*checked_ms && now - *checked_ms < XD_XFER_CANCEL_MS)
		return 0;
	*checked_ms = now;
	if (xd_task_cancelling(task)) {
		xd_error_set(err, "TASK_CANCELLED", task, NULL);
		return 1;
	}
	return 0;
}

/* Bytes of the connection: the prefix first, then the socket. 0 at EOF. */
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
		if (cancelled(in->task, &in->cancel_checked_ms, err))
			return -1;
		/* what is there already is taken without a poll first */
		ssize_t n = recv(in->fd, buf, len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = in->fd, .events = POLLIN };
			if (poll(&pfd, 1, XD_XFER_POLL_MS) == 0)
				in->cancel_checked_ms = 0; /* idle: look at the task now */
			continue;
		}
		if (n < 0) {
			xd_error_setf(err, "VDI_IO_ERROR", "reading the request body: %s", strerror(errno));
			return -1;
		}
		return n;
	}
}

int64_t xd_xfer_read_some(xd_xfer_in *in, void *buf, size_t len, xd_error *err)
{
	if (len == 0)
		return 0;
	if (in->unzip)
		return xd_xfer_unzip_read(in, buf, len, err);
	return xd_xfer_read_wire(in, buf, len, err);
}

int64_t xd_xfer_read_wire(xd_xfer_in *in, void *buf, size_t len, xd_error *err)
{
	if (in->limit >= 0) {
		if (in->pos >= in->limit)
			return 0;
		if ((int64_t)len > in->limit - in->pos)
			len = (size_t)(in->limit - in->pos);
	}
	int64_t n = wire_read(in, buf, len, err);
	if (n < 0)
		return -1;
	if (n == 0 && in->limit >= 0) {
		xd_error_setf(err, "VDI_IO_ERROR",
			      "the client sent %lld bytes and closed before the end of its body",
			      (long long)in->pos);
		return -1;
	}
	in->pos += n;
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
	/* uncompressed, nobody knows how much is left */
	if (in->unzip && xd_xfer_unzip_compressed(in))
		return -1;
	return in->limit >= 0 ? in->limit - in->pos : -1;
}

/* Before the bytes that reach out->total: what the client must find done
 * when it sees the end (xd_xfer_out's before_end). */
static void before_last(xd_xfer_out *out, size_t len)
{
	if (out->before_end && out->sent + (int64_t)len >= out->total) {
		void (*fn)(void *) = out->before_end;
		out->before_end = NULL;
		fn(out->ctx);
	}
}

/* len bytes to the client, from buf or (buf NULL) from the file in_fd at
 * *in_off by sendfile (the kernel copies page cache to socket: no pass
 * through our memory); the socket is tried before poll, the task looked
 * at as in reads. out->fd is non-blocking meanwhile for sendfile (else a
 * client that stops reading would hold the thread past a cancel). */
static int write_loop(xd_xfer_out *out, const char *buf, int in_fd, off_t *in_off, size_t len,
		      xd_error *err)
{
	while (len) {
		if (cancelled(out->task, &out->cancel_checked_ms, err))
			return -1;
		ssize_t n;
		if (buf) {
			n = send(out->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == ENOTSOCK) /* a pipe (to a compressor) */
				n = write(out->fd, buf, len);
		} else {
			n = sendfile(out->fd, in_fd, in_off, len);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = out->fd, .events = POLLOUT };
			if (poll(&pfd, 1, XD_XFER_POLL_MS) == 0)
				out->cancel_checked_ms = 0; /* idle: look at the task now */
			continue;
		}
		if (n == 0 && !buf)
			return xd_error_setf(err, "VDI_IO_ERROR", "the file to send ended early");
		if (n <= 0) {
			xd_error_setf(err, "VDI_IO_ERROR", "the client went away after %lld bytes",
				      (long long)out->sent);
			return -1;
		}
		if (buf)
			buf += n;
		len -= (size_t)n;
		out->sent += n;
	}
	return 0;
}

int xd_xfer_write(xd_xfer_out *out, const void *buf, size_t len, xd_error *err)
{
	before_last(out, len);
	return write_loop(out, buf, -1, NULL, len, err);
}

int xd_xfer_write_file(xd_xfer_out *out, int fd, int64_t off, size_t len, xd_error *err)
{
	before_last(out, len);
	int flags = fcntl(out->fd, F_GETFL);
	if (flags < 0 || fcntl(out->fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return xd_error_setf(err, "VDI_IO_ERROR", "the client's socket: %s", strerror(errno));
	off_t at = (off_t)off;
	int rc = write_loop(out, NULL, fd, &at, len, err);
	fcntl(out->fd, F_SETFL, flags);
	return rc;
}
