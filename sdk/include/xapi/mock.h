/* xapi/mock.h - a mock xapid for a plugin's unit tests: libxapi-plugin-mock.
 *
 *     cc -o test_mine test_mine.c $(pkg-config --cflags --libs xapi-plugin-mock)
 *
 * It loads a plugin (xapi_mock_load: dlopen of the .so, as the worker does;
 * or xapi_mock_init with an init function linked into the test), hands it a
 * struct xapi_host of its own, and records what every call did: emits (deep
 * copies), the error given to failv, progress, helper runs, log lines and
 * declared data sources. The test calls the plugin's ops itself, with
 * xapi_mock_call() as the call handle:
 *
 *     xapi_mock_t *m = xapi_mock_new();
 *     xapi_mock_setting(m, "greeting", "hi");           // plugins.d settings
 *     if (xapi_mock_load(m, "./example.so") != XAPI_OK) // init runs here
 *             fail(xapi_mock_error(m));
 *     const struct xapi_sr_ops *ops = xapi_mock_sr_ops(m);
 *     struct xapi_sr sr = { .size = sizeof sr, .uuid = "...",
 *                           .device_config = xapi_mock_kv(m, "path", dir, NULL) };
 *     xapi_call_t *c = xapi_mock_call(m);
 *     int rc = ops->sr_attach(xapi_mock_st(m), c, &sr, 0);
 *     const struct xapi_mock_result *r = xapi_mock_result(c);
 *     // rc == XAPI_OK, r->nsrs == 1, r->srs[0].physical_size > 0 ...
 *     xapi_mock_free(m);                                // fini runs here
 *
 * What it does as xapid's worker does: failv keeps the last error of a call;
 * emit_* refuse a struct whose size is not set (XAPI_E_INVALID); progress is
 * clamped to 0..1; cancelled() answers what the test set with
 * xapi_mock_cancel_after; run() really runs the helper (no shell, PATH
 * lookup, stdout and stderr captured, killed at its timeout) and its output
 * stays valid until the call is reset. Differences: everything runs in the
 * test's process and thread (a crash is the test's crash: run the test under
 * gdb), and the core's mapping of errors to XenAPI errors is not applied
 * (the result holds what the plugin said; doc/plugin-sdk.md has the table).
 *
 * xapi_mock_check() checks a call's result against the ABI's rules (an
 * error status without failv, failv with another status, XAPI_OK from an op
 * that must emit and did not) and says what is wrong, as xapid's log would.
 *
 * Not thread safe between tests' own threads, but the plugin may log, emit and
 * poll cancelled() from threads of its own during an op (a lock guards the
 * records).
 *
 * xapi-plugin-call (installed with the SDK) is this library as a command:
 * one op of a plugin run by hand, what it did printed (doc/plugin-sdk.md 8.1).
 *
 * Ownership: everything the mock returns is the mock's, valid until
 * xapi_mock_free (results: until their call is reset or freed). The plugin
 * is never dlclosed (as in xapid), so leak reports keep its symbols.
 */
#ifndef XAPI_MOCK_H
#define XAPI_MOCK_H 1

#include <stddef.h>

#include <xapi/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xapi_mock xapi_mock_t;

/* ---- the host and its plugin ---- */

xapi_mock_t *xapi_mock_new(void);
/* Calls the plugin's fini (if init succeeded), frees every call, map and
 * record. */
void xapi_mock_free(xapi_mock_t *m);
/* A setting from the plugin's plugins.d file (host->config_get); before
 * the load. Returns XAPI_OK or XAPI_E_FAILED (out of memory). */
int xapi_mock_setting(xapi_mock_t *m, const char *key, const char *value);
/* Prints the plugin's log lines, errors and helper runs on stderr as they
 * happen (also on when the environment has XAPI_MOCK_VERBOSE=1). */
void xapi_mock_verbose(xapi_mock_t *m, int on);

/* dlopens so_path (RTLD_NOW | RTLD_LOCAL), finds xapi_plugin_init and runs
 * it. Returns init's status (XAPI_OK), or XAPI_E_NOT_FOUND when the file
 * cannot be loaded or has no entry point; xapi_mock_error() says why. */
int xapi_mock_load(xapi_mock_t *m, const char *so_path);
/* The same with an entry point linked into the test (e.g. the plugin's
 * sources compiled into it, or xapi_plugin_init itself). */
int xapi_mock_init(xapi_mock_t *m, xapi_plugin_init_fn *init);
/* Why the last load or init failed (its log line at warn or error level
 * during init, or the loader's reason); "" if it did not. */
const char *xapi_mock_error(const xapi_mock_t *m);

