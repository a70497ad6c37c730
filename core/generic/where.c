/* where.c - the filter expression language of get_all_records_where (see
 * where.h for the grammar and its upstream source).
 *
 * A recursive-descent parser that reads tokens one at a time, in the order
 * upstream's yacc parser asks its lexer for them, so that a text with both a
 * lexical and a grammar problem fails with the same of the two as upstream
 * (whichever comes first). "not" parses a whole expression, which gives the
 * upstream grouping: its %right LNOT is declared below LAND/LOR. */
#include "where.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 1000

static const char parse_error[] = "Stdlib.Parsing.Parse_error";
static const char lex_error[] = "Failure(\"lexing: empty token\")";

typedef enum { W_TRUE, W_FALSE, W_NOT, W_CHAIN, W_EQ } wkind;

typedef struct wval {
	bool field;   /* a field name, else a literal */
	char *s;
} wval;

/* "a and b or c ..." groups to the left, ((a and b) or c) ...; it is kept
 * as one flat chain evaluated left to right, so that a long chain costs no
 * recursion depth. */
struct xd_where {
	wkind k;
	xd_where *a;       /* NOT */
	xd_where **items;  /* CHAIN: n operands */
	bool *is_and;      /* CHAIN: is_and[i] joins the result so far with items[i + 1] */
	size_t n;
	wval l, r;         /* EQ */
};

typedef enum {
	T_EQ, T_TRUE, T_FALSE, T_LPAREN, T_RPAREN, T_FIELD, T_AND, T_OR, T_NOT, T_IDENT, T_EOF,
	T_BAD, /* no token starts here */
} ttype;

typedef struct parser {
	const char *p;
	const char *why;   /* set on the first error */
	int depth;
	/* one token of lookahead */
	bool have;
	ttype t;
	const char *ident;
	size_t ident_len;
} parser;

static const struct {
	const char *text;
	ttype t;
} keywords[] = {
	{ "true", T_TRUE }, { "false", T_FALSE }, { "field", T_FIELD },
	{ "and", T_AND },   { "or", T_OR },       { "not", T_NOT },
};

static void lex(parser *ps)
{
	const char *p = ps->p;
	size_t i;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	ps->have = true;
	if (!*p) {
		ps->t = T_EOF;
	} else if (*p == '=') {
		ps->t = T_EQ;
		p++;
	} else if (*p == '(') {
		ps->t = T_LPAREN;
		p++;
	} else if (*p == ')') {
		ps->t = T_RPAREN;
		p++;
	} else if (*p == '"') {
		const char *end = strchr(p + 1, '"');

		if (!end) {
			ps->t = T_BAD;
		} else {
			ps->t = T_IDENT;
			ps->ident = p + 1;
			ps->ident_len = (size_t)(end - p - 1);
			p = end + 1;
		}
	} else {
		/* Keywords are plain strings to upstream's lexer: "andfield" is
		 * two tokens and "fieldx" a keyword and an error. */
		ps->t = T_BAD;
		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
			size_t n = strlen(keywords[i].text);

			if (strncmp(p, keywords[i].text, n) == 0) {
				ps->t = keywords[i].t;
				p += n;
				break;
			}
		}
	}
	ps->p = p;
}

/* The next token without taking it; a lexical error is recorded here. */
static ttype peek(parser *ps)
{
	if (!ps->have)
		lex(ps);
	if (ps->t == T_BAD && !ps->why)
		ps->why = lex_error;
	return ps->t;
}

static ttype next(parser *ps)
{
	ttype t = peek(ps);

	ps->have = false;
	return t;
}

static void fail(parser *ps, const char *why)
{
	if (!ps->why)
		ps->why = why;
}

static xd_where *node(wkind k)
{
	xd_where *w = calloc(1, sizeof(*w));

	if (!w)
		abort(); /* as the value constructors */
	w->k = k;
	return w;
}

/* value := IDENT | FIELD IDENT */
static int parse_value(parser *ps, ttype first, wval *v)
{
	if (first == T_FIELD) {
		v->field = true;
		first = next(ps);
	}
	if (first != T_IDENT) {
		fail(ps, parse_error);
		return -1;
	}
	v->s = strndup(ps->ident, ps->ident_len);
	if (!v->s)
		abort();
	return 0;
}

static xd_where *parse_expr(parser *ps);

