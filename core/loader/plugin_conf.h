/* plugin_conf.h - the plugins.d directory: one <name>.conf file per plugin
 * (doc/plugins.md):
 *
 *     # comment
 *     enabled = true            true|false|yes|no|on|off|1|0, default false
 *     path = file.so            default <name>.so; relative to plugin_dir
 *     timeout.sr_scan = 300     how long that op may run (plugin_timeouts.h)
 *     anything_else = value     a setting: host->config_get("anything_else")
 *
 * Owns: the parsed entries it returns.
 */
#ifndef XD_PLUGIN_CONF_H
#define XD_PLUGIN_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin_timeouts.h"
#include "value.h"

typedef struct xd_plugin_conf {
	char *name;          /* the file name without .conf */
	char *file;          /* the .conf file */
	bool enabled;
	char *path;          /* the .so, absolute or relative to the cwd */
	xd_value *settings;  /* XD_V_STRUCT of strings */
	xd_op_timeouts timeouts; /* the timeout.<op> keys (not settings) */
	char *error;         /* why the file cannot be used (then enabled is
	                        whatever was read before the bad line) */
} xd_plugin_conf;

/* Reads every <dir>/<name>.conf (not hidden ones), sorted by name. A
 * directory that does not exist holds no plugins (0, *n = 0). Returns -1
 * with *why (heap) if it exists but cannot be read. */
int xd_plugin_conf_read(const char *dir, const char *plugin_dir, xd_plugin_conf **out,
			size_t *n, char **why);
void xd_plugin_conf_free(xd_plugin_conf *c, size_t n);

#endif
