/* roles.c - the static role table (see rbac.h) and the role class's
 * handlers: every permission and role, built once from the declaration. */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_decl.h"
#include "generic/generic.h"
#include "rbac_int.h"
#include "rpc/rpc.h"

/* Upstream gives pool-admin a fixed uuid (it is the default of
 * subject.roles in the datamodel); every other role and permission has the
 * MD5 of its name as uuid. */
#define POOL_ADMIN_UUID "0165f154-ba3e-034e-6b27-5d271af109ba"
#define PERMISSION_DESCRIPTION "A basic permission"

static xd_role *table;
static size_t ntable;
static size_t *perm_base;       /* per class index: its first message's entry */
static size_t http_base;
/* Open addressing indexes (entry index + 1, 0 = empty) by name, ref, uuid. */
static size_t *by_name, *by_ref, *by_uuid;
static size_t index_size;

size_t xd_rbac_hash(const char *s)
{
	size_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

static void index_put(size_t *ix, const char *key, size_t entry)
{
	size_t i = xd_rbac_hash(key) & (index_size - 1);
	while (ix[i])
		i = (i + 1) & (index_size - 1);
	ix[i] = entry + 1;
}

static const xd_role *index_get(const size_t *ix, const char *key, size_t field_off)
{
	if (!ix || !key)
		return NULL;
	size_t i = xd_rbac_hash(key) & (index_size - 1);
	for (; ix[i]; i = (i + 1) & (index_size - 1)) {
		const xd_role *r = &table[ix[i] - 1];
		const char *k = field_off == 0 ? r->name_label : (const char *)r + field_off;
		if (strcmp(k, key) == 0)
			return r;
	}
	return NULL;
}

/* Upstream's hash2uuid: the 16 bytes of the MD5 of the (original case) name
 * printed as a uuid. */
static void uuid_of(const char *name, char out[37])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(name, strlen(name), d, &n, EVP_md5(), NULL) || n != 16)
		abort();
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11],
		 d[12], d[13], d[14], d[15]);
}

