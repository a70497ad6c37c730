/* wire_xmlrpc.c - XML-RPC: request/response parsing and xapi-exact encoding
 * (see wire.h).
 *
 * Parsing runs on the XML tokenizer that ships inside xmlrpc-c
 * (libxmlrpc_xmlparse, an Expat fork; part of `xmlrpc-c-config --libs`) and
 * builds xd_values directly from its start/end/text events, in one pass.
 * xmlrpc-c's own value layer (xmlrpc_parse_call) is deliberately not used,
 * because on the Debian 1.33 library it refuses what xapi accepts (measured):
 *  - any character outside the Basic Multilingual Plane (emoji in a
 *    name_label: "UTF-8 string contains a character not in the BMP");
 *  - dateTime.iso8601 with a numeric offset ("…T02:00:23+02:00");
 *  - <int>/<i4> values beyond 32 bits, which ocaml-rpc reads as int64;
 * and it would cost two extra tree conversions per request. Its XML size
 * limit (XMLRPC_XML_SIZE_LIMIT_ID) therefore does not apply here; the HTTP
 * layer enforces the configured body limit.
 *
 * Safety: each call has its own parser and state, so parsing is thread-safe
 * (the tokenizer keeps no mutable globals). Only UTF-8 is read (a UTF-16
 * byte-order mark or a NUL byte is refused) and a DOCTYPE is refused before
 * parsing, because this old Expat expands internal entities without any
 * limit ("billion laughs"): without a DOCTYPE there is nothing to expand, so
 * parse work and memory stay linear in the body size.
 *
 * Encoding writes exactly what xapi (mirage/ocaml-rpc xmlrpc.ml) writes: no
 * whitespace between tags, untyped strings, ints as untyped decimal strings.
 */
#include "wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the Expat API of xmlrpc-c's bundled tokenizer ----
 * Its header (xmlparse.h) is not installed by libxmlrpc-core-c3-dev, so the
 * few entry points used here are declared as that header declares them. */
typedef void *xd_expat;
typedef void (*xd_expat_start_fn)(void *ud, const char *name, const char **atts);
typedef void (*xd_expat_end_fn)(void *ud, const char *name);
typedef void (*xd_expat_text_fn)(void *ud, const char *s, int len);
typedef void (*xd_expat_doctype_start_fn)(void *ud, const char *name);
typedef void (*xd_expat_doctype_end_fn)(void *ud);

xd_expat xmlrpc_XML_ParserCreate(const char *encoding);
void xmlrpc_XML_ParserFree(xd_expat p);
void xmlrpc_XML_SetUserData(xd_expat p, void *ud);
void xmlrpc_XML_SetElementHandler(xd_expat p, xd_expat_start_fn start, xd_expat_end_fn end);
void xmlrpc_XML_SetCharacterDataHandler(xd_expat p, xd_expat_text_fn text);
void xmlrpc_XML_SetDoctypeDeclHandler(xd_expat p, xd_expat_doctype_start_fn start,
				      xd_expat_doctype_end_fn end);
int xmlrpc_XML_Parse(xd_expat p, const char *s, size_t len, int is_final);
int xmlrpc_XML_GetErrorCode(xd_expat p);
const char *xmlrpc_XML_ErrorString(int code);
int xmlrpc_XML_GetCurrentLineNumber(xd_expat p);

/* Deeper documents are refused: the value tree is freed and encoded
 * recursively, and no XenAPI value nests more than a few levels. */
#define XML_MAX_DEPTH 256

/* ---- the event-driven decoder ---- */

typedef enum {
	E_METHODCALL,
	E_METHODRESPONSE,
	E_METHODNAME,
	E_PARAMS,
	E_PARAM,
	E_FAULT,
	E_VALUE,
	E_STRUCT,
	E_MEMBER,
	E_NAME,
	E_ARRAY,
	E_DATA,
	/* scalar types */
	E_STRING,
	E_INT,
	E_BOOLEAN,
	E_DOUBLE,
	E_DATETIME,
	E_BASE64,
	E_NIL,
} elem;

