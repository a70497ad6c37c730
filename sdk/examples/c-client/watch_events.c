/* watch_events - follows event.from while another client changes things:
 *     watch_events ADDRESS USER PASSWORD CLASS
 * Prints READY once it holds a token, then one line per event
 * ("EVENT class operation ref") and the class's count of valid refs after each
 * batch ("COUNT class n"), and stops with exit 0 once it has
 * seen one object of CLASS added, modified and deleted (1 after 60 s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/api/xen_all.h>

#include "transport.h"

int main(int argc, char **argv)
{
	xen_session *s;
	struct xen_string_set *classes;
	xen_event_batch *batch;
	char *token, *added = NULL;
	bool modified = false, deleted = false;
	time_t end = time(NULL) + 60;

	xen_init();
	s = example_login(argc, argv, 1);
	classes = xen_string_set_alloc(1);
	classes->contents[0] = strdup(argv[4]);
	if (!xen_event_from(s, &batch, classes, "", 0.0)) {
		example_print_error("event.from", s);
		return 1;
	}
	token = batch->token;
	batch->token = NULL;
	xen_event_batch_free(batch);
	printf("READY\n");
	fflush(stdout);

	while (!deleted && time(NULL) < end) {
		if (!xen_event_from(s, &batch, classes, token, 5.0)) {
			example_print_error("event.from", s);
			break;
		}
		free(token);
		token = batch->token;
		batch->token = NULL;
		for (size_t i = 0; batch->events && i < batch->events->size; i++) {
			xen_event_record *e = batch->events->contents[i];

			printf("EVENT %s %s %s\n", e->XEN_CLAZZ,
			       xen_event_operation_to_string(e->operation), e->ref);
			if (e->operation == XEN_EVENT_OPERATION_ADD && !added)
				added = strdup(e->ref);
			else if (added && !strcmp(e->ref, added))
				*(e->operation == XEN_EVENT_OPERATION_MOD ? &modified : &deleted) = true;
		}
		for (size_t i = 0; batch->valid_ref_counts && i < batch->valid_ref_counts->size; i++)
			if (!strcmp(batch->valid_ref_counts->contents[i].key, argv[4]))
				printf("COUNT %s %lld\n", batch->valid_ref_counts->contents[i].key,
			       (long long)batch->valid_ref_counts->contents[i].val);
		fflush(stdout);
		xen_event_batch_free(batch);
	}
	free(token);
	free(added);
	xen_string_set_free(classes);
	xen_session_logout(s);
	xen_fini();
	printf("DONE added=%d modified=%d deleted=%d\n", added != NULL, modified, deleted);
	return modified && deleted ? 0 : 1;
}
