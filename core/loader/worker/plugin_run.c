/* plugin_run.c - host->run inside the worker: a helper program started
 * without a shell, its stdout and stderr captured, killed at its timeout. */
#define _GNU_SOURCE /* asprintf, pipe2, close_range, POLLRDHUP */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin_run.h"

/* Output beyond this is read and dropped (a chatty helper must not eat
 * the worker's memory). */
#define RUN_OUTPUT_MAX ((size_t)1 << 20)

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct outbuf {
	char *s;
	size_t len, cap;
} outbuf;

static void out_add(outbuf *o, const char *p, size_t n)
{
	if (o->len + n > RUN_OUTPUT_MAX)
		n = RUN_OUTPUT_MAX - o->len;
	if (n == 0)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 4096;
		while (ncap < o->len + n + 1)
			ncap *= 2;
		char *ns = realloc(o->s, ncap);
		if (!ns)
			return;
		o->s = ns;
		o->cap = ncap;
	}
	memcpy(o->s + o->len, p, n);
	o->len += n;
	o->s[o->len] = 0;
}

/* Reads what the pipe has: 1 got data, 0 EOF, -1 nothing now. */
static int drain(int fd, outbuf *o)
{
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n > 0) {
		out_add(o, buf, (size_t)n);
		return 1;
	}
	if (n == 0)
		return 0;
	return -1;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void child(const char *const argv[], int out_w, int err_w)
{
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(out_w, STDOUT_FILENO);
	dup2(out_w, STDERR_FILENO);
	/* The worker ignores SIGPIPE; a helper gets the default back. */
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], (char *const *)argv);
	int e = errno;
	ssize_t w = write(err_w, &e, sizeof e);
	(void)w;
	_exit(127);
}

int xd_worker_run(const char *const argv[], int timeout_ms, char **output)
{
	outbuf o = { 0 };
	int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
	int rc = -1, status = 0;
	bool exited = false, eof = false;
	pid_t pid = -1;

	*output = NULL;
	if (!argv || !argv[0]) {
		out_add(&o, "run: no program given", 21);
		goto out;
	}
	if (pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0) {
		char m[128];
		snprintf(m, sizeof m, "run: pipe: %s", strerror(errno));
		out_add(&o, m, strlen(m));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		char m[128];
		snprintf(m, sizeof m, "run: fork: %s", strerror(errno));
		out_add(&o, m, strlen(m));
		goto out;
	}
	if (pid == 0)
		child(argv, out_p[1], err_p[1]);
	close(out_p[1]);
	close(err_p[1]);
	out_p[1] = err_p[1] = -1;

	/* The exec error pipe closes on a successful exec (CLOEXEC). */
	int exec_errno = 0;
	ssize_t en;
	do
		en = read(err_p[0], &exec_errno, sizeof exec_errno);
	while (en < 0 && errno == EINTR);
	if (en == (ssize_t)sizeof exec_errno) {
		waitpid(pid, &status, 0);
		pid = -1;
		char m[512];
		snprintf(m, sizeof m, "cannot run %s: %s", argv[0], strerror(exec_errno));
		out_add(&o, m, strlen(m));
		goto out;
	}

	fcntl(out_p[0], F_SETFL, fcntl(out_p[0], F_GETFL) | O_NONBLOCK);
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	for (;;) {
		int wait = 50;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				/* Too slow: kill it and say so in the output. */
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				pid = -1;
				char m[128];
				snprintf(m, sizeof m, "\n[killed after %d ms]", timeout_ms);
				out_add(&o, m, strlen(m));
				goto out;
			}
			if (left < wait)
				wait = (int)left;
		}
		if (!eof) {
			struct pollfd pf = { .fd = out_p[0], .events = POLLIN };
			if (poll(&pf, 1, wait) > 0)
				while (!eof) {
					int d = drain(out_p[0], &o);
					if (d == 0)
						eof = true;
					if (d <= 0)
						break;
				}
		} else if (!exited) {
			struct timespec ts = { 0, 10 * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			pid = -1;
		}
		if (exited) {
			/* What it wrote before it exited; a child of its own may
			 * still hold the pipe, so no waiting for EOF. */
			while (!eof && drain(out_p[0], &o) > 0)
				;
			break;
		}
	}
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (int i = 0; i < 2; i++) {
		if (out_p[i] >= 0)
			close(out_p[i]);
		if (err_p[i] >= 0)
			close(err_p[i]);
	}
	if (!o.s)
		o.s = strdup("");
	*output = o.s;
	return rc;
}