static xd_where *parse_operand(parser *ps)
{
	xd_where *w = NULL;
	ttype t = next(ps);

	if (ps->why)
		return NULL;
	switch (t) {
	case T_TRUE:
		return node(W_TRUE);
	case T_FALSE:
		return node(W_FALSE);
	case T_NOT:
		w = node(W_NOT);
		if (!(w->a = parse_expr(ps)))
			goto bad;
		return w;
	case T_LPAREN:
		w = parse_expr(ps);
		if (!w)
			return NULL;
		if (next(ps) != T_RPAREN) {
			fail(ps, parse_error);
			goto bad;
		}
		return w;
	case T_IDENT:
	case T_FIELD:
		w = node(W_EQ);
		if (parse_value(ps, t, &w->l) < 0)
			goto bad;
		if (next(ps) != T_EQ) {
			fail(ps, parse_error);
			goto bad;
		}
		if (parse_value(ps, next(ps), &w->r) < 0)
			goto bad;
		return w;
	default:
		fail(ps, parse_error);
		return NULL;
	}
bad:
	xd_where_free(w);
	return NULL;
}

static void chain_add(xd_where *ch, xd_where *item, bool is_and)
{
	if ((ch->n & (ch->n - 1)) == 0) { /* grow at powers of two */
		size_t cap = ch->n ? ch->n * 2 : 2;
		xd_where **items = realloc(ch->items, cap * sizeof(*items));
		bool *ops = realloc(ch->is_and, cap * sizeof(*ops));

		if (!items || !ops)
			abort();
		ch->items = items;
		ch->is_and = ops;
	}
	if (ch->n)
		ch->is_and[ch->n - 1] = is_and;
	ch->items[ch->n++] = item;
}

/* expr := operand { (and | or) operand }, grouping to the left. */
static xd_where *parse_expr(parser *ps)
{
	xd_where *first, *ch = NULL;

	if (++ps->depth > MAX_DEPTH) {
		fail(ps, "expression nested too deeply");
		return NULL;
	}
	first = parse_operand(ps);
	while (first) {
		ttype t = peek(ps);
		xd_where *w;

		if (t != T_AND && t != T_OR)
			break;
		next(ps);
		if (!ch) {
			ch = node(W_CHAIN);
			chain_add(ch, first, false);
		}
		w = parse_operand(ps);
		if (!w) {
			xd_where_free(ch);
			ch = first = NULL;
			break;
		}
		chain_add(ch, w, t == T_AND);
	}
	ps->depth--;
	return ch ? ch : first;
}

xd_where *xd_where_parse(const char *expr, xd_error *err)
{
	parser ps;
	xd_where *w;

	if (!expr)
		expr = "";
	memset(&ps, 0, sizeof(ps));
	ps.p = expr;
	w = parse_expr(&ps);
	if (w && next(&ps) != T_EOF)
		fail(&ps, parse_error);
	if (ps.why) {
		xd_where_free(w);
		xd_error_set(err, "INVALID_VALUE", expr, ps.why, NULL);
		return NULL;
	}
	return w;
}

/* The string a value stands for in one row: the literal, or the field's db
 * form in *tofree. NULL for a field the class does not have. */
static const char *value_text(const wval *v, const xd_class *c, const xd_value *const *fields,
			      char **tofree)
{
	int i;

	if (!v->field)
		return v->s;
	i = xd_dm_field_index(c, v->s);
	if (i < 0 || !fields || !fields[i])
		return NULL;
	*tofree = xd_dm_value_to_db_string(c->fields[i].type, fields[i]);
	return *tofree;
}

bool xd_where_eval(const xd_where *w, const xd_class *c, const xd_value *const *fields)
{
	char *fa = NULL, *fb = NULL;
	const char *a, *b;
	bool r;

	if (!w)
		return false;
	switch (w->k) {
	case W_TRUE:
		return true;
	case W_FALSE:
		return false;
	case W_NOT:
		return !xd_where_eval(w->a, c, fields);
	case W_CHAIN:
		/* ((x0 op0 x1) op1 x2) ...: an operand that cannot change the
		 * result is not evaluated, as upstream's && and ||. */
		r = xd_where_eval(w->items[0], c, fields);
		for (size_t i = 1; i < w->n; i++)
			if (w->is_and[i - 1] ? r : !r)
				r = xd_where_eval(w->items[i], c, fields);
		return r;
	case W_EQ:
		a = value_text(&w->l, c, fields, &fa);
		b = value_text(&w->r, c, fields, &fb);
		r = a && b && strcmp(a, b) == 0;
		free(fa);
		free(fb);
		return r;
	}
	return false;
}

void xd_where_free(xd_where *w)
{
	if (!w)
		return;
	xd_where_free(w->a);
	for (size_t i = 0; i < w->n; i++)
		xd_where_free(w->items[i]);
	free(w->items);
	free(w->is_and);
	free(w->l.s);
	free(w->r.s);
	free(w);
}
