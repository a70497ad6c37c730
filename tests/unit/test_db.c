/* test_db.c - the object store: records, relations, maps and sets, uuid
 * lookup, errors with their exact parameters, transactions and rollback,
 * the change list (ADD/MOD/DEL, collapsing, filters, lost history), waiting
 * for generations, concurrent writers and group commit, persistence across
 * close/open and the schema version check, memos of encoded records (dropped
 * by every kind of change, filled by racing readers). */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "dm.h"
#include "ids.h"
#include "log.h"
#include "tap.h"
#include "wire.h"

static const xd_class *VM, *VBD, *VDI, *SR, *HOST, *TASK;

static int F(const xd_class *c, const char *name)
{
	int i = xd_dm_field_index(c, name);
	if (i < 0) {
		fprintf(stderr, "no field %s.%s\n", c->name, name);
		exit(2);
	}
	return i;
}

/* A full record of class c with defaults, overridden by the NULL-terminated
 * (name, value) pairs (values taken); a fresh uuid unless one is given. */
static xd_value *rec(const xd_class *c, ...)
{
	xd_value *r = xd_struct();
	va_list ap;
	for (size_t i = 0; i < c->nfields; i++)
		xd_struct_set_take(r, c->fields[i].name, xd_dm_default_value(&c->fields[i]));
	if (c->uuid_field >= 0)
		xd_struct_set_take(r, "uuid", xd_string_take(xd_uuid_new()));
	va_start(ap, c);
	for (const char *n; (n = va_arg(ap, const char *));)
		xd_struct_set_take(r, n, va_arg(ap, xd_value *));
	va_end(ap);
	return r;
}

/* Creates an object from rec() arguments; returns its new ref (static ring). */
static const char *mk_(const xd_class *c, xd_value *r)
{
	static char ring[64][64];
	static int at;
	char *ref = xd_ref_new();
	xd_error err = XD_ERROR_INIT;
	char *slot = ring[at++ % 64];
	if (xd_db_create(c, ref, r, &err) < 0) {
		fprintf(stderr, "create %s failed: %s\n", c->name, err.code);
		exit(2);
	}
	snprintf(slot, 64, "%s", ref);
	free(ref);
	return slot;
}
#define mk(c, ...) mk_((c), rec((c), __VA_ARGS__))

/* A field as text (strings as is, ints in decimal), static ring; NULL if absent. */
static const char *S(const xd_class *c, const char *ref, const char *field)
{
	static char ring[8][256];
	static int at;
	char *out = ring[at++ % 8];
	xd_value *v = xd_db_get_field(c, ref, F(c, field));
	if (!v)
		return NULL;
	if (v->t == XD_V_STRING)
		snprintf(out, 256, "%s", v->u.s);
	else if (v->t == XD_V_INT)
		snprintf(out, 256, "%lld", (long long)v->u.i);
	else {
		char *d = xd_value_to_debug_string(v);
		snprintf(out, 256, "%s", d);
		free(d);
	}
	xd_value_free(v);
	return out;
}

static long set_len(const xd_class *c, const char *ref, const char *field)
{
	xd_value *v = xd_db_get_field(c, ref, F(c, field));
	long n = v && v->t == XD_V_ARRAY ? (long)v->u.arr.n : -1;
	xd_value_free(v);
	return n;
}

static bool set_has(const xd_class *c, const char *ref, const char *field, const char *member)
{
	xd_value *v = xd_db_get_field(c, ref, F(c, field));
	bool found = false;
	for (size_t i = 0; v && v->t == XD_V_ARRAY && i < v->u.arr.n; i++)
		found |= v->u.arr.items[i]->t == XD_V_STRING &&
			 strcmp(v->u.arr.items[i]->u.s, member) == 0;
	xd_value_free(v);
	return found;
}

static bool err_is(const xd_error *e, const char *code, int np, ...)
{
	va_list ap;
	bool same = e->code && strcmp(e->code, code) == 0 && (int)e->nparams == np;
	va_start(ap, np);
	for (int i = 0; same && i < np; i++)
		same = strcmp(e->params[i], va_arg(ap, const char *)) == 0;
	va_end(ap);
	if (!same) {
		printf("#   error: %s", e->code ? e->code : "(none)");
		for (size_t i = 0; i < e->nparams; i++)
			printf(" [%s]", e->params[i]);
		printf("\n");
	}
	return same;
}

/* The change entry for ref, or NULL. */
static const xd_change *find_change(const xd_change *ch, size_t n, const char *ref)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ch[i].ref, ref) == 0)
			return &ch[i];
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- records, errors, maps, sets ---- */