/* Element names as they appear on the wire; several spell the same type. */
static const struct {
	const char *name;
	elem e;
} elem_names[] = {
	{ "value", E_VALUE },
	{ "member", E_MEMBER },
	{ "name", E_NAME },
	{ "string", E_STRING },
	{ "struct", E_STRUCT },
	{ "array", E_ARRAY },
	{ "data", E_DATA },
	{ "param", E_PARAM },
	{ "params", E_PARAMS },
	{ "int", E_INT },
	{ "i4", E_INT },
	{ "i8", E_INT },
	{ "boolean", E_BOOLEAN },
	{ "double", E_DOUBLE },
	{ "dateTime.iso8601", E_DATETIME },
	{ "base64", E_BASE64 },
	{ "nil", E_NIL },
	{ "ex:nil", E_NIL }, /* Apache's extension namespace, as xmlrpc-c accepts */
	{ "methodName", E_METHODNAME },
	{ "methodCall", E_METHODCALL },
	{ "methodResponse", E_METHODRESPONSE },
	{ "fault", E_FAULT },
};

static const char *elem_name(elem e)
{
	size_t i;

	for (i = 0; i < sizeof(elem_names) / sizeof(elem_names[0]); i++)
		if (elem_names[i].e == e)
			return elem_names[i].name;
	return "?";
}

typedef struct frame {
	elem e;
	xd_value *v;       /* E_VALUE: the typed child's value; E_STRUCT/E_ARRAY: the container */
	char *name;        /* E_MEMBER: the member's name */
	xd_value *mv;      /* E_MEMBER: the member's value */
	bool has_child;    /* E_VALUE: a type element was seen */
} frame;

typedef struct decoder {
	xd_expat p;
	bool response;     /* parsing a methodResponse rather than a methodCall */
	frame stack[XML_MAX_DEPTH];
	int depth;
	xd_strbuf text;    /* character data of the innermost leaf */
	bool failed;
	char *why;
	/* results */
	char *method;
	bool have_method;
	xd_value *params;  /* call: the params array */
	xd_value *result;  /* response: the single param */
	xd_value *fault;   /* response: the fault struct */
} decoder;

static void fail(decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(decoder *d, const char *fmt, ...)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	char buf[256];
	va_list ap;

	if (d->failed)
		return;
	d->failed = true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xd_strbuf_printf(&sb, "line %d: %s", xmlrpc_XML_GetCurrentLineNumber(d->p), buf);
	d->why = xd_strbuf_steal(&sb);
}

static bool is_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

static int elem_lookup(const char *name, elem *out)
{
	size_t i;

	for (i = 0; i < sizeof(elem_names) / sizeof(elem_names[0]); i++) {
		if (strcmp(name, elem_names[i].name) == 0) {
			*out = elem_names[i].e;
			return 0;
		}
	}
	return -1;
}

static bool is_scalar(elem e)
{
	return e >= E_STRING;
}

/* Whether element e may appear inside parent (depth 0: the root). */
static bool allowed_in(const decoder *d, elem e)
{
	if (d->depth == 0)
		return e == (d->response ? E_METHODRESPONSE : E_METHODCALL);
	switch (d->stack[d->depth - 1].e) {
	case E_METHODCALL:
		return e == E_METHODNAME || e == E_PARAMS;
	case E_METHODRESPONSE:
		return e == E_PARAMS || e == E_FAULT;
	case E_PARAMS:
		return e == E_PARAM;
	case E_PARAM:
	case E_FAULT:
	case E_DATA:
		return e == E_VALUE;
	case E_VALUE:
		return e == E_STRUCT || e == E_ARRAY || is_scalar(e);
	case E_STRUCT:
		return e == E_MEMBER;
	case E_MEMBER:
		return e == E_NAME || e == E_VALUE;
	case E_ARRAY:
		return e == E_DATA;
	default:
		return false; /* leaves: methodName, name, scalars */
	}
}

/* Elements whose character data is collected in d->text. */
static bool collects_text(const frame *f)
{
	return f->e == E_METHODNAME || f->e == E_NAME || is_scalar(f->e) ||
	       (f->e == E_VALUE && !f->has_child);
}

