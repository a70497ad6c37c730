/* dm.c - the datamodel runtime: turns the plain-data declaration
 * (dm_decl.c, dm_relations.c) into the typed tables of dm.h, and knows how
 * values of datamodel types are defaulted, checked and rendered.
 *
 * Owns: the runtime tables and the interned type trees. They are built once
 * by xd_dm_init() and never change or get freed afterwards, so every thread
 * reads them without locks.
 */
#include "dm.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dm_decl.h"
#include "log.h"
#include "strbuf.h"

/* ---- runtime state ---------------------------------------------------- */

/* A class plus its private lookup indexes. The public part comes first so
 * that a const xd_class * handed out is &rt->c. */
typedef struct cls_rt {
	xd_class c;
	int *field_order; /* field indexes sorted by name */
	int *msg_order;   /* message indexes sorted by name */
} cls_rt;

/* Interned types, chained by the hash of their text. */
#define TYPE_BUCKETS 512
typedef struct type_node {
	xd_type t;
	struct type_node *next;
} type_node;

static struct {
	bool ready;
	cls_rt *cls;
	size_t ncls;
	int *cls_order;    /* class indexes sorted by name */
	int *cls_ci_order; /* ... sorted case-insensitively */
	xd_relation *rel;
	size_t nrel;
	type_node *types[TYPE_BUCKETS];
} dm;

static const char *const *sort_names_base;
static size_t sort_names_stride;

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	/* Same policy as value.h: no memory at start-up is not recoverable. */
	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	return p;
}

/* ---- types ------------------------------------------------------------ */

static unsigned hash_text(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t m = strlen(suf);

	return n > m && memcmp(s + n - m, suf, m) == 0;
}

static const xd_type *type_intern_n(const char *text, size_t n);

/* Splits "k -> v" at the arrow that is not inside parentheses. */
static const char *find_top_arrow(const char *s, size_t n)
{
	int depth = 0;

	for (size_t i = 0; i + 4 <= n; i++) {
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		else if (depth == 0 && memcmp(s + i, " -> ", 4) == 0)
			return s + i;
	}
	return NULL;
}

/* Fills t from its text; returns -1 for a malformed text or unknown enum. */
static int type_parse(xd_type *t, const char *s, size_t n)
{
	static const struct {
		const char *text;
		xd_tkind kind;
	} prim[] = {
		{ "string", XD_T_STRING }, { "int", XD_T_INT }, { "float", XD_T_FLOAT },
		{ "bool", XD_T_BOOL },     { "datetime", XD_T_DATETIME }, { "void", XD_T_VOID },
	};

	for (size_t i = 0; i < sizeof(prim) / sizeof(prim[0]); i++) {
		if (strlen(prim[i].text) == n && memcmp(prim[i].text, s, n) == 0) {
			t->kind = prim[i].kind;
			return 0;
		}
	}
	/* Postfix constructors bind last, so they are looked at first:
	 * "(a -> b) map set" is a set of maps. */
	if (has_suffix(s, n, " set")) {
		t->kind = XD_T_SET;
		t->elem = type_intern_n(s, n - 4);
		return t->elem ? 0 : -1;
	}
	if (has_suffix(s, n, " map") && s[0] == '(' && s[n - 5] == ')') {
		const char *in = s + 1;
		size_t inlen = n - 6;
		const char *arrow = find_top_arrow(in, inlen);

		if (!arrow)
			return -1;
		t->kind = XD_T_MAP;
		t->key = type_intern_n(in, (size_t)(arrow - in));
		t->val = type_intern_n(arrow + 4, inlen - (size_t)(arrow - in) - 4);
		return t->key && t->val ? 0 : -1;
	}
	if (has_suffix(s, n, " ref")) {
		t->kind = XD_T_REF;
		t->name = xstrndup(s, n - 4);
		return 0;
	}
	if (has_suffix(s, n, " record")) {
		t->kind = XD_T_RECORD;
		t->name = xstrndup(s, n - 7);
		return 0;
	}
	if (n > 5 && memcmp(s, "enum ", 5) == 0) {
		char *name = xstrndup(s + 5, n - 5);

		t->kind = XD_T_ENUM;
		t->name = name;
		t->en = xd_dm_enum(name);
		if (!t->en) {
			xd_err("datamodel: unknown enum '%s'", name);
			return -1;
		}
		return 0;
	}
	t->kind = XD_T_OTHER;
	t->name = xstrndup(s, n);
	return 0;
}

