/* mock.c - the mock host (xapi/mock.h): loading a plugin, its settings,
 * its log lines and data sources, and the services table. */
#define _GNU_SOURCE /* vasprintf */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_int.h"

char *mock_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int mock_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- maps ---- */

void mock_kv_free(xapi_kv_t *kv)
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

/* Appends key = value (copies); 0 or -1. */
static int kv_add(xapi_kv_t *kv, const char *key, const char *value)
{
	char **k = realloc(kv->keys, (kv->n + 1) * sizeof(char *));
	if (k)
		kv->keys = k;
	char **v = realloc(kv->vals, (kv->n + 1) * sizeof(char *));
	if (v)
		kv->vals = v;
	if (!k || !v)
		return -1;
	kv->keys[kv->n] = strdup(key);
	kv->vals[kv->n] = strdup(value ? value : "");
	kv->n++;
	return kv->keys[kv->n - 1] && kv->vals[kv->n - 1] ? 0 : -1;
}

static xapi_kv_t *kv_keep(xapi_mock_t *m, xapi_kv_t *kv)
{
	pthread_mutex_lock(&m->lock);
	kv->next = m->kvs;
	m->kvs = kv;
	pthread_mutex_unlock(&m->lock);
	return kv;
}

xapi_kv_t *xapi_mock_kv(xapi_mock_t *m, ...)
{
	xapi_kv_t *kv = calloc(1, sizeof *kv);
	if (!kv)
		return NULL;
	va_list ap;
	va_start(ap, m);
	const char *k;
	int rc = 0;
	while (rc == 0 && (k = va_arg(ap, const char *)))
		rc = kv_add(kv, k, va_arg(ap, const char *));
	va_end(ap);
	if (rc != 0) {
		mock_kv_free(kv);
		return NULL;
	}
	return kv_keep(m, kv);
}

xapi_kv_t *xapi_mock_kv_array(xapi_mock_t *m, const char *const *pairs)
{
	xapi_kv_t *kv = calloc(1, sizeof *kv);
	if (!kv)
		return NULL;
	for (size_t i = 0; pairs && pairs[i]; i += 2) {
		if (kv_add(kv, pairs[i], pairs[i + 1]) != 0) {
			mock_kv_free(kv);
			return NULL;
		}
		if (!pairs[i + 1])
			break; /* an odd list: the last key got "" */
	}
	return kv_keep(m, kv);
}

xapi_kv_t *mock_kv_copy(xapi_mock_t *m, const xapi_kv_t *src)
{
	if (!src)
		return NULL;
	xapi_kv_t *kv = calloc(1, sizeof *kv);
	for (size_t i = 0; kv && i < src->n; i++)
		if (kv_add(kv, src->keys[i], src->vals[i]) != 0) {
			mock_kv_free(kv);
			kv = NULL;
		}
	return kv ? kv_keep(m, kv) : NULL;
}

