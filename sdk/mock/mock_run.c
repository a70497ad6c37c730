/* mock_run.c - host->run of the mock host: the helper really runs (no
 * shell, PATH lookup), stdout and stderr captured, killed at its timeout;
 * as xapid's worker does it (core/loader/worker/plugin_run.c: the SDK cannot
 * link the worker, so the same steps are written here again). */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mock_int.h"

/* Output beyond this is read and dropped, as in the worker. */
#define RUN_OUTPUT_MAX ((size_t)1 << 20)

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The output so far, capped as in the worker. */
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
	o->s[o->len] = '\0';
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
	return errno == EINTR || errno == EAGAIN ? -1 : 0;
}

static void child(const char *const argv[], int out_w, int err_w)
{
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(out_w, STDOUT_FILENO);
	dup2(out_w, STDERR_FILENO);
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

/* The worker's xd_worker_run, step for step: -1 and "cannot run X: why"
 * when exec fails; at the timeout the helper is killed and the output ends
 * with "[killed after N ms]"; once the helper exited, what it wrote is
 * taken without waiting for children of its own that hold the pipe. */
static int run_helper(const char *const argv[], int timeout_ms, char **output)
{
	outbuf o = { 0 };
	int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 };
	int rc = -1, status = 0;
	bool exited = false, eof = false;
	pid_t pid = -1;
	char m[512];

	if (pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0) {
		snprintf(m, sizeof m, "run: pipe: %s", strerror(errno));
		out_add(&o, m, strlen(m));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(m, sizeof m, "run: fork: %s", strerror(errno));
		out_add(&o, m, strlen(m));
		goto out;
	}
	if (pid == 0)
		child(argv, out_p[1], err_p[1]);
	close(out_p[1]);
	close(err_p[1]);
	out_p[1] = err_p[1] = -1;

	/* the exec error pipe closes on a successful exec (CLOEXEC) */
	int exec_errno = 0;
	ssize_t en;
	do
		en = read(err_p[0], &exec_errno, sizeof exec_errno);
	while (en < 0 && errno == EINTR);
	if (en == (ssize_t)sizeof exec_errno) {
		waitpid(pid, &status, 0);
		pid = -1;
		snprintf(m, sizeof m, "cannot run %s: %s", argv[0], strerror(exec_errno));
		out_add(&o, m, strlen(m));
		goto out;
	}

	fcntl(out_p[0], F_SETFL, fcntl(out_p[0], F_GETFL) | O_NONBLOCK);
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	for (;;) {
		int wait = 50;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				pid = -1;
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
	*output = o.s ? o.s : strdup("");
	return rc;
}

int mock_run(xapi_call_t *call, const char *const argv[], int timeout_ms, const char **output)
{
	if (output)
		*output = NULL;
	char *out = NULL;
	int rc = argv && argv[0] ? run_helper(argv, timeout_ms, &out) : -1;
	if (!out && (!argv || !argv[0]))
		out = strdup("run: no program given");
	if (call && call->m->verbose)
		fprintf(stderr, "# run %s -> %d%s%s\n", argv && argv[0] ? argv[0] : "(nothing)", rc,
			out && *out ? ": " : "", out ? out : "");
	if (!call || !out) {
		/* outside an op there is nothing to tie the output's life to */
		free(out);
		return rc;
	}
	pthread_mutex_lock(&call->m->lock);
	char **grown = realloc(call->outputs, (call->noutputs + 1) * sizeof(char *));
	if (grown) {
		call->outputs = grown;
		call->outputs[call->noutputs++] = out;
		if (output)
			*output = out;
	} else {
		free(out);
	}
	call->r.runs++;
	pthread_mutex_unlock(&call->m->lock);
	return rc;
}
