/* event_stream.h - event records, and the first event.from's answer made
 * as it is sent (event_stream.c). Private to core/events. */
#ifndef XD_EVENT_STREAM_H
#define XD_EVENT_STREAM_H

#include "db/db.h"
#include "value.h"

/* One event record of ch, with snapshot (taken; NULL: none). legacy_ts:
 * the timestamp of the legacy form (event.next), NULL for event.from's. */
xd_value *xd_event_record(const xd_change *ch, xd_value *snapshot, const char *legacy_ts);

/* The events of ch[0, n) (taken) as an array made while it is encoded: each
 * object's record is read when its event is written (XD_V_LAZY, value.h). */
xd_value *xd_event_stream(xd_change *ch, size_t n);

#endif
