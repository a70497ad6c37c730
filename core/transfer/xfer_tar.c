/* xfer_tar.c - the tar (ustar) members an XVA is made of, and its disks as
 * checksummed 1 MiB chunks (xapi's stream_vdi.ml): written to a socket and
 * read back from a request body, front to back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <openssl/sha.h>
#include <xxhash.h>

#include "tasks/tasks.h"
#include "transfer.h"

#define TAR_BLOCK 512

/* ustar header fields (offset, length) */
#define T_NAME 0
#define T_MODE 100
#define T_UID 108
#define T_GID 116
#define T_SIZE 124
#define T_MTIME 136
#define T_CHKSUM 148
#define T_TYPE 156
#define T_MAGIC 257
#define T_VERSION 263
#define T_PREFIX 345

static unsigned header_sum(const unsigned char *h)
{
	unsigned sum = 0;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += (i >= T_CHKSUM && i < T_CHKSUM + 8) ? ' ' : h[i];
	return sum;
}

void xd_tar_header(unsigned char *h, const char *name, size_t len)
{
	memset(h, 0, TAR_BLOCK);
	snprintf((char *)h + T_NAME, 100, "%s", name);
	memcpy(h + T_MODE, "0000644", 8);
	memcpy(h + T_UID, "0000000", 8);
	memcpy(h + T_GID, "0000000", 8);
	snprintf((char *)h + T_SIZE, 12, "%011llo", (unsigned long long)len);
	snprintf((char *)h + T_MTIME, 12, "%011llo", (unsigned long long)time(NULL));
	h[T_TYPE] = '0';
	memcpy(h + T_MAGIC, "ustar", 6);
	memcpy(h + T_VERSION, "00", 2);
	snprintf((char *)h + T_CHKSUM, 8, "%06o", header_sum(h));
	h[T_CHKSUM + 7] = ' ';
}

