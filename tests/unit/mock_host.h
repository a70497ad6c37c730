/* mock_host.h - a struct xapi_host without xapid, for unit tests of plugins:
 * dlopens a plugin, runs its init, and records what each call emitted and
 * the error it reported. run() really runs the helper (fork + exec, output
 * captured, timeout), so a driver's real commands are exercised.
 *
 * Owns: the loaded plugin (never dlclosed, as xapid), the results of the
 * last call (cleared by mock_call_begin).
 */
#ifndef MOCK_HOST_H
#define MOCK_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <xapi/plugin.h>

#define MOCK_MAX 256

/* A read-only map as the core passes them (up to 16 pairs). */
struct xapi_kv {
	size_t n;
	const char *k[16];
	const char *v[16];
};

struct mock_vdi {
	char *location, *uuid, *name_label, *snapshot_of, *parent, *datapath;
	long long virtual_size, physical_utilisation;
	int read_only, is_a_snapshot;
};

struct mock_sr {
	char *uuid, *name_label;
	long long physical_size, physical_utilisation, virtual_allocation;
};

/* One call in progress and what it produced. */
struct xapi_call {
	int fail_code;             /* SR_BACKEND_FAILURE number given to failv, 0 none */
	char *fail_xenapi;         /* or the XenAPI code given */
	char *fail_msg;
	struct mock_vdi vdis[MOCK_MAX];
	size_t nvdis;
	struct mock_sr srs[MOCK_MAX];
	size_t nsrs;
	int runs;                  /* helpers run during the call */
};

struct mock_plugin {
	const struct xapi_plugin_desc *desc;
	void *st;
	const char *settings[8][2]; /* config_get answers */
};

extern const struct xapi_host mock_host;
/* Set to print the plugin's log lines on stderr. */
extern bool mock_verbose;

/* dlopen + xapi_plugin_init; 0 or -1 (message on stderr). */
int mock_load(const char *so_path, struct mock_plugin *p);
void mock_call_begin(struct xapi_call *c);
void mock_call_clear(struct xapi_call *c);
/* The emitted VDI at location, or NULL. */
const struct mock_vdi *mock_find_vdi(const struct xapi_call *c, const char *location);

#endif
