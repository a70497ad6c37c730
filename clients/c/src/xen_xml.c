/* xen_xml.c - the XML reader of xen_xml.h. */
#include "xen_xml.h"

#include <stdlib.h>
#include <string.h>

void xen_xr_init(xen_xr *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->err = NULL;
}

bool xen_xr_fail(xen_xr *r, const char *why)
{
	if (!r->err)
		r->err = why;
	r->p = r->end; /* nothing more is read after an error */
	return false;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(xen_xr *r)
{
	while (r->p < r->end && is_ws(*r->p))
		r->p++;
}

static bool starts(const xen_xr *r, const char *s, size_t n)
{
	return (size_t)(r->end - r->p) >= n && memcmp(r->p, s, n) == 0;
}

/* Skips past the first occurrence of the terminator. */
static void skip_past(xen_xr *r, const char *term)
{
	size_t n = strlen(term);

	while (r->p < r->end && !starts(r, term, n))
		r->p++;
	if (r->p < r->end)
		r->p += n;
	else
		xen_xr_fail(r, "unterminated markup");
}

void xen_xr_misc(xen_xr *r)
{
	for (;;) {
		skip_ws(r);
		if (starts(r, "<?", 2))
			skip_past(r, "?>");
		else if (starts(r, "<!--", 4))
			skip_past(r, "-->");
		else if (starts(r, "<!", 2))
			skip_past(r, ">");
		else
			return;
	}
}

int xen_xr_open_n(xen_xr *r, const char *name, size_t n)
{
	const char *q;

	skip_ws(r);
	if (r->p >= r->end || *r->p != '<' || (size_t)(r->end - r->p) < n + 2 ||
	    memcmp(r->p + 1, name, n) != 0)
		return 0;
	q = r->p + 1 + n;
	while (q < r->end && is_ws(*q))
		q++;
	if (q < r->end && *q == '>') {
		r->p = q + 1;
		return 1;
	}
	if (q + 1 < r->end && q[0] == '/' && q[1] == '>') {
		r->p = q + 2;
		return 2;
	}
	return 0;
}

bool xen_xr_close_n(xen_xr *r, const char *name, size_t n)
{
	skip_ws(r);
	if ((size_t)(r->end - r->p) < n + 3 || r->p[0] != '<' || r->p[1] != '/' ||
	    memcmp(r->p + 2, name, n) != 0)
		return xen_xr_fail(r, "unexpected element");
	r->p += 2 + n;
	skip_ws(r);
	if (r->p >= r->end || *r->p != '>')
		return xen_xr_fail(r, "bad end tag");
	r->p++;
	return true;
}

size_t xen_xr_peek(xen_xr *r, const char **name)
{
	const char *q;

	skip_ws(r);
	if (r->p + 1 >= r->end || *r->p != '<' || r->p[1] == '/')
		return 0;
	q = r->p + 1;
	while (q < r->end && !is_ws(*q) && *q != '>' && *q != '/')
		q++;
	*name = r->p + 1;
	return (size_t)(q - (r->p + 1));
}

void xen_xr_text(xen_xr *r, const char **start, size_t *len)
{
	const char *q = memchr(r->p, '<', (size_t)(r->end - r->p));

	if (!q)
		q = r->end;
	*start = r->p;
	*len = (size_t)(q - r->p);
	r->p = q;
}

bool xen_xr_skip(xen_xr *r)
{
	int depth = 0;

	do {
		const char *q = memchr(r->p, '<', (size_t)(r->end - r->p));
		const char *gt;

		if (!q)
			return xen_xr_fail(r, "truncated element");
		gt = memchr(q, '>', (size_t)(r->end - q));
		if (!gt)
			return xen_xr_fail(r, "truncated tag");
		if (q[1] == '/')
			depth--;
		else if (gt[-1] != '/' && q[1] != '?' && q[1] != '!')
			depth++;
		r->p = gt + 1;
	} while (depth > 0);
	return true;
}

/* UTF-8 of code point c into out; bytes written (0: not a character). */
static size_t utf8(unsigned long c, char *out)
{
	if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static const struct {
	const char *name;
	char c;
} ENTITIES[] = { { "lt", '<' }, { "gt", '>' }, { "amp", '&' }, { "quot", '"' }, { "apos", '\'' } };

char *xen_xml_decode(const char *s, size_t len)
{
	/* Decoding never makes text longer: "&#x10FFFF;" is longer than its UTF-8. */
	char *out = malloc(len + 1), *o = out;
	const char *end = s + len;

	if (!out)
		return NULL;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s)), *semi;
		size_t i, n;

		if (!amp) {
			memcpy(o, s, (size_t)(end - s));
			o += end - s;
			break;
		}
		memcpy(o, s, (size_t)(amp - s));
		o += amp - s;
		semi = memchr(amp, ';', (size_t)(end - amp));
		if (!semi)
			goto bad;
		n = (size_t)(semi - amp - 1);
		if (n > 1 && amp[1] == '#') {
			char *stop;
			unsigned long c = amp[2] == 'x' ? strtoul(amp + 3, &stop, 16)
							: strtoul(amp + 2, &stop, 10);
			size_t k;

			if (stop != semi || !(k = utf8(c, o)))
				goto bad;
			o += k;
		} else {
			for (i = 0; i < sizeof(ENTITIES) / sizeof(ENTITIES[0]); i++)
				if (strlen(ENTITIES[i].name) == n && !memcmp(amp + 1, ENTITIES[i].name, n))
					break;
			if (i == sizeof(ENTITIES) / sizeof(ENTITIES[0]))
				goto bad;
			*o++ = ENTITIES[i].c;
		}
		s = semi + 1;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}
