/* db_values.c - what the db derives from the datamodel (per class: defaults,
 * enum members, which fields are sides of relations), shared field values,
 * and the allocation of objects.
 *
 * Field values are immutable trees. A field holds either its own copy
 * (DB_OWNED) or points at a shared one: a permanent value (DB_PERM: each
 * field's default, enum members, true/false, empty string/set/map, the null
 * ref, 0) or an interned value (DB_INTERNED: refs and small flat sets and
 * maps, shared by content and reference counted, so that the ten thousand
 * identical allowed_operations sets of a large pool are stored once and a
 * value nobody uses any more is freed). Values handed out are always copies.
 *
 * The intern table changes only under the db write lock (or while opening
 * and closing, when no other thread uses the db).
 */
#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "ids.h"
#include "log.h"

#define PERMANENT UINT32_MAX
/* Collections larger than this are rarely repeated; not worth hashing. */
#define INTERN_MAX_ITEMS 64

typedef struct db_interned {
	struct db_interned *next;
	xd_value *v;
	uint64_t h;
	uint32_t refs; /* PERMANENT for DB_PERM values */
} db_interned;

void *db_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort(); /* as value.h: nothing useful is possible without memory */
	return p;
}

char *db_xstrdup(const char *s)
{
	char *r = strdup(s);
	if (!r)
		abort();
	return r;
}

/* ---- content hashing and the intern table ---- */

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t vhash(const xd_value *v, uint64_t h)
{
	unsigned char t = (unsigned char)v->t;
	h = mix(h, &t, 1);
	switch (v->t) {
	case XD_V_BOOL:
		return mix(h, &v->u.b, sizeof(v->u.b));
	case XD_V_INT:
	case XD_V_DATETIME:
		return mix(h, &v->u.i, sizeof(v->u.i));
	case XD_V_FLOAT:
		return mix(h, &v->u.f, sizeof(v->u.f));
	case XD_V_STRING:
		return mix(h, v->u.s, strlen(v->u.s) + 1);
	case XD_V_ARRAY:
		for (size_t i = 0; i < v->u.arr.n; i++)
			h = vhash(v->u.arr.items[i], h);
		return h;
	case XD_V_STRUCT:
		for (size_t i = 0; i < v->u.st.n; i++) {
			h = mix(h, v->u.st.m[i].name, strlen(v->u.st.m[i].name) + 1);
			h = vhash(v->u.st.m[i].v, h);
		}
		return h;
	default:
		return h;
	}
}

static uint64_t hash_of(const xd_value *v)
{
	return vhash(v, 1469598103934665603ULL);
}

static void itab_grow(void)
{
	size_t ncap = db.itab_cap ? db.itab_cap * 2 : 1024;
	db_interned **nb = calloc(ncap, sizeof(*nb));
	if (!nb)
		abort();
	for (size_t i = 0; i < db.itab_cap; i++) {
		for (db_interned *e = db.itab[i], *next; e; e = next) {
			next = e->next;
			e->next = nb[e->h & (ncap - 1)];
			nb[e->h & (ncap - 1)] = e;
		}
	}
	free(db.itab);
	db.itab = nb;
	db.itab_cap = ncap;
}

static db_interned *itab_add(xd_value *v, uint64_t h, uint32_t refs)
{
	if (db.itab_n >= db.itab_cap)
		itab_grow();
	db_interned *e = malloc(sizeof(*e));
	if (!e)
		abort();
	e->v = v;
	e->h = h;
	e->refs = refs;
	e->next = db.itab[h & (db.itab_cap - 1)];
	db.itab[h & (db.itab_cap - 1)] = e;
	db.itab_n++;
	return e;
}

static xd_value *permanent(xd_value *v)
{
	itab_add(v, hash_of(v), PERMANENT);
	return v;
}

/* Worth interning: refs (a few targets pointed at by many objects) and
 * small flat sets and maps (allowed_operations, platform, sm_config...). */
static bool internable(const xd_type *t, const xd_value *v)
{
	switch (v->t) {
	case XD_V_STRING:
		return t->kind == XD_T_REF;
	case XD_V_ARRAY:
		if (v->u.arr.n > INTERN_MAX_ITEMS)
			return false;
		for (size_t i = 0; i < v->u.arr.n; i++) {
			if (v->u.arr.items[i]->t == XD_V_ARRAY || v->u.arr.items[i]->t == XD_V_STRUCT)
				return false;
		}
		return true;
	case XD_V_STRUCT:
		if (v->u.st.n > INTERN_MAX_ITEMS)
			return false;
		for (size_t i = 0; i < v->u.st.n; i++) {
			if (v->u.st.m[i].v->t == XD_V_ARRAY || v->u.st.m[i].v->t == XD_V_STRUCT)
				return false;
		}
		return true;
	default:
		return false;
	}
}