const struct xapi_host *xapi_mock_host(const xapi_mock_t *m);
xapi_plugin_t *xapi_mock_self(xapi_mock_t *m);
const struct xapi_plugin_desc *xapi_mock_desc(const xapi_mock_t *m);
void *xapi_mock_st(const xapi_mock_t *m);
/* The descriptor's ops table, if the plugin is of that kind; else NULL. */
const struct xapi_sr_ops *xapi_mock_sr_ops(const xapi_mock_t *m);
const struct xapi_net_ops *xapi_mock_net_ops(const xapi_mock_t *m);
const struct xapi_metrics_ops *xapi_mock_metrics_ops(const xapi_mock_t *m);

/* ---- maps ---- */

/* A read-only map (device_config, sm_config, other_config...) from
 * key, value pairs ended by NULL; the mock's, valid until xapi_mock_free.
 * NULL if out of memory. */
xapi_kv_t *xapi_mock_kv(xapi_mock_t *m, ...) __attribute__((sentinel));
/* The same from an array: key, value, key, value..., NULL. */
xapi_kv_t *xapi_mock_kv_array(xapi_mock_t *m, const char *const *pairs);

/* ---- calls ---- */

/* One data-source sample (host->ds_sample). */
struct xapi_mock_sample {
	const char *name;
	const char *owner_uuid;        /* NULL: the host */
	double value;
};

/* What one call did so far. Strings and maps are the mock's copies. */
struct xapi_mock_result {
	int failed;                    /* failv was called */
	const char *fail_xenapi;       /* its XenAPI code, or NULL */
	int fail_code;                 /* its SMAPIv1 number */
	const char *fail_msg;
	size_t nsrs;
	const struct xapi_sr_info *srs;
	size_t nvdis;
	const struct xapi_vdi_info *vdis;
	size_t npifs;
	const struct xapi_pif_info *pifs;
	size_t nsamples;
	const struct xapi_mock_sample *samples;
	size_t nprogress;              /* progress reports */
	double progress;               /* the last one, 0 if none */
	size_t ncancel_polls;          /* times cancelled() was asked */
	size_t runs;                   /* helpers run */
	size_t nlogs;                  /* log lines the plugin wrote about this call */
	const char *fail_detail;       /* fail_detail's text (ABI 2.1), or NULL */
};

/* A new call handle, owned by the mock. */
xapi_call_t *xapi_mock_call(xapi_mock_t *m);
/* Forgets what the call recorded (and the outputs of its helper runs), to
 * use it for the next op. */
void xapi_mock_call_reset(xapi_call_t *c);
/* Frees it now rather than at xapi_mock_free. */
void xapi_mock_call_free(xapi_call_t *c);
/* What the call recorded; valid until its next emit, reset or free. */
const struct xapi_mock_result *xapi_mock_result(const xapi_call_t *c);
/* The VDI emitted with that location, or NULL. */
const struct xapi_vdi_info *xapi_mock_find_vdi(const xapi_call_t *c, const char *location);
/* host->cancelled() answers 0 the first `polls` times it is asked during
 * this call, then 1 (0: cancelled at once); negative: never (the default). */
void xapi_mock_cancel_after(xapi_call_t *c, int polls);

/* Checks what op `op` (its name in the ops table: "sr_scan", "vdi_create",
 * "pif_scan", "collect"...) returned against the ABI's rules: a negative
 * status needs a failv (but XAPI_E_CANCELLED), a failv needs XAPI_E_FAILED,
 * a status is never positive, and XAPI_OK from the ops that
 * must report something needs that emit (sr_attach, sr_scan, sr_update:
 * the SR; vdi_create, vdi_snapshot, vdi_clone, vdi_resize, vdi_attach,
 * vdi_introduce, vdi_update: one VDI; vdi_attach: with a datapath).
 * Returns NULL if the call is right, else what is wrong (the mock's). */
const char *xapi_mock_check(const xapi_call_t *c, const char *op, int rc);

/* ---- what the plugin said ---- */

/* Log lines, in order (init's too). `call` is the call the line was about,
 * or NULL. */
size_t xapi_mock_nlogs(const xapi_mock_t *m);
const char *xapi_mock_log(const xapi_mock_t *m, size_t i, enum xapi_log_level *level,
			  const xapi_call_t **call);
/* The first log line containing `text`, or NULL. */
const char *xapi_mock_log_find(const xapi_mock_t *m, const char *text);

/* Data sources declared with host->ds_declare (copies). */
size_t xapi_mock_nds(const xapi_mock_t *m);
const struct xapi_ds_desc *xapi_mock_ds(const xapi_mock_t *m, size_t i);

#ifdef __cplusplus
}
#endif

#endif /* XAPI_MOCK_H */
