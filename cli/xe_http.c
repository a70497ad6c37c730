/* xe_http.c - raw HTTP for xe's data connections (see xe_http.h). */
#include "xe_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int xe_http_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* refs and uuids need no encoding; names may */
void xe_http_put_query(xd_strbuf *q, const char *key, const char *value)
{
	xd_strbuf_puts(q, q->len ? "&" : "?");
	xd_strbuf_puts(q, key);
	xd_strbuf_putc(q, '=');
	for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    strchr("-_.:", *s))
			xd_strbuf_putc(q, (char)*s);
		else
			xd_strbuf_printf(q, "%%%02X", *s);
	}
}

int xe_http_read_head(int fd, int64_t *length)
{
	char head[8192];
	size_t n = 0;
	*length = -1;
	while (n + 1 < sizeof(head)) {
		ssize_t r = recv(fd, head + n, 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n++;
		if (n >= 4 && !memcmp(head + n - 4, "\r\n\r\n", 4))
			break;
	}
	head[n] = 0;
	int status;
	if (sscanf(head, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	for (char *l = strstr(head, "\r\n"); l && l[2]; l = strstr(l + 2, "\r\n"))
		if (!strncasecmp(l + 2, "Content-Length:", 15))
			*length = strtoll(l + 17, NULL, 10);
	return status;
}

char *xe_http_read_body(int fd, int64_t length, size_t max)
{
	char *buf = malloc(max + 1);
	size_t n = 0;

	if (!buf)
		return NULL;
	while (n < max && (length < 0 || (int64_t)n < length)) {
		ssize_t r = recv(fd, buf + n, max - n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return buf;
}
