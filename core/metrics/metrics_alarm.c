/* metrics_alarm.c - alarms as xapi's perfmon raises them: thresholds set
 * in other_config:perfmon of a VM, host or SR, e.g.
 *   <config><variable><name value="cpu_usage"/>
 *   <alarm_trigger_level value="0.5"/></variable></config>
 * with alarm_priority (3), alarm_trigger_sense (high), alarm_trigger_period
 * (60 s), alarm_auto_inhibit_period (3600 s), consolidation_fn (average
 * for cpu_usage, else sum) and rrd_regex. Every round the variable's value
 * is computed from the object's latest values; once it has been on the bad
 * side of the level for the trigger period, an ALARM message is created
 * (body "value: <v>\nconfig:\n<variable>...</variable>", as perfmon writes
 * it) and the variable stays quiet for the inhibit period. */
#define _GNU_SOURCE
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "dm.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "metrics_int.h"

/* What one variable of one object remembers between rounds. */
typedef struct alarm_state {
	char key[200];                 /* kind/uuid/variable */
	double bad_since;              /* 0: the value is fine */
	double quiet_until;
} alarm_state;

static alarm_state *states;
static size_t nstates;

static alarm_state *state_of(const char *kind, const char *uuid, const char *var)
{
	char key[200];
	snprintf(key, sizeof key, "%s/%s/%s", kind, uuid, var);
	for (size_t i = 0; i < nstates; i++)
		if (!strcmp(states[i].key, key))
			return &states[i];
	alarm_state *grown = realloc(states, (nstates + 1) * sizeof *grown);
	if (!grown)
		return NULL;
	states = grown;
	alarm_state *s = &states[nstates++];
	memset(s, 0, sizeof *s);
	snprintf(s->key, sizeof s->key, "%s", key);
	return s;
}

/* The value="..." of <tag .../> inside [p, end), heap, or NULL. */
static char *setting(const char *p, const char *end, const char *tag)
{
	char open[64];
	snprintf(open, sizeof open, "<%s", tag);
	for (const char *t = p; (t = strstr(t, open)) && t < end; t++) {
		char c = t[strlen(open)];
		if (c != ' ' && c != '\t' && c != '\n' && c != '/')
			continue;
		const char *v = strstr(t, "value=");
		if (!v || v >= end)
			return NULL;
		char q = v[6];
		if (q != '"' && q != '\'')
			return NULL;
		const char *close = strchr(v + 7, q);
		if (!close || close >= end)
			return NULL;
		return strndup(v + 7, (size_t)(close - v - 7));
	}
	return NULL;
}

/* The default rrd_regex of a variable (perfmon's), by object kind. */
static const char *default_regex(const char *kind, const char *var, char *buf, size_t n)
{
	if (!strcmp(var, "cpu_usage"))
		return "cpu[0-9]+";
	if (!strcmp(var, "network_usage"))
		return !strcmp(kind, "host") ? "pif_[a-z0-9]+_[rt]x" : "vif_[0-9]+_[rt]x";
	if (!strcmp(var, "disk_usage"))
		return "vbd_(xvd|hd)[a-z]+_(read|write)";
	if (!strcmp(var, "memory_free_kib") || !strcmp(var, "memory_internal_free")) {
		snprintf(buf, n, "%s", var);
		return buf;
	}
	if (!strcmp(var, "sr_io_throughput_total_per_host"))
		return "vdi_.*_(read|write)";
	return NULL;
}

