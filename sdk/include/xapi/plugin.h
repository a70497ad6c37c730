/* xapi/plugin.h - the ABI between xapid and its plugins.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * xapi_plugin_init (use XAPI_PLUGIN_DEFINE). xapid loads it into a worker
 * process of its own (a crash or a hang there fails the call it was making,
 * never the daemon), hands it the table of host services below, and gets back
 * a descriptor: what the plugin is, and the ops table of its kind
 * (xapi/storage.h, xapi/network.h, xapi/metrics.h).
 *
 * Rules that hold for every member of every table:
 *
 *  - Versions. XAPI_ABI_MAJOR changes only with a breaking change: the core
 *    refuses a plugin built for another major. XAPI_ABI_MINOR grows when
 *    members are appended to the end of a table; nothing is ever removed,
 *    reordered or retyped within a major. Every table starts with its own
 *    `size` (sizeof on the side that made it), so an older plugin works with
 *    a newer core and the other way round: read a member only if XAPI_HAS()
 *    says the other side's table is long enough, and call an op only if
 *    XAPI_CAN() says it is there and not NULL.
 *  - Ownership. Everything the core passes to the plugin (strings, key/value
 *    maps, structs) is borrowed for the duration of that call only: copy what
 *    you keep. Everything the plugin reports leaves through a host->emit_*()
 *    service, which copies it: the plugin never frees core memory and the
 *    core never frees plugin memory. The descriptor and the ops table are the
 *    plugin's, static and const, valid until fini returns.
 *  - Errors. Ops return XAPI_OK or one of the negative enum xapi_status
 *    values below (they lie far below -4095, so a bare -errno, a -1 or a
 *    positive number can never pass for one: the core logs such a return
 *    as a driver bug). Before returning XAPI_E_FAILED, say what went wrong
 *    with xapi_fail() (an error code plus a message). Never exit(), abort()
 *    or return a bare errno. What each status becomes on the wire is the
 *    table "Statuses on the wire" below.
 *  - Flags. Every op takes `flags`; none are defined yet: refuse unknown
 *    bits with XAPI_CHECK_FLAGS.
 *  - Processes and threads. The plugin runs in worker processes, and each
 *    worker runs xapi_plugin_init itself: at load, in every further worker
 *    (up to 8 for a plugin with XAPI_PLUGIN_THREADSAFE), and again in the
 *    worker that replaces one that crashed or was killed. init must be cheap
 *    and repeatable, with no once-per-host side effect; workers share no
 *    memory (coordinate through the storage: file locks...). fini runs when
 *    a worker ends cleanly, never after a crash or a kill. One worker makes
 *    one call at a time, so ops never overlap within a process; without
 *    XAPI_PLUGIN_THREADSAFE the core makes one call at a time to the plugin,
 *    with it up to 8 at once in 8 processes, within what the kind's layer
 *    allows (storage: xapi's per-SR rules, one SR-changing op per SR at a
 *    time while VDI attach, detach and update may overlap it).
 *    doc/plugin-sdk.md section 2 has the details.
 */
#ifndef XAPI_PLUGIN_H
#define XAPI_PLUGIN_H 1

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XAPI_ABI_MAJOR 2
/* 2.1: the network ops, capabilities and struct members marked "since 2.1"
 * (xapi/network.h); the host service fail_detail (below); struct
 * xapi_sr_ops.vdi_io and struct xapi_vdi_io (xapi/storage.h). All were
 * appended in the one minor version. */
#define XAPI_ABI_MINOR 1
#define XAPI_ABI_VERSION (((uint32_t)XAPI_ABI_MAJOR << 16) | (uint32_t)XAPI_ABI_MINOR)
#define XAPI_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define XAPI_ABI_MINOR_OF(v) ((uint32_t)(v) & 0xffffu)

/* Is member m inside table t (whose type is TYPE), as the other side built it? */
#define XAPI_HAS(t, TYPE, m) ((t)->size >= offsetof(TYPE, m) + sizeof(((TYPE *)0)->m))
/* ... and is that function pointer set? */
#define XAPI_CAN(t, TYPE, m) (XAPI_HAS(t, TYPE, m) && (t)->m != NULL)

