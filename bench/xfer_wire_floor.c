/* xfer_wire_floor.c - the wire floor of bench/transfers.py: what the same
 * client's bytes cost over loopback HTTP when the other end does nothing
 * but file I/O. One connection at a time, each its own request:
 *
 *     PUT /put?name=FILE[&sparse=1]   the body into DIR/FILE (written as it
 *         comes, 4 MiB pieces of zeros as holes); with sparse=1 the body is xapi's chunked raw
 *         encoding (u64 offset, u32 length, data; {0, 0} ends it) and each
 *         chunk is written at its offset; synced (fdatasync), then
 *         answered 200 with no body
 *     GET /get?name=FILE              DIR/FILE sent as the body (sendfile)
 *
 *     xfer_wire_floor DIR     prints its loopback port, then serves until killed
 *
 * Plain blocking I/O, one request at a time: the client, not this, is
 * where the time goes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIECE ((size_t)4 << 20)

static char *piece;
static const char *dir;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* Exactly len bytes of the socket (the head's leftover first). */
static size_t have, used;
static char head[65536];

static int recv_all(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n;
		if (used < have) {
			n = (ssize_t)(have - used < len ? have - used : len);
			memcpy(buf, head + used, (size_t)n);
			used += (size_t)n;
		} else if ((n = read(fd, buf, len)) <= 0) {
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The value of key=... in the request line's query, into out. */
static void query(const char *line, const char *key, char *out, size_t outlen)
{
	out[0] = 0;
	const char *q = strchr(line, '?');
	size_t k = strlen(key);
	while (q) {
		q++;
		if (strncmp(q, key, k) == 0 && q[k] == '=') {
			size_t n = strcspn(q + k + 1, "& \r\n");
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, q + k + 1, n);
			out[n] = 0;
			return;
		}
		q = strchr(q, '&');
	}
}

static int open_named(const char *line, int flags)
{
	char name[256], path[4096];
	query(line, "name", name, sizeof name);
	if (!name[0] || strchr(name, '/'))
		return -1;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return open(path, flags, 0644);
}

/* A piece of zeros is a hole, as the benchmark's client writes its files
 * (and as xapid keeps its VDIs sparse): the disk's writeback of zeros is
 * not what the floor measures. */
static int put_plain(int c, int f, long long left)
{
	off_t at = 0;
	while (left > 0) {
		size_t n = left < (long long)PIECE ? (size_t)left : PIECE;
		if (recv_all(c, piece, n) < 0)
			return -1;
		if (!(piece[0] == 0 && memcmp(piece, piece + 1, n - 1) == 0) &&
		    pwrite(f, piece, n, at) != (ssize_t)n)
			return -1;
		at += (off_t)n;
		left -= (long long)n;
	}
	return ftruncate(f, at);
}

static int put_sparse(int c, int f)
{
	for (;;) {
		unsigned char h[12];
		if (recv_all(c, (char *)h, sizeof h) < 0)
			return -1;
		uint64_t off = 0;
		for (int i = 7; i >= 0; i--)
			off = off << 8 | h[i];
		uint32_t len = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 |
			       (uint32_t)h[11] << 24;
		if (off == 0 && len == 0)
			return 0;
		while (len) {
			size_t n = len < PIECE ? len : PIECE;
			if (recv_all(c, piece, n) < 0 || pwrite(f, piece, n, (off_t)off) != (ssize_t)n)
				return -1;
			off += n;
			len -= (uint32_t)n;
		}
	}
}

static void serve(int c)
{
	/* the head, up to its blank line */
	have = used = 0;
	char *end = NULL;
	while (!end) {
		ssize_t n = read(c, head + have, sizeof head - 1 - have);
		if (n <= 0)
			return;
		have += (size_t)n;
		head[have] = 0;
		end = strstr(head, "\r\n\r\n");
	}
	used = (size_t)(end + 4 - head);
	const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	if (strncmp(head, "PUT ", 4) == 0) {
		char sparse[8];
		query(head, "sparse", sparse, sizeof sparse);
		const char *cl = strcasestr(head, "\r\nContent-Length:");
		int f = open_named(head, O_WRONLY | O_CREAT | O_TRUNC);
		if (f < 0)
			die("open");
		int rc = sparse[0] == '1' ? put_sparse(c, f)
					 : put_plain(c, f, cl ? atoll(cl + 17) : 0);
		/* on stable storage before the answer, as xapid's imports (the
		 * datapath's flush); qemu-img convert, the other floor, does not */
		if (rc == 0)
			rc = fdatasync(f);
		close(f);
		if (rc == 0)
			send_all(c, ok, strlen(ok));
	} else if (strncmp(head, "GET ", 4) == 0) {
		int f = open_named(head, O_RDONLY);
		struct stat st;
		if (f < 0 || fstat(f, &st) < 0)
			die("open");
		char h[256];
		int n = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n"
				 "Connection: close\r\n\r\n", (long long)st.st_size);
		/* sendfile: the cheapest way a server sends a file (no copy
		 * through its memory), so that this stays a floor */
		if (send_all(c, h, (size_t)n) == 0) {
			off_t at = 0;
			while (at < st.st_size && sendfile(c, f, &at, (size_t)(st.st_size - at)) > 0)
				;
		}
		close(f);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	dir = argv[1];
	if (!(piece = malloc(PIECE)))
		die("malloc");
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 8) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		die("listen");
	printf("%d\n", ntohs(a.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(l, NULL, NULL);
		if (c < 0)
			continue;
		serve(c);
		close(c);
	}
}
