/* xe_client.c - session, calls, errors and the ref cache of xe (see xe_client.h). */
#include "xe_client.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xe_util.h"

void xe_client_init(xe_client *x, xe_conn *conn)
{
	memset(x, 0, sizeof(*x));
	x->conn = conn;
}

void xe_client_clear(xe_client *x)
{
	for (size_t i = 0; i < x->nrefs; i++) {
		free(x->refs[i].ref);
		free(x->refs[i].uuid);
		free(x->refs[i].name);
	}
	free(x->refs);
	free(x->hidx);
	free(x->session);
	xe_conn_free(x->conn);
	memset(x, 0, sizeof(*x));
}

xd_value *xe_strings(size_t n, ...)
{
	xd_value *a = xd_array();
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		xd_array_append_take(a, xd_string(va_arg(ap, const char *)));
	va_end(ap);
	return a;
}

/* Our own wording for the errors people meet most; the code and its
 * parameters always follow. */
static const struct {
	const char *code;
	const char *text;
} known_errors[] = {
	{ "UUID_INVALID", "There is no object with the uuid you supplied." },
	{ "HANDLE_INVALID", "The object you referred to does not exist (any more)." },
	{ "SESSION_AUTHENTICATION_FAILED", "Authentication failed." },
	{ "SESSION_INVALID", "The session is not valid (any more)." },
	{ "MESSAGE_METHOD_UNKNOWN", "The server does not know that method." },
	{ "MESSAGE_PARAMETER_COUNT_MISMATCH", "Wrong number of parameters for that method." },
	{ "FIELD_TYPE_ERROR", "A parameter has the wrong type." },
	{ "INVALID_VALUE", "A parameter has a value that is not allowed." },
	{ "MAP_DUPLICATE_KEY", "The map already has that key." },
	{ "PERMISSION_DENIED", "You are not allowed to do that." },
	{ "RBAC_PERMISSION_DENIED", "You are not allowed to do that." },
	{ "VM_BAD_POWER_STATE", "The VM is not in a power state that allows this." },
	{ "OPERATION_NOT_ALLOWED", "That operation is not allowed now." },
	{ "INTERNAL_ERROR", "The server failed to handle the request (internal error)." },
};

void xe_print_error(const xd_error *err)
{
	const char *code = err->code ? err->code : "INTERNAL_ERROR";

	for (size_t i = 0; i < sizeof(known_errors) / sizeof(known_errors[0]); i++)
		if (strcmp(code, known_errors[i].code) == 0)
			fprintf(stderr, "%s\n", known_errors[i].text);
	fprintf(stderr, "Error code: %s\n", code);
	fprintf(stderr, "Error parameters: ");
	for (size_t i = 0; i < err->nparams; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", err->params[i]);
	fprintf(stderr, "\n");
}

void xe_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

xd_value *xe_client_call_raw(xe_client *x, const char *method, xd_value *params, xd_error *err)
{
	xd_value *res = NULL;
	int rc;

	if (x->broken) {
		xd_value_free(params);
		return NULL;
	}
	rc = xe_conn_call(x->conn, method, params, &res, err);
	if (rc == -2) {
		fprintf(stderr, "%s\n", xe_conn_error(x->conn));
		x->broken = true;
	}
	return rc == 0 ? res : NULL;
}

xd_value *xe_client_try(xe_client *x, const char *method, xd_value *args, xd_error *err)
{
	xd_value *params = xd_array();

	xd_array_append_take(params, xd_string(x->session));
	if (args) {
		/* Move the items over: the array shell is freed, its items kept. */
		for (size_t i = 0; i < args->u.arr.n; i++)
			xd_array_append_take(params, args->u.arr.items[i]);
		args->u.arr.n = 0;
		xd_value_free(args);
	}
	return xe_client_call_raw(x, method, params, err);
}

xd_value *xe_client_call(xe_client *x, const char *method, xd_value *args)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *r = xe_client_try(x, method, args, &err);

	if (!r && xd_error_is_set(&err))
		xe_print_error(&err);
	xd_error_clear(&err);
	return r;
}

int xe_client_login(xe_client *x, const char *user, const char *pw)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *r = xe_client_call_raw(x, "session.login_with_password",
					 xe_strings(4, user, pw, "2.23", "xe"), &err);
	int rc = -1;

	if (!r) {
		if (xd_error_is_set(&err)) {
			if (strcmp(err.code, "SESSION_AUTHENTICATION_FAILED") == 0 && !*user)
				fprintf(stderr, "Username/password must be specified\n");
			xe_print_error(&err);
		}
		goto out;
	}
	if (r->t != XD_V_STRING) {
		fprintf(stderr, "Error: the server's login reply carries no session\n");
		goto out;
	}
	x->session = xe_strdup(r->u.s);
	rc = 0;
out:
	xd_value_free(r);
	xd_error_clear(&err);
	return rc;
}

