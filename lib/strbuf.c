/* strbuf.c - growable byte buffer (see strbuf.h).
 *
 * The encoders append thousands of small pieces per response, so growth is
 * geometric and the escaping helpers copy runs of plain bytes in one go
 * instead of byte by byte. Allocation failure aborts, like the value
 * constructors: the daemon cannot answer anything without memory. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* From this size on a buffer is given huge pages where the kernel offers
 * them on request (THP "madvise" mode), and its first step up reserves
 * HUGE_FIRST at once: glibc's realloc copies large blocks (no mremap), so
 * doubling a 67 MB answer up from 8 MB would copy 120 MB more, while address
 * space never touched costs nothing. */
#define HUGE_FROM ((size_t)8 << 20)
#define HUGE_FIRST ((size_t)128 << 20)

/* A buffer this large is a whole answer of tens of MB (get_all_records),
 * written once front to back, then sent and freed: with 4 KiB pages,
 * faulting its fresh pages in costs more than copying the bytes. */
static void advise_huge(char *p, size_t cap)
{
#ifdef MADV_HUGEPAGE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + cap) & ~(page - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* advice only */
#else
	(void)p;
	(void)cap;
#endif
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static void strbuf_reserve(xd_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	size_t ncap;
	char *p;

	if (need <= sb->cap)
		return;
	ncap = sb->cap ? sb->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap >= HUGE_FROM) {
		if (sb->cap < HUGE_FROM && ncap < HUGE_FIRST)
			ncap = HUGE_FIRST;
		/* By hand rather than realloc, so that the copy of the old
		 * bytes already lands in huge pages. */
		p = malloc(ncap);
		if (!p)
			abort();
		advise_huge(p, ncap);
		if (sb->len)
			memcpy(p, sb->data, sb->len);
		p[sb->len] = '\0';
		free(sb->data);
	} else {
		p = realloc(sb->data, ncap);
		if (!p)
			abort();
	}
	sb->data = p;
	sb->cap = ncap;
}

void xd_strbuf_append(xd_strbuf *sb, const char *s, size_t n)
{
	strbuf_reserve(sb, n);
	if (n)
		memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void xd_strbuf_puts(xd_strbuf *sb, const char *s)
{
	xd_strbuf_append(sb, s, strlen(s));
}

void xd_strbuf_putc(xd_strbuf *sb, char c)
{
	strbuf_reserve(sb, 1);
	sb->data[sb->len++] = c;
	sb->data[sb->len] = '\0';
}

void xd_strbuf_printf(xd_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;
	size_t room;

	/* Try in the space we already have; grow once if that was short. */
	strbuf_reserve(sb, 64);
	room = sb->cap - sb->len;
	va_start(ap, fmt);
	n = vsnprintf(sb->data + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->data[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		strbuf_reserve(sb, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

void xd_strbuf_put_xml_escaped(xd_strbuf *sb, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *rep;

		switch (c) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		default:
			/* XML 1.0 cannot carry C0 controls other than tab, LF
			 * and CR; like xapi, drop them rather than emit a
			 * document no client can parse. */
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				continue;
			rep = "";
			break;
		}
		xd_strbuf_append(sb, run, (size_t)(s - run));
		xd_strbuf_puts(sb, rep);
		run = s + 1;
	}
	xd_strbuf_append(sb, run, (size_t)(s - run));
}

void xd_strbuf_put_json_string(xd_strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	xd_strbuf_putc(sb, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7];
		size_t elen = 2;

		/* Bytes >= 0x80 pass through untouched: the text is UTF-8 and
		 * JSON allows it raw. Only quote, backslash and C0 controls
		 * must be escaped. */
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			elen = 6;
			break;
		}
		xd_strbuf_append(sb, run, (size_t)(s - run));
		xd_strbuf_append(sb, esc, elen);
		run = s + 1;
	}
	xd_strbuf_append(sb, run, (size_t)(s - run));
	xd_strbuf_putc(sb, '"');
}

void xd_strbuf_reset(xd_strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

void xd_strbuf_set_drain(xd_strbuf *sb, int (*drain)(void *ud, const char *p, size_t n),
			 void *ud, size_t at)
{
	sb->drain = drain;
	sb->drain_ud = ud;
	sb->drain_at = at;
	sb->drain_failed = 0;
}

int xd_strbuf_drain_point(xd_strbuf *sb)
{
	if (!sb->drain)
		return 0;
	if (sb->drain_failed) {
		xd_strbuf_reset(sb);
		return -1;
	}
	if (sb->len < sb->drain_at)
		return 0;
	if (sb->drain(sb->drain_ud, sb->data, sb->len) < 0)
		sb->drain_failed = 1;
	xd_strbuf_reset(sb);
	return sb->drain_failed ? -1 : 0;
}

char *xd_strbuf_steal(xd_strbuf *sb)
{
	char *p;

	/* Always hand over a terminated string, even for an unused buffer. */
	strbuf_reserve(sb, 0);
	sb->data[sb->len] = '\0';
	p = sb->data;
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void xd_strbuf_free(xd_strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}
