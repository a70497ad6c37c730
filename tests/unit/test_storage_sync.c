/* test_storage_sync.c - driver results into the db (core/storage/storage_sync.c)
 * and SR/VDI allowed and current operations (core/storage/storage_ops.c), on an
 * in-memory db with no driver: what the driver "reported" is built here. */
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "dm.h"
#include "generic/generic.h"
#include "ids.h"
#include "storage/storage.h"
#include "tap.h"

static const xd_class *cls(const char *name)
{
	return xd_dm_class(name);
}

/* A record of cls with the given string/bool/struct members, the rest
 * defaulted. Returns its ref (heap). */
static char *make(const char *c, xd_value *rec)
{
	xd_error err = XD_ERROR_INIT;
	xd_generic_fill_defaults(cls(c), rec);
	char *ref = xd_ref_new();
	if (xd_db_create(cls(c), ref, rec, &err) < 0) {
		printf("# cannot create %s: %s\n", c, err.code);
		exit(1);
	}
	return ref;
}

static xd_value *get(const char *c, const char *ref, const char *field)
{
	return xd_db_get_field(cls(c), ref, xd_dm_field_index(cls(c), field));
}

static void set(const char *c, const char *ref, const char *field, xd_value *v)
{
	xd_error err = XD_ERROR_INIT;
	xd_db_set_field(cls(c), ref, xd_dm_field_index(cls(c), field), v, &err);
	xd_value_free(v);
	xd_error_clear(&err);
}

static const char *str_of(const char *c, const char *ref, const char *field, char *buf, size_t n)
{
	xd_value *v = get(c, ref, field);
	snprintf(buf, n, "%s", v && v->t == XD_V_STRING ? v->u.s : v ? "(not a string)" : "(gone)");
	xd_value_free(v);
	return buf;
}

static int bool_of(const char *c, const char *ref, const char *field)
{
	xd_value *v = get(c, ref, field);
	int b = v && v->t == XD_V_BOOL ? v->u.b : -1;
	xd_value_free(v);
	return b;
}

static long long int_of(const char *c, const char *ref, const char *field)
{
	xd_value *v = get(c, ref, field);
	long long i = v && v->t == XD_V_INT ? v->u.i : -12345;
	xd_value_free(v);
	return i;
}

static bool set_has(const char *c, const char *ref, const char *field, const char *item)
{
	xd_value *v = get(c, ref, field);
	bool yes = false;
	for (size_t i = 0; v && v->t == XD_V_ARRAY && i < v->u.arr.n; i++)
		yes |= strcmp(v->u.arr.items[i]->u.s, item) == 0;
	xd_value_free(v);
	return yes;
}

static char *host, *sr, *pbd;

static void setup(void)
{
	xd_error err = XD_ERROR_INIT;
	if (xd_dm_init() != 0 || xd_db_open(":memory:", &err) != 0) {
		printf("# cannot open the db\n");
		exit(1);
	}
	host = make("host", xd_struct());
	xd_set_this_host(host);
	xd_value *sm = xd_struct(), *features = xd_struct();
	xd_struct_set_take(sm, "type", xd_string("t"));
	xd_struct_set_take(features, "VDI_CREATE", xd_int(1));
	xd_struct_set_take(features, "VDI_DELETE", xd_int(1));
	xd_struct_set_take(features, "VDI_SNAPSHOT", xd_int(1));
	xd_struct_set_take(sm, "features", features);
	free(make("SM", sm));
	xd_value *s = xd_struct();
	xd_struct_set_take(s, "type", xd_string("t"));
	sr = make("SR", s);
	xd_value *p = xd_struct();
	xd_struct_set_take(p, "host", xd_string(host));
	xd_struct_set_take(p, "SR", xd_string(sr));
	xd_struct_set_take(p, "currently_attached", xd_bool(true));
	pbd = make("PBD", p);
}

