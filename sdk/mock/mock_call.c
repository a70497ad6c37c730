/* mock_call.c - the calls of the mock host (xapi/mock.h): what each op
 * emitted (deep copies), its error, progress and cancel, and the check of
 * a result against the ABI's rules. */
#define _GNU_SOURCE /* vasprintf, asprintf */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_int.h"

xapi_call_t *xapi_mock_call(xapi_mock_t *m)
{
	xapi_call_t *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->m = m;
	c->cancel_after = -1;
	pthread_mutex_lock(&m->lock);
	c->next = m->calls;
	m->calls = c;
	pthread_mutex_unlock(&m->lock);
	return c;
}

static void free_sr(struct xapi_sr_info *s)
{
	free((char *)s->uuid);
	free((char *)s->name_label);
	free((char *)s->name_description);
}

static void free_vdi(struct xapi_vdi_info *v)
{
	free((char *)v->location);
	free((char *)v->uuid);
	free((char *)v->name_label);
	free((char *)v->name_description);
	free((char *)v->snapshot_of);
	free((char *)v->parent);
	free((char *)v->datapath);
}

void xapi_mock_call_reset(xapi_call_t *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->m->lock);
	for (size_t i = 0; i < c->r.nsrs; i++)
		free_sr(&c->srs[i]);
	for (size_t i = 0; i < c->r.nvdis; i++)
		free_vdi(&c->vdis[i]);
	for (size_t i = 0; i < c->r.npifs; i++) {
		struct xapi_pif_info *p = &c->pifs[i];
		free((char *)p->device);
		free((char *)p->mac);
		/* 2.1 */
		free((char *)p->vendor_id);
		free((char *)p->device_id);
		free((char *)p->vendor_name);
		free((char *)p->device_name);
		free((char *)p->pci_bus_path);
		free((char *)p->bridge);
		free((char *)p->ipv4);
		free((char *)p->ipv4_gateway);
		free((char *)p->ipv6);
	}
	for (size_t i = 0; i < c->r.nsamples; i++) {
		free((char *)c->samples[i].name);
		free((char *)c->samples[i].owner_uuid);
	}
	for (size_t i = 0; i < c->noutputs; i++)
		free(c->outputs[i]);
	free(c->outputs);
	free(c->srs);
	free(c->vdis);
	free(c->pifs);
	free(c->samples);
	free(c->fail_xenapi);
	free(c->fail_msg);
	free(c->fail_detail);
	free(c->check);
	xapi_mock_t *m = c->m;
	xapi_call_t *next = c->next;
	memset(c, 0, sizeof *c);
	c->m = m;
	c->next = next;
	c->cancel_after = -1;
	pthread_mutex_unlock(&m->lock);
	/* the maps copied from its emits stay with the mock until it is freed */
}

