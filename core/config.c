/* config.c - defaults, config file, flags (see config.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef XD_PLUGINDIR
#define XD_PLUGINDIR "/usr/local/lib/xapi-c/plugins"
#endif
#ifndef XD_SYSCONFDIR
#define XD_SYSCONFDIR "/etc"
#endif
#ifndef XD_LIBEXECDIR
#define XD_LIBEXECDIR "/usr/local/libexec"
#endif
#define DEFAULT_PLUGIN_WORKER XD_LIBEXECDIR "/xapi-c/xapid-plugin-worker"
#define DEFAULT_PLUGINS_CONF_DIR "/etc/xapi-c/plugins.d"

#define DEFAULT_CONFIG "/etc/xapi-c/xapid.conf"

xd_config xd_cfg;

static const xd_option options[] = {
	{ "config", NULL, 'c', "FILE", DEFAULT_CONFIG " if it exists", "the config file (key = value lines)" },
	{ "foreground", NULL, 'f', NULL, "off", "stay in the foreground and log to stderr" },
	{ "listen", NULL, 0, "ADDR:PORT", "127.0.0.1:8080", "TCP address for HTTP (XML-RPC, JSON-RPC, data paths)" },
	{ "listen_tls", NULL, 0, "ADDR:PORT|none", "127.0.0.1:8443", "TCP address for HTTPS (TLS 1.2 and 1.3; the same handlers as listen); none: no TLS listener" },
	{ "tls_cert", NULL, 0, "FILE", "<state-dir>/xapi-ssl.pem", "the TLS server key and certificate (chain) in one PEM file; made self-signed at first boot when missing" },
	{ "socket", NULL, 0, "PATH", "<state-dir>/xapi.sock", "local unix socket (uid-0 peers may log in as root without a password)" },
	{ "state_dir", NULL, 0, "DIR", "/var/lib/xapi-c", "database, socket, default SR storage: everything xapid writes" },
	{ "users_file", "users", 0, "FILE", "unset (PAM)", "user:crypt-hash lines used instead of PAM" },
	{ "pam_service", NULL, 0, "NAME", "xapi-c (PAM uses /etc/pam.d/other if there is no such file)", "PAM service for logins" },
	{ "backend", NULL, 0, "sim|xen", "xen if /dev/xen or xenstore exists, else sim", "hypervisor backend" },
	{ "fallback_to_sim", NULL, 0, "true|false", "false", "when the xen backend finds no hypervisor, run on the simulated host instead of failing to start" },
	{ "sim_memory", NULL, 0, "BYTES", "the simulated host's own default", "memory of the simulated host (sim backend): what VMs can be given" },
	{ "network_backend", NULL, 0, "NAME", "bridge", "the network backend plugin (xapi's network.conf): bridge or ovs, enabled in plugins.d" },
	{ "sim_netns", NULL, 0, "NAME", "xapi-<8 hex digits of the host uuid>", "sim backend: the network namespace of the simulated host's network (made at start, removed at a clean stop)" },
	{ "sim_nics", NULL, 0, "LIST", "eth0,eth1", "sim backend: the simulated host's NICs (veth devices in its namespace), comma separated" },
	{ "clean_shutdown_timeout", NULL, 0, "SECONDS", "1200 (xapi's)", "how long VM.clean_shutdown and VM.clean_reboot wait for the guest" },
	{ "plugin_dir", NULL, 0, "DIR", XD_PLUGINDIR, "where plugin .so files are looked up" },
	{ "plugins_conf_dir", NULL, 0, "DIR", DEFAULT_PLUGINS_CONF_DIR, "plugins.d: one <name>.conf per plugin (enabled = true, its settings); see doc/plugins.md" },
	{ "plugin_worker", NULL, 0, "FILE", DEFAULT_PLUGIN_WORKER, "the program that runs each plugin in a process of its own" },
	{ "plugin_timeout", NULL, 0, "SECONDS", "3600", "a plugin operation taking longer fails and its worker is restarted (metadata operations: 300 s; per operation: timeout.<op> in plugins.d)" },
	{ "plugin_cancel_grace", NULL, 0, "SECONDS", "5", "a cancelled plugin operation still running this long after its driver was told is killed with its worker" },
	{ "datapath_timeout", NULL, 0, "SECONDS", "60", "a VDI transfer (import, export, VDI.copy) whose NBD server answers nothing this long fails with VDI_IO_ERROR (a storage server gone)" },
	{ "log_level", NULL, 0, "LEVEL", "info", "debug, info, warn or error" },
	{ "log_file", NULL, 0, "FILE", "<state-dir>/xapid.log when daemonized, stderr in the foreground", "where the log goes" },
	{ "max_body", NULL, 0, "BYTES", "307200 (300 KiB, as xapi)", "largest RPC request accepted (larger: HTTP 413)" },
	{ "max_connections", NULL, 0, "N", "1024", "concurrent client connections" },
	{ "max_connections_per_address", NULL, 0, "N", "128", "concurrent connections from one client address (more: HTTP 503), so that one client cannot take every slot" },
	{ "request_timeout", NULL, 0, "SECONDS", "30", "a whole RPC request (head and body) must arrive within this long of its first byte (slower: HTTP 408 and close)" },
	{ "task_workers", NULL, 0, "N", "8", "threads running Async.* calls" },
	{ "session_idle_timeout", NULL, 0, "SECONDS", "86400", "idle sessions are logged out after this long" },
	{ "session_max_per_originator", NULL, 0, "N", "500", "oldest sessions of an originator beyond this are logged out" },
	{ "event_history", NULL, 0, "GENERATIONS", "100000", "how far back deletions are remembered for events; older tokens get EVENTS_LOST" },
	{ "task_gc_age", NULL, 0, "SECONDS", "3900", "finished tasks are destroyed this long after they finish" },
	{ "task_gc_max", NULL, 0, "N", "200", "beyond this many tasks the oldest finished ones go first" },
	{ "task_start_delay", NULL, 0, "SECONDS", "0", "for tests: wait this long before each queued Async call starts, so that it can be cancelled while queued" },
	{ "help", NULL, 'h', NULL, NULL, "show this help and exit" },
	{ "version", NULL, 'V', NULL, NULL, "show the version and exit" },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

static int parse_ulong(const char *key, const char *v, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-') {
		fprintf(stderr, "xapid: %s: '%s' is not a whole number\n", key, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int parse_double(const char *key, const char *v, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || end == v || *end || d < 0) {
		fprintf(stderr, "xapid: %s: '%s' is not a number of seconds\n", key, v);
		return -1;
	}
	*out = d;
	return 0;
}

/* Applies one key = value. */
static int apply(const char *key, const char *v)
{
	unsigned long n;
	if (strcmp(key, "listen") == 0)
		set_str(&xd_cfg.listen, v);
	else if (strcmp(key, "listen_tls") == 0)
		set_str(&xd_cfg.listen_tls, strcmp(v, "none") == 0 ? NULL : v);
	else if (strcmp(key, "tls_cert") == 0)
		set_str(&xd_cfg.tls_cert, v);
	else if (strcmp(key, "socket") == 0)
		set_str(&xd_cfg.socket_path, v);
	else if (strcmp(key, "state_dir") == 0)
		set_str(&xd_cfg.state_dir, v);
	else if (strcmp(key, "users_file") == 0)
		set_str(&xd_cfg.users_file, v);
	else if (strcmp(key, "pam_service") == 0)
		set_str(&xd_cfg.pam_service, v);
	else if (strcmp(key, "backend") == 0) {
		if (strcmp(v, "sim") != 0 && strcmp(v, "xen") != 0) {
			fprintf(stderr, "xapid: backend: '%s' is neither sim nor xen\n", v);
			return -1;
		}
		set_str(&xd_cfg.backend, v);
	} else if (strcmp(key, "fallback_to_sim") == 0) {
		if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0)
			xd_cfg.fallback_to_sim = true;
		else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcmp(v, "no") == 0)
			xd_cfg.fallback_to_sim = false;
		else {
			fprintf(stderr, "xapid: fallback_to_sim: '%s' is neither true nor false\n", v);
			return -1;
		}
	} else if (strcmp(key, "sim_memory") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		if (n < (1ul << 20)) {
			fprintf(stderr, "xapid: sim_memory: %lu is too small (at least 1 MiB)\n", n);
			return -1;
		}
		xd_cfg.sim_memory = n;
	} else if (strcmp(key, "network_backend") == 0) {
		set_str(&xd_cfg.network_backend, v);
	} else if (strcmp(key, "sim_netns") == 0) {
		if (!*v || strchr(v, '/') || strlen(v) > 64) {
			fprintf(stderr, "xapid: sim_netns: '%s' is not a namespace name\n", v);
			return -1;
		}
		set_str(&xd_cfg.sim_netns, v);
	} else if (strcmp(key, "sim_nics") == 0) {
		set_str(&xd_cfg.sim_nics, v);
	} else if (strcmp(key, "clean_shutdown_timeout") == 0) {
		if (parse_double(key, v, &xd_cfg.clean_shutdown_timeout) < 0)
			return -1;
	} else if (strcmp(key, "plugin_dir") == 0)
		set_str(&xd_cfg.plugin_dir, v);
	else if (strcmp(key, "plugins_conf_dir") == 0)
		set_str(&xd_cfg.plugins_conf_dir, v);
	else if (strcmp(key, "plugin_worker") == 0)
		set_str(&xd_cfg.plugin_worker, v);
	else if (strcmp(key, "plugin_timeout") == 0) {
		if (parse_double(key, v, &xd_cfg.plugin_timeout) < 0)
			return -1;
		if (xd_cfg.plugin_timeout <= 0) {
			fprintf(stderr, "xapid: plugin_timeout: must be more than 0 seconds\n");
			return -1;
		}
	} else if (strcmp(key, "plugin_cancel_grace") == 0) {
		if (parse_double(key, v, &xd_cfg.plugin_cancel_grace) < 0)
			return -1;
		if (xd_cfg.plugin_cancel_grace <= 0) {
			fprintf(stderr, "xapid: plugin_cancel_grace: must be more than 0 seconds\n");
			return -1;
		}
	} else if (strcmp(key, "datapath_timeout") == 0) {
		if (parse_double(key, v, &xd_cfg.datapath_timeout) < 0)
			return -1;
		if (xd_cfg.datapath_timeout <= 0) {
			fprintf(stderr, "xapid: datapath_timeout: must be more than 0 seconds\n");
			return -1;
		}
	}
	else if (strcmp(key, "log_level") == 0) {
		if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error")) {
			fprintf(stderr, "xapid: log_level: '%s' is not debug, info, warn or error\n", v);
			return -1;
		}
		set_str(&xd_cfg.log_level, v);
	} else if (strcmp(key, "log_file") == 0)
		set_str(&xd_cfg.log_file, v);
	else if (strcmp(key, "max_body") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		if (n < 1024) {
			fprintf(stderr, "xapid: max_body: %lu is too small (at least 1024)\n", n);
			return -1;
		}
		xd_cfg.max_body = n;
	} else if (strcmp(key, "max_connections") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		xd_cfg.max_connections = n ? (unsigned)n : 1;
	} else if (strcmp(key, "max_connections_per_address") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		xd_cfg.max_connections_per_address = n ? (unsigned)n : 1;
	} else if (strcmp(key, "request_timeout") == 0) {
		if (parse_double(key, v, &xd_cfg.request_timeout) < 0)
			return -1;
		if (xd_cfg.request_timeout <= 0) {
			fprintf(stderr, "xapid: request_timeout: must be more than 0\n");
			return -1;
		}
	} else if (strcmp(key, "task_workers") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		xd_cfg.task_workers = n ? (unsigned)n : 1;
	} else if (strcmp(key, "session_idle_timeout") == 0)
		return parse_double(key, v, &xd_cfg.session_idle_timeout);
	else if (strcmp(key, "session_max_per_originator") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		xd_cfg.session_max_per_originator = n ? (unsigned)n : 1;
	} else if (strcmp(key, "event_history") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		xd_cfg.event_history = n ? n : 1;
	} else if (strcmp(key, "task_gc_age") == 0)
		return parse_double(key, v, &xd_cfg.task_gc_age);
	else if (strcmp(key, "task_start_delay") == 0)
		return parse_double(key, v, &xd_cfg.task_start_delay);
	else if (strcmp(key, "task_gc_max") == 0) {
		if (parse_ulong(key, v, &n) < 0)
			return -1;
		xd_cfg.task_gc_max = (unsigned)n;
	} else {
		fprintf(stderr, "xapid: unknown setting '%s'\n", key);
		return -1;
	}
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int load_file(const char *path, bool must_exist)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		if (!must_exist && errno == ENOENT)
			return 0;
		fprintf(stderr, "xapid: cannot read config file %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[4096];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			fprintf(stderr, "xapid: %s:%d: expected 'key = value'\n", path, lineno);
			rc = -1;
			break;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		/* allow quoted values */
		size_t vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = 0;
			val++;
		}
		for (char *p = key; *p; p++)
			if (*p == '-')
				*p = '_';
		if (apply(key, val) < 0) {
			fprintf(stderr, "xapid: (in %s line %d)\n", path, lineno);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

static void set_defaults(void)
{
	set_str(&xd_cfg.listen, "127.0.0.1:8080");
	set_str(&xd_cfg.listen_tls, "127.0.0.1:8443");
	set_str(&xd_cfg.state_dir, "/var/lib/xapi-c");
	set_str(&xd_cfg.plugin_dir, XD_PLUGINDIR);
	set_str(&xd_cfg.plugins_conf_dir, DEFAULT_PLUGINS_CONF_DIR);
	set_str(&xd_cfg.plugin_worker, DEFAULT_PLUGIN_WORKER);
	set_str(&xd_cfg.network_backend, "bridge");
	xd_cfg.plugin_timeout = 3600;
	xd_cfg.plugin_cancel_grace = 5;
	xd_cfg.datapath_timeout = 60;
	set_str(&xd_cfg.log_level, "info");
	xd_cfg.max_body = 300u * 1024; /* xapi's http_limit_max_rpc_size */
	xd_cfg.max_connections = 1024;
	xd_cfg.max_connections_per_address = 128;
	xd_cfg.request_timeout = 30;
	xd_cfg.task_workers = 8;
	xd_cfg.session_idle_timeout = 86400;
	xd_cfg.session_max_per_originator = 500;
	xd_cfg.event_history = 100000;
	xd_cfg.task_gc_age = 3900;
	xd_cfg.task_gc_max = 200;
	xd_cfg.clean_shutdown_timeout = 1200;
}

/* A path setting left unset: the file of that name in the state dir. */
static void default_in_state_dir(char **dst, const char *name)
{
	if (*dst)
		return;
	size_t n = strlen(xd_cfg.state_dir) + strlen(name) + 2;
	*dst = malloc(n);
	if (!*dst)
		abort();
	snprintf(*dst, n, "%s/%s", xd_cfg.state_dir, name);
}

static const xd_option *find_long(const char *name)
{
	for (size_t i = 0; i < NOPTIONS; i++) {
		char flag[64];
		snprintf(flag, sizeof flag, "%s", options[i].key);
		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		if (strcmp(flag, name) == 0 ||
		    (options[i].flag_alias && strcmp(options[i].flag_alias, name) == 0))
			return &options[i];
	}
	return NULL;
}

static const xd_option *find_short(char c)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].short_flag == c)
			return &options[i];
	return NULL;
}

