/* test_sr_example.c - unit tests of the example SR driver without xapid:
 * the SDK's mock host (xapi/mock.h, pkg-config xapi-plugin-mock) loads
 * example.so as xapid's worker would and records what each op emits.
 *
 *     make check                 builds example.so and this, runs it
 *     ./test_sr_example ./example.so
 *
 * Copy it with the driver: each check says what a driver must do, and
 * xapi_mock_check() catches the ABI's rules (a failure without xapi_fail, a
 * success without the emit the op owes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xapi/mock.h>

static int failures, checks;

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		checks++;                                                 \
		if (!(cond)) {                                            \
			failures++;                                       \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);       \
			printf(__VA_ARGS__);                              \
			printf("\n");                                     \
		}                                                         \
	} while (0)

static xapi_mock_t *m;
static const struct xapi_sr_ops *ops;
static void *st;
static xapi_call_t *c;

/* Starts an op: a clean call. */
static xapi_call_t *call(void)
{
	xapi_mock_call_reset(c);
	return c;
}

static const struct xapi_mock_result *res(void)
{
	return xapi_mock_result(c);
}

/* The op's status, after checking it against the ABI's rules. */
static int ruled(const char *op, int rc)
{
	const char *bug = xapi_mock_check(c, op, rc);
	CHECK(!bug, "%s: %s", op, bug);
	return rc;
}

static void test_descriptor(void)
{
	const struct xapi_plugin_desc *d = xapi_mock_desc(m);
	CHECK(strcmp(d->name, "example") == 0, "name %s", d->name);
	CHECK(d->kind == XAPI_KIND_STORAGE, "a storage driver");
	CHECK(ops && ops->sr_attach && ops->sr_detach && ops->sr_scan, "the mandatory ops");
	CHECK(d->config && strcmp(d->config[0].key, "path") == 0 && d->config[0].required,
	      "device-config:path, required");
	CHECK(xapi_mock_log_find(m, "example SR driver loaded"), "init logs that it loaded");
}

static void test_bad_config(void)
{
	struct xapi_sr nopath = { .size = sizeof nopath, .uuid = "0c5e3a0e-0000-4000-8000-000000000001",
				  .device_config = xapi_mock_kv(m, NULL) };
	CHECK(ruled("sr_create", ops->sr_create(st, call(), &nopath, 0, 0)) == XAPI_E_FAILED,
	      "sr_create without path fails");
	CHECK(res()->fail_code == 94 && !res()->fail_xenapi, "... with SMAPIv1 error 94, got %d",
	      res()->fail_code);
	struct xapi_sr relative = nopath;
	relative.device_config = xapi_mock_kv(m, "path", "relative/dir", NULL);
	CHECK(ruled("sr_attach", ops->sr_attach(st, call(), &relative, 0)) == XAPI_E_FAILED,
	      "a relative path is refused");
}