static const xd_type *type_intern_n(const char *text, size_t n)
{
	char *key = xstrndup(text, n);
	unsigned b = hash_text(key) % TYPE_BUCKETS;
	type_node *node;

	for (node = dm.types[b]; node; node = node->next) {
		if (strcmp(node->t.text, key) == 0) {
			free(key);
			return &node->t;
		}
	}
	node = xmalloc(sizeof(*node));
	node->t.text = key;
	if (n == 0 || type_parse(&node->t, key, n) < 0) {
		xd_err("datamodel: bad type '%s'", key);
		free((char *)node->t.name);
		free(key);
		free(node);
		return NULL;
	}
	node->next = dm.types[b];
	dm.types[b] = node;
	return &node->t;
}

static const xd_type *type_intern(const char *text)
{
	return type_intern_n(text, strlen(text));
}

/* ---- lookups ---------------------------------------------------------- */

/* qsort comparators over an index array: the names live at
 * sort_names_base + i * sort_names_stride (only used during init). */
static const char *name_at(int i)
{
	return *(const char *const *)((const char *)sort_names_base + (size_t)i * sort_names_stride);
}

static int cmp_idx(const void *a, const void *b)
{
	return strcmp(name_at(*(const int *)a), name_at(*(const int *)b));
}

static int cmp_idx_ci(const void *a, const void *b)
{
	return strcasecmp(name_at(*(const int *)a), name_at(*(const int *)b));
}

static int *sorted_index(const void *base, size_t stride, size_t n, bool ci)
{
	int *order = xmalloc(n * sizeof(int));

	for (size_t i = 0; i < n; i++)
		order[i] = (int)i;
	sort_names_base = base;
	sort_names_stride = stride;
	qsort(order, n, sizeof(int), ci ? cmp_idx_ci : cmp_idx);
	return order;
}

/* Binary search of name in an index sorted by sorted_index(). */
static int find_sorted(const int *order, size_t n, const void *base, size_t stride,
		       const char *name, bool ci)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = *(const char *const *)((const char *)base + (size_t)order[mid] * stride);
		int c = ci ? strcasecmp(name, s) : strcmp(name, s);

		if (c == 0)
			return order[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

size_t xd_dm_nclasses(void)
{
	return dm.ready ? dm.ncls : 0;
}

const xd_class *xd_dm_class_at(size_t i)
{
	return dm.ready && i < dm.ncls ? &dm.cls[i].c : NULL;
}

const xd_class *xd_dm_class(const char *name)
{
	int i;

	if (!dm.ready || !name)
		return NULL;
	i = find_sorted(dm.cls_order, dm.ncls, dm.cls, sizeof(cls_rt), name, false);
	return i < 0 ? NULL : &dm.cls[i].c;
}

const xd_class *xd_dm_class_ci(const char *name)
{
	int i;

	if (!dm.ready || !name)
		return NULL;
	i = find_sorted(dm.cls_ci_order, dm.ncls, dm.cls, sizeof(cls_rt), name, true);
	return i < 0 ? NULL : &dm.cls[i].c;
}

static const cls_rt *rt_of(const xd_class *c)
{
	return (const cls_rt *)c; /* c is always &dm.cls[i].c */
}

int xd_dm_field_index(const xd_class *c, const char *name)
{
	const cls_rt *rt;
	int i;

	if (!c || !name)
		return -1;
	rt = rt_of(c);
	i = find_sorted(rt->field_order, c->nfields, c->fields, sizeof(xd_field), name, false);
	if (i < 0 && strstr(name, "__")) {
		/* The db column form of a two-part name: name__label. */
		size_t n = strlen(name);
		char *wire = xmalloc(n + 1);
		size_t j = 0;

		for (size_t k = 0; k < n; k++) {
			wire[j++] = name[k];
			if (name[k] == '_' && name[k + 1] == '_')
				k++;
		}
		wire[j] = '\0';
		i = find_sorted(rt->field_order, c->nfields, c->fields, sizeof(xd_field), wire, false);
		free(wire);
	}
	return i;
}

const xd_message *xd_dm_message(const xd_class *c, const char *name)
{
	int i;

	if (!c || !name)
		return NULL;
	i = find_sorted(rt_of(c)->msg_order, c->nmessages, c->messages, sizeof(xd_message), name,
			false);
	return i < 0 ? NULL : &c->messages[i];
}

static int cmp_enum_name(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const xd_enum *)elem)->name);
}

