/* xe_format.h - how xe names fields and shows values, from the datamodel
 * tables (dm.h): xe-style field names ("name-label", "sr-uuid"), access
 * markers ("( RO)", "(MRW)"...), values as text (sets "a; b", maps
 * "k: v; k2: v2", refs as the target's uuid, booleans true/false, enums in
 * lower case), text back to typed values for setters, and the record
 * layout of xe's output.
 *
 * Owns: nothing; every returned string is a heap copy the caller frees.
 */
#ifndef XE_FORMAT_H
#define XE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "dm.h"
#include "value.h"

/* What xe shows for a null or unknown reference. */
#define XE_NOT_IN_DB "<not in database>"

/* xe's name of a field: the wire name with '-' for '_' ("name-label",
 * "VCPUs-max"); a ref field named after its target class (VBD.VM, VDI.SR,
 * PIF.network) is "<class>-uuid" in lower case ("vm-uuid", "sr-uuid"). */
char *xe_field_name(const xd_field *f);
/* The field of c that a user's name means: xe name, wire name, either with
 * '-' or '_', any case (exact matches win). -1 if none. */
int xe_field_lookup(const xd_class *c, const char *name);

/* Which generic messages exist for the field (from the class's messages). */
bool xe_field_settable(const xd_class *c, const xd_field *f);  /* set_<f> */
bool xe_field_addable(const xd_class *c, const xd_field *f);   /* add_to_<f> / add_<f> */
bool xe_field_removable(const xd_class *c, const xd_field *f); /* remove_from_<f> / remove_<f> */
/* xe's access marker: "( RO)", "( RW)", "(SRO)", "(SRW)", "(MRO)", "(MRW)". */
const char *xe_field_marker(const xd_class *c, const xd_field *f);

/* Resolves a ref of class cls (the declared target class name) to the
 * object's uuid; returns a borrowed string or NULL if it cannot. */
typedef const char *(*xe_ref_fn)(void *ud, const char *cls, const char *ref);

/* A value of type t as xe shows it. resolve may be NULL (refs then show
 * XE_NOT_IN_DB unless null...). Never NULL. */
char *xe_format_value(const xd_type *t, const xd_value *v, xe_ref_fn resolve, void *ud);
/* One set element or map value alone (as in a set:contains filter). */
char *xe_format_scalar(const xd_type *t, const xd_value *v, xe_ref_fn resolve, void *ud);

/* Text from the command line to a value of scalar type t (string, int,
 * float, bool, datetime, enum; not ref: refs need the server). Enum names
 * match case-insensitively and come back as declared. Returns NULL with a
 * message in *why (heap) naming `what` on bad input. */
xd_value *xe_parse_value(const xd_type *t, const char *text, const char *what, char **why);

/* xe's record block: the first label padded on the right, the others on
 * the left, to 4 + the longest label; "label: value" lines, each ending in
 * '\n'. The caller prints it followed by two more newlines, as xe does. */
char *xe_render_record(const char *const *labels, const char *const *values, size_t n);

/* --minimal escaping: ',' -> "\,", '\' -> "\\". */
char *xe_escape_commas(const char *s);

/* Lower-cased copy, and '-' -> '_' copy (class names). */
char *xe_lower(const char *s);

#endif
