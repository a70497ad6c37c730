/* plugin_conf.c - reading plugins.d (see plugin_conf.h). */
#define _GNU_SOURCE /* asprintf */
#include "plugin_conf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static void set_error(xd_plugin_conf *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(xd_plugin_conf *c, const char *fmt, ...)
{
	va_list ap;
	free(c->error);
	c->error = NULL;
	va_start(ap, fmt);
	if (vasprintf(&c->error, fmt, ap) < 0)
		c->error = NULL;
	va_end(ap);
}

static void read_file(xd_plugin_conf *c, const char *plugin_dir)
{
	char *path_value = NULL;
	FILE *f = fopen(c->file, "r");
	if (!f) {
		set_error(c, "cannot read %s: %s", c->file, strerror(errno));
		goto out;
	}
	char line[4096];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			set_error(c, "%s line %d: expected 'key = value'", c->file, lineno);
			break;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = 0;
			val++;
		}
		if (!*key) {
			set_error(c, "%s line %d: no key before '='", c->file, lineno);
			break;
		}
		if (strcmp(key, "enabled") == 0) {
			if (parse_bool(val, &c->enabled) != 0) {
				set_error(c, "%s line %d: enabled = '%s' is not true or false", c->file,
					  lineno, val);
				break;
			}
		} else if (strcmp(key, "path") == 0) {
			free(path_value);
			path_value = strdup(val);
		} else if (xd_op_timeout_key(key)) {
			char *why = NULL;
			if (xd_op_timeout_parse(&c->timeouts, key, val, &why) != 0) {
				set_error(c, "%s line %d: %s", c->file, lineno,
					  why ? why : "bad timeout");
				free(why);
				break;
			}
		} else {
			xd_struct_set_take(c->settings, key, xd_string(val));
		}
	}
	fclose(f);
out:
	{
		const char *so = path_value;
		char dflt[1024];
		if (!so || !*so) {
			snprintf(dflt, sizeof dflt, "%s.so", c->name);
			so = dflt;
		}
		if (so[0] == '/' || !plugin_dir || !*plugin_dir)
			c->path = strdup(so);
		else if (asprintf(&c->path, "%s/%s", plugin_dir, so) < 0)
			c->path = NULL;
		if (!c->path)
			c->path = strdup(so);
	}
	free(path_value);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const xd_plugin_conf *)a)->name, ((const xd_plugin_conf *)b)->name);
}

int xd_plugin_conf_read(const char *dir, const char *plugin_dir, xd_plugin_conf **out,
			size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	*why = NULL;
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		if (asprintf(why, "cannot read %s: %s", dir, strerror(errno)) < 0)
			*why = NULL;
		return -1;
	}
	xd_plugin_conf *list = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			xd_plugin_conf *grown = realloc(list, cap * sizeof *list);
			if (!grown)
				break;
			list = grown;
		}
		xd_plugin_conf *c = &list[count++];
		memset(c, 0, sizeof *c);
		c->name = strndup(e->d_name, len - 5);
		if (asprintf(&c->file, "%s/%s", dir, e->d_name) < 0)
			c->file = NULL;
		c->settings = xd_struct();
		if (!c->name || !c->file) {
			xd_plugin_conf_free(list, count);
			closedir(d);
			*why = strdup("out of memory");
			return -1;
		}
		read_file(c, plugin_dir);
	}
	closedir(d);
	if (count)
		qsort(list, count, sizeof *list, by_name);
	*out = list;
	*n = count;
	return 0;
}

void xd_plugin_conf_free(xd_plugin_conf *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].name);
		free(c[i].file);
		free(c[i].path);
		free(c[i].error);
		xd_value_free(c[i].settings);
	}
	free(c);
}
