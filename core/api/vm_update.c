/* vm_update.c - read-modify-write of one VM, committed in one transaction
 * with the writes to its devices and companions (see vm_int.h).
 *
 * Locking: one mutex per VM, taken from a fixed stripe by the hash of the
 * ref, held from begin to commit. It orders the read-check-write sequences
 * of the lifecycle code (two VM.start on one VM: the second sees the first's
 * current_operations); it is never held across a hypervisor or storage call,
 * only across db reads and the final commit. */
#include "vm_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "generic/generic.h"
#include "ids.h"
#include "log.h"

#define NSTRIPES 64
static pthread_mutex_t stripes[NSTRIPES] = {
	[0 ... NSTRIPES - 1] = PTHREAD_MUTEX_INITIALIZER,
};

static pthread_mutex_t *lock_of(const char *ref)
{
	size_t h = 1469598103934665603ull;
	for (const char *s = ref; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return &stripes[h % NSTRIPES];
}

/* ---- record helpers ------------------------------------------------------ */

const char *xd_rec_str(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

int64_t xd_rec_int(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	return v && (v->t == XD_V_INT || v->t == XD_V_DATETIME) ? v->u.i : 0;
}

bool xd_rec_bool(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	return v && v->t == XD_V_BOOL && v->u.b;
}

double xd_rec_float(const xd_value *rec, const char *field)
{
	const xd_value *v = rec ? xd_struct_get(rec, field) : NULL;
	if (!v)
		return 0;
	return v->t == XD_V_FLOAT ? v->u.f : v->t == XD_V_INT ? (double)v->u.i : 0;
}

void xd_rec_set(xd_value *rec, const char *field, xd_value *v)
{
	xd_struct_set_take(rec, field, v);
}

const char *xd_rec_map_get(const xd_value *rec, const char *field, const char *key)
{
	const xd_value *m = rec ? xd_struct_get(rec, field) : NULL;
	const xd_value *v = m && m->t == XD_V_STRUCT ? xd_struct_get(m, key) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : NULL;
}

void xd_power_lower(const char *state, char out[16])
{
	size_t i;
	for (i = 0; state[i] && i < 15; i++)
		out[i] = (char)(state[i] >= 'A' && state[i] <= 'Z' ? state[i] + 32 : state[i]);
	out[i] = 0;
}

/* ---- the update ------------------------------------------------------------ */

typedef enum { W_SET, W_CREATE, W_DESTROY } write_kind;

typedef struct pending_write {
	write_kind kind;
	const xd_class *cls;
	char *ref;
	int field;
	xd_value *v;     /* SET: the value; CREATE: the record */
} pending_write;

struct xd_vm_update {
	char *vm;
	pthread_mutex_t *lock;
	xd_value *before, *after;
	pending_write *w;
	size_t n, cap;
	bool bad;        /* a queued write named an unknown class or field */
};

static xd_vm_update *begin(const char *vm, bool lock, xd_error *err)
{
	const xd_class *c = xd_dm_class("VM");
	xd_vm_update *u = calloc(1, sizeof *u);
	if (!u)
		abort();
	u->lock = lock ? lock_of(vm) : NULL;
	if (u->lock)
		pthread_mutex_lock(u->lock);
	u->before = xd_db_get_record(c, vm);
	if (!u->before) {
		if (u->lock)
			pthread_mutex_unlock(u->lock);
		free(u);
		xd_error_set(err, "HANDLE_INVALID", "VM", vm, NULL);
		return NULL;
	}
	u->vm = strdup(vm);
	u->after = xd_value_copy(u->before);
	return u;
}

xd_vm_update *xd_vm_update_begin(const char *vm, xd_error *err)
{
	return begin(vm, true, err);
}

xd_vm_update *xd_vm_update_begin_unlocked(const char *vm, xd_error *err)
{
	return begin(vm, false, err);
}

xd_value *xd_vm_update_after(xd_vm_update *u)
{
	return u->after;
}

const xd_value *xd_vm_update_before(xd_vm_update *u)
{
	return u->before;
}

const char *xd_vm_update_ref(xd_vm_update *u)
{
	return u->vm;
}

static pending_write *push(xd_vm_update *u, write_kind kind, const char *cls, const char *ref)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 8;
		u->w = realloc(u->w, u->cap * sizeof *u->w);
		if (!u->w)
			abort();
	}
	pending_write *w = &u->w[u->n++];
	memset(w, 0, sizeof *w);
	w->kind = kind;
	w->cls = xd_dm_class(cls);
	w->ref = strdup(ref);
	w->field = -1;
	if (!w->cls) {
		xd_err("internal: vm update names unknown class %s", cls);
		u->bad = true;
	}
	return w;
}

