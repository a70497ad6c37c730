/* plugin_dispatch.c - one "call" message from the core, run as the op of
 * the plugin's storage table (or, for a network backend, of its network
 * table: plugin_net_dispatch.c), answered with "done". */
#include <stdlib.h>
#include <string.h>

#include "plugin_worker.h"

/* The arguments of a call, decoded into the ABI's structs. */
typedef struct call_args {
	struct xapi_sr sr;
	struct xapi_vdi_info want;
	xapi_kv_t *sr_dc, *sr_smc;       /* sr.device_config, sr.sm_config */
	xapi_kv_t *dc, *smc;             /* probe's device_config, sm_config */
	xapi_kv_t *want_smc;
	const char *location;
	int64_t size;
	int writable;
} call_args;

static int decode(json_object *msg, call_args *a)
{
	memset(a, 0, sizeof *a);
	json_object *sr = xd_pp_obj(msg, "sr");
	a->sr_dc = xd_kv_from_json(xd_pp_obj(sr, "device_config"));
	a->sr_smc = xd_kv_from_json(xd_pp_obj(sr, "sm_config"));
	a->dc = xd_kv_from_json(xd_pp_obj(msg, "device_config"));
	a->smc = xd_kv_from_json(xd_pp_obj(msg, "sm_config"));
	json_object *want = xd_pp_obj(msg, "want");
	a->want_smc = xd_kv_from_json(xd_pp_obj(want, "sm_config"));
	if (!a->sr_dc || !a->sr_smc || !a->dc || !a->smc || !a->want_smc)
		return -1;
	a->sr.size = sizeof a->sr;
	a->sr.uuid = xd_pp_str(sr, "uuid");
	a->sr.name_label = xd_pp_str(sr, "name_label");
	a->sr.device_config = a->sr_dc;
	a->sr.sm_config = a->sr_smc;
	a->want.size = sizeof a->want;
	a->want.uuid = xd_pp_str(want, "uuid");
	a->want.name_label = xd_pp_str(want, "name_label");
	a->want.name_description = xd_pp_str(want, "name_description");
	a->want.virtual_size = xd_pp_int(want, "virtual_size", 0);
	a->want.physical_utilisation = xd_pp_int(want, "physical_utilisation", -1);
	a->want.read_only = xd_pp_int(want, "read_only", 0) != 0;
	a->want.is_a_snapshot = xd_pp_int(want, "is_a_snapshot", 0) != 0;
	a->want.snapshot_of = xd_pp_str(want, "snapshot_of");
	a->want.parent = xd_pp_str(want, "parent");
	a->want.sm_config = a->want_smc;
	a->location = xd_pp_str(msg, "location");
	a->size = xd_pp_int(msg, "size", 0);
	a->writable = xd_pp_int(msg, "writable", 0) != 0;
	return 0;
}

static void free_args(call_args *a)
{
	xd_kv_free(a->sr_dc);
	xd_kv_free(a->sr_smc);
	xd_kv_free(a->dc);
	xd_kv_free(a->smc);
	xd_kv_free(a->want_smc);
}

#define CAN(m) XAPI_CAN(ops, struct xapi_sr_ops, m)

/* Runs op number op; XAPI_E_UNSUPPORTED (with *absent) if the plugin has no
 * such op. */
static int run_op(xapi_plugin_t *p, xapi_call_t *call, int op, const call_args *a, bool *absent)
{
	const struct xapi_sr_ops *ops = p->desc->ops;
	void *st = p->st;
	const struct xapi_sr *sr = &a->sr;
	const char *loc = a->location;
	int rc = XAPI_E_UNSUPPORTED;
	*absent = true;
	switch (op) {
	case 0: if (CAN(sr_probe)) *absent = false, rc = ops->sr_probe(st, call, a->dc, a->smc, 0); break;
	case 1: if (CAN(sr_create)) *absent = false, rc = ops->sr_create(st, call, sr, a->size, 0); break;
	case 2: if (CAN(sr_delete)) *absent = false, rc = ops->sr_delete(st, call, sr, 0); break;
	case 3: if (CAN(sr_attach)) *absent = false, rc = ops->sr_attach(st, call, sr, 0); break;
	case 4: if (CAN(sr_detach)) *absent = false, rc = ops->sr_detach(st, call, sr, 0); break;
	case 5: if (CAN(sr_scan)) *absent = false, rc = ops->sr_scan(st, call, sr, 0); break;
	case 6: if (CAN(sr_update)) *absent = false, rc = ops->sr_update(st, call, sr, 0); break;
	case 7: if (CAN(vdi_create)) *absent = false, rc = ops->vdi_create(st, call, sr, &a->want, 0); break;
	case 8: if (CAN(vdi_delete)) *absent = false, rc = ops->vdi_delete(st, call, sr, loc, 0); break;
	case 9: if (CAN(vdi_snapshot)) *absent = false, rc = ops->vdi_snapshot(st, call, sr, loc, &a->want, 0); break;
	case 10: if (CAN(vdi_clone)) *absent = false, rc = ops->vdi_clone(st, call, sr, loc, &a->want, 0); break;
	case 11: if (CAN(vdi_resize)) *absent = false, rc = ops->vdi_resize(st, call, sr, loc, a->size, 0); break;
	case 12: if (CAN(vdi_attach)) *absent = false, rc = ops->vdi_attach(st, call, sr, loc, a->writable, 0); break;
	case 13: if (CAN(vdi_detach)) *absent = false, rc = ops->vdi_detach(st, call, sr, loc, 0); break;
	case 14: if (CAN(vdi_introduce)) *absent = false, rc = ops->vdi_introduce(st, call, sr, loc, 0); break;
	case 15: if (CAN(vdi_update)) *absent = false, rc = ops->vdi_update(st, call, sr, loc, 0); break;
	}
	return rc;
}