const xd_enum *xd_dm_enum(const char *name)
{
	/* The generator writes the enums sorted by name. */
	if (!name)
		return NULL;
	return bsearch(name, xd_decl_enums, xd_decl_nenums, sizeof(xd_enum), cmp_enum_name);
}

size_t xd_dm_nrelations(void)
{
	return dm.ready ? dm.nrel : 0;
}

const xd_relation *xd_dm_relation_at(size_t i)
{
	return dm.ready && i < dm.nrel ? &dm.rel[i] : NULL;
}

/* ---- literals: declared defaults ------------------------------------- */

static void skip_ws(const char **pp)
{
	while (**pp == ' ' || **pp == '\t' || **pp == '\n')
		(*pp)++;
}

/* Reads one scalar token: a "quoted" string (with \" and \\ escapes) or a
 * bare word up to whitespace, ',' or '}'. Returns a new string or NULL. */
static char *read_token(const char **pp, bool *quoted)
{
	const char *p = *pp;
	xd_strbuf sb = XD_STRBUF_INIT;

	*quoted = *p == '"';
	if (*quoted) {
		for (p++; *p != '"'; p++) {
			if (*p == '\0')
				goto fail;
			if (*p == '\\' && p[1])
				p++;
			xd_strbuf_putc(&sb, *p);
		}
		p++;
	} else {
		while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != '}')
			xd_strbuf_putc(&sb, *p++);
		if (p == *pp)
			goto fail;
	}
	*pp = p;
	xd_strbuf_putc(&sb, '\0');
	return xd_strbuf_steal(&sb);
fail:
	xd_strbuf_free(&sb);
	return NULL;
}

/* Strict decimal int64: optional '-', digits, nothing else. */
static int parse_int64(const char *s, int64_t *out)
{
	const char *p = s;
	char *end;
	long long v;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return (*end || errno == ERANGE) ? -1 : 0;
}

/* The declared spelling of an enum value, matched case-insensitively as
 * xapi's generated unmarshallers do; NULL if not a member. */
static const char *enum_canonical(const xd_enum *en, const char *s)
{
	for (size_t i = 0; en && i < en->nvalues; i++)
		if (strcasecmp(en->values[i], s) == 0)
			return en->values[i];
	return NULL;
}

static xd_value *scalar_from_text(const xd_type *t, const char *s, bool quoted)
{
	int64_t i;
	double f;
	const char *e;

	switch (t->kind) {
	case XD_T_STRING:
		return xd_string(s);
	case XD_T_INT:
		return parse_int64(s, &i) == 0 ? xd_int(i) : NULL;
	case XD_T_FLOAT:
		return parse_double(s, &f) == 0 ? xd_float(f) : NULL;
	case XD_T_BOOL:
		if (strcmp(s, "true") == 0)
			return xd_bool(true);
		if (strcmp(s, "false") == 0)
			return xd_bool(false);
		return NULL;
	case XD_T_DATETIME:
		return xd_datetime_parse(s, &i) == 0 ? xd_datetime(i) : NULL;
	case XD_T_REF:
		/* Upstream's datamodel writes the null ref as Null too. */
		if (!quoted && strcmp(s, "Null") == 0)
			return xd_string("OpaqueRef:NULL");
		return xd_string(s);
	case XD_T_ENUM:
		e = enum_canonical(t->en, s);
		return e ? xd_string(e) : NULL;
	default:
		return NULL;
	}
}

static xd_value *literal(const xd_type *t, const char **pp);

/* { a, b } for sets, { k -> v, ... } for maps. */
static xd_value *collection_literal(const xd_type *t, const char **pp)
{
	bool is_map = t->kind == XD_T_MAP;
	xd_value *out = is_map ? xd_struct() : xd_array();
	const char *p = *pp;
	char *key = NULL;

	skip_ws(&p);
	if (*p++ != '{')
		goto fail;
	skip_ws(&p);
	if (*p == '}') {
		p++;
		goto done;
	}
	for (;;) {
		xd_value *item;

		if (is_map) {
			xd_value *k = literal(t->key, &p);

			if (!k)
				goto fail;
			/* Map keys are kept in their string form (value.h structs). */
			key = xd_dm_value_to_db_string(t->key, k);
			xd_value_free(k);
			skip_ws(&p);
			if (strncmp(p, "->", 2) != 0)
				goto fail;
			p += 2;
		}
		item = literal(is_map ? t->val : t->elem, &p);
		if (!item)
			goto fail;
		if (is_map) {
			xd_struct_set_take(out, key, item);
			free(key);
			key = NULL;
		} else {
			xd_array_append_take(out, item);
		}
		skip_ws(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != '}')
			goto fail;
		break;
	}
done:
	*pp = p;
	return out;
fail:
	free(key);
	xd_value_free(out);
	return NULL;
}

