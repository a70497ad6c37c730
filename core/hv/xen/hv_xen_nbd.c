/* hv_xen_nbd.c - NBD datapaths as dom0 block devices (see hv_xen_nbd.h). */
#define _GNU_SOURCE
#include "hv_xen_nbd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "strbuf.h"
#include "uri.h"

extern char **environ;

#define TOOL_TIMEOUT_MS 30000   /* qemu-nbd gives up on a dead server well before */
#define CONNECTED_WAIT_MS 5000  /* from qemu-nbd's exit to the device's pid file */

/* Choosing a free device and connecting it is one step for this process. */
static pthread_mutex_t connect_lock = PTHREAD_MUTEX_INITIALIZER;

bool xd_hv_xen_nbd_is_datapath(const char *datapath)
{
	return datapath && strncmp(datapath, "nbd+unix://", 11) == 0;
}

bool xd_hv_xen_nbd_is_device(const char *path)
{
	const char *p;

	if (!path || strncmp(path, "/dev/nbd", 8) != 0 || !path[8])
		return false;
	for (p = path + 8; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int xd_hv_xen_nbd_parse(const char *uri, char **name, char **path, xd_error *err)
{
	const char *rest, *q, *p, *sock = NULL;
	size_t socklen = 0;

	*name = *path = NULL;
	if (!xd_hv_xen_nbd_is_datapath(uri))
		goto bad;
	rest = uri + strlen("nbd+unix://");
	if (*rest != '/') /* a unix socket URI has no host part */
		goto bad;
	rest++;
	q = strchr(rest, '?');
	if (!q)
		goto bad;
	for (p = q + 1; *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 7 && strncmp(p, "socket=", 7) == 0) {
			sock = p + 7;
			socklen = len - 7;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	if (!sock)
		goto bad;
	*name = xd_uri_decode(rest, (size_t)(q - rest));
	*path = xd_uri_decode(sock, socklen);
	if (*name && *path && **path)
		return 0;
bad:
	free(*name);
	free(*path);
	*name = *path = NULL;
	return xd_error_setf(err, "INTERNAL_ERROR", "unusable NBD datapath: %s", uri ? uri : "");
}

/* The buffer's text; the buffer keeps it NUL terminated. */
static const char *sb_text(const xd_strbuf *sb)
{
	return sb->data ? sb->data : "";
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Runs argv (PATH lookup), its stdout and stderr into msg. Returns its exit
 * status, or -1 (with msg saying why) if it could not run or timed out.
 * The end is the child's exit, not EOF: qemu-nbd --connect leaves a daemon
 * behind that may hold the pipe. */
static int run_tool(const char *const argv[], xd_strbuf *msg)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0;
	int pfd[2], status = 0, rc = -1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) != 0) {
		xd_strbuf_printf(msg, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDERR_FILENO);
	errno = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (errno != 0) {
		xd_strbuf_printf(msg, "cannot run %s: %s", argv[0], strerror(errno));
		close(pfd[0]);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		char buf[512];
		ssize_t n;
		pid_t w;

		while ((n = read(pfd[0], buf, sizeof(buf))) > 0)
			if (msg->len < 4096)
				xd_strbuf_append(msg, buf, (size_t)n);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			while ((n = read(pfd[0], buf, sizeof(buf))) > 0 && msg->len < 4096)
				xd_strbuf_append(msg, buf, (size_t)n);
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		if (w < 0 && errno != EINTR) {
			xd_strbuf_printf(msg, "waitpid: %s", strerror(errno));
			break;
		}
		if (elapsed_ms(&t0) > TOOL_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			xd_strbuf_printf(msg, "%s did not finish in %d s", argv[0],
					  TOOL_TIMEOUT_MS / 1000);
			break;
		}
		poll(&p, 1, 50);
	}
	close(pfd[0]);
	return rc;
}

void xd_hv_xen_nbd_prepare(void)
{
	const char *const argv[] = { "modprobe", "nbd", NULL };
	xd_strbuf msg = XD_STRBUF_INIT;

	if (access("/sys/module/nbd", F_OK) == 0)
		return;
	if (run_tool(argv, &msg) != 0)
		xd_warn("xen: cannot load the nbd module (disks of NBD datapaths will fail): %s",
			sb_text(&msg));
	xd_strbuf_free(&msg);
}

static bool sys_exists(int n, const char *leaf)
{
	char p[64];

	snprintf(p, sizeof(p), "/sys/block/nbd%d%s%s", n, *leaf ? "/" : "", leaf);
	return access(p, F_OK) == 0;
}

/* A device nobody uses: no connection (pid) and no size. */
static bool device_free(int n)
{
	char p[64], buf[32] = "";
	FILE *f;

	if (sys_exists(n, "pid"))
		return false;
	snprintf(p, sizeof(p), "/sys/block/nbd%d/size", n);
	if ((f = fopen(p, "re"))) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return atoll(buf) == 0;
}

/* qemu's option syntax doubles a comma inside a value. */
static void append_opt_value(xd_strbuf *b, const char *v)
{
	for (; *v; v++) {
		if (*v == ',')
			xd_strbuf_putc(b, ',');
		xd_strbuf_putc(b, *v);
	}
}

static bool wait_connected(int n)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!sys_exists(n, "pid")) {
		if (elapsed_ms(&t0) > CONNECTED_WAIT_MS)
			return false;
		usleep(20000);
	}
	return true;
}

