/* hv_sim_image.c - the simulated suspend image (see hv_sim_image.h). */
#define _GNU_SOURCE
#include "hv_sim_image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "uri.h"

#define MAGIC "XAPI-C-SIM-SUSPEND-IMAGE"
#define MAX_IMAGE_BYTES (1024 * 1024) /* far more than any real header */

/* The file a datapath names (heap): a file:// URI is percent-decoded
 * (xapi/storage.h), anything else is a path as it is. */
static char *file_path(const char *path, xd_error *err)
{
	char *p = strncmp(path, "file://", 7) == 0 ? xd_file_uri_path(path) : strdup(path);
	if (!p)
		xd_error_setf(err, "INTERNAL_ERROR", "unusable suspend image path %s", path);
	return p;
}

/* Names written into the image must not break its line format. */
static bool plain_word(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

int xd_sim_image_write(const xd_sim_image *img, const char *path, xd_error *err)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	char *p = file_path(path, err);
	size_t off = 0;
	int fd = -1, rc = -1, i;

	if (!p)
		return -1;
	if (!plain_word(img->vm_uuid) || !plain_word(img->domain_type)) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot write a suspend image for this domain");
		goto out;
	}
	xd_strbuf_printf(&sb, "%s %d\nvm %s\ntype %s\nmemory %lld\nstatic_max %lld\n", MAGIC,
			  XD_SIM_IMAGE_VERSION, img->vm_uuid, img->domain_type,
			  (long long)img->memory, (long long)img->static_max);
	xd_strbuf_printf(&sb, "vcpus %d %d\ncpu_time %.6f\n", img->vcpus, img->vcpus_max,
			  img->cpu_time_s);
	for (i = 0; i < img->ndisks; i++) {
		if (!plain_word(img->vdevs[i])) {
			xd_error_setf(err, "INTERNAL_ERROR", "cannot write a suspend image for this domain");
			goto out;
		}
		xd_strbuf_printf(&sb, "disk %s\n", img->vdevs[i]);
	}
	for (i = 0; i < img->nnics; i++)
		xd_strbuf_printf(&sb, "nic %d\n", img->devids[i]);
	xd_strbuf_puts(&sb, "end\n");

	/* no O_TRUNC: the image may go onto a VDI whose size must not change */
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot write suspend image %s: %s", p,
			      strerror(errno));
		goto out;
	}
	while (off < sb.len) {
		ssize_t n = write(fd, sb.data + off, sb.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "cannot write suspend image %s: %s", p,
				      n < 0 ? strerror(errno) : "short write");
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot write suspend image %s: %s", p,
			      strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	xd_strbuf_free(&sb);
	free(p);
	return rc;
}