void xd_vm_update_set(xd_vm_update *u, const char *cls, const char *ref, const char *field,
		      xd_value *v)
{
	if (strcmp(cls, "VM") == 0 && strcmp(ref, u->vm) == 0) {
		xd_rec_set(u->after, field, v);  /* written by the diff */
		return;
	}
	pending_write *w = push(u, W_SET, cls, ref);
	w->v = v;
	if (w->cls)
		w->field = xd_dm_field_index(w->cls, field);
	if (w->field < 0) {
		xd_err("internal: vm update names unknown field %s.%s", cls, field);
		u->bad = true;
	}
}

void xd_vm_update_create(xd_vm_update *u, const char *cls, const char *ref, xd_value *rec)
{
	pending_write *w = push(u, W_CREATE, cls, ref);
	if (w->cls)
		xd_generic_fill_defaults(w->cls, rec);
	w->v = rec;
}

void xd_vm_update_destroy(xd_vm_update *u, const char *cls, const char *ref)
{
	push(u, W_DESTROY, cls, ref);
}

void xd_vm_update_end_op(xd_vm_update *u, const char *op_key)
{
	xd_value *ops = xd_struct_get(u->after, "current_operations");
	if (op_key && ops && ops->t == XD_V_STRUCT)
		xd_struct_remove(ops, op_key);
}

void xd_vm_update_message(xd_vm_update *u, const char *name, int64_t priority,
			  const char *body)
{
	char *ref = xd_ref_new();
	xd_value *m = xd_struct();
	xd_struct_set_take(m, "name", xd_string(name));
	xd_struct_set_take(m, "priority", xd_int(priority));
	xd_struct_set_take(m, "cls", xd_string("VM"));
	xd_struct_set_take(m, "obj_uuid", xd_string(xd_rec_str(u->after, "uuid")));
	xd_struct_set_take(m, "timestamp", xd_datetime((int64_t)time(NULL)));
	xd_struct_set_take(m, "body", xd_string(body));
	xd_vm_update_create(u, "message", ref, m);
	free(ref);
}

xd_value *xd_vm_read(const xd_vm_reader *r, const char *cls, const char *ref)
{
	if (r && r->get)
		return r->get(r->ud, cls, ref);
	const xd_class *c = xd_dm_class(cls);
	return c && ref && !xd_ref_is_null(ref) ? xd_db_get_record(c, ref) : NULL;
}

/* The record as the commit will leave it: the db's (or the one queued for
 * creation), with the queued field writes applied. */
static xd_value *read_through(void *ud, const char *cls, const char *ref)
{
	xd_vm_update *u = ud;
	const xd_class *c = xd_dm_class(cls);
	if (!c || !ref || xd_ref_is_null(ref))
		return NULL;
	if (strcmp(cls, "VM") == 0 && strcmp(ref, u->vm) == 0)
		return xd_value_copy(u->after);
	xd_value *rec = xd_db_get_record(c, ref);
	for (size_t i = 0; i < u->n; i++) {
		pending_write *w = &u->w[i];
		if (w->cls != c || strcmp(w->ref, ref) != 0)
			continue;
		switch (w->kind) {
		case W_CREATE:
			xd_value_free(rec);
			rec = w->v ? xd_value_copy(w->v) : NULL;
			break;
		case W_DESTROY:
			xd_value_free(rec);
			rec = NULL;
			break;
		case W_SET:
			if (rec && w->field >= 0)
				xd_struct_set_take(rec, c->fields[w->field].name, xd_value_copy(w->v));
			break;
		}
	}
	return rec;
}

