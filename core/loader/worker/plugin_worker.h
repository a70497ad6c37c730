/* plugin_worker.h - the inside of xapid-plugin-worker, the program that runs
 * one plugin on behalf of xapid (see plugins.h for why a process of its own,
 * plugin_proto.h for the wire).
 *
 * Owns: the worker's one plugin (struct xapi_plugin: the core's handle as
 * the ABI names it), the call in progress (struct xapi_call) and the
 * read-only maps handed to the plugin (struct xapi_kv). Modules:
 * plugin_worker.c (main, loading, the serve loop), plugin_host.c (the
 * struct xapi_host services), plugin_check.c (what a descriptor must be),
 * plugin_dispatch.c (a call message to an op), plugin_run.c (host->run),
 * plugin_crash.c (a backtrace in xapid's log when the plugin crashes).
 */
#ifndef XD_PLUGIN_WORKER_H
#define XD_PLUGIN_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <xapi/plugin.h>

#include "loader/plugin_proto.h"
#include "plugin_run.h"

struct xapi_kv {
	size_t n;
	char **keys;
	char **vals;
};

struct xapi_plugin {
	int fd;                          /* our end of the socketpair */
	const char *name;                /* the plugins.d name, for messages */
	xapi_kv_t *settings;             /* from the init message */
	pthread_mutex_t send_lock;       /* plugins may log from threads of their own */
	pthread_mutex_t read_lock;
	xd_pp_reader reader;
	bool in_init;                    /* xapi_plugin_init is running */
	char *init_complaint;            /* its last error/warning message */
	int init_complaint_level;
	const struct xapi_plugin_desc *desc;
	void *st;
};

struct xapi_call {
	xapi_plugin_t *p;
	bool failed;                     /* failv was called */
	char *err_code;                  /* XenAPI code given to failv, or NULL */
	int err_n;
	char *err_msg;
	char *err_detail;                /* fail_detail's text, or NULL */
	bool cancelled;                  /* the core pushed a cancel */
	char **outputs;                  /* host->run outputs, freed after the op */
	size_t noutputs;
};

/* The services table handed to the plugin. */
extern const struct xapi_host xd_worker_host;

/* A read-only map from a JSON object of strings (NULL: empty map). */
xapi_kv_t *xd_kv_from_json(json_object *o);
void xd_kv_free(xapi_kv_t *kv);

/* Sends msg (taken) to the core. Failures are ignored: a core that went
 * away is noticed by the serve loop (EOF) or the watchdog. */
void xd_worker_send(xapi_plugin_t *p, json_object *msg);
/* Takes in what the core sent meanwhile without blocking (a cancel during
 * an op sets call->cancelled). */
void xd_worker_poll_core(xapi_plugin_t *p, xapi_call_t *call);
/* True while an op runs (the watchdog and the exit hook look at it). */
void xd_worker_set_in_op(bool on);

/* Checks a descriptor. Returns NULL if it may load (then *desc_json is its
 * description for the hello message, and warnings got any remarks), or the
 * reason for the refusal (heap string). */
char *xd_plugin_check(const struct xapi_plugin_desc *d, json_object **desc_json,
		      json_object *warnings);

/* Runs one "call" message and answers it with "done". */
void xd_worker_dispatch(xapi_plugin_t *p, json_object *msg);
/* The op of a network backend's call message (plugin_net_dispatch.c):
 * its status; *absent when the plugin has no such op, *caps the answer of
 * probe. */
int xd_worker_net_op(xapi_plugin_t *p, xapi_call_t *call, json_object *msg, bool *absent,
		     uint32_t *caps);
/* Enters network namespace `name` (/run/netns/<name>) with a private
 * mount of /sys that shows it (plugin_netns.c). Before any thread is
 * started. Returns 0, or -1 with *why (heap). */
int xd_worker_enter_netns(const char *name, char **why);


/* Installs the crash handlers (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT):
 * the crashing thread's frames go to the core as log lines, then the worker
 * dies of the signal. so_path: the plugin, as it is dlopen'd (its frames
 * get function names). Before the plugin is loaded. */
void xd_worker_crash_init(xapi_plugin_t *p, const char *so_path);
/* Notes the objects loaded since the last time (the handler cannot ask the
 * loader); before init and before each op. */
void xd_worker_crash_refresh(void);
/* Frees the symbol tables (at exit). */
void xd_worker_crash_fini(void);

#endif
