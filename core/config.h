/* config.h - xapid's settings: defaults, then the config file, then the
 * command-line flags (a flag overrides the key of the same name). The keys
 * are documented in doc/xapid.md and by `xapid --help`.
 * Owns: the one xd_config instance (filled in main before threads start,
 * read-only after). */
#ifndef XD_CONFIG_H
#define XD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct xd_config {
	char *config_file;
	bool foreground;
	char *listen;                 /* "127.0.0.1:8080" */
	char *listen_tls;             /* "127.0.0.1:8443"; NULL: no TLS listener */
	char *tls_cert;               /* default <state_dir>/xapi-ssl.pem */
	char *socket_path;            /* default <state_dir>/xapi.sock */
	char *state_dir;              /* /var/lib/xapi-c */
	char *users_file;             /* NULL: PAM */
	char *pam_service;
	char *backend;                /* "sim" | "xen"; NULL = detect */
	bool fallback_to_sim;         /* xen unavailable: run on sim instead of failing */
	unsigned long long sim_memory; /* bytes of the simulated host's memory; 0: its default */
	char *network_backend;        /* plugins.d name of the network backend ("bridge") */
	char *sim_netns;              /* the simulated host's network namespace; NULL: derived */
	char *sim_nics;               /* its NICs, comma separated */
	double clean_shutdown_timeout; /* seconds a guest gets to shut down cleanly */
	char *plugin_dir;
	char *plugins_conf_dir;       /* plugins.d: which plugins load, their settings */
	char *plugin_worker;          /* the xapid-plugin-worker program */
	double plugin_timeout;        /* seconds one plugin op may take */
	double plugin_cancel_grace;   /* seconds a cancelled op may go on */
	double datapath_timeout;      /* seconds a VDI's NBD server may stay silent */
	char *log_level;
	char *log_file;               /* default <state_dir>/xapid.log when daemonized */
	size_t max_body;              /* RPC request limit, bytes */
	unsigned max_connections;
	unsigned max_connections_per_address;
	double request_timeout;       /* seconds for a whole RPC request to arrive */
	unsigned task_workers;
	double session_idle_timeout;  /* seconds */
	unsigned session_max_per_originator;
	unsigned long event_history;  /* generations of deletions remembered */
	double task_gc_age;           /* seconds after which finished tasks go */
	unsigned task_gc_max;
	double task_start_delay;      /* tests: wait before each queued Async call runs */
} xd_config;

/* The options table drives the parser, --help and doc generation. */
typedef struct xd_option {
	const char *key;      /* config key, also the long flag with '_' -> '-' */
	const char *flag_alias; /* e.g. "users" for users_file, or NULL */
	char short_flag;      /* or 0 */
	const char *arg;      /* argument name for --help, NULL for booleans */
	const char *def;      /* default shown in --help */
	const char *help;
} xd_option;

extern xd_config xd_cfg;

/* Parses argv (and the config file it names, or the default one if it
 * exists). Returns 0 to go on, 1 when --help/--version was handled (exit 0),
 * -1 on a bad flag, key or value (message already printed to stderr). */
int xd_config_load(int argc, char **argv);
void xd_config_free(void);
void xd_config_print_help(const char *prog);

#endif