static xd_value *literal(const xd_type *t, const char **pp)
{
	bool quoted;
	char *tok;
	xd_value *v;

	if (t->kind == XD_T_SET || t->kind == XD_T_MAP)
		return collection_literal(t, pp);
	skip_ws(pp);
	tok = read_token(pp, &quoted);
	if (!tok)
		return NULL;
	v = scalar_from_text(t, tok, quoted);
	free(tok);
	return v;
}

xd_value *xd_dm_parse_default(const xd_type *t, const char *text)
{
	const char *p = text;
	xd_value *v;

	if (!t || !text)
		return NULL;
	/* A top-level string may be given bare and contain anything. */
	if (t->kind == XD_T_STRING && text[0] != '"')
		return xd_string(text);
	v = literal(t, &p);
	if (!v)
		return NULL;
	skip_ws(&p);
	if (*p) {
		xd_value_free(v);
		return NULL;
	}
	return v;
}

static xd_value *zero_value(const xd_type *t)
{
	switch (t->kind) {
	case XD_T_STRING:
		return xd_string("");
	case XD_T_INT:
		return xd_int(0);
	case XD_T_FLOAT:
		return xd_float(0.0);
	case XD_T_BOOL:
		return xd_bool(false);
	case XD_T_DATETIME:
		return xd_datetime(0);
	case XD_T_REF:
		return xd_string("OpaqueRef:NULL");
	case XD_T_ENUM:
		return xd_string(t->en && t->en->nvalues ? t->en->values[0] : "");
	case XD_T_SET:
		return xd_array();
	case XD_T_MAP:
	case XD_T_RECORD:
		return xd_struct();
	default:
		return xd_nil();
	}
}

xd_value *xd_dm_default_value(const xd_field *f)
{
	xd_value *v;

	if (!f)
		return NULL;
	if (f->default_text) {
		v = xd_dm_parse_default(f->type, f->default_text);
		if (v)
			return v;
		/* Cannot happen after a successful xd_dm_init(), which checks
		 * every declared default. */
		xd_warn("datamodel: default '%s' of field %s does not parse", f->default_text,
			f->name);
	}
	return zero_value(f->type);
}

/* ---- coercion of client values --------------------------------------- */

static int type_error(xd_error *err, const char *what)
{
	return xd_error_set(err, "FIELD_TYPE_ERROR", what, NULL);
}

static int invalid_value(xd_error *err, const char *what, const xd_value *v)
{
	char *s;

	if (v->t == XD_V_STRING)
		return xd_error_set(err, "INVALID_VALUE", what, v->u.s, NULL);
	s = xd_value_to_debug_string(v);
	xd_error_set(err, "INVALID_VALUE", what, s, NULL);
	free(s);
	return -1;
}

static void replace(xd_value **v, xd_value *nv)
{
	xd_value_free(*v);
	*v = nv;
}

/* Map keys travel as struct member names; checks one against the key type
 * and returns its canonical text (new string) or NULL with err set. */
static char *coerce_key(const xd_type *kt, const char *key, const char *what, xd_error *err)
{
	xd_value *kv = xd_string(key);
	char *out = NULL;

	if (kt->kind == XD_T_RECORD || kt->kind == XD_T_SET || kt->kind == XD_T_MAP) {
		xd_error_set(err, "INVALID_VALUE", what, key, NULL);
		goto out;
	}
	if (xd_dm_coerce(kt, &kv, what, err) < 0) {
		/* A key that is a string of the wrong shape is a bad value. */
		if (strcmp(err->code, "FIELD_TYPE_ERROR") == 0)
			xd_error_set(err, "INVALID_VALUE", what, key, NULL);
		goto out;
	}
	out = xd_dm_value_to_db_string(kt, kv);
out:
	xd_value_free(kv);
	return out;
}