static void test_records(void)
{
	xd_error err = XD_ERROR_INIT;
	uint64_t g0 = xd_db_generation();

	const char *sr = mk(SR, "name_label", xd_string("sr0"), NULL);
	const char *vm = mk(VM, "name_label", xd_string("vm0"), "memory_static_max",
			    xd_int(1 << 30), NULL);
	is_int(xd_db_generation(), g0 + 2, "each create is one generation");
	ok(xd_db_exists(VM, vm), "VM exists");
	ok(!xd_db_exists(SR, vm), "a VM ref is not an SR");
	ok(xd_db_class_of(vm) == VM, "class_of VM ref");
	ok(xd_db_class_of("OpaqueRef:nope") == NULL, "class_of unknown ref");
	is_str(S(VM, vm, "name_label"), "vm0", "name_label stored");
	is_str(S(VM, vm, "memory_static_max"), "1073741824", "int stored");
	is_str(S(VM, vm, "power_state"), "Halted", "default enum kept");
	ok(xd_db_get_field(VM, "OpaqueRef:nope", F(VM, "name_label")) == NULL,
	   "get_field of a missing object is NULL");

	xd_value *r = xd_db_get_record(VM, vm);
	ok(r && r->t == XD_V_STRUCT && r->u.st.n == VM->nfields, "record has every field");
	ok(r && strcmp(r->u.st.m[0].name, VM->fields[0].name) == 0 &&
		   strcmp(r->u.st.m[VM->nfields - 1].name, VM->fields[VM->nfields - 1].name) == 0,
	   "record fields in declaration order");
	xd_value_free(r);

	/* uuid lookup */
	char uuid[64];
	snprintf(uuid, sizeof(uuid), "%s", S(VM, vm, "uuid"));
	char *byu = xd_db_ref_by_uuid(VM, uuid);
	is_str(byu, vm, "ref_by_uuid");
	free(byu);
	ok(xd_db_ref_by_uuid(SR, uuid) == NULL, "uuid index is per class");
	ok(xd_db_ref_by_uuid(VM, "00000000-0000-0000-0000-000000000000") == NULL, "unknown uuid");

	/* creation order */
	const char *vm2 = mk(VM, "name_label", xd_string("vm1"), NULL);
	xd_value *all = xd_db_get_all(VM);
	size_t nall = all->u.arr.n;
	ok(nall >= 2 && strcmp(all->u.arr.items[nall - 2]->u.s, vm) == 0 &&
		   strcmp(all->u.arr.items[nall - 1]->u.s, vm2) == 0,
	   "get_all in creation order");
	is_int(xd_db_count(VM), nall, "count matches get_all");
	xd_value_free(all);

	/* set_field */
	xd_value *v = xd_string("renamed");
	ok(xd_db_set_field(VM, vm, F(VM, "name_label"), v, &err) == 0, "set_field");
	xd_value_free(v);
	is_str(S(VM, vm, "name_label"), "renamed", "set_field visible");

	/* errors */
	v = xd_string("x");
	ok(xd_db_set_field(VM, "OpaqueRef:missing", F(VM, "name_label"), v, &err) < 0 &&
		   err_is(&err, "HANDLE_INVALID", 2, "VM", "OpaqueRef:missing"),
	   "set_field on a missing object: HANDLE_INVALID [VM, ref]");
	xd_error_clear(&err);
	ok(xd_db_set_field(SR, vm, F(SR, "name_label"), v, &err) < 0 &&
		   err_is(&err, "HANDLE_INVALID", 2, "SR", vm),
	   "set_field with the wrong class: HANDLE_INVALID [SR, ref]");
	xd_error_clear(&err);
	ok(xd_db_destroy(VM, "OpaqueRef:missing", &err) < 0 &&
		   err_is(&err, "HANDLE_INVALID", 2, "VM", "OpaqueRef:missing"),
	   "destroy of a missing object: HANDLE_INVALID");
	xd_error_clear(&err);
	ok(xd_db_set_field(VM, vm, F(VM, "memory_static_max"), v, &err) < 0 &&
		   strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "a value of the wrong type is refused");
	xd_error_clear(&err);
	ok(xd_db_set_field(VM, vm, F(VM, "VBDs"), all = xd_array(), &err) < 0 &&
		   strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "the many side of a relation cannot be set");
	xd_value_free(all);
	xd_error_clear(&err);
	xd_value_free(v);

	ok(xd_db_create(VM, vm, rec(VM, NULL), &err) < 0 &&
		   err_is(&err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", 3, "VM", "_ref", vm),
	   "create with an existing ref: [VM, _ref, ref]");
	xd_error_clear(&err);
	ok(xd_db_create(SR, vm, rec(SR, NULL), &err) < 0 &&
		   err_is(&err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", 3, "SR", "_ref", vm),
	   "refs are unique across classes");
	xd_error_clear(&err);
	char *nref = xd_ref_new();
	ok(xd_db_create(VM, nref, rec(VM, "uuid", xd_string(uuid), NULL), &err) < 0 &&
		   err_is(&err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", 3, "VM", "uuid", uuid),
	   "create with a taken uuid: [VM, uuid, uuid]");
	xd_error_clear(&err);
	ok(!xd_db_exists(VM, nref), "failed create left nothing");
	ok(xd_db_create(VM, nref, rec(VM, "no_such_field", xd_int(1), NULL), &err) < 0 &&
		   strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "create with an unknown field is refused");
	xd_error_clear(&err);
	free(nref);
	v = xd_string(uuid);
	ok(xd_db_set_field(VM, vm2, F(VM, "uuid"), v, &err) < 0 &&
		   err_is(&err, "DB_UNIQUENESS_CONSTRAINT_VIOLATION", 3, "VM", "uuid", uuid),
	   "set uuid to another object's uuid is refused");
	xd_error_clear(&err);
	xd_value_free(v);

	/* maps */
	int oc = F(VM, "other_config");
	uint64_t g = xd_db_generation();
	v = xd_string("v1");
	ok(xd_db_map_add(VM, vm, oc, "k", v, &err) == 0, "map_add");
	ok(xd_db_map_add(VM, vm, oc, "k", v, &err) < 0 &&
		   err_is(&err, "MAP_DUPLICATE_KEY", 4, "VM", "other_config", uuid, "k"),
	   "map_add of an existing key: MAP_DUPLICATE_KEY [VM, other_config, uuid, k]");
	xd_error_clear(&err);
	xd_value_free(v);
	is_int(xd_db_generation(), g + 1, "failed map_add made no generation");
	is_str(S(VM, vm, "other_config"), "{\"k\": \"v1\"}", "map content");
	ok(xd_db_map_remove(VM, vm, oc, "absent", &err) == 0, "map_remove of an absent key is ok");
	is_int(xd_db_generation(), g + 1, "... and a no-op");
	ok(xd_db_map_remove(VM, vm, oc, "k", &err) == 0 && set_len(VM, vm, "other_config") == -1,
	   "map_remove");
	xd_value *m = xd_db_get_field(VM, vm, oc);
	ok(m && m->t == XD_V_STRUCT && m->u.st.n == 0, "map empty again");
	xd_value_free(m);
	ok(xd_db_map_add(VM, vm, F(VM, "power_state"), "k", v = xd_string("x"), &err) < 0 &&
		   strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "map_add on a non-map field is refused");
	xd_value_free(v);
	xd_error_clear(&err);

	/* sets */
	int tags = F(VM, "tags");
	v = xd_string("blue");
	g = xd_db_generation();
	ok(xd_db_set_add(VM, vm, tags, v, &err) == 0 && set_has(VM, vm, "tags", "blue"),
	   "set_add");
	ok(xd_db_set_add(VM, vm, tags, v, &err) == 0 && set_len(VM, vm, "tags") == 1,
	   "set_add of a member is a no-op");
	is_int(xd_db_generation(), g + 1, "... without a generation");
	ok(xd_db_set_remove(VM, vm, tags, v, &err) == 0 && set_len(VM, vm, "tags") == 0,
	   "set_remove");
	ok(xd_db_set_remove(VM, vm, tags, v, &err) == 0, "set_remove of an absent member is ok");
	is_int(xd_db_generation(), g + 2, "... without a generation");
	xd_value_free(v);

	/* touch */
	g = xd_db_generation();
	ok(xd_db_touch(VM, vm, &err) == 0 && xd_db_generation() == g + 1, "touch bumps");
	ok(xd_db_touch(VM, "OpaqueRef:missing", &err) < 0 &&
		   err_is(&err, "HANDLE_INVALID", 2, "VM", "OpaqueRef:missing"),
	   "touch of a missing object: HANDLE_INVALID");
	xd_error_clear(&err);

	/* quiet */
	g = xd_db_generation();
	v = xd_string("quietly");
	ok(xd_db_set_field_quiet(VM, vm, F(VM, "name_description"), v) == 0, "quiet write");
	is_str(S(VM, vm, "name_description"), "quietly", "quiet write visible");
	is_int(xd_db_generation(), g, "quiet write makes no generation");
	ok(xd_db_set_field_quiet(VM, "OpaqueRef:missing", F(VM, "name_description"), v) < 0,
	   "quiet write to a missing object fails");
	xd_value_free(v);
	xd_change *ch;
	size_t n;
	uint64_t upto;
	bool lost;
	xd_db_changes(g, NULL, NULL, &ch, &n, &upto, &lost);
	is_int(n, 0, "quiet write makes no change");
	xd_db_changes_free(ch, n);

	/* destroy */
	ok(xd_db_destroy(SR, sr, &err) == 0 && !xd_db_exists(SR, sr), "destroy");
	ok(xd_db_class_of(sr) == NULL, "destroyed ref forgotten");
	ok(xd_db_destroy(VM, vm2, &err) == 0, "destroy vm2");
}

/* ---- shared values: equal values are stored once, but stay independent ---- */

static xd_value *strs(const char *a, const char *b)
{
	xd_value *arr = xd_array();
	xd_array_append_take(arr, xd_string(a));
	if (b)
		xd_array_append_take(arr, xd_string(b));
	return arr;
}

static void test_sharing(void)
{
	xd_error err = XD_ERROR_INIT;
	const char *host = mk(HOST, NULL);
	const char *a = mk(VM, "tags", strs("x", "y"), "resident_on", xd_string(host), NULL);
	const char *b = mk(VM, "tags", strs("x", "y"), "resident_on", xd_string(host), NULL);
	int tags = F(VM, "tags");

	xd_value *z = xd_string("z");
	ok(xd_db_set_add(VM, a, tags, z, &err) == 0, "set_add on one of two equal sets");
	xd_value_free(z);
	is_int(set_len(VM, a, "tags"), 3, "changed set has 3");
	is_int(set_len(VM, b, "tags"), 2, "the other still has 2");

	xd_value *copy = xd_db_get_field(VM, b, tags);
	xd_array_append_take(copy, xd_string("mine"));
	xd_value_free(copy);
	is_int(set_len(VM, b, "tags"), 2, "a returned value is the caller's own copy");

	ok(xd_db_destroy(VM, a, &err) == 0, "destroy one sharer");
	xd_value *want = strs("x", "y");
	xd_value *got = xd_db_get_field(VM, b, tags);
	ok(xd_value_equal(got, want), "the other's value survives");
	xd_value_free(got);
	is_str(S(VM, b, "resident_on"), host, "shared ref survives");

	xd_db_txn *t = xd_db_begin();
	xd_value *q = strs("q", NULL);
	xd_db_txn_set_field(t, VM, b, tags, q, &err);
	xd_db_txn_destroy(t, VM, "OpaqueRef:missing", NULL);
	ok(xd_db_commit(t, &err) < 0, "failing txn");
	xd_error_clear(&err);
	got = xd_db_get_field(VM, b, tags);
	ok(xd_value_equal(got, want), "rolled back to the shared value");
	xd_value_free(got);
	ok(xd_db_set_field(VM, b, tags, q, &err) == 0, "replace the last sharer's value");
	got = xd_db_get_field(VM, b, tags);
	ok(xd_value_equal(got, q), "new value stored");
	xd_value_free(got);
	xd_value_free(q);
	xd_value_free(want);
}

/* ---- relations ---- */

static void test_relations(void)
{
	xd_error err = XD_ERROR_INIT;
	const char *sr = mk(SR, NULL);
	const char *vdi = mk(VDI, "SR", xd_string(sr), NULL);
	const char *vm = mk(VM, NULL);
	const char *vm2 = mk(VM, NULL);
	uint64_t g = xd_db_generation();
	const char *vbd = mk(VBD, "VM", xd_string(vm), "VDI", xd_string(vdi), NULL);
	const char *vbd2 = mk(VBD, "VM", xd_string(vm), "VDI", xd_string(vdi), NULL);

	ok(set_has(SR, sr, "VDIs", vdi) && set_len(SR, sr, "VDIs") == 1, "VDI in SR.VDIs");
	ok(set_has(VM, vm, "VBDs", vbd) && set_has(VM, vm, "VBDs", vbd2) &&
		   set_len(VM, vm, "VBDs") == 2,
	   "VBDs in VM.VBDs");
	ok(set_has(VDI, vdi, "VBDs", vbd) && set_len(VDI, vdi, "VBDs") == 2, "VBDs in VDI.VBDs");

	/* The VM changed with the VBD, in the same generation. */
	xd_change *ch;
	size_t n;
	uint64_t upto;
	bool lost;
	xd_db_changes(g, NULL, NULL, &ch, &n, &upto, &lost);
	const xd_change *cv = find_change(ch, n, vm), *cb = find_change(ch, n, vbd2);
	ok(cv && cb && cv->gen == cb->gen && cv->op == XD_CHANGE_MOD && cb->op == XD_CHANGE_ADD,
	   "the VM is modified in the VBD's generation");
	xd_value *snap = cv ? xd_struct_get(cv->snapshot, "VBDs") : NULL;
	ok(snap && snap->t == XD_V_ARRAY && snap->u.arr.n == 2, "its snapshot has the new VBDs");
	xd_db_changes_free(ch, n);

	/* Moving a VBD to another VM updates both sides in one generation. */
	g = xd_db_generation();
	xd_value *v = xd_string(vm2);
	ok(xd_db_set_field(VBD, vbd, F(VBD, "VM"), v, &err) == 0, "move VBD to vm2");
	xd_value_free(v);
	ok(!set_has(VM, vm, "VBDs", vbd) && set_len(VM, vm, "VBDs") == 1, "gone from the old VM");
	ok(set_has(VM, vm2, "VBDs", vbd), "present in the new VM");
	xd_db_changes(g, NULL, NULL, &ch, &n, &upto, &lost);
	ok(n == 3 && find_change(ch, n, vm) && find_change(ch, n, vm2) &&
		   find_change(ch, n, vbd) && ch[0].gen == g + 1 && ch[2].gen == g + 1,
	   "VBD, old VM and new VM changed in one generation");
	xd_db_changes_free(ch, n);

	/* Destroying the one side removes it from the set. */
	ok(xd_db_destroy(VBD, vbd2, &err) == 0, "destroy vbd2");
	ok(set_len(VM, vm, "VBDs") == 0 && set_len(VDI, vdi, "VBDs") == 1,
	   "removed from VM.VBDs and VDI.VBDs");

	/* Null and dangling refs are allowed; only real targets get updates. */
	v = xd_string(XD_NULL_REF);
	ok(xd_db_set_field(VBD, vbd, F(VBD, "VDI"), v, &err) == 0, "VBD.VDI set to NULL");
	xd_value_free(v);
	ok(set_len(VDI, vdi, "VBDs") == 0, "VDI.VBDs emptied");
	char *future = xd_ref_new();
	v = xd_string(future);
	ok(xd_db_set_field(VBD, vbd, F(VBD, "VM"), v, &err) == 0, "VBD.VM set to a dangling ref");
	xd_value_free(v);
	ok(set_len(VM, vm2, "VBDs") == 0, "left the old VM");
	is_str(S(VBD, vbd, "VM"), future, "dangling ref stored");
	ok(xd_db_create(VM, future, rec(VM, NULL), &err) == 0, "create the VM it points at");
	ok(set_has(VM, future, "VBDs", vbd), "the new VM adopts the VBD (as a reload would)");

	/* Destroying the many side does not cascade. */
	ok(xd_db_destroy(VM, future, &err) == 0, "destroy the VM of a VBD");
	ok(xd_db_exists(VBD, vbd), "the VBD stays");
	is_str(S(VBD, vbd, "VM"), future, "with its now dangling VM ref");
	ok(xd_db_create(VM, future, rec(VM, NULL), &err) == 0 && set_has(VM, future, "VBDs", vbd),
	   "re-created VM adopts it again");
	free(future);

	/* Self relation: VM.parent <-> VM.children. */
	const char *kid = mk(VM, "parent", xd_string(vm), NULL);
	ok(set_has(VM, vm, "children", kid), "VM.children follows VM.parent");
	ok(xd_db_destroy(VM, kid, &err) == 0 && set_len(VM, vm, "children") == 0,
	   "child destroyed: children empty");
	xd_error_clear(&err);
}

/* ---- transactions ---- */

static void test_txn(void)
{
	xd_error err = XD_ERROR_INIT;
	const char *vm = mk(VM, "name_label", xd_string("t0"), NULL);
	const char *vm3 = mk(VM, NULL);
	const char *vdi = mk(VDI, NULL);
	const char *vbd_a = mk(VBD, "VM", xd_string(vm), "VDI", xd_string(vdi), NULL);
	const char *vbd_b = mk(VBD, "VM", xd_string(vm), NULL);
	uint64_t g = xd_db_generation();
	size_t nvm = xd_db_count(VM);

	/* A failing write rolls everything back. */
	xd_db_txn *t = xd_db_begin();
	char *nref = xd_ref_new();
	xd_value *v = xd_string(vm3);
	xd_value *name = xd_string("changed");
	ok(xd_db_txn_create(t, VM, nref, rec(VM, NULL), &err) == 0, "txn create");
	ok(xd_db_txn_set_field(t, VBD, vbd_a, F(VBD, "VM"), v, &err) == 0, "txn move VBD");
	ok(xd_db_txn_set_field(t, VM, vm, F(VM, "name_label"), name, &err) == 0, "txn set");
	ok(xd_db_txn_destroy(t, VDI, vdi, &err) == 0, "txn destroy VDI");
	ok(xd_db_txn_destroy(t, VM, "OpaqueRef:missing", &err) < 0 &&
		   err_is(&err, "HANDLE_INVALID", 2, "VM", "OpaqueRef:missing"),
	   "txn write fails");
	xd_error_clear(&err);
	ok(xd_db_txn_set_field(t, VM, vm, F(VM, "name_label"), name, &err) < 0 &&
		   err_is(&err, "HANDLE_INVALID", 2, "VM", "OpaqueRef:missing"),
	   "later writes report the first failure");
	xd_error_clear(&err);
	ok(xd_db_commit(t, &err) < 0 && err_is(&err, "HANDLE_INVALID", 2, "VM", "OpaqueRef:missing"),
	   "commit fails with the first error");
	xd_error_clear(&err);
	is_int(xd_db_generation(), g, "no generation");
	ok(!xd_db_exists(VM, nref), "created object rolled back");
	is_int(xd_db_count(VM), nvm, "count restored");
	is_str(S(VM, vm, "name_label"), "t0", "field rolled back");
	ok(xd_db_exists(VDI, vdi) && set_has(VDI, vdi, "VBDs", vbd_a), "destroyed VDI is back");
	is_str(S(VBD, vbd_a, "VM"), vm, "VBD.VM rolled back");
	xd_value *vbds = xd_db_get_field(VM, vm, F(VM, "VBDs"));
	ok(vbds && vbds->u.arr.n == 2 && strcmp(vbds->u.arr.items[0]->u.s, vbd_a) == 0 &&
		   strcmp(vbds->u.arr.items[1]->u.s, vbd_b) == 0,
	   "VM.VBDs restored in its order");
	xd_value_free(vbds);
	ok(set_len(VM, vm3, "VBDs") == 0, "the other VM's set restored");
	xd_value *all = xd_db_get_all(VM);
	ok(all->u.arr.n == nvm, "get_all unchanged");
	xd_value_free(all);

	/* Explicit rollback. */
	t = xd_db_begin();
	xd_db_txn_set_field(t, VBD, vbd_a, F(VBD, "VM"), v, &err);
	xd_db_txn_destroy(t, VBD, vbd_b, &err);
	xd_db_rollback(t);
	ok(set_len(VM, vm, "VBDs") == 2 && xd_db_exists(VBD, vbd_b), "xd_db_rollback undoes");
	is_int(xd_db_generation(), g, "no generation");

	/* A successful transaction: one generation for all its writes. */
	t = xd_db_begin();
	ok(xd_db_txn_create(t, VM, nref, rec(VM, NULL), &err) == 0 &&
		   xd_db_txn_set_field(t, VBD, vbd_a, F(VBD, "VM"), v, &err) == 0 &&
		   xd_db_txn_set_field(t, VM, nref, F(VM, "name_label"), name, &err) == 0 &&
		   xd_db_commit(t, &err) == 0,
	   "txn commits");
	is_int(xd_db_generation(), g + 1, "one generation");
	is_str(S(VM, nref, "name_label"), "changed", "writes applied");
	ok(set_has(VM, vm3, "VBDs", vbd_a) && !set_has(VM, vm, "VBDs", vbd_a), "relation moved");
	xd_change *ch;
	size_t n;
	uint64_t upto;
	bool lost;
	xd_db_changes(g, NULL, NULL, &ch, &n, &upto, &lost);
	ok(n == 4 && ch[0].gen == g + 1 && ch[3].gen == g + 1, "4 objects changed in that generation");
	const xd_change *c = find_change(ch, n, nref);
	ok(c && c->op == XD_CHANGE_ADD, "the new VM is an ADD");
	xd_db_changes_free(ch, n);

	/* Created and destroyed in one transaction: nothing to see. */
	g = xd_db_generation();
	char *ghost = xd_ref_new();
	t = xd_db_begin();
	xd_db_txn_create(t, VM, ghost, rec(VM, NULL), &err);
	xd_db_txn_destroy(t, VM, ghost, &err);
	ok(xd_db_commit(t, &err) == 0 && !xd_db_exists(VM, ghost), "create+destroy in one txn");
	xd_db_changes(g, NULL, NULL, &ch, &n, &upto, &lost);
	ok(find_change(ch, n, ghost) == NULL, "... leaves no change");
	xd_db_changes_free(ch, n);
	free(ghost);

	ok(xd_db_txn_set_field(NULL, VM, vm, 0, name, &err) < 0 &&
		   strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "txn write with no transaction");
	xd_error_clear(&err);
	xd_value_free(v);
	xd_value_free(name);
	free(nref);
}

/* ---- changes ---- */

static bool want_vm(const xd_class *c, const char *ref, void *ud)
{
	(*(int *)ud)++;
	return c == VM;
}

static void test_changes(void)
{
	xd_error err = XD_ERROR_INIT;
	const char *a = mk(VM, NULL);
	const char *b = mk(VM, NULL);
	const char *h = mk(HOST, NULL);
	uint64_t since = xd_db_generation();
	xd_value *v = xd_string("x");

	xd_db_set_field(VM, a, F(VM, "name_label"), v, &err);
	xd_db_set_field(HOST, h, F(HOST, "name_label"), v, &err);
	xd_db_set_field(VM, a, F(VM, "name_description"), v, &err); /* collapses */
	const char *c = mk(VM, NULL);
	xd_db_destroy(VM, b, &err);
	const char *d = mk(VM, NULL);
	xd_db_destroy(VM, d, &err); /* created and gone after `since` */
	xd_value_free(v);

	xd_change *ch;
	size_t n;
	uint64_t upto;
	bool lost;
	int rc = xd_db_changes(since, NULL, NULL, &ch, &n, &upto, &lost);
	is_int(rc, 0, "changes: not lost");
	ok(!lost, "lost is false");
	is_int(upto, xd_db_generation(), "upto is the current generation");
	is_int(n, 5, "one entry per object (a, h, c, b, d)");
	bool ordered = true;
	for (size_t i = 1; i < n; i++)
		ordered &= ch[i - 1].gen <= ch[i].gen;
	ok(ordered, "in generation order");
	const xd_change *ca = find_change(ch, n, a), *cb = find_change(ch, n, b),
			*cc = find_change(ch, n, c), *cd = find_change(ch, n, d);
	ok(ca && ca->op == XD_CHANGE_MOD && ca->gen == since + 3, "a: MOD at its latest generation");
	ok(ca && strcmp(xd_struct_get(ca->snapshot, "name_description")->u.s, "x") == 0,
	   "a: snapshot has the latest state");
	ok(cb && cb->op == XD_CHANGE_DEL && cb->snapshot == NULL, "b: DEL without snapshot");
	ok(cc && cc->op == XD_CHANGE_ADD && cc->snapshot, "c: ADD with snapshot");
	ok(cd && cd->op == XD_CHANGE_DEL, "d (born and gone since): DEL");
	ok(ca && ca->cls == VM && find_change(ch, n, h)->cls == HOST, "classes reported");
	xd_db_changes_free(ch, n);

	int calls = 0;
	xd_db_changes(since, want_vm, &calls, &ch, &n, &upto, &lost);
	is_int(n, 4, "filter keeps the 4 VMs");
	ok(calls == 5, "filter asked once per object");
	xd_db_changes_free(ch, n);

	xd_db_changes(xd_db_generation(), NULL, NULL, &ch, &n, &upto, &lost);
	is_int(n, 0, "nothing after the current generation");
	xd_db_changes_free(ch, n);

	/* From the beginning: every live object as ADD, no deletions. */
	xd_db_changes(0, NULL, NULL, &ch, &n, &upto, &lost);
	size_t adds = 0, dels = 0;
	for (size_t i = 0; i < n; i++) {
		adds += ch[i].op == XD_CHANGE_ADD;
		dels += ch[i].op == XD_CHANGE_DEL;
	}
	size_t live = 0;
	for (size_t i = 0; i < xd_dm_nclasses(); i++)
		live += xd_db_count(xd_dm_class_at(i));
	ok(adds == live && dels == 0 && n == live, "since 0: all live objects as ADD");
	xd_db_changes_free(ch, n);

	/* History limit: old deletions are forgotten and old tokens are lost. */
	uint64_t before = xd_db_generation();
	xd_db_set_history_limit(3);
	const char *e = mk(VM, NULL);
	xd_db_destroy(VM, e, &err);
	for (int i = 0; i < 4; i++)
		xd_db_touch(VM, a, &err);
	ok(xd_db_history_start() > before, "history start moved past the old deletion");
	rc = xd_db_changes(before, NULL, NULL, &ch, &n, &upto, &lost);
	ok(rc == 1 && lost, "a token older than the history is lost");
	ok(find_change(ch, n, e) == NULL, "the forgotten deletion is not reported");
	xd_db_changes_free(ch, n);
	rc = xd_db_changes(xd_db_history_start(), NULL, NULL, &ch, &n, &upto, &lost);
	ok(rc == 0 && !lost, "a token at the history start is fine");
	xd_db_changes_free(ch, n);
	xd_db_set_history_limit(100000);
}

/* ---- waiting ---- */

typedef struct {
	uint64_t since;
	double timeout;
	bool result;
	double took;
} wait_arg;

static void *waiter(void *p)
{
	wait_arg *w = p;
	double t0 = now_s();
	w->result = xd_db_wait(w->since, w->timeout);
	w->took = now_s() - t0;
	return NULL;
}

static void test_wait(void)
{
	xd_error err = XD_ERROR_INIT;
	const char *vm = mk(VM, NULL);
	pthread_t th;
	wait_arg w = { xd_db_generation(), 5.0, false, 0 };

	pthread_create(&th, NULL, waiter, &w);
	usleep(100 * 1000);
	xd_db_touch(VM, vm, &err);
	pthread_join(th, NULL);
	ok(w.result && w.took < 2.0, "wait wakes on a write from another thread (%.3fs)", w.took);

	w = (wait_arg){ xd_db_generation(), 0.2, true, 0 };
	waiter(&w);
	ok(!w.result && w.took >= 0.19 && w.took < 1.5, "wait times out (%.3fs)", w.took);
	ok(xd_db_wait(xd_db_generation() - 1, 0), "wait returns at once when already newer");

	w = (wait_arg){ xd_db_generation(), 10.0, true, 0 };
	pthread_create(&th, NULL, waiter, &w);
	usleep(100 * 1000);
	xd_db_wake_all();
	pthread_join(th, NULL);
	ok(!w.result && w.took < 2.0, "wake_all wakes a waiter (%.3fs)", w.took);
}

/* ---- concurrent writers ---- */

/* ---- memos (the encoded record kept in each object) ---- */

static int enc_calls; /* atomic: readers encode concurrently */

/* Reference encoders: the record as a value tree, through the wire encoders. */
static xd_value *tree_of(const xd_class *c, const xd_value *const *fields)
{
	xd_value *r = xd_struct();
	for (size_t i = 0; i < c->nfields; i++)
		xd_struct_append(r, c->fields[i].name, xd_value_copy(fields[i]));
	return r;
}

static void enc_xml(xd_strbuf *out, const xd_class *c, const xd_value *const *fields)
{
	xd_value *r = tree_of(c, fields);
	__atomic_add_fetch(&enc_calls, 1, __ATOMIC_RELAXED);
	xd_xmlrpc_encode_value(out, r);
	xd_value_free(r);
}

static void enc_json(xd_strbuf *out, const xd_class *c, const xd_value *const *fields)
{
	xd_value *r = tree_of(c, fields);
	__atomic_add_fetch(&enc_calls, 1, __ATOMIC_RELAXED);
	xd_json_encode_value(out, r);
	xd_value_free(r);
}

static xd_db_encode_fn enc_of(int slot)
{
	return slot == XD_DB_MEMO_JSON ? enc_json : enc_xml;
}

/* The record's text now, made from xd_db_get_record; NULL if absent. */
static char *fresh_text(const xd_class *c, const char *ref, int slot)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *r = xd_db_get_record(c, ref);
	if (!r)
		return NULL;
	if (slot == XD_DB_MEMO_JSON)
		xd_json_encode_value(&sb, r);
	else
		xd_xmlrpc_encode_value(&sb, r);
	xd_value_free(r);
	return xd_strbuf_steal(&sb);
}

static char *memo_text(const xd_class *c, const char *ref, int slot)
{
	xd_shared_text *t = xd_db_get_memo(c, ref, slot, enc_of(slot));
	char *s = t ? strdup(t->text) : NULL;
	if (t && strlen(t->text) != t->len) {
		free(s);
		s = strdup("(len disagrees with the text)");
	}
	xd_shared_text_release(t);
	return s;
}

/* ref's memo in slot equals its record now, and getting it took `encodes`
 * encoder calls (1: it was made, 0: it was kept; -1: either). */
static bool memo_ok(const xd_class *c, const char *ref, int slot, int encodes)
{
	int before = __atomic_load_n(&enc_calls, __ATOMIC_RELAXED);
	char *m = memo_text(c, ref, slot);
	int took = __atomic_load_n(&enc_calls, __ATOMIC_RELAXED) - before;
	char *f = fresh_text(c, ref, slot);
	bool good = m && f && strcmp(m, f) == 0 && (encodes < 0 || took == encodes);
	if (!good)
		printf("#   memo:  %.300s\n#   fresh: %.300s\n#   encodes: %d (want %d)\n",
		       m ? m : "(null)", f ? f : "(null)", took, encodes);
	free(m);
	free(f);
	return good;
}

static bool memo_has(const xd_class *c, const char *ref, const char *needle)
{
	char *m = memo_text(c, ref, XD_DB_MEMO_XMLRPC);
	bool has = m && strstr(m, needle);
	free(m);
	return has;
}

typedef struct {
	const char *prefix; /* name_label prefix the filter accepts */
	int visits;
	char *texts[16];
	char refs[16][64];
} memo_walk;

static bool walk_filter(const char *ref, const xd_value *const *fields, void *ud)
{
	memo_walk *w = ud;
	const xd_value *nl = fields[F(VM, "name_label")];
	return nl->t == XD_V_STRING && strncmp(nl->u.s, w->prefix, strlen(w->prefix)) == 0;
}

static int walk_visit(const char *ref, const xd_value *const *fields, xd_shared_text *memo,
		      void *ud)
{
	memo_walk *w = ud;
	if (w->visits < 16) {
		w->texts[w->visits] = strdup(memo->text);
		snprintf(w->refs[w->visits], sizeof(w->refs[0]), "%s", ref);
	}
	w->visits++;
	return 0;
}

static void test_memo_writes(void)
{
	xd_error err = XD_ERROR_INIT;
	const int X = XD_DB_MEMO_XMLRPC, J = XD_DB_MEMO_JSON;
	const char *vm = mk(VM, "name_label", xd_string("m0"), NULL);
	const char *vm2 = mk(VM, "name_label", xd_string("m2"), NULL);
	xd_value *v;

	/* Made by the first read, kept for the next ones, one per slot. */
	size_t b0 = xd_db_memo_bytes();
	ok(memo_ok(VM, vm, X, 1), "the first read makes the XML-RPC memo");
	ok(memo_ok(VM, vm, X, 0), "the next read uses it");
	ok(memo_ok(VM, vm, J, 1), "the JSON memo is a slot of its own");
	ok(memo_ok(VM, vm, J, 0), "... kept as well");
	char *mx = memo_text(VM, vm, X), *mj = memo_text(VM, vm, J);
	is_int(xd_db_memo_bytes() - b0, 2 * sizeof(xd_shared_text) + strlen(mx) + strlen(mj) + 2,
	       "memo bytes count both memos");
	ok(strncmp(mx, "<value><struct>", 15) == 0 && mj[0] == '{', "slot 0 XML, slot 1 JSON");
	free(mx);
	free(mj);

	/* Each kind of write drops the memos of what it changed. */
	ok(xd_db_set_field(VM, vm, F(VM, "name_label"), v = xd_string("m1"), &err) == 0,
	   "set_field");
	xd_value_free(v);
	is_int(xd_db_memo_bytes(), b0, "the change dropped both memos");
	ok(memo_ok(VM, vm, X, 1) && memo_ok(VM, vm, J, 1) && memo_has(VM, vm, "m1"),
	   "set_field: memos made again, with the new value");
	ok(xd_db_map_add(VM, vm, F(VM, "other_config"), "mk", v = xd_string("mv"), &err) == 0,
	   "map_add");
	xd_value_free(v);
	ok(memo_ok(VM, vm, X, 1) && memo_has(VM, vm, "mv"), "map_add: memo made again");
	ok(xd_db_map_remove(VM, vm, F(VM, "other_config"), "absent", &err) == 0 &&
		   memo_ok(VM, vm, X, 0),
	   "map_remove of an absent key changes nothing: memo kept");
	ok(xd_db_map_remove(VM, vm, F(VM, "other_config"), "mk", &err) == 0 &&
		   memo_ok(VM, vm, X, 1) && !memo_has(VM, vm, "mv"),
	   "map_remove: memo made again");
	ok(xd_db_set_add(VM, vm, F(VM, "tags"), v = xd_string("tag1"), &err) == 0 &&
		   memo_ok(VM, vm, X, 1) && memo_has(VM, vm, "tag1"),
	   "set_add: memo made again");
	ok(xd_db_set_remove(VM, vm, F(VM, "tags"), v, &err) == 0 && memo_ok(VM, vm, X, 1) &&
		   !memo_has(VM, vm, "tag1"),
	   "set_remove: memo made again");
	xd_value_free(v);
	ok(xd_db_set_field_quiet(VM, vm, F(VM, "name_description"), v = xd_string("hush")) == 0 &&
		   memo_ok(VM, vm, X, 1) && memo_has(VM, vm, "hush"),
	   "quiet write: memo made again");
	xd_value_free(v);
	ok(xd_db_touch(VM, vm, &err) == 0 && memo_ok(VM, vm, X, -1), "touch: memo still right");
	ok(memo_ok(VM, vm2, X, 1) && memo_ok(VM, vm, X, 0), "another object's memo is its own");

	/* Relations: the many side changes with the one side's writes. */
	const char *vbd = mk(VBD, "VM", xd_string(vm), NULL);
	ok(memo_ok(VM, vm, X, 1) && memo_has(VM, vm, vbd),
	   "a VBD created for the VM: the VM's memo made again, with the VBD");
	ok(memo_ok(VM, vm2, X, 0), "the other VM's memo kept");
	ok(memo_ok(VM, vm, J, 1), "the VM's JSON memo made again too");
	ok(xd_db_set_field(VBD, vbd, F(VBD, "VM"), v = xd_string(vm2), &err) == 0, "move the VBD");
	xd_value_free(v);
	ok(memo_ok(VM, vm, X, 1) && !memo_has(VM, vm, vbd), "old VM: memo made again, without it");
	ok(memo_ok(VM, vm2, X, 1) && memo_has(VM, vm2, vbd), "new VM: memo made again, with it");
	ok(memo_ok(VBD, vbd, X, 1), "the VBD has a memo too");
	ok(xd_db_destroy(VBD, vbd, &err) == 0 && memo_ok(VM, vm2, X, 1) && !memo_has(VM, vm2, vbd),
	   "VBD destroyed: its VM's memo made again");

	/* Rollback: what a failed transaction changed is encoded again. */
	ok(memo_ok(VM, vm, X, 0) && memo_ok(VM, vm2, X, 0), "memos of both VMs made");
	const char *vbd2 = mk(VBD, "VM", xd_string(vm), NULL);
	ok(memo_ok(VM, vm, X, 1) && memo_ok(VM, vm2, X, 0), "(memos filled before the txn)");
	xd_db_txn *t = xd_db_begin();
	xd_db_txn_set_field(t, VM, vm, F(VM, "name_label"), v = xd_string("rolled"), &err);
	xd_value_free(v);
	xd_db_txn_set_field(t, VBD, vbd2, F(VBD, "VM"), v = xd_string(vm2), &err);
	xd_value_free(v);
	xd_db_rollback(t);
	ok(memo_ok(VM, vm, X, -1) && !memo_has(VM, vm, "rolled") && memo_has(VM, vm, vbd2),
	   "rollback: the VM's memo is the old record");
	ok(memo_ok(VM, vm2, X, -1) && !memo_has(VM, vm2, vbd2),
	   "rollback: the other side's memo is the old record");
	t = xd_db_begin();
	xd_db_txn_set_field(t, VM, vm, F(VM, "name_label"), v = xd_string("failed"), &err);
	xd_value_free(v);
	xd_db_txn_destroy(t, VM, "OpaqueRef:missing", &err);
	ok(xd_db_commit(t, &err) < 0, "a failing transaction");
	xd_error_clear(&err);
	ok(memo_ok(VM, vm, X, -1) && !memo_has(VM, vm, "failed"),
	   "failed commit: the memo is the old record");
	t = xd_db_begin();
	xd_db_txn_set_field(t, VM, vm, F(VM, "name_label"), v = xd_string("committed"), &err);
	xd_value_free(v);
	ok(xd_db_commit(t, &err) == 0 && memo_ok(VM, vm, X, 1) && memo_has(VM, vm, "committed"),
	   "committed transaction: memo made again");

	/* Destroy: the memo goes with the object, but a holder keeps its text. */
	ok(memo_ok(VM, vm2, X, -1), "(memo of vm2 filled)");
	xd_shared_text *held = xd_db_get_memo(VM, vm2, X, enc_xml);
	char *copy = held ? strdup(held->text) : NULL;
	size_t before = xd_db_memo_bytes();
	ok(xd_db_destroy(VBD, vbd2, &err) == 0 && xd_db_destroy(VM, vm2, &err) == 0, "destroy vm2");
	ok(xd_db_memo_bytes() < before, "its memo bytes are given back");
	ok(held && copy && strcmp(held->text, copy) == 0, "a held memo outlives its object");
	xd_shared_text_release(held);
	free(copy);
	ok(xd_db_get_memo(VM, vm2, X, enc_xml) == NULL, "no memo for a destroyed object");
	ok(xd_db_get_memo(VBD, vm, X, enc_xml) == NULL, "no memo for a ref of another class");
	ok(xd_db_get_memo(VM, NULL, X, enc_xml) == NULL, "no memo for a NULL ref");
	ok(xd_db_get_memo(VM, vm, 2, enc_xml) == NULL && xd_db_get_memo(VM, vm, -1, enc_xml) == NULL,
	   "no memo for a bad slot");
	ok(xd_db_get_memo(VM, vm, X, NULL) == NULL, "no memo without an encoder");

	/* The limit: beyond it memos are made for the call and not kept. */
	const char *vm3 = mk(VM, "name_label", xd_string("m3"), NULL);
	ok(memo_ok(VM, vm, X, -1), "(memo of vm filled)"); /* the VBD destroyed changed vm */
	xd_db_set_memo_limit(0);
	before = xd_db_memo_bytes();
	ok(memo_ok(VM, vm3, X, 1) && memo_ok(VM, vm3, X, 1), "limit 0: made on every read");
	is_int(xd_db_memo_bytes(), before, "limit 0: nothing kept");
	ok(memo_ok(VM, vm, X, 0), "memos kept before stay");
	xd_db_set_memo_limit(XD_DB_MEMO_LIMIT_DEFAULT);
	ok(memo_ok(VM, vm3, X, 1) && memo_ok(VM, vm3, X, 0), "default limit: kept again");

	/* foreach_memo: only what the filter accepts is encoded. */
	mk(VM, "name_label", xd_string("walk-a"), NULL);
	mk(VM, "name_label", xd_string("walk-b"), NULL);
	memo_walk w = { .prefix = "walk-" };
	int e0 = enc_calls;
	is_int(xd_db_foreach_memo(VM, X, walk_filter, walk_visit, &w, enc_xml), 0, "foreach_memo");
	is_int(w.visits, 2, "visits what the filter accepts");
	is_int(enc_calls - e0, 2, "encodes only those");
	bool same = w.visits == 2;
	for (int i = 0; i < w.visits && i < 16; i++) {
		char *f = fresh_text(VM, w.refs[i], X);
		same &= f && strcmp(f, w.texts[i]) == 0;
		free(f);
		free(w.texts[i]);
	}
	ok(same, "with their records' text");
	is_int(xd_db_foreach_memo(VM, 5, NULL, walk_visit, &w, enc_xml), -1, "bad slot: -1");
	is_int(xd_db_foreach_memo(VM, X, NULL, walk_visit, &w, NULL), -1, "no encoder: -1");
	xd_error_clear(&err);
}

/* Readers racing to fill the same memos while a writer changes them: every
 * memo a reader is given is the text of the fields it is given with. */
#define MEMO_READERS 6
#define MEMO_VMS 200

static const char *memo_vms[MEMO_VMS];
static pthread_barrier_t memo_start;

typedef struct {
	int slot;
	int wrong;
	int visits;
} memo_reader_arg;

static bool conc_filter(const char *ref, const xd_value *const *fields, void *ud)
{
	const xd_value *nl = fields[F(VM, "name_label")];
	return nl->t == XD_V_STRING && strncmp(nl->u.s, "conc", 4) == 0;
}

static int conc_visit(const char *ref, const xd_value *const *fields, xd_shared_text *memo,
		      void *ud)
{
	memo_reader_arg *a = ud;
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *r = tree_of(VM, fields);
	if (a->slot == XD_DB_MEMO_JSON)
		xd_json_encode_value(&sb, r);
	else
		xd_xmlrpc_encode_value(&sb, r);
	if (sb.len != memo->len || memcmp(sb.data, memo->text, sb.len) != 0)
		a->wrong++;
	a->visits++;
	xd_strbuf_free(&sb);
	xd_value_free(r);
	return 0;
}

static void *memo_reader(void *p)
{
	memo_reader_arg *a = p;
	pthread_barrier_wait(&memo_start);
	for (int i = 0; i < 10; i++)
		xd_db_foreach_memo(VM, a->slot, conc_filter, conc_visit, a, enc_of(a->slot));
	return NULL;
}

static void *memo_writer(void *p)
{
	int *failed = p;
	pthread_barrier_wait(&memo_start);
	for (int i = 0; i < 300; i++) {
		xd_error err = XD_ERROR_INIT;
		char name[32];
		snprintf(name, sizeof(name), "conc-%d", i);
		xd_value *v = xd_string(name);
		if (xd_db_set_field(VM, memo_vms[(i * 7) % MEMO_VMS], F(VM, "name_label"), v, &err) < 0)
			(*failed)++;
		xd_value_free(v);
		xd_error_clear(&err);
	}
	return NULL;
}

static int sum_visit(const char *ref, const xd_value *const *fields, xd_shared_text *memo,
		     void *ud)
{
	*(size_t *)ud += sizeof(*memo) + memo->len + 1;
	return 0;
}

static void test_memo_concurrency(void)
{
	static memo_reader_arg args[MEMO_READERS];
	pthread_t th[MEMO_READERS + 1];
	int failed = 0;

	for (int i = 0; i < MEMO_VMS; i++)
		memo_vms[i] = strdup(mk(VM, "name_label", xd_string("conc"), NULL));
	int e0 = enc_calls;
	pthread_barrier_init(&memo_start, NULL, MEMO_READERS + 1);
	for (int i = 0; i < MEMO_READERS; i++) {
		args[i].slot = i % 2 ? XD_DB_MEMO_JSON : XD_DB_MEMO_XMLRPC;
		pthread_create(&th[i], NULL, memo_reader, &args[i]);
	}
	pthread_create(&th[MEMO_READERS], NULL, memo_writer, &failed);
	for (int i = 0; i <= MEMO_READERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&memo_start);

	int wrong = 0, visits = 0;
	for (int i = 0; i < MEMO_READERS; i++) {
		wrong += args[i].wrong;
		visits += args[i].visits;
	}
	is_int(failed, 0, "the writer's writes succeeded");
	is_int(visits, MEMO_READERS * 10 * MEMO_VMS, "every reader saw every object every time");
	is_int(wrong, 0, "every memo given was the text of the fields given with it");
	ok(enc_calls - e0 >= 2 * MEMO_VMS, "memos were made (%d encodes)", enc_calls - e0);
	bool all = true;
	for (int i = 0; i < MEMO_VMS; i++)
		all &= memo_ok(VM, memo_vms[i], XD_DB_MEMO_XMLRPC, -1) &&
		       memo_ok(VM, memo_vms[i], XD_DB_MEMO_JSON, -1);
	ok(all, "afterwards every memo is its record");

	/* Racing fillers: the losers' copies are neither counted nor leaked
	 * (ASan/valgrind). With every VM memo filled in both slots, the bytes
	 * counted are exactly those of the memos there are. */
	size_t sum = 0;
	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		if (!c->stored)
			continue;
		xd_db_foreach_memo(c, XD_DB_MEMO_XMLRPC, NULL, sum_visit, &sum, enc_xml);
		xd_db_foreach_memo(c, XD_DB_MEMO_JSON, NULL, sum_visit, &sum, enc_json);
	}
	is_int(xd_db_memo_bytes(), sum, "memo bytes equal the memos kept");
	for (int i = 0; i < MEMO_VMS; i++)
		free((char *)memo_vms[i]);
}

#define NTHREADS 8
#define NWRITES 150

typedef struct {
	char refs[NWRITES][64];
	int failed;
} writer_arg;

static void *writer(void *p)
{
	writer_arg *a = p;
	for (int i = 0; i < NWRITES; i++) {
		xd_error err = XD_ERROR_INIT;
		char *ref = xd_ref_new();
		snprintf(a->refs[i], sizeof(a->refs[i]), "%s", ref);
		if (xd_db_create(TASK, ref, rec(TASK, "name_label", xd_string("w"), NULL),
				 &err) < 0)
			a->failed++;
		xd_error_clear(&err);
		free(ref);
	}
	return NULL;
}

static size_t count_commit_lines(const char *logpath, size_t *writes)
{
	FILE *f = fopen(logpath, "r");
	char line[512];
	size_t commits = 0;
	*writes = 0;
	while (f && fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "db: commit ");
		unsigned long long k;
		size_t nw;
		if (p && sscanf(p, "db: commit %llu: %zu writes", &k, &nw) == 2) {
			commits++;
			*writes += nw;
		}
	}
	if (f)
		fclose(f);
	return commits;
}

