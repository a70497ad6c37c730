/* nbd_server.c - start, find and stop a qemu-nbd per attached VDI (see
 * nbd_server.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "nbd_server.h"

/* Reads a small file into buf (NUL-terminated); bytes read or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Is pid alive (not a zombie) and our qemu-nbd serving sock? */
static bool is_our_server(long pid, const char *sock, bool *read_only)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	const char *rp = strrchr(buf, ')');
	if (!rp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	ssize_t n = read_small(path, buf, sizeof(buf));
	if (n <= 0)
		return false;
	bool nbd = false, on_sock = false, ro = false;
	char want[NBD_SERVER_PATH_MAX + 16];
	snprintf(want, sizeof(want), "--socket=%s", sock);
	/* cmdline: NUL-separated arguments */
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1) {
		const char *arg = buf + i;
		const char *base = strrchr(arg, '/');
		if (i == 0)
			nbd = strcmp(base ? base + 1 : arg, "qemu-nbd") == 0;
		if (strcmp(arg, want) == 0)
			on_sock = true;
		if (strcmp(arg, "--read-only") == 0)
			ro = true;
	}
	if (read_only)
		*read_only = ro;
	return nbd && on_sock;
}

static long pid_in(const char *pidfile)
{
	char buf[32];
	if (read_small(pidfile, buf, sizeof(buf)) <= 0)
		return 0;
	char *end;
	long pid = strtol(buf, &end, 10);
	return pid > 1 && (*end == '\n' || *end == '\0') ? pid : 0;
}

long nbd_server_running(const char *sock, const char *pidf, bool *read_only)
{
	long pid = pid_in(pidf);
	if (pid && is_our_server(pid, sock, read_only))
		return pid;
	/* stale: a crash, a reboot */
	unlink(pidf);
	unlink(sock);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static bool wait_gone(long pid, const char *sock, long ms)
{
	for (long waited = 0; waited < ms; waited += 5) {
		if (!is_our_server(pid, sock, NULL))
			return true;
		sleep_ms(5);
	}
	return !is_our_server(pid, sock, NULL);
}

int nbd_server_stop(const char *sock, const char *pidf, long wait_ms, long *pidp)
{
	long pid = pid_in(pidf);
	int rc = 0;
	if (pidp)
		*pidp = pid;
	if (pid && is_our_server(pid, sock, NULL)) {
		kill((pid_t)pid, SIGTERM);
		if (!wait_gone(pid, sock, wait_ms)) {
			rc = 1;
			kill((pid_t)pid, SIGKILL);
			if (!wait_gone(pid, sock, 2000))
				return -1;
		}
	}
	unlink(pidf);
	unlink(sock);
	return rc;
}

int nbd_server_url_path(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || strchr("-._~/", *p);
		if (w + 4 >= size)
			return -1;
		if (plain) {
			out[w++] = (char)*p;
		} else {
			out[w++] = '%';
			out[w++] = hex[*p >> 4];
			out[w++] = hex[*p & 15];
		}
	}
	if (size == 0)
		return -1;
	out[w] = '\0';
	return 0;
}

int nbd_server_uri(const char *sock, char *uri, size_t usize)
{
	size_t w = (size_t)snprintf(uri, usize, "nbd+unix:///?socket=");
	if (w >= usize)
		return -1;
	return nbd_server_url_path(uri + w, usize - w, sock);
}

int nbd_server_make_dir_of(const char *file)
{
	char d[NBD_SERVER_PATH_MAX];
	snprintf(d, sizeof(d), "%s", file);
	char *slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = '\0';
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(d, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

size_t nbd_server_argv(const char **argv, char *a_sock, char *a_pid, const char *sock,
		       const char *pidf, bool writable)
{
	size_t n = 0;
	snprintf(a_sock, NBD_SERVER_PATH_MAX + 16, "--socket=%s", sock);
	snprintf(a_pid, NBD_SERVER_PATH_MAX + 16, "--pid-file=%s", pidf);
	argv[n++] = "qemu-nbd";
	argv[n++] = a_sock;
	argv[n++] = a_pid;
	argv[n++] = "--persistent";  /* stay up when a client leaves */
	argv[n++] = "--shared=0";    /* any number of clients */
	argv[n++] = "--fork";        /* returns once the socket listens */
	if (writable) {
		/* zeroes written and discards keep the image sparse */
		argv[n++] = "--discard=unmap";
		argv[n++] = "--detect-zeroes=unmap";
	} else {
		argv[n++] = "--read-only";
	}
	argv[n] = NULL;
	return n;
}

void nbd_server_hash(const char *loc, char out[17])
{
	uint64_t h = 1469598103934665603ull;
	for (const char *c = loc; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ull;
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int nbd_server_paths_in(const char *dir, const char *srid, const char *loc, char *sock,
			size_t ssize, char *pidf, size_t psize)
{
	char hash[17];
	nbd_server_hash(loc, hash);
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	size_t n = (size_t)snprintf(sock, ssize, "%s/%s-%s.sock", dir, srid, hash);
	if (n >= ssize || n > max)
		return -1;
	snprintf(pidf, psize, "%s/%s-%s.pid", dir, srid, hash);
	return 0;
}

int nbd_server_stop_all_in(const char *dir, const char *srid, long wait_ms, long *pid)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t plen = strlen(srid);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		/* <sr uuid>-<16 hex>.sock */
		if (n != plen + 1 + 16 + 5 || strncmp(e->d_name, srid, plen) != 0 ||
		    e->d_name[plen] != '-' || strcmp(e->d_name + n - 5, ".sock") != 0)
			continue;
		char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
		snprintf(sock, sizeof(sock), "%s/%s", dir, e->d_name);
		snprintf(pidf, sizeof(pidf), "%s/%.*s.pid", dir, (int)(n - 5), e->d_name);
		if (nbd_server_stop(sock, pidf, wait_ms, pid) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}