static int coerce_map(const xd_type *t, xd_value *v, const char *what, xd_error *err)
{
	for (size_t i = 0; i < v->u.st.n; i++) {
		xd_member *m = &v->u.st.m[i];

		if (xd_dm_coerce(t->val, &m->v, what, err) < 0)
			return -1;
		if (t->key->kind == XD_T_STRING || t->key->kind == XD_T_REF)
			continue;
		char *canon = coerce_key(t->key, m->name, what, err);

		if (!canon)
			return -1;
		if (strcmp(canon, m->name) != 0) {
			/* "halted" and "Halted" would become one key. */
			for (size_t j = 0; j < v->u.st.n; j++) {
				if (j != i && strcmp(v->u.st.m[j].name, canon) == 0) {
					xd_error_set(err, "INVALID_VALUE", what, m->name, NULL);
					free(canon);
					return -1;
				}
			}
			free(m->name);
			m->name = canon;
		} else {
			free(canon);
		}
	}
	return 0;
}

int xd_dm_coerce(const xd_type *t, xd_value **vp, const char *what, xd_error *err)
{
	xd_value *v = vp ? *vp : NULL;
	int64_t i;
	double f;
	const char *e;

	if (!what)
		what = "";
	if (!t || !v)
		return type_error(err, what);
	switch (t->kind) {
	case XD_T_STRING:
	case XD_T_REF:
		return v->t == XD_V_STRING ? 0 : type_error(err, what);
	case XD_T_INT:
		if (v->t == XD_V_INT)
			return 0;
		if (v->t == XD_V_STRING) {
			if (parse_int64(v->u.s, &i) < 0)
				return invalid_value(err, what, v);
			replace(vp, xd_int(i));
			return 0;
		}
		/* JSON numbers with an integral value (JSON-RPC clients). */
		if (v->t == XD_V_FLOAT && isfinite(v->u.f) && v->u.f >= -9223372036854775808.0 &&
		    v->u.f < 9223372036854775808.0 && (double)(int64_t)v->u.f == v->u.f) {
			replace(vp, xd_int((int64_t)v->u.f));
			return 0;
		}
		return type_error(err, what);
	case XD_T_FLOAT:
		if (v->t == XD_V_FLOAT)
			return 0;
		if (v->t == XD_V_INT) {
			replace(vp, xd_float((double)v->u.i));
			return 0;
		}
		if (v->t == XD_V_STRING) {
			if (parse_double(v->u.s, &f) < 0)
				return invalid_value(err, what, v);
			replace(vp, xd_float(f));
			return 0;
		}
		return type_error(err, what);
	case XD_T_BOOL:
		if (v->t == XD_V_BOOL)
			return 0;
		if (v->t == XD_V_STRING) {
			if (strcmp(v->u.s, "true") == 0)
				replace(vp, xd_bool(true));
			else if (strcmp(v->u.s, "false") == 0)
				replace(vp, xd_bool(false));
			else
				return invalid_value(err, what, v);
			return 0;
		}
		return type_error(err, what);
	case XD_T_DATETIME:
		if (v->t == XD_V_DATETIME)
			return 0;
		if (v->t == XD_V_STRING) {
			if (xd_datetime_parse(v->u.s, &i) < 0)
				return invalid_value(err, what, v);
			replace(vp, xd_datetime(i));
			return 0;
		}
		return type_error(err, what);
	case XD_T_ENUM:
		if (v->t != XD_V_STRING)
			return type_error(err, what);
		e = enum_canonical(t->en, v->u.s);
		if (!e)
			return invalid_value(err, what, v);
		if (strcmp(e, v->u.s) != 0)
			replace(vp, xd_string(e));
		return 0;
	case XD_T_SET:
		if (v->t != XD_V_ARRAY)
			return type_error(err, what);
		for (size_t k = 0; k < v->u.arr.n; k++)
			if (xd_dm_coerce(t->elem, &v->u.arr.items[k], what, err) < 0)
				return -1;
		return 0;
	case XD_T_MAP:
		if (v->t != XD_V_STRUCT)
			return type_error(err, what);
		return coerce_map(t, v, what, err);
	case XD_T_RECORD:
		/* Its fields are checked by whoever knows the class (create). */
		return v->t == XD_V_STRUCT ? 0 : type_error(err, what);
	case XD_T_VOID:
	case XD_T_OTHER:
		return 0;
	}
	return type_error(err, what);
}

/* ---- database string form -------------------------------------------- */

