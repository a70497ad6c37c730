/* test_file_sr.c - the `file` SR driver through its ABI, with a mock host
 * (the SDK's libxapi-plugin-mock, xapi/mock.h) and the real qemu-img / qemu-nbd / qemu-io:
 * every op, its errors, data through snapshot chains, crash leftovers.
 *
 *   test_file_sr [path/to/file.so]   (default: the build's, FILE_PLUGIN_SO)
 * Skips (exit 0, "0 passed, 0 failed") without qemu-img.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xapi/mock.h>

#include "tap.h"

#ifndef FILE_PLUGIN_SO
#define FILE_PLUGIN_SO "plugins/storage/file/.libs/file.so"
#endif

#define GIB (1024LL * 1024 * 1024)

static xapi_mock_t *mock;
static struct { const struct xapi_plugin_desc *desc; void *st; } plug;
static const struct xapi_sr_ops *ops;
static xapi_call_t *call;
/* what the call did so far */
#define R (xapi_mock_result(call))
static char top[256], loc[300], srdir[400];
static const char *SR_UUID = "6d0b6e3e-1c1f-4a0e-9d6e-0c3f5a1b2c3d";
static xapi_kv_t *dconf;
static struct xapi_sr sr;

static void begin(void)
{
	xapi_mock_call_reset(call);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool exists(const char *name)
{
	char p[700];
	snprintf(p, sizeof(p), "%s/%s", srdir, name);
	return access(p, F_OK) == 0;
}

static int count_files(const char *suffix)
{
	DIR *d = opendir(srdir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name), s = strlen(suffix);
		if (l >= s && strcmp(e->d_name + l - s, suffix) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The socket path out of "nbd+unix:///?socket=PATH" (no escapes in ours). */
static const char *sock_of(const char *uri)
{
	const char *s = uri ? strstr(uri, "socket=") : NULL;
	return s ? s + 7 : "";
}

/* Writes pattern byte at [off, off+len) through the datapath. */
static int nbd_write(const char *uri, int byte, long long off, long long len)
{
	return sh("qemu-io -f raw -c 'write -P %d %lld %lld' 'nbd+unix:///?socket=%s' >/dev/null 2>&1",
		  byte, off, len, sock_of(uri));
}

static int nbd_check(const char *uri, int byte, long long off, long long len)
{
	return sh("qemu-io -r -f raw -c 'read -P %d %lld %lld' 'nbd+unix:///?socket=%s' "
		  "| grep -q 'read %lld/%lld bytes'",
		  byte, off, len, sock_of(uri), len, len);
}

/* Creates a VDI; returns its location (heap) or NULL. */
static char *create_vdi(long long size)
{
	struct xapi_vdi_info want = { .size = sizeof(want), .virtual_size = size };
	begin();
	if (ops->vdi_create(plug.st, call, &sr, &want, 0) != XAPI_OK || R->nvdis != 1)
		return NULL;
	return strdup(R->vdis[0].location);
}

static char *attach(const char *l, int writable)
{
	begin();
	if (ops->vdi_attach(plug.st, call, &sr, l, writable, 0) != XAPI_OK || R->nvdis != 1)
		return NULL;
	return R->vdis[0].datapath ? strdup(R->vdis[0].datapath) : NULL;
}

static void test_descriptor(void)
{
	is_str(plug.desc->name, "file", "descriptor: name");
	is_int(plug.desc->kind, XAPI_KIND_STORAGE, "descriptor: storage kind");
	is_int(XAPI_ABI_MAJOR_OF(plug.desc->abi_version), XAPI_ABI_MAJOR, "descriptor: ABI major");
	int n = 0;
	for (const char *const *c = plug.desc->capabilities; *c; c++)
		n++;
	ok(n >= 11, "descriptor: %d capabilities", n);
	is_str(plug.desc->config[0].key, "location", "descriptor: device_config key location");
	ok(ops->size == sizeof(struct xapi_sr_ops), "ops table size");
}

static void test_sr(void)
{
	struct xapi_sr nolocation = { .size = sizeof(sr), .uuid = SR_UUID,
				      .device_config = xapi_mock_kv(mock, NULL) };

	begin();
	is_int(ops->sr_create(plug.st, call, &nolocation, 0, 0), XAPI_E_FAILED,
	       "sr_create without location fails");
	is_int(R->fail_code, 94, "... with 94 (ConfigLocationMissing)");

	begin();
	is_int(ops->sr_probe(plug.st, call, dconf, NULL, 0), XAPI_OK, "probe of a new location");
	is_int(R->nsrs, 0, "... finds no SR");

	begin();
	is_int(ops->sr_attach(plug.st, call, &sr, 0), XAPI_E_FAILED, "attach before create fails");
	is_int(R->fail_code, 47, "... with 47 (SRUnavailable)");

	begin();
	is_int(ops->sr_create(plug.st, call, &sr, 0, 0), XAPI_OK, "sr_create");
	ok(exists(".xapi-sr"), "... writes the metadata file");
	ok(R->nsrs == 1 && R->srs[0].physical_size > 0, "... emits the SR's space");

	begin();
	is_int(ops->sr_create(plug.st, call, &sr, 0, 0), XAPI_E_FAILED, "sr_create again fails");
	is_int(R->fail_code, 42, "... with 42 (SRExists)");

	begin();
	is_int(ops->sr_probe(plug.st, call, dconf, NULL, 0), XAPI_OK, "probe");
	ok(R->nsrs == 1 && strcmp(R->srs[0].uuid, SR_UUID) == 0, "... finds the SR");
	ok(R->nsrs == 1 && strcmp(R->srs[0].name_label, "unit SR") == 0,
	   "... with its name");

	begin();
	is_int(ops->sr_attach(plug.st, call, &sr, 0), XAPI_OK, "sr_attach");
	ok(R->nsrs == 1 && R->srs[0].physical_size > 0 &&
		   R->srs[0].physical_utilisation > 0 && R->srs[0].virtual_allocation == 0,
	   "... emits size, utilisation, allocation 0");

	begin();
	is_int(ops->sr_scan(plug.st, call, &sr, 1u << 7), XAPI_E_FAILED, "unknown flags refused");
	ok(R->fail_msg && strstr(R->fail_msg, "unsupported flags"), "... saying so");

	begin();
	is_int(ops->sr_update(plug.st, call, &sr, 0), XAPI_OK, "sr_update");
	is_int(R->nsrs, 1, "... emits the space");
}

static void test_vdi_basics(void)
{
	char *a = create_vdi(GIB);
	ok(a != NULL, "vdi_create 1 GiB");
	if (!a)
		return;
	const struct xapi_vdi_info *v = &R->vdis[0];
	is_int(v->virtual_size, GIB, "... virtual size");
	ok(v->physical_utilisation > 0 && v->physical_utilisation < 4 * 1024 * 1024,
	   "... thin (%lld bytes used)", (long long)v->physical_utilisation);
	ok(strlen(a) == 42 && strcmp(a + 36, ".qcow2") == 0, "... location <uuid>.qcow2: %s", a);
	ok(v->uuid && strncmp(v->uuid, a, 36) == 0, "... uuid reported");
	ok(exists(a), "... file exists");

	struct xapi_vdi_info want = { .size = sizeof(want),
				      .uuid = "11111111-2222-3333-4444-555555555555",
				      .virtual_size = 1000 };
	begin();
	is_int(ops->vdi_create(plug.st, call, &sr, &want, 0), XAPI_OK, "vdi_create with a uuid");
	is_str(R->nvdis ? R->vdis[0].location : NULL,
	       "11111111-2222-3333-4444-555555555555.qcow2", "... named after it");
	is_int(R->nvdis ? R->vdis[0].virtual_size : 0, 1024, "... size rounded up to 512");
	begin();
	is_int(ops->vdi_create(plug.st, call, &sr, &want, 0), XAPI_E_FAILED, "... again: fails");
	is_int(R->fail_code, 43, "... with 43 (VDIExists)");

	want.uuid = NULL;
	want.virtual_size = -5;
	begin();
	is_int(ops->vdi_create(plug.st, call, &sr, &want, 0), XAPI_E_FAILED, "negative size fails");
	is_int(R->fail_code, 79, "... with 79 (VDISize)");

	/* resize */
	begin();
	is_int(ops->vdi_resize(plug.st, call, &sr, a, 2 * GIB, 0), XAPI_OK, "resize to 2 GiB");
	is_int(R->nvdis ? R->vdis[0].virtual_size : 0, 2 * GIB, "... emitted");
	begin();
	is_int(ops->vdi_resize(plug.st, call, &sr, a, GIB, 0), XAPI_E_FAILED, "shrink fails");
	is_int(R->fail_code, 79, "... with 79 (VDISize)");
	begin();
	is_int(ops->vdi_update(plug.st, call, &sr, a, 0), XAPI_OK, "vdi_update");
	is_int(R->nvdis ? R->vdis[0].virtual_size : 0, 2 * GIB, "... size still 2 GiB");

	/* locations */
	begin();
	is_int(ops->vdi_introduce(plug.st, call, &sr, "../../etc/passwd", 0), XAPI_E_FAILED,
	       "introduce of a path outside the SR fails");
	is_int(R->fail_code, 1, "... with 1 (InvalidArg)");
	begin();
	is_int(ops->vdi_introduce(plug.st, call, &sr, "nothere.qcow2", 0), XAPI_E_NOT_FOUND,
	       "introduce of a missing file: NOT_FOUND");
	is_int(R->fail_code, 144, "... with 144 (VDIMissing)");
	begin();
	is_int(ops->vdi_introduce(plug.st, call, &sr, a, 0), XAPI_OK, "introduce of an image");
	is_int(R->nvdis, 1, "... emits it");

	begin();
	is_int(ops->vdi_delete(plug.st, call, &sr, a, 0), XAPI_OK, "vdi_delete");
	ok(!exists(a), "... file gone");
	begin();
	is_int(ops->vdi_delete(plug.st, call, &sr, a, 0), XAPI_OK, "vdi_delete again: done already");
	begin();
	ops->vdi_delete(plug.st, call, &sr, "11111111-2222-3333-4444-555555555555.qcow2", 0);
	free(a);
}

static void test_snapshot_data(void)
{
	char *a = create_vdi(64 * 1024 * 1024);
	ok(a != NULL, "data: vdi_create 64 MiB");
	if (!a)
		return;
	char *uri = attach(a, 1);
	ok(uri && strncmp(uri, "nbd+unix:///?socket=/", 21) == 0, "vdi_attach: datapath %s",
	   uri ? uri : "(none)");
	if (!uri) {
		free(a);
		return;
	}
	is_int(nbd_write(uri, 0xab, 0, 1 << 20), 0, "write pattern 0xab through NBD");
	begin();
	is_int(ops->vdi_delete(plug.st, call, &sr, a, 0), XAPI_E_FAILED, "delete while attached fails");
	is_int(R->fail_code, 24, "... with 24 (VDIInUse)");
	begin();
	is_int(ops->vdi_resize(plug.st, call, &sr, a, GIB, 0), XAPI_E_FAILED,
	       "resize while attached fails");
	is_int(R->fail_code, 24, "... with 24 (VDIInUse)");

	/* snapshot while attached: the server is restarted on the same socket */
	begin();
	struct xapi_vdi_info want = { .size = sizeof want,
				      .uuid = "0b5e3a9c-1d2f-4e6a-8b7c-9d0e1f2a3b4c" };
	is_int(ops->vdi_snapshot(plug.st, call, &sr, a, &want, 0), XAPI_OK,
	       "snapshot of an attached VDI");
	char *s = R->nvdis ? strdup(R->vdis[0].location) : NULL;
	ok(s && strcmp(s, a) != 0, "... new location %s", s ? s : "");
	is_str(s, "0b5e3a9c-1d2f-4e6a-8b7c-9d0e1f2a3b4c.qcow2", "... named after want->uuid");
	is_str(R->nvdis ? R->vdis[0].uuid : NULL, want.uuid, "... and emitted with it");
	ok(R->nvdis && R->vdis[0].is_a_snapshot, "... is_a_snapshot");
	is_str(R->nvdis ? R->vdis[0].snapshot_of : NULL, a, "... snapshot_of the original");
	ok(R->nvdis && R->vdis[0].parent && strstr(R->vdis[0].parent, ".base.qcow2"),
	   "... parent is a hidden base");
	is_int(count_files(".base.qcow2"), 1, "... one base file");
	is_int(nbd_check(uri, 0xab, 0, 1 << 20), 0, "original still reads 0xab (same datapath)");
	is_int(nbd_write(uri, 0xcd, 0, 1 << 20), 0, "overwrite original with 0xcd");

	char *suri = s ? attach(s, 0) : NULL;
	ok(suri != NULL, "attach snapshot read-only");
	is_int(suri ? nbd_check(suri, 0xab, 0, 1 << 20) : -1, 0, "snapshot reads 0xab");
	is_int(nbd_check(uri, 0xcd, 0, 1 << 20), 0, "original reads 0xcd");
	ok(suri && nbd_write(suri, 0x11, 0, 4096) != 0, "a read-only attach refuses writes");

	/* clone of the snapshot: a chain of two bases */
	begin();
	want.uuid = "6f1e2d3c-4b5a-4978-8867-5a4b3c2d1e0f";
	is_int(ops->vdi_clone(plug.st, call, &sr, s, &want, 0), XAPI_OK,
	       "clone of the (attached) snapshot");
	is_str(R->nvdis ? R->vdis[0].uuid : NULL, want.uuid, "... emitted with want->uuid");
	char *c = R->nvdis ? strdup(R->vdis[0].location) : NULL;
	ok(R->nvdis && !R->vdis[0].is_a_snapshot && !R->vdis[0].snapshot_of,
	   "... not a snapshot");
	char *curi = c ? attach(c, 1) : NULL;
	is_int(curi ? nbd_check(curi, 0xab, 0, 1 << 20) : -1, 0, "clone reads 0xab");
	is_int(curi ? nbd_write(curi, 0x22, 4096, 4096) : -1, 0, "clone written");
	is_int(suri ? nbd_check(suri, 0xab, 0, 1 << 20) : -1, 0, "snapshot unchanged");

	/* scan sees the chain */
	begin();
	is_int(ops->sr_scan(plug.st, call, &sr, 0), XAPI_OK, "scan");
	is_int(R->nvdis, 5, "... 3 VDIs + 2 hidden parents");
	int bases = 0;
	for (size_t i = 0; i < R->nvdis; i++)
		if (R->vdis[i].read_only && R->vdis[i].name_label &&
		    strcmp(R->vdis[i].name_label, "base copy") == 0)
			bases++;
	is_int(bases, 2, "... parents are read-only 'base copy'");
	const struct xapi_vdi_info *va = xapi_mock_find_vdi(call, a), *vc = c ? xapi_mock_find_vdi(call, c) : NULL;
	ok(va && va->parent && vc && vc->parent && strcmp(va->parent, vc->parent) != 0,
	   "... original and clone have different parents");

	/* detach all; delete */
	free(uri);
	free(suri);
	free(curi);
	begin();
	is_int(ops->vdi_detach(plug.st, call, &sr, a, 0), XAPI_OK, "detach");
	ops->vdi_detach(plug.st, call, &sr, s, 0);
	ops->vdi_detach(plug.st, call, &sr, c, 0);
	is_int(count_files(".pid"), 0, "no server left");

	begin();
	is_int(ops->vdi_delete(plug.st, call, &sr, s, 0), XAPI_OK, "delete the snapshot");
	is_int(count_files(".base.qcow2"), 2, "... both parents still used");
	begin();
	is_int(ops->vdi_delete(plug.st, call, &sr, c, 0), XAPI_OK, "delete the clone");
	is_int(count_files(".base.qcow2"), 1, "... its parent collected");
	begin();
	is_int(ops->vdi_delete(plug.st, call, &sr, a, 0), XAPI_OK, "delete the original");
	is_int(count_files(".qcow2"), 0, "... every file gone");
	free(a);
	free(s);
	free(c);
}

static void test_sizes_o1(void)
{
	char *small = create_vdi(GIB), *big = create_vdi(100 * GIB);
	ok(small && big, "1 GiB and 100 GiB VDIs");
	if (!small || !big)
		return;
	double t0 = now();
	begin();
	/* a want without a uuid: the driver makes one */
	struct xapi_vdi_info want = { .size = sizeof want };
	int r1 = ops->vdi_snapshot(plug.st, call, &sr, small, &want, 0);
	double t1 = now();
	begin();
	int r2 = ops->vdi_snapshot(plug.st, call, &sr, big, &want, 0);
	double t2 = now();
	is_int(R->nvdis ? R->vdis[0].virtual_size : 0, 100 * GIB, "snapshot keeps 100 GiB");
	ok(r1 == XAPI_OK && r2 == XAPI_OK && (t2 - t1) < 10 * (t1 - t0) + 0.5,
	   "snapshot time 1 GiB %.3f s, 100 GiB %.3f s", t1 - t0, t2 - t1);
	begin();
	ops->sr_scan(plug.st, call, &sr, 0);
	for (size_t i = 0; i < R->nvdis; i++)
		if (!R->vdis[i].read_only) {
			xapi_call_t *c2 = xapi_mock_call(mock);
			ops->vdi_delete(plug.st, c2, &sr, R->vdis[i].location, 0);
			xapi_mock_call_free(c2);
		}
	is_int(count_files(".qcow2"), 0, "all deleted, parents collected");
	free(small);
	free(big);
}

static void test_found_outside(void)
{
	ok(sh("qemu-img create -q -f qcow2 %s/disk-copied-in.qcow2 10M", srdir) == 0 &&
		   sh("truncate -s 5M %s/raw-disk.img", srdir) == 0 &&
		   sh("echo junk > %s/notes.txt", srdir) == 0,
	   "images copied into the SR directory");
	begin();
	is_int(ops->sr_scan(plug.st, call, &sr, 0), XAPI_OK, "scan");
	const struct xapi_vdi_info *q = xapi_mock_find_vdi(call, "disk-copied-in.qcow2");
	const struct xapi_vdi_info *r = xapi_mock_find_vdi(call, "raw-disk.img");
	ok(q && q->virtual_size == 10 * 1024 * 1024 && q->uuid == NULL &&
		   q->name_label && strcmp(q->name_label, "disk-copied-in.qcow2") == 0,
	   "... finds the qcow2, named after its file");
	ok(r && r->virtual_size == 5 * 1024 * 1024, "... finds the raw .img");
	is_int(R->nvdis, 2, "... and nothing else");
	is_int(R->nsrs ? R->srs[0].virtual_allocation : 0, 15 * 1024 * 1024,
	       "... virtual_allocation is the sum");

	begin();
	struct xapi_vdi_info want = { .size = sizeof want };
	is_int(ops->vdi_snapshot(plug.st, call, &sr, "raw-disk.img", &want, 0), XAPI_E_FAILED,
	       "snapshot of a raw image fails");
	is_int(R->fail_code, 66, "... with 66 (VDIType)");
	begin();
	is_int(ops->vdi_resize(plug.st, call, &sr, "raw-disk.img", 8 * 1024 * 1024, 0), XAPI_OK,
	       "resize of a raw image");
	is_int(R->nvdis ? R->vdis[0].virtual_size : 0, 8 * 1024 * 1024, "... grown");
	char *uri = attach("raw-disk.img", 1);
	ok(uri && nbd_write(uri, 0x5a, 0, 65536) == 0, "raw image attached and written");
	begin();
	ops->vdi_detach(plug.st, call, &sr, "raw-disk.img", 0);
	free(uri);
	ok(sh("test \"$(head -c 65536 %s/raw-disk.img | od -An -v -tx1 | tr -s ' ' '\\n' "
	      "| grep -v '^$' | sort -u)\" = 5a",
	      srdir) == 0,
	   "... the data is in the file");

	begin();
	is_int(ops->sr_delete(plug.st, call, &sr, 0), XAPI_E_FAILED,
	       "sr_delete with a foreign file fails");
	is_int(R->fail_code, 62, "... with 62 (FileSRRmDir)");
	ok(exists(".xapi-sr") && exists("raw-disk.img"), "... and leaves the SR whole");
	sh("rm -f %s/notes.txt", srdir);
	begin();
	ops->vdi_delete(plug.st, call, &sr, "disk-copied-in.qcow2", 0);
	ops->vdi_delete(plug.st, call, &sr, "raw-disk.img", 0);
}

static void test_leftovers(void)
{
	char *a = create_vdi(GIB);
	if (!a)
		return;
	/* a snapshot that died after its first step: base linked, no overlay */
	ok(sh("ln %s/%s %s/99999999-9999-4999-8999-999999999999.base.qcow2 && "
	      "touch %s/.tmp-half-made.qcow2",
	      srdir, a, srdir, srdir) == 0,
	   "leftovers of a crashed snapshot");
	begin();
	is_int(ops->sr_attach(plug.st, call, &sr, 0), XAPI_OK, "sr_attach");
	ok(!exists(".tmp-half-made.qcow2"), "... removes temp files");
	ok(!exists("99999999-9999-4999-8999-999999999999.base.qcow2") && exists(a),
	   "... removes the orphan base, keeps the VDI");
	begin();
	ops->vdi_delete(plug.st, call, &sr, a, 0);
	free(a);
}

static void test_sr_delete(void)
{
	char *a = create_vdi(GIB);
	char *uri = a ? attach(a, 1) : NULL;
	ok(uri != NULL, "a VDI attached");
	begin();
	is_int(ops->sr_detach(plug.st, call, &sr, 0), XAPI_OK, "sr_detach");
	is_int(count_files(".pid"), 0, "... stops its servers");
	begin();
	is_int(ops->sr_delete(plug.st, call, &sr, 0), XAPI_OK, "sr_delete");
	ok(access(srdir, F_OK) != 0, "... directory gone");
	begin();
	is_int(ops->sr_probe(plug.st, call, dconf, NULL, 0), XAPI_OK, "probe");
	is_int(R->nsrs, 0, "... finds nothing");
	begin();
	is_int(ops->sr_delete(plug.st, call, &sr, 0), XAPI_OK, "sr_delete again: done already");
	free(uri);
	free(a);
}

int main(int argc, char **argv)
{
	const char *so = argc > 1 ? argv[1] : FILE_PLUGIN_SO;
	if (system("qemu-img --version >/dev/null 2>&1") != 0) {
		printf("1..0 # SKIP qemu-img missing (apt-get install qemu-utils)\n0 passed, 0 failed\n");
		return 0;
	}
	mock = xapi_mock_new();
	call = xapi_mock_call(mock);
	snprintf(top, sizeof(top), "/tmp/test-file-sr-XXXXXX");
	if (!mkdtemp(top) || xapi_mock_load(mock, so) != XAPI_OK) {
		ok(0, "load %s: %s", so, xapi_mock_error(mock));
		xapi_mock_free(mock);
		return tap_done();
	}
	snprintf(loc, sizeof(loc), "%s/srs", top);
	snprintf(srdir, sizeof(srdir), "%s/%s", loc, SR_UUID);
	plug.desc = xapi_mock_desc(mock);
	plug.st = xapi_mock_st(mock);
	ops = xapi_mock_sr_ops(mock);
	dconf = xapi_mock_kv(mock, "location", loc, NULL);
	sr = (struct xapi_sr){ .size = sizeof(sr), .uuid = SR_UUID, .name_label = "unit SR",
			       .device_config = dconf };

	test_descriptor();
	test_sr();
	test_vdi_basics();
	test_snapshot_data();
	test_sizes_o1();
	test_found_outside();
	test_leftovers();
	test_sr_delete();

	xapi_mock_free(mock);
	sh("rm -rf %s", top);
	return tap_done();
}
