/* http_listen.c - the listening sockets of the HTTP server (see http_listen.h). */
#include "http_listen.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "log.h"

int xd_http_listen_tcp(const char *listen_addr, int *bound_port)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256];
	const char *colon, *port, *h = host;
	int fd = -1, one = 1, rc;

	/* "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" and "*:PORT" (any address). */
	colon = strrchr(listen_addr, ':');
	if (!colon || !colon[1] || (size_t)(colon - listen_addr) >= sizeof(host)) {
		xd_err("http: bad listen address '%s' (want ADDR:PORT)", listen_addr);
		return -1;
	}
	memcpy(host, listen_addr, (size_t)(colon - listen_addr));
	host[colon - listen_addr] = '\0';
	port = colon + 1;
	if (host[0] == '[') {
		size_t l = strlen(host);

		if (l < 2 || host[l - 1] != ']') {
			xd_err("http: bad listen address '%s'", listen_addr);
			return -1;
		}
		host[l - 1] = '\0';
		h = host + 1;
	}
	if (!h[0] || strcmp(h, "*") == 0)
		h = NULL;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(h, port, &hints, &res);
	if (rc != 0) {
		xd_err("http: cannot resolve listen address '%s': %s", listen_addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
			break;
		rc = errno;
		close(fd);
		fd = -1;
		errno = rc;
	}
	if (fd < 0) {
		xd_err("http: cannot listen on %s: %s", listen_addr, strerror(errno));
	} else {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
			*bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
								 : ((struct sockaddr_in *)&ss)->sin_port);
	}
	freeaddrinfo(res);
	return fd;
}

int xd_http_listen_unix(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		xd_err("http: socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		xd_err("http: socket: %s", strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			xd_err("http: %s exists and is not a socket", path);
			goto fail;
		}
		/* A socket somebody still answers on is not stale. */
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			xd_err("http: %s is in use by another server", path);
			goto fail;
		}
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			xd_err("http: socket: %s", strerror(errno));
			return -1;
		}
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0) {
		xd_err("http: cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	/* Everybody may connect; who they are (SO_PEERCRED) decides what
	 * they may do. */
	if (chmod(path, 0666) < 0)
		xd_warn("http: chmod %s: %s", path, strerror(errno));
	return fd;
fail:
	close(fd);
	return -1;
}