/* 'text' with \ and ' escaped, as xapi's S-expressions write it. */
static void put_sexpr_string(xd_strbuf *sb, const char *s)
{
	xd_strbuf_putc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\\' || *s == '\'')
			xd_strbuf_putc(sb, '\\');
		xd_strbuf_putc(sb, *s);
	}
	xd_strbuf_putc(sb, '\'');
}

static void put_db_string(xd_strbuf *sb, const xd_type *t, const xd_value *v)
{
	char buf[32];

	switch (v->t) {
	case XD_V_NIL:
	case XD_V_RAW: /* wire text, never a db value: rendered as nothing */
	case XD_V_LAZY:
		break;
	case XD_V_BOOL:
		xd_strbuf_puts(sb, v->u.b ? "true" : "false");
		break;
	case XD_V_INT:
		xd_strbuf_printf(sb, "%" PRId64, v->u.i);
		break;
	case XD_V_FLOAT:
		xd_strbuf_printf(sb, "%g", v->u.f);
		break;
	case XD_V_STRING:
		xd_strbuf_puts(sb, v->u.s);
		break;
	case XD_V_DATETIME:
		xd_datetime_format(v->u.i, buf);
		xd_strbuf_puts(sb, buf);
		break;
	case XD_V_ARRAY: {
		const xd_type *et = t && t->kind == XD_T_SET ? t->elem : NULL;

		xd_strbuf_putc(sb, '(');
		for (size_t i = 0; i < v->u.arr.n; i++) {
			char *s = xd_dm_value_to_db_string(et, v->u.arr.items[i]);

			if (i)
				xd_strbuf_putc(sb, ' ');
			put_sexpr_string(sb, s);
			free(s);
		}
		xd_strbuf_putc(sb, ')');
		break;
	}
	case XD_V_STRUCT: {
		const xd_type *vt = t && t->kind == XD_T_MAP ? t->val : NULL;

		xd_strbuf_putc(sb, '(');
		for (size_t i = 0; i < v->u.st.n; i++) {
			char *s = xd_dm_value_to_db_string(vt, v->u.st.m[i].v);

			if (i)
				xd_strbuf_putc(sb, ' ');
			xd_strbuf_putc(sb, '(');
			put_sexpr_string(sb, v->u.st.m[i].name);
			xd_strbuf_putc(sb, ' ');
			put_sexpr_string(sb, s);
			xd_strbuf_putc(sb, ')');
			free(s);
		}
		xd_strbuf_putc(sb, ')');
		break;
	}
	}
}

char *xd_dm_value_to_db_string(const xd_type *t, const xd_value *v)
{
	xd_strbuf sb = XD_STRBUF_INIT;

	if (v)
		put_db_string(&sb, t, v);
	xd_strbuf_putc(&sb, '\0');
	return xd_strbuf_steal(&sb);
}

/* ---- building the tables --------------------------------------------- */

