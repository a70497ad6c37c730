/* xe_args.c - the xe command line (see xe_args.h). */
#include "xe_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xe_util.h"

static void replace(char **slot, const char *v)
{
	free(*slot);
	*slot = xe_strdup(v);
}

int xe_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "t", "yes", "y", "1", "on", NULL };
	static const char *const no[] = { "false", "f", "no", "n", "0", "off", NULL };

	if (!s)
		return -1;
	for (size_t i = 0; yes[i]; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	for (size_t i = 0; no[i]; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	return -1;
}

static int parse_port(const char *s, int *port)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int xe_split_host_port(const char *s, char **host, int *port)
{
	const char *colon;

	*host = NULL;
	*port = 0;
	if (s[0] == '[') {
		/* [v6addr] or [v6addr]:port */
		const char *close = strchr(s, ']');

		if (!close)
			return -1;
		*host = xe_strndup(s + 1, (size_t)(close - s - 1));
		if (close[1] == '\0')
			return 0;
		if (close[1] != ':' || parse_port(close + 2, port) < 0)
			goto bad;
		return 0;
	}
	colon = strchr(s, ':');
	/* A bare IPv6 address has several colons and no port. */
	if (!colon || strchr(colon + 1, ':')) {
		*host = xe_strdup(s);
		return 0;
	}
	*host = xe_strndup(s, (size_t)(colon - s));
	if (parse_port(colon + 1, port) < 0)
		goto bad;
	return 0;
bad:
	free(*host);
	*host = NULL;
	*port = 0;
	return -1;
}

static void add_param(xe_opts *o, const char *key, size_t keylen, const char *val)
{
	xe_kv *n = xe_realloc(o->params, (o->nparams + 1) * sizeof(*n));

	o->params = n;
	n[o->nparams].key = xe_strndup(key, keylen);
	n[o->nparams].val = xe_strdup(val);
	o->nparams++;
}

static void add_word(xe_opts *o, const char *w)
{
	char **n = xe_realloc(o->words, (o->nwords + 1) * sizeof(*n));

	o->words = n;
	n[o->nwords++] = xe_strdup(w);
}

/* Applies a connection keyword (server=, port= ...). Returns 1 if key was
 * one, 0 if not, -1 on a bad value. */
static int set_keyword(xe_opts *o, const char *key, const char *val, char **why)
{
	if (strcmp(key, "server") == 0) {
		char *host = NULL;
		int port = 0;

		if (xe_split_host_port(val, &host, &port) < 0) {
			*why = xe_printf("Port number must be an integer (1-65535): '%s'", val);
			return -1;
		}
		free(o->server);
		o->server = host;
		if (port)
			o->port = port;
		return 1;
	}
	if (strcmp(key, "port") == 0) {
		if (parse_port(val, &o->port) < 0) {
			*why = xe_printf("Port number must be an integer (1-65535): '%s'", val);
			return -1;
		}
		return 1;
	}
	if (strcmp(key, "username") == 0) {
		replace(&o->username, val);
		return 1;
	}
	if (strcmp(key, "password") == 0) {
		replace(&o->password, val);
		return 1;
	}
	if (strcmp(key, "passwordfile") == 0) {
		replace(&o->pwfile, val);
		return 1;
	}
	if (strcmp(key, "socket") == 0) {
		replace(&o->socket, val);
		return 1;
	}
	if (strcmp(key, "minimal") == 0) {
		bool b = true;

		if (xe_parse_bool(val, &b) < 0) {
			*why = xe_printf("minimal must be true or false, not '%s'", val);
			return -1;
		}
		o->minimal = b;
		return 1;
	}
	return 0;
}

/* Options that take the next word as their value. */
static const struct {
	const char *opt;
	const char *key;
} valued_opts[] = {
	{ "-s", "server" },	    { "-h", "server" },	 { "-p", "port" },
	{ "-u", "username" },	    { "-pw", "password" }, { "-pwf", "passwordfile" },
	{ "--socket", "socket" },
};

int xe_args_parse(int argc, char *const *argv, xe_opts *o, char **why)
{
	bool raw = false; /* after `call METHOD`: words are positional */
	int rc = -1;

	memset(o, 0, sizeof(*o));
	*why = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *eq;
		size_t k;
		int r;

		for (k = 0; k < sizeof(valued_opts) / sizeof(valued_opts[0]); k++)
			if (strcmp(a, valued_opts[k].opt) == 0)
				break;
		if (k < sizeof(valued_opts) / sizeof(valued_opts[0])) {
			if (i + 1 >= argc) {
				*why = xe_printf("Option %s needs a value", a);
				goto out;
			}
			if (set_keyword(o, valued_opts[k].key, argv[++i], why) < 0)
				goto out;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-help") == 0) {
			o->help = true;
			continue;
		}
		if (strcmp(a, "--version") == 0 || strcmp(a, "-version") == 0) {
			o->version = true;
			continue;
		}
		if (strcmp(a, "--debug") == 0) {
			o->debug = true;
			continue;
		}
		if (strcmp(a, "--nossl") == 0) {
			o->nossl = true;
			continue;
		}
		if (strcmp(a, "--minimal") == 0) {
			o->minimal = true;
			continue;
		}
		if (raw) {
			add_word(o, a);
			continue;
		}
		if (strcmp(a, "--timeout") == 0) {
			/* Ours alone (xe's event-wait has none): takes a value. */
			if (i + 1 >= argc) {
				*why = xe_printf("Option %s needs a value", a);
				goto out;
			}
			add_param(o, "timeout", 7, argv[++i]);
			continue;
		}
		if (a[0] == '-' && a[1] == '-' && a[2]) {
			/* --flag is flag=true, --key=value is key=value */
			const char *body = a + 2;

			eq = strchr(body, '=');
			if (eq)
				add_param(o, body, (size_t)(eq - body), eq + 1);
			else
				add_param(o, body, strlen(body), "true");
			continue;
		}
		eq = strchr(a, '=');
		if (!eq) {
			if (!o->command) {
				o->command = xe_strdup(a);
				raw = strcmp(a, "call") == 0;
			} else {
				add_word(o, a);
			}
			continue;
		}
		{
			char *key = xe_strndup(a, (size_t)(eq - a));

			r = set_keyword(o, key, eq + 1, why);
			free(key);
		}
		if (r < 0)
			goto out;
		if (r == 0)
			add_param(o, a, (size_t)(eq - a), eq + 1);
	}
	rc = 0;
out:
	if (rc < 0)
		xe_opts_clear(o);
	return rc;
}

void xe_opts_clear(xe_opts *o)
{
	free(o->server);
	free(o->username);
	free(o->password);
	free(o->pwfile);
	free(o->socket);
	free(o->command);
	for (size_t i = 0; i < o->nparams; i++) {
		free(o->params[i].key);
		free(o->params[i].val);
	}
	free(o->params);
	for (size_t i = 0; i < o->nwords; i++)
		free(o->words[i]);
	free(o->words);
	memset(o, 0, sizeof(*o));
}

const char *xe_opts_get(const xe_opts *o, const char *key)
{
	for (size_t i = o->nparams; i-- > 0;)
		if (strcmp(o->params[i].key, key) == 0)
			return o->params[i].val;
	return NULL;
}

bool xe_opts_flag(const xe_opts *o, const char *key)
{
	const char *v = xe_opts_get(o, key);
	bool b = false;

	return v && xe_parse_bool(v, &b) == 0 && b;
}
