/* wire_json.c - JSON values and JSON-RPC 1.0/2.0 envelopes (see wire.h).
 *
 * Parsing uses json-c (one tokener per call, so it is thread-safe) and
 * converts its tree to xd_values. Encoding is done here in one pass into the
 * caller's strbuf, compact like xapi's Yojson output: no spaces, ints as
 * bare numbers, datetimes as xapi-format strings, object members in order.
 * The request id is kept as JSON text and written back as it came.
 */
#include "wire.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/* json-c's default (32) is too shallow for nested maps inside records in
 * event snapshots; deeper input is refused. */
#define JSON_MAX_DEPTH 128

static char *xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xstrdup_printf(const char *fmt, ...)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xd_strbuf_puts(&sb, buf);
	return xd_strbuf_steal(&sb);
}

static void set_why(char **why, char *msg)
{
	if (why)
		*why = msg;
	else
		free(msg);
}

/* Parses text into a json-c tree: 0 and *out (NULL for a JSON null), or
 * -1 with *why set. */
static int json_tree(const char *text, size_t len, struct json_object **out, char **why)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	enum json_tokener_error e;
	size_t end;

	*out = NULL;
	if (len > INT_MAX) {
		set_why(why, xstrdup_printf("JSON document too large"));
		return -1;
	}
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text ? text : "", (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && e == json_tokener_continue) {
		/* A bare top-level number is only complete once the tokener
		 * sees a terminator; the whole text has been consumed. */
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	/* Trailing whitespace is fine; anything else is not. */
	for (; e == json_tokener_success && end < len; end++) {
		char c = text[end];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			e = json_tokener_error_parse_unexpected;
			break;
		}
	}
	if (e != json_tokener_success) {
		if (e == json_tokener_continue)
			e = json_tokener_error_parse_eof;
		set_why(why, xstrdup_printf("malformed JSON at offset %zu: %s", end,
					    json_tokener_error_desc(e)));
		json_object_put(o);
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_free(tok);
	*out = o;
	return 0;
}

/* Converts a json-c tree to a value, or NULL with *why set. */
static xd_value *from_json(struct json_object *o, char **why)
{
	xd_value *v = NULL;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		return xd_nil();
	case json_type_boolean:
		return xd_bool(json_object_get_boolean(o));
	case json_type_double:
		return xd_float(json_object_get_double(o));
	case json_type_int: {
		int64_t i64 = json_object_get_int64(o);

		/* json-c saturates out-of-range integers; do not pass a
		 * clamped number on silently. */
		if (i64 == INT64_MAX && json_object_get_uint64(o) > (uint64_t)INT64_MAX) {
			set_why(why, xstrdup_printf("integer out of the 64-bit range"));
			return NULL;
		}
		return xd_int(i64);
	}
	case json_type_string: {
		const char *s = json_object_get_string(o);
		int len = json_object_get_string_len(o);

		/* Our strings are C strings: one with a NUL in it cannot be
		 * taken whole. It becomes null, which the parameter checks then
		 * refuse with FIELD_TYPE_ERROR [param]: a clean API error instead
		 * of cutting the string or failing the whole request. */
		if ((size_t)len != strlen(s))
			return xd_nil();
		return xd_string_n(s, (size_t)len);
	}
	case json_type_array:
		v = xd_array();
		n = json_object_array_length(o);
		for (i = 0; i < n; i++) {
			xd_value *item = from_json(json_object_array_get_idx(o, i), why);

			if (!item) {
				xd_value_free(v);
				return NULL;
			}
			xd_array_append_take(v, item);
		}
		return v;
	case json_type_object: {
		struct json_object_iterator it = json_object_iter_begin(o);
		struct json_object_iterator end = json_object_iter_end(o);

		v = xd_struct();
		while (!json_object_iter_equal(&it, &end)) {
			xd_value *m = from_json(json_object_iter_peek_value(&it), why);

			if (!m) {
				xd_value_free(v);
				return NULL;
			}
			xd_struct_set_take(v, json_object_iter_peek_name(&it), m);
			json_object_iter_next(&it);
		}
		return v;
	}
	}
	set_why(why, xstrdup_printf("unsupported JSON value"));
	return NULL;
}

int xd_json_parse(const char *text, size_t len, xd_value **out, char **why)
{
	struct json_object *o;

	*out = NULL;
	if (json_tree(text, len, &o, why) < 0)
		return -1;
	if (!o) {
		/* json-c represents null as a NULL object. */
		*out = xd_nil();
		return 0;
	}
	*out = from_json(o, why);
	json_object_put(o);
	return *out ? 0 : -1;
}

