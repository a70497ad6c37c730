/* plugins.c - the set of loaded plugins: reading plugins.d, starting a
 * worker per plugin and taking its hello, refusals, rescans, shutdown (see
 * plugins.h). Storage calls are in plugin_call.c, SM objects in
 * plugin_sm.c. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "plugin_conf.h"
#include "plugins_int.h"

/* A plugin's init gets at most this long (or plugin_timeout if shorter). */
#define HELLO_TIMEOUT_S 60.0

_Static_assert(XD_SR_NOPS == XD_PP_SR_NOPS, "xd_sr_op and the wire's op names differ");

static struct {
	pthread_rwlock_t lock;          /* the list */
	pthread_mutex_t scan_lock;      /* one scan at a time */
	xd_plugin **list;
	size_t n, cap;
	char *conf_dir, *plugin_dir;
	xd_plugins_settings cfg;
	xd_plugins_sr_loaded_fn *on_sr_loaded;
	bool inited;
} reg = { .lock = PTHREAD_RWLOCK_INITIALIZER, .scan_lock = PTHREAD_MUTEX_INITIALIZER };

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void xd_plugins_get_settings(xd_plugins_settings *out)
{
	pthread_rwlock_rdlock(&reg.lock);
	out->worker_path = dup_or_null(reg.cfg.worker_path);
	out->net_backend = dup_or_null(reg.cfg.net_backend);
	out->net_netns = dup_or_null(reg.cfg.net_netns);
	out->timeout_s = reg.cfg.timeout_s;
	out->cancel_grace_s = reg.cfg.cancel_grace_s;
	pthread_rwlock_unlock(&reg.lock);
}

void xd_plugins_settings_free(xd_plugins_settings *s)
{
	free(s->worker_path);
	free(s->net_backend);
	free(s->net_netns);
	s->worker_path = s->net_backend = s->net_netns = NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void xd_plugin_log_message(const char *plugin, json_object *msg)
{
	const char *t = xd_pp_str(msg, "t");
	if (t && strcmp(t, "log") == 0) {
		static const xd_log_level levels[] = { XD_LOG_ERROR, XD_LOG_WARN, XD_LOG_INFO,
						       XD_LOG_DEBUG };
		int64_t l = xd_pp_int(msg, "level", 2);
		xd_log_level lvl = l >= 0 && l <= 3 ? levels[l] : XD_LOG_INFO;
		const char *text = xd_pp_str(msg, "msg");
		xd_log(lvl, "plugin %s: %s", plugin, text ? text : "");
	} else if (t && strcmp(t, "ds_declare") == 0) {
		const char *name = xd_pp_str(msg, "name"), *units = xd_pp_str(msg, "units");
		xd_debug("plugin %s: declares data source %s (%s)", plugin, name ? name : "?",
			 units ? units : "");
		xd_plugin_take_declaration(plugin, msg);
	} else if (t && strcmp(t, "ds_sample") == 0) {
		const char *name = xd_pp_str(msg, "name");
		xd_debug("plugin %s: sample %s outside a collect: dropped", plugin, name ? name : "?");
	} else {
		xd_debug("plugin %s: ignored a '%s' message outside a call", plugin, t ? t : "?");
	}
}

/* ---- the hello ---- */

static char *str_member(json_object *o, const char *key)
{
	const char *s = xd_pp_str(o, key);
	return strdup(s ? s : "");
}

/* Takes what the descriptor says into p (first start). */
static void take_description(xd_plugin *p, json_object *desc)
{
	p->name = str_member(desc, "name");
	p->description = str_member(desc, "description");
	p->vendor = str_member(desc, "vendor");
	p->copyright = str_member(desc, "copyright");
	p->version = str_member(desc, "version");
	p->kind = (uint32_t)xd_pp_int(desc, "kind", 0);
	p->flags = (uint32_t)xd_pp_int(desc, "flags", 0);
	p->abi_major = (unsigned)xd_pp_int(desc, "abi_major", 0);
	p->abi_minor = (unsigned)xd_pp_int(desc, "abi_minor", 0);
	p->capabilities = xd_array();
	p->features = xd_struct();
	json_object *features = xd_pp_arr(desc, "features");
	for (size_t i = 0; features && i < json_object_array_length(features); i++) {
		json_object *f = json_object_array_get_idx(features, i);
		const char *name = json_object_get_string(json_object_array_get_idx(f, 0));
		int64_t version = json_object_get_int64(json_object_array_get_idx(f, 1));
		if (!name || xd_struct_get(p->features, name))
			continue;
		xd_array_append_take(p->capabilities, xd_string(name));
		xd_struct_set_take(p->features, name, xd_int(version));
	}
	p->configuration = xd_struct();
	p->required = xd_struct();
	json_object *config = xd_pp_arr(desc, "config");
	for (size_t i = 0; config && i < json_object_array_length(config); i++) {
		json_object *k = json_object_array_get_idx(config, i);
		const char *key = xd_pp_str(k, "key"), *d = xd_pp_str(k, "description");
		int64_t req = xd_pp_int(k, "required", 0);
		if (!key)
			continue;
		xd_struct_set_take(p->configuration, key, xd_string(d ? d : ""));
		if (req & XAPI_CONFIG_REQUIRED)
			xd_plugin_note_required(p, key, d, req);
	}
	json_object *ops = xd_pp_arr(desc, "ops");
	for (size_t i = 0; ops && i < json_object_array_length(ops); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(ops, i));
		int op = xd_pp_sr_op_index(name);
		if (op >= 0 && p->kind == XAPI_KIND_STORAGE)
			p->sr_ops[op] = true;
		int nop = xd_pp_net_op_index(name);
		if (nop >= 0 && p->kind == XAPI_KIND_NETWORK)
			p->net_ops[nop] = true;
		if (name && strcmp(name, "vdi_io") == 0 && p->kind == XAPI_KIND_STORAGE)
			p->has_vdi_io = true;
	}
	p->interval_ms = (uint32_t)xd_pp_int(desc, "interval_ms", 0);
	p->max_workers = (p->flags & XAPI_PLUGIN_THREADSAFE) ? XD_PLUGIN_MAX_WORKERS : 1;
}

