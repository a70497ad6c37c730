/* xreq.h - what the HTTP data paths (/import_raw_vdi, /export_raw_vdi,
 * /export, /import, /export_metadata) share, as xapi's Xapi_http does it
 * for them: the credentials (session_id, HTTP Basic auth, or root over the
 * unix socket; else 401 with WWW-Authenticate), the refusal of query
 * parameters the handler does not read, the task (task_id's, or one made
 * for the transfer) and the error answers (the XenAPI error as a text
 * body; the task fails with it). Private to api/.
 *
 * Owns: the strings in xd_xreq (xd_xreq_clear frees them, and logs out a
 * session made for the transfer).
 */
#ifndef XD_XREQ_H
#define XD_XREQ_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "http/http.h"

typedef struct xd_xreq {
	const xd_http_request *req;
	bool upload;        /* the client sends a body (what is left is drained) */
	const char *name;   /* for logs: "import_raw_vdi" ... */
	const char *realm;  /* for WWW-Authenticate: "VDI.import" ... */
	char *task;         /* the task progress and the result go to */
	bool own_task;      /* made here (else the client's task_id) */
	char *session;      /* the session given, if any */
	bool own_session;   /* made here by xd_xreq_session (logged out at the end) */
	char *user, *password; /* HTTP Basic credentials that were accepted */
	bool answered;      /* an HTTP answer went out */
	int64_t consumed;   /* body bytes read so far */
} xd_xreq;

void xd_xreq_init(xd_xreq *t, const xd_http_request *req, bool upload, const char *name,
		  const char *realm);
void xd_xreq_clear(xd_xreq *t);

/* The HTTP status a XenAPI error is answered with. */
int xd_xreq_status_of(const xd_error *err);
/* Answers status with the error as text (if no answer went out yet; then
 * drains what the client still sends for a while) and fails the task. */
void xd_xreq_fail(xd_xreq *t, int status, const xd_error *err);
void xd_xreq_fail_code(xd_xreq *t, int status, const char *code, const char *param);

/* After an answer to a PUT whose body was not all read: stops sending and
 * reads and drops what the client still sends for a while (at most 64 MiB
 * or 2 s), so that closing does not reset the connection before the
 * client read the answer. */
void xd_xreq_drain(xd_xreq *t);

/* 0 if the request may go on; else answered 401. */
int xd_xreq_check_credentials(xd_xreq *t);
/* 0 if every query parameter is in known (NULL-terminated; an entry ending
 * in ":" takes every <entry><key>, a map as xapi sends it); else 400
 * INTERNAL_ERROR ["Unknown parameter <name>"]. */
int xd_xreq_check_params(xd_xreq *t, const char *const *known);
/* task_id's task, if it names one, before anything else is checked (what
 * goes wrong from there on fails it, as xapi). */
void xd_xreq_given_task(xd_xreq *t);
/* task_id's task, or a new one named label; else answered. */
int xd_xreq_take_task(xd_xreq *t, const char *label);
/* A session to make API calls with for the client: its session_id, or one
 * logged in with its Basic credentials (or as root over the unix socket).
 * NULL with err if none can be had. */
const char *xd_xreq_session(xd_xreq *t, xd_error *err);

int xd_xreq_send_all(int fd, const char *p, size_t len);

#endif
