/* plugin_file.c - the .so a plugin was loaded from, held open
 * (plugin_file.h). */
#define _GNU_SOURCE /* asprintf */
#include "plugin_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static xd_file_id id_of(const struct stat *st)
{
	xd_file_id id = { .dev = st->st_dev, .ino = st->st_ino, .size = st->st_size,
			  .mtime = st->st_mtim };
	return id;
}

static bool same_file(const xd_file_id *a, const xd_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

static bool same_contents(const xd_file_id *a, const xd_file_id *b)
{
	return same_file(a, b) && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* FNV-1a over the file's contents: enough to tell a rewritten file from a
 * touched one (this is not about attackers: whoever can write the .so
 * owns the plugin anyway). */
static int digest_of(int fd, uint64_t *out)
{
	unsigned char buf[65536];
	uint64_t h = 1469598103934665603ull;
	off_t off = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof buf, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
		off += n;
	}
	*out = h;
	return 0;
}

int xd_plugin_file_open(xd_plugin_file *f, const char *path, char **why)
{
	struct stat st;
	memset(f, 0, sizeof *f);
	f->fd = -1;
	pthread_mutex_init(&f->lock, NULL);
	*why = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		/* the words the worker used when it looked the file up itself */
		if (asprintf(why, "%s %s (%s)", errno == ENOENT ? "no such file" : "cannot open",
			     path, strerror(errno)) < 0)
			*why = NULL;
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || digest_of(fd, &f->digest) != 0) {
		if (asprintf(why, "cannot load %s: not a regular file", path) < 0)
			*why = NULL;
		close(fd);
		return -1;
	}
	f->fd = fd;
	f->path = strdup(path);
	f->loaded = id_of(&st);
	return 0;
}

void xd_plugin_file_close(xd_plugin_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	free(f->path);
	f->path = NULL;
	pthread_mutex_destroy(&f->lock);
}

int xd_plugin_file_check(xd_plugin_file *f, const char *plugin, char **why)
{
	struct stat held, ondisk;
	int rc = 0;
	*why = NULL;
	if (f->fd < 0)
		return 0;
	pthread_mutex_lock(&f->lock);
	if (!f->changed_in_place && fstat(f->fd, &held) == 0) {
		xd_file_id now = id_of(&held);
		uint64_t d = 0;
		if (!same_contents(&now, &f->loaded) && digest_of(f->fd, &d) == 0 &&
		    d == f->digest) {
			f->loaded = now; /* touched, not changed */
		} else if (!same_contents(&now, &f->loaded)) {
			f->changed_in_place = true;
			xd_err("plugin %s: %s was changed in place since it was loaded (size %lld, "
			       "was %lld): no worker is started from it any more, its calls fail; "
			       "restart xapid to load the new build (and install plugins with "
			       "`install`, which replaces the file, not `cp` over it)",
			       plugin, f->path, (long long)now.size, (long long)f->loaded.size);
		}
	}
	if (f->changed_in_place) {
		if (asprintf(why, "%s was changed in place since it was loaded (restart xapid to "
			     "load the new build)", f->path) < 0)
			*why = NULL;
		rc = -1;
		goto out;
	}
	/* the path: still the file that was loaded? */
	xd_file_id disk = { 0 };
	bool there = stat(f->path, &ondisk) == 0;
	if (there)
		disk = id_of(&ondisk);
	if (there && same_file(&disk, &f->loaded))
		goto out;
	if (f->reported_any && same_contents(&disk, &f->reported))
		goto out; /* said already */
	f->reported_any = true;
	f->reported = disk;
	if (there)
		xd_warn("plugin %s: %s was replaced on disk since the plugin was loaded; its workers "
			"go on running the loaded build (and SM describes it): restart xapid to load "
			"the new file", plugin, f->path);
	else
		xd_warn("plugin %s: %s was removed since the plugin was loaded; its workers go on "
			"running the loaded build until xapid restarts", plugin, f->path);
out:
	pthread_mutex_unlock(&f->lock);
	return rc;
}
