/* c_bindings_get_all - benchmark 13's C side: xen_vm_get_all_records
 * through libxenserver over its libcurl transport (one keep-alive
 * connection), timed from the call to the parsed map, RUNS times:
 *     c_bindings_get_all URL PASSWORD RUNS
 * Prints "RUN <ms> <records>" per run and "FREE <ms>" for the last map. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <xen/api/xen_all.h>
#include <xen/api/xen_curl.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	xen_curl *t;
	xen_session *s;
	int runs;

	if (argc != 4)
		return 2;
	runs = atoi(argv[3]);
	xen_init();
	t = xen_curl_new(argv[1], NULL);
	s = xen_session_login_with_password(xen_curl_call, t, "root", argv[2],
					    xen_api_latest_version);
	if (!s->ok) {
		fprintf(stderr, "login failed: %s\n", s->error_description[0]);
		return 1;
	}
	for (int i = 0; i <= runs; i++) { /* run 0 warms up */
		xen_vm_xen_vm_record_map *vms;
		double t0 = now_ms(), t1, t2;

		if (!xen_vm_get_all_records(s, &vms)) {
			fprintf(stderr, "VM.get_all_records: %s\n", s->error_description[0]);
			return 1;
		}
		t1 = now_ms();
		size_t n = vms->size;

		xen_vm_xen_vm_record_map_free(vms);
		t2 = now_ms();
		if (i > 0)
			printf("RUN %.1f %zu\nFREE %.1f\n", t1 - t0, n, t2 - t1);
	}
	xen_session_logout(s);
	xen_curl_free(t);
	xen_fini();
	return 0;
}
