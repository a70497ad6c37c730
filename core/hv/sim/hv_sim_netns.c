/* hv_sim_netns.c - named network namespaces and netlink sockets in them
 * (hv_sim_netns.h). A namespace is made by a short-lived thread that
 * unshares its network namespace and bind-mounts it on /run/netns/<name>
 * (threads have namespaces of their own, so xapid's others are untouched);
 * /run/netns is made a shared mount first, as ip-netns does, so the
 * namespaces show in every mount namespace. */
#define _GNU_SOURCE /* unshare, setns, gettid */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "hv_sim_netns.h"

#define NETNS_DIR "/run/netns"
#define NSFS_MAGIC_ 0x6e736673

static void ns_path(const char *name, char *out, size_t n)
{
	snprintf(out, n, NETNS_DIR "/%s", name);
}

static bool valid_name(const char *name)
{
	return name && *name && !strchr(name, '/') && strcmp(name, ".") != 0 &&
	       strcmp(name, "..") != 0 && strlen(name) < 200;
}

bool xd_netns_exists(const char *name)
{
	char path[256];
	struct statfs fs;
	if (!valid_name(name))
		return false;
	ns_path(name, path, sizeof path);
	return statfs(path, &fs) == 0 && fs.f_type == NSFS_MAGIC_;
}

int xd_netns_fd(const char *name)
{
	char path[256];
	if (!valid_name(name))
		return -1;
	ns_path(name, path, sizeof path);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* /run/netns as a shared mount point (what `ip netns add` does). */
static int share_dir(void)
{
	if (mkdir("/run", 0755) != 0 && errno != EEXIST)
		return -1;
	if (mkdir(NETNS_DIR, 0755) != 0 && errno != EEXIST)
		return -1;
	if (mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	if (mount(NETNS_DIR, NETNS_DIR, "none", MS_BIND | MS_REC, NULL) != 0)
		return -1;
	return mount("", NETNS_DIR, "none", MS_SHARED | MS_REC, NULL);
}

typedef struct make_job {
	const char *path;
	int err;
	const char *what;
} make_job;

static void *make_thread(void *arg)
{
	make_job *j = arg;
	char self[64];
	if (unshare(CLONE_NEWNET) != 0) {
		j->err = errno, j->what = "unshare";
		return NULL;
	}
	snprintf(self, sizeof self, "/proc/self/task/%d/ns/net", (int)gettid());
	if (mount(self, j->path, "none", MS_BIND, NULL) != 0)
		j->err = errno, j->what = "mount";
	return NULL;
}

int xd_netns_make(const char *name, xd_error *err)
{
	char path[256];
	if (!valid_name(name))
		return xd_error_setf(err, "INTERNAL_ERROR", "'%s' is not a namespace name",
				     name ? name : "");
	if (xd_netns_exists(name))
		return 0;
	if (share_dir() != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot prepare %s: %s", NETNS_DIR,
				     strerror(errno));
	ns_path(name, path, sizeof path);
	int fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
	if (fd < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot create %s: %s", path,
				     strerror(errno));
	close(fd);
	make_job j = { .path = path };
	pthread_t t;
	int e = pthread_create(&t, NULL, make_thread, &j);
	if (e == 0)
		pthread_join(t, NULL);
	else
		j.err = e, j.what = "pthread_create";
	if (j.err) {
		unlink(path);
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot make network namespace %s: %s: %s",
				     name, j.what, strerror(j.err));
	}
	return 0;
}

void xd_netns_remove(const char *name)
{
	char path[256];
	if (!valid_name(name))
		return;
	ns_path(name, path, sizeof path);
	(void)umount2(path, MNT_DETACH);
	(void)unlink(path);
}

struct nl_sock *xd_netns_socket(const char *name, xd_error *err)
{
	int target = -1, home = -1;
	struct nl_sock *sk = nl_socket_alloc();
	if (!sk) {
		xd_error_setf(err, "INTERNAL_ERROR", "out of memory for a netlink socket");
		return NULL;
	}
	if (name) {
		target = xd_netns_fd(name);
		home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (target < 0 || home < 0 || setns(target, CLONE_NEWNET) != 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "cannot enter network namespace %s: %s",
				      name, strerror(errno));
			goto fail;
		}
	}
	int rc = nl_connect(sk, NETLINK_ROUTE);
	/* back home before anything else: this thread serves other calls */
	if (home >= 0 && setns(home, CLONE_NEWNET) != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot leave network namespace %s: %s", name,
			      strerror(errno));
		goto fail;
	}
	if (rc < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "netlink socket in %s: %s", name ? name : "xapid",
			      nl_geterror(rc));
		goto fail;
	}
	if (target >= 0)
		close(target);
	if (home >= 0)
		close(home);
	return sk;
fail:
	if (target >= 0)
		close(target);
	if (home >= 0)
		close(home);
	nl_socket_free(sk);
	return NULL;
}
