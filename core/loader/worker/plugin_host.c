/* plugin_host.c - the struct xapi_host a plugin gets inside its worker:
 * every service either answers from what the worker holds (settings, maps)
 * or turns into a message to the core (logs, progress, results). */
#define _GNU_SOURCE /* asprintf, pipe2, close_range, POLLRDHUP */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_worker.h"

/* ---- maps ---- */

xapi_kv_t *xd_kv_from_json(json_object *o)
{
	xapi_kv_t *kv = calloc(1, sizeof *kv);
	if (!kv)
		return NULL;
	size_t n = o && json_object_is_type(o, json_type_object) ? (size_t)json_object_object_length(o) : 0;
	if (n) {
		kv->keys = calloc(n, sizeof(char *));
		kv->vals = calloc(n, sizeof(char *));
		if (!kv->keys || !kv->vals) {
			xd_kv_free(kv);
			return NULL;
		}
		json_object_object_foreach(o, key, val) {
			/* The core sends strings only; anything else is shown as JSON. */
			const char *s = json_object_is_type(val, json_type_string)
				? json_object_get_string(val)
				: json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
			kv->keys[kv->n] = strdup(key);
			kv->vals[kv->n] = strdup(s ? s : "");
			if (!kv->keys[kv->n] || !kv->vals[kv->n]) {
				kv->n++;
				xd_kv_free(kv);
				return NULL;
			}
			kv->n++;
		}
	}
	return kv;
}

void xd_kv_free(xapi_kv_t *kv)
{
	if (!kv)
		return;
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->keys[i]);
		free(kv->vals[i]);
	}
	free(kv->keys);
	free(kv->vals);
	free(kv);
}

static const char *h_kv_get(const xapi_kv_t *kv, const char *key)
{
	if (!kv || !key)
		return NULL;
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->keys[i], key) == 0)
			return kv->vals[i];
	return NULL;
}

static size_t h_kv_count(const xapi_kv_t *kv)
{
	return kv ? kv->n : 0;
}

static const char *h_kv_key(const xapi_kv_t *kv, size_t i)
{
	return kv && i < kv->n ? kv->keys[i] : NULL;
}

static const char *h_kv_value(const xapi_kv_t *kv, size_t i)
{
	return kv && i < kv->n ? kv->vals[i] : NULL;
}

static json_object *kv_to_json(const xapi_kv_t *kv)
{
	json_object *o = json_object_new_object();
	for (size_t i = 0; kv && i < kv->n; i++)
		json_object_object_add(o, kv->keys[i], json_object_new_string(kv->vals[i]));
	return o;
}

/* ---- sending ---- */

void xd_worker_send(xapi_plugin_t *p, json_object *msg)
{
	pthread_mutex_lock(&p->send_lock);
	(void)xd_pp_send(p->fd, msg);
	pthread_mutex_unlock(&p->send_lock);
	json_object_put(msg);
}

void xd_worker_poll_core(xapi_plugin_t *p, xapi_call_t *call)
{
	pthread_mutex_lock(&p->read_lock);
	for (;;) {
		json_object *m = NULL;
		if (xd_pp_recv(p->fd, &p->reader, 0, &m) != XD_PP_MSG)
			break;
		const char *t = xd_pp_str(m, "t");
		if (t && strcmp(t, "cancel") == 0 && call)
			call->cancelled = true;
		json_object_put(m);
	}
	pthread_mutex_unlock(&p->read_lock);
}

