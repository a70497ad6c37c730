/* dm_decl.h - the declaration of the XenAPI classes xapi-c serves, as plain data.
 * dm.c builds the typed runtime tables of dm.h from it; dm_relations.c
 * (hand-written) declares the one-to-many relations by name.
 *
 * GENERATED FILE, do not edit. Regenerate with
 *     python3 tools/dmgen.py PATH/TO/xenapi-datamodel.json lib
 * (tools/dmgen.py reads upstream's machine-readable datamodel and keeps
 * only names, types, qualifiers, defaults and flags, in our own format).
 */
#ifndef XD_DM_DECL_H
#define XD_DM_DECL_H

#include <stdbool.h>
#include <stddef.h>

#include "dm.h" /* xd_qual, xd_enum, XD_MSG_* */

typedef struct xd_decl_field {
	const char *name;
	const char *type;          /* type text, e.g. "(string -> string) map" */
	xd_qual qual;
	const char *default_text;  /* as declared, NULL = none */
	bool deprecated;
} xd_decl_field;

typedef struct xd_decl_param {
	const char *name;
	const char *type;
	const char *default_text;  /* NULL = mandatory */
} xd_decl_param;

typedef struct xd_decl_message {
	const char *name;
	const char *result;        /* type text */
	unsigned flags;            /* XD_MSG_* */
	const xd_decl_param *params; /* without the session parameter */
	size_t nparams;
} xd_decl_message;

typedef struct xd_decl_class {
	const char *name;
	const xd_decl_field *fields;
	size_t nfields;
	const xd_decl_message *messages;
	size_t nmessages;
} xd_decl_class;

/* "The one side's ref field" <-> "the many side's ref set", by name. */
typedef struct xd_decl_relation {
	const char *one_cls, *one_field;
	const char *many_cls, *many_field;
} xd_decl_relation;

extern const xd_decl_class xd_decl_classes[];
extern const size_t xd_decl_nclasses;
extern const xd_enum xd_decl_enums[];   /* sorted by name */
extern const size_t xd_decl_nenums;

/* dm_relations.c */
extern const xd_decl_relation xd_decl_relations[];
extern const size_t xd_decl_nrelations;

#endif
