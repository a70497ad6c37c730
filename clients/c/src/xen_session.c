/* xen_session.c - the hand-written part of the SDK's API: sessions (login,
 * logout, the session class's few calls), event.from, versions, uuids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_internal.h"
#include "xen_gen_types.h"
#include <xen/api/xen_all.h>

void xen_init(void)
{
}

void xen_fini(void)
{
}

static const xen_member_ session_members[] = {
	{ "uuid", &xen_t_string_, offsetof(xen_session_record, uuid) },
	{ "this_host", &XEN_T_HOST_OPT_, offsetof(xen_session_record, this_host) },
	{ "this_user", &xen_t_string_, offsetof(xen_session_record, this_user) },
	{ "last_active", &xen_t_datetime_, offsetof(xen_session_record, last_active) },
};
static const xen_type_ session_record_t = {
	.kind = XK_RECORD, .size = sizeof(xen_session_record), .members = session_members,
	.nmembers = sizeof(session_members) / sizeof(session_members[0]),
};

xen_session_record *xen_session_record_alloc(void)
{
	return xen_zalloc_(sizeof(xen_session_record));
}

void xen_session_record_free(xen_session_record *record)
{
	xen_free_ptr_(&session_record_t, record);
}

static xen_session *new_session(xen_call_func call_func, void *handle, xen_api_version v)
{
	xen_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->call_func = call_func;
	s->handle = handle;
	s->ok = true;
	s->api_version = v;
	return s;
}

xen_session *xen_session_adopt_(xen_session *parent, char *id)
{
	xen_session *s = new_session(parent->call_func, parent->handle, parent->api_version);

	if (!s) {
		free(id);
		return NULL;
	}
	s->session_id = id;
	return s;
}

/* The host's API version, as the session's (unknown when it cannot be read). */
static void read_api_version(xen_session *s)
{
	xen_host host = NULL;
	int64_t major = 0, minor = 0;

	if (xen_session_get_this_host(s, &host, s) &&
	    xen_host_get_api_version_major(s, &major, host) &&
	    xen_host_get_api_version_minor(s, &minor, host))
		s->api_version = xen_api_version_from_int(major, minor);
	else
		s->api_version = xen_api_unknown_version;
	xen_host_free(host);
	/* Not being able to read it does not make the login fail. */
	xen_session_clear_error(s);
}

static xen_session *login(xen_call_func call_func, void *handle, const char *method,
			  const char *uname, const char *pwd, const char *version,
			  xen_api_version v)
{
	xen_session *s = new_session(call_func, handle, v);
	char *id = NULL;
	const xen_arg_ args[] = {
		{ &xen_t_string_, &uname },
		{ &xen_t_string_, &pwd },
		{ &xen_t_string_, &version },
	};

	if (!s)
		return NULL;
	if (xen_call_raw_(s, method, args, version ? 3 : 2, &xen_t_string_, &id)) {
		s->session_id = id;
		if (version)
			read_api_version(s);
	}
	return s;
}

xen_session *xen_session_login_with_password(xen_call_func call_func, void *handle,
					     const char *uname, const char *pwd,
					     xen_api_version version)
{
	return login(call_func, handle, "session.login_with_password", uname, pwd,
		     xen_api_version_to_string(version), version);
}

xen_session *xen_session_slave_local_login_with_password(xen_call_func call_func, void *handle,
							 const char *uname, const char *pwd)
{
	return login(call_func, handle, "session.slave_local_login_with_password", uname, pwd,
		     NULL, xen_api_unknown_version);
}

void xen_session_clear_error(xen_session *s)
{
	int i;

	for (i = 0; i < s->error_description_count; i++)
		free(s->error_description[i]);
	free(s->error_description);
	s->error_description = NULL;
	s->error_description_count = 0;
	s->ok = true;
}

static void end_session(xen_session *s, const char *method)
{
	if (!s)
		return;
	if (s->session_id)
		xen_call_(s, method, NULL, 0, NULL, NULL);
	xen_session_clear_error(s);
	free((char *)s->session_id);
	free(s);
}

void xen_session_logout(xen_session *session)
{
	end_session(session, "session.logout");
}

void xen_session_local_logout(xen_session *session)
{
	end_session(session, "session.local_logout");
}

bool xen_session_logout_subject_identifier(xen_session *session, const char *subject_identifier)
{
	const xen_arg_ args[] = { { &xen_t_string_, &subject_identifier } };

	return xen_call_(session, "session.logout_subject_identifier", args, 1, NULL, NULL);
}

bool xen_session_logout_subject_identifier_async(xen_session *session, xen_task *result,
						 const char *subject_identifier)
{
	const xen_arg_ args[] = { { &xen_t_string_, &subject_identifier } };

	*result = NULL;
	return xen_call_(session, "Async.session.logout_subject_identifier", args, 1,
			 &xen_t_string_, result);
}