xd_vm_reader xd_vm_update_reader(xd_vm_update *u)
{
	xd_vm_reader r = { read_through, u };
	return r;
}

static void update_free(xd_vm_update *u)
{
	for (size_t i = 0; i < u->n; i++) {
		free(u->w[i].ref);
		xd_value_free(u->w[i].v);
	}
	free(u->w);
	xd_value_free(u->before);
	xd_value_free(u->after);
	free(u->vm);
	free(u);
}

void xd_vm_update_abort(xd_vm_update *u)
{
	if (!u)
		return;
	if (u->lock)
		pthread_mutex_unlock(u->lock);
	update_free(u);
}

/* The VM fields that change, then the queued writes. */
static int write_into(xd_vm_update *u, xd_db_txn *t, xd_error *err)
{
	const xd_class *c = xd_dm_class("VM");
	int rc = 0;
	for (size_t i = 0; i < c->nfields && rc == 0; i++) {
		const char *name = c->fields[i].name;
		const xd_value *a = xd_struct_get(u->before, name), *b = xd_struct_get(u->after, name);
		if (b && (!a || !xd_value_equal(a, b)))
			rc = xd_db_txn_set_field(t, c, u->vm, (int)i, b, err);
	}
	for (size_t i = 0; i < u->n && rc == 0; i++) {
		pending_write *w = &u->w[i];
		switch (w->kind) {
		case W_SET:
			/* an object that went meanwhile (destroyed by a client) is skipped */
			if (xd_db_txn_exists(t, w->cls, w->ref))
				rc = xd_db_txn_set_field(t, w->cls, w->ref, w->field, w->v, err);
			break;
		case W_CREATE:
			rc = xd_db_txn_create(t, w->cls, w->ref, w->v, err);
			w->v = NULL; /* taken */
			break;
		case W_DESTROY:
			if (xd_db_txn_exists(t, w->cls, w->ref))
				rc = xd_db_txn_destroy(t, w->cls, w->ref, err);
			break;
		}
	}
	return rc;
}

/* Whether the commit would write anything. */
static bool changes_anything(const xd_vm_update *u)
{
	if (u->n)
		return true;
	return !xd_value_equal(u->before, u->after);
}

int xd_vm_update_commit(xd_vm_update *u, xd_error *err)
{
	int rc = 0;
	if (u->bad) {
		xd_vm_update_abort(u);
		return xd_error_set(err, "INTERNAL_ERROR", "bad VM update", NULL);
	}
	xd_vm_reader rd = xd_vm_update_reader(u);
	xd_rec_set(u->after, "allowed_operations", xd_vm_allowed_ops_r(&rd, u->vm, u->after));
	const xd_value *ob = xd_struct_get(u->before, "current_operations");
	const xd_value *oa = xd_struct_get(u->after, "current_operations");
	bool op_ended = ob && oa && oa->u.st.n < ob->u.st.n;
	if (changes_anything(u)) {
		xd_db_txn *t = xd_db_begin();
		if (write_into(u, t, err) < 0) {
			xd_db_rollback(t);
			rc = -1;
		} else {
			rc = xd_db_commit(t, err);
		}
	}
	xd_vm_update_abort(u);
	if (op_ended && rc == 0)
		xd_vm_ops_changed();
	return rc;
}

void xd_vm_update_seal(xd_vm_update *u)
{
	xd_vm_reader rd = xd_vm_update_reader(u);
	xd_rec_set(u->after, "allowed_operations", xd_vm_allowed_ops_r(&rd, u->vm, u->after));
}

int xd_vm_update_commit_into(xd_vm_update *u, xd_db_txn *t, xd_error *err)
{
	int rc = -1;
	if (u->bad)
		xd_error_set(err, "INTERNAL_ERROR", "bad VM update", NULL);
	else
		rc = write_into(u, t, err);
	xd_vm_update_abort(u);
	return rc;
}
