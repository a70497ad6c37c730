/* main.c - xapid: configuration, start-up in dependency order, the signal
 * loop, and a clean shutdown in the reverse order. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/session.h"
#include "config.h"
#include "crash.h"
#include "db/db.h"
#include "dm.h"
#include "host/firstboot.h"
#include "http/http.h"
#include "hv/hv.h"
#include "loader/plugins.h"
#include "metrics/metrics.h"
#include "log.h"
#include "network/network.h"
#include "rpc/rpc.h"
#include "storage/storage.h"
#include "tasks/tasks.h"
#include "tls/tls.h"

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static const char *choose_backend(void)
{
	if (xd_cfg.backend)
		return xd_cfg.backend;
	/* as DESIGN §9: the real hypervisor when there is one */
	if (access("/dev/xen", F_OK) == 0 || access("/proc/xen/xenbus", F_OK) == 0)
		return "xen";
	return "sim";
}

/* Daemon mode: the parent waits until the child is ready (or failed) so that
 * "xapid ready on" and the exit status mean the same in both modes. */
static int daemonize(int *ready_fd)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		char buf[256];
		ssize_t n = read(p[0], buf, sizeof buf - 1);
		if (n <= 0)
			_exit(1);
		buf[n] = 0;
		fputs(buf, stderr);
		_exit(strncmp(buf, "xapid ready", 11) == 0 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		close(devnull);
	}
	*ready_fd = p[1];
	return 0;
}

static void say_ready(int ready_fd, const char *msg)
{
	if (ready_fd >= 0) {
		ssize_t n = write(ready_fd, msg, strlen(msg));
		(void)n;
		close(ready_fd);
	} else {
		fputs(msg, stderr);
		fflush(stderr);
	}
}