static xd_vdi_info vi(const char *location, int64_t size)
{
	xd_vdi_info v;
	memset(&v, 0, sizeof(v));
	v.location = (char *)location;
	v.virtual_size = size;
	v.physical_utilisation = size / 2;
	return v;
}

static void test_sync_vdi(void)
{
	xd_error err = XD_ERROR_INIT;
	char b[128];
	xd_vdi_info v = vi("a.img", 1000);
	v.uuid = "0f4c2a3e-9d51-4c8e-9f11-1d2e3f4a5b6c";
	char *a = xd_storage_sync_vdi(sr, &v, &err);
	ok(a != NULL, "a new location gets a record");
	is_str(str_of("VDI", a, "location", b, sizeof(b)), "a.img", "  its location");
	is_str(str_of("VDI", a, "uuid", b, sizeof(b)), v.uuid, "  the driver's uuid");
	is_str(str_of("VDI", a, "SR", b, sizeof(b)), sr, "  in the SR");
	is_int(bool_of("VDI", a, "managed"), 1, "  managed");
	is_int(bool_of("VDI", a, "missing"), 0, "  not missing");
	is_int(int_of("VDI", a, "virtual_size"), 1000, "  virtual_size");
	is_int(int_of("VDI", a, "physical_utilisation"), 500, "  physical_utilisation");
	is_str(str_of("VDI", a, "type", b, sizeof(b)), "user", "  type user");

	v.virtual_size = 2000;
	char *again = xd_storage_sync_vdi(sr, &v, &err);
	is_str(again, a, "the same location is the same record");
	is_int(int_of("VDI", a, "virtual_size"), 2000, "  with the new size");

	/* a uuid in use is not taken twice */
	xd_vdi_info w = vi("w.img", 10);
	w.uuid = v.uuid;
	char *wr = xd_storage_sync_vdi(sr, &w, &err);
	ok(wr && strcmp(str_of("VDI", wr, "uuid", b, sizeof(b)), v.uuid) != 0,
	   "a uuid another VDI has is not reused");

	/* a parent the db does not know: a hidden record */
	xd_vdi_info c = vi("c.img", 3000);
	c.parent = "base.img";
	char *cr = xd_storage_sync_vdi(sr, &c, &err);
	char *base = xd_storage_vdi_by_location(sr, "base.img");
	ok(cr && base, "the child and its parent have records");
	is_int(bool_of("VDI", base, "managed"), 0, "  the parent is not managed");
	is_str(str_of("VDI", base, "name_label", b, sizeof(b)), "base copy", "  named as sm names them");
	is_int(int_of("VDI", base, "virtual_size"), 3000, "  its size taken from the child");
	is_int(bool_of("VDI", cr, "managed"), 1, "  the child is managed");

	xd_vdi_info bad = vi(NULL, 1);
	ok(xd_storage_sync_vdi(sr, &bad, &err) == NULL, "a VDI without location is refused");
	is_str(err.code, "INTERNAL_ERROR", "  INTERNAL_ERROR");
	xd_error_clear(&err);
	free(a);
	free(again);
	free(wr);
	free(cr);
	free(base);
}

