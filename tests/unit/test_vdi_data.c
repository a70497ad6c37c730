/* test_vdi_data.c - datapaths (core/datapath/vdi_data.c) on file:// URIs: reads,
 * writes, holes, extents, the block copy (sparse, incremental, cancel-free)
 * and the errors. The NBD backend is exercised by the integration tests
 * (the file driver serves VDIs with qemu-nbd). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datapath/vdi_data.h"
#include "file_disks.h"
#include "tap.h"

#include <xapi/storage.h>

static void test_basics(void)
{
	xd_error err = XD_ERROR_INIT;
	char uri[256], *buf = malloc(MIB), *back = malloc(MIB);
	make_file("a", 8 * MIB, uri, sizeof(uri));
	xd_vdi_data *d = xd_vdi_data_open(uri, true, &err);
	ok(d != NULL, "a file datapath opens");
	is_int(xd_vdi_data_size(d), 8 * MIB, "  its size");
	ok(xd_vdi_data_maps_holes(d), "  a regular file maps its holes");
	bool hole = false;
	is_int(xd_vdi_data_extent(d, 0, 8 * MIB, &hole, &err), 8 * MIB, "a new file is one extent");
	ok(hole, "  of hole");
	fill(buf, MIB, 1);
	is_int(xd_vdi_data_write(d, buf, MIB, 2 * MIB, &err), 0, "write 1 MiB at 2 MiB");
	is_int(xd_vdi_data_read(d, back, MIB, 2 * MIB, &err), 0, "read it back");
	ok(memcmp(buf, back, MIB) == 0, "  the same bytes");
	int64_t n = xd_vdi_data_extent(d, 0, 8 * MIB, &hole, &err);
	ok(hole && n == 2 * MIB, "extent: a hole up to the data (%lld)", (long long)n);
	n = xd_vdi_data_extent(d, 2 * MIB, 6 * MIB, &hole, &err);
	ok(!hole && n >= MIB && n <= 6 * MIB, "extent: then data");
	is_int(xd_vdi_data_zero(d, MIB, 2 * MIB, &err), 0, "zero the range");
	is_int(xd_vdi_data_read(d, back, MIB, 2 * MIB, &err), 0, "read it");
	ok(xd_vdi_data_is_zero(back, MIB), "  zeros");
	is_int(xd_vdi_data_flush(d, &err), 0, "flush");

	is_int(xd_vdi_data_read(d, back, MIB, 8 * MIB - 10, &err), -1, "a read past the end");
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	xd_error_clear(&err);
	is_int(xd_vdi_data_write(d, buf, 10, -1, &err), -1, "a write before the start");
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	xd_error_clear(&err);
	xd_vdi_data_close(d);

	d = xd_vdi_data_open(uri, false, &err);
	is_int(xd_vdi_data_write(d, buf, 10, 0, &err), -1, "no write through a read-only open");
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	xd_error_clear(&err);
	xd_vdi_data_close(d);

	ok(xd_vdi_data_is_zero(back, 0), "nothing is zeros");
	back[MIB - 1] = 1;
	ok(!xd_vdi_data_is_zero(back, MIB), "a last non-zero byte counts");
	free(buf);
	free(back);
}

static void test_open_errors(void)
{
	xd_error err = XD_ERROR_INIT;
	ok(xd_vdi_data_open("ftp://x/y", false, &err) == NULL, "an unknown scheme");
	is_str(err.code, "INTERNAL_ERROR", "  INTERNAL_ERROR");
	xd_error_clear(&err);
	ok(xd_vdi_data_open("file://host/y", false, &err) == NULL, "file:// with a host");
	is_str(err.code, "INTERNAL_ERROR", "  INTERNAL_ERROR");
	xd_error_clear(&err);
	ok(xd_vdi_data_open("file:///nonexistent/xapi-c/vdi", false, &err) == NULL, "a missing file");
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	ok(err.nparams == 1 && strstr(err.params[0], "No such file"), "  saying why");
	xd_error_clear(&err);
	ok(xd_vdi_data_open("nbd+unix:///?socket=/nonexistent/xapi-c.sock", false, &err) == NULL,
	   "an NBD socket nobody serves");
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	xd_error_clear(&err);

	/* percent-encoded paths */
	char uri[256];
	make_file("with space", MIB, uri, sizeof(uri));
	char enc[300];
	snprintf(enc, sizeof(enc), "file://%s/with%%20space", dir);
	xd_vdi_data *d = xd_vdi_data_open(enc, false, &err);
	ok(d != NULL, "a percent-encoded path opens");
	xd_vdi_data_close(d);
}