static void test_concurrency(const char *dir)
{
	static writer_arg args[NTHREADS];
	pthread_t th[NTHREADS];
	char logpath[512];
	uint64_t g0 = xd_db_generation();
	size_t n0 = xd_db_count(TASK);

	snprintf(logpath, sizeof(logpath), "%s/commits.log", dir);
	xd_log_set_file(logpath);
	xd_log_set_level(XD_LOG_DEBUG);
	for (int i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, writer, &args[i]);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	xd_log_set_level(XD_LOG_WARN);
	xd_log_set_file(NULL);

	int failed = 0;
	for (int i = 0; i < NTHREADS; i++)
		failed += args[i].failed;
	is_int(failed, 0, "no write failed");
	is_int(xd_db_count(TASK), n0 + NTHREADS * NWRITES, "every write is present");
	is_int(xd_db_generation(), g0 + NTHREADS * NWRITES, "one generation per write");

	xd_change *ch;
	size_t n;
	uint64_t upto;
	bool lost;
	xd_db_changes(g0, NULL, NULL, &ch, &n, &upto, &lost);
	bool strictly = n == NTHREADS * NWRITES;
	for (size_t i = 1; i < n; i++)
		strictly &= ch[i - 1].gen < ch[i].gen;
	ok(strictly, "generations strictly increasing, one per write");
	/* each thread's writes got increasing generations in its own order */
	bool per_thread = true;
	for (int t = 0; t < NTHREADS; t++) {
		uint64_t last = 0;
		for (int i = 0; i < NWRITES; i++) {
			const xd_change *c = find_change(ch, n, args[t].refs[i]);
			per_thread &= c && c->gen > last;
			last = c ? c->gen : last;
		}
	}
	ok(per_thread, "each thread's writes ordered");
	xd_db_changes_free(ch, n);

	size_t writes;
	size_t commits = count_commit_lines(logpath, &writes);
	is_int(writes, NTHREADS * NWRITES, "the writer thread committed every write");
	ok(commits > 0 && commits < NTHREADS * NWRITES,
	   "group commit: %zu writes in %zu transactions", writes, commits);
}

