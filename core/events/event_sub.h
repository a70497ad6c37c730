/* event_sub.h - the pure parts of the event API: subscriptions ("vm",
 * "*", "task/OpaqueRef:..."), event.from tokens, and which classes
 * generate events. No db, no threads: unit-tested on their own.
 *
 * Owns: nothing global; an xd_subs owns its entries.
 */
#ifndef XD_EVENT_SUB_H
#define XD_EVENT_SUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "value.h"

typedef enum { XD_SUB_ALL, XD_SUB_CLASS, XD_SUB_OBJECT } xd_sub_kind;

typedef struct xd_sub {
	xd_sub_kind kind;
	char *cls;   /* lower case; NULL for ALL */
	char *ref;   /* OBJECT only, as given */
} xd_sub;

typedef struct xd_subs {
	xd_sub *v;
	size_t n, cap;
} xd_subs;

#define XD_SUBS_INIT { NULL, 0, 0 }

/* Parses one subscription and appends it. "*" is every class, "<class>" a
 * class (any case), "<class>/<ref>" one object (split at the first '/', as
 * xapi does, so the ref may itself contain '/'). Unknown class names are
 * accepted: they just never match. xapi's parser accepts every string, so
 * nothing fails today; a future stricter rule would fail with
 * EVENT_SUBSCRIPTION_PARSE_FAILURE [entry]. */
int xd_subs_add(xd_subs *s, const char *entry, xd_error *err);
/* Appends every entry of an XD_V_ARRAY of strings (a non-string entry:
 * EVENT_SUBSCRIPTION_PARSE_FAILURE [its debug text]). On error s is left as
 * it was. */
int xd_subs_add_array(xd_subs *s, const xd_value *arr, xd_error *err);
/* Removes every entry equal to one of rm's (event.unregister). */
void xd_subs_remove(xd_subs *s, const xd_subs *rm);
int xd_subs_copy(xd_subs *dst, const xd_subs *src);
void xd_subs_clear(xd_subs *s);

/* Whether some subscription selects the class (lname: lower-case name). */
bool xd_subs_match_class(const xd_subs *s, const char *lname);
/* Whether some subscription selects this object. */
bool xd_subs_match_object(const xd_subs *s, const char *lname, const char *ref);

/* event.from tokens: "%020llu,%020llu" (db generation, message generation);
 * "" means the beginning (0, 0). Anything else that is not two decimal
 * numbers separated by one comma: EVENT_FROM_TOKEN_PARSE_FAILURE [token]. */
#define XD_EVENT_TOKEN_LEN 48
int xd_event_token_parse(const char *token, uint64_t *gen, uint64_t *msg_gen, xd_error *err);
void xd_event_token_format(uint64_t gen, uint64_t msg_gen, char out[XD_EVENT_TOKEN_LEN]);

/* false for the classes xapi declares without events (session, user,
 * secret, auth, data_source...): they never appear in events, not even
 * with "*". Case-insensitive. */
bool xd_event_class_has_events(const char *cls_name);

/* event.from's timeout argument as a number of seconds to wait: negative,
 * NaN or absurdly large values become one day (xapi's fallback). */
double xd_event_timeout_normalise(double timeout_s);

#endif
