/* xen_internal.h - what the generated bindings and the hand-written runtime
 * of libxenserver share: type descriptors and the one call entry point.
 * Not installed.
 *
 * Every value the library moves lives in a "slot": a char * for strings and
 * refs, an int64_t, a double, a bool, a time_t, an int for enums and for
 * xen_int_set's members, and a pointer for everything allocated (sets, maps,
 * records, record_opts). A descriptor says which, and for the composite
 * kinds where the parts are; one generic parser, writer and free walk every
 * type from its descriptor, so the generated code is tables and thin calls.
 */
#ifndef XEN_INTERNAL_H
#define XEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xen/api/xen_common.h"

enum xen_kind_ {
	XK_STRING,   /* char *, also refs in argument and result position */
	XK_INT,      /* int64_t */
	XK_CINT,     /* int (xen_int_set's members) */
	XK_FLOAT,    /* double */
	XK_BOOL,     /* bool */
	XK_DATETIME, /* time_t */
	XK_ENUM,     /* enum (an int) */
	XK_REF_OPT,  /* xen_X_record_opt *: a ref inside a record or map value */
	XK_SET,      /* { size_t size; T contents[]; } * */
	XK_MAP,      /* { size_t size; { K key; V val; } contents[]; } * */
	XK_RECORD,   /* xen_X_record * */
};

typedef struct xen_type_ xen_type_;

typedef struct xen_member_ {
	const char *name;        /* the field's wire name */
	const xen_type_ *type;
	size_t offset;
} xen_member_;

struct xen_type_ {
	enum xen_kind_ kind;
	size_t size;             /* SET: a member's size; MAP: an entry's; RECORD: the struct's */
	const xen_type_ *elem;   /* SET: members; MAP: keys; REF_OPT: the record */
	const xen_type_ *val;    /* MAP: values */
	size_t val_offset;       /* MAP: offsetof(entry, val) */
	const xen_member_ *members; /* RECORD */
	size_t nmembers;
	bool has_handle;         /* RECORD: a handle (char *) at offset 0, the object's ref */
	const char *const *names; /* ENUM: the wire names, in enum order */
	int nnames;
};

/* The scalar descriptors (xen_types.c). */
extern const xen_type_ xen_t_string_, xen_t_int_, xen_t_cint_, xen_t_float_, xen_t_bool_,
	xen_t_datetime_;
extern const xen_type_ xen_t_string_set_, xen_t_int_set_, xen_t_string_set_set_,
	xen_t_string_string_map_, xen_t_string_int_map_;

/* One argument of a call: its type and the address of its slot. */
typedef struct xen_arg_ {
	const xen_type_ *type;
	const void *slot;
} xen_arg_;

/* Calls method with the session's id first (unless no_session), then args.
 * On success parses the Value into *result (a slot of type rt; NULL: none)
 * and returns true; otherwise fills session->ok/error_description. Does
 * nothing when session->ok is already false (upstream's contract). */
bool xen_call_(xen_session *s, const char *method, const xen_arg_ *args, size_t nargs,
	       const xen_type_ *rt, void *result);
bool xen_call_raw_(xen_session *s, const char *method, const xen_arg_ *args, size_t nargs,
		   const xen_type_ *rt, void *result);

/* Frees what the slot of type t holds (not the slot itself). */
void xen_free_slot_(const xen_type_ *t, void *slot);
/* Frees a pointer-slot value: xen_free_ptr_(t, p) == xen_free_slot_(t, &p). */
void xen_free_ptr_(const xen_type_ *t, void *p);
/* calloc'd set/map with room for n members/entries, size set to n. */
void *xen_set_alloc_(const xen_type_ *t, size_t n);
void *xen_zalloc_(size_t n);
char *xen_strdup_(const char *s);

/* Enum helpers shared by every generated _to_string/_from_string. */
const char *xen_enum_to_string_(const xen_type_ *t, int v);
int xen_enum_from_string_(const xen_type_ *t, const char *s); /* nnames if unknown */
void xen_session_fail_(xen_session *s, const char *code, const char *param);
/* A new session on parent's transport holding id (taken; a session ref a
 * call returned, as VDI.open_database's); NULL if out of memory. */
xen_session *xen_session_adopt_(xen_session *parent, char *id);

#endif