static const char *h_kv_get(const xapi_kv_t *kv, const char *key)
{
	for (size_t i = 0; kv && key && i < kv->n; i++)
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

/* ---- the mock ---- */

xapi_mock_t *xapi_mock_new(void)
{
	xapi_mock_t *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->settings = calloc(1, sizeof *m->settings);
	if (!m->settings) {
		free(m);
		return NULL;
	}
	const char *v = getenv("XAPI_MOCK_VERBOSE");
	m->verbose = v && *v && strcmp(v, "0") != 0;
	return m;
}

void xapi_mock_free(xapi_mock_t *m)
{
	if (!m)
		return;
	if (m->loaded && m->desc && XAPI_HAS(m->desc, struct xapi_plugin_desc, fini) &&
	    m->desc->fini)
		m->desc->fini(m->st);
	while (m->calls)
		xapi_mock_call_free(m->calls);
	while (m->kvs) {
		xapi_kv_t *n = m->kvs->next;
		mock_kv_free(m->kvs);
		m->kvs = n;
	}
	for (size_t i = 0; i < m->nlogs; i++)
		free(m->logs[i].text);
	free(m->logs);
	for (size_t i = 0; i < m->nds; i++) {
		free((char *)m->ds[i].name);
		free((char *)m->ds[i].description);
		free((char *)m->ds[i].units);
		free((char *)m->ds[i].owner_class);
	}
	free(m->ds);
	mock_kv_free(m->settings);
	free(m->error);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int xapi_mock_setting(xapi_mock_t *m, const char *key, const char *value)
{
	return kv_add(m->settings, key, value) == 0 ? XAPI_OK : XAPI_E_FAILED;
}

void xapi_mock_verbose(xapi_mock_t *m, int on)
{
	m->verbose = on != 0;
}

static void set_error(xapi_mock_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(xapi_mock_t *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(m->error);
	if (vasprintf(&m->error, fmt, ap) < 0)
		m->error = NULL;
	va_end(ap);
	if (m->verbose)
		fprintf(stderr, "# mock: %s\n", m->error ? m->error : "out of memory");
}

int xapi_mock_init(xapi_mock_t *m, xapi_plugin_init_fn *init)
{
	if (m->loaded) {
		set_error(m, "a plugin is loaded already: one per mock");
		return XAPI_E_INVALID;
	}
	free(m->error);
	m->error = NULL;
	m->in_init = true;
	const struct xapi_plugin_desc *desc = NULL;
	void *st = NULL;
	int rc = init(&xapi_mock_host_table, MOCK_SELF(m), &desc, &st);
	m->in_init = false;
	if (rc != XAPI_OK) {
		/* as xapid's refusal line: the status and the plugin's complaint */
		if (!m->error)
			set_error(m, "xapi_plugin_init failed with status %d", rc);
		return rc;
	}
	if (!desc || desc->size < offsetof(struct xapi_plugin_desc, ops) + sizeof(void *) ||
	    !desc->ops) {
		set_error(m, "xapi_plugin_init returned XAPI_OK without a whole descriptor");
		return XAPI_E_INVALID;
	}
	free(m->error);
	m->error = NULL;
	m->desc = desc;
	m->st = st;
	m->loaded = true;
	return XAPI_OK;
}

int xapi_mock_load(xapi_mock_t *m, const char *so_path)
{
	void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		set_error(m, "cannot load %s: %s", so_path, e ? e : "dlopen failed");
		return XAPI_E_NOT_FOUND;
	}
	xapi_plugin_init_fn *init;
	*(void **)&init = dlsym(h, XAPI_PLUGIN_SYMBOL);
	if (!init) {
		set_error(m, "no symbol %s in %s: was it built with XAPI_PLUGIN_DEFINE?",
			  XAPI_PLUGIN_SYMBOL, so_path);
		return XAPI_E_NOT_FOUND;
	}
	/* never dlclosed: as in xapid, and leak reports keep the plugin's symbols */
	return xapi_mock_init(m, init);
}

const char *xapi_mock_error(const xapi_mock_t *m)
{
	return m->error ? m->error : "";
}

const struct xapi_host *xapi_mock_host(const xapi_mock_t *m)
{
	(void)m;
	return &xapi_mock_host_table;
}

xapi_plugin_t *xapi_mock_self(xapi_mock_t *m)
{
	return MOCK_SELF(m);
}

const struct xapi_plugin_desc *xapi_mock_desc(const xapi_mock_t *m)
{
	return m->desc;
}

void *xapi_mock_st(const xapi_mock_t *m)
{
	return m->st;
}

static const void *ops_of(const xapi_mock_t *m, enum xapi_kind kind)
{
	return m->desc && m->desc->kind == (uint32_t)kind ? m->desc->ops : NULL;
}

const struct xapi_sr_ops *xapi_mock_sr_ops(const xapi_mock_t *m)
{
	return ops_of(m, XAPI_KIND_STORAGE);
}

const struct xapi_net_ops *xapi_mock_net_ops(const xapi_mock_t *m)
{
	return ops_of(m, XAPI_KIND_NETWORK);
}

const struct xapi_metrics_ops *xapi_mock_metrics_ops(const xapi_mock_t *m)
{
	return ops_of(m, XAPI_KIND_METRICS);
}

/* ---- logs and data sources ---- */

static const char *const level_names[] = { "error", "warn", "info", "debug" };

static void h_logv(xapi_plugin_t *self, xapi_call_t *call, enum xapi_log_level level,
		   const char *fmt, va_list ap)
{
	xapi_mock_t *m = MOCK_OF(self);
	if (!m || !fmt)
		return;
	if ((int)level < XAPI_LOG_ERROR || (int)level > XAPI_LOG_DEBUG)
		level = XAPI_LOG_INFO;
	char *text = NULL;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	if (m->verbose)
		fprintf(stderr, "# plugin %s: %s\n", level_names[level], text);
	pthread_mutex_lock(&m->lock);
	/* init's complaint is what xapid's refusal line would quote */
	if (m->in_init && level <= XAPI_LOG_WARN) {
		free(m->error);
		m->error = strdup(text);
	}
	if (mock_grow((void **)&m->logs, &m->cap_logs, m->nlogs, sizeof *m->logs) == 0) {
		m->logs[m->nlogs++] = (struct mock_log){ level, call, text };
		text = NULL;
	}
	pthread_mutex_unlock(&m->lock);
	free(text);
	if (call)
		mock_call_count_log(call);
}

size_t xapi_mock_nlogs(const xapi_mock_t *m)
{
	return m->nlogs;
}

const char *xapi_mock_log(const xapi_mock_t *m, size_t i, enum xapi_log_level *level,
			  const xapi_call_t **call)
{
	if (i >= m->nlogs)
		return NULL;
	if (level)
		*level = m->logs[i].level;
	if (call)
		*call = m->logs[i].call;
	return m->logs[i].text;
}

const char *xapi_mock_log_find(const xapi_mock_t *m, const char *text)
{
	for (size_t i = 0; i < m->nlogs; i++)
		if (strstr(m->logs[i].text, text))
			return m->logs[i].text;
	return NULL;
}

static const char *h_config_get(xapi_plugin_t *self, const char *key)
{
	return self ? h_kv_get(MOCK_OF(self)->settings, key) : NULL;
}

static int h_ds_declare(xapi_plugin_t *self, const struct xapi_ds_desc *ds)
{
	xapi_mock_t *m = MOCK_OF(self);
	/* as the worker: a struct without its size or a name is refused */
	if (!m || !ds || ds->size < sizeof(size_t) || !XAPI_HAS(ds, struct xapi_ds_desc, name) ||
	    !ds->name)
		return XAPI_E_INVALID;
	struct xapi_ds_desc c = { .size = sizeof c };
	memcpy(&c, ds, ds->size < sizeof c ? ds->size : sizeof c);
	c.size = sizeof c;
	c.name = mock_strdup(ds->name);
	c.description = XAPI_HAS(ds, struct xapi_ds_desc, description) ? mock_strdup(ds->description) : NULL;
	c.units = XAPI_HAS(ds, struct xapi_ds_desc, units) ? mock_strdup(ds->units) : NULL;
	c.owner_class = XAPI_HAS(ds, struct xapi_ds_desc, owner_class) ? mock_strdup(ds->owner_class) : NULL;
	pthread_mutex_lock(&m->lock);
	int rc = mock_grow((void **)&m->ds, &m->cap_ds, m->nds, sizeof *m->ds);
	if (rc == 0)
		m->ds[m->nds++] = c;
	pthread_mutex_unlock(&m->lock);
	if (rc != 0) {
		free((char *)c.name);
		free((char *)c.description);
		free((char *)c.units);
		free((char *)c.owner_class);
		return XAPI_E_FAILED;
	}
	return XAPI_OK;
}

size_t xapi_mock_nds(const xapi_mock_t *m)
{
	return m->nds;
}

const struct xapi_ds_desc *xapi_mock_ds(const xapi_mock_t *m, size_t i)
{
	return i < m->nds ? &m->ds[i] : NULL;
}

const struct xapi_host xapi_mock_host_table = {
	.size = sizeof(struct xapi_host),
	.abi_version = XAPI_ABI_VERSION,
	.logv = h_logv,
	.config_get = h_config_get,
	.kv_get = h_kv_get,
	.kv_count = h_kv_count,
	.kv_key = h_kv_key,
	.kv_value = h_kv_value,
	.failv = mock_failv,
	.fail_detail = mock_fail_detail,
	.progress = mock_progress,
	.cancelled = mock_cancelled,
	.run = mock_run,
	.emit_sr = mock_emit_sr,
	.emit_vdi = mock_emit_vdi,
	.emit_pif = mock_emit_pif,
	.ds_declare = h_ds_declare,
	.ds_sample = mock_ds_sample,
};