void xe_client_logout(xe_client *x)
{
	xd_error err = XD_ERROR_INIT;
	xd_value *r;

	if (!x->session || x->broken)
		return;
	r = xe_client_call_raw(x, "session.logout", xe_strings(1, x->session), &err);
	xd_value_free(r);
	xd_error_clear(&err);
	free(x->session);
	x->session = NULL;
}

/* ---- ref cache ---- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The index is an open-addressing table of (entry number + 1), sized to a
 * power of two at least twice the number of entries. */
static void index_insert(xe_client *x, size_t entry)
{
	size_t mask = x->hcap - 1;
	size_t i = (size_t)hash_str(x->refs[entry].ref) & mask;

	while (x->hidx[i])
		i = (i + 1) & mask;
	x->hidx[i] = entry + 1;
}

static xe_refinfo *cache_find(xe_client *x, const char *ref)
{
	size_t mask, i;

	if (!x->hcap)
		return NULL;
	mask = x->hcap - 1;
	for (i = (size_t)hash_str(ref) & mask; x->hidx[i]; i = (i + 1) & mask)
		if (strcmp(x->refs[x->hidx[i] - 1].ref, ref) == 0)
			return &x->refs[x->hidx[i] - 1];
	return NULL;
}

static xe_refinfo *cache_add(xe_client *x, const char *ref)
{
	xe_refinfo *e;

	if (x->nrefs == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 64;
		xe_refinfo *n = xe_realloc(x->refs, ncap * sizeof(*n));

		x->refs = n;
		x->cap = ncap;
	}
	e = &x->refs[x->nrefs++];
	memset(e, 0, sizeof(*e));
	e->ref = xe_strdup(ref);
	if (x->nrefs * 2 > x->hcap) {
		free(x->hidx);
		x->hcap = x->hcap ? x->hcap * 2 : 128;
		while (x->hcap < x->nrefs * 2)
			x->hcap *= 2;
		x->hidx = xe_calloc(x->hcap, sizeof(*x->hidx));
		for (size_t i = 0; i < x->nrefs; i++)
			index_insert(x, i);
	} else {
		index_insert(x, x->nrefs - 1);
	}
	return e;
}

void xe_client_ref_learn(xe_client *x, const char *ref, const char *uuid, const char *name)
{
	xe_refinfo *e = cache_find(x, ref);

	if (!e)
		e = cache_add(x, ref);
	if (uuid && !e->uuid)
		e->uuid = xe_strdup(uuid);
	if (name && !e->name_done) {
		e->name = xe_strdup(name);
		e->name_done = true;
	}
}

/* <cls>.<getter>(ref) as a string, or NULL. */
static char *get_string(xe_client *x, const char *cls, const char *getter, const char *ref)
{
	xd_error err = XD_ERROR_INIT;
	char method[256];
	xd_value *r;
	char *s = NULL;

	snprintf(method, sizeof(method), "%s.%s", cls, getter);
	r = xe_client_try(x, method, xe_strings(1, ref), &err);
	if (r && r->t == XD_V_STRING)
		s = xe_strdup(r->u.s);
	xd_value_free(r);
	xd_error_clear(&err);
	return s;
}

const char *xe_client_ref_uuid(xe_client *x, const char *cls, const char *ref)
{
	xe_refinfo *e = cache_find(x, ref);

	if (e && e->uuid)
		return e->uuid;
	if (!e)
		e = cache_add(x, ref);
	e->uuid = get_string(x, cls, "get_uuid", ref);
	return e->uuid;
}

const char *xe_client_ref_name(xe_client *x, const char *cls, const char *ref)
{
	xe_refinfo *e = cache_find(x, ref);

	if (e && e->name_done)
		return e->name;
	if (!e)
		e = cache_add(x, ref);
	e->name = get_string(x, cls, "get_name_label", ref);
	e->name_done = true;
	return e->name;
}

const char *xe_client_resolve(void *ud, const char *cls, const char *ref)
{
	return xe_client_ref_uuid(ud, cls, ref);
}

char *xe_client_ref_by_uuid(xe_client *x, const char *cls, const char *uuid)
{
	char method[256];
	xd_value *r;
	char *ref = NULL;

	snprintf(method, sizeof(method), "%s.get_by_uuid", cls);
	r = xe_client_call(x, method, xe_strings(1, uuid));
	if (r && r->t == XD_V_STRING) {
		ref = xe_strdup(r->u.s);
		xe_client_ref_learn(x, ref, uuid, NULL);
	} else if (r) {
		xe_fail("the server's get_by_uuid reply is not a ref");
	}
	xd_value_free(r);
	return ref;
}

int xe_client_call_ok(xe_client *x, const char *method, xd_value *args)
{
	xd_value *r = xe_client_call(x, method, args);

	xd_value_free(r);
	return r ? 0 : -1;
}
