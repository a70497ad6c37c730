/* templates.c - the default templates (core/host/templates.json, built into
 * the binary by templates_data.c), made at first boot and refreshed at every
 * start as xapi refreshes its catalogue: a default template (is_default_template)
 * with the catalogue entry's reference_label gets the entry's settings again;
 * one the catalogue lacks is made; templates users made are never touched.
 *
 * A catalogue entry becomes a VM record the way the xenserver catalogue's
 * own loader builds one: min_memory M gives static_min M and the other three
 * 2M; the disks become other_config:disks provisioning XML (VM.provision,
 * `xe vm-install ... sr-uuid=`); the limits become the recommendations XML.
 */
#include "templates.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "strbuf.h"

extern const char xd_templates_json[]; /* templates_data.c */

/* "10G" -> bytes; -1 when malformed. */
int64_t xd_templates_amount(const char *s)
{
	char *end;
	long long v;
	int shift = 0;

	if (!s || !*s)
		return -1;
	v = strtoll(s, &end, 10);
	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: break;
	}
	if (*end || v > (INT64_MAX >> shift))
		return -1;
	return (int64_t)v << shift;
}

/* ---- an entry with its bases folded in ------------------------------------------ */

/* dst gets every key of src; maps are merged key by key, null removes. */
static void merge(json_object *dst, json_object *src)
{
	json_object_object_foreach(src, key, val)
	{
		json_object *cur = NULL;

		if (!val) {
			json_object_object_del(dst, key);
			continue;
		}
		if (json_object_is_type(val, json_type_object) &&
		    json_object_object_get_ex(dst, key, &cur) &&
		    json_object_is_type(cur, json_type_object)) {
			merge(cur, val);
			continue;
		}
		/* a map from src copied whole, so that a later merge into it
		 * never writes into the catalogue itself */
		if (json_object_is_type(val, json_type_object)) {
			json_object *copy = json_object_new_object();
			merge(copy, val);
			json_object_object_add(dst, key, copy);
		} else {
			json_object_object_add(dst, key, json_object_get(val));
		}
	}
}

/* The entry with its chain of bases under it (a new object); NULL on a
 * base that does not exist or a chain that loops. */
static json_object *resolve(json_object *bases, json_object *entry, int depth)
{
	json_object *base_name, *base, *out;

	if (depth > 8)
		return NULL;
	if (!json_object_object_get_ex(entry, "base", &base_name)) {
		out = json_object_new_object();
	} else {
		if (!json_object_object_get_ex(bases, json_object_get_string(base_name), &base))
			return NULL;
		if (!(out = resolve(bases, base, depth + 1)))
			return NULL;
	}
	merge(out, entry);
	json_object_object_del(out, "base");
	return out;
}

static const char *jstr(json_object *o, const char *key, const char *dflt)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : dflt;
}

static int64_t jint(json_object *o, const char *key, int64_t dflt)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_int64(v) : dflt;
}

/* -1 absent, else 0/1. */
static int jbool(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	return json_object_get_boolean(v) ? 1 : 0;
}

static xd_value *jmap(json_object *o, const char *key)
{
	json_object *m;
	xd_value *out = xd_struct();

	if (json_object_object_get_ex(o, key, &m) && json_object_is_type(m, json_type_object)) {
		json_object_object_foreach(m, k, v)
		{
			if (v)
				xd_struct_set_take(out, k, xd_string(json_object_get_string(v)));
		}
	}
	return out;
}

/* ---- the XML values ------------------------------------------------------------- */

static char *provision_xml(json_object *e)
{
	json_object *disks;
	xd_strbuf b = XD_STRBUF_INIT;
	size_t n;

	if (!json_object_object_get_ex(e, "disks", &disks) ||
	    !json_object_is_type(disks, json_type_array) ||
	    (n = json_object_array_length(disks)) == 0)
		return NULL;
	xd_strbuf_puts(&b, "<provision>");
	for (size_t i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(disks, i);
		int boot = jbool(d, "bootable");

		xd_strbuf_printf(&b, "<disk device=\"%zu\" size=\"%lld\" sr=\"\" bootable=\"%s\" "
				     "type=\"system\"/>",
				 i, (long long)xd_templates_amount(jstr(d, "size", "")),
				 boot == 0 ? "false" : "true");
	}
	xd_strbuf_puts(&b, "</provision>");
	return xd_strbuf_steal(&b);
}

static void restriction(xd_strbuf *b, const char *field, const char *attr, const char *value)
{
	xd_strbuf_printf(b, "<restriction field=\"%s\" %s=\"%s\"/>", field, attr, value);
}

