/* xen_event_batch.h - what event.from returns (libxenserver). */
#ifndef XEN_EVENT_BATCH_H
#define XEN_EVENT_BATCH_H

#include <xen/api/xen_event.h>
#include <xen/api/xen_string_int_map.h>

typedef struct xen_event_batch {
	xen_event_record_set *events;
	xen_string_int_map *valid_ref_counts;
	char *token;
} xen_event_batch;

extern void xen_event_batch_free(xen_event_batch *batch);

/* Waits up to timeout seconds for changes to the given classes ("*" for
 * all) since token ("" for now: an empty batch with the current token). */
extern bool xen_event_from(xen_session *session, struct xen_event_batch **result,
			   struct xen_string_set *classes, char *token, double timeout);

#endif
