/* storage_plug.c - SRs waiting for their driver (storage.h, "SRs waiting
 * for their driver").
 *
 * A PBD that was plugged when xapid stopped is attached again at the next
 * start (storage.c). When that fails only because the SR's driver is not
 * loaded (refused, disabled, its .so missing), the PBD is unplugged, as
 * any failed re-attach is, and noted in its other_config; when the driver
 * loads later (a rescan, or a later start) the noted PBDs are plugged
 * again. The note lives in the db, not in memory, so that it survives
 * restarts while the driver stays broken. It goes whenever a client plugs
 * or unplugs the PBD: an SR an operator unplugged stays unplugged.
 */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "dm.h"
#include "log.h"
#include "storage.h"

static const xd_class *pbd_cls(void)
{
	return xd_dm_class("PBD");
}

static bool has_note(const xd_value *pbd_rec)
{
	const xd_value *oc = pbd_rec ? xd_struct_get(pbd_rec, "other_config") : NULL;
	const xd_value *v = oc && oc->t == XD_V_STRUCT ? xd_struct_get(oc, XD_STORAGE_WAIT_KEY)
						       : NULL;
	return v && v->t == XD_V_STRING && strcmp(v->u.s, "true") == 0;
}

static void drop_note(const char *pbd)
{
	xd_value *rec = xd_db_get_record(pbd_cls(), pbd);
	if (has_note(rec)) {
		xd_error err = XD_ERROR_INIT;
		xd_db_map_remove(pbd_cls(), pbd, xd_dm_field_index(pbd_cls(), "other_config"),
				 XD_STORAGE_WAIT_KEY, &err);
		xd_error_clear(&err);
	}
	xd_value_free(rec);
}

int xd_storage_pbd_set_attached(const char *pbd, bool attached, xd_error *err)
{
	xd_value *v = xd_bool(attached);
	int rc = xd_db_set_field(pbd_cls(), pbd,
				 xd_dm_field_index(pbd_cls(), "currently_attached"), v, err);
	xd_value_free(v);
	if (rc == 0)
		drop_note(pbd);
	return rc;
}

void xd_storage_pbd_forget_wait(const char *pbd)
{
	drop_note(pbd);
}

void xd_storage_pbd_wait_for_driver(const char *pbd)
{
	xd_value *rec = xd_db_get_record(pbd_cls(), pbd);
	if (rec && !has_note(rec)) {
		xd_error err = XD_ERROR_INIT;
		xd_value *yes = xd_string("true");
		xd_db_map_add(pbd_cls(), pbd, xd_dm_field_index(pbd_cls(), "other_config"),
			      XD_STORAGE_WAIT_KEY, yes, &err);
		if (err.code)
			xd_warn("storage: PBD %s: cannot note that it waits for its driver: %s", pbd,
				err.code);
		xd_value_free(yes);
		xd_error_clear(&err);
	}
	xd_value_free(rec);
}

/* sr_attach for a noted PBD of sr, under a plug mark (clients may be
 * running calls on the SR by now). */
static void plug_waiting(const char *sr)
{
	xd_storage_op_key k;
	xd_storage_sr s;
	xd_sr_result r = { 0 };
	xd_error err = XD_ERROR_INIT;
	bool marked = false;
	xd_storage_op_key_init(&k, NULL);
	if (xd_storage_sr_open(sr, &s, &err) < 0 || !s.pbd || s.attached)
		goto out;
	xd_value *rec = xd_db_get_record(pbd_cls(), s.pbd);
	bool noted = has_note(rec);
	xd_value_free(rec);
	if (!noted || !xd_plugins_has_sr_type(s.sr.type))
		goto out;
	if (xd_storage_mark(&k, sr, "plug", NULL, NULL, &err) < 0)
		goto failed;
	marked = true;
	xd_sr_args args = { 0 };
	if (xd_storage_call(&s, XD_SR_ATTACH, &args, NULL, &r, &err) < 0)
		goto failed;
	for (size_t i = 0; i < r.nsrs; i++)
		xd_storage_sync_sr(sr, &r.srs[i], &err);
	xd_error_clear(&err);
	if (xd_storage_pbd_set_attached(s.pbd, true, &err) < 0)
		goto failed;
	xd_info("storage: SR %s (%s) plugged again: its driver is loaded", s.sr.uuid, s.sr.type);
	xd_storage_unmark(&k, sr, NULL);
	marked = false;
	xd_storage_sr_refresh_all_vdis(sr);
	goto out;
failed:
	/* a failure of its own now: an ordinary unplugged PBD from here on */
	xd_warn("storage: SR %s (%s) waited for its driver, but could not be plugged (%s %s): it "
		"stays unplugged (PBD.plug to try again)", s.sr.uuid, s.sr.type,
		err.code ? err.code : "?", err.nparams > 1 ? err.params[1] : "");
	xd_storage_pbd_forget_wait(s.pbd);
out:
	if (marked)
		xd_storage_unmark(&k, sr, NULL);
	xd_error_clear(&err);
	xd_sr_result_clear(&r);
	xd_storage_sr_close(&s);
}

static int collect_ref(const char *ref, const xd_value *const *fields, void *ud)
{
	xd_array_append_take(ud, xd_string(ref));
	return 0;
}

void xd_storage_plug_waiting(const char *type)
{
	xd_value *srs = xd_array();
	const xd_class *src = xd_dm_class("SR");
	xd_db_foreach(src, collect_ref, srs);
	for (size_t i = 0; i < srs->u.arr.n; i++) {
		const char *sr = srs->u.arr.items[i]->u.s;
		if (type) {
			xd_value *t = xd_db_get_field(src, sr, xd_dm_field_index(src, "type"));
			bool same = t && t->t == XD_V_STRING && strcmp(t->u.s, type) == 0;
			xd_value_free(t);
			if (!same)
				continue;
		}
		plug_waiting(sr);
	}
	xd_value_free(srs);
}
