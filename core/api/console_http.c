/* console_http.c - a client's connection to a VM's console, as xapi's
 * console.ml (what XenCenter, Xen Orchestra and `xe console` open):
 *
 *   CONNECT /console?ref=<console ref | VM ref>   (or uuid=<console | VM uuid>)
 *
 * with the credentials of the other data paths (api_http.h). A VM names its
 * rfb console, or its only one (xapi takes rfb only: a PV guest's vt100
 * console could not be had through its VM). The VM must be running on this
 * host. The answer is "200 OK" and from then on the connection carries the
 * console's bytes both ways: a PV text console (vt100: the domain's pty
 * from the backend) or RFB (a VNC server on the loopback), read afresh
 * from the backend at each connection. Refusals as xapi's: 401 without
 * credentials, 404 when the console has no address now, 500 for a missing
 * or unknown ref or a VM that is not running here; each with the reason
 * as a text body.
 *
 * Console.location, as xapi writes it, is the URL to CONNECT to:
 * http://<host address>[:port]/console?uuid=<console uuid> (http until
 * xapid serves TLS).
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api.h"
#include "api_http.h"
#include "auth/session.h"
#include "db/db.h"
#include "hv/hv.h"
#include "http/http.h"
#include "log.h"
#include "vm_int.h"

#define PROXY_POLL_MS 500   /* how soon a stopping daemon lets a console go */
#define PROXY_BUF 16384

char *xd_console_location(const char *console_uuid)
{
	const char *host = xd_this_host();
	xd_value *rec = host ? xd_db_get_record(xd_dm_class("host"), host) : NULL;
	const char *addr = rec ? xd_rec_str(rec, "address") : "";
	int port = xd_http_port();
	char *url = NULL;
	int n;

	if (!*addr)
		addr = "127.0.0.1";
	if (port == 80 || port <= 0) /* the scheme's own port is not written */
		n = asprintf(&url, "http://%s/console?uuid=%s", addr, console_uuid);
	else
		n = asprintf(&url, "http://%s:%d/console?uuid=%s", addr, port, console_uuid);
	if (n < 0)
		abort();
	xd_value_free(rec);
	return url;
}

/* ---- answers ---------------------------------------------------------------------- */

static void refuse(const xd_http_request *req, int status, const char *why)
{
	const char *reason = status == 401 ? "Unauthorised" : status == 404 ? "Not Found"
								: "Internal Server Error";
	char head[256];
	size_t blen = strlen(why);
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nContent-Type: text/plain\r\n"
			 "%sConnection: close\r\n\r\n",
			 status, reason, blen + 1,
			 status == 401 ? "WWW-Authenticate: Basic realm=\"xapi\"\r\n" : "");
	xd_info("console: %d %s", status, why);
	if (send(req->fd, head, (size_t)n, MSG_NOSIGNAL) == n) {
		send(req->fd, why, blen, MSG_NOSIGNAL);
		send(req->fd, "\n", 1, MSG_NOSIGNAL);
	}
}

/* ---- which console ------------------------------------------------------------------ */

/* The console a VM ref names: its rfb one, else its only one (heap). */
static char *console_of_vm(const char *vm)
{
	xd_value *rec = xd_db_get_record(xd_dm_class("VM"), vm);
	const xd_value *cons = rec ? xd_struct_get(rec, "consoles") : NULL;
	char *pick = NULL;

	for (size_t i = 0; cons && cons->t == XD_V_ARRAY && i < cons->u.arr.n; i++) {
		const char *c = cons->u.arr.items[i]->u.s;
		xd_value *crec = xd_db_get_record(xd_dm_class("console"), c);
		bool rfb = crec && strcmp(xd_rec_str(crec, "protocol"), "rfb") == 0;
		xd_value_free(crec);
		if (rfb || cons->u.arr.n == 1) {
			pick = strdup(c);
			break;
		}
	}
	xd_value_free(rec);
	return pick;
}

/* The console of ref= or uuid= (heap), or NULL with why set. */
static char *console_of_request(const xd_http_request *req, const char **why)
{
	const xd_class *vm_cls = xd_dm_class("VM"), *con_cls = xd_dm_class("console");
	char *ref = xd_http_query_get(req->query, "ref");
	char *uuid = ref ? NULL : xd_http_query_get(req->query, "uuid");
	char *con = NULL;

	if (!ref && !uuid) {
		*why = "the request names no console (ref= or uuid=)";
		return NULL;
	}
	if (uuid) {
		ref = xd_db_ref_by_uuid(vm_cls, uuid);
		if (!ref)
			ref = xd_db_ref_by_uuid(con_cls, uuid);
		free(uuid);
	}
	if (ref && xd_db_exists(con_cls, ref))
		con = strdup(ref);
	else if (ref && xd_db_exists(vm_cls, ref) && !(con = console_of_vm(ref)))
		*why = "the VM has no console";
	else if (!con)
		*why = "the request names neither a VM nor a console";
	free(ref);
	return con;
}

