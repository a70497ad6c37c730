/* xfer_unzip.c - a request body that may be compressed (transfer.h,
 * xd_xfer_in_uncompress): the first bytes tell. gzip (1f 8b) goes through
 * zlib, zstd (28 b5 2f fd) through libzstd, concatenated members or frames
 * included, as `gzip`/`zstd` write them; anything else is passed through
 * with the bytes looked at given back first. Compressed input is read in
 * blocks of IN_BUF from the wire; a block never outlives one read call's
 * need, so memory stays at two buffers whatever the stream's size.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "transfer.h"

#define IN_BUF ((size_t)128 << 10)

typedef enum { PLAIN, GZIP, ZSTD } kind;

struct xd_xfer_unzip {
	kind kind;
	unsigned char *in;     /* compressed bytes read, not yet decompressed */
	size_t in_len, in_off;
	bool wire_eof;
	z_stream z;
	ZSTD_DStream *zd;
	bool in_frame;         /* a member/frame started and not finished */
};

static int broken(xd_error *err, const char *what)
{
	return xd_error_set(err, "IMPORT_ERROR", what, NULL);
}

/* More compressed bytes into u->in (when all were used). */
static int refill(xd_xfer_in *in, struct xd_xfer_unzip *u, xd_error *err)
{
	int64_t n;

	if (u->in_off < u->in_len || u->wire_eof)
		return 0;
	n = xd_xfer_read_wire(in, u->in, IN_BUF, err);
	if (n < 0)
		return -1;
	u->in_off = 0;
	u->in_len = (size_t)n;
	u->wire_eof = n == 0;
	return 0;
}

static int64_t read_gzip(xd_xfer_in *in, struct xd_xfer_unzip *u, void *buf, size_t len,
			 xd_error *err)
{
	for (;;) {
		int rc;

		if (refill(in, u, err) < 0)
			return -1;
		if (u->in_off == u->in_len) {
			if (u->in_frame)
				return broken(err, "the gzip stream ends in the middle of a member");
			return 0;
		}
		if (!u->in_frame) {
			/* the next member of a concatenation */
			if (inflateReset(&u->z) != Z_OK)
				return broken(err, "zlib cannot start a gzip member");
			u->in_frame = true;
		}
		u->z.next_in = u->in + u->in_off;
		u->z.avail_in = (uInt)(u->in_len - u->in_off);
		u->z.next_out = buf;
		u->z.avail_out = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
		rc = inflate(&u->z, Z_NO_FLUSH);
		u->in_off = u->in_len - u->z.avail_in;
		if (rc == Z_STREAM_END)
			u->in_frame = false;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return xd_error_setf(err, "IMPORT_ERROR", "the gzip stream is corrupt: %s",
					     u->z.msg ? u->z.msg : "inflate failed");
		if ((size_t)((unsigned char *)u->z.next_out - (unsigned char *)buf) > 0)
			return (unsigned char *)u->z.next_out - (unsigned char *)buf;
	}
}

static int64_t read_zstd(xd_xfer_in *in, struct xd_xfer_unzip *u, void *buf, size_t len,
			 xd_error *err)
{
	for (;;) {
		ZSTD_outBuffer out = { buf, len, 0 };
		ZSTD_inBuffer src;
		size_t rc;

		if (refill(in, u, err) < 0)
			return -1;
		if (u->in_off == u->in_len) {
			if (u->in_frame)
				return broken(err, "the zstd stream ends in the middle of a frame");
			return 0;
		}
		src = (ZSTD_inBuffer){ u->in, u->in_len, u->in_off };
		rc = ZSTD_decompressStream(u->zd, &out, &src);
		u->in_off = src.pos;
		if (ZSTD_isError(rc))
			return xd_error_setf(err, "IMPORT_ERROR", "the zstd stream is corrupt: %s",
					     ZSTD_getErrorName(rc));
		/* rc == 0: a frame ended exactly here */
		u->in_frame = rc != 0;
		if (out.pos > 0)
			return (int64_t)out.pos;
	}
}

bool xd_xfer_unzip_compressed(const xd_xfer_in *in)
{
	return in->unzip && in->unzip->kind != PLAIN;
}

int64_t xd_xfer_unzip_read(xd_xfer_in *in, void *buf, size_t len, xd_error *err)
{
	struct xd_xfer_unzip *u = in->unzip;

	switch (u->kind) {
	case GZIP:
		return read_gzip(in, u, buf, len, err);
	case ZSTD:
		return read_zstd(in, u, buf, len, err);
	case PLAIN:
		break;
	}
	if (u->in_off < u->in_len) {
		size_t n = u->in_len - u->in_off < len ? u->in_len - u->in_off : len;

		memcpy(buf, u->in + u->in_off, n);
		u->in_off += n;
		return (int64_t)n;
	}
	return xd_xfer_read_wire(in, buf, len, err);
}

int xd_xfer_in_uncompress(xd_xfer_in *in, xd_error *err)
{
	static const unsigned char gz[] = { 0x1f, 0x8b }, zs[] = { 0x28, 0xb5, 0x2f, 0xfd };
	struct xd_xfer_unzip *u = calloc(1, sizeof(*u));

	if (!u || !(u->in = calloc(1, IN_BUF))) {
		free(u);
		return xd_error_setf(err, "INTERNAL_ERROR", "out of memory");
	}
	in->unzip = u;
	/* the first four bytes (fewer in a body that short) tell */
	while (u->in_len < sizeof(zs) && !u->wire_eof) {
		int64_t n = xd_xfer_read_wire(in, u->in + u->in_len, sizeof(zs) - u->in_len, err);

		if (n < 0)
			return -1;
		u->in_len += (size_t)n;
		u->wire_eof = n == 0;
	}
	if (u->in_len >= sizeof(gz) && !memcmp(u->in, gz, sizeof(gz))) {
		/* 16 + window bits: a gzip header and trailer, nothing else */
		if (inflateInit2(&u->z, 16 + MAX_WBITS) != Z_OK)
			return broken(err, "zlib cannot start");
		u->kind = GZIP;
	} else if (u->in_len >= sizeof(zs) && !memcmp(u->in, zs, sizeof(zs))) {
		if (!(u->zd = ZSTD_createDStream()))
			return broken(err, "libzstd cannot start");
		u->kind = ZSTD;
	}
	return 0;
}

void xd_xfer_in_end(xd_xfer_in *in)
{
	struct xd_xfer_unzip *u = in->unzip;

	if (!u)
		return;
	if (u->kind == GZIP)
		inflateEnd(&u->z);
	ZSTD_freeDStream(u->zd);
	free(u->in);
	free(u);
	in->unzip = NULL;
}