static void on_start(void *ud, const char *name, const char **atts)
{
	decoder *d = ud;
	frame *f;
	elem e;

	if (d->failed)
		return;
	if (elem_lookup(name, &e) < 0) {
		fail(d, "unexpected element <%s>", name);
		return;
	}
	if (!allowed_in(d, e)) {
		if (d->depth)
			fail(d, "element <%s> not allowed in <%s>", name,
			     elem_name(d->stack[d->depth - 1].e));
		else
			fail(d, "root element <%s> is not <%s>", name,
			     d->response ? "methodResponse" : "methodCall");
		return;
	}
	if (d->depth == XML_MAX_DEPTH) {
		fail(d, "nested deeper than %d elements", XML_MAX_DEPTH);
		return;
	}
	if (d->depth > 0) {
		frame *parent = &d->stack[d->depth - 1];

		if (parent->e == E_VALUE) {
			/* <value>text<string>…</string></value> is mixed content. */
			if (parent->has_child || !is_blank(d->text.data ? d->text.data : "", d->text.len)) {
				fail(d, "<value> with more than one child");
				return;
			}
			parent->has_child = true;
		}
		if (parent->e == E_MEMBER && e == E_VALUE && !parent->name) {
			fail(d, "<member> without a <name> before its <value>");
			return;
		}
		if (parent->e == E_MEMBER && (e == E_VALUE ? parent->mv != NULL : parent->name != NULL)) {
			fail(d, "<member> with more than one <%s>", name);
			return;
		}
		if (parent->e == E_METHODCALL && e == E_METHODNAME && d->have_method) {
			fail(d, "more than one <methodName>");
			return;
		}
	}
	f = &d->stack[d->depth++];
	memset(f, 0, sizeof(*f));
	f->e = e;
	if (e == E_STRUCT)
		f->v = xd_struct();
	else if (e == E_ARRAY)
		f->v = xd_array();
	else if (e == E_PARAMS && !d->response)
		d->params = d->params ? d->params : xd_array();
	if (collects_text(f))
		xd_strbuf_reset(&d->text);
}

static void on_text(void *ud, const char *s, int len)
{
	decoder *d = ud;

	if (d->failed || len <= 0)
		return;
	if (d->depth > 0 && collects_text(&d->stack[d->depth - 1])) {
		xd_strbuf_append(&d->text, s, (size_t)len);
		return;
	}
	/* Between structural tags only whitespace may appear. */
	if (!is_blank(s, (size_t)len))
		fail(d, "unexpected text '%.*s'", len > 40 ? 40 : len, s);
}

static void on_doctype(void *ud, const char *name)
{
	fail(ud, "DOCTYPE declarations are not accepted");
}

/* Strips leading and trailing XML whitespace in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int b64_digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

xd_value *xd_base64_decode(const char *s)
{
	xd_strbuf out = XD_STRBUF_INIT;
	uint32_t acc = 0;
	int bits = 0;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if (*s == '=')
			break;
		v = b64_digit(*s);
		if (v < 0) {
			xd_strbuf_free(&out);
			return NULL;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			xd_strbuf_putc(&out, (char)((acc >> bits) & 0xff));
		}
	}
	for (; *s; s++)
		if (*s != '=' && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') {
			xd_strbuf_free(&out);
			return NULL;
		}
	if (out.len != strlen(out.data ? out.data : "")) {
		/* An embedded NUL cannot live in an xd_value string. */
		xd_strbuf_free(&out);
		return NULL;
	}
	return xd_string_take(xd_strbuf_steal(&out));
}

/* Converts the text of a scalar element into its value, or NULL. */
static xd_value *scalar_value(decoder *d, elem e)
{
	char *raw = d->text.data ? d->text.data : (char *)"";
	char *t;
	int64_t i;
	double f;
	char *end;

	switch (e) {
	case E_STRING:
		return xd_string_n(raw, d->text.len);
	case E_INT:
		t = trim(raw);
		if (parse_int64(t, &i) < 0) {
			fail(d, "bad integer '%.40s'", t);
			return NULL;
		}
		return xd_int(i);
	case E_BOOLEAN:
		/* As ocaml-rpc: "1" is true, the rest false ("true" too, for
		 * clients that spell it out). */
		t = trim(raw);
		return xd_bool(strcmp(t, "1") == 0 || strcmp(t, "true") == 0);
	case E_DOUBLE:
		t = trim(raw);
		errno = 0;
		f = strtod(t, &end);
		if (!*t || *end || (errno == ERANGE && isinf(f))) {
			fail(d, "bad double '%.40s'", t);
			return NULL;
		}
		return xd_float(f);
	case E_DATETIME:
		t = trim(raw);
		if (xd_datetime_parse(t, &i) < 0) {
			fail(d, "bad dateTime.iso8601 '%.40s'", t);
			return NULL;
		}
		return xd_datetime(i);
	case E_BASE64: {
		xd_value *v = xd_base64_decode(raw);

		if (!v)
			fail(d, "bad base64");
		return v;
	}
	case E_NIL:
		if (!is_blank(raw, d->text.len)) {
			fail(d, "text inside <nil/>");
			return NULL;
		}
		return xd_nil();
	default:
		return NULL;
	}
}

