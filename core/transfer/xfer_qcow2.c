/* xfer_qcow2.c - format=qcow2 on the VDI paths, through qemu's block layer
 * (`qemu-img convert`, already a dependency of the file driver): qcow2 is
 * not a stream format (its tables may sit anywhere), so an export is
 * converted into a staging file first (with a base: only the clusters
 * that differ, by a qemu-img rebase) and then sent with its length, and
 * an import is spooled into one and then committed onto the VDI's
 * datapath (qemu-img speaks file paths and nbd+unix:// URIs, the
 * datapaths drivers hand out). The staging file lives in $TMPDIR (default
 * /var/tmp) and is removed at the end, also on failure. qemu-img runs as a
 * child the task's cancel kills. The datapath must not be open here at
 * the same time (an NBD server may take one client only). */
#include <errno.h>
#include <fcntl.h>
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
#include "tasks/tasks.h"
#include "transfer.h"

extern char **environ;

/* What qemu-img opens for a datapath URI. */
static const char *qemu_target(const char *uri)
{
	return strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
}

static char *stage_path(void)
{
	const char *dir = getenv("TMPDIR");
	char *p = malloc(strlen(dir && *dir ? dir : "/var/tmp") + 32);
	if (!p)
		abort();
	sprintf(p, "%s/xapid-qcow2-XXXXXX", dir && *dir ? dir : "/var/tmp");
	int fd = mkstemp(p);
	if (fd < 0) {
		free(p);
		return NULL;
	}
	close(fd);
	return p;
}

/* Runs qemu-img with args; its stderr (the last 1 KiB) goes into the
 * error. A cancel of task kills it within 0.2 s. */
