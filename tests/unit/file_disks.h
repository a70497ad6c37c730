/* file_disks.h - sparse files as file:// datapaths for the unit tests of
 * the datapath and the transfers: a temp dir (dir, made by
 * file_disks_dir), files in it, and a byte pattern. Header only. */
#ifndef XD_TEST_FILE_DISKS_H
#define XD_TEST_FILE_DISKS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MIB (1 << 20)

static char dir[64];

/* The test's temp dir under /tmp (tag names the test); 0 or -1. */
static inline int file_disks_dir(const char *tag)
{
	snprintf(dir, sizeof(dir), "/tmp/xd-%s-XXXXXX", tag);
	return mkdtemp(dir) ? 0 : -1;
}

/* Removes the temp dir and what is in it. */
static inline void file_disks_clean(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
}

/* A file of size bytes (sparse), its URI into uri. */
static inline void make_file(const char *name, long size, char *uri, size_t n)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, size) != 0) {
		printf("# cannot make %s\n", path);
		exit(1);
	}
	close(fd);
	snprintf(uri, n, "file://%s", path);
}

/* n bytes of a pattern that holds no zero byte. */
static inline void fill(char *buf, size_t n, int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(1 + (i * 7 + (size_t)seed) % 251);
}

#endif