/* ---- encoding ---- */

static void put_int64(xd_strbuf *sb, int64_t i)
{
	char buf[24];
	char *p = buf + sizeof(buf);
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	xd_strbuf_append(sb, p, (size_t)(buf + sizeof(buf) - p));
}

/* The shortest text that reads back as the same double, always with a
 * fraction or exponent so it stays a float ("1.0", as Yojson writes). JSON
 * has no NaN or infinity; null is the one value every client can parse. */
static void put_double(xd_strbuf *sb, double f)
{
	char buf[40];
	int prec, n = 0;

	if (!isfinite(f)) {
		xd_strbuf_puts(sb, "null");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, sizeof(buf), "%.*g", prec, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	xd_strbuf_append(sb, buf, (size_t)n);
	if (!strpbrk(buf, ".eE"))
		xd_strbuf_puts(sb, ".0");
}

void xd_json_encode_value(xd_strbuf *sb, const xd_value *v)
{
	char dt[32];
	size_t i;

	if (!v) {
		xd_strbuf_puts(sb, "null");
		return;
	}
	switch (v->t) {
	case XD_V_NIL:
		xd_strbuf_puts(sb, "null");
		break;
	case XD_V_BOOL:
		xd_strbuf_puts(sb, v->u.b ? "true" : "false");
		break;
	case XD_V_INT:
		put_int64(sb, v->u.i);
		break;
	case XD_V_FLOAT:
		put_double(sb, v->u.f);
		break;
	case XD_V_STRING:
		xd_strbuf_put_json_string(sb, v->u.s);
		break;
	case XD_V_DATETIME:
		xd_datetime_format(v->u.i, dt);
		xd_strbuf_putc(sb, '"');
		xd_strbuf_puts(sb, dt);
		xd_strbuf_putc(sb, '"');
		break;
	case XD_V_ARRAY:
		xd_strbuf_putc(sb, '[');
		for (i = 0; i < v->u.arr.n; i++) {
			if (i)
				xd_strbuf_putc(sb, ',');
			xd_json_encode_value(sb, v->u.arr.items[i]);
		}
		xd_strbuf_putc(sb, ']');
		break;
	case XD_V_RAW:
		/* Already JSON text (see value.h). */
		xd_strbuf_append(sb, v->u.raw.s, v->u.raw.len);
		break;
	case XD_V_LAZY:
		xd_lazy_emit(v, sb, true);
		break;
	case XD_V_STRUCT:
		xd_strbuf_putc(sb, '{');
		for (i = 0; i < v->u.st.n; i++) {
			if (i)
				xd_strbuf_putc(sb, ',');
			xd_strbuf_put_json_string(sb, v->u.st.m[i].name);
			xd_strbuf_putc(sb, ':');
			xd_json_encode_value(sb, v->u.st.m[i].v);
		}
		xd_strbuf_putc(sb, '}');
		break;
	}
}

/* ---- JSON-RPC ---- */

void xd_jsonrpc_req_clear(xd_jsonrpc_req *req)
{
	if (!req)
		return;
	free(req->method);
	xd_value_free(req->params);
	free(req->id_json);
	memset(req, 0, sizeof(*req));
}

/* The id as JSON text: integers and strings only, as xapi accepts. */
static char *id_text(struct json_object *id)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	if (json_object_is_type(id, json_type_int)) {
		xd_strbuf_puts(&sb, json_object_to_json_string_ext(id, JSON_C_TO_STRING_PLAIN));
	} else if (json_object_is_type(id, json_type_string)) {
		const char *s = json_object_get_string(id);

		if ((size_t)json_object_get_string_len(id) != strlen(s))
			return NULL;
		xd_strbuf_put_json_string(&sb, s);
	} else {
		return NULL;
	}
	return xd_strbuf_steal(&sb);
}

