/* mock_run.c - host->run of the mock host: the helper really runs (no
 * shell, PATH lookup), stdout and stderr captured, killed with whatever it
 * started at its timeout; as xapid's worker does it. */
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

/* Reads the helper's output until EOF or the deadline; 0, or -1 at the
 * deadline. */
static int collect(int fd, long long deadline, char **out, size_t *len)
{
	size_t cap = 4096;
	*out = malloc(cap);
	*len = 0;
	if (!*out)
		return 0;
	(*out)[0] = '\0';
	for (;;) {
		long long left = deadline < 0 ? -1 : deadline - now_ms();
		if (deadline >= 0 && left <= 0)
			return -1;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, left < 0 ? -1 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char buf[8192];
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		size_t take = (size_t)n;
		if (*len + take > RUN_OUTPUT_MAX)
			take = RUN_OUTPUT_MAX - *len;
		if (*len + take + 1 > cap) {
			while (*len + take + 1 > cap)
				cap *= 2;
			char *grown = realloc(*out, cap);
			if (!grown)
				take = 0;
			else
				*out = grown;
		}
		memcpy(*out + *len, buf, take);
		*len += take;
		(*out)[*len] = '\0';
	}
}

int mock_run(xapi_call_t *call, const char *const argv[], int timeout_ms, const char **output)
{
	if (output)
		*output = NULL;
	if (!argv || !argv[0])
		return -1;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		/* its own process group: a timeout kills what it started too */
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid); /* also here: the child may not have run yet at a timeout */
	close(fds[1]);
	char *out = NULL;
	size_t len = 0;
	bool killed = collect(fds[0], timeout_ms > 0 ? now_ms() + timeout_ms : -1, &out, &len) < 0;
	if (killed)
		kill(-pid, SIGKILL);
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	int rc = killed || !WIFEXITED(status) ? -1 : WEXITSTATUS(status);
	if (call && call->m->verbose)
		fprintf(stderr, "# run %s -> %d%s%s", argv[0], rc, out && *out ? ": " : "\n",
			out && *out ? out : "");
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
