/* rbac_check.c - the permission check of every call and data path, and the
 * role mask of every live session (see rbac.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "dm_decl.h"
#include "log.h"
#include "rbac_int.h"

/* session ref -> role mask, open addressing with tombstones; a miss reads
 * the session's record (sessions survive restarts in the db). */
typedef struct mask_slot {
	char *ref;           /* NULL: empty; TOMBSTONE: removed */
	unsigned mask;
} mask_slot;

static char tombstone_mark;
#define TOMBSTONE (&tombstone_mark)

static mask_slot *slots;
static size_t nslots, nused; /* nused counts tombstones too */
static pthread_rwlock_t mu = PTHREAD_RWLOCK_INITIALIZER;

/* The slot of ref, or NULL. Caller holds mu. */
static mask_slot *slot_find(const char *ref)
{
	if (!slots)
		return NULL;
	for (size_t i = xd_rbac_hash(ref) & (nslots - 1);; i = (i + 1) & (nslots - 1)) {
		if (!slots[i].ref)
			return NULL;
		if (slots[i].ref != TOMBSTONE && strcmp(slots[i].ref, ref) == 0)
			return &slots[i];
	}
}

static void slot_put_nogrow(char *ref, unsigned mask)
{
	size_t i = xd_rbac_hash(ref) & (nslots - 1);
	while (slots[i].ref && slots[i].ref != TOMBSTONE)
		i = (i + 1) & (nslots - 1);
	if (!slots[i].ref)
		nused++;
	slots[i].ref = ref;
	slots[i].mask = mask;
}

/* Caller holds mu for writing. Rehashes (dropping tombstones) at 1/2 full. */
static void slot_put(const char *ref, unsigned mask)
{
	mask_slot *s = slot_find(ref);
	if (s) {
		s->mask = mask;
		return;
	}
	if ((nused + 1) * 2 > nslots) {
		mask_slot *old = slots;
		size_t oldn = nslots, live = 0;
		for (size_t i = 0; i < oldn; i++)
			live += old[i].ref && old[i].ref != TOMBSTONE;
		nslots = 256;
		while (nslots < (live + 1) * 4)
			nslots <<= 1;
		slots = calloc(nslots, sizeof *slots);
		if (!slots)
			abort();
		nused = 0;
		for (size_t i = 0; i < oldn; i++)
			if (old[i].ref && old[i].ref != TOMBSTONE)
				slot_put_nogrow(old[i].ref, old[i].mask);
		free(old);
	}
	char *copy = strdup(ref);
	if (!copy)
		abort();
	slot_put_nogrow(copy, mask);
}

void xd_rbac_session_set(const char *session, unsigned mask)
{
	pthread_rwlock_wrlock(&mu);
	slot_put(session, mask);
	pthread_rwlock_unlock(&mu);
}

static void session_gone(const char *session)
{
	pthread_rwlock_wrlock(&mu);
	mask_slot *s = slot_find(session);
	if (s) {
		free(s->ref);
		s->ref = TOMBSTONE;
	}
	pthread_rwlock_unlock(&mu);
}

/* A session made before this start: its mask from its record (superuser,
 * else its subject's roles now). false if the session is gone. */
static bool mask_from_db(const char *session, unsigned *out)
{
	const xd_class *sc = xd_dm_class("session"), *subj = xd_dm_class("subject");
	xd_value *su = xd_db_get_field(sc, session, xd_dm_field_index(sc, "is_local_superuser"));
	*out = 0;
	if (!su)
		return false;
	bool superuser = su->u.b;
	xd_value_free(su);
	if (superuser) {
		*out = XD_RBAC_SUPERUSER;
		return true;
	}
	xd_value *sref = xd_db_get_field(sc, session, xd_dm_field_index(sc, "subject"));
	xd_value *roles = sref ? xd_db_get_field(subj, sref->u.s, xd_dm_field_index(subj, "roles"))
			       : NULL;
	*out = xd_rbac_mask_of_refs(roles);
	xd_value_free(roles);
	xd_value_free(sref);
	return true;
}

unsigned xd_rbac_session_mask(const char *session)
{
	pthread_rwlock_rdlock(&mu);
	mask_slot *s = slot_find(session);
	bool found = s != NULL;
	unsigned mask = found ? s->mask : 0;
	pthread_rwlock_unlock(&mu);
	/* a session that ended meanwhile gets no entry (nothing would remove it) */
	if (!found && mask_from_db(session, &mask))
		xd_rbac_session_set(session, mask);
	return mask;
}

/* RBAC_PERMISSION_DENIED as upstream's Rbac.disallowed_permission_exn: the
 * roles named are those holding the permission, in the role table's order. */
static int denied(const xd_role *p, xd_error *err)
{
	char roles[512];
	size_t len = 0;
	roles[0] = 0;
	for (size_t i = 0; i < xd_decl_nroles; i++) {
		if (!(p->roles & (1u << i)))
			continue;
		int n = snprintf(roles + len, sizeof roles - len, "%s%s", len ? ", " : "",
				 xd_decl_roles[i].name);
		if (n > 0 && (size_t)n < sizeof roles - len)
			len += (size_t)n;
	}
	char msg[600];
	snprintf(msg, sizeof msg, "No permission in user session. (Roles with this permission: %s)",
		 roles);
	xd_debug("rbac: %s denied", p->name_label);
	return xd_error_set(err, "RBAC_PERMISSION_DENIED", p->name_label, msg, NULL);
}

static int check_mask(const xd_role *p, unsigned mask, xd_error *err)
{
	if (mask == XD_RBAC_SUPERUSER || (p->roles & mask))
		return 0;
	return denied(p, err);
}

int xd_rbac_check_call(const char *session, const xd_class *c, const xd_message *m,
		       xd_error *err)
{
	return check_mask(xd_rbac_permission_of(c, m), xd_rbac_session_mask(session), err);
}

int xd_rbac_check_http(const char *handler, unsigned mask, xd_error *err)
{
	const xd_role *p = xd_rbac_http_permission(handler);
	if (p)
		return check_mask(p, mask, err);
	/* a path nobody has mapped to upstream's actions yet (HTTP_ACTIONS in
	 * tools/dmgen.py): pool-admin's only, as upstream's default role */
	char name[128];
	snprintf(name, sizeof name, "http/%s", handler);
	xd_role unmapped = { .name_label = name, .role_bit = -1, .roles = 1u };
	if (mask != XD_RBAC_SUPERUSER)
		xd_warn("rbac: HTTP handler %s has no permission in the table: pool-admin only",
			handler);
	return check_mask(&unmapped, mask, err);
}

int xd_rbac_init(void)
{
	if (xd_rbac_build_table() < 0)
		return -1;
	xd_session_on_gone(session_gone);
	return 0;
}

void xd_rbac_register_api(void)
{
	xd_rbac_register_role_api();
	xd_rbac_register_subject_api();
	xd_rbac_register_auth_api();
}

void xd_rbac_shutdown(void)
{
	pthread_rwlock_wrlock(&mu);
	for (size_t i = 0; i < nslots; i++)
		if (slots[i].ref && slots[i].ref != TOMBSTONE)
			free(slots[i].ref);
	free(slots);
	slots = NULL;
	nslots = nused = 0;
	pthread_rwlock_unlock(&mu);
	xd_rbac_free_table();
}