/* ---- the backend's end ------------------------------------------------------------ */

/* "vnc://HOST:PORT" -> a connected TCP socket, or -1. */
static int connect_vnc(const char *loc)
{
	char host[256], *colon;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL, *a;
	int fd = -1;

	if (strncmp(loc, "vnc://", 6) != 0 || strlen(loc + 6) >= sizeof(host))
		return -1;
	strcpy(host, loc + 6);
	colon = strrchr(host, ':');
	if (!colon)
		return -1;
	*colon = 0;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0)
		return -1;
	for (a = ai; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

/* Opens the console's current end: the pty of a vt100 console, the VNC
 * server of an rfb one. -1 with why when it has none now. */
static int open_backend(int domid, const char *protocol, const char **why)
{
	char *proto = NULL, *loc = NULL;
	xd_error err = XD_ERROR_INIT;
	int fd = -1;

	if (xd_hv()->console(domid, &proto, &loc, &err) < 0) {
		*why = "the backend knows no console of the domain";
	} else if (strcmp(proto, protocol) != 0) {
		*why = "the domain has no console of that protocol now";
	} else if (strcmp(proto, "vt100") == 0 && loc[0] == '/') {
		fd = open(loc, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0)
			*why = "the console's pty cannot be opened";
	} else if (strcmp(proto, "rfb") == 0 && strncmp(loc, "vnc://", 6) == 0) {
		fd = connect_vnc(loc);
		if (fd < 0)
			*why = "the console's VNC server cannot be reached";
	} else {
		*why = "the console cannot be reached through xapid";
	}
	if (fd < 0)
		xd_debug("console: domain %d: %s (%s %s%s%s)", domid, *why, proto ? proto : "-",
			 loc ? loc : "-", err.code ? ": " : "", err.code ? err.code : "");
	free(proto);
	free(loc);
	xd_error_clear(&err);
	return fd;
}

/* ---- the proxy --------------------------------------------------------------------- */

/* All of buf to fd (non-blocking ends: waits for room). -1 when fd is gone. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, buf, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			if (poll(&p, 1, PROXY_POLL_MS) < 0 && errno != EINTR)
				return -1;
			if (xd_http_stopping())
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Copies both ways until either end closes or xapid stops. */
static void proxy(int client, int backend)
{
	char buf[PROXY_BUF];

	for (;;) {
		struct pollfd p[2] = { { .fd = client, .events = POLLIN },
				       { .fd = backend, .events = POLLIN } };
		int n = poll(p, 2, PROXY_POLL_MS);
		if (xd_http_stopping())
			return;
		if (n < 0 && errno != EINTR)
			return;
		for (int i = 0; n > 0 && i < 2; i++) {
			if (!p[i].revents)
				continue;
			ssize_t r = read(p[i].fd, buf, sizeof(buf));
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			/* EOF, or EIO from a pty whose domain is gone */
			if (r <= 0 || write_all(i == 0 ? backend : client, buf, (size_t)r) < 0)
				return;
		}
	}
}

static void h_console(const xd_http_request *req)
{
	char *session = NULL, *con = NULL;
	xd_value *crec = NULL, *vrec = NULL;
	const char *why = NULL;
	int fd = -1;

	if (xd_http_credentials(req, "console", &session) < 0) {
		refuse(req, 401, "SESSION_AUTHENTICATION_FAILED");
		goto out;
	}
	if (!(con = console_of_request(req, &why))) {
		refuse(req, 500, why);
		goto out;
	}
	crec = xd_db_get_record(xd_dm_class("console"), con);
	vrec = crec ? xd_db_get_record(xd_dm_class("VM"), xd_rec_str(crec, "VM")) : NULL;
	if (!vrec || strcmp(xd_rec_str(vrec, "power_state"), "Running") != 0 ||
	    !xd_this_host() || strcmp(xd_rec_str(vrec, "resident_on"), xd_this_host()) != 0) {
		refuse(req, 500, "the console's VM is not running on this host");
		goto out;
	}
	fd = open_backend((int)xd_rec_int(vrec, "domid"), xd_rec_str(crec, "protocol"), &why);
	if (fd < 0) {
		refuse(req, 404, why);
		goto out;
	}
	static const char ok[] = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
				 "Cache-Control: no-cache, no-store\r\n\r\n";
	if (write_all(req->fd, ok, sizeof(ok) - 1) < 0)
		goto out;
	xd_info("console: connected to %s of VM %s", con, xd_rec_str(crec, "VM"));
	/* what the client sent after the head already goes to the console */
	if (req->body_prefix_len && write_all(fd, req->body_prefix, req->body_prefix_len) < 0)
		goto out;
	proxy(req->fd, fd);
	xd_info("console: %s closed", con);
out:
	if (fd >= 0)
		close(fd);
	xd_value_free(crec);
	xd_value_free(vrec);
	free(con);
	free(session);
}

void xd_api_console_http_register(void)
{
	xd_http_register("CONNECT", "/console", h_console);
}
