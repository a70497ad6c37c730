/* plugin_netns.c - the worker of a network backend entering the network
 * namespace of the simulated host (xapid's --backend sim), as `ip netns
 * exec` does: setns into /run/netns/<name>, then a mount namespace of its
 * own whose /sys is a sysfs mounted from inside (sysfs shows the network
 * devices of the namespace that mounted it), so /sys/class/net, netlink,
 * ioctls and the helper programs the plugin runs all see that namespace. */
#define _GNU_SOURCE /* setns, unshare */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "plugin_worker.h"

static int fail(char **why, const char *what, const char *name)
{
	if (asprintf(why, "cannot enter network namespace %s: %s: %s", name, what,
		     strerror(errno)) < 0)
		*why = NULL;
	return -1;
}

int xd_worker_enter_netns(const char *name, char **why)
{
	char path[512];
	*why = NULL;
	if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		errno = EINVAL;
		return fail(why, "not a namespace name", name);
	}
	snprintf(path, sizeof path, "/run/netns/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(why, path, name);
	int rc = setns(fd, CLONE_NEWNET);
	close(fd);
	if (rc != 0)
		return fail(why, "setns", name);
	if (unshare(CLONE_NEWNS) != 0)
		return fail(why, "unshare(CLONE_NEWNS)", name);
	/* Nothing mounted here may leak back to the host's mount namespace. */
	if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) != 0)
		return fail(why, "mount --make-rslave /", name);
	(void)umount2("/sys", MNT_DETACH);
	if (mount(name, "/sys", "sysfs", 0, NULL) != 0)
		return fail(why, "mount sysfs on /sys", name);
	return 0;
}