int main(int argc, char **argv)
{
	xd_crash_init();
	int rc = xd_config_load(argc, argv);
	if (rc != 0) {
		xd_config_free();
		return rc > 0 ? 0 : 2;
	}
	xd_log_level lvl;
	xd_log_level_parse(xd_cfg.log_level, &lvl);
	xd_log_set_level(lvl);

	if (xd_dm_init() != 0) {
		fprintf(stderr, "xapid: the datamodel declaration is broken\n");
		return 1;
	}
	if (getenv("XAPID_API_COVERAGE")) {
		/* used by `make doc/api-coverage.md`: no daemon, just the table */
		xd_rpc_init();
		xd_coverage_print(stdout);
		return 0;
	}
	if (mkdir_p(xd_cfg.state_dir) != 0) {
		fprintf(stderr, "xapid: cannot create state dir %s: %s\n", xd_cfg.state_dir,
			strerror(errno));
		return 1;
	}
	/* The TLS certificate before anything else starts: a broken one is an
	 * operator's mistake to report at once (never replaced by a new one). */
	bool tls = false;
	if (xd_cfg.listen_tls) {
		char why[768];
		if (xd_tls_init(xd_cfg.tls_cert, why, sizeof why) != 0) {
			fprintf(stderr, "xapid: TLS certificate: %s\n", why);
			xd_config_free();
			return 1;
		}
		tls = true;
	}
	int ready_fd = -1;
	if (!xd_cfg.foreground) {
		char deflog[4096];
		snprintf(deflog, sizeof deflog, "%s/xapid.log", xd_cfg.state_dir);
		if (xd_log_set_file(xd_cfg.log_file ? xd_cfg.log_file : deflog) != 0) {
			fprintf(stderr, "xapid: cannot open log file\n");
			return 1;
		}
		if (daemonize(&ready_fd) != 0) {
			fprintf(stderr, "xapid: cannot daemonize: %s\n", strerror(errno));
			return 1;
		}
	} else if (xd_cfg.log_file && xd_log_set_file(xd_cfg.log_file) != 0) {
		fprintf(stderr, "xapid: cannot open log file %s\n", xd_cfg.log_file);
		return 1;
	}

	/* Signals are taken synchronously by the main thread only. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	const char *backend = choose_backend();
	xd_info("xapid %s starting: state dir %s, backend %s", PACKAGE_VERSION, xd_cfg.state_dir,
		backend);
	char dbpath[4096];
	snprintf(dbpath, sizeof dbpath, "%s/xapi.db", xd_cfg.state_dir);
	xd_error err = XD_ERROR_INIT;
	int exit_code = 1;
	bool hv = false, monitor = false, metrics = false;
	bool db_open = false, sessions = false, tasks = false, http = false, plugins = false;
	bool network = false;

	if (xd_db_open(dbpath, &err) != 0) {
		xd_err("cannot open the database %s: %s %s", dbpath, err.code,
		       err.nparams ? err.params[0] : "");
		goto out;
	}
	db_open = true;
	xd_db_set_history_limit(xd_cfg.event_history);
	/* The hypervisor before first boot: the host and control domain records
	 * hold what it says of them. */
	if (xd_cfg.sim_memory)
		xd_hv_sim_set_memory((int64_t)xd_cfg.sim_memory);
	if (xd_hv_init(backend, xd_cfg.fallback_to_sim, &err) != 0) {
		xd_err("cannot use the %s hypervisor backend: %s", backend,
		       err.nparams ? err.params[0] : err.code);
		fprintf(stderr, "xapid: cannot use the %s hypervisor backend: %s\n", backend,
			err.nparams ? err.params[0] : err.code);
		goto out;
	}
	hv = true;
	if (xd_firstboot(xd_cfg.listen, &err) != 0) {
		xd_err("first boot failed: %s %s", err.code, err.nparams ? err.params[0] : "");
		goto out;
	}
	xd_vm_set_shutdown_timeout(xd_cfg.clean_shutdown_timeout);
	xd_session_config scfg = {
		.users_file = xd_cfg.users_file,
		.pam_service = xd_cfg.pam_service,
		.idle_timeout_s = xd_cfg.session_idle_timeout,
		.max_per_originator = xd_cfg.session_max_per_originator,
	};
	if (xd_session_init(&scfg) != 0)
		goto out;
	sessions = true;
	xd_rpc_init();
	if (xd_tasks_init(xd_cfg.task_workers) != 0)
		goto out;
	xd_tasks_set_gc(xd_cfg.task_gc_age, xd_cfg.task_gc_max);
	xd_tasks_set_start_delay(xd_cfg.task_start_delay);
	tasks = true;
	/* After first boot (SM objects go into its db), before clients come:
	 * a plugin that is refused is logged and left out, never fatal. */
	/* The simulated host's network, in which the network backend's worker
	 * will run, before the plugins load. */
	xd_network_config ncfg = {
		.backend = xd_cfg.network_backend,
		.sim = strcmp(xd_hv()->name, "sim") == 0,
		.sim_netns = xd_cfg.sim_netns,
		.sim_nics = xd_cfg.sim_nics,
		.plugins_conf_dir = xd_cfg.plugins_conf_dir,
	};
	char *netns = NULL;
	if (xd_network_prepare(&ncfg, &netns, &err) != 0) {
		xd_err("cannot make the simulated host's network: %s %s", err.code,
		       err.nparams ? err.params[0] : "");
		goto out;
	}
	network = true;
	xd_plugins_config pcfg = {
		.plugin_dir = xd_cfg.plugin_dir,
		.conf_dir = xd_cfg.plugins_conf_dir,
		.worker_path = xd_cfg.plugin_worker,
		.timeout_s = xd_cfg.plugin_timeout,
		.cancel_grace_s = xd_cfg.plugin_cancel_grace,
		.net_backend = xd_cfg.network_backend,
		.net_netns = netns,
	};
	/* before the plugins load: collectors declare their sources in init */
	xd_metrics_config mcfg = { .state_dir = xd_cfg.state_dir, .interval_s = 5.0 };
	if (xd_metrics_start(&mcfg) != 0)
		goto out;
	metrics = true;
	if (xd_plugins_init(&pcfg) != 0)
		xd_warn("plugins: going on without the plugins of %s", xd_cfg.plugins_conf_dir);
	free(netns);
	plugins = true;
	/* PIFs, first-boot networks, and the reconcile of bridges and ports */
	xd_network_start(&err);
	xd_error_clear(&err);
	/* SRs that were plugged before a restart are attached again, as the
	 * storage ABI promises drivers */
	xd_storage_startup();
	/* VMs in line with the backend before clients see them */
	if (xd_vm_monitor_start(5.0) != 0)
		goto out;
	monitor = true;
	xd_http_config hcfg = {
		.listen = xd_cfg.listen,
		.listen_tls = xd_cfg.listen_tls,
		.socket_path = xd_cfg.socket_path,
		.max_body = xd_cfg.max_body,
		.max_connections = xd_cfg.max_connections,
		.max_per_address = xd_cfg.max_connections_per_address,
		.request_timeout_s = xd_cfg.request_timeout,
	};
	if (xd_http_start(&hcfg) != 0)
		goto out;
	http = true;

	char ready[1024], hostpart[256], tlspart[256] = "";
	snprintf(hostpart, sizeof hostpart, "%s", xd_cfg.listen);
	char *colon = strrchr(hostpart, ':');
	if (colon)
		*colon = 0;
	int n = snprintf(ready, sizeof ready, "xapid ready on %s:%d\n", hostpart, xd_http_port());
	if (xd_cfg.listen_tls) {
		/* a second line, after DESIGN §9's first one */
		snprintf(tlspart, sizeof tlspart, "%s", xd_cfg.listen_tls);
		colon = strrchr(tlspart, ':');
		if (colon)
			*colon = 0;
		snprintf(ready + n, sizeof ready - (size_t)n, "xapid TLS ready on %s:%d\n", tlspart,
			 xd_http_tls_port());
	}
	xd_info("ready on %s:%d and %s", hostpart, xd_http_port(), xd_cfg.socket_path);
	say_ready(ready_fd, ready);
	ready_fd = -1;

	for (;;) {
		int sig = 0;
		if (sigwait(&sigs, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			xd_info("SIGHUP: loading plugins enabled since the last scan");
			xd_plugins_rescan();
			continue;
		}
		xd_info("signal %d: shutting down", sig);
		break;
	}
	exit_code = 0;
out:
	if (ready_fd >= 0)
		say_ready(ready_fd, "xapid failed to start (see the log)\n");
	xd_rpc_set_stopping();
	if (db_open)
		xd_db_wake_all();
	if (http)
		xd_http_stop();
	if (tls)
		xd_tls_shutdown();
	if (tasks)
		xd_tasks_shutdown();
	if (monitor)
		xd_vm_monitor_stop();
	/* the last round is archived before the plugins go */
	if (metrics)
		xd_metrics_stop();
	if (plugins)
		xd_plugins_shutdown();
	if (network)
		xd_network_stop();
	if (hv)
		xd_hv_shutdown();
	if (sessions)
		xd_session_shutdown();
	if (db_open)
		xd_db_close();
	xd_error_clear(&err);
	xd_info("xapid stopped");
	xd_config_free();
	return exit_code;
}