int xd_tar_write(xd_xfer_out *out, const char *name, const void *data, size_t len,
		 xd_error *err)
{
	unsigned char h[TAR_BLOCK];
	static const char zeros[TAR_BLOCK];
	xd_tar_header(h, name, len);
	size_t pad = (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK;
	if (xd_xfer_write(out, h, sizeof(h), err) < 0 || xd_xfer_write(out, data, len, err) < 0 ||
	    xd_xfer_write(out, zeros, pad, err) < 0)
		return -1;
	return 0;
}

int xd_tar_write_end(xd_xfer_out *out, xd_error *err)
{
	static const char zeros[2 * TAR_BLOCK];
	return xd_xfer_write(out, zeros, sizeof(zeros), err);
}

/* A stream that ends early is IMPORT_ERROR_PREMATURE_EOF, as xapi's
 * End_of_file; other read errors (a cancel) stay what they are. */
static int read_or_eof(xd_xfer_in *in, void *buf, size_t len, xd_error *err)
{
	size_t got = 0;
	while (got < len) {
		int64_t n = xd_xfer_read_some(in, (char *)buf + got, len - got, err);
		if (n < 0) {
			if (err->code && !strcmp(err->code, "VDI_IO_ERROR")) {
				xd_error_clear(err);
				xd_error_set(err, "IMPORT_ERROR_PREMATURE_EOF", NULL);
			}
			return -1;
		}
		if (n == 0) {
			xd_error_set(err, "IMPORT_ERROR_PREMATURE_EOF", NULL);
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int octal(const unsigned char *p, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	while (i < n && p[i] == ' ')
		i++;
	if (i == n || p[i] < '0' || p[i] > '7')
		return -1;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) {
		if (v > INT64_MAX / 8)
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int xd_tar_next(xd_xfer_in *in, xd_tar_member *m, xd_error *err)
{
	unsigned char h[TAR_BLOCK];
	if (read_or_eof(in, h, sizeof(h), err) < 0)
		return -1;
	bool zero = true;
	for (int i = 0; i < TAR_BLOCK && zero; i++)
		zero = h[i] == 0;
	if (zero)
		return 0; /* the end of the archive (the second zero block may follow) */
	int64_t sum;
	if (octal(h + T_CHKSUM, 8, &sum) < 0 || (unsigned)sum != header_sum(h))
		return xd_error_set(err, "IMPORT_ERROR", "Invalid XVA file: a tar header's checksum fails",
				    NULL),
		       -1;
	if (octal(h + T_SIZE, 12, &m->size) < 0)
		return xd_error_set(err, "IMPORT_ERROR", "Invalid XVA file: a tar header's size", NULL),
		       -1;
	char name[101], prefix[156];
	memcpy(name, h + T_NAME, 100);
	name[100] = 0;
	memcpy(prefix, h + T_PREFIX, 155);
	prefix[155] = 0;
	/* 155 + 1 + 100 bytes fit in m->name (256) */
	size_t plen = !memcmp(h + T_MAGIC, "ustar", 5) ? strlen(prefix) : 0;
	size_t nlen = strlen(name), at = 0;
	if (plen) {
		memcpy(m->name, prefix, plen);
		m->name[plen] = '/';
		at = plen + 1;
	}
	memcpy(m->name + at, name, nlen + 1);
	return 1;
}

static int skip_pad(xd_xfer_in *in, int64_t size, xd_error *err)
{
	char pad[TAR_BLOCK];
	size_t n = (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
	return read_or_eof(in, pad, n, err);
}

int xd_tar_read(xd_xfer_in *in, const xd_tar_member *m, void *buf, xd_error *err)
{
	if (read_or_eof(in, buf, (size_t)m->size, err) < 0)
		return -1;
	return skip_pad(in, m->size, err);
}

int xd_tar_skip(xd_xfer_in *in, const xd_tar_member *m, xd_error *err)
{
	char sink[65536];
	int64_t left = m->size;
	while (left > 0) {
		size_t n = left < (int64_t)sizeof(sink) ? (size_t)left : sizeof(sink);
		if (read_or_eof(in, sink, n, err) < 0)
			return -1;
		left -= (int64_t)n;
	}
	return skip_pad(in, m->size, err);
}

/* ---- disks as chunks ----------------------------------------------------------------- */

static void xxhash_hex(const void *data, size_t len, char out[17])
{
	snprintf(out, 17, "%016" PRIX64, (uint64_t)XXH64(data, len, 0));
}

static void sha1_hex(const void *data, size_t len, char out[41])
{
	unsigned char md[SHA_DIGEST_LENGTH];
	SHA1(data, len, md); /* one-shot SHA1 is not deprecated in OpenSSL 3 */
	for (int i = 0; i < SHA_DIGEST_LENGTH; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int64_t hole_run(xd_vdi_data *d, int64_t off, int64_t len, xd_error *err)
{
	bool hole;
	int64_t n = xd_vdi_data_extent(d, off, len, &hole, err);
	if (n < 0)
		return -1;
	return hole ? n : 0;
}

/* The chunks an XVA export reads (xd_xfer_source's next, in the reader
 * thread): every chunk but those the allocation map says are holes (the
 * first and last always go). */
typedef struct xva_chunks {
	xd_vdi_data *d;
	int64_t size, i, last;
} xva_chunks;

static int next_chunk(void *ctx, int64_t *off, size_t *len, size_t *total, xd_error *err)
{
	xva_chunks *c = ctx;
	for (; c->i <= c->last; c->i++) {
		*off = c->i * XD_XVA_CHUNK;
		*len = *total = c->size - *off < XD_XVA_CHUNK ? (size_t)(c->size - *off)
							       : (size_t)XD_XVA_CHUNK;
		if (c->i != 0 && c->i != c->last) {
			int64_t h = hole_run(c->d, *off, (int64_t)*len, err);
			if (h < 0)
				return -1;
			if (h == (int64_t)*len)
				continue;
		}
		c->i++;
		return 0;
	}
	return 1;
}

/* Chunk i and its checksum member. */
static int send_chunk(xd_xfer_out *out, const char *prefix, int64_t i, const char *buf,
		      size_t n, xd_error *err)
{
	char name[256], sum[17];
	snprintf(name, sizeof(name), "%s/%08" PRId64, prefix, i);
	if (xd_tar_write(out, name, buf, n, err) < 0)
		return -1;
	xxhash_hex(buf, n, sum);
	strcat(name, ".xxhash");
	return xd_tar_write(out, name, sum, 16, err);
}

int xd_xva_send_disk(xd_xfer_out *out, xd_vdi_data *d, int64_t size, const char *prefix,
		     xd_vdi_progress *prog, int64_t *done, xd_error *err)
{
	int64_t last = size > 0 ? (size - 1) / XD_XVA_CHUNK : 0;
	int64_t start = *done;
	if (size == 0) /* an empty disk is its one empty chunk */
		return send_chunk(out, prefix, 0, "", 0, err);
	xva_chunks chunks = { d, size, 0, last };
	xd_xfer_source *src = xd_xfer_source_start(d, (size_t)XD_XVA_CHUNK, next_chunk, &chunks, err);
	if (!src)
		return -1;
	int rc = -1;
	for (;;) {
		const char *buf;
		int64_t off;
		int64_t n = xd_xfer_source_next(src, &buf, &off, err);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		int64_t i = off / XD_XVA_CHUNK;
		bool always = i == 0 || i == last; /* as xapi: the first and last always go */
		if ((always || !xd_vdi_data_is_zero(buf, (size_t)n)) &&
		    send_chunk(out, prefix, i, buf, (size_t)n, err) < 0)
			goto out;
		*done = start + off + n;
		xd_vdi_progress_update(prog, *done);
	}
	*done = start + size;
	rc = 0;
out:
	xd_xfer_source_end(src);
	return rc;
}

int xd_xva_recv_chunk(xd_xfer_in *in, const xd_tar_member *m, const char *prefix,
		      xd_xfer_sink *sink, int64_t size, bool force, xd_error *err)
{
	size_t plen = strlen(prefix);
	char *end;
	const char *num = m->name + plen + 1;
	long long n = strtoll(num, &end, 10);
	if (*end || end == num || n < 0 || m->size > XD_XVA_CHUNK || m->size < 0)
		return xd_error_setf(err, "IMPORT_ERROR", "Invalid XVA file: unexpected member %s",
				     m->name), -1;
	int64_t off = (int64_t)n * XD_XVA_CHUNK;
	if (off > size || m->size > size - off)
		return xd_error_setf(err, "IMPORT_ERROR",
				     "Invalid XVA file: %s lies beyond the disk's %" PRId64 " bytes",
				     m->name, size), -1;
	/* read into the sink's next buffer, queued once its checksum holds */
	char *buf = xd_xfer_sink_buf(sink, err);
	if (!buf || xd_tar_read(in, m, buf, err) < 0)
		return -1;
	/* the checksum member that follows each chunk: .xxhash (XXH64, since
	 * 2017) or .checksum (SHA-1 in hex, older XVAs), as stream_vdi.ml */
	xd_tar_member c;
	char text[65], got[41];
	int r = xd_tar_next(in, &c, err);
	if (r < 0)
		return -1;
	size_t mlen = strlen(m->name);
	if (r == 0 || strncmp(c.name, m->name, mlen) != 0 || c.name[mlen] != '.') {
		char want[300];
		snprintf(want, sizeof(want), "%s.xxhash", m->name);
		xd_error_set(err, "IMPORT_ERROR_UNEXPECTED_FILE", want, r ? c.name : "", NULL);
		return -1;
	}
	const char *ext = c.name + mlen;
	size_t want_len = !strcmp(ext, ".xxhash") ? 16 : !strcmp(ext, ".checksum") ? 40 : 0;
	if (!want_len) {
		xd_error_setf(err, "IMPORT_ERROR", "Found unsupported checksum file: %s", c.name);
		return -1;
	}
	if (c.size != (int64_t)want_len) {
		xd_error_setf(err, "IMPORT_ERROR", "Invalid XVA file: %s is not a %s", c.name,
			      want_len == 16 ? "XXH64" : "SHA-1");
		return -1;
	}
	if (xd_tar_read(in, &c, text, err) < 0)
		return -1;
	text[want_len] = 0;
	if (want_len == 16)
		xxhash_hex(buf, (size_t)m->size, got);
	else
		sha1_hex(buf, (size_t)m->size, got);
	if (strcasecmp(got, text) != 0 && !force) {
		xd_error_set(err, "IMPORT_ERROR_SOME_CHECKSUMS_FAILED", NULL);
		return -1;
	}
	xd_xfer_sink_put(sink, (size_t)m->size, off);
	return 0;
}

/* ---- a VDI as a tar (format=tar of the VDI paths) -------------------------------------- */

int xd_tar_vdi_import(xd_xfer_in *in, xd_vdi_data *d, int64_t size, const char *prefix,
		      xd_error *err)
{
	size_t plen = strlen(prefix);
	int64_t next = 0; /* chunks come in increasing order, as stream_vdi.ml reads them */
	int64_t end = 0;  /* bytes of the disk the stream went through */
	xd_vdi_progress prog;
	xd_vdi_progress_init(&prog, in->task, 0.0, 1.0, size);
	xd_xfer_sink *sink = xd_xfer_sink_start(d, (size_t)XD_XVA_CHUNK, NULL, NULL, err);
	if (!sink)
		return -1;
	int rc = -1;
	while (end < size) {
		xd_tar_member m;
		int r = xd_tar_next(in, &m, err);
		if (r < 0)
			goto out;
		if (r == 0) { /* the archive ends before the disk's last chunk */
			xd_error_set(err, "IMPORT_ERROR_PREMATURE_EOF", NULL);
			goto out;
		}
		char *num_end = m.name;
		const char *num = m.name + plen + 1;
		long long n = strncmp(m.name, prefix, plen) || m.name[plen] != '/'
				      ? -1
				      : strtoll(num, &num_end, 10);
		if (n < next || *num_end) {
			xd_error_setf(err, "IMPORT_ERROR",
				      "Invalid XVA file: expected a chunk %s/<n> after %lld, got %s",
				      prefix, (long long)next - 1, m.name);
			goto out;
		}
		if (xd_xva_recv_chunk(in, &m, prefix, sink, size, false, err) < 0)
			goto out;
		next = n + 1;
		end = n * XD_XVA_CHUNK + m.size;
		xd_vdi_progress_update(&prog, end);
	}
	rc = 0;
out:
	/* the chunks received whole are written; a write's failure comes first */
	if (xd_xfer_sink_end(sink, err) < 0 || rc < 0)
		return -1;
	return xd_vdi_data_flush(d, err);
}
