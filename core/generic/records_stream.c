/* records_stream.c - get_all_records answers made as they are sent.
 *
 * The answer of a get_all_records (or _where) is a lazy value (value.h):
 * the handler only lists the refs of the objects it wants (under the db's
 * read lock, a few dozen bytes each), and the encoder asks for each
 * object's record text (its db memo, or a fresh encoding when memos are
 * full) one at a time, draining the buffer to the socket between records.
 * Nothing of the size of the answer is ever held: the memory of a call is
 * the ref list and one drain's worth of text, whatever the database holds.
 *
 * The records are read when they are written, not when the call ran: an
 * object deleted in between is left out, one changed in between shows its
 * newer record (what a client reading the objects one by one would see).
 * The bytes are those of the struct ref -> record encoded whole
 * (test_records_stream compares them for every class and both wires).
 */
#include "generic.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "wire.h"

/* The refs in one block: ref i at text + off[i]; NUL separated. */
typedef struct ref_list {
	const xd_class *cls;
	char *text;
	size_t tlen, tcap;
	size_t *off;
	size_t n, cap;
} ref_list;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static void ref_list_add(ref_list *l, const char *ref)
{
	size_t len = strlen(ref) + 1;

	if (l->tlen + len > l->tcap) {
		l->tcap = l->tcap ? l->tcap * 2 : 4096;
		while (l->tlen + len > l->tcap)
			l->tcap *= 2;
		l->text = xrealloc(l->text, l->tcap);
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->off = xrealloc(l->off, l->cap * sizeof(*l->off));
	}
	memcpy(l->text + l->tlen, ref, len);
	l->off[l->n++] = l->tlen;
	l->tlen += len;
}

static void ref_list_free(void *ud)
{
	ref_list *l = ud;

	free(l->text);
	free(l->off);
	free(l);
}

static void emit_records(void *ud, xd_strbuf *sb, bool json)
{
	const ref_list *l = ud;
	bool first = true;

	xd_strbuf_puts(sb, json ? "{" : "<value><struct>");
	for (size_t i = 0; i < l->n; i++) {
		const char *ref = l->text + l->off[i];
		xd_shared_text *rec = xd_record_text(l->cls, ref, json);

		if (!rec)
			continue; /* gone since the call listed it */
		if (json) {
			if (!first)
				xd_strbuf_putc(sb, ',');
			xd_strbuf_put_json_string(sb, ref);
			xd_strbuf_putc(sb, ':');
		} else {
			xd_strbuf_puts(sb, "<member><name>");
			xd_strbuf_put_xml_escaped(sb, ref);
			xd_strbuf_puts(sb, "</name>");
		}
		first = false;
		xd_strbuf_append(sb, rec->text, rec->len);
		if (!json)
			xd_strbuf_puts(sb, "</member>");
		xd_shared_text_release(rec);
		if (xd_strbuf_drain_point(sb) < 0)
			return; /* the peer left: the rest would go nowhere */
	}
	xd_strbuf_puts(sb, json ? "}" : "</struct></value>");
}

static const xd_lazy_ops records_ops = { emit_records, ref_list_free };

typedef struct list_ctx {
	ref_list *l;
	xd_db_filter_fn want;
	void *want_ud;
} list_ctx;

static int list_one(const char *ref, const xd_value *const *fields, void *ud)
{
	list_ctx *cx = ud;

	if (!cx->want || cx->want(ref, fields, cx->want_ud))
		ref_list_add(cx->l, ref);
	return 0;
}

xd_value *xd_records_stream(const xd_class *c, xd_db_filter_fn want, void *ud)
{
	ref_list *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->cls = c;
	list_ctx cx = { l, want, ud };
	xd_db_foreach(c, list_one, &cx);
	return xd_lazy_new(&records_ops, l);
}