static xd_value *intern(xd_value *v)
{
	uint64_t h = hash_of(v);
	if (db.itab_cap) {
		for (db_interned *e = db.itab[h & (db.itab_cap - 1)]; e; e = e->next) {
			if (e->h == h && e->refs != PERMANENT && xd_value_equal(e->v, v)) {
				e->refs++;
				xd_value_free(v);
				return e->v;
			}
		}
	}
	return itab_add(v, h, 1)->v;
}

static void unintern(xd_value *v)
{
	uint64_t h = hash_of(v);
	db_interned **pp = &db.itab[h & (db.itab_cap - 1)];
	for (; *pp; pp = &(*pp)->next) {
		db_interned *e = *pp;
		if (e->v != v)
			continue;
		if (e->refs != PERMANENT && --e->refs == 0) {
			*pp = e->next;
			db.itab_n--;
			xd_value_free(e->v);
			free(e);
		}
		return;
	}
	xd_err("db: releasing a shared value the intern table does not know");
}

static void itab_free(void)
{
	for (size_t i = 0; i < db.itab_cap; i++) {
		for (db_interned *e = db.itab[i], *next; e; e = next) {
			next = e->next;
			xd_value_free(e->v);
			free(e);
		}
	}
	free(db.itab);
	db.itab = NULL;
	db.itab_cap = db.itab_n = 0;
}

/* The permanent value equal to v for field idx, or NULL. */
static xd_value *permanent_for(const db_cls *dc, int idx, const xd_value *v)
{
	const xd_type *t = dc->cls->fields[idx].type;

	switch (v->t) {
	case XD_V_BOOL:
		return v->u.b ? db.sh_true : db.sh_false;
	case XD_V_STRING:
		if (!v->u.s[0])
			return db.sh_empty_str;
		if (dc->enum_vals[idx]) {
			const xd_enum *en = t->en;
			for (size_t k = 0; k < en->nvalues; k++) {
				if (strcmp(v->u.s, en->values[k]) == 0)
					return dc->enum_vals[idx][k];
			}
		}
		if (t->kind == XD_T_REF && strcmp(v->u.s, XD_NULL_REF) == 0)
			return db.sh_null_ref;
		break;
	case XD_V_ARRAY:
		if (v->u.arr.n == 0)
			return db.sh_empty_arr;
		break;
	case XD_V_STRUCT:
		if (v->u.st.n == 0)
			return db.sh_empty_st;
		break;
	case XD_V_INT:
		if (v->u.i == 0)
			return db.sh_zero;
		break;
	case XD_V_FLOAT:
		if (v->u.f == 0.0 && !__builtin_signbit(v->u.f))
			return db.sh_fzero;
		break;
	case XD_V_DATETIME:
		if (v->u.i == 0)
			return db.sh_epoch;
		break;
	default:
		break;
	}
	if (dc->dflt[idx] && xd_value_equal(dc->dflt[idx], v))
		return dc->dflt[idx];
	return NULL;
}

xd_value *db_share(const db_cls *dc, int idx, xd_value *v, unsigned *kind)
{
	xd_value *p = permanent_for(dc, idx, v);
	if (p) {
		xd_value_free(v);
		*kind = DB_PERM;
		return p;
	}
	if (internable(dc->cls->fields[idx].type, v)) {
		*kind = DB_INTERNED;
		return intern(v);
	}
	return NULL;
}

void db_release(xd_value *v, unsigned kind)
{
	if (!v)
		return;
	if (kind == DB_OWNED)
		xd_value_free(v);
	else if (kind == DB_INTERNED)
		unintern(v);
}

/* ---- classes ---- */

db_cls *db_cls_of(const xd_class *c)
{
	if (!c || !db.cls)
		return NULL;
	if (c->idx >= 0 && (size_t)c->idx < db.ncls && db.cls[c->idx].cls == c)
		return &db.cls[c->idx];
	for (size_t i = 0; i < db.ncls; i++) {
		if (db.cls[i].cls == c)
			return &db.cls[i];
	}
	return NULL;
}

