/* plugin_file.h - the .so a plugin was loaded from, held open.
 *
 * xapid opens a plugin's .so once, when it loads the plugin, and keeps that
 * file open until shutdown; every worker it starts for the plugin gets the
 * open file (plugin_proc.c passes it as fd XD_PP_WORKER_SO_FD, the worker
 * dlopens /proc/self/fd/N), so a worker runs exactly the build that was
 * checked, whatever happens to the path meanwhile. Before each worker start
 * and at every rescan the file is compared with what was loaded (device,
 * inode, size, modification time):
 *  - the path now names another file (replaced, as `install` or a package
 *    manager does, or removed): logged once per new file, naming the plugin
 *    and what to do (restart xapid to load it); workers go on running the
 *    loaded build from the held file, and the SM record goes on describing it;
 *  - the held file itself was changed in place (cp over it; its size or
 *    time changed and a digest of its contents differs, so a `touch` is
 *    not a change): what the held file holds is no longer what was
 *    checked, so no worker is started from it (logged once; each call
 *    fails saying why) until xapid restarts.
 *
 * Owns: the held fd, the identity it had at load, what was last reported.
 */
#ifndef XD_PLUGIN_FILE_H
#define XD_PLUGIN_FILE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

typedef struct xd_file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
} xd_file_id;

typedef struct xd_plugin_file {
	int fd;                  /* -1: none */
	char *path;
	xd_file_id loaded;       /* what fd was at open (mtime: as last seen) */
	uint64_t digest;         /* of its contents at open */
	pthread_mutex_t lock;    /* what follows */
	bool reported_any;
	xd_file_id reported;     /* what the path was at the last report */
	bool changed_in_place;   /* fd's contents are no longer what was loaded */
} xd_plugin_file;

/* Opens path (O_CLOEXEC: only a worker's spawn hands it on). Returns 0, or
 * -1 with *why (heap) in the words of a refusal line. */
int xd_plugin_file_open(xd_plugin_file *f, const char *path, char **why);
void xd_plugin_file_close(xd_plugin_file *f);

/* Compares the file with what was loaded, logging a change once (plugin:
 * the plugins.d name, for the log line). Returns 0 if workers may be
 * started from the held file, or -1 with *why (heap) if it was changed in
 * place. */
int xd_plugin_file_check(xd_plugin_file *f, const char *plugin, char **why);

#endif