/* Reads at most MAX_IMAGE_BYTES; the header ends well before. */
static char *slurp(const char *path, xd_error *err)
{
	char *buf = malloc(MAX_IMAGE_BYTES + 1);
	size_t len = 0;
	int fd;

	if (!buf)
		abort();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot read suspend image %s: %s", path,
			      strerror(errno));
		free(buf);
		return NULL;
	}
	while (len < MAX_IMAGE_BYTES) {
		ssize_t n = read(fd, buf + len, MAX_IMAGE_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "cannot read suspend image %s: %s", path,
				      strerror(errno));
			close(fd);
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (memmem(buf, len, "\nend\n", 5))
			break;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_int(const char *s, int *out)
{
	int64_t v;

	if (parse_i64(s, &v) < 0 || v > 1000000)
		return -1;
	*out = (int)v;
	return 0;
}

static void add_disk(xd_sim_image *img, const char *vdev)
{
	char **v = realloc(img->vdevs, sizeof(char *) * (size_t)(img->ndisks + 1));
	if (!v || !(v[img->ndisks] = strdup(vdev)))
		abort();
	img->vdevs = v;
	img->ndisks++;
}

static void add_nic(xd_sim_image *img, int devid)
{
	int *v = realloc(img->devids, sizeof(int) * (size_t)(img->nnics + 1));
	if (!v)
		abort();
	v[img->nnics++] = devid;
	img->devids = v;
}

/* One "key value" line into img; -1 if it is not one of ours. */
static int parse_line(xd_sim_image *img, char *line)
{
	char *sp = strchr(line, ' ');
	char *key = line, *val;
	int devid;

	if (!sp)
		return -1;
	*sp = '\0';
	val = sp + 1;
	if (strcmp(key, "vm") == 0 && !img->vm_uuid && plain_word(val))
		return (img->vm_uuid = strdup(val)) ? 0 : -1;
	if (strcmp(key, "type") == 0 && !img->domain_type && plain_word(val))
		return (img->domain_type = strdup(val)) ? 0 : -1;
	if (strcmp(key, "memory") == 0)
		return parse_i64(val, &img->memory);
	if (strcmp(key, "static_max") == 0)
		return parse_i64(val, &img->static_max);
	if (strcmp(key, "vcpus") == 0) {
		char *sp2 = strchr(val, ' ');
		if (!sp2)
			return -1;
		*sp2 = '\0';
		return parse_int(val, &img->vcpus) < 0 || parse_int(sp2 + 1, &img->vcpus_max) < 0 ? -1 : 0;
	}
	if (strcmp(key, "cpu_time") == 0) {
		char *end;
		img->cpu_time_s = strtod(val, &end);
		return end == val || *end || img->cpu_time_s < 0 ? -1 : 0;
	}
	if (strcmp(key, "disk") == 0 && plain_word(val)) {
		add_disk(img, val);
		return 0;
	}
	if (strcmp(key, "nic") == 0 && parse_int(val, &devid) == 0) {
		add_nic(img, devid);
		return 0;
	}
	return -1;
}

int xd_sim_image_read(const char *path, xd_sim_image *out, xd_error *err)
{
	char *p = file_path(path, err);
	char *buf, *line, *next;
	int version = -1, lineno = 1, rc = -1;
	bool ended = false;

	memset(out, 0, sizeof(*out));
	if (!p)
		return -1;
	buf = slurp(p, err);
	if (!buf) {
		free(p);
		return -1;
	}
	next = strchr(buf, '\n');
	if (strncmp(buf, MAGIC " ", strlen(MAGIC) + 1) != 0 || !next) {
		xd_error_setf(err, "INTERNAL_ERROR", "%s is not a suspend image", p);
		goto out;
	}
	*next = '\0';
	if (parse_int(buf + strlen(MAGIC) + 1, &version) < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "%s is not a suspend image", p);
		goto out;
	}
	if (version != XD_SIM_IMAGE_VERSION) {
		xd_error_set(err, "RESTORE_INCOMPATIBLE_VERSION", NULL);
		goto out;
	}
	for (line = next + 1; line && *line; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (!next)
			break; /* a last line without newline: the image was cut short */
		*next++ = '\0';
		if (strcmp(line, "end") == 0) {
			ended = true;
			break;
		}
		if (parse_line(out, line) < 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "suspend image %s is corrupt (line %d)", p,
				      lineno);
			goto out;
		}
	}
	if (!ended || !out->vm_uuid || !out->domain_type || out->memory <= 0 || out->vcpus < 1 ||
	    out->vcpus > out->vcpus_max) {
		xd_error_setf(err, "INTERNAL_ERROR", "suspend image %s is corrupt (incomplete)", p);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		xd_sim_image_clear(out);
	free(buf);
	free(p);
	return rc;
}

int xd_sim_image_check(const xd_sim_image *img, const xd_hv_domain_spec *spec, const char *what,
		       xd_error *err)
{
	int i, j;

	if (strcmp(img->vm_uuid, spec->vm_uuid) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "suspend image %s is of VM %s, not %s",
				     what, img->vm_uuid, spec->vm_uuid);
	if (img->memory > spec->memory_static_max)
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "suspend image %s holds %lld bytes of memory, more than the "
				     "VM's memory_static_max %lld", what, (long long)img->memory,
				     (long long)spec->memory_static_max);
	if (img->vcpus > spec->vcpus_max)
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "suspend image %s has %d vCPUs online, more than the VM's "
				     "VCPUs_max %lld", what, img->vcpus, (long long)spec->vcpus_max);
	/* same sets of devices (both sides hold unique names) */
	if (img->ndisks != spec->ndisks || img->nnics != spec->nnics)
		return xd_error_setf(err, "INTERNAL_ERROR",
				     "suspend image %s has %d disks and %d NICs, the VM %d and %d",
				     what, img->ndisks, img->nnics, spec->ndisks, spec->nnics);
	for (i = 0; i < img->ndisks; i++) {
		for (j = 0; j < spec->ndisks; j++)
			if (strcmp(img->vdevs[i], spec->disks[j].vdev) == 0)
				break;
		if (j == spec->ndisks)
			return xd_error_setf(err, "INTERNAL_ERROR",
					     "suspend image %s has disk %s, the VM has not", what,
					     img->vdevs[i]);
	}
	for (i = 0; i < img->nnics; i++) {
		for (j = 0; j < spec->nnics; j++)
			if (img->devids[i] == spec->nics[j].devid)
				break;
		if (j == spec->nnics)
			return xd_error_setf(err, "INTERNAL_ERROR",
					     "suspend image %s has NIC %d, the VM has not", what,
					     img->devids[i]);
	}
	return 0;
}

void xd_sim_image_clear(xd_sim_image *img)
{
	int i;

	free(img->vm_uuid);
	free(img->domain_type);
	for (i = 0; i < img->ndisks; i++)
		free(img->vdevs[i]);
	free(img->vdevs);
	free(img->devids);
	memset(img, 0, sizeof(*img));
}
