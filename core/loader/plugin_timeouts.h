/* plugin_timeouts.h - how long one storage operation may run before its
 * worker is killed: the `timeout.<op> = SECONDS` keys of a plugin's
 * plugins.d file (doc/plugins.md), and the defaults when a key is absent:
 * short for the operations that only read or change metadata (a driver
 * stuck there is stuck, not busy), plugin_timeout for those that may move
 * or allocate data.
 *
 * Owns: the table of defaults.
 */
#ifndef XD_PLUGIN_TIMEOUTS_H
#define XD_PLUGIN_TIMEOUTS_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin_proto.h"

/* A metadata operation gets this long unless plugin_timeout is shorter. */
#define XD_METADATA_TIMEOUT_S 300.0

/* The limits a .conf file set, per op (xd_pp_sr_op_names order); 0: not
 * set. */
typedef struct xd_op_timeouts {
	double s[XD_PP_SR_NOPS];
} xd_op_timeouts;

/* Is key a `timeout.` key (then it is xapid's, not a plugin setting)? */
bool xd_op_timeout_key(const char *key);
/* Takes one `timeout.<op> = value` line: value a number of seconds more
 * than 0. Returns 0, or -1 with *why (heap) naming the key: an unknown op
 * or a bad value. */
int xd_op_timeout_parse(xd_op_timeouts *t, const char *key, const char *value, char **why);
/* The limit for op (an index of xd_pp_sr_op_names): the .conf's value,
 * else the default. source (for log lines) gets where it comes from:
 * "timeout.sr_scan", "the default for metadata operations" or
 * "plugin_timeout". */
double xd_op_timeout(const xd_op_timeouts *t, int op, double plugin_timeout, char *source,
		     size_t source_len);

#endif