/* Opaque handles owned by the core. */
typedef struct xapi_plugin xapi_plugin_t; /* one loaded plugin */
typedef struct xapi_call xapi_call_t;     /* one operation in progress */
typedef struct xapi_kv xapi_kv_t;         /* a read-only string -> string map */

/* What an op (and xapi_plugin_init) returns. The failing values start at
 * -10001: an errno is at most 4095 (Linux's MAX_ERRNO), so a driver that
 * returns a bare -errno, -1 or a positive number is told apart from one that
 * returns a status, and the core reports it as a driver bug instead of
 * guessing (in ABI 1 the statuses were -1..-7 and -EIO read as
 * XAPI_E_BUSY). */
enum xapi_status {
	XAPI_OK = 0,
	XAPI_E_FAILED = -10001,      /* details were given with xapi_fail() */
	XAPI_E_UNSUPPORTED = -10002, /* op, flag or argument not supported */
	XAPI_E_INVALID = -10003,     /* bad argument (device_config key missing...) */
	XAPI_E_NOT_FOUND = -10004,   /* the object is gone (VDI_MISSING, SR missing...) */
	XAPI_E_BUSY = -10005,        /* in use (VDI_IN_USE, SR_NOT_EMPTY...) */
	XAPI_E_CANCELLED = -10006,   /* host->cancelled() said stop */
	XAPI_E_NO_SPACE = -10007,    /* out of space (SR_FULL) */
};
/* Is rc XAPI_OK or one of the statuses above (what xapid checks; a driver's
 * own tests may assert it of every op's return)? */
#define XAPI_STATUS_VALID(rc) ((rc) == XAPI_OK || ((rc) <= XAPI_E_FAILED && (rc) >= XAPI_E_NO_SPACE))

/* Statuses on the wire: what the client of a storage call gets (xapid's
 * core/loader/plugin_status.c; doc/plugin-sdk.md §2 has the same table).
 * In the parameters, `sr` and `vdi` are refs (`vdi` is "" for vdi_create
 * and vdi_introduce, which have no VDI record yet, and `sr` is "" for
 * sr_probe, which has no SR); `op` is the XenAPI operation ("destroy",
 * "snapshot", "clone", "resize", "attach", "update").
 * "The VDI ops on an existing VDI" are vdi_delete, vdi_snapshot, vdi_clone,
 * vdi_resize, vdi_attach, vdi_detach and vdi_update.
 *
 * After xapi_fail(host, call, code, n, fmt, ...), whatever failing status
 * the op then returns, the xapi_fail decides:
 *   code, a XenAPI name ([A-Z][A-Z0-9_]*, <= 64)  code [message]
 *   code NULL, n = 16        SR_DEVICE_IN_USE []
 *   code NULL, n = 24        VDI_IN_USE [vdi, op] (on an existing VDI), else []
 *   code NULL, n = 39        SR_NOT_EMPTY []
 *   code NULL, n = 144       VDI_MISSING [sr, vdi]
 *   code NULL, other n > 0   SR_BACKEND_FAILURE_<n> ["", message, ""]
 *   code NULL, n <= 0        SR_BACKEND_FAILURE ["", message, ""]
 *   code not a name          as code NULL, with message "<code>: <message>"
 * (n: the SMAPIv1 numbers of sm's XE_SR_ERRORCODES.xml; 16, 24, 39 and 144
 * are mapped as xapi's sm_exec maps them.)
 *
 * Without xapi_fail:
 *   XAPI_E_UNSUPPORTED  SR_OPERATION_NOT_SUPPORTED [sr]
 *   XAPI_E_INVALID      SR_BACKEND_FAILURE_1 ["", "Invalid argument
 *                       [opterr=the <type> driver refused the arguments of
 *                       <op>]", ""]
 *   XAPI_E_NOT_FOUND    VDI ops on an existing VDI and vdi_introduce:
 *                       VDI_MISSING [sr, vdi]; the other ops:
 *                       SR_BACKEND_FAILURE_47 ["", "The SR is not available
 *                       [opterr=the <type> driver did not find it during
 *                       <op>]", ""]
 *   XAPI_E_BUSY         sr_delete: SR_NOT_EMPTY []; VDI ops on an existing
 *                       VDI: VDI_IN_USE [vdi, op]; the other ops:
 *                       SR_DEVICE_IN_USE []
 *   XAPI_E_CANCELLED    TASK_CANCELLED [task] ("" for a call without a task)
 *   XAPI_E_NO_SPACE     SR_FULL [requested bytes, free bytes] (vdi_create,
 *                       vdi_resize); other ops SR_FULL [size, ""]
 *   XAPI_E_FAILED       a driver bug: SR_BACKEND_FAILURE ["", "the <type>
 *                       driver failed in <op> without saying why
 *                       (XAPI_E_FAILED without xapi_fail)", ""]
 * INVALID, NOT_FOUND, BUSY and NO_SPACE without xapi_fail give the client
 * no reason: each is also a warning line "plugin <name>: driver bug: the
 * <type> driver returned XAPI_E_... from <op> without xapi_fail" in
 * xapid's log (the client's error stays the one above).
 *
 * Driver bugs. Each is also one error line in xapid's log, "plugin <name>:
 * driver bug: <the message>", and the client gets SR_BACKEND_FAILURE ["",
 * message, ""]:
 *  - a return that is no status (-EIO, -1, 7...): "the <type> driver
 *    returned N from <op>, which is not a status (a bare errno?)" (after an
 *    xapi_fail the client gets that error instead; the line is logged);
 *  - XAPI_E_FAILED without xapi_fail (above);
 *  - XAPI_OK without the VDI from vdi_create, vdi_snapshot, vdi_clone,
 *    vdi_resize, vdi_attach, vdi_introduce or vdi_update: "the <type> driver
 *    returned XAPI_OK from <op> without emitting the VDI". (The SR ops may
 *    emit the SR's space; without it its sizes stay as they were.)
 *  - an unusable location, snapshot_of or parent in any emitted VDI: "the
 *    <type> driver emitted an unusable <field> from <op>: <why>", why being
 *    "it is empty", "it holds a control character" (U+0000..U+001F,
 *    U+007F), "it is not valid UTF-8", "it is longer than 1024 bytes"
 *    (XAPI_LOCATION_MAX). Locations travel in XML-RPC text and every VDI
 *    record;
 *  - a vdi_attach whose VDI has no datapath, or one that is neither
 *    file:/// nor nbd+unix:/// (xapi/storage.h): "the <type> driver
 *    attached <location> without a usable datapath (<it>): file:/// or
 *    nbd+unix:/// URIs only" (xapid then detaches it again).
 * XAPI_OK after an xapi_fail is taken as a success, with a warning line
 * "plugin <name>: driver bug: <op> called xapi_fail (...) and returned
 * XAPI_OK".
 */
