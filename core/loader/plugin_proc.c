/* plugin_proc.c - one worker process, seen from the core (plugin_proc.h). */
#define _GNU_SOURCE /* asprintf */
#include "plugin_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char *dupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dupf(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

char *xd_wproc_describe_status(int status)
{
	if (WIFSIGNALED(status))
		return dupf("crashed (signal %d)", WTERMSIG(status));
	if (WIFEXITED(status))
		return dupf("exited with status %d", WEXITSTATUS(status));
	return dupf("ended (wait status 0x%x)", (unsigned)status);
}

static void clear(xd_wproc *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->pid = 0;
	xd_pp_reader_free(&w->reader);
}

/* fd, or a CLOEXEC duplicate of it at XD_PP_WORKER_SO_FD + 1 or above if
 * it sits on one of the numbers the child's dup2s write (a dup2 onto
 * itself would keep CLOEXEC, and an earlier dup2 could overwrite it).
 * *tmp gets the duplicate to close, or -1. Returns -1 on failure. */
static int off_the_worker_fds(int fd, int *tmp)
{
	*tmp = -1;
	if (fd != XD_PP_WORKER_FD && fd != XD_PP_WORKER_SO_FD)
		return fd;
	*tmp = fcntl(fd, F_DUPFD_CLOEXEC, XD_PP_WORKER_SO_FD + 1);
	return *tmp;
}

int xd_wproc_spawn(xd_wproc *w, const char *worker_path, const char *name, const char *so_path,
		   int so_fd, const char *netns, const xd_value *settings, char **why)
{
	int sv[2] = { -1, -1 }, so_tmp = -1;
	int rc = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	bool fa_ok = false, attr_ok = false;

	*why = NULL;
	w->pid = 0;
	w->fd = -1;
	memset(&w->reader, 0, sizeof w->reader);
	/* CLOEXEC on both ends: no other child of xapid (another worker, a
	 * helper) may hold them, or the worker would never see EOF. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		*why = dupf("socketpair: %s", strerror(errno));
		goto out;
	}
	/* dup2 onto the same number would keep CLOEXEC: move it off fds 3, 4. */
	if (sv[1] == XD_PP_WORKER_FD || sv[1] == XD_PP_WORKER_SO_FD) {
		int moved = fcntl(sv[1], F_DUPFD_CLOEXEC, XD_PP_WORKER_SO_FD + 1);
		if (moved < 0) {
			*why = dupf("fcntl: %s", strerror(errno));
			goto out;
		}
		close(sv[1]);
		sv[1] = moved;
	}
	/* The .so stays CLOEXEC in xapid: only this child's dup2 copy of it
	 * is inherited. */
	if (so_fd >= 0 && (so_fd = off_the_worker_fds(so_fd, &so_tmp)) < 0) {
		*why = dupf("fcntl: %s", strerror(errno));
		goto out;
	}
	if (posix_spawn_file_actions_init(&fa) != 0 || posix_spawnattr_init(&attr) != 0) {
		*why = dupf("posix_spawn setup failed");
		goto out;
	}
	fa_ok = attr_ok = true;
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], XD_PP_WORKER_FD);
	if (so_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, so_fd, XD_PP_WORKER_SO_FD);
	/* Its own process group (killing the group takes its helpers too), no
	 * blocked signals (xapid's threads block SIGTERM/SIGHUP), and default
	 * SIGPIPE (xapid ignores it). */
	sigset_t none, def;
	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF);
	char fdbuf[16], sofdbuf[16];
	snprintf(fdbuf, sizeof fdbuf, "%d", XD_PP_WORKER_FD);
	snprintf(sofdbuf, sizeof sofdbuf, "%d", XD_PP_WORKER_SO_FD);
	/* --netns last: wrappers (doc/plugin-sdk.md 8.2) see the arguments they
	 * always saw first. */
	char *const argv_fd[] = { (char *)worker_path, "--fd", fdbuf, "--so-fd", sofdbuf, "--name",
				  (char *)name, (char *)so_path, netns ? "--netns" : NULL,
				  (char *)netns, NULL };
	char *const argv_path[] = { (char *)worker_path, "--fd", fdbuf, "--name", (char *)name,
				    (char *)so_path, netns ? "--netns" : NULL, (char *)netns, NULL };
	char *const *argv = so_fd >= 0 ? argv_fd : argv_path;
	pid_t pid;
	int e = posix_spawn(&pid, worker_path, &fa, &attr, argv, environ);
	if (e != 0) {
		*why = dupf("cannot run the plugin worker %s: %s", worker_path, strerror(e));
		goto out;
	}
	close(sv[1]);
	sv[1] = -1;
	w->pid = pid;
	w->fd = sv[0];
	sv[0] = -1;

	json_object *init = xd_pp_new("init");
	json_object *set = json_object_new_object();
	for (size_t i = 0; settings && settings->t == XD_V_STRUCT && i < settings->u.st.n; i++) {
		const xd_member *m = &settings->u.st.m[i];
		if (m->v && m->v->t == XD_V_STRING)
			json_object_object_add(set, m->name, json_object_new_string(m->v->u.s));
	}
	json_object_object_add(init, "settings", set);
	int sent = xd_pp_send(w->fd, init);
	json_object_put(init);
	if (sent != 0) {
		char *how = xd_wproc_reap(w);
		*why = dupf("the plugin worker %s at once", how ? how : "ended");
		free(how);
		goto out;
	}
	rc = 0;