/* ---- persistence ---- */

static void file_bytes(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*data = NULL;
	*len = 0;
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	*data = malloc(*len + 1);
	if (fread(*data, 1, *len, f) != *len)
		*len = 0;
	fclose(f);
}

static void sql_exec(const char *path, const char *q)
{
	sqlite3 *s;
	sqlite3_open(path, &s);
	if (sqlite3_exec(s, q, NULL, NULL, NULL) != SQLITE_OK)
		printf("# sql failed: %s\n", sqlite3_errmsg(s));
	sqlite3_close(s);
}

static void test_persistence(const char *dir)
{
	xd_error err = XD_ERROR_INIT;
	char path[512];
	snprintf(path, sizeof(path), "%s/xapi.db", dir);

	ok(xd_db_open(path, &err) == 0, "open a new file db");
	is_int(xd_db_generation(), 0, "new db at generation 0");
	const char *sr = mk(SR, "name_label", xd_string("disk"), NULL);
	const char *vdi = mk(VDI, "SR", xd_string(sr), "virtual_size", xd_int(12345), NULL);
	const char *vm = mk(VM, "name_label", xd_string("p0"), "HVM_shadow_multiplier",
			    xd_float(2.5), NULL);
	const char *vbd = mk(VBD, "VM", xd_string(vm), "VDI", xd_string(vdi), NULL);
	const char *gone = mk(VM, NULL);
	xd_value *v = xd_string("v");
	xd_db_map_add(VM, vm, F(VM, "other_config"), "k", v, &err);
	xd_value_free(v);
	uint64_t before_del = xd_db_generation();
	xd_db_destroy(VM, gone, &err);
	v = xd_string("seen at close");
	xd_db_set_field_quiet(VM, vm, F(VM, "name_description"), v);
	xd_value_free(v);
	uint64_t gen = xd_db_generation();
	xd_change *ch0;
	size_t n0;
	uint64_t upto;
	bool lost;
	xd_db_changes(1, NULL, NULL, &ch0, &n0, &upto, &lost);
	xd_value *all0 = xd_db_get_all(VM);
	xd_db_close();
	xd_db_close();
	ok(true, "close twice is safe");
	ok(!xd_db_exists(VM, vm) && xd_db_get_record(VM, vm) == NULL && xd_db_generation() == 0,
	   "reads on a closed db find nothing");

	ok(xd_db_open(path, &err) == 0, "reopen");
	is_int(xd_db_generation(), gen, "generation persisted");
	is_str(S(VM, vm, "name_label"), "p0", "field persisted");
	is_str(S(VM, vm, "other_config"), "{\"k\": \"v\"}", "map persisted");
	is_str(S(VM, vm, "name_description"), "seen at close", "quiet write flushed at close");
	is_str(S(VDI, vdi, "virtual_size"), "12345", "int persisted");
	xd_value *f = xd_db_get_field(VM, vm, F(VM, "HVM_shadow_multiplier"));
	ok(f && f->t == XD_V_FLOAT && f->u.f == 2.5, "float persisted");
	xd_value_free(f);
	ok(set_has(VM, vm, "VBDs", vbd) && set_has(VDI, vdi, "VBDs", vbd) && set_has(SR, sr, "VDIs", vdi),
	   "relation sets rebuilt");
	ok(!xd_db_exists(VM, gone), "destroyed object stays destroyed");
	xd_value *all1 = xd_db_get_all(VM);
	ok(xd_value_equal(all0, all1), "creation order kept");
	xd_value_free(all0);
	xd_value_free(all1);
	char *byu = xd_db_ref_by_uuid(VM, S(VM, vm, "uuid"));
	is_str(byu, vm, "uuid index rebuilt");
	free(byu);

	xd_change *ch1;
	size_t n1;
	xd_db_changes(1, NULL, NULL, &ch1, &n1, &upto, &lost);
	bool same = n0 == n1;
	for (size_t i = 0; same && i < n0; i++) {
		const xd_change *c = find_change(ch1, n1, ch0[i].ref);
		same = c && c->gen == ch0[i].gen && c->op == ch0[i].op;
	}
	ok(same, "changes since 1 identical after restart (%zu entries: gens, ADD/MOD/DEL)", n1);
	xd_db_changes_free(ch1, n1);
	xd_db_changes(before_del, NULL, NULL, &ch1, &n1, &upto, &lost);
	const xd_change *cg = find_change(ch1, n1, gone);
	ok(cg && cg->op == XD_CHANGE_DEL && cg->gen == before_del + 1,
	   "tombstone survives: DEL at its generation");
	xd_db_changes_free(ch1, n1);
	xd_db_changes_free(ch0, n0);

	/* more writes after a reopen continue the generations */
	ok(xd_db_touch(VM, vm, &err) == 0 && xd_db_generation() == gen + 1, "generations continue");

	/* A failed commit (another process holds the write lock longer than
	 * the busy timeout) is reported, and the write is retried and stored. */
	sqlite3 *other;
	sqlite3_open(path, &other);
	ok(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK,
	   "another connection takes the write lock");
	v = xd_string("during the lock");
	double t0 = now_s();
	ok(xd_db_set_field(VM, vm, F(VM, "name_label"), v, &err) < 0 &&
		   strcmp(err.code, "INTERNAL_ERROR") == 0 && strstr(err.params[0], "locked"),
	   "a write that cannot be committed fails: %s", err.nparams ? err.params[0] : "");
	ok(now_s() - t0 < 10, "... after the busy timeout (%.1fs)", now_s() - t0);
	xd_error_clear(&err);
	xd_value_free(v);
	is_int(xd_db_generation(), gen + 1, "the generation is not committed");
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	ok(xd_db_wait(gen + 1, 10), "the writer retries and commits once the lock is gone");
	is_int(xd_db_generation(), gen + 2, "generation committed");
	xd_db_close();
	ok(xd_db_open(path, &err) == 0, "reopen after the retry");
	is_str(S(VM, vm, "name_label"), "during the lock", "the retried write was stored");
	is_int(xd_db_generation(), gen + 2, "with its generation");
	xd_db_close();

	/* A stored record is read by field names: unknown names are dropped,
	 * missing fields get their defaults. */
	char q[1024];
	const char *ref = "OpaqueRef:hand-made";
	snprintf(q, sizeof(q),
		 "INSERT INTO objects(ref, class, created_gen, mod_gen, data) VALUES('%s', 'VM', 2, 3,"
		 " x'01' || x'03' || x'04' || CAST('uuid' AS BLOB) || x'53' || x'24' ||"
		 " CAST('5f1c0c47-2cbb-4a1c-8bd8-1c1f0c9e0a01' AS BLOB) ||"
		 " x'0a' || CAST('name_label' AS BLOB) || x'53' || x'03' || CAST('old' AS BLOB) ||"
		 " x'0b' || CAST('bogus_field' AS BLOB) || x'49' || x'02')",
		 ref);
	sql_exec(path, q);
	ok(xd_db_open(path, &err) == 0, "open with a hand-made record");
	is_str(S(VM, ref, "name_label"), "old", "stored field read by name");
	is_str(S(VM, ref, "power_state"), "Halted", "missing field gets its default");
	xd_value *r = xd_db_get_record(VM, ref);
	ok(r && xd_struct_get(r, "bogus_field") == NULL && r->u.st.n == VM->nfields,
	   "unknown stored field dropped");
	xd_value_free(r);
	xd_db_close();

	/* A different schema version is refused and the file left alone. */
	sql_exec(path, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
	char *b0, *b1;
	size_t l0, l1;
	file_bytes(path, &b0, &l0);
	ok(xd_db_open(path, &err) < 0 && strcmp(err.code, "INTERNAL_ERROR") == 0 &&
		   err.nparams == 1 && strstr(err.params[0], "version 99") &&
		   strstr(err.params[0], "version 1 "),
	   "schema version 99 refused: %s", err.nparams ? err.params[0] : "");
	xd_error_clear(&err);
	file_bytes(path, &b1, &l1);
	ok(l0 > 0 && l0 == l1 && memcmp(b0, b1, l0) == 0, "file untouched");
	free(b0);
	free(b1);
	ok(!xd_db_exists(VM, vm) && xd_db_generation() == 0, "nothing loaded");

	/* Not a database at all. */
	snprintf(path, sizeof(path), "%s/junk.db", dir);
	FILE *jf = fopen(path, "w");
	fputs("this is not sqlite, just some text that is long enough to have a header ......"
	      "..................................................................", jf);
	fclose(jf);
	ok(xd_db_open(path, &err) < 0 && strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "a non-database file is refused");
	xd_error_clear(&err);
	snprintf(path, sizeof(path), "%s/nodir/x.db", dir);
	ok(xd_db_open(path, &err) < 0 && strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "an unopenable path is refused");
	xd_error_clear(&err);
}

int main(void)
{
	xd_error err = XD_ERROR_INIT;
	char dir[] = "/tmp/test_db.XXXXXX";

	xd_log_set_level(XD_LOG_WARN);
	if (xd_dm_init() < 0 || !mkdtemp(dir))
		return 2;
	VM = xd_dm_class("VM");
	VBD = xd_dm_class("VBD");
	VDI = xd_dm_class("VDI");
	SR = xd_dm_class("SR");
	HOST = xd_dm_class("host");
	TASK = xd_dm_class("task");

	ok(xd_db_open(":memory:", &err) == 0, "open :memory:");
	ok(xd_db_open(":memory:", &err) < 0 && strcmp(err.code, "INTERNAL_ERROR") == 0,
	   "second open refused");
	xd_error_clear(&err);
	test_records();
	test_sharing();
	test_relations();
	test_txn();
	test_changes();
	test_wait();
	test_memo_writes();
	test_memo_concurrency();
	xd_db_close();
	is_int(xd_db_memo_bytes(), 0, "close frees every memo");

	char path[512];
	snprintf(path, sizeof(path), "%s/conc.db", dir);
	ok(xd_db_open(path, &err) == 0, "open a file db for concurrency");
	test_concurrency(dir);
	xd_db_close();

	test_persistence(dir);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done();
}
