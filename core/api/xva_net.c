/* xva_net.c - the network seam of the XVA import (xva_int.h): which
 * network a VIF of an imported VM joins. As xapi's import.ml (module Net):
 * the network of the same name_label, else of the same bridge, else a new
 * one made from the XVA's record (networks are matched by name, so that
 * whether two are "the same" is the user's choice). The network layer
 * decides what creating one does; here it is network.create as a client
 * would call it. */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "dm.h"
#include "xva_int.h"

typedef struct net_search {
	const char *field;
	const char *want;
	int idx;
	char *found;
} net_search;

static int visit(const char *ref, const xd_value *const *fields, void *ud)
{
	net_search *s = ud;
	const xd_value *v = fields[s->idx];
	if (!s->found && v && v->t == XD_V_STRING && !strcmp(v->u.s, s->want)) {
		s->found = strdup(ref);
		if (!s->found)
			abort();
	}
	return 0;
}

static char *find_by(const char *field, const char *want)
{
	const xd_class *c = xd_dm_class("network");
	net_search s = { .field = field, .want = want, .idx = xd_dm_field_index(c, field) };
	if (!want || !*want || s.idx < 0)
		return NULL;
	xd_db_foreach(c, visit, &s);
	return s.found;
}

static const char *rec_str(const xd_value *rec, const char *name)
{
	const xd_value *v = xd_struct_get(rec, name);
	return v && v->t == XD_V_STRING ? v->u.s : "";
}

char *xd_xva_network_for(const char *session, const xd_peer *peer, const xd_value *net_rec,
			 bool *created, xd_error *err)
{
	*created = false;
	char *net = find_by("name_label", rec_str(net_rec, "name_label"));
	if (!net)
		net = find_by("bridge", rec_str(net_rec, "bridge"));
	if (net)
		return net;
	xd_value *rec = xd_struct();
	static const char *const keep[] = { "name_label", "name_description", "MTU", "other_config",
					    "bridge", "managed", "tags", NULL };
	for (size_t i = 0; keep[i]; i++) {
		const xd_value *v = xd_struct_get(net_rec, keep[i]);
		if (v)
			xd_struct_set_take(rec, keep[i], xd_value_copy(v));
	}
	xd_value *params = xd_array();
	xd_array_append_take(params, xd_string(session));
	xd_array_append_take(params, rec);
	xd_result_kind kind;
	xd_value *r = xd_rpc_dispatch("network.create", params, peer, &kind, err);
	if (!r)
		return NULL;
	net = strdup(r->u.s);
	xd_value_free(r);
	if (!net)
		abort();
	*created = true;
	return net;
}
