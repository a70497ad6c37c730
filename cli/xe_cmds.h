/* xe_cmds.h - the xe commands: the per-class ones (<class>-list,
 * -param-list, -param-get, -param-set, -param-add, -param-remove,
 * -param-clear), event-wait, and the table of classes xe knows by name.
 *
 * Every command returns the process exit code (0 or 1) and has printed its
 * output (stdout) or its error (stderr).
 */
#ifndef XE_CMDS_H
#define XE_CMDS_H

#include "dm.h"
#include "xe_args.h"
#include "xe_client.h"

typedef struct xe_classinfo {
	const char *xe_name;   /* "vm", "host-cpu" */
	const char *dm_name;   /* "VM", "host_cpu" */
	const char *defaults;  /* <class>-list columns, comma separated; "" = all */
	const char *filters;   /* implicit filters, e.g. "is-a-template=false" */
	const char *what;      /* plural for help texts */
} xe_classinfo;

/* The table of classes with xe names, in help order. */
const xe_classinfo *xe_classinfo_at(size_t i);
size_t xe_classinfo_count(void);
/* The class behind an xe name ("vm", "host-cpu", or any served class by its
 * name, case-insensitive, '-' for '_'); NULL if none. *ci gets the table
 * entry or a generic one. */
const xd_class *xe_class_resolve(const char *xe_name, const xe_classinfo **ci);

/* The per-class operations, by the suffix of the command name. */
typedef int (*xe_class_cmd_fn)(xe_client *x, const xe_opts *o, const xd_class *c,
			       const xe_classinfo *ci);
typedef struct xe_class_op {
	const char *suffix;    /* "-list", "-param-get"... */
	xe_class_cmd_fn fn;
	const char *required;  /* for help: "uuid param-name" */
	const char *optional;
	const char *help;
} xe_class_op;
size_t xe_class_op_count(void);
const xe_class_op *xe_class_op_at(size_t i);
/* Splits "vm-param-get" into its class and op; NULL if not one. */
const xe_class_op *xe_class_op_match(const char *command, const xd_class **c,
				     const xe_classinfo **ci);

int xe_cmd_event_wait(xe_client *x, const xe_opts *o);

#endif