int db_field_by_name(const db_cls *dc, const char *name, int hint)
{
	const xd_class *c = dc->cls;
	if (hint >= 0 && (size_t)hint < c->nfields && strcmp(c->fields[hint].name, name) == 0)
		return hint;
	for (size_t i = 0; i < c->nfields; i++) {
		if (strcmp(c->fields[i].name, name) == 0)
			return (int)i;
	}
	return xd_dm_field_index(c, name);
}

bool db_shape_ok(const xd_type *t, const xd_value *v)
{
	if (!v)
		return false;
	switch (t->kind) {
	case XD_T_STRING:
	case XD_T_ENUM:
	case XD_T_REF:
		return v->t == XD_V_STRING;
	case XD_T_INT:
		return v->t == XD_V_INT;
	case XD_T_FLOAT:
		return v->t == XD_V_FLOAT;
	case XD_T_BOOL:
		return v->t == XD_V_BOOL;
	case XD_T_DATETIME:
		return v->t == XD_V_DATETIME;
	case XD_T_SET:
		return v->t == XD_V_ARRAY;
	case XD_T_MAP:
		return v->t == XD_V_STRUCT;
	default:
		return true;
	}
}

static xd_value **enum_values(const xd_enum *en)
{
	/* linear scan: only done while opening */
	for (size_t i = 0; i < db.nenums; i++) {
		if (db.enums[i].en == en)
			return db.enums[i].vals;
	}
	xd_value **vals = db_xrealloc(NULL, en->nvalues * sizeof(*vals));
	for (size_t k = 0; k < en->nvalues; k++)
		vals[k] = permanent(xd_string(en->values[k]));
	if (db.nenums == db.enums_cap) {
		db.enums_cap = db.enums_cap ? db.enums_cap * 2 : 32;
		db.enums = db_xrealloc(db.enums, db.enums_cap * sizeof(*db.enums));
	}
	db.enums[db.nenums].en = en;
	db.enums[db.nenums].vals = vals;
	db.nenums++;
	return vals;
}

static void add_relation(size_t r)
{
	const xd_relation *rel = xd_dm_relation_at(r);
	db_cls *one = rel ? db_cls_of(rel->one_cls) : NULL;
	db_cls *many = rel ? db_cls_of(rel->many_cls) : NULL;

	if (!one || !many || rel->one_field < 0 || (size_t)rel->one_field >= one->cls->nfields ||
	    rel->many_field < 0 || (size_t)rel->many_field >= many->cls->nfields ||
	    one->cls->fields[rel->one_field].type->kind != XD_T_REF ||
	    many->cls->fields[rel->many_field].type->kind != XD_T_SET) {
		xd_warn("db: ignoring malformed relation %zu in the datamodel", r);
		return;
	}
	if (one->one_rel[rel->one_field] >= 0 || many->many[rel->many_field]) {
		xd_warn("db: ignoring second relation on %s.%s / %s.%s", one->cls->name,
			one->cls->fields[rel->one_field].name, many->cls->name,
			many->cls->fields[rel->many_field].name);
		return;
	}
	db.rels[r] = rel;
	one->one_rel[rel->one_field] = (int)r;
	many->many[rel->many_field] = true;
	many->many_rels = db_xrealloc(many->many_rels, (many->nmany_rels + 1) * sizeof(int));
	many->many_rels[many->nmany_rels++] = (int)r;
}

void db_classes_init(void)
{
	db.sh_true = permanent(xd_bool(true));
	db.sh_false = permanent(xd_bool(false));
	db.sh_empty_str = permanent(xd_string(""));
	db.sh_empty_arr = permanent(xd_array());
	db.sh_empty_st = permanent(xd_struct());
	db.sh_null_ref = permanent(xd_string(XD_NULL_REF));
	db.sh_zero = permanent(xd_int(0));
	db.sh_fzero = permanent(xd_float(0.0));
	db.sh_epoch = permanent(xd_datetime(0));

	db.ncls = xd_dm_nclasses();
	db.cls = calloc(db.ncls ? db.ncls : 1, sizeof(*db.cls));
	if (!db.cls)
		abort();
	for (size_t i = 0; i < db.ncls; i++) {
		db_cls *dc = &db.cls[i];
		const xd_class *c = xd_dm_class_at(i);
		size_t nf = c->nfields ? c->nfields : 1;

		dc->cls = c;
		dc->dflt = calloc(nf, sizeof(*dc->dflt));
		dc->enum_vals = calloc(nf, sizeof(*dc->enum_vals));
		dc->one_rel = calloc(nf, sizeof(*dc->one_rel));
		dc->many = calloc(nf, sizeof(*dc->many));
		if (!dc->dflt || !dc->enum_vals || !dc->one_rel || !dc->many)
			abort();
		for (size_t f = 0; f < c->nfields; f++) {
			const xd_field *fd = &c->fields[f];
			xd_value *d = xd_dm_default_value(fd);
			dc->dflt[f] = permanent(d ? d : xd_nil());
			dc->one_rel[f] = -1;
			if (fd->type->kind == XD_T_ENUM && fd->type->en && fd->type->en->nvalues)
				dc->enum_vals[f] = enum_values(fd->type->en);
		}
	}

	db.nrels = xd_dm_nrelations();
	db.rels = calloc(db.nrels ? db.nrels : 1, sizeof(*db.rels));
	if (!db.rels)
		abort();
	for (size_t r = 0; r < db.nrels; r++)
		add_relation(r);
}