out:
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (so_tmp >= 0)
		close(so_tmp);
	if (rc != 0 && !*why)
		*why = strdup("cannot start the plugin worker");
	return rc;
}

int xd_wproc_send(xd_wproc *w, json_object *msg)
{
	if (w->fd < 0)
		return -1;
	return xd_pp_send(w->fd, msg);
}

xd_pp_status xd_wproc_recv(xd_wproc *w, int timeout_ms, json_object **out)
{
	*out = NULL;
	if (w->fd < 0)
		return XD_PP_EOF;
	return xd_pp_recv(w->fd, &w->reader, timeout_ms, out);
}

bool xd_wproc_ended(xd_wproc *w, char **how)
{
	int status;
	*how = NULL;
	if (w->pid <= 0)
		return true;
	pid_t r = waitpid(w->pid, &status, WNOHANG);
	if (r == 0)
		return false;
	*how = r == w->pid ? xd_wproc_describe_status(status) : strdup("vanished");
	clear(w);
	return true;
}

char *xd_wproc_reap(xd_wproc *w)
{
	char *how = NULL;
	if (w->pid <= 0) {
		clear(w);
		return strdup("was not running");
	}
	/* EOF comes as the process dies; give it a moment (up to 2 s) to be
	 * reapable. */
	for (int i = 0; i < 2000; i++) {
		if (xd_wproc_ended(w, &how))
			return how;
		sleep_ms(1);
	}
	/* It closed its socket but lives on: not a worker we can use. */
	xd_wproc_kill(w);
	return strdup("closed its connection");
}

void xd_wproc_kill(xd_wproc *w)
{
	if (w->pid > 0) {
		kill(-w->pid, SIGKILL);
		kill(w->pid, SIGKILL);
		while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	clear(w);
}

void xd_wproc_stop(xd_wproc *w, int grace_ms)
{
	if (w->pid <= 0) {
		clear(w);
		return;
	}
	json_object *bye = xd_pp_new("bye");
	(void)xd_wproc_send(w, bye);
	json_object_put(bye);
	for (int waited = 0; waited < grace_ms; waited += 10) {
		char *how = NULL;
		if (xd_wproc_ended(w, &how)) {
			free(how);
			return;
		}
		sleep_ms(10);
	}
	xd_wproc_kill(w);
}
