/* failures - every xen_api_failure translated to its string and back, an
 * unknown string to XEN_API_FAILURE_UNDEFINED, and an enum of the datamodel
 * both ways; no server needed:
 *     failures [CODE...]     (each CODE printed with its number) */
#include <stdio.h>
#include <string.h>

#include <xen/api/xen_all.h>

int main(int argc, char **argv)
{
	int n = 0, bad = 0;

	for (int i = 0; i < XEN_API_FAILURE_UNDEFINED; i++) {
		const char *name = xen_api_failure_to_string((enum xen_api_failure)i);

		if (xen_api_failure_from_string(name) != (enum xen_api_failure)i) {
			fprintf(stderr, "round trip broken at %d (%s)\n", i, name);
			bad++;
		}
		n++;
	}
	if (xen_api_failure_from_string("NO_SUCH_FAILURE_CODE") != XEN_API_FAILURE_UNDEFINED ||
	    xen_api_failure_from_string(NULL) != XEN_API_FAILURE_UNDEFINED)
		bad++;
	for (int i = 0; i < XEN_VM_POWER_STATE_UNDEFINED; i++) {
		const char *name = xen_vm_power_state_to_string((enum xen_vm_power_state)i);

		if ((int)xen_vm_power_state_from_string(NULL, name) != i)
			bad++;
	}
	for (int i = 1; i < argc; i++)
		printf("CODE %s %d %s\n", argv[i], (int)xen_api_failure_from_string(argv[i]),
		       xen_api_failure_to_string(xen_api_failure_from_string(argv[i])));
	printf("FAILURES %d round-tripped, %d broken\n", n, bad);
	return bad != 0;
}