/* Hands a finished <value> to the element that holds it. */
static void deliver_value(decoder *d, xd_value *v)
{
	frame *parent = &d->stack[d->depth - 1];

	switch (parent->e) {
	case E_PARAM:
		if (d->response) {
			if (d->result) {
				fail(d, "methodResponse with more than one param");
				break;
			}
			d->result = v;
			return;
		}
		xd_array_append_take(d->params, v);
		return;
	case E_DATA:
		/* The array frame is right below <data>. */
		xd_array_append_take(d->stack[d->depth - 2].v, v);
		return;
	case E_MEMBER:
		parent->mv = v;
		return;
	case E_FAULT:
		d->fault = v;
		return;
	default:
		break;
	}
	xd_value_free(v);
}

static void frame_release(frame *f)
{
	xd_value_free(f->v);
	xd_value_free(f->mv);
	free(f->name);
	memset(f, 0, sizeof(*f));
}

static void on_end(void *ud, const char *name)
{
	decoder *d = ud;
	frame *f, *parent;
	xd_value *v;

	if (d->failed || d->depth == 0)
		return;
	f = &d->stack[--d->depth];
	parent = d->depth > 0 ? &d->stack[d->depth - 1] : NULL;
	switch (f->e) {
	case E_METHODNAME:
		d->method = xd_strbuf_steal(&d->text);
		d->have_method = true;
		break;
	case E_NAME:
		parent->name = xd_strbuf_steal(&d->text);
		break;
	case E_MEMBER:
		if (!f->name || !f->mv) {
			fail(d, "<member> without %s", f->name ? "<value>" : "<name>");
			break;
		}
		xd_struct_set_take(parent->v, f->name, f->mv);
		f->mv = NULL;
		break;
	case E_STRUCT:
	case E_ARRAY:
		parent->v = f->v;
		f->v = NULL;
		break;
	case E_VALUE:
		if (f->has_child) {
			v = f->v;
			f->v = NULL;
		} else {
			/* Untyped <value>text</value> is a string, kept verbatim. */
			v = xd_string_n(d->text.data ? d->text.data : "", d->text.len);
		}
		if (!v) {
			fail(d, "empty <value>");
			break;
		}
		deliver_value(d, v);
		break;
	case E_METHODCALL:
		if (!d->have_method)
			fail(d, "methodCall without <methodName>");
		break;
	case E_METHODRESPONSE:
		if (!d->result && !d->fault)
			fail(d, "methodResponse without params or fault");
		break;
	case E_PARAM:
	case E_FAULT:
		break;
	default:
		if (is_scalar(f->e)) {
			parent->v = scalar_value(d, f->e);
			break;
		}
		break;
	}
	frame_release(f);
}

/* Whether the prolog (what precedes the root element) holds a DOCTYPE.
 * Processing instructions and comments are skipped whole, so markup inside
 * a comment cannot end the scan early. */
static const char *find(const char *hay, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay + n <= end; hay++)
		if (memcmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static bool has_doctype(const char *body, size_t len)
{
	const char *p = body, *end = body + len;

	while ((p = memchr(p, '<', (size_t)(end - p))) != NULL && end - p >= 2) {
		const char *close;

		if (p[1] == '?') {
			close = find(p, end, "?>");
		} else if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			close = find(p + 4, end, "-->");
		} else {
			/* "<!" is a DOCTYPE (or worse); anything else is the
			 * root element. */
			return p[1] == '!';
		}
		if (!close)
			return false; /* unterminated: the tokenizer refuses it */
		p = close + 2;
	}
	return false;
}

/* Why a body cannot be read as the one encoding we parse (UTF-8), or NULL.
 * The tokenizer follows a UTF-16 byte-order mark (and a UCS-4 or UTF-16
 * declaration) whatever encoding it was created with, and has_doctype reads
 * bytes: a document in a wider encoding would carry a DOCTYPE, and entities,
 * past the check. No XenAPI client sends anything but UTF-8, and a NUL byte
 * (in every wider encoding of ASCII text) is never valid XML, so refusing
 * both closes that door in every encoding. */
static const char *not_utf8(const char *body, size_t len)
{
	const unsigned char *b = (const unsigned char *)body;

	if (len >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) || (b[0] == 0xFF && b[1] == 0xFE)))
		return "only UTF-8 documents are accepted (UTF-16 byte-order mark)";
	if (memchr(body, 0, len))
		return "only UTF-8 documents are accepted (NUL byte)";
	return NULL;
}

