/* xe_view.h - a class as xe shows it: its columns (one per field, plus
 * "<x>-name-label" after each "<x>-uuid" reference, as xe's vbd-list shows
 * vm-name-label), rows built from records with their values formatted on
 * first use, and the filters of <class>-list and event-wait
 * (field=value, field=/=value, map:key=value, set:contains=value).
 *
 * Owns: its columns and each row's formatted values.
 */
#ifndef XE_VIEW_H
#define XE_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "dm.h"
#include "value.h"
#include "xe_client.h"

typedef struct xe_col {
	char *label;        /* xe name: "name-label", "vm-uuid", "vm-name-label" */
	const char *marker; /* "( RO)", "(MRW)"... */
	int field;          /* field index in the class */
	bool ref_name;      /* virtual: the name_label of the ref in `field` */
} xe_col;

typedef struct xe_view {
	const xd_class *cls;
	xe_col *cols;
	size_t ncols;
} xe_view;

void xe_view_init(xe_view *v, const xd_class *c);
void xe_view_clear(xe_view *v);
/* The column a user's name means (see xe_field_lookup for the rules), or -1. */
int xe_view_col(const xe_view *v, const char *name);
/* "label marker" as xe prints it on the left ("name-label ( RW)"). Caller frees. */
char *xe_view_heading(const xe_view *v, size_t col);

typedef struct xe_row {
	const char *ref;      /* borrowed */
	const xd_value *rec;  /* borrowed: the record struct (wire names) */
	char **vals;          /* formatted values, NULL until asked for */
} xe_row;

void xe_row_init(xe_row *r, const xe_view *v, const char *ref, const xd_value *rec);
void xe_row_clear(xe_row *r, const xe_view *v);
/* The column's value as xe shows it (borrowed from the row). May call the
 * server to resolve refs. */
const char *xe_row_value(xe_row *r, const xe_view *v, size_t col, xe_client *x);

typedef enum { XE_F_FIELD, XE_F_MAP_KEY, XE_F_SET_CONTAINS } xe_filter_kind;

typedef struct xe_filter {
	xe_filter_kind kind;
	size_t col;          /* XE_F_FIELD */
	int field;           /* XE_F_MAP_KEY, XE_F_SET_CONTAINS */
	char *key;           /* map key */
	char *value;
	bool negate;         /* "field=/=value" (event-wait) */
} xe_filter;

/* Parses one filter. Returns 0, or -1 with a message in *why (heap):
 * "Unknown field 'x'", "Field 'x' is not a set or map", ... */
int xe_filter_parse(const xe_view *v, const char *key, const char *value, bool allow_negate,
		    xe_filter *f, char **why);
bool xe_filter_match(const xe_filter *f, xe_row *r, const xe_view *v, xe_client *x);
void xe_filter_clear(xe_filter *f);

#endif