int xd_hv_xen_nbd_connect(const char *datapath, bool readonly, char **dev, xd_error *err)
{
	xd_strbuf opts = XD_STRBUF_INIT, msg = XD_STRBUF_INIT;
	char *name = NULL, *path = NULL, devpath[32];
	int n, rc = -1, tries = 0;

	*dev = NULL;
	if (xd_hv_xen_nbd_parse(datapath, &name, &path, err) < 0)
		return -1;
	xd_strbuf_puts(&opts, "driver=nbd,server.type=unix,server.path=");
	append_opt_value(&opts, path);
	if (*name) {
		xd_strbuf_puts(&opts, ",export=");
		append_opt_value(&opts, name);
	}
	pthread_mutex_lock(&connect_lock);
	for (n = 0; sys_exists(n, "") && tries < 3; n++) {
		const char *argv[] = { "qemu-nbd", "--connect", devpath, "--image-opts",
				       sb_text(&opts), readonly ? "--read-only" : NULL, NULL };
		if (!device_free(n))
			continue;
		snprintf(devpath, sizeof(devpath), "/dev/nbd%d", n);
		xd_strbuf_reset(&msg);
		tries++; /* another user may take it between our look and qemu-nbd's */
		if (run_tool(argv, &msg) == 0 && wait_connected(n)) {
			*dev = strdup(devpath);
			rc = *dev ? 0 : -1;
			break;
		}
	}
	pthread_mutex_unlock(&connect_lock);
	if (rc < 0) {
		if (n == 0)
			xd_strbuf_puts(&msg, "no /dev/nbd* devices (is the nbd module loaded?)");
		else if (tries == 0)
			xd_strbuf_printf(&msg, "all %d /dev/nbd* devices are in use", n);
		xd_error_setf(err, "INTERNAL_ERROR", "cannot connect NBD datapath %s: %s", datapath,
			      sb_text(&msg));
	} else {
		xd_debug("xen: %s connected to %s", *dev, path);
	}
	xd_strbuf_free(&opts);
	xd_strbuf_free(&msg);
	free(name);
	free(path);
	return rc;
}

void xd_hv_xen_nbd_release(const char *dev)
{
	const char *const argv[] = { "qemu-nbd", "--disconnect", dev, NULL };
	xd_strbuf msg = XD_STRBUF_INIT;

	if (!xd_hv_xen_nbd_is_device(dev))
		return;
	if (run_tool(argv, &msg) != 0)
		xd_warn("xen: cannot disconnect %s: %s", dev, sb_text(&msg));
	else
		xd_debug("xen: %s disconnected", dev);
	xd_strbuf_free(&msg);
}

bool xd_hv_xen_nbd_cmdline_is_ours(const char *cmdline, size_t len)
{
	const char *end = cmdline + len, *base;
	bool connect = false, opts = false;

	if (len == 0)
		return false;
	base = strrchr(cmdline, '/');
	if (strcmp(base ? base + 1 : cmdline, "qemu-nbd") != 0)
		return false;
	for (const char *a = cmdline; a < end; a += strlen(a) + 1) {
		if (strcmp(a, "--connect") == 0)
			connect = true;
		else if (strncmp(a, "driver=nbd,server.type=unix,", 28) == 0)
			opts = true;
	}
	return connect && opts;
}

/* The command line of /dev/nbdN's client process into buf (len in *len);
 * false if the device has no client. */
static bool client_cmdline(int n, char *buf, size_t size, size_t *len)
{
	char p[64], pid[32] = "";
	FILE *f;
	int fd;
	ssize_t r;

	snprintf(p, sizeof(p), "/sys/block/nbd%d/pid", n);
	if (!(f = fopen(p, "re")))
		return false;
	if (!fgets(pid, sizeof(pid), f))
		pid[0] = 0;
	fclose(f);
	if (atoi(pid) <= 0)
		return false;
	snprintf(p, sizeof(p), "/proc/%d/cmdline", atoi(pid));
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	r = read(fd, buf, size - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = 0; /* a cut-off last argument still ends */
	*len = (size_t)r;
	return true;
}

int xd_hv_xen_nbd_sweep(char *const *in_use, int n)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int released = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char dev[300], cmdline[4096];
		size_t len;
		bool used = false;
		int num;

		if (sscanf(e->d_name, "nbd%d", &num) != 1)
			continue;
		if (!client_cmdline(num, cmdline, sizeof(cmdline), &len) ||
		    !xd_hv_xen_nbd_cmdline_is_ours(cmdline, len))
			continue;
		snprintf(dev, sizeof(dev), "/dev/nbd%d", num);
		for (int i = 0; i < n && !used; i++)
			used = in_use[i] && strcmp(in_use[i], dev) == 0;
		if (used)
			continue;
		xd_info("xen: %s was left connected by an earlier run and no domain uses it: "
			"releasing it", dev);
		xd_hv_xen_nbd_release(dev);
		released++;
	}
	closedir(d);
	return released;
}