#define XAPI_LOCATION_MAX 1024

/* Result records, defined in the per-kind headers. */
struct xapi_sr_info;
struct xapi_vdi_info;
struct xapi_pif_info;

enum xapi_kind { XAPI_KIND_STORAGE = 1, XAPI_KIND_NETWORK = 2, XAPI_KIND_METRICS = 3 };

enum xapi_log_level { XAPI_LOG_ERROR = 0, XAPI_LOG_WARN = 1, XAPI_LOG_INFO = 2, XAPI_LOG_DEBUG = 3 };

enum xapi_ds_type { XAPI_DS_GAUGE = 0, XAPI_DS_DERIVE = 1, XAPI_DS_ABSOLUTE = 2 };

/* A data source a plugin (usually a metrics collector) declares once at
 * init and then samples (xapi's rrdd data sources). */
struct xapi_ds_desc {
	size_t size;
	const char *name;          /* e.g. "cpu0", "memory_free_kib" */
	const char *description;
	const char *units;         /* e.g. "(fraction)", "KiB" */
	const char *owner_class;   /* "host", "VM", "PIF", "SR", "VDI" */
	uint32_t type;             /* enum xapi_ds_type */
	double min, max;
	uint8_t enabled_by_default;
};

/* Host services: the core's table, valid until fini returns. The first two
 * members keep their place in every major. */
struct xapi_host {
	size_t size;               /* sizeof(struct xapi_host) in the core */
	uint32_t abi_version;      /* the XAPI_ABI_VERSION the core speaks */

	/* Logging into the daemon's log, tagged with the plugin name and the
	 * request and task of `call` (call may be NULL outside an op). */
	void (*logv)(xapi_plugin_t *self, xapi_call_t *call, enum xapi_log_level level,
		     const char *fmt, va_list ap);
	/* This plugin's settings from its plugins.d file; NULL if unset. The
	 * string stays valid until fini returns. */
	const char *(*config_get)(xapi_plugin_t *self, const char *key);

