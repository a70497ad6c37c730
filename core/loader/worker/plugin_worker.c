/* plugin_worker.c - xapid-plugin-worker: runs one plugin for xapid.
 *
 *   xapid-plugin-worker [--fd N] [--so-fd M] --name NAME PLUGIN.so [--netns NS]
 *
 * xapid starts it with its end of a socketpair on fd N (default 3) and the
 * plugin's .so open on fd M (xapid opened it when the plugin loaded: every
 * worker runs that file, whatever happened to the path since; PLUGIN.so is
 * then its name for messages), sends
 * the plugin's settings (init), and reads back a hello: the descriptor, or
 * why the plugin is refused. Then it sends calls, one at a time, until it
 * says bye or goes away. Everything the plugin does that could take xapid
 * down (a crash, exit(), a hang) happens in here instead. With --netns
 * (a network backend of the simulated host) it first enters that network
 * namespace, so that the plugin works on the simulated host's network.
 */
#define _GNU_SOURCE /* asprintf, pipe2, close_range, POLLRDHUP */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_worker.h"

/* How long the core may take to send the init message. */
#define INIT_WAIT_MS 30000

static atomic_bool in_op;
static atomic_bool core_gone;

void xd_worker_set_in_op(bool on)
{
	if (on)
		xd_worker_crash_refresh();
	atomic_store(&in_op, on);
	/* The core went away while we were idle, and an op starts anyway (it
	 * was queued): nobody waits for its answer. */
	if (on && atomic_load(&core_gone))
		_exit(1);
}

/* Sanitizer builds: a plugin's segfault must show as the signal it is (the
 * core reports "crashed (signal 11)"), not as ASan's report and exit code.
 * These defaults yield to ASAN_OPTIONS set in the environment. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0";
}

/* A plugin that calls exit() during an op: leave at once with its status,
 * without the rest of the exit path (leak checkers would report what the
 * interrupted op held). */
static void exit_hook(int status, void *arg)
{
	(void)arg;
	if (atomic_load(&in_op))
		_exit(status);
}

/* Written to when main is done: the watchdog returns (it is joined, not
 * cancelled: cancellation trips sanitizers). */
static int stop_pipe[2] = { -1, -1 };

/* Watches for the core going away while the plugin is busy (a hang would
 * otherwise outlive a dead xapid): an idle worker sees EOF itself. */
static void *watchdog(void *arg)
{
	int fd = *(int *)arg;
	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLRDHUP },
				       { .fd = stop_pipe[0], .events = POLLIN } };
		int r = poll(p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r > 0 && p[1].revents)
			return NULL;
		if (r < 0 || (p[0].revents & (POLLRDHUP | POLLHUP | POLLERR)))
			break;
	}
	atomic_store(&core_gone, true);
	for (;;) {
		if (atomic_load(&in_op))
			_exit(1);
		struct pollfd p = { .fd = stop_pipe[0], .events = POLLIN };
		if (poll(&p, 1, 200) > 0)
			return NULL;
	}
}

static void send_hello_refused(xapi_plugin_t *p, const char *reason)
{
	json_object *h = xd_pp_new("hello");
	json_object_object_add(h, "ok", json_object_new_boolean(0));
	json_object_object_add(h, "reason", json_object_new_string(reason));
	xd_worker_send(p, h);
}

static const char *status_name(int rc)
{
	switch (rc) {
	case XAPI_E_FAILED: return "XAPI_E_FAILED";
	case XAPI_E_UNSUPPORTED: return "XAPI_E_UNSUPPORTED";
	case XAPI_E_INVALID: return "XAPI_E_INVALID";
	case XAPI_E_NOT_FOUND: return "XAPI_E_NOT_FOUND";
	case XAPI_E_BUSY: return "XAPI_E_BUSY";
	case XAPI_E_CANCELLED: return "XAPI_E_CANCELLED";
	case XAPI_E_NO_SPACE: return "XAPI_E_NO_SPACE";
	}
	return "an unknown status";
}

/* dlopen's message about `what`, with `what` replaced by path (the
 * /proc/self/fd/N name of a held file means nothing to an operator). */
