/* test_metrics_example.c - unit tests of the example metric collector
 * without xapid: the SDK's mock host (xapi/mock.h, pkg-config
 * xapi-plugin-mock) loads metrics_example.so, records the data sources it
 * declares and the samples each collect reports.
 *
 *     make check                 builds metrics_example.so and this, runs it
 */
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

int main(int argc, char **argv)
{
	const char *so = argc > 1 ? argv[1] : "./metrics_example.so";
	xapi_mock_t *m = xapi_mock_new();
	if (!m || xapi_mock_load(m, so) != XAPI_OK) {
		printf("FAIL cannot load %s: %s\n", so, m ? xapi_mock_error(m) : "out of memory");
		return 1;
	}
	const struct xapi_metrics_ops *ops = xapi_mock_metrics_ops(m);
	CHECK(ops != NULL && ops->collect, "a metric collector");
	CHECK(ops && ops->interval_ms == 5000, "every 5 s");

	/* init declares the data source, once */
	CHECK(xapi_mock_nds(m) == 1, "one data source declared, got %zu", xapi_mock_nds(m));
	const struct xapi_ds_desc *ds = xapi_mock_ds(m, 0);
	CHECK(ds && strcmp(ds->name, "example_loadavg") == 0, "example_loadavg");
	CHECK(ds && strcmp(ds->owner_class, "host") == 0 && ds->type == XAPI_DS_GAUGE,
	      "... a gauge of the host");

	/* collect samples it: owner NULL is the host */
	xapi_call_t *c = xapi_mock_call(m);
	int rc = ops->collect(xapi_mock_st(m), c, 0);
	const struct xapi_mock_result *r = xapi_mock_result(c);
	CHECK(rc == XAPI_OK && !xapi_mock_check(c, "collect", rc), "collect");
	CHECK(r->nsamples == 1, "one sample, got %zu", r->nsamples);
	double load = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	CHECK(r->nsamples == 1 && strcmp(r->samples[0].name, "example_loadavg") == 0 &&
	      !r->samples[0].owner_uuid, "... of example_loadavg, for the host");
	CHECK(r->nsamples == 1 && r->samples[0].value >= 0 &&
	      r->samples[0].value < load + 5 && r->samples[0].value > load - 5,
	      "... the load average (%g, /proc says %g)", r->nsamples ? r->samples[0].value : -1, load);

	/* unknown flags are refused with a reason */
	xapi_mock_call_reset(c);
	rc = ops->collect(xapi_mock_st(m), c, 1u << 2);
	CHECK(rc == XAPI_E_FAILED && xapi_mock_result(c)->failed &&
	      xapi_mock_result(c)->nsamples == 0, "unknown flags refused, nothing sampled");

	xapi_mock_free(m);
	printf("test_metrics_example: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