	/* Read-only maps (device_config, sm_config...). */
	const char *(*kv_get)(const xapi_kv_t *kv, const char *key);
	size_t (*kv_count)(const xapi_kv_t *kv);
	const char *(*kv_key)(const xapi_kv_t *kv, size_t i);
	const char *(*kv_value)(const xapi_kv_t *kv, size_t i);

	/* Records the error of this call. xenapi_code: a XenAPI error code
	 * (e.g. "SR_FULL", "VDI_IN_USE") or NULL for SR_BACKEND_FAILURE_<code>
	 * with parameters ["", message, ""]. Returns XAPI_E_FAILED. */
	int (*failv)(xapi_call_t *call, const char *xenapi_code, int code, const char *fmt,
		     va_list ap);
	/* Progress of a long operation, 0.0 .. 1.0 (shown on its task). */
	void (*progress)(xapi_call_t *call, double fraction);
	/* Non-zero once the client cancelled the task: stop and return
	 * XAPI_E_CANCELLED. Poll it in every long loop: xapid kills the
	 * worker's whole process group (the plugin and any helper it runs)
	 * plugin_cancel_grace seconds (default 5) after the cancel if the op
	 * has not returned by then (doc/plugins.md, "When an operation
	 * hangs"). */
	int (*cancelled)(xapi_call_t *call);

	/* Runs a helper program (no shell; argv[0] is looked up in PATH) with
	 * a timeout; returns its exit status (or -1 if it could not run or was
	 * killed). *output, if not NULL, gets its stdout and stderr, core
	 * memory valid until the op returns. */
	int (*run)(xapi_call_t *call, const char *const argv[], int timeout_ms,
		   const char **output);

	/* Results, copied by the core (see the per-kind headers). */
	int (*emit_sr)(xapi_call_t *call, const struct xapi_sr_info *sr);
	int (*emit_vdi)(xapi_call_t *call, const struct xapi_vdi_info *vdi);
	int (*emit_pif)(xapi_call_t *call, const struct xapi_pif_info *pif);

	/* Metrics: declare a data source (at init or later) and sample it. */
	int (*ds_declare)(xapi_plugin_t *self, const struct xapi_ds_desc *ds);
	int (*ds_sample)(xapi_call_t *call, const char *ds_name, const char *owner_uuid,
			 double value);

	/* since 2.1 (check host->size before calling: a 2.0 core has no
	 * such member). The third parameter of this call's
	 * SR_BACKEND_FAILURE_<n> ["", message, detail], where sm's drivers
	 * put what they printed on stderr: xapi clients read the iSCSI
	 * probe's XML there (the IQNs with SR_BACKEND_FAILURE_96, the LUNs
	 * with 107). Applies to the error of the call's xapi_fail (before or
	 * after it); ignored for XenAPI codes other than SR_BACKEND_FAILURE. */
	void (*fail_detail)(xapi_call_t *call, const char *detail);
	/* since 2.2: append here, never above */
};

/* A configuration key the plugin understands (becomes SM.configuration
 * for storage drivers, where a required key's description gets
 * " (required)" unless it says so already). The array ends with { NULL }.
 *
 * For a storage driver, `required` is checked by xapid before the driver
 * runs: SR.create, SR.probe and PBD.plug with a device_config that lacks a
 * XAPI_CONFIG_REQUIRED key (or has it empty) are refused with sm's error
 * for that key (SR_BACKEND_FAILURE_94 ["", "The request is missing the
 * location parameter", ""] for `location`; 90 device, 101 serverpath, 102
 * server, 95 target, 96 targetIQN, 107 SCSIid, 89 LUNid) or, for any other
 * key, SR_BACKEND_FAILURE_115 ["", "Not all required parameters specified.
 * [opterr=device-config:<key> is required by the <type> driver]", ""]. Add
 * XAPI_CONFIG_PROBE_OPTIONAL for a key sr_probe can do without (probe is
 * how a client discovers it, e.g. an iSCSI target's IQNs). For network and
 * metrics plugins the flag is informational. */
