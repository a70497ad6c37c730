/* plugins_int.h - what plugins.c (the registry, loading), plugin_call.c
 * (storage calls) and plugin_sm.c (SM objects) share. Not for other
 * modules: they use plugins.h.
 */
#ifndef XD_PLUGINS_INT_H
#define XD_PLUGINS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <xapi/plugin.h>

#include "plugin_file.h"
#include "plugin_proc.h"
#include "plugin_timeouts.h"
#include "plugins.h"

/* A plugin with XAPI_PLUGIN_THREADSAFE runs its concurrent calls in up to
 * this many workers (each worker makes one call at a time). */
#define XD_PLUGIN_MAX_WORKERS 8

typedef struct xd_worker_slot {
	xd_wproc proc;
	bool busy;                    /* a caller owns it */
	/* while busy: what it runs, for callers that wait for a slot */
	const char *op;               /* static op name, NULL when idle */
	char task[64];                /* the call's task, "" if none */
} xd_worker_slot;

/* One loaded plugin. Registered plugins are never freed before
 * xd_plugins_shutdown, so a pointer found under the registry lock stays
 * valid without it. */
typedef struct xd_plugin {
	char *conf_name;              /* plugins.d name */
	char *so_path;
	xd_plugin_file file;          /* so_path, held open: what workers load */
	xd_value *settings;           /* struct of strings */
	/* what its descriptor says (fixed at load) */
	char *name, *description, *vendor, *copyright, *version;
	uint32_t kind, flags;
	unsigned abi_major, abi_minor;
	xd_value *capabilities;       /* array of names (no /N) */
	xd_value *features;           /* struct name -> int version */
	xd_value *configuration;      /* struct key -> description */
	xd_value *required;           /* struct key -> int XAPI_CONFIG_* bits (required keys) */
	bool sr_ops[XD_SR_NOPS];
	bool net_ops[XD_NET_NOPS];
	bool has_vdi_io;              /* storage, ABI 2.1: xapi_sr_ops.vdi_io is set */
	uint32_t interval_ms;         /* metrics: how often it wants collect */
	xd_op_timeouts timeouts;      /* timeout.<op> of its .conf (fixed at load) */
	/* its workers */
	pthread_mutex_t lock;
	pthread_cond_t cond;          /* a slot was released */
	xd_worker_slot slots[XD_PLUGIN_MAX_WORKERS];
	unsigned max_workers;
} xd_plugin;

/* The settings in force (copied at init). */
typedef struct xd_plugins_settings {
	char *worker_path;
	char *net_backend, *net_netns;
	double timeout_s;
	double cancel_grace_s;
} xd_plugins_settings;
/* Copies into *out (free with xd_plugins_settings_free). */
void xd_plugins_get_settings(xd_plugins_settings *out);
void xd_plugins_settings_free(xd_plugins_settings *s);

/* plugin_call.c: gives back a worker slot. */
void xd_plugin_release(xd_plugin *p, xd_worker_slot *s);
/* A free slot now, or NULL while the plugin makes all the calls it may
 * (the metrics calls do not wait: a busy driver gives no figures this
 * round). */
xd_worker_slot *xd_plugin_try_acquire(xd_plugin *p, const char *op);
/* The "call" message of op on the SR (and location), as storage ops get it. */
json_object *xd_plugin_call_message(const char *op, const xd_sr_ref *sr, const char *location);
/* The loaded plugins of a kind (XAPI_KIND_*): a new array (free it), *n set. */
xd_plugin **xd_plugins_of_kind(uint32_t kind, size_t *n);

/* The loaded storage plugin of that type, or NULL. */
xd_plugin *xd_plugins_find_sr(const char *type);
/* The loaded network plugin of that plugins.d name, or NULL. */
xd_plugin *xd_plugins_find_net(const char *conf_name);

/* Starts a worker for p, from the .so file held open since p loaded (see
 * plugin_file.h: refused if it was changed in place), and waits for its
 * hello; the descriptor must still be p's (same name and kind). Returns 0,
 * or -1 with *why (heap). */
int xd_plugin_start_worker(xd_plugin *p, xd_wproc *w, char **why);

/* How one call's messages are taken in (plugin_call.c's exchange): emit
 * gets every message of the call but "done" and "progress" (returns false
 * for one it does not know: it is logged), verdict the "done" (0 or -1
 * with err). internal_errors: the worker's own failures (crash, timeout)
 * are INTERNAL_ERROR [text] instead of SR_BACKEND_FAILURE ["", text, ""]. */
typedef struct xd_call_sink {
	bool (*emit)(void *ud, const char *t, json_object *m);
	int (*verdict)(void *ud, json_object *done, xd_error *err);
	void *ud;
	bool internal_errors;
} xd_call_sink;
/* Runs one call (msg) in a worker of p: waits for the plugin's turn,
 * starts the worker if needed, relays progress and cancellation of task,
 * kills the worker after timeout s (source: where that limit comes from,
 * for the log). */
int xd_plugin_call(xd_plugin *p, const char *opname, double timeout, const char *source,
		   const char *task, json_object *msg, const xd_call_sink *sink, xd_error *err);

/* plugin_status.c: the answer ("done") of a storage call into 0 or the
 * XenAPI error of the table in plugins.h; `out` is what the call emitted.
 * Driver bugs are logged naming the plugin. */
int xd_plugin_verdict(const xd_plugin *p, xd_sr_op op, const xd_sr_args *a, json_object *done,
		      const xd_sr_result *out, xd_error *err);
/* Is s a XenAPI error code a driver may name ([A-Z][A-Z0-9_]*, <= 64)? */
bool xd_plugin_valid_code(const char *s);
/* "XAPI_E_NOT_FOUND"... for a status (static text). */
const char *xd_plugin_status_name(int64_t status);
/* Sets SR_BACKEND_FAILURE ["", message, ""]; returns -1. */
int xd_plugin_backend_failure(xd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* plugin_required.c: refuses op when args lack a device_config key the
 * driver marked XAPI_CONFIG_REQUIRED (sr_create, sr_attach, sr_probe);
 * 0 or -1 with sm's error for that key. */
int xd_plugin_check_required(const xd_plugin *p, xd_sr_op op, const xd_sr_args *args,
			     xd_error *err);
/* At load: key is required (bits: its XAPI_CONFIG_*); its SM.configuration
 * description gets " (required)" unless it says so. */
void xd_plugin_note_required(xd_plugin *p, const char *key, const char *description,
			     int64_t bits);

/* Logs one message a worker sent (log, ds_declare...) that is not part of
 * a call's result, tagged with the plugin's name. */
void xd_plugin_log_message(const char *plugin, json_object *msg);

/* plugin_collect.c: a worker's ds_declare message, handed to the hook
 * (xd_plugins_on_ds_declare). */
void xd_plugin_take_declaration(const char *plugin, json_object *msg);

/* Creates or refreshes the SM object of every storage plugin in list; with
 * destroy_stale, destroys SM objects whose type is none of them. */
void xd_plugins_sm_sync(xd_plugin *const *list, size_t n, bool destroy_stale);

#endif