/* Handles the hello: 0 and the descriptor taken (first start) or checked
 * (restart), or -1 with *why. */
static int on_hello(xd_plugin *p, json_object *msg, char **why)
{
	if (!xd_pp_int(msg, "ok", 0)) {
		const char *r = xd_pp_str(msg, "reason");
		*why = strdup(r ? r : "refused by its worker");
		return -1;
	}
	json_object *desc = xd_pp_obj(msg, "desc");
	const char *name = xd_pp_str(desc, "name");
	if (!desc || !name) {
		*why = strdup("its worker sent a hello without a descriptor");
		return -1;
	}
	if (!p->name) {
		take_description(p, desc);
		json_object *warnings = xd_pp_arr(msg, "warnings");
		for (size_t i = 0; warnings && i < json_object_array_length(warnings); i++)
			xd_warn("plugin %s: %s", p->conf_name,
				json_object_get_string(json_object_array_get_idx(warnings, i)));
		return 0;
	}
	/* A restart: the .so may have been replaced meanwhile. */
	if (strcmp(name, p->name) != 0 || (uint32_t)xd_pp_int(desc, "kind", 0) != p->kind) {
		if (asprintf(why, "it is now plugin '%s' of kind %d, it was '%s' of kind %u (restart "
			     "xapid to load a replaced plugin)", name, (int)xd_pp_int(desc, "kind", 0),
			     p->name, p->kind) < 0)
			*why = NULL;
		return -1;
	}
	return 0;
}

