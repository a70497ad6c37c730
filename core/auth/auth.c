/* auth.c - user name + password checks (see session.h, "Passwords"). */
#define _GNU_SOURCE
#include "session.h"

#include <crypt.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <pthread.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static char *users_path;
static char *pam_service;

int xd_auth_init(const char *users_file, const char *service)
{
	free(users_path);
	free(pam_service);
	users_path = users_file ? strdup(users_file) : NULL;
	/* Without /etc/pam.d/xapi-c, PAM itself falls back to the system's
	 * "other" stack (common-auth and common-account on Debian). */
	pam_service = strdup(service ? service : "xapi-c");
	if (users_path && access(users_path, R_OK) != 0) {
		xd_err("users file %s cannot be read: %s", users_path, strerror(errno));
		return -1;
	}
	return 0;
}

void xd_auth_shutdown(void)
{
	free(users_path);
	free(pam_service);
	users_path = pam_service = NULL;
}

/* The file is read on every login: logins are rare and an operator's edit
 * takes effect at once. */
static int check_users_file(const char *user, const char *password, const char **why)
{
	FILE *f = fopen(users_path, "r");
	if (!f) {
		*why = "the users file cannot be read";
		return -1;
	}
	char line[1024];
	int rc = -1;
	*why = "Authentication failure";
	size_t ul = strlen(user);
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '#' || strncmp(line, user, ul) != 0 || line[ul] != ':')
			continue;
		const char *hash = line + ul + 1;
		struct crypt_data cd;
		memset(&cd, 0, sizeof cd);
		const char *got = crypt_r(password, hash, &cd);
		if (got && got[0] != '*' && strcmp(got, hash) == 0)
			rc = 0;
		break;
	}
	fclose(f);
	return rc;
}

/* PAM conversation: answers every password prompt with the password. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup((const char *)ud);
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int check_pam(const char *user, const char *password, const char **why)
{
	struct pam_conv pc = { conv, (void *)password };
	pam_handle_t *ph = NULL;
	int rc = pam_start(pam_service, user, &pc, &ph);
	if (rc == PAM_SUCCESS)
		rc = pam_authenticate(ph, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS)
		rc = pam_acct_mgmt(ph, PAM_SILENT);
	if (ph)
		pam_end(ph, rc);
	if (rc != PAM_SUCCESS) {
		*why = "Authentication failure";
		return -1;
	}
	return 0;
}

int xd_auth_login(const char *user, const char *password, const char *addr, const char **why)
{
	if (xd_login_throttle_wait(user, addr) < 0) {
		*why = "Authentication failure";
		return -1;
	}
	int rc = xd_auth_check(user, password, why);
	xd_login_throttle_result(user, addr, rc == 0);
	return rc;
}

int xd_auth_check(const char *user, const char *password, const char **why)
{
	if (!user || !*user) {
		*why = "Authentication failure";
		return -1;
	}
	return users_path ? check_users_file(user, password, why) : check_pam(user, password, why);
}

bool xd_auth_is_root(const char *user)
{
	return !user || !*user || strcmp(user, "root") == 0;
}

/* The users file's line for user exists (its hash is not looked at). */
static bool in_users_file(const char *user)
{
	FILE *f = fopen(users_path, "r");
	if (!f)
		return false;
	char line[1024];
	size_t ul = strlen(user);
	bool found = false;
	while (!found && fgets(line, sizeof line, f))
		found = line[0] != '#' && strncmp(line, user, ul) == 0 && line[ul] == ':';
	fclose(f);
	return found;
}

static void put(xd_value *m, const char *k, const char *v)
{
	xd_struct_set_take(m, k, xd_string(v));
}

xd_value *xd_auth_user_info(const char *user)
{
	if (!user || !*user || strchr(user, ':') || strchr(user, '\n'))
		return NULL;
	xd_value *m = xd_struct();
	if (users_path) {
		if (!in_users_file(user)) {
			xd_value_free(m);
			return NULL;
		}
		put(m, "subject-name", user);
	} else {
		struct passwd pw, *res = NULL;
		char buf[4096], num[32];
		if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || !res) {
			xd_value_free(m);
			return NULL;
		}
		put(m, "subject-name", pw.pw_name);
		snprintf(num, sizeof num, "%u", (unsigned)pw.pw_uid);
		put(m, "subject-uid", num);
		snprintf(num, sizeof num, "%u", (unsigned)pw.pw_gid);
		put(m, "subject-gid", num);
		put(m, "subject-gecos", pw.pw_gecos ? pw.pw_gecos : "");
	}
	put(m, "subject-is-group", "false");
	put(m, "subject-account-disabled", "false");
	return m;
}

xd_value *xd_auth_user_groups(const char *user)
{
	xd_value *info = xd_auth_user_info(user);
	if (!info)
		return NULL;
	xd_value_free(info);
	xd_value *set = xd_array();
	if (users_path)
		return set;
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(user, &pw, buf, sizeof buf, &res) != 0 || !res)
		return set;
	gid_t groups[256];
	int n = 256;
	if (getgrouplist(user, pw.pw_gid, groups, &n) < 0)
		n = 256; /* more than fit: the first ones */
	for (int i = 0; i < n; i++) {
		struct group gr, *gres = NULL;
		char gbuf[4096];
		if (getgrgid_r(groups[i], &gr, gbuf, sizeof gbuf, &gres) == 0 && gres)
			xd_array_append_take(set, xd_string(gr.gr_name));
	}
	return set;
}