void xapi_mock_call_free(xapi_call_t *c)
{
	if (!c)
		return;
	xapi_mock_t *m = c->m;
	xapi_mock_call_reset(c);
	pthread_mutex_lock(&m->lock);
	for (xapi_call_t **p = &m->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	pthread_mutex_unlock(&m->lock);
	free(c);
}

const struct xapi_mock_result *xapi_mock_result(const xapi_call_t *c)
{
	return &c->r;
}

const struct xapi_vdi_info *xapi_mock_find_vdi(const xapi_call_t *c, const char *location)
{
	for (size_t i = 0; location && i < c->r.nvdis; i++)
		if (c->vdis[i].location && strcmp(c->vdis[i].location, location) == 0)
			return &c->vdis[i];
	return NULL;
}

void xapi_mock_cancel_after(xapi_call_t *c, int polls)
{
	c->cancel_after = polls < 0 ? -1 : polls;
}

void mock_call_count_log(xapi_call_t *call)
{
	pthread_mutex_lock(&call->m->lock);
	call->r.nlogs++;
	pthread_mutex_unlock(&call->m->lock);
}

/* ---- services ---- */

int mock_failv(xapi_call_t *call, const char *xenapi_code, int code, const char *fmt,
	       va_list ap)
{
	if (!call)
		return XAPI_E_FAILED;
	char *msg = NULL;
	if (!fmt || vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (call->m->verbose)
		fprintf(stderr, "# fail %s %d: %s\n", xenapi_code ? xenapi_code : "-", code,
			msg ? msg : "");
	pthread_mutex_lock(&call->m->lock);
	/* the last error of a call is the one reported, as in xapid's worker */
	free(call->fail_xenapi);
	free(call->fail_msg);
	call->fail_xenapi = mock_strdup(xenapi_code);
	call->fail_msg = msg ? msg : strdup("");
	call->r.failed = 1;
	call->r.fail_xenapi = call->fail_xenapi;
	call->r.fail_code = code;
	call->r.fail_msg = call->fail_msg;
	pthread_mutex_unlock(&call->m->lock);
	return XAPI_E_FAILED;
}

void mock_fail_detail(xapi_call_t *call, const char *detail)
{
	if (!call)
		return;
	pthread_mutex_lock(&call->m->lock);
	free(call->fail_detail);
	call->fail_detail = mock_strdup(detail);
	call->r.fail_detail = call->fail_detail;
	pthread_mutex_unlock(&call->m->lock);
}

void mock_progress(xapi_call_t *call, double fraction)
{
	if (!call || isnan(fraction))
		return;
	pthread_mutex_lock(&call->m->lock);
	call->r.nprogress++;
	call->r.progress = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
	pthread_mutex_unlock(&call->m->lock);
}

int mock_cancelled(xapi_call_t *call)
{
	if (!call)
		return 0;
	pthread_mutex_lock(&call->m->lock);
	size_t asked = call->r.ncancel_polls++;
	int yes = call->cancel_after >= 0 && asked >= (size_t)call->cancel_after;
	pthread_mutex_unlock(&call->m->lock);
	return yes;
}

/* Appends a zeroed element to one of the call's arrays and points the
 * result at it again (realloc may move it). Under the lock. */
#define APPEND(call, arr, cap, n, out)                                                   \
	(mock_grow((void **)&(call)->arr, &(call)->cap, (call)->r.n, sizeof *(call)->arr) == 0 \
		 ? ((out) = &(call)->arr[(call)->r.n++], memset((out), 0, sizeof *(out)),      \
		    (call)->r.arr = (call)->arr, 0)                                            \
		 : -1)

#define COPY_STR(dst, src, TYPE, m) \
	((dst)->m = XAPI_HAS(src, TYPE, m) ? mock_strdup((src)->m) : NULL)
#define COPY_VAL(dst, src, TYPE, m, dflt) \
	((dst)->m = XAPI_HAS(src, TYPE, m) ? (src)->m : (dflt))

int mock_emit_sr(xapi_call_t *call, const struct xapi_sr_info *sr)
{
	if (!call || !sr || sr->size < sizeof(size_t))
		return XAPI_E_INVALID;
	const xapi_kv_t *smc = XAPI_HAS(sr, struct xapi_sr_info, sm_config) ? sr->sm_config : NULL;
	xapi_kv_t *smc_copy = mock_kv_copy(call->m, smc);
	pthread_mutex_lock(&call->m->lock);
	struct xapi_sr_info *s;
	int rc = APPEND(call, srs, cap_srs, nsrs, s);
	if (rc == 0) {
		s->size = sizeof *s;
		COPY_STR(s, sr, struct xapi_sr_info, uuid);
		COPY_STR(s, sr, struct xapi_sr_info, name_label);
		COPY_STR(s, sr, struct xapi_sr_info, name_description);
		COPY_VAL(s, sr, struct xapi_sr_info, physical_size, -1);
		COPY_VAL(s, sr, struct xapi_sr_info, physical_utilisation, -1);
		COPY_VAL(s, sr, struct xapi_sr_info, virtual_allocation, -1);
		s->sm_config = smc_copy;
	}
	pthread_mutex_unlock(&call->m->lock);
	return rc == 0 ? XAPI_OK : XAPI_E_FAILED;
}

int mock_emit_vdi(xapi_call_t *call, const struct xapi_vdi_info *vdi)
{
	if (!call || !vdi || vdi->size < sizeof(size_t))
		return XAPI_E_INVALID;
	const xapi_kv_t *smc = XAPI_HAS(vdi, struct xapi_vdi_info, sm_config) ? vdi->sm_config : NULL;
	xapi_kv_t *smc_copy = mock_kv_copy(call->m, smc);
	pthread_mutex_lock(&call->m->lock);
	struct xapi_vdi_info *v;
	int rc = APPEND(call, vdis, cap_vdis, nvdis, v);
	if (rc == 0) {
		v->size = sizeof *v;
		COPY_STR(v, vdi, struct xapi_vdi_info, location);
		COPY_STR(v, vdi, struct xapi_vdi_info, uuid);
		COPY_STR(v, vdi, struct xapi_vdi_info, name_label);
		COPY_STR(v, vdi, struct xapi_vdi_info, name_description);
		COPY_VAL(v, vdi, struct xapi_vdi_info, virtual_size, 0);
		COPY_VAL(v, vdi, struct xapi_vdi_info, physical_utilisation, -1);
		COPY_VAL(v, vdi, struct xapi_vdi_info, read_only, 0);
		COPY_VAL(v, vdi, struct xapi_vdi_info, is_a_snapshot, 0);
		COPY_STR(v, vdi, struct xapi_vdi_info, snapshot_of);
		COPY_STR(v, vdi, struct xapi_vdi_info, parent);
		COPY_STR(v, vdi, struct xapi_vdi_info, datapath);
		v->sm_config = smc_copy;
	}
	pthread_mutex_unlock(&call->m->lock);
	if (rc == 0 && call->m->verbose)
		fprintf(stderr, "# emit vdi %s\n", vdi->location ? vdi->location : "(no location)");
	return rc == 0 ? XAPI_OK : XAPI_E_FAILED;
}

int mock_emit_pif(xapi_call_t *call, const struct xapi_pif_info *pif)
{
	if (!call || !pif || pif->size < sizeof(size_t))
		return XAPI_E_INVALID;
	pthread_mutex_lock(&call->m->lock);
	struct xapi_pif_info *p;
	int rc = APPEND(call, pifs, cap_pifs, npifs, p);
	if (rc == 0) {
		p->size = sizeof *p;
		COPY_STR(p, pif, struct xapi_pif_info, device);
		COPY_STR(p, pif, struct xapi_pif_info, mac);
		COPY_VAL(p, pif, struct xapi_pif_info, mtu, 0);
		COPY_VAL(p, pif, struct xapi_pif_info, carrier, 0);
		COPY_VAL(p, pif, struct xapi_pif_info, speed_mbit, -1);
		/* 2.1 (a 2.0 backend's record says nothing of these) */
		COPY_VAL(p, pif, struct xapi_pif_info, duplex, -1);
		COPY_STR(p, pif, struct xapi_pif_info, vendor_id);
		COPY_STR(p, pif, struct xapi_pif_info, device_id);
		COPY_STR(p, pif, struct xapi_pif_info, vendor_name);
		COPY_STR(p, pif, struct xapi_pif_info, device_name);
		COPY_STR(p, pif, struct xapi_pif_info, pci_bus_path);
		COPY_STR(p, pif, struct xapi_pif_info, bridge);
		COPY_STR(p, pif, struct xapi_pif_info, ipv4);
		COPY_STR(p, pif, struct xapi_pif_info, ipv4_gateway);
		COPY_STR(p, pif, struct xapi_pif_info, ipv6);
		COPY_VAL(p, pif, struct xapi_pif_info, physical, 1);
		COPY_VAL(p, pif, struct xapi_pif_info, up, 1);
		COPY_VAL(p, pif, struct xapi_pif_info, rx_bytes, -1);
		COPY_VAL(p, pif, struct xapi_pif_info, tx_bytes, -1);
		COPY_VAL(p, pif, struct xapi_pif_info, rx_packets, -1);
		COPY_VAL(p, pif, struct xapi_pif_info, tx_packets, -1);
		COPY_VAL(p, pif, struct xapi_pif_info, rx_errors, -1);
		COPY_VAL(p, pif, struct xapi_pif_info, tx_errors, -1);
	}
	pthread_mutex_unlock(&call->m->lock);
	return rc == 0 ? XAPI_OK : XAPI_E_FAILED;
}

int mock_ds_sample(xapi_call_t *call, const char *ds_name, const char *owner_uuid, double value)
{
	if (!call || !ds_name)
		return XAPI_E_INVALID;
	pthread_mutex_lock(&call->m->lock);
	struct xapi_mock_sample *s;
	int rc = APPEND(call, samples, cap_samples, nsamples, s);
	if (rc == 0) {
		s->name = strdup(ds_name);
		s->owner_uuid = mock_strdup(owner_uuid);
		s->value = value;
	}
	pthread_mutex_unlock(&call->m->lock);
	return rc == 0 ? XAPI_OK : XAPI_E_FAILED;
}

/* ---- the ABI's rules ---- */

static bool in_list(const char *op, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(op, *list) == 0)
			return true;
	return false;
}

const char *xapi_mock_check(const xapi_call_t *cc, const char *op, int rc)
{
	static const char *const emit_sr[] = { "sr_attach", "sr_scan", "sr_update", NULL };
	static const char *const emit_vdi[] = { "vdi_create", "vdi_snapshot", "vdi_clone",
						"vdi_resize", "vdi_attach", "vdi_introduce",
						"vdi_update", NULL };
	xapi_call_t *c = (xapi_call_t *)cc; /* only its check string is written */
	char *why = NULL;
	int n = 0;
	if (rc == XAPI_E_FAILED && !c->r.failed)
		n = asprintf(&why, "%s returned XAPI_E_FAILED without xapi_fail(): xapid cannot "
			     "tell the client what went wrong", op);
	else if (rc < 0 && rc != XAPI_E_CANCELLED && rc != XAPI_E_UNSUPPORTED &&
		 XAPI_STATUS_VALID(rc) && !c->r.failed)
		n = asprintf(&why, "%s returned status %d without xapi_fail(): the client gets its "
			     "error with no reason, and xapid logs a driver bug", op, rc);
	else if (!XAPI_STATUS_VALID(rc))
		/* as xapid's core/loader/plugin_status.c judges it */
		n = asprintf(&why, "%s returned %d, which is not a status (a bare errno?): xapid "
			     "logs that as a driver bug", op, rc);
	else if (rc != XAPI_E_FAILED && rc != XAPI_OK && c->r.failed)
		n = asprintf(&why, "%s called xapi_fail() (\"%s\") but returned %d, not "
			     "XAPI_E_FAILED", op, c->r.fail_msg, rc);
	else if (rc == XAPI_OK && in_list(op, emit_sr) && c->r.nsrs == 0)
		n = asprintf(&why, "%s returned XAPI_OK without emit_sr()", op);
	else if (rc == XAPI_OK && in_list(op, emit_vdi) && c->r.nvdis == 0)
		n = asprintf(&why, "%s returned XAPI_OK without emit_vdi()", op);
	else if (rc == XAPI_OK && strcmp(op, "vdi_attach") == 0 && !c->vdis[0].datapath)
		n = asprintf(&why, "vdi_attach emitted a VDI without a datapath");
	else if (rc == XAPI_OK && in_list(op, emit_vdi) && !c->vdis[0].location)
		n = asprintf(&why, "%s emitted a VDI without a location", op);
	if (n < 0)
		why = NULL;
	pthread_mutex_lock(&c->m->lock);
	free(c->check);
	c->check = why;
	pthread_mutex_unlock(&c->m->lock);
	if (why && c->m->verbose)
		fprintf(stderr, "# driver bug: %s\n", why);
	return why;
}
