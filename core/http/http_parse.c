/* http_parse.c - one HTTP/1.x request head, parsed in place (see http_parse.h),
 * and query-string decoding for path handlers (xd_http_query_get of http.h).
 *
 * The parser is strict where a lax reading could let two parties disagree
 * on where a request ends (field names, Content-Length, Transfer-Encoding,
 * obsolete line folding are refused with 400) and lenient where it costs
 * nothing (bare LF line endings, blank lines before the request line). */
#include "http_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/* RFC 9110 token characters (method names, field names). */
static bool is_tchar(unsigned char c)
{
	if (isalnum(c))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

size_t xd_http_leading_blank(const char *buf, size_t n)
{
	size_t i = 0;

	while (i < n && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i;
}

size_t xd_http_head_end(const char *buf, size_t n, size_t *scan)
{
	size_t i = *scan;

	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t p;

		if (!nl)
			break;
		p = (size_t)(nl - buf);
		/* Undecided until the bytes after this LF have arrived: resume
		 * the next search at this LF. */
		if (p + 1 >= n) {
			*scan = p;
			return 0;
		}
		if (buf[p + 1] == '\n')
			return p + 2;
		if (buf[p + 1] == '\r') {
			if (p + 2 >= n) {
				*scan = p;
				return 0;
			}
			if (buf[p + 2] == '\n')
				return p + 3;
		}
		i = p + 1;
	}
	*scan = n;
	return 0;
}

/* The next line of buf[*pos..len): start and length without its CR LF.
 * Returns -1 if the line has a stray CR or NUL, or no LF. */
static int next_line(char *buf, size_t len, size_t *pos, size_t *start, size_t *n)
{
	char *nl = memchr(buf + *pos, '\n', len - *pos);
	size_t end, i;

	if (!nl)
		return -1;
	end = (size_t)(nl - buf);
	*start = *pos;
	*pos = end + 1;
	if (end > *start && buf[end - 1] == '\r')
		end--;
	for (i = *start; i < end; i++)
		if (buf[i] == '\r' || buf[i] == '\0')
			return -1;
	*n = end - *start;
	return 0;
}

static bool field_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* Does the comma-separated list v[0..n) contain token (case-insensitive)? */
static bool list_has(const char *v, size_t n, const char *token)
{
	size_t i = 0;

	while (i < n) {
		size_t s, e;

		while (i < n && (is_ows(v[i]) || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',')
			i++;
		e = i;
		while (e > s && is_ows(v[e - 1]))
			e--;
		if (e > s && field_is(v + s, e - s, token))
			return true;
	}
	return false;
}

static int parse_content_length(const char *v, size_t n, int64_t *out)
{
	int64_t x = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	*out = x;
	return 0;
}

/* Request line: METHOD SP request-target SP HTTP/1.x */
static int parse_request_line(char *buf, size_t start, size_t n, xd_http_head *h)
{
	size_t end = start + n, i = start, t, te, q;

	while (i < end && is_tchar((unsigned char)buf[i]))
		i++;
	if (i == start || i - start > 32 || i >= end || buf[i] != ' ')
		return 400;
	h->method = start;
	buf[i++] = '\0';

	t = i;
	while (i < end && (unsigned char)buf[i] > 0x20 && buf[i] != 0x7f)
		i++;
	if (i == t || i >= end || buf[i] != ' ')
		return 400;
	te = i;
	buf[i++] = '\0';

	/* Version: exactly "HTTP/<digit>.<digit>" and nothing after. */
	if (end - i != 8 || memcmp(buf + i, "HTTP/", 5) != 0 || !isdigit((unsigned char)buf[i + 5]) ||
	    buf[i + 6] != '.' || !isdigit((unsigned char)buf[i + 7]))
		return 400;
	if (buf[i + 5] != '1')
		return 505;
	h->minor = buf[i + 7] - '0';

	/* absolute-form (a client talking to a proxy, or a careless one):
	 * keep only the path. */
	if (strncasecmp(buf + t, "http://", 7) == 0 || strncasecmp(buf + t, "https://", 8) == 0) {
		char *slash = strchr(buf + t + (buf[t + 4] == ':' ? 7 : 8), '/');

		if (slash) {
			t = (size_t)(slash - buf);
		} else {
			/* "http://host": the path is "/" (written over the
			 * scheme, which is long enough). */
			buf[t] = '/';
			buf[t + 1] = '\0';
			te = t + 1;
		}
	} else if (buf[t] != '/' && !(buf[t] == '*' && te == t + 1)) {
		return 400;
	}
	h->path = t;
	h->query = te; /* the NUL: "" */
	for (q = t; q < te; q++) {
		if (buf[q] == '?') {
			buf[q] = '\0';
			h->query = q + 1;
			/* "%00" would decode to a NUL that cuts a value short:
			 * no handler means that, so the request is refused. */
			for (size_t k = q + 1; k + 2 < te; k++)
				if (buf[k] == '%' && buf[k + 1] == '0' && buf[k + 2] == '0')
					return 400;
			break;
		}
		if (buf[q] == '#') { /* a fragment is never meant for the server */
			buf[q] = '\0';
			break;
		}
	}
	return 0;
}

int xd_http_head_parse(char *buf, size_t len, xd_http_head *h)
{
	size_t pos = 0, start, n, nfields = 0;
	bool conn_close = false, conn_keep = false, have_cl = false;
	int rc;

	memset(h, 0, sizeof(*h));
	h->len = len;
	h->authorization = XD_HTTP_NONE;
	h->content_length = -1;

	if (next_line(buf, len, &pos, &start, &n) < 0)
		return 400;
	rc = parse_request_line(buf, start, n, h);
	if (rc)
		return rc;

	for (;;) {
		size_t colon, vs, ve;
		const char *name;

		if (next_line(buf, len, &pos, &start, &n) < 0)
			return 400;
		if (n == 0)
			break;
		if (++nfields > XD_HTTP_FIELDS_MAX)
			return 431;
		/* Obsolete line folding: refused (RFC 9112 5.2). */
		if (is_ows(buf[start]))
			return 400;
		name = buf + start;
		for (colon = start; colon < start + n && buf[colon] != ':'; colon++)
			if (!is_tchar((unsigned char)buf[colon]))
				return 400;
		if (colon == start || colon == start + n)
			return 400;
		vs = colon + 1;
		ve = start + n;
		while (vs < ve && is_ows(buf[vs]))
			vs++;
		while (ve > vs && is_ows(buf[ve - 1]))
			ve--;

		if (field_is(name, colon - start, "content-length")) {
			int64_t cl;

			if (parse_content_length(buf + vs, ve - vs, &cl) < 0)
				return 400;
			if (have_cl && cl != h->content_length)
				return 400;
			have_cl = true;
			h->content_length = cl;
		} else if (field_is(name, colon - start, "transfer-encoding")) {
			if (!field_is(buf + vs, ve - vs, "chunked"))
				return 501;
			h->chunked = true;
		} else if (field_is(name, colon - start, "connection")) {
			if (list_has(buf + vs, ve - vs, "close"))
				conn_close = true;
			if (list_has(buf + vs, ve - vs, "keep-alive"))
				conn_keep = true;
		} else if (field_is(name, colon - start, "expect")) {
			if (field_is(buf + vs, ve - vs, "100-continue"))
				h->expect_continue = true;
		} else if (field_is(name, colon - start, "authorization")) {
			buf[ve] = '\0';
			h->authorization = vs;
		}
	}

	h->keep_alive = h->minor >= 1 ? !conn_close : (conn_keep && !conn_close);
	if (h->chunked) {
		/* Both framings: chunked wins, and the connection is not reused
		 * (RFC 9112 6.3), so that nobody can smuggle a request. */
		if (have_cl)
			h->keep_alive = false;
		h->content_length = -1;
	}
	return 0;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *xd_http_decode_component(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
			   hexval((unsigned char)s[i + 2]) >= 0) {
			out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

char *xd_http_query_get(const char *query, const char *key)
{
	const char *p = query;

	if (!query || !key)
		return NULL;
	while (*p) {
		const char *amp = strchr(p, '&');
		const char *end = amp ? amp : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		const char *kend = eq ? eq : end;
		char *k = xd_http_decode_component(p, (size_t)(kend - p));
		bool match = strcmp(k, key) == 0;

		free(k);
		if (match)
			return eq ? xd_http_decode_component(eq + 1, (size_t)(end - eq - 1))
				  : xd_http_decode_component("", 0);
		if (!amp)
			break;
		p = amp + 1;
	}
	return NULL;
}