static int decode(decoder *d, const char *body, size_t len)
{
	/* The tokenizer takes an int-sized chunk on some builds. */
	const size_t chunk = 1u << 30;
	size_t off = 0;
	int rc = -1;

	const char *enc = not_utf8(body, len);

	if (enc) {
		d->why = strdup(enc);
		return -1;
	}
	if (has_doctype(body, len)) {
		d->why = strdup("DOCTYPE declarations are not accepted");
		return -1;
	}
	d->p = xmlrpc_XML_ParserCreate("UTF-8");
	if (!d->p) {
		d->why = strdup("out of memory");
		return -1;
	}
	xmlrpc_XML_SetUserData(d->p, d);
	xmlrpc_XML_SetElementHandler(d->p, on_start, on_end);
	xmlrpc_XML_SetCharacterDataHandler(d->p, on_text);
	xmlrpc_XML_SetDoctypeDeclHandler(d->p, on_doctype, NULL);
	do {
		size_t n = len - off > chunk ? chunk : len - off;
		int last = off + n == len;

		if (!xmlrpc_XML_Parse(d->p, body + off, n, last)) {
			if (!d->failed) {
				const char *msg = xmlrpc_XML_ErrorString(xmlrpc_XML_GetErrorCode(d->p));

				fail(d, "not well-formed XML: %s", msg ? msg : "?");
			}
			goto out;
		}
		off += n;
	} while (off < len && !d->failed);
	if (!d->failed && len == 0)
		fail(d, "empty document");
	if (d->failed)
		goto out;
	rc = 0;
out:
	xmlrpc_XML_ParserFree(d->p);
	d->p = NULL;
	return rc;
}

static void decoder_free(decoder *d)
{
	while (d->depth > 0)
		frame_release(&d->stack[--d->depth]);
	xd_strbuf_free(&d->text);
	free(d->method);
	xd_value_free(d->params);
	xd_value_free(d->result);
	xd_value_free(d->fault);
	free(d->why);
	free(d);
}

static decoder *decoder_new(bool response)
{
	decoder *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	d->response = response;
	return d;
}

int xd_xmlrpc_parse_call(const char *body, size_t len, char **method, xd_value **params,
			 char **why)
{
	decoder *d = decoder_new(false);
	int rc = -1;

	*method = NULL;
	*params = NULL;
	if (decode(d, body ? body : "", body ? len : 0) < 0) {
		if (why) {
			*why = d->why;
			d->why = NULL;
		}
		goto out;
	}
	*method = d->method ? d->method : strdup("");
	d->method = NULL;
	/* <params/> may be absent altogether (xmlrpc-c clients omit it). */
	*params = d->params ? d->params : xd_array();
	d->params = NULL;
	rc = 0;
out:
	decoder_free(d);
	return rc;
}

int xd_xmlrpc_parse_response(const char *body, size_t len, xd_value **out, char **why)
{
	decoder *d = decoder_new(true);
	int rc = -1;

	*out = NULL;
	if (decode(d, body ? body : "", body ? len : 0) < 0) {
		if (why) {
			*why = d->why;
			d->why = NULL;
		}
		goto out;
	}
	if (d->fault) {
		xd_value *code = xd_struct_get(d->fault, "faultCode");
		xd_value *msg = xd_struct_get(d->fault, "faultString");
		xd_strbuf sb = XD_STRBUF_INIT;

		xd_strbuf_puts(&sb, "XML-RPC fault");
		if (code && code->t == XD_V_INT)
			xd_strbuf_printf(&sb, " %lld", (long long)code->u.i);
		if (msg && msg->t == XD_V_STRING)
			xd_strbuf_printf(&sb, ": %s", msg->u.s);
		if (why)
			*why = xd_strbuf_steal(&sb);
		xd_strbuf_free(&sb);
		goto out;
	}
	*out = d->result;
	d->result = NULL;
	rc = 0;
out:
	decoder_free(d);
	return rc;
}

/* ---- encoding ---- */

/* Appends the decimal digits of i without printf. */
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

#define PUTS_LIT(sb, lit) xd_strbuf_append((sb), (lit), sizeof(lit) - 1)

