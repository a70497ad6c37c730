/* lvm_report.h - the rows of an LVM report (pvs, vgs, lvs run with
 * LVM_REPORT_OPTS: lines of LVM2_<FIELD>='value' pairs). Lines that are not
 * report rows (LVM's warnings share the output) are skipped. Shared with
 * any driver that uses lvm_cmd.h. */
#ifndef LVM_REPORT_H
#define LVM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#define LVM_ROW_FIELDS 16

struct lvm_row {
	size_t n;
	char *key[LVM_ROW_FIELDS];     /* without the LVM2_ prefix, e.g. "LV_NAME" */
	char *val[LVM_ROW_FIELDS];
};

struct lvm_rows {
	struct lvm_row *v;
	size_t n;
};

/* Parses out into rows (heap; lvm_rows_free). Returns 0, -1 on ENOMEM or a
 * malformed row. */
int lvm_report_parse(const char *out, struct lvm_rows *rows);
void lvm_rows_free(struct lvm_rows *rows);
/* The value of field (e.g. "LV_NAME"), NULL if the row has none. */
const char *lvm_row_get(const struct lvm_row *row, const char *field);
/* The same as a number; -1 if absent or not a number. */
int64_t lvm_row_int(const struct lvm_row *row, const char *field);
/* Does the comma-separated LV_TAGS of row hold `tag`? With a prefix
 * ("snapshot_of="), the rest of the first matching tag into buf. */
int lvm_row_tag(const struct lvm_row *row, const char *prefix, char *buf, size_t len);

#endif