/* The ops outside the storage table's op numbers: a collector's collect,
 * a driver's vdi_io (since 2.1; its figures go back as a "vdi_io"
 * message before "done"). */
static int run_other_op(xapi_plugin_t *p, xapi_call_t *call, const char *name,
			const call_args *a, bool *absent)
{
	*absent = true;
	if (strcmp(name, "collect") == 0 && p->desc->kind == XAPI_KIND_METRICS) {
		const struct xapi_metrics_ops *m = p->desc->ops;
		*absent = false;
		return m->collect(p->st, call, 0);
	}
	const struct xapi_sr_ops *ops = p->desc->ops;
	if (strcmp(name, "vdi_io") != 0 || p->desc->kind != XAPI_KIND_STORAGE || !CAN(vdi_io))
		return XAPI_E_UNSUPPORTED;
	*absent = false;
	struct xapi_vdi_io io = { .size = sizeof io, .read_bytes = -1, .write_bytes = -1,
				  .read_ops = -1, .write_ops = -1, .read_time_us = -1,
				  .write_time_us = -1 };
	int rc = ops->vdi_io(p->st, call, &a->sr, a->location, &io, 0);
	if (rc == XAPI_OK) {
		json_object *m = xd_pp_new("vdi_io");
		json_object_object_add(m, "read_bytes", json_object_new_int64(io.read_bytes));
		json_object_object_add(m, "write_bytes", json_object_new_int64(io.write_bytes));
		json_object_object_add(m, "read_ops", json_object_new_int64(io.read_ops));
		json_object_object_add(m, "write_ops", json_object_new_int64(io.write_ops));
		json_object_object_add(m, "read_time_us", json_object_new_int64(io.read_time_us));
		json_object_object_add(m, "write_time_us", json_object_new_int64(io.write_time_us));
		xd_worker_send(p, m);
	}
	return rc;
}

void xd_worker_dispatch(xapi_plugin_t *p, json_object *msg)
{
	xapi_call_t call = { .p = p };
	call_args a;
	int rc;
	bool absent = false, is_net = p->desc->kind == XAPI_KIND_NETWORK;
	uint32_t caps = 0;
	const char *opname = xd_pp_str(msg, "op");
	int op = xd_pp_sr_op_index(opname);

	if (is_net) {
		memset(&a, 0, sizeof a);
		xd_worker_set_in_op(true);
		rc = xd_worker_net_op(p, &call, msg, &absent, &caps);
		xd_worker_set_in_op(false);
	} else if (decode(msg, &a) != 0) {
		rc = XAPI_E_FAILED;
		call.failed = true;
		call.err_msg = strdup("the plugin worker is out of memory");
	} else if (op < 0 && opname) {
		xd_worker_set_in_op(true);
		rc = run_other_op(p, &call, opname, &a, &absent);
		xd_worker_set_in_op(false);
	} else if (op < 0 || p->desc->kind != XAPI_KIND_STORAGE) {
		rc = XAPI_E_UNSUPPORTED;
		absent = true;
	} else {
		xd_worker_set_in_op(true);
		rc = run_op(p, &call, op, &a, &absent);
		xd_worker_set_in_op(false);
	}
	free_args(&a);

	json_object *done = xd_pp_new("done");
	json_object_object_add(done, "status", json_object_new_int(rc));
	if (absent)
		json_object_object_add(done, "absent", json_object_new_boolean(1));
	if (is_net)
		json_object_object_add(done, "caps", json_object_new_int64(caps));
	if (call.failed) {
		json_object *e = json_object_new_object();
		xd_pp_add_str(e, "code", call.err_code);
		json_object_object_add(e, "n", json_object_new_int(call.err_n));
		json_object_object_add(e, "msg", json_object_new_string(call.err_msg ? call.err_msg : ""));
		xd_pp_add_str(e, "detail", call.err_detail);
		json_object_object_add(done, "err", e);
	}
	xd_worker_send(p, done);

	free(call.err_code);
	free(call.err_msg);
	free(call.err_detail);
	for (size_t i = 0; i < call.noutputs; i++)
		free(call.outputs[i]);
	free(call.outputs);
}
