/* auth_http.c - the credentials of a request to an HTTP data path
 * (/import_raw_vdi, /export_raw_vdi, /export, /import, /rrd_updates,
 * /host_rrd...), as xapi's: session_id in the query, or HTTP Basic auth
 * (user:password), or none over the unix socket as root. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/http.h"
#include "log.h"
#include "rbac/rbac.h"
#include "session.h"
#include "wire.h"

void xd_http_cred_clear(xd_http_cred *c)
{
	free(c->session);
	free(c->user);
	free(c->password);
	xd_error_clear(&c->denied);
	memset(c, 0, sizeof *c);
}

/* "Basic <base64 user:password>" decoded (heap), or NULL. */
static char *basic_credentials(const char *auth)
{
	if (!auth || strncasecmp(auth, "Basic ", 6) != 0)
		return NULL;
	xd_value *v = xd_base64_decode(auth + 6);
	char *out = v && v->u.s && strchr(v->u.s, ':') ? strdup(v->u.s) : NULL;
	xd_value_free(v);
	return out;
}

/* The role mask of Basic credentials that passed: the superuser's, or the
 * user's subject's (0: not a subject, refused as its login would be). */
static unsigned basic_mask(const char *user)
{
	char *sref = NULL;
	unsigned mask = 0;
	if (xd_auth_is_root(user))
		return XD_RBAC_SUPERUSER;
	if (xd_rbac_subject_of_user(user, &sref, &mask) < 0)
		return 0;
	free(sref);
	return mask;
}

static int credentials(const char *query, const char *authorization, const xd_peer *peer,
		       const char *what, xd_http_cred *out, unsigned *mask)
{
	xd_error err = XD_ERROR_INIT;
	out->session = xd_http_query_get(query, "session_id");
	if (out->session) {
		if (xd_session_check(out->session, &err) == 0) {
			*mask = xd_rbac_session_mask(out->session);
			return 0;
		}
		xd_error_clear(&err);
		return -1;
	}
	char *cred = basic_credentials(authorization);
	if (cred) {
		char *colon = strchr(cred, ':');
		const char *why = NULL;
		*colon = 0;
		/* xd_auth_login: failed logins from one address are throttled on
		 * every data path as on session.login_with_password */
		int ok = xd_auth_login(cred, colon + 1, peer ? peer->addr_host : "", &why) == 0;
		if (ok && !(*mask = basic_mask(cred))) {
			ok = 0;
			why = "not a subject with a role";
		}
		if (ok) {
			out->user = strdup(cred);
			out->password = strdup(colon + 1);
		} else {
			xd_info("%s: Basic auth of '%s' refused: %s", what, cred, why ? why : "?");
		}
		free(cred);
		return ok ? 0 : -1;
	}
	/* the local socket as root: no credentials, as xapi */
	*mask = XD_RBAC_SUPERUSER;
	return peer && peer->is_unix && peer->uid == 0 ? 0 : -1;
}

int xd_auth_http(const char *query, const char *authorization, const xd_peer *peer,
		 const char *what, xd_http_cred *out)
{
	unsigned mask = 0;
	memset(out, 0, sizeof *out);
	if (credentials(query, authorization, peer, what, out, &mask) < 0) {
		xd_http_cred_clear(out);
		return -1;
	}
	if (xd_rbac_check_http(what, mask, &out->denied) < 0) {
		xd_info("%s: %s", what, out->denied.code);
		return -2;
	}
	return 0;
}
