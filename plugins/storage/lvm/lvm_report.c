/* lvm_report.c - parsing LVM's --nameprefixes reports (see lvm_report.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvm_report.h"

static void row_free(struct lvm_row *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->key[i]);
		free(r->val[i]);
	}
	r->n = 0;
}

void lvm_rows_free(struct lvm_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		row_free(&rows->v[i]);
	free(rows->v);
	rows->v = NULL;
	rows->n = 0;
}

/* One line "  LVM2_A='x' LVM2_B='y'" into r; 1 if it is a row, 0 if it is
 * not one (a warning), -1 on error. */
static int parse_line(const char *s, size_t len, struct lvm_row *r)
{
	const char *end = s + len;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(end - s) < 5 || strncmp(s, "LVM2_", 5) != 0)
		return 0;
	while (s < end) {
		while (s < end && *s == ' ')
			s++;
		if (s == end)
			break;
		if ((size_t)(end - s) < 5 || strncmp(s, "LVM2_", 5) != 0 || r->n >= LVM_ROW_FIELDS)
			return -1;
		s += 5;
		const char *eq = memchr(s, '=', (size_t)(end - s));
		if (!eq || eq + 1 >= end || eq[1] != '\'')
			return -1;
		const char *v = eq + 2;
		const char *q = memchr(v, '\'', (size_t)(end - v));
		if (!q)
			return -1;
		r->key[r->n] = strndup(s, (size_t)(eq - s));
		r->val[r->n] = strndup(v, (size_t)(q - v));
		r->n++;
		if (!r->key[r->n - 1] || !r->val[r->n - 1])
			return -1;
		s = q + 1;
	}
	return 1;
}

int lvm_report_parse(const char *out, struct lvm_rows *rows)
{
	rows->v = NULL;
	rows->n = 0;
	size_t cap = 0;
	for (const char *line = out; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct lvm_row r = { 0 };
		int k = parse_line(line, len, &r);
		if (k < 0) {
			row_free(&r);
			lvm_rows_free(rows);
			return -1;
		}
		if (k > 0) {
			if (rows->n == cap) {
				size_t ncap = cap ? 2 * cap : 16;
				struct lvm_row *nv = realloc(rows->v, ncap * sizeof(*nv));
				if (!nv) {
					row_free(&r);
					lvm_rows_free(rows);
					return -1;
				}
				rows->v = nv;
				cap = ncap;
			}
			rows->v[rows->n++] = r;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

const char *lvm_row_get(const struct lvm_row *row, const char *field)
{
	for (size_t i = 0; i < row->n; i++)
		if (strcmp(row->key[i], field) == 0)
			return row->val[i];
	return NULL;
}

int64_t lvm_row_int(const struct lvm_row *row, const char *field)
{
	const char *v = lvm_row_get(row, field);
	if (!v || !*v)
		return -1;
	char *end;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (errno || *end || n < 0)
		return -1;
	return n;
}

int lvm_row_tag(const struct lvm_row *row, const char *prefix, char *buf, size_t len)
{
	const char *tags = lvm_row_get(row, "LV_TAGS");
	size_t pl = strlen(prefix);
	for (const char *t = tags; t && *t;) {
		const char *c = strchr(t, ',');
		size_t l = c ? (size_t)(c - t) : strlen(t);
		if (l >= pl && strncmp(t, prefix, pl) == 0) {
			if (buf && len)
				snprintf(buf, len, "%.*s", (int)(l - pl), t + pl);
			return 1;
		}
		t = c ? c + 1 : NULL;
	}
	return 0;
}
