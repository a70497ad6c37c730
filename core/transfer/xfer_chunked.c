/* xfer_chunked.c - an HTTP chunked request body (Transfer-Encoding:
 * chunked, RFC 9112 §7.1) decoded as it arrives: per chunk a hex size line
 * (extensions after ';' ignored), the data and CRLF; a zero-size chunk,
 * then trailer fields up to an empty line, end it. Only /blob's PUT takes
 * such a body; the disk transfers refuse it as xapi does. */
#include <string.h>

#include "transfer.h"

/* Longest size or trailer line we accept (a size line is a few digits). */
#define LINE_MAX_LEN 4096

void xd_xfer_dechunk_init(xd_xfer_dechunk *d, xd_xfer_in *in)
{
	memset(d, 0, sizeof(*d));
	d->in = in;
}

/* One line of the framing, without its CRLF (a bare LF is taken), into
 * line (NUL-terminated). Its length, or -1. */
static int64_t read_line(xd_xfer_dechunk *d, char *line, xd_error *err)
{
	size_t n = 0;
	for (;;) {
		char ch;
		int64_t got = xd_xfer_read_wire(d->in, &ch, 1, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			xd_error_set(err, "INTERNAL_ERROR",
				     "the client closed before the end of its chunked body", NULL);
			return -1;
		}
		if (ch == '\n')
			break;
		if (n + 1 >= LINE_MAX_LEN) {
			xd_error_set(err, "INTERNAL_ERROR", "a chunked body's line is too long", NULL);
			return -1;
		}
		line[n++] = ch;
	}
	if (n && line[n - 1] == '\r')
		n--;
	line[n] = 0;
	return (int64_t)n;
}

/* The next chunk's size line: d->left set, or d->done after the trailer. */
static int next_chunk(xd_xfer_dechunk *d, xd_error *err)
{
	char line[LINE_MAX_LEN];
	if (read_line(d, line, err) < 0)
		return -1;
	int64_t size = 0;
	size_t i = 0;
	for (; line[i]; i++) {
		char ch = line[i];
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
		if (v < 0)
			break;
		if (size > (INT64_MAX >> 4)) {
			xd_error_set(err, "INTERNAL_ERROR", "a chunk size is too large", NULL);
			return -1;
		}
		size = size * 16 + v;
	}
	if (i == 0 || (line[i] && line[i] != ';' && line[i] != ' ' && line[i] != '\t')) {
		xd_error_set(err, "INTERNAL_ERROR", "a chunk size line is malformed", NULL);
		return -1;
	}
	if (size > 0) {
		d->left = size;
		return 0;
	}
	for (;;) { /* trailer fields, ignored, up to an empty line */
		int64_t n = read_line(d, line, err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
	}
	d->done = true;
	return 0;
}

/* The CRLF after a chunk's data. */
static int chunk_end(xd_xfer_dechunk *d, xd_error *err)
{
	char line[LINE_MAX_LEN];
	int64_t n = read_line(d, line, err);
	if (n < 0)
		return -1;
	if (n != 0) {
		xd_error_set(err, "INTERNAL_ERROR", "a chunk is longer than its size says", NULL);
		return -1;
	}
	return 0;
}

int64_t xd_xfer_dechunk_read(xd_xfer_dechunk *d, void *buf, size_t len, xd_error *err)
{
	while (!d->done && d->left == 0) {
		if (d->started && chunk_end(d, err) < 0)
			return -1;
		d->started = true;
		if (next_chunk(d, err) < 0)
			return -1;
	}
	if (d->done || len == 0)
		return 0;
	if ((int64_t)len > d->left)
		len = (size_t)d->left;
	int64_t n = xd_xfer_read_wire(d->in, buf, len, err);
	if (n < 0)
		return -1;
	if (n == 0) {
		xd_error_set(err, "INTERNAL_ERROR", "the client closed in the middle of a chunk", NULL);
		return -1;
	}
	d->left -= n;
	return n;
}