static bool is_implicit_nonfield(const char *name)
{
	static const char *const names[] = {
		"get_record", "get_all", "get_all_records", "get_all_records_where",
		"get_all_where", "get_by_uuid", "get_by_name_label", "create", "destroy",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* Finds the field an implicit accessor is for, from its name and the
 * field's type: add_to_X/remove_from_X only for maps, add_X/remove_X only
 * for sets. Explicit messages (VM.add_to_VCPUs_params_live, VDI.set_name_label)
 * have behaviour and are never accessors. */
static void detect_accessor(xd_message *m, const xd_class *c)
{
	static const struct {
		const char *prefix;
		int acc;
		int need; /* required field type kind, or -1 */
	} pre[] = {
		{ "add_to_", XD_ACC_MAP_ADD, XD_T_MAP },
		{ "remove_from_", XD_ACC_MAP_REMOVE, XD_T_MAP },
		{ "get_", XD_ACC_GET, -1 },
		{ "set_", XD_ACC_SET, -1 },
		{ "add_", XD_ACC_SET_ADD, XD_T_SET },
		{ "remove_", XD_ACC_SET_REMOVE, XD_T_SET },
	};

	m->field_idx = -1;
	m->accessor = XD_ACC_NONE;
	if (!(m->flags & XD_MSG_IMPLICIT) || is_implicit_nonfield(m->name))
		return;
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		size_t n = strlen(pre[i].prefix);
		int fi;

		if (strncmp(m->name, pre[i].prefix, n) != 0)
			continue;
		fi = xd_dm_field_index(c, m->name + n);
		if (fi < 0 || (pre[i].need >= 0 && (int)c->fields[fi].type->kind != pre[i].need))
			continue;
		m->field_idx = fi;
		m->accessor = pre[i].acc;
		return;
	}
}

static int check_default(const xd_type *t, const char *text, const char *cls, const char *what)
{
	xd_value *v;

	if (!text)
		return 0;
	v = xd_dm_parse_default(t, text);
	if (!v) {
		xd_err("datamodel: %s.%s: default '%s' does not parse as %s", cls, what, text,
		       t->text);
		return -1;
	}
	xd_value_free(v);
	return 0;
}

static int build_fields(cls_rt *rt, const xd_decl_class *d)
{
	xd_class *c = &rt->c;
	xd_field *fields = xmalloc(d->nfields * sizeof(xd_field));

	c->fields = fields;
	c->nfields = d->nfields;
	c->uuid_field = c->name_label_field = -1;
	for (size_t i = 0; i < d->nfields; i++) {
		const xd_decl_field *df = &d->fields[i];
		xd_field *f = &fields[i];

		f->name = df->name;
		f->type = type_intern(df->type);
		f->qual = df->qual;
		f->default_text = df->default_text;
		f->deprecated = df->deprecated;
		f->idx = (int)i;
		if (!f->type || check_default(f->type, f->default_text, c->name, f->name) < 0) {
			xd_err("datamodel: bad field %s.%s", c->name, f->name);
			return -1;
		}
		if (strcmp(f->name, "uuid") == 0)
			c->uuid_field = (int)i;
		else if (strcmp(f->name, "name_label") == 0)
			c->name_label_field = (int)i;
	}
	rt->field_order = sorted_index(fields, sizeof(xd_field), d->nfields, false);
	for (size_t i = 1; i < d->nfields; i++) {
		if (strcmp(fields[rt->field_order[i - 1]].name, fields[rt->field_order[i]].name) == 0) {
			xd_err("datamodel: %s.%s declared twice", c->name,
			       fields[rt->field_order[i]].name);
			return -1;
		}
	}
	return 0;
}

static int build_message(xd_message *m, const xd_decl_message *dm_, const xd_class *c)
{
	xd_param *params = xmalloc(dm_->nparams * sizeof(xd_param));
	bool seen_default = false;

	m->name = dm_->name;
	m->params = params;
	m->nparams = dm_->nparams;
	m->flags = dm_->flags;
	m->roles = dm_->roles;
	m->result = type_intern(dm_->result);
	if (!m->result)
		goto bad;
	for (size_t i = 0; i < dm_->nparams; i++) {
		const xd_decl_param *dp = &dm_->params[i];

		params[i].name = dp->name;
		params[i].type = type_intern(dp->type);
		params[i].default_text = dp->default_text;
		if (!params[i].type || check_default(params[i].type, dp->default_text, c->name,
						     dp->name) < 0)
			goto bad;
		/* Only trailing parameters can be omitted. */
		if (dp->default_text) {
			seen_default = true;
		} else if (seen_default) {
			xd_err("datamodel: %s.%s: mandatory %s after a default", c->name, m->name,
			       dp->name);
			goto bad;
		} else {
			m->nrequired++;
		}
	}
	detect_accessor(m, c);
	return 0;
bad:
	xd_err("datamodel: bad message %s.%s", c->name, m->name);
	return -1;
}

static int build_class(cls_rt *rt, const xd_decl_class *d, int idx)
{
	xd_class *c = &rt->c;
	xd_message *msgs;
	char *lname;
	const xd_message *ctor, *dtor;

	c->name = d->name;
	lname = xstrndup(d->name, strlen(d->name));
	for (char *p = lname; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	c->lname = lname;
	c->idx = idx;
	/* event is only ever computed, never stored; auth has no objects; the
	 * roles are static (core/rbac serves them from the declaration). */
	c->stored = strcmp(d->name, "event") != 0 && strcmp(d->name, "auth") != 0 &&
		    strcmp(d->name, "role") != 0;
	if (build_fields(rt, d) < 0)
		return -1;
	msgs = xmalloc(d->nmessages * sizeof(xd_message));
	c->messages = msgs;
	c->nmessages = d->nmessages;
	for (size_t i = 0; i < d->nmessages; i++)
		if (build_message(&msgs[i], &d->messages[i], c) < 0)
			return -1;
	rt->msg_order = sorted_index(msgs, sizeof(xd_message), d->nmessages, false);
	for (size_t i = 1; i < d->nmessages; i++) {
		if (strcmp(msgs[rt->msg_order[i - 1]].name, msgs[rt->msg_order[i]].name) == 0) {
			xd_err("datamodel: message %s.%s declared twice", c->name,
			       msgs[rt->msg_order[i]].name);
			return -1;
		}
	}
	ctor = xd_dm_message(c, "create");
	dtor = xd_dm_message(c, "destroy");
	c->has_ctor_dtor = ctor && dtor && (ctor->flags & XD_MSG_IMPLICIT) &&
			   (dtor->flags & XD_MSG_IMPLICIT);
	return 0;
}

static int build_relation(xd_relation *r, const xd_decl_relation *d)
{
	const xd_class *one = xd_dm_class(d->one_cls), *many = xd_dm_class(d->many_cls);
	const xd_type *ot, *mt;

	if (!one || !many)
		goto bad;
	r->one_cls = one;
	r->many_cls = many;
	r->one_field = xd_dm_field_index(one, d->one_field);
	r->many_field = xd_dm_field_index(many, d->many_field);
	if (r->one_field < 0 || r->many_field < 0)
		goto bad;
	ot = one->fields[r->one_field].type;
	mt = many->fields[r->many_field].type;
	/* VBD.VM is a "VM ref", VM.VBDs a "VBD ref set". */
	if (ot->kind != XD_T_REF || strcmp(ot->name, many->name) != 0 || mt->kind != XD_T_SET ||
	    mt->elem->kind != XD_T_REF || strcmp(mt->elem->name, one->name) != 0)
		goto bad;
	return 0;
bad:
	xd_err("datamodel: bad relation %s.%s <-> %s.%s", d->one_cls, d->one_field, d->many_cls,
	       d->many_field);
	return -1;
}

static void free_types(void)
{
	for (size_t b = 0; b < TYPE_BUCKETS; b++) {
		type_node *n = dm.types[b];

		while (n) {
			type_node *next = n->next;

			free((char *)n->t.text);
			free((char *)n->t.name);
			free(n);
			n = next;
		}
		dm.types[b] = NULL;
	}
}

/* Only used when init fails half way, to leave nothing behind. */
static void free_all(void)
{
	for (size_t i = 0; dm.cls && i < dm.ncls; i++) {
		cls_rt *rt = &dm.cls[i];

		for (size_t j = 0; rt->c.messages && j < rt->c.nmessages; j++)
			free((void *)rt->c.messages[j].params);
		free((void *)rt->c.messages);
		free((void *)rt->c.fields);
		free((char *)rt->c.lname);
		free(rt->field_order);
		free(rt->msg_order);
	}
	free(dm.cls);
	free(dm.cls_order);
	free(dm.cls_ci_order);
	free(dm.rel);
	free_types();
	memset(&dm, 0, sizeof(dm));
}

int xd_dm_init(void)
{
	if (dm.ready)
		return 0;
	dm.ncls = xd_decl_nclasses;
	dm.cls = xmalloc(dm.ncls * sizeof(cls_rt));
	for (size_t i = 0; i < dm.ncls; i++)
		if (build_class(&dm.cls[i], &xd_decl_classes[i], (int)i) < 0)
			goto fail;
	dm.cls_order = sorted_index(dm.cls, sizeof(cls_rt), dm.ncls, false);
	dm.cls_ci_order = sorted_index(dm.cls, sizeof(cls_rt), dm.ncls, true);
	for (size_t i = 1; i < dm.ncls; i++) {
		if (strcasecmp(dm.cls[dm.cls_ci_order[i - 1]].c.name,
			       dm.cls[dm.cls_ci_order[i]].c.name) == 0) {
			xd_err("datamodel: class %s declared twice", dm.cls[dm.cls_ci_order[i]].c.name);
			goto fail;
		}
	}
	/* Lookups by name work from here on (relations need them). */
	dm.ready = true;
	dm.nrel = xd_decl_nrelations;
	dm.rel = xmalloc(dm.nrel * sizeof(xd_relation));
	for (size_t i = 0; i < dm.nrel; i++)
		if (build_relation(&dm.rel[i], &xd_decl_relations[i]) < 0)
			goto fail;
	xd_debug("datamodel: %zu classes, %zu relations", dm.ncls, dm.nrel);
	return 0;
fail:
	free_all();
	return -1;
}