#define XAPI_CONFIG_REQUIRED 1
#define XAPI_CONFIG_PROBE_OPTIONAL 2
struct xapi_config_key {
	const char *key;
	const char *description;
	int required;                  /* 0 or XAPI_CONFIG_* bits */
};

/* Ops may run at the same time, each in a worker process of its own (not
 * threads of one process): set it if your ops stay correct when two of them
 * work on your storage at once. See "Processes and threads" above. */
#define XAPI_PLUGIN_THREADSAFE (1u << 0)

/* What a plugin is. Plugin-owned, static const. */
struct xapi_plugin_desc {
	size_t size;                   /* sizeof(struct xapi_plugin_desc) */
	uint32_t abi_version;          /* XAPI_ABI_VERSION it was built against */
	uint32_t kind;                 /* enum xapi_kind */
	const char *name;              /* [a-z0-9_]+: the SR type, backend or collector name */
	const char *description;
	const char *vendor;
	const char *copyright;
	const char *version;
	/* Storage: xapi's capability strings ("SR_PROBE", "VDI_CREATE",
	 * "VDI_SNAPSHOT", "VDI_RESIZE/2"...), NULL terminated. The loader
	 * refuses a plugin that claims a capability whose op is NULL. */
	const char *const *capabilities;
	/* Keys of device_config (storage) or of the plugin's settings. */
	const struct xapi_config_key *config;
	uint32_t flags;                /* XAPI_PLUGIN_* */
	/* Releases what init made; st is what init returned. May be NULL. */
	void (*fini)(void *st);
	/* The kind's ops table: const struct xapi_sr_ops * for storage... */
	const void *ops;
};

/* The one exported symbol. Set *desc and *st, return XAPI_OK; or log why
 * (host->logv) and return a negative status. `self` identifies the plugin in
 * later host calls. It runs once in every worker process of the plugin (see
 * "Processes and threads" above), so it may run several times, concurrently
 * with ops in other workers. */
typedef int xapi_plugin_init_fn(const struct xapi_host *host, xapi_plugin_t *self,
				const struct xapi_plugin_desc **desc, void **st);

#define XAPI_PLUGIN_SYMBOL "xapi_plugin_init"

/* Defines xapi_plugin_init around init_fn, refusing a core of another
 * major before init_fn runs. (Its parameter names are prefixed so that a
 * plugin's own `host` or `desc` does not trip -Wshadow.) */
#define XAPI_PLUGIN_DEFINE(init_fn)                                                  \
	__attribute__((visibility("default"))) xapi_plugin_init_fn xapi_plugin_init; \
	int xapi_plugin_init(const struct xapi_host *xapi_host_, xapi_plugin_t *xapi_self_, \
			     const struct xapi_plugin_desc **xapi_desc_, void **xapi_st_)   \
	{                                                                            \
		if (!xapi_host_ ||                                                   \
		    XAPI_ABI_MAJOR_OF(xapi_host_->abi_version) != XAPI_ABI_MAJOR)    \
			return XAPI_E_UNSUPPORTED;                                   \
		return (init_fn)(xapi_host_, xapi_self_, xapi_desc_, xapi_st_);      \
	}

/* ---- convenience wrappers ---- */

static inline void xapi_log(const struct xapi_host *h, xapi_plugin_t *self, xapi_call_t *call,
			    enum xapi_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static inline void xapi_log(const struct xapi_host *h, xapi_plugin_t *self, xapi_call_t *call,
			    enum xapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	h->logv(self, call, level, fmt, ap);
	va_end(ap);
}

static inline int xapi_fail(const struct xapi_host *h, xapi_call_t *call, const char *xenapi_code,
			    int code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline int xapi_fail(const struct xapi_host *h, xapi_call_t *call, const char *xenapi_code,
			    int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = h->failv(call, xenapi_code, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* Refuses flag bits the op does not know. */
#define XAPI_CHECK_FLAGS(h, call, flags, supported)                                   \
	do {                                                                          \
		if ((flags) & ~(unsigned)(supported))                                 \
			return xapi_fail((h), (call), NULL, 1, "unsupported flags 0x%x",   \
					 (unsigned)((flags) & ~(unsigned)(supported)));       \
	} while (0)

#ifdef __cplusplus
}
#endif

#include <xapi/storage.h>
#include <xapi/network.h>
#include <xapi/metrics.h>

#endif /* XAPI_PLUGIN_H */
