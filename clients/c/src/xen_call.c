/* xen_call.c - one XenAPI call over the caller's xen_call_func: the request
 * written, the response gathered through the result callback, its Status
 * read, and the Value parsed into the result slot or the ErrorDescription
 * into the session. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen_parse.h"

static void set_error(xen_session *s, char **strings, int n)
{
	int i;

	for (i = 0; i < s->error_description_count; i++)
		free(s->error_description[i]);
	free(s->error_description);
	s->ok = false;
	s->error_description = strings;
	s->error_description_count = n;
}

/* Fails the session with code and an optional parameter. An earlier error
 * stays: the first cause is the one worth reporting. */
void xen_session_fail_(xen_session *s, const char *code, const char *param)
{
	char **strings;
	int n = param ? 2 : 1;

	if (!s->ok)
		return;
	strings = calloc(2, sizeof(char *));
	if (!strings) {
		s->ok = false; /* no memory even to say so */
		return;
	}
	strings[0] = xen_strdup_(code);
	strings[1] = param ? xen_strdup_(param) : NULL;
	set_error(s, strings, n);
}

static bool gather(const void *data, size_t len, void *handle)
{
	xen_buf_ *b = handle;

	xen_buf_put(b, data, len);
	return !b->oom;
}

/* ErrorDescription's array of strings into the session. */
static void read_failure(xen_session *s, xen_xr *r)
{
	xen_string_set *set = NULL;
	char **strings;
	size_t i;

	if (!xen_parse_value_(r, &xen_t_string_set_, &set) || !set || set->size == 0) {
		xen_string_set_free(set);
		xen_session_fail_(s, "SERVER_FAULT", "malformed ErrorDescription");
		return;
	}
	strings = calloc(set->size, sizeof(char *));
	if (!strings) {
		xen_string_set_free(set);
		xen_session_fail_(s, "SERVER_FAULT", "out of memory");
		return;
	}
	for (i = 0; i < set->size; i++) {
		strings[i] = set->contents[i];
		set->contents[i] = NULL;
	}
	set_error(s, strings, (int)set->size);
	xen_string_set_free(set);
}

/* A <fault> (the server refused the XML-RPC itself): FAULT, code, string. */
static void read_fault(xen_session *s, xen_xr *r)
{
	static const xen_member_ members[] = {
		{ "faultCode", &xen_t_string_, 0 },
		{ "faultString", &xen_t_string_, sizeof(char *) },
	};
	static const xen_type_ fault = { .kind = XK_RECORD, .size = 2 * sizeof(char *),
					 .members = members, .nmembers = 2 };
	char **f = NULL, **strings;

	if (!xen_parse_value_(r, &fault, &f) || !f) {
		xen_free_ptr_(&fault, f);
		xen_session_fail_(s, "SERVER_FAULT", "malformed fault");
		return;
	}
	strings = calloc(3, sizeof(char *));
	if (!strings) {
		xen_free_ptr_(&fault, f);
		xen_session_fail_(s, "SERVER_FAULT", "out of memory");
		return;
	}
	strings[0] = xen_strdup_("FAULT");
	strings[1] = f[0] ? f[0] : xen_strdup_("");
	strings[2] = f[1] ? f[1] : xen_strdup_("");
	free(f);
	set_error(s, strings, 3);
}

static bool text_is(xen_xr *r, const char *want)
{
	const char *t;
	size_t n;
	bool ok;

	if (xen_xr_open(r, "value") != 1)
		return false;
	xen_xr_text(r, &t, &n);
	if (xen_xr_open(r, "string") == 1) {
		xen_xr_text(r, &t, &n);
		ok = n == strlen(want) && !memcmp(t, want, n);
		return xen_xr_close(r, "string") && xen_xr_close(r, "value") && ok;
	}
	ok = n == strlen(want) && !memcmp(t, want, n);
	return xen_xr_close(r, "value") && ok;
}

