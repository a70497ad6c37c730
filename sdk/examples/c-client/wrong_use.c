/* wrong_use - misuse reported the SDK's way (session->ok false, the
 * server's error in error_description), never a crash:
 *     wrong_use ADDRESS USER PASSWORD bad-ref      a call on a ref that does not exist
 *     wrong_use ADDRESS USER PASSWORD logged-out   a call on a session logged out
 *     wrong_use ADDRESS USER PASSWORD bad-login    a wrong password
 * Prints "OK 0 ERROR<TAB>code<TAB>params..." for what the call reported; exit 0 when the
 * call failed (as it must), 1 if it succeeded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/api/xen_all.h>

#include "transport.h"

static int report(xen_session *s)
{
	/* Tab-separated: the strings may hold spaces. */
	printf("OK %d ERROR", s->ok);
	for (int i = 0; i < s->error_description_count; i++)
		printf("\t%s", s->error_description[i]);
	printf("\n");
	if (s->error_description_count > 0)
		printf("FAILURE_ENUM %s\n", xen_api_failure_to_string(
			       xen_api_failure_from_string(s->error_description[0])));
	return s->ok ? 1 : 0;
}

int main(int argc, char **argv)
{
	xen_session *s, *other;
	char *label = NULL;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: %s ADDRESS USER PASSWORD bad-ref|logged-out|bad-login\n",
			argv[0]);
		return 2;
	}
	xen_init();
	if (!strcmp(argv[4], "bad-login")) {
		s = xen_session_login_with_password(example_call, argv[1], argv[2], "wrong",
						    xen_api_latest_version);
		rc = report(s);
		xen_session_logout(s);
		return rc;
	}
	s = example_login(argc, argv, 1);
	if (!strcmp(argv[4], "bad-ref")) {
		xen_vm_get_name_label(s, &label, "OpaqueRef:no-such-vm");
		rc = report(s);
		/* A later call is refused until the error is cleared... */
		xen_session_clear_error(s);
	} else {
		/* Another session's id, logged out behind this one's back. */
		other = xen_session_login_with_password(example_call, argv[1], argv[2], argv[3],
							xen_api_latest_version);
		free((char *)other->session_id);
		other->session_id = strdup(s->session_id);
		xen_session_logout(other);
		xen_vm_get_name_label(s, &label, "OpaqueRef:NULL");
		rc = report(s);
		xen_session_clear_error(s);
	}
	free(label);
	xen_session_logout(s);
	xen_fini();
	return rc;
}