static char *load_error(const char *what, const char *path)
{
	const char *e = dlerror();
	char *out = NULL;
	if (!e)
		e = "dlopen failed";
	size_t wl = strlen(what);
	const char *hit = wl && strcmp(what, path) != 0 ? strstr(e, what) : NULL;
	if (asprintf(&out, "cannot load %s: %.*s%s%s", path, hit ? (int)(hit - e) : (int)strlen(e),
		     e, hit ? path : "", hit ? hit + wl : "") < 0)
		out = NULL;
	return out;
}

/* Loads the plugin (from so_fd if >= 0, else from path) and says hello.
 * Returns 0 if it is ready for calls. */
static int load(xapi_plugin_t *p, const char *path, int so_fd, void **handle)
{
	char *why = NULL;
	int rc = -1;
	struct stat sb;
	char fdpath[64];
	const char *what = path;

	*handle = NULL;
	if (so_fd >= 0) {
		/* the very file xapid checked, not whatever the path names now */
		snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", so_fd);
		what = fdpath;
	}
	if ((so_fd >= 0 ? fstat(so_fd, &sb) : stat(path, &sb)) != 0) {
		why = NULL;
		if (asprintf(&why, "no such file %s (%s)", path, strerror(errno)) < 0)
			why = NULL;
		goto out;
	}
	*handle = dlopen(what, RTLD_NOW | RTLD_LOCAL);
	if (!*handle) {
		why = load_error(what, path);
		goto out;
	}
	dlerror();
	xapi_plugin_init_fn *init;
	*(void **)&init = dlsym(*handle, XAPI_PLUGIN_SYMBOL);
	if (!init) {
		if (asprintf(&why, "no symbol %s: was it built with XAPI_PLUGIN_DEFINE? "
			     "(check: nm -D %s | grep %s)", XAPI_PLUGIN_SYMBOL, path,
			     XAPI_PLUGIN_SYMBOL) < 0)
			why = NULL;
		goto out;
	}
	p->in_init = true;
	xd_worker_set_in_op(true);
	int irc = init(&xd_worker_host, p, &p->desc, &p->st);
	xd_worker_set_in_op(false);
	p->in_init = false;
	if (irc != XAPI_OK) {
		if (asprintf(&why, "%s failed with %s (%d)%s%s", XAPI_PLUGIN_SYMBOL, status_name(irc),
			     irc, p->init_complaint ? ": " : "",
			     p->init_complaint ? p->init_complaint : "") < 0)
			why = NULL;
		/* A plugin may have set them before failing: not ours to use. */
		p->desc = NULL;
		p->st = NULL;
		goto out;
	}
	if (p->init_complaint) {
		/* It loaded after all: its complaint is an ordinary log line. */
		json_object *m = xd_pp_new("log");
		json_object_object_add(m, "level", json_object_new_int(p->init_complaint_level));
		json_object_object_add(m, "msg", json_object_new_string(p->init_complaint));
		xd_worker_send(p, m);
	}
	json_object *desc = NULL, *warnings = json_object_new_array();
	why = xd_plugin_check(p->desc, &desc, warnings);
	if (why) {
		json_object_put(warnings);
		/* Not a descriptor we can trust with fini (another major...). */
		p->desc = NULL;
		goto out;
	}
	json_object *h = xd_pp_new("hello");
	json_object_object_add(h, "ok", json_object_new_boolean(1));
	json_object_object_add(h, "desc", desc);
	json_object_object_add(h, "warnings", warnings);
	xd_worker_send(p, h);
	rc = 0;
out:
	if (rc != 0)
		send_hello_refused(p, why ? why : "refused (out of memory)");
	free(why);
	return rc;
}

static void serve(xapi_plugin_t *p)
{
	for (;;) {
		json_object *m = NULL;
		pthread_mutex_lock(&p->read_lock);
		xd_pp_status st = xd_pp_recv(p->fd, &p->reader, -1, &m);
		pthread_mutex_unlock(&p->read_lock);
		if (st != XD_PP_MSG)
			return;
		const char *t = xd_pp_str(m, "t");
		if (t && strcmp(t, "call") == 0)
			xd_worker_dispatch(p, m);
		else if (t && strcmp(t, "bye") == 0) {
			json_object_put(m);
			return;
		}
		/* a late cancel, or something newer than us: nothing to do */
		json_object_put(m);
	}
}