static int qemu_img(char *const argv[], const char *task, xd_error *err)
{
	int errp[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	if (pipe(errp) < 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "pipe: %s", strerror(errno)), -1;
	fcntl(errp[0], F_SETFD, FD_CLOEXEC);
	fcntl(errp[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	int rc = posix_spawnp(&pid, "qemu-img", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(errp[1]);
	if (rc != 0) {
		close(errp[0]);
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot run qemu-img: %s", strerror(rc)), -1;
	}
	fcntl(errp[0], F_SETFL, O_NONBLOCK);
	char msg[1024];
	size_t have = 0;
	int st = 0;
	bool cancelled = false;
	for (;;) {
		ssize_t n = read(errp[0], msg + have, sizeof(msg) - 1 - have);
		if (n > 0)
			have += (size_t)n;
		if (have == sizeof(msg) - 1)
			have = 0; /* keep the end */
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (!cancelled && task && xd_task_cancelling(task)) {
			kill(pid, SIGKILL);
			cancelled = true;
		}
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	close(errp[0]);
	msg[have] = 0;
	if (cancelled)
		return xd_error_set(err, "TASK_CANCELLED", task, NULL), -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return xd_error_setf(err, "VDI_IO_ERROR", "qemu-img: %s", msg[0] ? msg : "failed"), -1;
	return 0;
}

int xd_qcow2_export(const char *uri, const char *base_uri, xd_xfer_out *out_head_then_data,
		    int (*head)(void *ctx, int64_t length), void *ctx, const char *task,
		    xd_error *err)
{
	char *tmp = stage_path();
	int fd = -1, rc = -1;
	if (!tmp)
		return xd_error_setf(err, "INTERNAL_ERROR", "cannot make a staging file: %s",
				     strerror(errno)), -1;
	xd_task_set_progress(task, 0.0);
	if (!base_uri) {
		char *argv[] = { (char *)"qemu-img", (char *)"convert", (char *)"-f", (char *)"raw",
				 (char *)"-O", (char *)"qcow2", (char *)qemu_target(uri), tmp, NULL };
		if (qemu_img(argv, task, err) < 0)
			goto out;
	} else {
		/* a delta: an empty image over the VDI is rebased (safe mode) onto
		 * the base, so qemu-img copies in exactly the clusters where the
		 * two differ; then the base's name is taken out: the delta
		 * stands alone, as xapi's (the importer lays it over its copy) */
		char *over[] = { (char *)"qemu-img", (char *)"create", (char *)"-q", (char *)"-f",
				 (char *)"qcow2", (char *)"-F", (char *)"raw", (char *)"-b",
				 (char *)qemu_target(uri), tmp, NULL };
		char *diff[] = { (char *)"qemu-img", (char *)"rebase", (char *)"-F", (char *)"raw",
				 (char *)"-b", (char *)qemu_target(base_uri), tmp, NULL };
		char *alone[] = { (char *)"qemu-img", (char *)"rebase", (char *)"-u", (char *)"-b",
				  (char *)"", tmp, NULL };
		if (qemu_img(over, task, err) < 0 || qemu_img(diff, task, err) < 0 ||
		    qemu_img(alone, task, err) < 0)
			goto out;
	}
	fd = open(tmp, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) < 0) {
		xd_error_setf(err, "VDI_IO_ERROR", "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (head(ctx, sb.st_size) < 0) {
		xd_error_setf(err, "VDI_IO_ERROR", "the client went away");
		goto out;
	}
	out_head_then_data->total = sb.st_size;
	xd_vdi_progress prog;
	xd_vdi_progress_init(&prog, task, 0.5, 1.0, sb.st_size);
	for (int64_t off = 0; off < sb.st_size;) {
		/* sendfile from the staging file's page cache, in pieces so
		 * that progress moves */
		size_t n = sb.st_size - off < (int64_t)XD_VDI_DATA_CHUNK ? (size_t)(sb.st_size - off)
									   : XD_VDI_DATA_CHUNK;
		if (xd_xfer_write_file(out_head_then_data, fd, off, n, err) < 0)
			goto out;
		off += (int64_t)n;
		xd_vdi_progress_update(&prog, off);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

/* The virtual size in a qcow2 header (big-endian u64 at 24), or -1. */
static int64_t qcow2_size(int fd)
{
	unsigned char h[32];
	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) || memcmp(h, "QFI\xfb", 4) != 0)
		return -1;
	uint64_t v = 0;
	for (int i = 24; i < 32; i++)
		v = v << 8 | h[i];
	return (int64_t)v;
}

int xd_qcow2_import(xd_xfer_in *in, const char *uri, int64_t size, const char *vdi,
		    xd_error *err)
{
	char *tmp = stage_path();
	int fd = -1, rc = -1;
	char *buf = malloc(XD_VDI_DATA_CHUNK);
	if (!buf)
		abort();
	if (!tmp) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot make a staging file: %s", strerror(errno));
		goto out;
	}
	fd = open(tmp, O_RDWR | O_CLOEXEC);
	xd_vdi_progress prog;
	xd_vdi_progress_init(&prog, in->task, 0.0, 0.5, in->limit);
	for (;;) {
		int64_t n = xd_xfer_read_some(in, buf, XD_VDI_DATA_CHUNK, err);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (pwrite(fd, buf, (size_t)n, in->pos - n) != n) {
			xd_error_setf(err, "VDI_IO_ERROR", "%s: %s", tmp, strerror(errno));
			goto out;
		}
		xd_vdi_progress_update(&prog, in->pos);
	}
	int64_t vsize = qcow2_size(fd);
	if (vsize < 0) {
		xd_error_setf(err, "VDI_IO_ERROR", "not a qcow2 image");
		goto out;
	}
	if (vsize > size) {
		char want[32];
		snprintf(want, sizeof(want), "%lld", (long long)vsize);
		xd_error_set(err, "VDI_TOO_SMALL", vdi, want, NULL);
		goto out;
	}
	/* the clusters the image holds (data, or zeros it says) written over
	 * the VDI, the others left as they are (as xapi's qcow-stream-tool;
	 * so a delta lands on its base): the VDI becomes the image's backing
	 * file and the image is committed into it */
	char *rebase[] = { (char *)"qemu-img", (char *)"rebase", (char *)"-u", (char *)"-F",
			   (char *)"raw", (char *)"-b", (char *)qemu_target(uri), tmp, NULL };
	char *commit[] = { (char *)"qemu-img", (char *)"commit", (char *)"-d", tmp, NULL };
	if (qemu_img(rebase, in->task, err) < 0 || qemu_img(commit, in->task, err) < 0)
		goto out;
	xd_task_set_progress(in->task, 1.0);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(buf);
	return rc;
}