static void fill(xd_role *r, const char *name, const char *desc, bool internal, int bit,
		 unsigned roles)
{
	r->name_label = strdup(name);
	if (!r->name_label)
		abort();
	for (char *p = r->name_label; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (bit == 0)
		snprintf(r->uuid, sizeof r->uuid, "%s", POOL_ADMIN_UUID);
	else
		uuid_of(name, r->uuid);
	snprintf(r->ref, sizeof r->ref, "OpaqueRef:%s", r->uuid);
	r->description = desc;
	r->is_internal = internal;
	r->role_bit = bit;
	r->roles = roles;
}

int xd_rbac_build_table(void)
{
	size_t n = 0;
	for (size_t i = 0; i < xd_dm_nclasses(); i++)
		n += xd_dm_class_at(i)->nmessages;
	n += xd_decl_nhttp_actions + xd_decl_nroles;
	table = calloc(n, sizeof *table);
	perm_base = calloc(xd_dm_nclasses(), sizeof *perm_base);
	if (!table || !perm_base)
		abort();
	for (size_t i = 0; i < xd_dm_nclasses(); i++) {
		const xd_class *c = xd_dm_class_at(i);
		perm_base[i] = ntable;
		for (size_t j = 0; j < c->nmessages; j++) {
			char name[256];
			snprintf(name, sizeof name, "%s.%s", c->name, c->messages[j].name);
			fill(&table[ntable++], name, PERMISSION_DESCRIPTION, true, -1,
			     c->messages[j].roles);
		}
	}
	http_base = ntable;
	for (size_t i = 0; i < xd_decl_nhttp_actions; i++) {
		char name[128];
		snprintf(name, sizeof name, "http/%s", xd_decl_http_actions[i].action);
		fill(&table[ntable++], name, PERMISSION_DESCRIPTION, true, -1,
		     xd_decl_http_actions[i].roles);
	}
	for (size_t i = 0; i < xd_decl_nroles; i++)
		fill(&table[ntable++], xd_decl_roles[i].name, xd_decl_roles[i].description,
		     xd_decl_roles[i].is_internal, (int)i, 1u << i);
	index_size = 64;
	while (index_size < ntable * 2)
		index_size <<= 1;
	by_name = calloc(index_size, sizeof *by_name);
	by_ref = calloc(index_size, sizeof *by_ref);
	by_uuid = calloc(index_size, sizeof *by_uuid);
	if (!by_name || !by_ref || !by_uuid)
		abort();
	for (size_t i = 0; i < ntable; i++) {
		/* "A_b.c" and "A.b_c" cannot both be messages: names are unique */
		index_put(by_name, table[i].name_label, i);
		index_put(by_ref, table[i].ref, i);
		index_put(by_uuid, table[i].uuid, i);
	}
	return 0;
}

void xd_rbac_free_table(void)
{
	for (size_t i = 0; i < ntable; i++)
		free(table[i].name_label);
	free(table);
	free(perm_base);
	free(by_name);
	free(by_ref);
	free(by_uuid);
	table = NULL;
	perm_base = by_name = by_ref = by_uuid = NULL;
	ntable = 0;
}

size_t xd_rbac_nroles(void)
{
	return ntable;
}

const xd_role *xd_rbac_role_at(size_t i)
{
	return i < ntable ? &table[i] : NULL;
}

const xd_role *xd_rbac_role_by_name(const char *name_label)
{
	return index_get(by_name, name_label, 0);
}

const xd_role *xd_rbac_role_by_ref(const char *ref)
{
	return index_get(by_ref, ref, offsetof(xd_role, ref));
}

const xd_role *xd_rbac_role_by_uuid(const char *uuid)
{
	return index_get(by_uuid, uuid, offsetof(xd_role, uuid));
}

const xd_role *xd_rbac_permission_of(const xd_class *c, const xd_message *m)
{
	return &table[perm_base[c->idx] + (size_t)(m - c->messages)];
}

const xd_role *xd_rbac_http_permission(const char *handler)
{
	for (size_t i = 0; i < xd_decl_nhttp_actions; i++)
		if (strcmp(xd_decl_http_actions[i].handler, handler) == 0)
			return &table[http_base + i];
	return NULL;
}

unsigned xd_rbac_mask_of_refs(const xd_value *refs)
{
	unsigned mask = 0;
	for (size_t i = 0; refs && refs->t == XD_V_ARRAY && i < refs->u.arr.n; i++) {
		const xd_value *v = refs->u.arr.items[i];
		const xd_role *r = v->t == XD_V_STRING ? xd_rbac_role_by_ref(v->u.s) : NULL;
		if (r && r->role_bit >= 0)
			mask |= r->roles;
	}
	return mask;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

xd_value *xd_rbac_permission_names(unsigned mask)
{
	const char **names = malloc((ntable ? ntable : 1) * sizeof *names);
	size_t n = 0;
	if (!names)
		abort();
	for (size_t i = 0; i < ntable; i++)
		if (table[i].role_bit < 0 && (table[i].roles & mask))
			names[n++] = table[i].name_label;
	qsort(names, n, sizeof *names, cmp_strp);
	xd_value *set = xd_array();
	for (size_t i = 0; i < n; i++)
		xd_array_append_take(set, xd_string(names[i]));
	free(names);
	return set;
}

/* ---- the role class ------------------------------------------------------ */

static const xd_role *role_arg(const xd_call *call, size_t i, xd_error *err)
{
	const xd_role *r = xd_rbac_role_by_ref(xd_arg_str(call, i));
	if (!r)
		xd_error_set(err, "HANDLE_INVALID", "role", xd_arg_str(call, i), NULL);
	return r;
}

/* A role's permissions (a permission's own: itself), as refs or names. */
static xd_value *permissions_of(const xd_role *r, bool names)
{
	xd_value *set = xd_array();
	for (size_t i = 0; i < ntable; i++) {
		const xd_role *p = &table[i];
		bool in = r->role_bit >= 0 ? p->role_bit < 0 && (p->roles & r->roles) : p == r;
		if (in)
			xd_array_append_take(set, xd_string(names ? p->name_label : p->ref));
	}
	return set;
}

static xd_value *record_of(const xd_role *r)
{
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, "uuid", xd_string(r->uuid));
	xd_struct_set_take(rec, "name_label", xd_string(r->name_label));
	xd_struct_set_take(rec, "name_description", xd_string(r->description));
	xd_struct_set_take(rec, "subroles",
			   r->role_bit >= 0 ? permissions_of(r, false) : xd_array());
	xd_struct_set_take(rec, "is_internal", xd_bool(r->is_internal));
	return rec;
}

static xd_value *h_get_record(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? record_of(r) : NULL;
}

static xd_value *h_get_uuid(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? xd_string(r->uuid) : NULL;
}

static xd_value *h_get_name_label(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? xd_string(r->name_label) : NULL;
}

static xd_value *h_get_name_description(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? xd_string(r->description) : NULL;
}

static xd_value *h_get_is_internal(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? xd_bool(r->is_internal) : NULL;
}

static xd_value *h_get_subroles(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	if (!r)
		return NULL;
	return r->role_bit >= 0 ? permissions_of(r, false) : xd_array();
}

static xd_value *h_get_permissions(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? permissions_of(r, false) : NULL;
}

static xd_value *h_get_permissions_name_label(const xd_call *call, xd_error *err)
{
	const xd_role *r = role_arg(call, 0, err);
	return r ? permissions_of(r, true) : NULL;
}

static xd_value *h_get_by_uuid(const xd_call *call, xd_error *err)
{
	const xd_role *r = xd_rbac_role_by_uuid(xd_arg_str(call, 0));
	if (!r) {
		xd_error_set(err, "UUID_INVALID", "role", xd_arg_str(call, 0), NULL);
		return NULL;
	}
	return xd_string(r->ref);
}

static xd_value *h_get_by_name_label(const xd_call *call, xd_error *err)
{
	const xd_role *r = xd_rbac_role_by_name(xd_arg_str(call, 0));
	xd_value *set = xd_array();
	if (r)
		xd_array_append_take(set, xd_string(r->ref));
	return set;
}

/* The roles that hold permission p (not p itself), in table order. */
static xd_value *roles_with(const xd_role *p)
{
	xd_value *set = xd_array();
	for (size_t i = 0; p && i < ntable; i++)
		if (table[i].role_bit >= 0 && (table[i].roles & p->roles) && p->role_bit < 0)
			xd_array_append_take(set, xd_string(table[i].ref));
	return set;
}

static xd_value *h_get_by_permission(const xd_call *call, xd_error *err)
{
	return roles_with(xd_rbac_role_by_ref(xd_arg_str(call, 0)));
}

static xd_value *h_get_by_permission_name_label(const xd_call *call, xd_error *err)
{
	return roles_with(xd_rbac_role_by_name(xd_arg_str(call, 0)));
}

/* Upstream answers the two filters its clients use (roles only, permissions
 * only) and everything for any other expression. */
static bool where_wants(const char *expr, const xd_role *r)
{
	if (expr && strcmp(expr, "subroles<>[]") == 0)
		return r->role_bit >= 0;
	if (expr && strcmp(expr, "subroles=[]") == 0)
		return r->role_bit < 0;
	return true;
}

static xd_value *listing(const char *expr, bool records)
{
	xd_value *out = records ? xd_struct() : xd_array();
	for (size_t i = 0; i < ntable; i++) {
		if (!where_wants(expr, &table[i]))
			continue;
		if (records)
			xd_struct_set_take(out, table[i].ref, record_of(&table[i]));
		else
			xd_array_append_take(out, xd_string(table[i].ref));
	}
	return out;
}

static xd_value *h_get_all(const xd_call *call, xd_error *err)
{
	return listing(NULL, false);
}

static xd_value *h_get_all_records(const xd_call *call, xd_error *err)
{
	return listing(NULL, true);
}

static xd_value *h_get_all_where(const xd_call *call, xd_error *err)
{
	return listing(xd_arg_str(call, 0), false);
}

static xd_value *h_get_all_records_where(const xd_call *call, xd_error *err)
{
	return listing(xd_arg_str(call, 0), true);
}

void xd_rbac_register_role_api(void)
{
	static const struct {
		const char *name;
		xd_handler_fn fn;
	} h[] = {
		{ "get_record", h_get_record },
		{ "get_uuid", h_get_uuid },
		{ "get_name_label", h_get_name_label },
		{ "get_name_description", h_get_name_description },
		{ "get_is_internal", h_get_is_internal },
		{ "get_subroles", h_get_subroles },
		{ "get_permissions", h_get_permissions },
		{ "get_permissions_name_label", h_get_permissions_name_label },
		{ "get_by_uuid", h_get_by_uuid },
		{ "get_by_name_label", h_get_by_name_label },
		{ "get_by_permission", h_get_by_permission },
		{ "get_by_permission_name_label", h_get_by_permission_name_label },
		{ "get_all", h_get_all },
		{ "get_all_records", h_get_all_records },
		{ "get_all_where", h_get_all_where },
		{ "get_all_records_where", h_get_all_records_where },
	};
	for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
		xd_rpc_register("role", h[i].name, h[i].fn);
}
