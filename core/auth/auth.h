/* auth.h - checking a user name and password: against a users file
 * (user:crypt-hash lines, for tests and containers) or PAM.
 * Owns: the loaded users file (re-read when it changes). */
#ifndef XD_AUTH_H
#define XD_AUTH_H

/* users_file NULL: PAM with the given service. */
int xd_auth_init(const char *users_file, const char *pam_service);
void xd_auth_shutdown(void);
/* 0 if the password is right; -1 with a short reason in why (static text). */
int xd_auth_check(const char *user, const char *password, const char **why);

#endif
