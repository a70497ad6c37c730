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
	unsigned roles;            /* bit i: xd_decl_roles[i] may call it (0: local root only) */
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

/* xapi's static roles, in upstream's order (bit i of a role mask). */
typedef struct xd_decl_role {
	const char *name;
	const char *description;
	bool is_internal;
} xd_decl_role;

/* An HTTP data path's permission: "http/<action>", allowed to `roles`. */
typedef struct xd_decl_http_action {
	const char *handler;       /* the name our handler gives xd_auth_http */
	const char *action;        /* upstream's action name, e.g. "put_import_raw_vdi" */
	unsigned roles;
} xd_decl_http_action;

extern const xd_decl_class xd_decl_classes[];
extern const size_t xd_decl_nclasses;
extern const xd_enum xd_decl_enums[];   /* sorted by name */
extern const size_t xd_decl_nenums;
extern const xd_decl_role xd_decl_roles[];
extern const size_t xd_decl_nroles;
extern const xd_decl_http_action xd_decl_http_actions[];
extern const size_t xd_decl_nhttp_actions;

/* dm_relations.c */
extern const xd_decl_relation xd_decl_relations[];
extern const size_t xd_decl_nrelations;

#endif