static void test_sync_scan(void)
{
	xd_error err = XD_ERROR_INIT;
	char b[128];
	char *a = xd_storage_vdi_by_location(sr, "a.img");
	char *w = xd_storage_vdi_by_location(sr, "w.img");
	char *c = xd_storage_vdi_by_location(sr, "c.img");
	/* c.img is used by a VBD: when it vanishes it is kept, missing */
	xd_value *vbd = xd_struct();
	xd_struct_set_take(vbd, "VDI", xd_string(c));
	free(make("VBD", vbd));
	/* a snapshot relation the db knows, that the driver does not report */
	set("VDI", w, "snapshot_of", xd_string(a));
	set("VDI", w, "is_a_snapshot", xd_bool(true));

	xd_vdi_info v[4] = { vi("a.img", 4000), vi("w.img", 10), vi("n.img", 5000),
			     vi("n2.img", 7000) };
	v[2].is_a_snapshot = 1;
	v[2].snapshot_of = "a.img";
	v[0].parent = "p.img";       /* a.img now has a parent: p.img is hidden */
	v[3].snapshot_of = "n.img";  /* made in the same scan */
	xd_sr_info si = { .physical_size = 1 << 20, .physical_utilisation = 1000,
			  .virtual_allocation = -1 };
	xd_sr_result r = { .srs = &si, .nsrs = 1, .vdis = v, .nvdis = 4 };
	is_int(xd_storage_sync_scan(sr, &r, &err), 0, "a scan syncs");
	char *n = xd_storage_vdi_by_location(sr, "n.img");
	char *n2 = xd_storage_vdi_by_location(sr, "n2.img");
	char *p = xd_storage_vdi_by_location(sr, "p.img");
	char *base = xd_storage_vdi_by_location(sr, "base.img");
	ok(n && n2 && p, "new locations got records");
	is_int(bool_of("VDI", n, "is_a_snapshot"), 1, "  the driver's is_a_snapshot");
	is_str(str_of("VDI", n, "snapshot_of", b, sizeof(b)), a, "  snapshot_of by location");
	is_str(str_of("VDI", n2, "snapshot_of", b, sizeof(b)), n,
	       "  snapshot_of a VDI made in the same scan");
	ok(set_has("VDI", a, "snapshots", n), "  the original lists the snapshot");
	is_int(bool_of("VDI", p, "managed"), 0, "a reported parent is hidden");
	is_int(int_of("VDI", a, "virtual_size"), 4000, "a known record gets the new size");
	is_str(str_of("VDI", w, "snapshot_of", b, sizeof(b)), a,
	       "an unreported snapshot_of is not cleared");
	is_int(bool_of("VDI", c, "missing"), 1, "a vanished VDI with a VBD is marked missing");
	ok(base == NULL, "a vanished VDI without VBDs is forgotten");
	is_int(int_of("SR", sr, "physical_size"), 1 << 20, "SR physical_size");
	is_int(int_of("SR", sr, "physical_utilisation"), 1000, "SR physical_utilisation");
	is_int(int_of("SR", sr, "virtual_allocation"), 4000 + 10 + 5000 + 7000,
	       "SR virtual_allocation: the sum of the managed VDIs");

	/* c.img comes back */
	xd_vdi_info back = vi("c.img", 3000);
	xd_sr_result r2 = { .vdis = &back, .nvdis = 1 };
	is_int(xd_storage_sync_scan(sr, &r2, &err), 0, "a second scan");
	is_int(bool_of("VDI", c, "missing"), 0, "  a VDI that is back is not missing");
	ok(xd_storage_vdi_by_location(sr, "a.img") == NULL, "  the others are forgotten");
	free(a);
	free(w);
	free(c);
	free(n);
	free(n2);
	free(p);
	free(base);
}