/* Closes every fd from 3 up but keep1 and keep2 (-1: none). */
static void close_all_but(int keep1, int keep2)
{
	int lo = keep2 >= 0 && keep2 < keep1 ? keep2 : keep1;
	int hi = keep2 > keep1 ? keep2 : keep1;
	if (lo > 3)
		close_range(3, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0u, 0);
}

static int usage(void)
{
	fprintf(stderr, "usage: xapid-plugin-worker [--fd N] [--so-fd M] --name NAME PLUGIN.so "
			"[--netns NS]\n"
			"(started by xapid; not meant to be run by hand)\n");
	return 2;
}

int main(int argc, char **argv)
{
	int fd = XD_PP_WORKER_FD, so_fd = -1;
	const char *name = NULL, *path = NULL, *netns = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fd") == 0 && i + 1 < argc)
			fd = atoi(argv[++i]);
		else if (strcmp(argv[i], "--so-fd") == 0 && i + 1 < argc)
			so_fd = atoi(argv[++i]);
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--netns") == 0 && i + 1 < argc)
			netns = argv[++i];
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return usage();
	}
	if (!name || !path || fd < 3 || (so_fd >= 0 && (so_fd < 3 || so_fd == fd)))
		return usage();

	/* Before any thread: a private mount namespace (for its /sys) can only
	 * be made by a process of one thread. A failure is the hello's refusal. */
	char *netns_why = NULL;
	if (netns)
		xd_worker_enter_netns(netns, &netns_why);

	signal(SIGPIPE, SIG_IGN);
	/* Whatever else xapid had open is not the plugin's business. */
	close_all_but(fd, so_fd);
	/* A plugin's stray printf goes to the log, not to xapid's stdout. */
	dup2(STDERR_FILENO, STDOUT_FILENO);
	on_exit(exit_hook, NULL);

	xapi_plugin_t p = { .fd = fd, .name = name };
	pthread_mutex_init(&p.send_lock, NULL);
	pthread_mutex_init(&p.read_lock, NULL);
	xd_worker_crash_init(&p, path);
	pthread_t wd;
	bool wd_running = pipe2(stop_pipe, O_CLOEXEC) == 0 &&
			  pthread_create(&wd, NULL, watchdog, &p.fd) == 0;

	void *handle = NULL;
	json_object *init = NULL;
	int rc = 1;
	if (xd_pp_recv(fd, &p.reader, INIT_WAIT_MS, &init) != XD_PP_MSG ||
	    !xd_pp_str(init, "t") || strcmp(xd_pp_str(init, "t"), "init") != 0) {
		fprintf(stderr, "xapid-plugin-worker %s: no init message from xapid\n", name);
		goto out;
	}
	if (netns_why) {
		send_hello_refused(&p, netns_why);
		goto out;
	}
	p.settings = xd_kv_from_json(xd_pp_obj(init, "settings"));
	if (!p.settings || load(&p, path, so_fd, &handle) != 0)
		goto out;
	serve(&p);
	rc = 0;
out:
	if (p.desc && XAPI_HAS(p.desc, struct xapi_plugin_desc, fini) && p.desc->fini)
		p.desc->fini(p.st);
	/* The plugin stays mapped (as a loaded plugin is never dlclose'd in
	 * xapid): threads or atexit handlers of its own may still point in. */
	if (wd_running) {
		ssize_t w = write(stop_pipe[1], "x", 1);
		(void)w;
		pthread_join(wd, NULL);
	}
	for (int i = 0; i < 2; i++)
		if (stop_pipe[i] >= 0)
			close(stop_pipe[i]);
	json_object_put(init);
	free(netns_why);
	xd_kv_free(p.settings);
	free(p.init_complaint);
	xd_pp_reader_free(&p.reader);
	xd_worker_crash_fini();
	close(fd);
	return rc;
}