int xd_jsonrpc_parse_request(const char *body, size_t len, xd_jsonrpc_req *req, char **why)
{
	struct json_object *doc, *o;
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (json_tree(body, len, &doc, why) < 0)
		return -1;
	if (!doc || !json_object_is_type(doc, json_type_object)) {
		set_why(why, xstrdup_printf("JSON-RPC request is not an object"));
		goto out;
	}

	req->version = 1;
	if (json_object_object_get_ex(doc, "jsonrpc", &o)) {
		if (!json_object_is_type(o, json_type_string) ||
		    strcmp(json_object_get_string(o), "2.0") != 0) {
			set_why(why, xstrdup_printf("Invalid field 'jsonrpc' in request body"));
			goto out;
		}
		req->version = 2;
	}

	/* A NUL inside the name ("VM.get_all\u0000x") would cut it short:
	 * that is not the method the client named. */
	if (!json_object_object_get_ex(doc, "method", &o) ||
	    !json_object_is_type(o, json_type_string) ||
	    strlen(json_object_get_string(o)) != (size_t)json_object_get_string_len(o)) {
		set_why(why, xstrdup_printf("Invalid field 'method' in request body"));
		goto out;
	}
	req->method = strdup(json_object_get_string(o));
	if (!req->method)
		abort();

	/* xapi requires an id: it serves no notifications. */
	if (!json_object_object_get_ex(doc, "id", &o) || !o) {
		set_why(why, xstrdup_printf("Required field id is missing"));
		goto out;
	}
	req->id_json = id_text(o);
	if (!req->id_json) {
		set_why(why, xstrdup_printf("Invalid field 'id' in request body"));
		goto out;
	}

	if (!json_object_object_get_ex(doc, "params", &o) || !o) {
		/* Missing or null params: a call without arguments. */
		req->params = xd_array();
	} else if (json_object_is_type(o, json_type_array)) {
		req->params = from_json(o, why);
		if (!req->params)
			goto out;
	} else if (req->version == 2 && json_object_is_type(o, json_type_object)) {
		/* JSON-RPC 2.0 by-name params: one struct argument, as xapi. */
		xd_value *st = from_json(o, why);

		if (!st)
			goto out;
		req->params = xd_array();
		xd_array_append_take(req->params, st);
	} else {
		set_why(why, xstrdup_printf("Invalid field 'params' in request body"));
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		free(req->method);
		xd_value_free(req->params);
		free(req->id_json);
		memset(req, 0, sizeof(*req));
	}
	json_object_put(doc);
	return rc;
}

static void put_id(xd_strbuf *sb, const xd_jsonrpc_req *req)
{
	xd_strbuf_puts(sb, req && req->id_json ? req->id_json : "null");
}

void xd_jsonrpc_encode_success(xd_strbuf *sb, const xd_jsonrpc_req *req, const xd_value *v)
{
	bool v2 = req && req->version == 2;

	/* v2 carries no "error" key at all: json-rpc-protocol (Xen Orchestra)
	 * treats any error member as a failure. */
	xd_strbuf_puts(sb, v2 ? "{\"jsonrpc\":\"2.0\",\"result\":" : "{\"result\":");
	if (v)
		xd_json_encode_value(sb, v);
	else
		xd_strbuf_puts(sb, "\"\""); /* void, as xapi */
	xd_strbuf_puts(sb, v2 ? ",\"id\":" : ",\"error\":null,\"id\":");
	put_id(sb, req);
	xd_strbuf_putc(sb, '}');
}

void xd_jsonrpc_encode_failure(xd_strbuf *sb, const xd_jsonrpc_req *req, const xd_error *err)
{
	const char *code = err && err->code ? err->code : "INTERNAL_ERROR";
	size_t n = err && err->code ? err->nparams : 0, i;

	if (req && req->version == 2) {
		/* xapi always uses code 1 and puts the XenAPI code in message. */
		xd_strbuf_puts(sb, "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":1,\"message\":");
		xd_strbuf_put_json_string(sb, code);
		xd_strbuf_puts(sb, ",\"data\":[");
		for (i = 0; i < n; i++) {
			if (i)
				xd_strbuf_putc(sb, ',');
			xd_strbuf_put_json_string(sb, err->params[i] ? err->params[i] : "");
		}
		xd_strbuf_puts(sb, "]},\"id\":");
	} else {
		xd_strbuf_puts(sb, "{\"result\":null,\"error\":[");
		xd_strbuf_put_json_string(sb, code);
		for (i = 0; i < n; i++) {
			xd_strbuf_putc(sb, ',');
			xd_strbuf_put_json_string(sb, err->params[i] ? err->params[i] : "");
		}
		xd_strbuf_puts(sb, "],\"id\":");
	}
	put_id(sb, req);
	xd_strbuf_putc(sb, '}');
}
