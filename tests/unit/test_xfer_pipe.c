/* test_xfer_pipe.c - core/transfer/xfer_pipe.c on file:// datapaths: the
 * sink writes every piece in place (zeros as holes) and reports a write's
 * failure first; the source hands out the pieces its plan names in order,
 * holes as zeros, padded, and a failure of the plan after the pieces
 * before it. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transfer/transfer.h"
#include "file_disks.h"
#include "tap.h"

/* Ten 1 MiB pieces, the odd ones zeros, written in reverse order. */
static void test_sink(void)
{
	xd_error err = XD_ERROR_INIT;
	char uri[256], *want = malloc(MIB), *back = malloc(MIB);
	make_file("sink", 10 * MIB, uri, sizeof(uri));
	xd_vdi_data *d = xd_vdi_data_open(uri, true, &err);
	xd_xfer_sink *s = xd_xfer_sink_start(d, MIB, NULL, NULL, &err);
	ok(s != NULL, "a sink starts");
	int queued = 0;
	for (int i = 9; i >= 0; i--) {
		char *buf = xd_xfer_sink_buf(s, &err);
		if (!buf)
			break;
		if (i % 2)
			memset(buf, 0, MIB);
		else
			fill(buf, MIB, i);
		xd_xfer_sink_put(s, MIB, (int64_t)i * MIB);
		queued++;
	}
	is_int(queued, 10, "ten pieces queued");
	is_int(xd_xfer_sink_end(s, &err), 0, "every piece written");
	int same = 0, holes = 0;
	for (int i = 0; i < 10; i++) {
		if (i % 2) {
			memset(want, 0, MIB);
			bool hole = false;
			holes += xd_vdi_data_extent(d, (int64_t)i * MIB, MIB, &hole, &err) == MIB && hole;
		} else {
			fill(want, MIB, i);
		}
		same += xd_vdi_data_read(d, back, MIB, (int64_t)i * MIB, &err) == 0 &&
			memcmp(want, back, MIB) == 0;
	}
	is_int(same, 10, "  each where it said");
	is_int(holes, 5, "  the pieces of zeros are holes");
	xd_vdi_data_close(d);
	is_int(xd_xfer_sink_end(NULL, &err), 0, "no sink: nothing to wait for");

	/* a datapath that refuses writes: the failure is the sink's answer,
	 * and it replaces what the caller had found meanwhile */
	d = xd_vdi_data_open(uri, false, &err);
	s = xd_xfer_sink_start(d, MIB, NULL, NULL, &err);
	char *buf = xd_xfer_sink_buf(s, &err);
	fill(buf, MIB, 3);
	xd_xfer_sink_put(s, MIB, 0);
	int bufs = 1;
	while (bufs < 100 && (buf = xd_xfer_sink_buf(s, &err)) != NULL) {
		xd_xfer_sink_put(s, 10, 0);
		bufs++;
	}
	ok(buf == NULL, "a failed write stops the sink's buffers (after %d)", bufs);
	is_str(err.code, "VDI_IO_ERROR", "  VDI_IO_ERROR");
	xd_error_clear(&err);
	xd_error_set(&err, "IMPORT_ERROR", "later", NULL);
	is_int(xd_xfer_sink_end(s, &err), -1, "the end says so");
	is_str(err.code, "VDI_IO_ERROR", "  the write's error first");
	xd_error_clear(&err);
	xd_vdi_data_close(d);
	free(want);
	free(back);
}

/* The plan of the source test: 1.5 MiB pieces at 0, 3, 6 MiB, padded to
 * 2 MiB; failing at the fourth when fail is set. */
typedef struct plan {
	int k;
	bool fail;
} plan;

static int next_piece(void *ctx, int64_t *off, size_t *len, size_t *total, xd_error *err)
{
	plan *p = ctx;
	if (p->k == 3 && p->fail)
		return xd_error_setf(err, "VDI_IO_ERROR", "the plan failed");
	if (p->k == 3)
		return 1;
	*off = (int64_t)p->k * 3 * MIB;
	*len = 3 * MIB / 2;
	*total = 2 * MIB;
	p->k++;
	return 0;
}

static void test_source(void)
{
	xd_error err = XD_ERROR_INIT;
	char uri[256], *data = malloc(MIB), *want = calloc(1, 2 * MIB);
	make_file("source", 8 * MIB, uri, sizeof(uri));
	xd_vdi_data *d = xd_vdi_data_open(uri, true, &err);
	fill(data, MIB, 5);
	xd_vdi_data_write(d, data, MIB, 3 * MIB + MIB / 4, &err); /* inside the second piece */
	for (int round = 0; round < 2; round++) {
		plan p = { 0, round == 1 };
		xd_xfer_source *s = xd_xfer_source_start(d, 2 * MIB, next_piece, &p, &err);
		ok(s != NULL, "a source starts (%s)", round ? "failing plan" : "plan");
		int good = 0;
		const char *buf;
		int64_t off, n;
		while ((n = xd_xfer_source_next(s, &buf, &off, &err)) > 0) {
			memset(want, 0, 2 * MIB);
			if (off == 3 * MIB)
				memcpy(want + MIB / 4, data, MIB);
			good += n == 2 * MIB && off == good * 3 * MIB && memcmp(buf, want, 2 * MIB) == 0;
		}
		is_int(good, 3, "  three pieces in order, holes as zeros, padded");
		if (round == 0) {
			is_int(n, 0, "  then the end");
		} else {
			is_int(n, -1, "  then the plan's failure");
			is_str(err.code, "VDI_IO_ERROR", "  its error");
		}
		xd_error_clear(&err);
		xd_xfer_source_end(s);
	}
	xd_vdi_data_close(d);
	free(data);
	free(want);
}

int main(void)
{
	if (file_disks_dir("xfer-pipe") < 0)
		return 1;
	test_sink();
	test_source();
	file_disks_clean();
	return tap_done();
}
