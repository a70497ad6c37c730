/* xe_obj.h - what the per-class command files share (internal to xe):
 * the helpers of xe_obj.c and the commands of xe_list.c and xe_change.c,
 * each an xe_class_cmd_fn (see xe_cmds.h) that returns the exit code.
 *
 * Owns: nothing.
 */
#ifndef XE_OBJ_H
#define XE_OBJ_H

#include <stdbool.h>

#include "dm.h"
#include "value.h"
#include "xe_args.h"
#include "xe_client.h"
#include "xe_cmds.h"

/* <Class>.<msg>(session, args...): the result, or NULL after printing the
 * error. args (an array) is taken; NULL for none. */
xd_value *xe_obj_call(xe_client *x, const xd_class *c, const char *msg, xd_value *args);
/* <Class>.get_all_records(), checked to be a map, each ref's uuid and
 * name-label remembered; NULL after printing the error. */
xd_value *xe_obj_all_records(xe_client *x, const xd_class *c);
/* The parameter's value, or NULL after printing "Required parameter not
 * found: <key>". */
const char *xe_obj_required(const xe_opts *o, const char *key);
/* Parameters that are never filters, fields or map entries (params=, all,
 * force, database:...). */
bool xe_obj_is_std_param(const char *k);
/* The ref and record of the object named by uuid=...; 0, or -1 after
 * printing the error. The caller frees *ref and *rec. */
int xe_obj_fetch(xe_client *x, const xe_opts *o, const xd_class *c, char **ref, xd_value **rec);

/* Prints one record as an xe block with the fields named in want
 * ("a,b,c"; "" or "all" for every field), as <class>-list shows them. */
void xe_print_fields(xe_client *x, const xd_class *c, const char *ref, const xd_value *rec,
		     const char *want);

int xe_cmd_list(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci);
int xe_cmd_param_list(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci);
int xe_cmd_param_get(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci);
int xe_cmd_param_set(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci);
int xe_cmd_param_add(xe_client *x, const xe_opts *o, const xd_class *c, const xe_classinfo *ci);
int xe_cmd_param_remove(xe_client *x, const xe_opts *o, const xd_class *c,
			const xe_classinfo *ci);
int xe_cmd_param_clear(xe_client *x, const xe_opts *o, const xd_class *c,
		       const xe_classinfo *ci);

#endif