/* Frees the objects too: the last thing close does. */
void db_classes_free(void)
{
	for (size_t i = 0; i < db.ncls; i++) {
		db_cls *dc = &db.cls[i];
		for (db_obj *o = dc->head, *next; o; o = next) {
			next = o->next;
			db_obj_free(o);
		}
		db_hash_free(&dc->uuids);
		free(dc->dflt);
		free(dc->enum_vals);
		free(dc->one_rel);
		free(dc->many);
		free(dc->many_rels);
	}
	free(db.cls);
	db.cls = NULL;
	db.ncls = 0;
	free(db.rels);
	db.rels = NULL;
	for (size_t i = 0; i < db.nenums; i++)
		free(db.enums[i].vals);
	free(db.enums);
	db.enums = NULL;
	db.nenums = db.enums_cap = 0;
	itab_free();
}

/* ---- objects ---- */

db_obj *db_obj_alloc(const db_cls *dc, const char *ref)
{
	size_t nf = dc->cls->nfields;
	size_t rl = strlen(ref) + 1;
	size_t sz = sizeof(db_obj) + nf * sizeof(xd_value *) + (nf + 3) / 4;
	db_obj *o = calloc(1, sz + rl);
	if (!o)
		abort();
	memcpy((char *)o + sz, ref, rl);
	o->ref = (char *)o + sz;
	o->cls = dc->cls;
	return o;
}

void db_obj_free(db_obj *o)
{
	if (!o)
		return;
	db_memo_drop(o);
	for (size_t i = 0; i < o->cls->nfields; i++)
		db_release(o->fields[i], db_fkind(o, (int)i));
	free(o);
}

void db_obj_init_field(db_obj *o, int idx, xd_value *v)
{
	unsigned kind = DB_OWNED;
	xd_value *sv = db_share(db_cls_of(o->cls), idx, v, &kind);
	o->fields[idx] = sv ? sv : v;
	db_set_fkind(o, idx, kind);
}

void db_obj_fill_defaults(db_obj *o)
{
	const db_cls *dc = db_cls_of(o->cls);
	for (size_t f = 0; f < o->cls->nfields; f++) {
		if (!o->fields[f]) {
			/* many sides start empty: the relations fill them */
			o->fields[f] = dc->many[f] ? db.sh_empty_arr : dc->dflt[f];
			db_set_fkind(o, (int)f, DB_PERM);
		}
	}
}

xd_value *db_record_of(const db_obj *o)
{
	/* Members filled directly (the struct layout is public in value.h):
	 * xd_struct_set_take looks for a duplicate name first, which makes a
	 * 90-field VM record quadratic. Field names are unique by declaration. */
	size_t nf = o->cls->nfields;
	xd_value *st = xd_struct();
	if (!nf)
		return st;
	st->u.st.m = db_xrealloc(NULL, nf * sizeof(*st->u.st.m));
	st->u.st.cap = nf;
	for (size_t i = 0; i < nf; i++) {
		st->u.st.m[i].name = db_xstrdup(o->cls->fields[i].name);
		st->u.st.m[i].v = xd_value_copy(o->fields[i]);
		st->u.st.n = i + 1;
	}
	return st;
}

const char *db_uuid_of(const db_cls *dc, const db_obj *o)
{
	int u = dc->cls->uuid_field;
	if (u < 0 || !o->fields[u] || o->fields[u]->t != XD_V_STRING)
		return "";
	return o->fields[u]->u.s;
}