/* The catalogue's limits as xapi's recommendations XML, in its order. */
static char *recommendations_xml(json_object *e)
{
	xd_strbuf b = XD_STRBUF_INIT;
	char n[32];
	int v;
	static const struct {
		const char *key, *field, *yes, *no;
	} flags[] = {
		{ "allow_network_sriov", "allow-network-sriov", "1", "0" },
		{ "supports_bios", "supports-bios", "yes", "no" },
		{ "supports_uefi", "supports-uefi", "yes", "no" },
		{ "supports_secure_boot", "supports-secure-boot", "yes", "no" },
	};

	xd_strbuf_puts(&b, "<restrictions>");
	if (jstr(e, "max_memory", NULL)) {
		snprintf(n, sizeof(n), "%lld",
			 (long long)xd_templates_amount(jstr(e, "max_memory", "")));
		restriction(&b, "memory-static-max", "max", n);
	}
	if ((v = (int)jint(e, "vcpus_min", 0)) > 0) {
		snprintf(n, sizeof(n), "%d", v);
		restriction(&b, "vcpus-min", "min", n);
	}
	if ((v = (int)jint(e, "vcpus_max", 0)) > 0) {
		snprintf(n, sizeof(n), "%d", v);
		restriction(&b, "vcpus-max", "max", n);
	}
	restriction(&b, "has-vendor-device", "value",
		    jbool(e, "has_vendor_device") == 1 ? "true" : "false");
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if ((v = jbool(e, flags[i].key)) >= 0)
			restriction(&b, flags[i].field, "value", v ? flags[i].yes : flags[i].no);
	xd_strbuf_printf(&b, "<restriction property=\"number-of-vbds\" max=\"%lld\"/>"
			     "<restriction property=\"number-of-vifs\" max=\"%lld\"/></restrictions>",
			 (long long)jint(e, "number_of_vbds", 0), (long long)jint(e, "number_of_vifs", 0));
	return xd_strbuf_steal(&b);
}

/* ---- records -------------------------------------------------------------------- */

/* The settings a catalogue entry gives (refreshed at every start). */
static xd_value *settings(json_object *e)
{
	xd_value *r = xd_struct(), *oc = jmap(e, "other_config");
	int64_t min = xd_templates_amount(jstr(e, "min_memory", "128M"));
	const char *policy = jstr(e, "HVM_boot_policy", "");
	char *disks = provision_xml(e);

	if (min <= 0)
		min = 128 << 20;
	xd_struct_set_take(r, "name_label", xd_string(jstr(e, "name_label", "")));
	xd_struct_set_take(r, "name_description", xd_string(jstr(e, "name_description", "")));
	xd_struct_set_take(r, "reference_label", xd_string(jstr(e, "reference_label", "")));
	xd_struct_set_take(r, "is_a_template", xd_bool(true));
	xd_struct_set_take(r, "is_default_template", xd_bool(true));
	xd_struct_set_take(r, "memory_static_min", xd_int(min));
	xd_struct_set_take(r, "memory_dynamic_min", xd_int(2 * min));
	xd_struct_set_take(r, "memory_dynamic_max", xd_int(2 * min));
	xd_struct_set_take(r, "memory_static_max", xd_int(2 * min));
	xd_struct_set_take(r, "VCPUs_max", xd_int(jint(e, "VCPUs_max", 1)));
	xd_struct_set_take(r, "VCPUs_at_startup", xd_int(jint(e, "VCPUs_at_startup", 1)));
	xd_struct_set_take(r, "actions_after_shutdown", xd_string("destroy"));
	xd_struct_set_take(r, "actions_after_reboot", xd_string("restart"));
	xd_struct_set_take(r, "actions_after_crash", xd_string("restart"));
	xd_struct_set_take(r, "HVM_boot_policy", xd_string(policy));
	xd_struct_set_take(r, "HVM_boot_params", jmap(e, "HVM_boot_params"));
	xd_struct_set_take(r, "platform", jmap(e, "platform"));
	xd_struct_set_take(r, "domain_type", xd_string(*policy ? "hvm" : "pv"));
	xd_struct_set_take(r, "has_vendor_device", xd_bool(jbool(e, "has_vendor_device") == 1));
	xd_struct_set_take(r, "recommendations", xd_string_take(recommendations_xml(e)));
	if (disks)
		xd_struct_set_take(oc, "disks", xd_string_take(disks));
	xd_struct_set_take(oc, "default_template", xd_string("true"));
	xd_struct_set_take(r, "other_config", oc);
	return r;
}

/* The default template with this reference label, or for the templates
 * older releases made without one, this name (heap ref; NULL if none). */
typedef struct find_ctx {
	const char *label, *name;
	int f_label, f_name, f_default;
	char *ref;
} find_ctx;

static int find_visit(const char *ref, const xd_value *const *fields, void *ud)
{
	find_ctx *f = ud;
	const char *label = fields[f->f_label] ? fields[f->f_label]->u.s : "";

	if (!fields[f->f_default] || !fields[f->f_default]->u.b)
		return 0;
	if (strcmp(label, f->label) == 0 ||
	    (!*label && fields[f->f_name] && strcmp(fields[f->f_name]->u.s, f->name) == 0)) {
		f->ref = strdup(ref);
		return 1;
	}
	return 0;
}

static char *find_default(const char *label, const char *name)
{
	const xd_class *c = xd_dm_class("VM");
	find_ctx f = { label, name, xd_dm_field_index(c, "reference_label"),
		       xd_dm_field_index(c, "name_label"),
		       xd_dm_field_index(c, "is_default_template"), NULL };

	xd_db_foreach(c, find_visit, &f);
	return f.ref;
}