static void test_sr_ops(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_storage_sr_refresh(sr);
	ok(set_has("SR", sr, "allowed_operations", "vdi_create"), "vdi_create: the driver has it");
	ok(set_has("SR", sr, "allowed_operations", "scan"), "scan allowed");
	ok(!set_has("SR", sr, "allowed_operations", "vdi_resize"), "vdi_resize: the driver lacks it");
	ok(!set_has("SR", sr, "allowed_operations", "destroy"), "destroy: not while plugged");
	is_int(xd_storage_sr_check(sr, "vdi_resize", &err), -1, "vdi_resize refused");
	ok(err.code && !strcmp(err.code, "SR_OPERATION_NOT_SUPPORTED") && err.nparams == 1 &&
		   !strcmp(err.params[0], sr), "  SR_OPERATION_NOT_SUPPORTED [sr]");
	xd_error_clear(&err);
	is_int(xd_storage_sr_check(sr, "forget", &err), -1, "forget refused while plugged");
	ok(err.code && !strcmp(err.code, "SR_HAS_PBD"), "  SR_HAS_PBD");
	xd_error_clear(&err);
	set("PBD", pbd, "currently_attached", xd_bool(false));
	is_int(xd_storage_sr_check(sr, "forget", &err), 0, "forget allowed once unplugged");
	is_int(xd_storage_sr_check(sr, "destroy", &err), -1, "destroy refused: VDIs are left");
	ok(err.code && !strcmp(err.code, "SR_NOT_EMPTY") && err.nparams == 0, "  SR_NOT_EMPTY []");
	xd_error_clear(&err);
	set("PBD", pbd, "currently_attached", xd_bool(true));

	xd_storage_op_key k1 = { "OpaqueRef:k1", NULL }, k2 = { "OpaqueRef:k2", NULL };
	is_int(xd_storage_mark(&k1, sr, "scan", NULL, NULL, &err), 0, "mark scan");
	xd_value *cur = get("SR", sr, "current_operations");
	ok(cur && cur->u.st.n == 1 && !strcmp(cur->u.st.m[0].name, "OpaqueRef:k1") &&
		   !strcmp(cur->u.st.m[0].v->u.s, "scan"), "  current_operations {k1: scan}");
	xd_value_free(cur);
	ok(!set_has("SR", sr, "allowed_operations", "scan"), "  nothing else is allowed now");
	xd_storage_set_mark_timeout(0.2);
	is_int(xd_storage_mark(&k2, sr, "vdi_create", NULL, NULL, &err), -1,
	       "a second operation waits, then gives up");
	ok(err.code && !strcmp(err.code, "OTHER_OPERATION_IN_PROGRESS") && err.nparams == 4 &&
		   !strcmp(err.params[0], "SR") && !strcmp(err.params[1], sr) &&
		   !strcmp(err.params[2], "scan") && !strcmp(err.params[3], "OpaqueRef:k1"),
	   "  OTHER_OPERATION_IN_PROGRESS [SR, sr, scan, k1]");
	xd_error_clear(&err);
	xd_storage_unmark(&k1, sr, NULL);
	cur = get("SR", sr, "current_operations");
	ok(cur && cur->u.st.n == 0, "unmark empties current_operations");
	xd_value_free(cur);
	ok(set_has("SR", sr, "allowed_operations", "scan"), "  and allows again");

	/* what a previous run left (it died mid-operation) blocks nothing */
	xd_value *stale = xd_struct();
	xd_struct_set_take(stale, "OpaqueRef:dead", xd_string("scan"));
	set("SR", sr, "current_operations", stale);
	is_int(xd_storage_sr_check(sr, "vdi_create", &err), 0,
	       "an operation of a previous run is not in the way");
	xd_storage_sr_refresh(sr);
	cur = get("SR", sr, "current_operations");
	ok(cur && cur->u.st.n == 0, "  and the next refresh drops it");
	xd_value_free(cur);

	/* plugs run beside plugs */
	is_int(xd_storage_mark(&k1, sr, "plug", NULL, NULL, &err), 0, "mark plug");
	is_int(xd_storage_mark(&k2, sr, "plug", NULL, NULL, &err), 0, "a second plug too");
	xd_storage_unmark(&k1, sr, NULL);
	xd_storage_unmark(&k2, sr, NULL);
	xd_error_clear(&err);
}

