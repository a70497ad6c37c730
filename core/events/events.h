/* events.h - event.from, event.register/next/unregister, event.inject,
 * event.get_current_id, computed from the db's generations and change list.
 * Owns: the per-session subscriptions of the legacy register/next API. */
#ifndef XD_EVENTS_H
#define XD_EVENTS_H

/* Registers the event.* handlers and the session-gone hook. */
void xd_events_register_api(void);

#endif