int xd_plugin_start_worker(xd_plugin *p, xd_wproc *w, char **why)
{
	xd_plugins_settings cfg;
	int rc = -1;
	*why = NULL;
	xd_plugins_get_settings(&cfg);
	if (!cfg.worker_path) {
		*why = strdup("no plugin worker program is configured (plugin_worker)");
		goto out;
	}
	if (xd_plugin_file_check(&p->file, p->conf_name, why) != 0)
		goto out;
	/* The network backend works on the simulated host's network: decided by
	 * name, since the kind is known only from the worker's hello, and the
	 * namespace must be entered before the worker starts a thread. */
	const char *netns = cfg.net_netns && cfg.net_backend &&
				    strcmp(cfg.net_backend, p->conf_name) == 0
			    ? cfg.net_netns
			    : NULL;
	/* ... whose NICs are veth pairs (plugins.d may still say otherwise) */
	xd_value *settings = xd_value_copy(p->settings);
	if (netns && settings && settings->t == XD_V_STRUCT && !xd_struct_get(settings, "veth_nics"))
		xd_struct_set_take(settings, "veth_nics", xd_string("true"));
	int spawned = xd_wproc_spawn(w, cfg.worker_path, p->conf_name, p->so_path, p->file.fd, netns,
				     settings, why);
	xd_value_free(settings);
	if (spawned != 0)
		goto out;
	double limit = cfg.timeout_s > 0 && cfg.timeout_s < HELLO_TIMEOUT_S ? cfg.timeout_s
									  : HELLO_TIMEOUT_S;
	double deadline = now_s() + limit;
	for (;;) {
		double left = deadline - now_s();
		json_object *msg = NULL;
		xd_pp_status st = left > 0 ? xd_wproc_recv(w, (int)(left * 1000) + 1, &msg)
					   : XD_PP_TIMEOUT;
		if (st == XD_PP_MSG) {
			const char *t = xd_pp_str(msg, "t");
			if (t && strcmp(t, "hello") == 0) {
				rc = on_hello(p, msg, why);
				json_object_put(msg);
				break;
			}
			xd_plugin_log_message(p->conf_name, msg);
			json_object_put(msg);
			continue;
		}
		if (st == XD_PP_EOF) {
			char *how = xd_wproc_reap(w);
			if (asprintf(why, "its worker %s in %s", how ? how : "ended",
				     XAPI_PLUGIN_SYMBOL) < 0)
				*why = NULL;
			free(how);
		} else if (st == XD_PP_TIMEOUT) {
			if (asprintf(why, "%s did not return within %g s", XAPI_PLUGIN_SYMBOL, limit) < 0)
				*why = NULL;
		} else {
			*why = strdup("its worker does not speak the plugin protocol "
				      "(is plugin_worker a xapid-plugin-worker of this version?)");
		}
		break;
	}
	if (rc != 0) {
		/* A refusing worker exits by itself; anything else is killed. */
		xd_wproc_stop(w, 1000);
	}
out:
	if (rc != 0 && !*why)
		*why = strdup("refused");
	xd_plugins_settings_free(&cfg);
	return rc;
}

/* ---- the registry ---- */

static void plugin_free(xd_plugin *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < XD_PLUGIN_MAX_WORKERS; i++)
		xd_wproc_kill(&p->slots[i].proc);
	free(p->conf_name);
	free(p->so_path);
	xd_plugin_file_close(&p->file);
	xd_value_free(p->settings);
	free(p->name);
	free(p->description);
	free(p->vendor);
	free(p->copyright);
	free(p->version);
	xd_value_free(p->capabilities);
	xd_value_free(p->features);
	xd_value_free(p->configuration);
	xd_value_free(p->required);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

static xd_plugin *find_locked(const char *conf_name, const char *name)
{
	for (size_t i = 0; i < reg.n; i++) {
		xd_plugin *p = reg.list[i];
		if ((conf_name && strcmp(p->conf_name, conf_name) == 0) ||
		    (name && strcmp(p->name, name) == 0))
			return p;
	}
	return NULL;
}

xd_plugin *xd_plugins_find_net(const char *conf_name)
{
	xd_plugin *found = NULL;
	if (!conf_name)
		return NULL;
	pthread_rwlock_rdlock(&reg.lock);
	xd_plugin *p = find_locked(conf_name, NULL);
	if (p && p->kind == XAPI_KIND_NETWORK)
		found = p;
	pthread_rwlock_unlock(&reg.lock);
	return found;
}

xd_plugin **xd_plugins_of_kind(uint32_t kind, size_t *n)
{
	*n = 0;
	pthread_rwlock_rdlock(&reg.lock);
	xd_plugin **out = calloc(reg.n + 1, sizeof *out);
	for (size_t i = 0; out && i < reg.n; i++)
		if (reg.list[i]->kind == kind)
			out[(*n)++] = reg.list[i];
	pthread_rwlock_unlock(&reg.lock);
	return out;
}

xd_plugin *xd_plugins_find_sr(const char *type)
{
	xd_plugin *found = NULL;
	if (!type)
		return NULL;
	pthread_rwlock_rdlock(&reg.lock);
	xd_plugin *p = find_locked(NULL, type);
	if (p && p->kind == XAPI_KIND_STORAGE)
		found = p;
	pthread_rwlock_unlock(&reg.lock);
	return found;
}

static const char *kind_word(uint32_t kind)
{
	switch (kind) {
	case XAPI_KIND_STORAGE: return "storage driver";
	case XAPI_KIND_NETWORK: return "network backend";
	case XAPI_KIND_METRICS: return "metrics collector";
	}
	return "plugin";
}

/* Loads the plugin of one conf entry; returns it (not yet registered) or
 * NULL after logging the one line of its refusal. */
