/* xva_mac_seed.c - the VMs' MAC seeds on import, as xapi's import.ml:
 * a plain import gives every VM a fresh other_config:mac_seed (its VIFs'
 * MACs come from it, devices.c: two imports of one XVA must not give two
 * VMs the same MACs); a full restore keeps the seeds, and refuses an
 * archive whose VM or snapshot has the seed of a VM here that it is not
 * compatible with: DUPLICATE_MAC_SEED [seed]. Compatible: the same VM (same
 * uuid), two snapshots of one VM, a snapshot and the VM it was taken of.
 */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "dm.h"
#include "ids.h"
#include "xva_int.h"

static const char *str_in(const xd_value *rec, const char *name)
{
	const xd_value *v = rec ? xd_struct_get(rec, name) : NULL;
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

static const char *seed_of(const xd_value *vm)
{
	const xd_value *oc = xd_struct_get(vm, "other_config");
	return oc && oc->t == XD_V_STRUCT ? str_in(oc, "mac_seed") : "";
}

void xd_xva_fresh_mac_seed(xd_value *vm)
{
	xd_value *oc = xd_struct_get(vm, "other_config");
	if (!oc || oc->t != XD_V_STRUCT) {
		xd_struct_set_take(vm, "other_config", xd_struct());
		oc = xd_struct_get(vm, "other_config");
	}
	xd_struct_set_take(oc, "mac_seed", xd_string_take(xd_uuid_new()));
}

/* A VM or snapshot as the check sees it. */
typedef struct seeded {
	char *seed, *uuid, *of; /* of: the uuid of the VM a snapshot was taken of, or "" */
	bool snapshot;
} seeded;

typedef struct seeded_list {
	seeded *v;
	size_t n;
} seeded_list;

static void add(seeded_list *l, const char *seed, const char *uuid, const char *of, bool snap)
{
	seeded *grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown)
		abort();
	l->v = grown;
	l->v[l->n++] = (seeded){ strdup(seed), strdup(uuid), strdup(of), snap };
}

static void free_list(seeded_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].seed);
		free(l->v[i].uuid);
		free(l->v[i].of);
	}
	free(l->v);
}

static bool compatible(const seeded *a, const seeded *b)
{
	if (!a->snapshot && !b->snapshot)
		return strcmp(a->uuid, b->uuid) == 0;
	if (a->snapshot && b->snapshot)
		return *a->of && strcmp(a->of, b->of) == 0;
	return a->snapshot ? strcmp(a->of, b->uuid) == 0 : strcmp(b->of, a->uuid) == 0;
}

/* The uuid of the VM a database ref names, or "" (heap). */
static char *uuid_here(const char *ref)
{
	const xd_class *c = xd_dm_class("VM");
	xd_value *u = *ref ? xd_db_get_field(c, ref, xd_dm_field_index(c, "uuid")) : NULL;
	char *out = strdup(u && u->t == XD_V_STRING ? u->u.s : "");
	xd_value_free(u);
	return out;
}

static int collect_here(const char *ref, const xd_value *const *f, void *ud)
{
	(void)f;
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), ref);
	if (rec && *seed_of(rec)) {
		char *of = uuid_here(str_in(rec, "snapshot_of"));
		const xd_value *snap = xd_struct_get(rec, "is_a_snapshot");
		add(ud, seed_of(rec), str_in(rec, "uuid"), of, snap && snap->u.b);
		free(of);
	}
	xd_value_free(rec);
	return 0;
}

/* The archive's VM whose id is id, or NULL. */
static const xd_value *archived_vm(const xd_value *objects, const char *id)
{
	for (size_t i = 0; i < objects->u.arr.n; i++) {
		const xd_value *o = objects->u.arr.items[i];
		if (!strcmp(str_in(o, "class"), "VM") && !strcmp(str_in(o, "id"), id))
			return xd_struct_get(o, "snapshot");
	}
	return NULL;
}

int xd_xva_check_mac_seeds(const xd_value *objects, xd_error *err)
{
	seeded_list here = { 0 }, coming = { 0 };
	int rc = 0;

	for (size_t i = 0; i < objects->u.arr.n; i++) {
		const xd_value *o = objects->u.arr.items[i];
		const xd_value *vm = xd_struct_get(o, "snapshot");
		if (strcmp(str_in(o, "class"), "VM") != 0 || !*seed_of(vm))
			continue;
		/* snapshot_of: an id in the archive, else a ref on the host it came from */
		const xd_value *parent = archived_vm(objects, str_in(vm, "snapshot_of"));
		char *of = parent ? strdup(str_in(parent, "uuid")) : uuid_here(str_in(vm, "snapshot_of"));
		const xd_value *snap = xd_struct_get(vm, "is_a_snapshot");
		add(&coming, seed_of(vm), str_in(vm, "uuid"), of, snap && snap->t == XD_V_BOOL && snap->u.b);
		free(of);
	}
	if (coming.n)
		xd_db_foreach(xd_dm_class("VM"), collect_here, &here);
	for (size_t i = 0; i < coming.n && rc == 0; i++)
		for (size_t k = 0; k < here.n && rc == 0; k++)
			if (!strcmp(coming.v[i].seed, here.v[k].seed) &&
			    !compatible(&coming.v[i], &here.v[k]))
				rc = xd_error_set(err, "DUPLICATE_MAC_SEED", here.v[k].seed, NULL);
	free_list(&here);
	free_list(&coming);
	return rc;
}