void xd_xmlrpc_encode_value(xd_strbuf *sb, const xd_value *v)
{
	char tmp[40];
	size_t i;

	if (!v) {
		/* A missing value is the empty string, as for void results. */
		PUTS_LIT(sb, "<value></value>");
		return;
	}
	switch (v->t) {
	case XD_V_NIL:
		PUTS_LIT(sb, "<value><nil/></value>");
		break;
	case XD_V_BOOL:
		if (v->u.b)
			PUTS_LIT(sb, "<value><boolean>1</boolean></value>");
		else
			PUTS_LIT(sb, "<value><boolean>0</boolean></value>");
		break;
	case XD_V_INT:
		if (v->i4) {
			PUTS_LIT(sb, "<value><i4>");
			put_int64(sb, v->u.i);
			PUTS_LIT(sb, "</i4></value>");
			break;
		}
		PUTS_LIT(sb, "<value>");
		put_int64(sb, v->u.i);
		PUTS_LIT(sb, "</value>");
		break;
	case XD_V_FLOAT:
		PUTS_LIT(sb, "<value><double>");
		/* OCaml's %.16g prints NaN as "nan" whatever its sign. */
		if (isnan(v->u.f))
			PUTS_LIT(sb, "nan");
		else {
			int n = snprintf(tmp, sizeof(tmp), "%.16g", v->u.f);

			xd_strbuf_append(sb, tmp, (size_t)n);
		}
		PUTS_LIT(sb, "</double></value>");
		break;
	case XD_V_STRING:
		PUTS_LIT(sb, "<value>");
		xd_strbuf_put_xml_escaped(sb, v->u.s);
		PUTS_LIT(sb, "</value>");
		break;
	case XD_V_DATETIME:
		PUTS_LIT(sb, "<value><dateTime.iso8601>");
		xd_datetime_format(v->u.i, tmp);
		xd_strbuf_puts(sb, tmp);
		PUTS_LIT(sb, "</dateTime.iso8601></value>");
		break;
	case XD_V_ARRAY:
		PUTS_LIT(sb, "<value><array><data>");
		for (i = 0; i < v->u.arr.n; i++)
			xd_xmlrpc_encode_value(sb, v->u.arr.items[i]);
		PUTS_LIT(sb, "</data></array></value>");
		break;
	case XD_V_RAW:
		/* Already <value>...</value> text (see value.h). */
		xd_strbuf_append(sb, v->u.raw.s, v->u.raw.len);
		break;
	case XD_V_LAZY:
		xd_lazy_emit(v, sb, false);
		break;
	case XD_V_STRUCT:
		PUTS_LIT(sb, "<value><struct>");
		for (i = 0; i < v->u.st.n; i++) {
			PUTS_LIT(sb, "<member><name>");
			xd_strbuf_put_xml_escaped(sb, v->u.st.m[i].name);
			PUTS_LIT(sb, "</name>");
			xd_xmlrpc_encode_value(sb, v->u.st.m[i].v);
			PUTS_LIT(sb, "</member>");
		}
		PUTS_LIT(sb, "</struct></value>");
		break;
	}
}

static const char resp_head[] = "<?xml version=\"1.0\"?><methodResponse><params><param>";
static const char resp_tail[] = "</param></params></methodResponse>";

void xd_xmlrpc_encode_success(xd_strbuf *sb, const xd_value *v)
{
	PUTS_LIT(sb, resp_head);
	PUTS_LIT(sb, "<value><struct><member><name>Status</name><value>Success</value></member>"
		     "<member><name>Value</name>");
	xd_xmlrpc_encode_value(sb, v);
	PUTS_LIT(sb, "</member></struct></value>");
	PUTS_LIT(sb, resp_tail);
}

void xd_xmlrpc_encode_failure(xd_strbuf *sb, const xd_error *err)
{
	size_t i;

	PUTS_LIT(sb, resp_head);
	PUTS_LIT(sb, "<value><struct><member><name>Status</name><value>Failure</value></member>"
		     "<member><name>ErrorDescription</name><value><array><data><value>");
	xd_strbuf_put_xml_escaped(sb, err && err->code ? err->code : "INTERNAL_ERROR");
	PUTS_LIT(sb, "</value>");
	for (i = 0; err && err->code && i < err->nparams; i++) {
		PUTS_LIT(sb, "<value>");
		xd_strbuf_put_xml_escaped(sb, err->params[i] ? err->params[i] : "");
		PUTS_LIT(sb, "</value>");
	}
	PUTS_LIT(sb, "</data></array></value></member></struct></value>");
	PUTS_LIT(sb, resp_tail);
}

void xd_xmlrpc_encode_raw(xd_strbuf *sb, const xd_value *v)
{
	PUTS_LIT(sb, resp_head);
	xd_xmlrpc_encode_value(sb, v);
	PUTS_LIT(sb, resp_tail);
}