static void test_vdi_ops(void)
{
	xd_error err = XD_ERROR_INIT;
	xd_vdi_info v = vi("ops.img", 100);
	char *vdi = xd_storage_sync_vdi(sr, &v, &err);
	xd_storage_vdi_refresh(vdi);
	ok(set_has("VDI", vdi, "allowed_operations", "destroy"), "destroy allowed");
	ok(set_has("VDI", vdi, "allowed_operations", "copy"), "copy allowed");
	ok(!set_has("VDI", vdi, "allowed_operations", "clone"), "clone: the driver lacks VDI_CLONE");

	xd_value *r = xd_struct();
	xd_struct_set_take(r, "VDI", xd_string(vdi));
	xd_struct_set_take(r, "mode", xd_string("RO"));
	xd_struct_set_take(r, "currently_attached", xd_bool(true));
	char *vbd = make("VBD", r);
	is_int(xd_storage_vdi_check(vdi, "copy", &err), 0, "copy of a read-only attached VDI");
	is_int(xd_storage_vdi_check(vdi, "snapshot", &err), 0, "snapshot of an attached VDI");
	is_int(xd_storage_vdi_check(vdi, "destroy", &err), -1, "destroy of an attached VDI");
	ok(err.code && !strcmp(err.code, "VDI_IN_USE") && err.nparams == 2 &&
		   !strcmp(err.params[0], vdi) && !strcmp(err.params[1], "destroy"),
	   "  VDI_IN_USE [vdi, destroy]");
	xd_error_clear(&err);
	set("VBD", vbd, "mode", xd_string("RW"));
	is_int(xd_storage_vdi_check(vdi, "copy", &err), -1, "no copy while attached read-write");
	xd_error_clear(&err);
	set("VBD", vbd, "currently_attached", xd_bool(false));

	set("VDI", vdi, "sharable", xd_bool(true));
	is_int(xd_storage_vdi_check(vdi, "snapshot", &err), -1, "no snapshot of a sharable VDI");
	ok(err.code && !strcmp(err.code, "VDI_IS_SHARABLE"), "  VDI_IS_SHARABLE");
	xd_error_clear(&err);
	set("VDI", vdi, "sharable", xd_bool(false));

	xd_storage_op_key k = { "OpaqueRef:copy", NULL }, k2 = { "OpaqueRef:other", NULL };
	is_int(xd_storage_mark(&k, NULL, NULL, vdi, "copy", &err), 0, "mark copy");
	is_int(xd_storage_vdi_check(vdi, "copy", &err), 0, "a second copy may run beside it");
	is_int(xd_storage_vdi_check(vdi, "snapshot", &err), -1, "a snapshot may not");
	ok(err.code && !strcmp(err.code, "OPERATION_NOT_ALLOWED") && err.nparams == 1 &&
		   !strcmp(err.params[0], "Snapshot operation not allowed during copy."),
	   "  OPERATION_NOT_ALLOWED, as xapi words it");
	xd_error_clear(&err);
	is_int(xd_storage_mark(&k2, sr, "vdi_destroy", vdi, "destroy", &err), 0,
	       "destroy is not held back by a copy's mark (but by its attach)");
	xd_storage_unmark(&k2, sr, vdi);
	xd_storage_unmark(&k, NULL, vdi);
	is_int(xd_storage_mark(&k, NULL, NULL, vdi, "update", &err), -1,
	       "update: the driver lacks VDI_UPDATE");
	ok(err.code && !strcmp(err.code, "SR_OPERATION_NOT_SUPPORTED") && err.nparams == 1 &&
		   !strcmp(err.params[0], sr), "  SR_OPERATION_NOT_SUPPORTED [sr]");
	xd_error_clear(&err);
	is_int(xd_storage_mark(&k, NULL, NULL, vdi, "forget", &err), 0, "mark forget");
	is_int(xd_storage_mark(&k2, NULL, NULL, vdi, "copy", &err), -1, "then nothing else");
	ok(err.code && !strcmp(err.code, "OTHER_OPERATION_IN_PROGRESS") && err.nparams == 4 &&
		   !strcmp(err.params[0], "VDI") && !strcmp(err.params[1], vdi) &&
		   !strcmp(err.params[2], "forget") && !strcmp(err.params[3], "OpaqueRef:copy"),
	   "  OTHER_OPERATION_IN_PROGRESS [VDI, vdi, forget, key]");
	xd_error_clear(&err);
	xd_storage_unmark(&k, NULL, vdi);
	free(vbd);
	free(vdi);
}

int main(void)
{
	setup();
	test_sync_vdi();
	test_sync_scan();
	test_sr_ops();
	test_vdi_ops();
	xd_db_close();
	free(host);
	free(sr);
	free(pbd);
	return tap_done();
}