static void test_lifecycle(const char *dir)
{
	struct xapi_sr sr = { .size = sizeof sr, .uuid = "0c5e3a0e-0000-4000-8000-000000000002",
			      .name_label = "unit", .device_config = xapi_mock_kv(m, "path", dir, NULL) };
	CHECK(ruled("sr_attach", ops->sr_attach(st, call(), &sr, 0)) == XAPI_E_FAILED,
	      "attach before create fails");
	CHECK(res()->fail_code == 47, "... with 47 (SRUnavailable), got %d", res()->fail_code);

	CHECK(ruled("sr_create", ops->sr_create(st, call(), &sr, 0, 0)) == XAPI_OK, "sr_create: %s",
	      res()->fail_msg);
	struct stat sb;
	CHECK(stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode), "... makes the directory");
	CHECK(ruled("sr_attach", ops->sr_attach(st, call(), &sr, 0)) == XAPI_OK, "sr_attach");
	CHECK(res()->nsrs == 1 && res()->srs[0].physical_size > 0, "... emits the SR's space");
	CHECK(ops->sr_scan(st, call(), &sr, 1u << 5) == XAPI_E_FAILED && res()->fail_code == 1,
	      "unknown flags are refused (1, InvalidArg)");

	/* a VDI: created sparse, attached with a file:// datapath, resized */
	struct xapi_vdi_info want = { .size = sizeof want, .uuid = "5b1c0d6e-0000-4000-8000-0000000000aa",
				      .virtual_size = 1 << 20 };
	CHECK(ruled("vdi_create", ops->vdi_create(st, call(), &sr, &want, 0)) == XAPI_OK,
	      "vdi_create: %s", res()->fail_msg);
	const char *loc_emitted = res()->nvdis ? res()->vdis[0].location : NULL;
	char loc[64];
	snprintf(loc, sizeof loc, "%s", loc_emitted ? loc_emitted : "");
	CHECK(strcmp(loc, "5b1c0d6e-0000-4000-8000-0000000000aa.raw") == 0, "location %s", loc);
	CHECK(res()->nvdis == 1 && res()->vdis[0].virtual_size == 1 << 20, "... of 1 MiB");
	CHECK(res()->nvdis == 1 && res()->vdis[0].physical_utilisation == 0, "... sparse");
	CHECK(ruled("vdi_create", ops->vdi_create(st, call(), &sr, &want, 0)) == XAPI_E_FAILED &&
	      res()->fail_code == 78, "the same uuid again fails with 78 (VDICreate)");

	CHECK(ruled("vdi_attach", ops->vdi_attach(st, call(), &sr, loc, 1, 0)) == XAPI_OK,
	      "vdi_attach");
	char uri[4200];
	snprintf(uri, sizeof uri, "file://%s/%s", dir, loc);
	CHECK(res()->nvdis == 1 && res()->vdis[0].datapath &&
	      strcmp(res()->vdis[0].datapath, uri) == 0, "... datapath %s",
	      res()->nvdis && res()->vdis[0].datapath ? res()->vdis[0].datapath : "(none)");
	CHECK(ruled("vdi_detach", ops->vdi_detach(st, call(), &sr, loc, 0)) == XAPI_OK, "vdi_detach");

	CHECK(ruled("vdi_resize", ops->vdi_resize(st, call(), &sr, loc, 2 << 20, 0)) == XAPI_OK &&
	      res()->nvdis == 1 && res()->vdis[0].virtual_size == 2 << 20, "resize to 2 MiB");
	CHECK(ruled("vdi_resize", ops->vdi_resize(st, call(), &sr, loc, 1 << 20, 0)) ==
	      XAPI_E_FAILED && res()->fail_code == 79, "shrinking fails with 79 (VDISize)");

	/* no call reaches outside the SR */
	CHECK(ruled("vdi_attach", ops->vdi_attach(st, call(), &sr, "../../etc/passwd", 1, 0)) ==
	      XAPI_E_FAILED && res()->fail_code == 1, "a location with / is refused");

	CHECK(ruled("sr_scan", ops->sr_scan(st, call(), &sr, 0)) == XAPI_OK, "sr_scan");
	CHECK(res()->nvdis == 1 && xapi_mock_find_vdi(c, loc), "... finds the VDI");
	CHECK(res()->nsrs == 1, "... and emits the space");

	CHECK(ruled("vdi_delete", ops->vdi_delete(st, call(), &sr, loc, 0)) == XAPI_OK, "vdi_delete");
	CHECK(ruled("vdi_delete", ops->vdi_delete(st, call(), &sr, loc, 0)) == XAPI_OK,
	      "... twice: done already");
	CHECK(ruled("sr_scan", ops->sr_scan(st, call(), &sr, 0)) == XAPI_OK && res()->nvdis == 0,
	      "the scan finds nothing now");
	CHECK(ruled("sr_detach", ops->sr_detach(st, call(), &sr, 0)) == XAPI_OK, "sr_detach");
	CHECK(ruled("sr_delete", ops->sr_delete(st, call(), &sr, 0)) == XAPI_OK, "sr_delete");
	CHECK(access(dir, F_OK) != 0, "... removes the directory");
	CHECK(ruled("sr_delete", ops->sr_delete(st, call(), &sr, 0)) == XAPI_OK,
	      "... twice: done already");
}

int main(int argc, char **argv)
{
	const char *so = argc > 1 ? argv[1] : "./example.so";
	char top[] = "/tmp/test-sr-example-XXXXXX", dir[64];
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/sr", top);
	m = xapi_mock_new();
	if (!m || xapi_mock_load(m, so) != XAPI_OK) {
		printf("FAIL cannot load %s: %s\n", so, m ? xapi_mock_error(m) : "out of memory");
		return 1;
	}
	ops = xapi_mock_sr_ops(m);
	st = xapi_mock_st(m);
	c = xapi_mock_call(m);

	test_descriptor();
	test_bad_config();
	test_lifecycle(dir);

	xapi_mock_free(m);
	rmdir(dir);
	rmdir(top);
	printf("test_sr_example: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