static void test_copy(void)
{
	xd_error err = XD_ERROR_INIT;
	char su[256], du[256], bu[256];
	const long size = 9 * MIB + 4096; /* not a whole number of chunks */
	char *a = malloc((size_t)size), *b = malloc((size_t)size);
	make_file("src", size, su, sizeof(su));
	make_file("dst", size, du, sizeof(du));
	xd_vdi_data *s = xd_vdi_data_open(su, true, &err), *d = xd_vdi_data_open(du, true, &err);
	fill(a, MIB, 3);
	xd_vdi_data_write(s, a, MIB, 0, &err);
	fill(a, 4096, 4);
	xd_vdi_data_write(s, a, 4096, size - 4096, &err);
	/* dst holds garbage that a non-fresh copy must overwrite with zeros */
	memset(b, 0x55, (size_t)size);
	xd_vdi_data_write(d, b, (size_t)size, 0, &err);
	is_int(xd_vdi_data_copy(s, d, NULL, size, false, NULL, 0, 1, &err), 0, "copy into a used VDI");
	xd_vdi_data_read(s, a, (size_t)size, 0, &err);
	xd_vdi_data_read(d, b, (size_t)size, 0, &err);
	ok(memcmp(a, b, (size_t)size) == 0, "  the same bytes, holes as zeros");

	/* fresh destination: holes are skipped and stay holes */
	char fu[256];
	make_file("fresh", size, fu, sizeof(fu));
	xd_vdi_data *f = xd_vdi_data_open(fu, true, &err);
	is_int(xd_vdi_data_copy(s, f, NULL, size, true, NULL, 0, 1, &err), 0, "copy into a fresh VDI");
	xd_vdi_data_read(f, b, (size_t)size, 0, &err);
	ok(memcmp(a, b, (size_t)size) == 0, "  the same bytes");
	struct stat st;
	char path[256];
	snprintf(path, sizeof(path), "%s/fresh", dir);
	stat(path, &st);
	ok(st.st_blocks * 512 < 3 * MIB, "  sparse (%lld bytes used)", (long long)st.st_blocks * 512);

	/* incremental: base = the old src; only what changed is written */
	make_file("base", size, bu, sizeof(bu));
	xd_vdi_data *base = xd_vdi_data_open(bu, true, &err);
	xd_vdi_data_copy(s, base, NULL, size, true, NULL, 0, 1, &err);
	fill(a, MIB, 5);
	xd_vdi_data_write(s, a, MIB, 5 * MIB, &err);
	is_int(xd_vdi_data_copy(s, f, base, size, false, NULL, 0, 1, &err), 0, "incremental copy");
	xd_vdi_data_read(s, a, (size_t)size, 0, &err);
	xd_vdi_data_read(f, b, (size_t)size, 0, &err);
	ok(memcmp(a, b, (size_t)size) == 0, "  brings the changes");

	xd_vdi_data *ro = xd_vdi_data_open(fu, false, &err);
	is_int(xd_vdi_data_copy(s, ro, NULL, size, false, NULL, 0, 1, &err), -1,
	       "no copy into a read-only datapath");
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	xd_error_clear(&err);
	xd_vdi_data_close(ro);
	xd_vdi_data_close(base);
	xd_vdi_data_close(f);
	xd_vdi_data_close(s);
	xd_vdi_data_close(d);
	free(a);
	free(b);
}

/* Datapaths are percent-encoded (xapi/storage.h): what xapi_datapath_file
 * writes opens the file it was given, and what does not decode is refused
 * rather than taken literally. */
static void test_encoded_paths(void)
{
	xd_error err = XD_ERROR_INIT;
	char uri[256], path[256], enc[1024];
	make_file("100% sure?#x", MIB, uri, sizeof(uri));
	snprintf(path, sizeof(path), "%s/100%% sure?#x", dir);
	ok(xapi_datapath_file(enc, sizeof(enc), path) > 0, "xapi_datapath_file");
	ok(strstr(enc, "/100%25%20sure%3F%23x") != NULL, "  encodes %%, space, ? and # (%s)", enc);
	xd_vdi_data *d = xd_vdi_data_open(enc, false, &err);
	ok(d != NULL, "  and that URI opens the file");
	is_int(d ? xd_vdi_data_size(d) : -1, MIB, "  of its size");
	xd_vdi_data_close(d);
	ok(xapi_datapath_file(enc, 12, path) == -1, "xapi_datapath_file: a short buffer is -1");

	snprintf(enc, sizeof(enc), "file://localhost%s/100%%25%%20sure%%3F%%23x", dir);
	d = xd_vdi_data_open(enc, false, &err);
	ok(d != NULL, "file://localhost/ opens too");
	xd_vdi_data_close(d);

	snprintf(enc, sizeof(enc), "file://%s/100%% sure", dir);
	ok(xd_vdi_data_open(enc, false, &err) == NULL, "a bare %% is refused");
	is_str(err.code, "INTERNAL_ERROR", "  INTERNAL_ERROR");
	ok(err.nparams == 1 && strstr(err.params[0], "percent-encoded"), "  saying why");
	xd_error_clear(&err);
	snprintf(enc, sizeof(enc), "file://%s/a%%00b", dir);
	ok(xd_vdi_data_open(enc, false, &err) == NULL, "%%00 is refused");
	xd_error_clear(&err);
}

int main(void)
{
	if (file_disks_dir("vdi-data") < 0)
		return 1;
	test_basics();
	test_open_errors();
	test_encoded_paths();
	test_copy();
	file_disks_clean();
	return tap_done();
}