/* The settings with the existing template's own other_config keys
 * (mac_seed...) kept where the catalogue does not set them. */
static void keep_own_keys(const char *ref, xd_value *s)
{
	const xd_class *c = xd_dm_class("VM");
	xd_value *old_oc = xd_db_get_field(c, ref, xd_dm_field_index(c, "other_config"));
	xd_value *oc = (xd_value *)xd_struct_get(s, "other_config");

	for (size_t i = 0; old_oc && old_oc->t == XD_V_STRUCT && i < old_oc->u.st.n; i++) {
		const xd_member *m = &old_oc->u.st.m[i];

		/* "disks" is the catalogue's (a provisioned template dropped it) */
		if (!xd_struct_get(oc, m->name) && strcmp(m->name, "disks") != 0)
			xd_struct_set_take(oc, m->name, xd_value_copy(m->v));
	}
	xd_value_free(old_oc);
}

static int refresh_one(xd_db_txn *t, const char *ref, const xd_value *s, xd_error *err)
{
	const xd_class *c = xd_dm_class("VM");
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < s->u.st.n; i++)
		rc = xd_db_txn_set_field(t, c, ref, xd_dm_field_index(c, s->u.st.m[i].name),
					 s->u.st.m[i].v, err);
	return rc;
}

/* Makes the template (s taken) with a VM_metrics of its own. */
static int create_one(xd_db_txn *t, const char *uuid, xd_value *s, xd_error *err)
{
	const xd_class *vc = xd_dm_class("VM"), *mc = xd_dm_class("VM_metrics");
	char *ref = xd_ref_new(), *mref = xd_ref_new();
	xd_value *m = xd_struct(), *oc = (xd_value *)xd_struct_get(s, "other_config");
	int rc;

	xd_struct_set_take(oc, "mac_seed", xd_string_take(xd_uuid_new()));
	if (uuid)
		xd_struct_set_take(s, "uuid", xd_string(uuid));
	xd_struct_set_take(s, "user_version", xd_int(1));
	xd_struct_set_take(s, "metrics", xd_string(mref));
	xd_struct_set_take(s, "domid", xd_int(-1));
	xd_struct_set_take(m, "last_updated", xd_datetime(time(NULL)));
	xd_generic_fill_defaults(mc, m);
	rc = xd_db_txn_create(t, mc, mref, m, err);
	if (rc == 0) {
		xd_generic_fill_defaults(vc, s);
		rc = xd_db_txn_create(t, vc, ref, s, err);
	} else {
		xd_value_free(s);
	}
	free(ref);
	free(mref);
	return rc;
}

/* One catalogue entry, read and matched before the write transaction (a
 * thread holding the write lock may make no other db call). */
typedef struct planned {
	xd_value *settings;
	char *ref;  /* the existing default template, or NULL: make one */
	char *uuid; /* the catalogue's uuid for a new one, or NULL */
} planned;

static int plan(json_object *root, planned **out, size_t *n, xd_error *err)
{
	json_object *bases, *list;

	*out = NULL;
	*n = 0;
	if (!root || !json_object_object_get_ex(root, "bases", &bases) ||
	    !json_object_object_get_ex(root, "templates", &list))
		return xd_error_setf(err, "INTERNAL_ERROR", "the template catalogue does not parse");
	*out = calloc(json_object_array_length(list) + 1, sizeof(**out));
	if (!*out)
		return xd_error_setf(err, "INTERNAL_ERROR", "out of memory");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *e = resolve(bases, json_object_array_get_idx(list, i), 0);
		planned *p = &(*out)[(*n)++];

		if (!e)
			return xd_error_setf(err, "INTERNAL_ERROR",
					     "template catalogue entry %zu names no known base", i);
		p->settings = settings(e);
		p->ref = find_default(jstr(e, "reference_label", ""), jstr(e, "name_label", ""));
		if (p->ref)
			keep_own_keys(p->ref, p->settings);
		else if (jstr(e, "uuid", NULL))
			p->uuid = strdup(jstr(e, "uuid", ""));
		json_object_put(e);
	}
	return 0;
}

int xd_templates_refresh(xd_error *err)
{
	json_object *root = json_tokener_parse(xd_templates_json);
	planned *p;
	size_t n;
	int rc = plan(root, &p, &n, err), made = 0;

	json_object_put(root);
	if (rc == 0) {
		xd_db_txn *t = xd_db_begin();

		for (size_t i = 0; rc == 0 && i < n; i++) {
			if (p[i].ref) {
				rc = refresh_one(t, p[i].ref, p[i].settings, err);
			} else {
				rc = create_one(t, p[i].uuid, p[i].settings, err);
				p[i].settings = NULL; /* taken */
				made++;
			}
		}
		if (rc == 0)
			rc = xd_db_commit(t, err);
		else
			xd_db_rollback(t);
	}
	for (size_t i = 0; p && i < n; i++) {
		xd_value_free(p[i].settings);
		free(p[i].ref);
		free(p[i].uuid);
	}
	free(p);
	if (rc == 0)
		xd_debug("templates: %d made, %zu refreshed from the catalogue", made,
			 n - (size_t)made);
	return rc;
}
