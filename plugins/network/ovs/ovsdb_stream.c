/* ovsdb_stream.c - cutting a byte stream into JSON values (ovsdb_stream.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb_stream.h"

int ovsdb_stream_init(struct ovsdb_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->tok = json_tokener_new();
	return s->tok ? 0 : -1;
}

void ovsdb_stream_fini(struct ovsdb_stream *s)
{
	if (s->tok)
		json_tokener_free(s->tok);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

int ovsdb_stream_feed(struct ovsdb_stream *s, const char *data, size_t len)
{
	if (len == 0)
		return 0;
	/* drop what the tokener has consumed before growing */
	if (s->pos) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->len + len > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + len)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			return -1;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	return 0;
}

/* Whitespace between values is not the start of one. */
static void skip_space(struct ovsdb_stream *s)
{
	if (s->msg_bytes)
		return; /* inside a value: the tokener keeps its own state */
	while (s->pos < s->len && strchr(" \t\r\n", s->buf[s->pos]))
		s->pos++;
}

int ovsdb_stream_next(struct ovsdb_stream *s, json_object **out)
{
	*out = NULL;
	skip_space(s);
	if (s->pos >= s->len)
		return 0;
	size_t avail = s->len - s->pos;
	/* the tokener takes an int length */
	int chunk = avail > (size_t)1 << 30 ? 1 << 30 : (int)avail;
	json_object *v = json_tokener_parse_ex(s->tok, s->buf + s->pos, chunk);
	enum json_tokener_error e = json_tokener_get_error(s->tok);
	if (v) {
		size_t used = json_tokener_get_parse_end(s->tok);
		s->pos += used;
		s->msg_bytes = 0;
		json_tokener_reset(s->tok);
		*out = v;
		return 1;
	}
	if (e == json_tokener_continue) {
		s->pos += (size_t)chunk;
		s->msg_bytes += (size_t)chunk;
		if (s->msg_bytes > OVSDB_STREAM_MAX) {
			snprintf(s->err, sizeof(s->err), "a message longer than %u bytes",
				 OVSDB_STREAM_MAX);
			return -1;
		}
		return 0;
	}
	snprintf(s->err, sizeof(s->err), "bad JSON from ovsdb-server: %s",
		 json_tokener_error_desc(e));
	return -1;
}