static xd_plugin *load_one(const xd_plugin_conf *c)
{
	char *why = NULL;
	xd_plugin *p = calloc(1, sizeof *p);
	if (!p) {
		xd_err("plugin %s refused: out of memory", c->name);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (unsigned i = 0; i < XD_PLUGIN_MAX_WORKERS; i++)
		p->slots[i].proc = (xd_wproc)XD_WPROC_INIT;
	p->conf_name = strdup(c->name);
	p->so_path = strdup(c->path);
	p->settings = xd_value_copy(c->settings);
	p->timeouts = c->timeouts;
	/* opened once, here: every worker of p loads this very file */
	if (xd_plugin_file_open(&p->file, c->path, &why) != 0)
		goto refused;
	if (!p->conf_name || !p->so_path) {
		why = strdup("out of memory");
		goto refused;
	}
	if (xd_plugin_start_worker(p, &p->slots[0].proc, &why) != 0)
		goto refused;
	pthread_rwlock_rdlock(&reg.lock);
	xd_plugin *other = find_locked(NULL, p->name);
	char *other_conf = other ? strdup(other->conf_name) : NULL;
	pthread_rwlock_unlock(&reg.lock);
	if (other) {
		if (asprintf(&why, "its name '%s' is already taken by plugin %s", p->name,
			     other_conf ? other_conf : "?") < 0)
			why = NULL;
		free(other_conf);
		goto refused;
	}
	xd_info("plugin %s: loaded %s '%s' version %s (ABI %u.%u) from %s", p->conf_name,
		kind_word(p->kind), p->name, *p->version ? p->version : "?", p->abi_major,
		p->abi_minor, p->so_path);
	return p;
refused:
	xd_err("plugin %s (%s) refused: %s", c->name, c->path, why ? why : "refused");
	free(why);
	/* A worker that did start (a duplicate name) may run the plugin's fini. */
	xd_wproc_stop(&p->slots[0].proc, 1000);
	plugin_free(p);
	return NULL;
}

static int add_locked(xd_plugin *p)
{
	if (reg.n == reg.cap) {
		size_t ncap = reg.cap ? reg.cap * 2 : 8;
		xd_plugin **grown = realloc(reg.list, ncap * sizeof *grown);
		if (!grown)
			return -1;
		reg.list = grown;
		reg.cap = ncap;
	}
	reg.list[reg.n++] = p;
	return 0;
}

/* Loads every enabled plugin not loaded yet. Returns 0, or -1 if plugins.d
 * cannot be read. */
static int scan(bool initial)
{
	xd_plugin_conf *confs = NULL;
	size_t nconfs = 0, nfresh = 0;
	char *why = NULL;
	int rc = 0;
	xd_value *loaded_types = xd_array();

	pthread_mutex_lock(&reg.scan_lock);
	if (!initial) {
		/* what is loaded stays: a changed .so is only reported */
		pthread_rwlock_rdlock(&reg.lock);
		for (size_t i = 0; i < reg.n; i++) {
			char *ignored = NULL;
			xd_plugin_file_check(&reg.list[i]->file, reg.list[i]->conf_name, &ignored);
			free(ignored);
		}
		pthread_rwlock_unlock(&reg.lock);
	}
	if (xd_plugin_conf_read(reg.conf_dir, reg.plugin_dir, &confs, &nconfs, &why) != 0) {
		xd_err("plugins: %s", why ? why : "cannot read plugins.d");
		rc = -1;
	}
	xd_plugin **fresh = nconfs ? calloc(nconfs, sizeof *fresh) : NULL;
	for (size_t i = 0; i < nconfs; i++) {
		const xd_plugin_conf *c = &confs[i];
		pthread_rwlock_rdlock(&reg.lock);
		bool loaded = find_locked(c->name, NULL) != NULL;
		pthread_rwlock_unlock(&reg.lock);
		if (loaded)
			continue;
		if (c->error) {
			xd_err("plugin %s (%s) refused: %s", c->name, c->file, c->error);
			continue;
		}
		if (!c->enabled) {
			xd_debug("plugin %s: not enabled in %s", c->name, c->file);
			continue;
		}
		xd_plugin *p = load_one(c);
		if (!p)
			continue;
		pthread_rwlock_wrlock(&reg.lock);
		int added = add_locked(p);
		pthread_rwlock_unlock(&reg.lock);
		if (added != 0) {
			xd_err("plugin %s refused: out of memory", c->name);
			plugin_free(p);
			continue;
		}
		if (fresh)
			fresh[nfresh++] = p;
	}
	if (initial) {
		/* Every SM object is checked against what is loaded now. */
		pthread_rwlock_rdlock(&reg.lock);
		xd_plugins_sm_sync(reg.list, reg.n, true);
		pthread_rwlock_unlock(&reg.lock);
	} else if (nfresh) {
		xd_plugins_sm_sync(fresh, nfresh, false);
		/* the storage types the hook is called with, below */
		for (size_t i = 0; i < nfresh; i++)
			if (fresh[i]->kind == XAPI_KIND_STORAGE)
				xd_array_append_take(loaded_types, xd_string(fresh[i]->name));
	}
	xd_info("plugins: %s of %s: %zu loaded now", initial ? "scan" : "rescan", reg.conf_dir,
		nfresh);
	free(fresh);
	free(why);
	xd_plugin_conf_free(confs, nconfs);
	pthread_mutex_unlock(&reg.scan_lock);
	/* after the scan lock: plugging SRs may wait for their marks, and
	 * neither another rescan nor shutdown should wait for that */
	pthread_rwlock_rdlock(&reg.lock);
	xd_plugins_sr_loaded_fn *hook = reg.on_sr_loaded;
	pthread_rwlock_unlock(&reg.lock);
	for (size_t i = 0; hook && i < loaded_types->u.arr.n; i++)
		hook(loaded_types->u.arr.items[i]->u.s);
	xd_value_free(loaded_types);
	return rc;
}

int xd_plugins_init(const xd_plugins_config *cfg)
{
	if (reg.inited)
		xd_plugins_shutdown();
	pthread_rwlock_wrlock(&reg.lock);
	reg.conf_dir = strdup(cfg && cfg->conf_dir ? cfg->conf_dir : "/etc/xapi-c/plugins.d");
	reg.plugin_dir = dup_or_null(cfg ? cfg->plugin_dir : NULL);
	reg.cfg.worker_path = dup_or_null(cfg ? cfg->worker_path : NULL);
	reg.cfg.net_backend = dup_or_null(cfg ? cfg->net_backend : NULL);
	reg.cfg.net_netns = dup_or_null(cfg ? cfg->net_netns : NULL);
	reg.cfg.timeout_s = cfg && cfg->timeout_s > 0 ? cfg->timeout_s : 3600;
	reg.cfg.cancel_grace_s = cfg && cfg->cancel_grace_s > 0 ? cfg->cancel_grace_s : 5;
	reg.inited = true;
	pthread_rwlock_unlock(&reg.lock);
	return scan(true);
}

void xd_plugins_on_sr_loaded(xd_plugins_sr_loaded_fn *fn)
{
	pthread_rwlock_wrlock(&reg.lock);
	reg.on_sr_loaded = fn;
	pthread_rwlock_unlock(&reg.lock);
}

int xd_plugins_rescan(void)
{
	if (!reg.inited)
		return -1;
	return scan(false);
}

void xd_plugins_shutdown(void)
{
	pthread_mutex_lock(&reg.scan_lock);
	pthread_rwlock_wrlock(&reg.lock);
	/* Every worker is asked to finish first, so that their fini calls run
	 * side by side; whoever is slow is killed after the grace time. */
	for (size_t i = 0; i < reg.n; i++)
		for (unsigned s = 0; s < XD_PLUGIN_MAX_WORKERS; s++) {
			xd_wproc *w = &reg.list[i]->slots[s].proc;
			if (w->pid > 0) {
				json_object *bye = xd_pp_new("bye");
				(void)xd_wproc_send(w, bye);
				json_object_put(bye);
			}
		}
	for (size_t i = 0; i < reg.n; i++) {
		for (unsigned s = 0; s < XD_PLUGIN_MAX_WORKERS; s++)
			xd_wproc_stop(&reg.list[i]->slots[s].proc, 2000);
		plugin_free(reg.list[i]);
	}
	free(reg.list);
	reg.list = NULL;
	reg.n = reg.cap = 0;
	free(reg.conf_dir);
	free(reg.plugin_dir);
	reg.conf_dir = reg.plugin_dir = NULL;
	xd_plugins_settings_free(&reg.cfg);
	reg.inited = false;
	pthread_rwlock_unlock(&reg.lock);
	pthread_mutex_unlock(&reg.scan_lock);
}

xd_value *xd_plugins_sr_types(void)
{
	xd_value *a = xd_array();
	pthread_rwlock_rdlock(&reg.lock);
	for (size_t i = 0; i < reg.n; i++)
		if (reg.list[i]->kind == XAPI_KIND_STORAGE)
			xd_array_append_take(a, xd_string(reg.list[i]->name));
	pthread_rwlock_unlock(&reg.lock);
	return a;
}

bool xd_plugins_has_sr_type(const char *type)
{
	return xd_plugins_find_sr(type) != NULL;
}

bool xd_plugins_sr_can(const char *type, xd_sr_op op)
{
	xd_plugin *p = xd_plugins_find_sr(type);
	return p && (int)op >= 0 && op < XD_SR_NOPS && p->sr_ops[op];
}