/* ---- services ---- */

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (!fmt || vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

static void h_logv(xapi_plugin_t *self, xapi_call_t *call, enum xapi_log_level level,
		   const char *fmt, va_list ap)
{
	if (!self)
		return;
	char *msg = vfmt(fmt, ap);
	if (!msg)
		return;
	int lvl = (int)level;
	if (lvl < XAPI_LOG_ERROR || lvl > XAPI_LOG_DEBUG)
		lvl = XAPI_LOG_INFO;
	/* While init runs, its complaint is kept for the refusal line (the one
	 * line a refusal is) instead of being logged at error level too. */
	if (self->in_init && lvl <= XAPI_LOG_WARN) {
		char *older = self->init_complaint;
		self->init_complaint = msg;
		self->init_complaint_level = lvl;
		if (!older)
			return;
		/* An earlier complaint is logged, as a warning: the error line
		 * of a refusal is the refusal itself. */
		msg = older;
		lvl = XAPI_LOG_WARN;
	}
	json_object *m = xd_pp_new("log");
	json_object_object_add(m, "level", json_object_new_int(lvl));
	json_object_object_add(m, "msg", json_object_new_string(msg));
	free(msg);
	xd_worker_send(self, m);
}

static const char *h_config_get(xapi_plugin_t *self, const char *key)
{
	return self ? h_kv_get(self->settings, key) : NULL;
}

static int h_failv(xapi_call_t *call, const char *xenapi_code, int code, const char *fmt,
		   va_list ap)
{
	if (!call)
		return XAPI_E_FAILED;
	char *msg = vfmt(fmt, ap);
	free(call->err_code);
	free(call->err_msg);
	call->err_code = xenapi_code ? strdup(xenapi_code) : NULL;
	call->err_n = code;
	call->err_msg = msg;
	call->failed = true;
	return XAPI_E_FAILED;
}

static void h_fail_detail(xapi_call_t *call, const char *detail)
{
	if (!call)
		return;
	free(call->err_detail);
	call->err_detail = detail ? strdup(detail) : NULL;
}

static void h_progress(xapi_call_t *call, double fraction)
{
	if (!call || isnan(fraction))
		return;
	if (fraction < 0)
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	json_object *m = xd_pp_new("progress");
	json_object_object_add(m, "v", json_object_new_double(fraction));
	xd_worker_send(call->p, m);
}

static int h_cancelled(xapi_call_t *call)
{
	if (!call)
		return 0;
	xd_worker_poll_core(call->p, call);
	return call->cancelled;
}

static int h_run(xapi_call_t *call, const char *const argv[], int timeout_ms, const char **output)
{
	char *out = NULL;
	int rc = xd_worker_run(argv, timeout_ms, &out);
	if (output)
		*output = NULL;
	if (!out)
		return rc;
	if (!call) {
		/* Outside an op there is nothing to tie the output's life to. */
		free(out);
		return rc;
	}
	char **grown = realloc(call->outputs, (call->noutputs + 1) * sizeof(char *));
	if (!grown) {
		free(out);
		return rc;
	}
	call->outputs = grown;
	call->outputs[call->noutputs++] = out;
	if (output)
		*output = out;
	return rc;
}

#define ADD_STR(o, s, TYPE, m) \
	do { if (XAPI_HAS(s, TYPE, m)) xd_pp_add_str(o, #m, (s)->m); } while (0)
#define ADD_INT(o, s, TYPE, m) \
	do { if (XAPI_HAS(s, TYPE, m)) json_object_object_add(o, #m, json_object_new_int64((int64_t)(s)->m)); } while (0)
#define ADD_KV(o, s, TYPE, m) \
	do { if (XAPI_HAS(s, TYPE, m) && (s)->m) json_object_object_add(o, #m, kv_to_json((s)->m)); } while (0)

static int h_emit_sr(xapi_call_t *call, const struct xapi_sr_info *sr)
{
	if (!call || !sr || sr->size < sizeof(size_t))
		return XAPI_E_INVALID;
	json_object *m = xd_pp_new("sr");
	ADD_STR(m, sr, struct xapi_sr_info, uuid);
	ADD_STR(m, sr, struct xapi_sr_info, name_label);
	ADD_STR(m, sr, struct xapi_sr_info, name_description);
	ADD_INT(m, sr, struct xapi_sr_info, physical_size);
	ADD_INT(m, sr, struct xapi_sr_info, physical_utilisation);
	ADD_INT(m, sr, struct xapi_sr_info, virtual_allocation);
	ADD_KV(m, sr, struct xapi_sr_info, sm_config);
	xd_worker_send(call->p, m);
	return XAPI_OK;
}

static int h_emit_vdi(xapi_call_t *call, const struct xapi_vdi_info *vdi)
{
	if (!call || !vdi || vdi->size < sizeof(size_t))
		return XAPI_E_INVALID;
	json_object *m = xd_pp_new("vdi");
	ADD_STR(m, vdi, struct xapi_vdi_info, location);
	ADD_STR(m, vdi, struct xapi_vdi_info, uuid);
	ADD_STR(m, vdi, struct xapi_vdi_info, name_label);
	ADD_STR(m, vdi, struct xapi_vdi_info, name_description);
	ADD_INT(m, vdi, struct xapi_vdi_info, virtual_size);
	ADD_INT(m, vdi, struct xapi_vdi_info, physical_utilisation);
	ADD_INT(m, vdi, struct xapi_vdi_info, read_only);
	ADD_INT(m, vdi, struct xapi_vdi_info, is_a_snapshot);
	ADD_STR(m, vdi, struct xapi_vdi_info, snapshot_of);
	ADD_STR(m, vdi, struct xapi_vdi_info, parent);
	ADD_STR(m, vdi, struct xapi_vdi_info, datapath);
	ADD_KV(m, vdi, struct xapi_vdi_info, sm_config);
	xd_worker_send(call->p, m);
	return XAPI_OK;
}

static int h_emit_pif(xapi_call_t *call, const struct xapi_pif_info *pif)
{
	if (!call || !pif || pif->size < sizeof(size_t))
		return XAPI_E_INVALID;
	json_object *m = xd_pp_new("pif");
	ADD_STR(m, pif, struct xapi_pif_info, device);
	ADD_STR(m, pif, struct xapi_pif_info, mac);
	ADD_INT(m, pif, struct xapi_pif_info, mtu);
	ADD_INT(m, pif, struct xapi_pif_info, carrier);
	ADD_INT(m, pif, struct xapi_pif_info, speed_mbit);
	/* 2.1 */
	ADD_INT(m, pif, struct xapi_pif_info, duplex);
	ADD_STR(m, pif, struct xapi_pif_info, vendor_id);
	ADD_STR(m, pif, struct xapi_pif_info, device_id);
	ADD_STR(m, pif, struct xapi_pif_info, vendor_name);
	ADD_STR(m, pif, struct xapi_pif_info, device_name);
	ADD_STR(m, pif, struct xapi_pif_info, pci_bus_path);
	ADD_INT(m, pif, struct xapi_pif_info, physical);
	ADD_INT(m, pif, struct xapi_pif_info, up);
	ADD_STR(m, pif, struct xapi_pif_info, bridge);
	ADD_STR(m, pif, struct xapi_pif_info, ipv4);
	ADD_STR(m, pif, struct xapi_pif_info, ipv4_gateway);
	ADD_STR(m, pif, struct xapi_pif_info, ipv6);
	ADD_INT(m, pif, struct xapi_pif_info, rx_bytes);
	ADD_INT(m, pif, struct xapi_pif_info, tx_bytes);
	ADD_INT(m, pif, struct xapi_pif_info, rx_packets);
	ADD_INT(m, pif, struct xapi_pif_info, tx_packets);
	ADD_INT(m, pif, struct xapi_pif_info, rx_errors);
	ADD_INT(m, pif, struct xapi_pif_info, tx_errors);
	xd_worker_send(call->p, m);
	return XAPI_OK;
}

static int h_ds_declare(xapi_plugin_t *self, const struct xapi_ds_desc *ds)
{
	if (!self || !ds || ds->size < sizeof(size_t) || !XAPI_HAS(ds, struct xapi_ds_desc, name) ||
	    !ds->name)
		return XAPI_E_INVALID;
	json_object *m = xd_pp_new("ds_declare");
	ADD_STR(m, ds, struct xapi_ds_desc, name);
	ADD_STR(m, ds, struct xapi_ds_desc, description);
	ADD_STR(m, ds, struct xapi_ds_desc, units);
	ADD_STR(m, ds, struct xapi_ds_desc, owner_class);
	ADD_INT(m, ds, struct xapi_ds_desc, type);
	if (XAPI_HAS(ds, struct xapi_ds_desc, max)) {
		json_object_object_add(m, "min", json_object_new_double(ds->min));
		json_object_object_add(m, "max", json_object_new_double(ds->max));
	}
	ADD_INT(m, ds, struct xapi_ds_desc, enabled_by_default);
	xd_worker_send(self, m);
	return XAPI_OK;
}

static int h_ds_sample(xapi_call_t *call, const char *ds_name, const char *owner_uuid, double value)
{
	if (!call || !ds_name)
		return XAPI_E_INVALID;
	json_object *m = xd_pp_new("ds_sample");
	xd_pp_add_str(m, "name", ds_name);
	xd_pp_add_str(m, "owner", owner_uuid);
	json_object_object_add(m, "v", json_object_new_double(value));
	xd_worker_send(call->p, m);
	return XAPI_OK;
}

const struct xapi_host xd_worker_host = {
	.size = sizeof(struct xapi_host),
	.abi_version = XAPI_ABI_VERSION,
	.logv = h_logv,
	.config_get = h_config_get,
	.kv_get = h_kv_get,
	.kv_count = h_kv_count,
	.kv_key = h_kv_key,
	.kv_value = h_kv_value,
	.failv = h_failv,
	.fail_detail = h_fail_detail,
	.progress = h_progress,
	.cancelled = h_cancelled,
	.run = h_run,
	.emit_sr = h_emit_sr,
	.emit_vdi = h_emit_vdi,
	.emit_pif = h_emit_pif,
	.ds_declare = h_ds_declare,
	.ds_sample = h_ds_sample,
};