void xd_config_print_help(const char *prog)
{
	printf("Usage: %s [OPTION]...\n"
	       "xapid: the xapi-c toolstack daemon. Serves the XenAPI over XML-RPC and JSON-RPC\n"
	       "on a TCP address and a local unix socket.\n\n"
	       "Every option except -c, -f, -h and -V is also a config-file key (its long name with\n"
	       "'-' written as '_'); a flag overrides the key of the same name.\n\n",
	       prog);
	for (size_t i = 0; i < NOPTIONS; i++) {
		const xd_option *o = &options[i];
		char flag[64], left[128];
		snprintf(flag, sizeof flag, "%s", o->flag_alias ? o->flag_alias : o->key);
		for (char *p = flag; *p; p++)
			if (*p == '_')
				*p = '-';
		if (o->short_flag)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_flag, flag,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", flag, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		printf("  %-34s %s\n", left, o->help);
		if (o->def)
			printf("  %-34s (default: %s)\n", "", o->def);
	}
	printf("\nxapid prints \"xapid ready on ADDR:PORT\" to stderr once it accepts calls.\n"
	       "SIGTERM or SIGINT stop it cleanly. See doc/xapid.md.\n");
}

int xd_config_load(int argc, char **argv)
{
	set_defaults();
	/* First pass: the config file and the flags that end the program. */
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			xd_config_print_help(argv[0]);
			return 1;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("xapid (xapi-c) %s, XenAPI %d.%d\n", PACKAGE_VERSION,
			       XAPI_API_VERSION_MAJOR, XAPI_API_VERSION_MINOR);
			return 1;
		}
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && i + 1 < argc)
			file = argv[++i];
		else if (strncmp(a, "--config=", 9) == 0)
			file = a + 9;
	}
	if (file) {
		set_str(&xd_cfg.config_file, file);
		if (load_file(file, true) < 0)
			return -1;
	} else if (access(DEFAULT_CONFIG, F_OK) == 0) {
		set_str(&xd_cfg.config_file, DEFAULT_CONFIG);
		if (load_file(DEFAULT_CONFIG, true) < 0)
			return -1;
	}
	/* Second pass: the flags override the file. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const xd_option *o = NULL;
		const char *val = NULL;
		char name[128];
		if (strncmp(a, "--", 2) == 0) {
			snprintf(name, sizeof name, "%s", a + 2);
			char *eq = strchr(name, '=');
			if (eq) {
				*eq = 0;
				val = a + 2 + (eq - name) + 1;
			}
			o = find_long(name);
		} else if (a[0] == '-' && a[1] && !a[2]) {
			o = find_short(a[1]);
		}
		if (!o) {
			fprintf(stderr, "xapid: unknown option '%s' (see --help)\n", a);
			return -1;
		}
		if (!o->arg) {
			if (strcmp(o->key, "foreground") == 0)
				xd_cfg.foreground = true;
			continue;
		}
		if (!val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "xapid: option '%s' needs a value\n", a);
				return -1;
			}
			val = argv[++i];
		}
		if (strcmp(o->key, "config") == 0)
			continue;
		if (apply(o->key, val) < 0)
			return -1;
	}
	default_in_state_dir(&xd_cfg.socket_path, "xapi.sock");
	default_in_state_dir(&xd_cfg.tls_cert, "xapi-ssl.pem");
	return 0;
}

void xd_config_free(void)
{
	free(xd_cfg.config_file);
	free(xd_cfg.listen);
	free(xd_cfg.listen_tls);
	free(xd_cfg.tls_cert);
	free(xd_cfg.socket_path);
	free(xd_cfg.state_dir);
	free(xd_cfg.users_file);
	free(xd_cfg.pam_service);
	free(xd_cfg.backend);
	free(xd_cfg.network_backend);
	free(xd_cfg.sim_netns);
	free(xd_cfg.sim_nics);
	free(xd_cfg.plugin_dir);
	free(xd_cfg.plugins_conf_dir);
	free(xd_cfg.plugin_worker);
	free(xd_cfg.log_level);
	free(xd_cfg.log_file);
	memset(&xd_cfg, 0, sizeof xd_cfg);
}
