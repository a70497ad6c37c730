/* xe_select.h - the object selectors upstream xe's operation commands share:
 * `vm=<name or uuid>` (or `host=`...), any field of the class as a filter
 * (`power-state=running`, `uuid=...`, `other-config:k=v`, `tags:contains=x`),
 * the implicit filters of the class (templates and the control domain are
 * never picked by mistake), and --multiple: an operation on more than one
 * object runs only when the user says so.
 *
 * Owns: the refs and records of a selection (freed by xe_selection_clear).
 */
#ifndef XE_SELECT_H
#define XE_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "value.h"
#include "xe_args.h"
#include "xe_client.h"

typedef struct xe_selspec {
	const char *cls;            /* datamodel class: "VM", "host" */
	const char *name_key;       /* "vm": vm=<name-label or uuid>; NULL for none */
	const char *implicit;       /* "is-a-template=false,...": added filters, or NULL */
	const char *const *own;     /* the command's own parameters (not filters), NULL-ended */
	const char *what;           /* "VMs", "hosts": for the messages */
	const char *one;            /* "VM", "host" */
} xe_selspec;

/* The VM selector of a command (templates and the control domain left out
 * unless implicit says otherwise); the rest are the command's own parameters. */
#define XE_VM_IMPLICIT "is-control-domain=false,is-a-template=false"
#define XE_VM_SPEC(implicit, ...)                                                           \
	(&(const xe_selspec){ "VM", "vm", implicit, (const char *const[]){ __VA_ARGS__, NULL }, \
			      "VMs", "VM" })

/* The host selector (host=<name or uuid>, field filters); the rest are the
 * command's own parameters. */
#define XE_HOST_SPEC(...)                                                                    \
	(&(const xe_selspec){ "host", "host", NULL, (const char *const[]){ __VA_ARGS__, NULL }, \
			      "hosts", "host" })

/* The pool's default SR (a ref, caller frees), or NULL after printing
 * xapi's failure `why` if the pool has none (or if why is NULL, silently). */
char *xe_default_sr(xe_client *x, const char *why);

typedef struct xe_selected {
	char *ref;
	xd_value *rec;              /* the record (wire names) */
	const char *uuid;           /* borrowed from rec */
} xe_selected;

typedef struct xe_selection {
	xe_selected *items;
	size_t n;
} xe_selection;

/* Every object of the class the command line selects. 0, or -1 after
 * printing the error (an unknown field, the server's error). */
int xe_select(xe_client *x, const xe_opts *o, const xe_selspec *s, xe_selection *out);
void xe_selection_clear(xe_selection *sel);

/* One operation on a selected object: 0, or 1 after printing its error. */
typedef int (*xe_sel_op)(xe_client *x, const xe_opts *o, const xe_selected *obj, void *ud);

/* Upstream's do_vm_op: selects, then runs op on the one match; on several
 * only with --multiple (and only when multiple_ok), on each in turn. None,
 * or several without --multiple, is xapi's failure. Returns the exit code. */
int xe_select_each(xe_client *x, const xe_opts *o, const xe_selspec *s, bool multiple_ok,
		   xe_sel_op op, void *ud);

/* A failure as the xapi CLI server reports a `failwith` (INTERNAL_ERROR,
 * "Failure: <message>"), printed xe-style. */
void xe_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
