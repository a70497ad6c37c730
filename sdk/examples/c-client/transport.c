/* transport.c - see transport.h. */
#define _GNU_SOURCE
#include "transport.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_to(const char *addr)
{
	int fd;

	if (!strncmp(addr, "unix:", 5)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };

		if (strlen(addr + 5) >= sizeof(sa.sun_path))
			return -1;
		strcpy(sa.sun_path, addr + 5);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
	if (!strncmp(addr, "http://", 7)) {
		char host[256], port[16] = "80";
		const char *h = addr + 7, *colon = strchr(h, ':'), *slash = strchr(h, '/');
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai, *a;
		size_t hl;

		if (!slash)
			slash = h + strlen(h);
		hl = (size_t)((colon && colon < slash ? colon : slash) - h);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, h, hl);
		host[hl] = '\0';
		if (colon && colon < slash)
			snprintf(port, sizeof(port), "%.*s", (int)(slash - colon - 1), colon + 1);
		if (getaddrinfo(host, port, &hints, &ai) != 0)
			return -1;
		fd = -1;
		for (a = ai; a && fd < 0; a = a->ai_next) {
			fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
			if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
				close(fd);
				fd = -1;
			}
		}
		freeaddrinfo(ai);
		return fd;
	}
	return -1;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		/* MSG_NOSIGNAL: a server that hangs up is an error, not a SIGPIPE. */
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int example_call(const void *data, size_t len, void *handle, void *result_handle,
		 xen_result_func result_func)
{
	int fd = connect_to(handle), rc = 1;
	char head[256], *resp = NULL, *body;
	size_t used = 0, cap = 0;

	if (fd < 0)
		return 1;
	snprintf(head, sizeof(head),
		 "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n", len);
	if (write_all(fd, head, strlen(head)) || write_all(fd, data, len))
		goto out;
	/* Connection: close: the response ends where the stream does. */
	for (;;) {
		ssize_t r;

		if (cap - used < 65536) {
			char *n = realloc(resp, cap + 65536 + 1);

			if (!n)
				goto out;
			resp = n;
			cap += 65536;
		}
		r = read(fd, resp + used, cap - used);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		used += (size_t)r;
	}
	if (!resp)
		goto out;
	resp[used] = '\0';
	body = strstr(resp, "\r\n\r\n");
	if (used == 0 || !body || strncmp(resp, "HTTP/1.", 7) || strncmp(resp + 9, "200", 3))
		goto out;
	body += 4;
	rc = result_func(body, used - (size_t)(body - resp), result_handle) ? 0 : 1;
out:
	free(resp);
	close(fd);
	return rc;
}

void example_print_error(const char *what, xen_session *s)
{
	fprintf(stderr, "%s: ERROR", what);
	for (int i = 0; i < s->error_description_count; i++)
		fprintf(stderr, " %s", s->error_description[i]);
	fputc('\n', stderr);
}

xen_session *example_login(int argc, char **argv, int need)
{
	xen_session *s;

	if (argc < 4 + need) {
		fprintf(stderr, "usage: %s ADDRESS USER PASSWORD ... (ADDRESS: http://HOST:PORT/"
			" or unix:/path/xapi.sock)\n", argv[0]);
		exit(2);
	}
	s = xen_session_login_with_password(example_call, argv[1], argv[2], argv[3],
					    xen_api_latest_version);
	if (!s || !s->ok) {
		if (s) {
			example_print_error("login", s);
			xen_session_logout(s);
		}
		exit(1);
	}
	return s;
}
