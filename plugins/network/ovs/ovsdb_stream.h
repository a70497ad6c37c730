/* ovsdb_stream.h - the framing of RFC 7047 JSON-RPC: a stream socket carries
 * JSON objects back to back, with no length prefix or separator. This module
 * owns a receive buffer and cuts it into complete JSON values as bytes
 * arrive (a value may be split across reads, and one read may hold several).
 * It does no I/O, so that it can be tested byte by byte. */
#ifndef OVS_OVSDB_STREAM_H
#define OVS_OVSDB_STREAM_H

#include <stddef.h>

#include <json-c/json.h>

/* A single message larger than this is taken as a broken peer. */
#define OVSDB_STREAM_MAX (64u << 20)

struct ovsdb_stream {
	char *buf;          /* bytes received and not yet parsed */
	size_t len, cap;
	size_t pos;         /* bytes of buf already handed to the tokener */
	size_t msg_bytes;   /* bytes in the value being parsed so far */
	struct json_tokener *tok;
	char err[128];
};

/* 0, or -1 when out of memory. */
int ovsdb_stream_init(struct ovsdb_stream *s);
void ovsdb_stream_fini(struct ovsdb_stream *s);
/* Appends received bytes. 0, or -1 (out of memory). */
int ovsdb_stream_feed(struct ovsdb_stream *s, const char *data, size_t len);
/* 1 and *out (the caller's reference) when a complete value is there, 0 when
 * more bytes are needed, -1 on a syntax error or an oversized message (the
 * stream is then unusable; s->err says why). */
int ovsdb_stream_next(struct ovsdb_stream *s, json_object **out);

#endif
