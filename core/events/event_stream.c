/* event_stream.c - event records, and the answer of a client's first
 * event.from (token ""), which holds every object it subscribed to: on a
 * pool master hundreds of thousands of records. Like get_all_records
 * (generic/records_stream.c) it is a lazy value: the call lists the
 * changes without their snapshots, and each record is read from the db's
 * memo when its event is encoded, the encoder's buffer drained to the
 * socket in between. A record is then as new as the moment it is written;
 * whatever changed after the token shows again in the client's next call,
 * and an object gone by then is left out (its deletion comes next).
 */
#include "event_stream.h"

#include <stdio.h>
#include <stdlib.h>

#include "generic/generic.h"
#include "strbuf.h"
#include "wire.h"

static const char *op_name(xd_change_op op)
{
	switch (op) {
	case XD_CHANGE_ADD: return "add";
	case XD_CHANGE_MOD: return "mod";
	case XD_CHANGE_DEL: return "del";
	}
	return "mod";
}

xd_value *xd_event_record(const xd_change *ch, xd_value *snapshot, const char *legacy_ts)
{
	char id[24];
	snprintf(id, sizeof id, "%llu", (unsigned long long)ch->gen);
	xd_value *ev = xd_struct();
	xd_struct_set_take(ev, "id", xd_string(id));
	xd_struct_set_take(ev, "timestamp", xd_string(legacy_ts ? legacy_ts : "0.0"));
	xd_struct_set_take(ev, "class", xd_string(ch->cls->lname));
	xd_struct_set_take(ev, "operation", xd_string(op_name(ch->op)));
	xd_struct_set_take(ev, "ref", xd_string(ch->ref));
	if (legacy_ts && snapshot && snapshot->t == XD_V_STRUCT) {
		const xd_value *uuid = xd_struct_get(snapshot, "uuid");
		if (uuid && uuid->t == XD_V_STRING)
			xd_struct_set_take(ev, "obj_uuid", xd_string(uuid->u.s));
	}
	if (snapshot && ch->op != XD_CHANGE_DEL)
		xd_struct_set_take(ev, "snapshot", snapshot);
	else
		xd_value_free(snapshot);
	return ev;
}

typedef struct change_list {
	xd_change *ch;
	size_t n;
} change_list;

static void emit_events(void *ud, xd_strbuf *sb, bool json)
{
	const change_list *l = ud;
	bool first = true;

	xd_strbuf_puts(sb, json ? "[" : "<value><array><data>");
	for (size_t i = 0; i < l->n; i++) {
		const xd_change *ch = &l->ch[i];
		if (ch->op == XD_CHANGE_DEL)
			continue; /* none in a first call: nothing to delete yet */
		xd_shared_text *rec = xd_record_text(ch->cls, ch->ref, json);
		if (!rec)
			continue; /* gone since the call listed it */
		xd_value *ev = xd_event_record(ch, xd_raw_shared(rec), NULL);
		xd_shared_text_release(rec);
		if (json) {
			if (!first)
				xd_strbuf_putc(sb, ',');
			xd_json_encode_value(sb, ev);
		} else {
			xd_xmlrpc_encode_value(sb, ev);
		}
		first = false;
		xd_value_free(ev);
		if (xd_strbuf_drain_point(sb) < 0)
			return; /* the peer left */
	}
	xd_strbuf_puts(sb, json ? "]" : "</data></array></value>");
}

static void change_list_free(void *ud)
{
	change_list *l = ud;
	xd_db_changes_free(l->ch, l->n);
	free(l);
}

static const xd_lazy_ops events_ops = { emit_events, change_list_free };

xd_value *xd_event_stream(xd_change *ch, size_t n)
{
	change_list *l = malloc(sizeof(*l));
	if (!l)
		abort();
	l->ch = ch;
	l->n = n;
	return xd_lazy_new(&events_ops, l);
}