/* The response body: {Status, Value | ErrorDescription} in either order. */
static void read_response(xen_session *s, const char *body, size_t len, const xen_type_ *rt,
			  void *result)
{
	xen_xr r;
	int status = -1; /* 1 success, 0 failure */
	bool have_value = false, have_error = false;

	xen_xr_init(&r, body, len);
	xen_xr_misc(&r);
	if (xen_xr_open(&r, "methodResponse") != 1) {
		xen_session_fail_(s, "SERVER_FAULT", "not an XML-RPC response");
		return;
	}
	if (xen_xr_open(&r, "fault") == 1) {
		read_fault(s, &r);
		return;
	}
	if (xen_xr_open(&r, "params") != 1 || xen_xr_open(&r, "param") != 1 ||
	    xen_xr_open(&r, "value") != 1 || xen_xr_open(&r, "struct") != 1) {
		xen_session_fail_(s, "SERVER_FAULT", "response is neither a result nor a fault");
		return;
	}
	while (!r.err && xen_xr_open(&r, "member") == 1) {
		const char *n;
		size_t nl;

		if (xen_xr_open(&r, "name") != 1)
			break;
		xen_xr_text(&r, &n, &nl);
		xen_xr_close(&r, "name");
		if (nl == 6 && !memcmp(n, "Status", 6)) {
			xen_xr r2 = r;

			status = text_is(&r, "Success") ? 1 : 0;
			if (!status) {
				r = r2;
				if (!text_is(&r, "Failure"))
					break;
			}
		} else if (nl == 5 && !memcmp(n, "Value", 5)) {
			have_value = true;
			if (rt) {
				if (!xen_parse_value_(&r, rt, result))
					break;
			} else if (!xen_xr_skip(&r)) {
				break;
			}
		} else if (nl == 16 && !memcmp(n, "ErrorDescription", 16)) {
			have_error = true;
			read_failure(s, &r);
		} else if (!xen_xr_skip(&r)) {
			break;
		}
		xen_xr_close(&r, "member");
	}
	if (r.err) {
		xen_session_fail_(s, "SERVER_FAULT", r.err);
	} else if (status == 1 && !have_value && rt) {
		xen_session_fail_(s, "SERVER_FAULT", "response has no Value");
	} else if (status == 0 && !have_error) {
		xen_session_fail_(s, "SERVER_FAULT", "failure without ErrorDescription");
	} else if (status < 0) {
		xen_session_fail_(s, "SERVER_FAULT", "response does not have a Status");
	}
}

bool xen_call_raw_(xen_session *s, const char *method, const xen_arg_ *args, size_t nargs,
		   const xen_type_ *rt, void *result)
{
	xen_buf_ req = { 0 }, resp = { 0 };
	int rc;

	if (!s->ok)
		return false;
	xen_write_call_(&req, method, args, nargs);
	if (req.oom) {
		free(req.s);
		xen_session_fail_(s, "SERVER_FAULT", "out of memory");
		return false;
	}
	rc = s->call_func(req.s, req.len, s->handle, &resp, gather);
	free(req.s);
	if (rc != 0) {
		char code[24];

		snprintf(code, sizeof(code), "%d", rc);
		xen_session_fail_(s, "TRANSPORT_FAULT", code);
	} else if (resp.oom) {
		xen_session_fail_(s, "SERVER_FAULT", "out of memory");
	} else if (!resp.s) {
		xen_session_fail_(s, "SERVER_FAULT", "empty response");
	} else {
		read_response(s, resp.s, resp.len, rt, result);
	}
	free(resp.s);
	if (!s->ok && rt && result) {
		/* Half-parsed results are not the caller's to free. */
		if (rt->kind == XK_STRING || rt->kind == XK_SET || rt->kind == XK_MAP ||
		    rt->kind == XK_RECORD || rt->kind == XK_REF_OPT) {
			xen_free_slot_(rt, result);
			*(void **)result = NULL;
		}
	}
	return s->ok;
}

bool xen_call_(xen_session *s, const char *method, const xen_arg_ *args, size_t nargs,
	       const xen_type_ *rt, void *result)
{
	xen_arg_ stack[16], *all = stack;
	bool ok;

	if (!s->ok)
		return false;
	if (nargs + 1 > sizeof(stack) / sizeof(stack[0]) &&
	    !(all = malloc((nargs + 1) * sizeof(*all)))) {
		xen_session_fail_(s, "SERVER_FAULT", "out of memory");
		return false;
	}
	all[0].type = &xen_t_string_;
	all[0].slot = &s->session_id;
	if (nargs)
		memcpy(all + 1, args, nargs * sizeof(*all));
	ok = xen_call_raw_(s, method, all, nargs + 1, rt, result);
	if (all != stack)
		free(all);
	return ok;
}
