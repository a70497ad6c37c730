/* mock_int.h - the inside of libxapi-plugin-mock (xapi/mock.h): the mock
 * host (mock.c: loading, settings, logs, data sources, the services
 * table), its calls (mock_call.c: what each op emitted, its error, the
 * ABI checks) and host->run (mock_run.c).
 *
 * Owns: struct xapi_mock, struct xapi_call and struct xapi_kv as the mock
 * defines them (the ABI leaves them to the host).
 */
#ifndef XAPI_MOCK_INT_H
#define XAPI_MOCK_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>

#include <xapi/mock.h>

struct xapi_kv {
	size_t n;
	char **keys;
	char **vals;
	struct xapi_kv *next;          /* the mock's list of maps, freed with it */
};

struct mock_log {
	enum xapi_log_level level;
	const xapi_call_t *call;
	char *text;
};

struct xapi_call {
	xapi_mock_t *m;
	struct xapi_mock_result r;     /* arrays below, as the test sees them */
	struct xapi_sr_info *srs;
	struct xapi_vdi_info *vdis;
	struct xapi_pif_info *pifs;
	struct xapi_mock_sample *samples;
	size_t cap_srs, cap_vdis, cap_pifs, cap_samples;
	char *fail_xenapi, *fail_msg, *fail_detail;
	char **outputs;                /* host->run outputs, freed at reset */
	size_t noutputs;
	int cancel_after;              /* xapi_mock_cancel_after; -1 never */
	char *check;                   /* xapi_mock_check's last answer */
	xapi_call_t *next;             /* the mock's list of calls */
};

struct xapi_mock {
	pthread_mutex_t lock;          /* records: the plugin may use threads */
	bool verbose;
	xapi_kv_t *settings;
	const struct xapi_plugin_desc *desc;
	void *st;
	bool loaded;                   /* init returned XAPI_OK: fini is due */
	bool in_init;
	char *error;
	struct mock_log *logs;
	size_t nlogs, cap_logs;
	struct xapi_ds_desc *ds;
	size_t nds, cap_ds;
	xapi_kv_t *kvs;
	xapi_call_t *calls;
};

extern const struct xapi_host xapi_mock_host_table;

/* The plugin's `self` is the mock itself (xapi_plugin_t is opaque). */
#define MOCK_SELF(m) ((xapi_plugin_t *)(m))
#define MOCK_OF(self) ((xapi_mock_t *)(self))
char *mock_strdup(const char *s);          /* NULL stays NULL */
/* A deep copy of a map (NULL stays NULL), owned by the mock. */
xapi_kv_t *mock_kv_copy(xapi_mock_t *m, const xapi_kv_t *kv);
void mock_kv_free(xapi_kv_t *kv);
/* Grows *arr (of elem bytes) to hold n + 1; 0 or -1. */
int mock_grow(void **arr, size_t *cap, size_t n, size_t elem);

/* host services implemented in mock_call.c and mock_run.c */
int mock_failv(xapi_call_t *call, const char *xenapi_code, int code, const char *fmt,
	       va_list ap);
void mock_progress(xapi_call_t *call, double fraction);
int mock_cancelled(xapi_call_t *call);
int mock_emit_sr(xapi_call_t *call, const struct xapi_sr_info *sr);
int mock_emit_vdi(xapi_call_t *call, const struct xapi_vdi_info *vdi);
int mock_emit_pif(xapi_call_t *call, const struct xapi_pif_info *pif);
void mock_fail_detail(xapi_call_t *call, const char *detail);
int mock_ds_sample(xapi_call_t *call, const char *ds_name, const char *owner_uuid,
		   double value);
int mock_run(xapi_call_t *call, const char *const argv[], int timeout_ms, const char **output);
/* The worker's helper runner (core/loader/worker/plugin_run.c, built into
 * this archive; its header is the daemon's, so it is declared here). */
int xd_worker_run(const char *const argv[], int timeout_ms, char **output);
void mock_call_count_log(xapi_call_t *call);

#endif