bool xen_session_get_all_subject_identifiers(xen_session *session, struct xen_string_set **result)
{
	*result = NULL;
	return xen_call_(session, "session.get_all_subject_identifiers", NULL, 0,
			 &xen_t_string_set_, result);
}

bool xen_session_get_all_subject_identifiers_async(xen_session *session, xen_task *result)
{
	*result = NULL;
	return xen_call_(session, "Async.session.get_all_subject_identifiers", NULL, 0,
			 &xen_t_string_, result);
}

/* session.get_<field>(self): the session asked about is self_session. */
static bool self_call(xen_session *s, const char *method, const xen_type_ *rt, void *result,
		      xen_session *self)
{
	const xen_arg_ args[] = { { &xen_t_string_, &self->session_id } };

	return xen_call_(s, method, args, 1, rt, result);
}

bool xen_session_get_uuid(xen_session *session, char **result, xen_session *self_session)
{
	*result = NULL;
	return self_call(session, "session.get_uuid", &xen_t_string_, result, self_session);
}

bool xen_session_get_this_host(xen_session *session, xen_host *result, xen_session *self_session)
{
	*result = NULL;
	return self_call(session, "session.get_this_host", &xen_t_string_, result, self_session);
}

bool xen_session_get_this_user(xen_session *session, char **result, xen_session *self_session)
{
	*result = NULL;
	return self_call(session, "session.get_this_user", &xen_t_string_, result, self_session);
}

bool xen_session_get_last_active(xen_session *session, time_t *result, xen_session *self_session)
{
	return self_call(session, "session.get_last_active", &xen_t_datetime_, result, self_session);
}

bool xen_session_get_record(xen_session *session, xen_session_record **result,
			    xen_session *self_session)
{
	*result = NULL;
	return self_call(session, "session.get_record", &session_record_t, result, self_session);
}

/* ---- event.from ---- */

static const xen_member_ batch_members[] = {
	{ "events", &xt_recset_event, offsetof(xen_event_batch, events) },
	{ "valid_ref_counts", &XEN_T_STRING_INT_MAP_, offsetof(xen_event_batch, valid_ref_counts) },
	{ "token", &xen_t_string_, offsetof(xen_event_batch, token) },
};
static const xen_type_ batch_t = {
	.kind = XK_RECORD, .size = sizeof(xen_event_batch), .members = batch_members,
	.nmembers = sizeof(batch_members) / sizeof(batch_members[0]),
};

void xen_event_batch_free(xen_event_batch *batch)
{
	xen_free_ptr_(&batch_t, batch);
}

bool xen_event_from(xen_session *session, struct xen_event_batch **result,
		    struct xen_string_set *classes, char *token, double timeout)
{
	const xen_arg_ args[] = {
		{ &xen_t_string_set_, &classes },
		{ &xen_t_string_, &token },
		{ &xen_t_float_, &timeout },
	};

	*result = NULL;
	return xen_call_(session, "event.from", args, 3, &batch_t, result);
}

/* ---- versions and uuids ---- */

void xen_version_free(xen_version *version)
{
	if (version)
		free(version->extraversion);
	free(version);
}

xen_version *xen_get_client_side_version(void)
{
	xen_version *v = calloc(1, sizeof(*v));
	const char *s = xen_api_version_to_string(xen_api_latest_version);

	if (!v)
		return NULL;
	sscanf(s, "%d.%d", &v->major, &v->minor);
	v->patch = 0;
	v->extraversion = xen_strdup_("xapi-c");
	return v;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" <-> 16 bytes. */
bool xen_uuid_string_to_bytes(char *uuid, char **bytes)
{
	unsigned char *out;
	int i = 0;

	*bytes = NULL;
	if (!uuid || strlen(uuid) != 36 || !(out = malloc(16)))
		return false;
	for (const char *p = uuid; *p; p++) {
		int hi, lo;

		if (*p == '-')
			continue;
		if (i == 16 || (hi = hexval(p[0])) < 0 || (lo = hexval(p[1])) < 0) {
			free(out);
			return false;
		}
		out[i++] = (unsigned char)(hi << 4 | lo);
		p++;
	}
	if (i != 16) {
		free(out);
		return false;
	}
	*bytes = (char *)out;
	return true;
}

bool xen_uuid_bytes_to_string(char *bytes, char **uuid)
{
	const unsigned char *b = (const unsigned char *)bytes;

	*uuid = malloc(37);
	if (!*uuid)
		return false;
	snprintf(*uuid, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return true;
}

void xen_uuid_free(char *uuid)
{
	free(uuid);
}

void xen_uuid_bytes_free(char *bytes)
{
	free(bytes);
}
