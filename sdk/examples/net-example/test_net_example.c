/* test_net_example.c - unit tests of the example network backend without
 * xapid: the SDK's mock host (xapi/mock.h, pkg-config xapi-plugin-mock)
 * loads net_example.so and records what each op emits and logs.
 *
 *     make check                 builds net_example.so and this, runs it
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The interfaces pif_scan must report: /sys/class/net but lo and those
 * without a link-layer address. */
static size_t expected_pifs(void)
{
	size_t n = 0;
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char path[512], mac[64] = "";
		if (e->d_name[0] == '.' || strcmp(e->d_name, "lo") == 0)
			continue;
		snprintf(path, sizeof path, "/sys/class/net/%s/address", e->d_name);
		FILE *f = fopen(path, "r");
		if (f && fgets(mac, sizeof mac, f) && mac[0] != '\n' && mac[0])
			n++;
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	const char *so = argc > 1 ? argv[1] : "./net_example.so";
	xapi_mock_t *m = xapi_mock_new();
	if (!m || xapi_mock_load(m, so) != XAPI_OK) {
		printf("FAIL cannot load %s: %s\n", so, m ? xapi_mock_error(m) : "out of memory");
		return 1;
	}
	const struct xapi_net_ops *ops = xapi_mock_net_ops(m);
	void *st = xapi_mock_st(m);
	xapi_call_t *c = xapi_mock_call(m);
	const struct xapi_mock_result *r;

	CHECK(ops != NULL, "a network backend");
	CHECK(strcmp(xapi_mock_desc(m)->name, "net_example") == 0, "name");
	CHECK(ops->probe(st, c, 0) == 0, "probe: no VLAN, bond or tunnel");
	CHECK(!ops->vlan_add && !ops->bond_add, "... and no ops for them");

	xapi_mock_call_reset(c);
	int rc = ops->pif_scan(st, c, 0);
	r = xapi_mock_result(c);
	CHECK(rc == XAPI_OK && !xapi_mock_check(c, "pif_scan", rc), "pif_scan: %s",
	      xapi_mock_check(c, "pif_scan", rc));
	CHECK(r->npifs == expected_pifs(), "one PIF per interface with a MAC: %zu, expected %zu",
	      r->npifs, expected_pifs());
	for (size_t i = 0; i < r->npifs; i++) {
		CHECK(strcmp(r->pifs[i].device, "lo") != 0, "not the loopback");
		CHECK(r->pifs[i].mac && strlen(r->pifs[i].mac) == 17, "%s: mac %s", r->pifs[i].device,
		      r->pifs[i].mac);
		CHECK(r->pifs[i].mtu >= 68, "%s: mtu %lld", r->pifs[i].device,
		      (long long)r->pifs[i].mtu);
		CHECK(r->pifs[i].speed_mbit == -1 || r->pifs[i].speed_mbit > 0, "%s: speed",
		      r->pifs[i].device);
	}

	/* a dry run: bridges and ports are only logged, against this call */
	xapi_mock_call_reset(c);
	rc = ops->bridge_ensure(st, c, "xenbr0", 1500, xapi_mock_kv(m, NULL), 0);
	CHECK(rc == XAPI_OK && !xapi_mock_check(c, "bridge_ensure", rc), "bridge_ensure");
	CHECK(xapi_mock_log_find(m, "would make bridge xenbr0 (mtu 1500)"), "... logged");
	CHECK(xapi_mock_result(c)->nlogs == 1, "... one line about this call");
	rc = ops->port_add(st, c, "xenbr0", "vif1.0", xapi_mock_kv(m, "attached-mac", "aa:bb:cc:dd:ee:ff", NULL), 0);
	CHECK(rc == XAPI_OK && xapi_mock_log_find(m, "would add vif1.0 to xenbr0"), "port_add");
	rc = ops->port_remove(st, c, "xenbr0", "vif1.0", 0);
	CHECK(rc == XAPI_OK && xapi_mock_log_find(m, "would remove vif1.0 from xenbr0"), "port_remove");
	rc = ops->bridge_destroy(st, c, "xenbr0", 0);
	CHECK(rc == XAPI_OK && xapi_mock_log_find(m, "would remove bridge xenbr0"), "bridge_destroy");

	/* flags it does not know are refused, with a reason */
	xapi_mock_call_reset(c);
	rc = ops->bridge_ensure(st, c, "xenbr1", 1500, NULL, 1u << 3);
	CHECK(rc == XAPI_E_FAILED && xapi_mock_result(c)->failed &&
	      strstr(xapi_mock_result(c)->fail_msg, "unsupported flags"), "unknown flags refused");
	CHECK(!xapi_mock_check(c, "bridge_ensure", rc), "... as the ABI says");

	xapi_mock_free(m);
	printf("test_net_example: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