/* Combines the object's latest values whose names match re. */
static bool evaluate(xd_mobj *o, const char *re, bool average, double scale, double *out)
{
	regex_t rx;
	char anchored[300];
	snprintf(anchored, sizeof anchored, "^(%s)$", re);
	if (regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	double sum = 0;
	int n = 0;
	for (size_t i = 0; o && i < o->nds; i++) {
		const xd_ds *d = &o->ds[i];
		if (!d->fresh || isnan(d->value) || regexec(&rx, d->name, 0, NULL, 0) != 0)
			continue;
		sum += d->value;
		n++;
	}
	regfree(&rx);
	if (!n)
		return false;
	*out = (average ? sum / n : sum) * scale;
	return true;
}

/* Alarms due this round, raised once the store's lock is let go. */
typedef struct pending {
	char cls[8], uuid[40];
	int priority;
	double value;
	char *xml;
} pending;
static pending *due;
static size_t ndue;

static void queue_alarm(const char *cls, const char *uuid, int priority, double value,
			const char *p, const char *end)
{
	pending *grown = realloc(due, (ndue + 1) * sizeof *grown);
	if (!grown)
		return;
	due = grown;
	pending *a = &due[ndue++];
	snprintf(a->cls, sizeof a->cls, "%s", cls);
	snprintf(a->uuid, sizeof a->uuid, "%s", uuid);
	a->priority = priority;
	a->value = value;
	a->xml = strndup(p, (size_t)(end - p));
}

static void raise_alarm(const char *cls, const char *uuid, int priority, double value,
			const char *var_xml)
{
	const xd_class *mc = xd_dm_class("message");
	xd_value *rec = xd_struct();
	char *body = NULL;
	if (asprintf(&body, "value: %g\nconfig:\n%s", value, var_xml) < 0)
		body = NULL;
	xd_struct_set_take(rec, "name", xd_string("ALARM"));
	xd_struct_set_take(rec, "priority", xd_int(priority));
	xd_struct_set_take(rec, "cls", xd_string(cls));
	xd_struct_set_take(rec, "obj_uuid", xd_string(uuid));
	xd_struct_set_take(rec, "timestamp", xd_datetime((int64_t)time(NULL)));
	xd_struct_set_take(rec, "body", xd_string(body ? body : ""));
	xd_generic_fill_defaults(mc, rec);
	char *ref = xd_ref_new();
	xd_error err = XD_ERROR_INIT;
	if (xd_db_create(mc, ref, rec, &err) < 0)
		xd_warn("metrics: cannot create the ALARM message of %s %s: %s", cls, uuid, err.code);
	else
		xd_info("metrics: ALARM (priority %d) for %s %s: %s", priority, cls, uuid,
			body ? body : "");
	xd_error_clear(&err);
	free(ref);
	free(body);
}

/* One <variable> of an object's perfmon config. */
static void check_variable(xd_mobj *o, const char *cls, const char *kind, const char *uuid,
			   const char *p, const char *end, double now)
{
	char *name = setting(p, end, "name"), *level_s = setting(p, end, "alarm_trigger_level");
	char *sense = setting(p, end, "alarm_trigger_sense"), *prio = setting(p, end, "alarm_priority");
	char *period = setting(p, end, "alarm_trigger_period");
	char *inhibit = setting(p, end, "alarm_auto_inhibit_period");
	char *fn = setting(p, end, "consolidation_fn"), *regex = setting(p, end, "rrd_regex");
	char buf[64];
	const char *re = regex ? regex : name ? default_regex(kind, name, buf, sizeof buf) : NULL;
	double value;
	if (name && level_s && re) {
		bool average = fn ? !strcmp(fn, "average") : !strcmp(name, "cpu_usage");
		/* the SR's throughput is in MiB/s, as rrdp-iostat's */
		double scale = !strcmp(name, "sr_io_throughput_total_per_host") ? 1.0 / 1048576 : 1;
		alarm_state *s = state_of(kind, uuid, name);
		if (s && evaluate(o, re, average, scale, &value)) {
			double level = strtod(level_s, NULL);
			bool low = sense && !strcmp(sense, "low");
			bool bad = low ? value < level : value > level;
			if (!bad) {
				s->bad_since = 0;
			} else {
				if (!s->bad_since)
					s->bad_since = now;
				double need = period ? strtod(period, NULL) : 60;
				if (now - s->bad_since >= need && now >= s->quiet_until) {
					queue_alarm(cls, uuid, prio ? atoi(prio) : 3, value, p, end);
					s->quiet_until = now + (inhibit ? strtod(inhibit, NULL) : 3600);
				}
			}
		}
	}
	free(name), free(level_s), free(sense), free(prio), free(period), free(inhibit);
	free(fn), free(regex);
}

typedef struct conf_row {
	char uuid[40];
	char *xml;
} conf_row;

typedef struct conf_list {
	conf_row *v;
	size_t n;
	int f_uuid, f_oc;
} conf_list;

static int collect_conf(const char *ref, const xd_value *const *f, void *ud)
{
	(void)ref;
	conf_list *l = ud;
	const xd_value *oc = l->f_oc >= 0 ? f[l->f_oc] : NULL;
	const xd_value *pm = oc && oc->t == XD_V_STRUCT ? xd_struct_get(oc, "perfmon") : NULL;
	const xd_value *u = l->f_uuid >= 0 ? f[l->f_uuid] : NULL;
	if (!pm || pm->t != XD_V_STRING || !u || u->t != XD_V_STRING)
		return 0;
	conf_row *grown = realloc(l->v, (l->n + 1) * sizeof *grown);
	if (!grown)
		return 0;
	l->v = grown;
	snprintf(l->v[l->n].uuid, sizeof l->v[l->n].uuid, "%s", u->u.s);
	l->v[l->n++].xml = strdup(pm->u.s);
	return 0;
}

void xd_metrics_alarms_check(double now)
{
	static const struct { const char *cls, *kind; } kinds[] = {
		{ "VM", "vm" }, { "host", "host" }, { "SR", "sr" },
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		const xd_class *c = xd_dm_class(kinds[k].cls);
		conf_list l = { .f_uuid = xd_dm_field_index(c, "uuid"),
				.f_oc = xd_dm_field_index(c, "other_config") };
		xd_db_foreach(c, collect_conf, &l);
		for (size_t i = 0; i < l.n; i++) {
			/* messages name classes as xapi does: VM, Host, SR */
			const char *cls = !strcmp(kinds[k].kind, "host") ? "Host" : kinds[k].cls;
			const char *xml = l.v[i].xml;
			xd_mstore_lock();
			xd_mobj *o = xd_mstore_obj(kinds[k].kind, l.v[i].uuid, false);
			for (const char *p = strstr(xml, "<variable"); o && p;
			     p = strstr(p + 1, "<variable")) {
				const char *end = strstr(p, "</variable>");
				if (!end)
					break;
				end += strlen("</variable>");
				check_variable(o, cls, kinds[k].kind, l.v[i].uuid, p, end, now);
			}
			xd_mstore_unlock();
			free(l.v[i].xml);
		}
		free(l.v);
	}
	/* the db is written (and waited for) under no lock of ours */
	for (size_t i = 0; i < ndue; i++) {
		raise_alarm(due[i].cls, due[i].uuid, due[i].priority, due[i].value,
			    due[i].xml ? due[i].xml : "");
		free(due[i].xml);
	}
	free(due);
	due = NULL;
	ndue = 0;
}

void xd_metrics_alarms_free(void)
{
	free(states);
	states = NULL;
	nstates = 0;
}
