/* dqlite_client.c - dqlite's wire protocol, client side (see dqlite_client.h).
 *
 * The protocol, as documented: after connecting, the client sends one word
 * (8 bytes, little endian) with the protocol version (1). Then every message
 * is a header word (body size in words: 4 bytes LE; type: 1 byte; schema
 * version: 1 byte; 2 unused) and a body of fields, each a multiple of 8
 * bytes: uint64 (8 bytes LE), uint32 pairs packed in one word, text
 * (NUL-terminated, zero-padded to a word), blob (uint64 length, then the
 * bytes padded to a word). Parameter tuples: one byte with their count, one
 * type byte each, padded to a word, then the values. Rows: a header of 4
 * bits per column type (padded to a word), then the values; a result set
 * ends with the word DONE, or PART when more ROWS messages follow unasked.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "dqlite_client.h"

#define PROTOCOL_VERSION 1

/* Request types. */
enum {
	REQ_LEADER = 0,
	REQ_OPEN = 3,
	REQ_PREPARE = 4,
	REQ_EXEC = 5,
	REQ_QUERY = 6,
	REQ_FINALIZE = 7,
	REQ_EXEC_SQL = 8,
	REQ_QUERY_SQL = 9,
	REQ_ADD = 12,
	REQ_ASSIGN = 13,
	REQ_REMOVE = 14,
	REQ_CLUSTER = 16,
	REQ_TRANSFER = 17,
};

/* Response types. */
enum {
	RESP_FAILURE = 0,
	RESP_SERVER = 1,
	RESP_WELCOME = 2,
	RESP_SERVERS = 3,
	RESP_DB = 4,
	RESP_STMT = 5,
	RESP_RESULT = 6,
	RESP_ROWS = 7,
	RESP_EMPTY = 8,
};

#define ROWS_PART 0xeeeeeeeeeeeeeeeeULL
#define ROWS_DONE 0xffffffffffffffffULL
/* Refuse answers bigger than this (a corrupt header would ask for 32 GiB). */
#define MAX_BODY ((size_t)1 << 30)

struct db_dq_conn {
	int fd;
	bool broken;
	uint64_t code;
	char msg[512];
	/* the request being built: header word, then the body */
	unsigned char *w;
	size_t wlen, wcap;
	/* the last response's body */
	unsigned char *r;
	size_t rlen, rcap;
	uint8_t rtype;
};

/* A read position in a response body. */
typedef struct {
	const unsigned char *p;
	size_t left;
} cursor;

/* ---- errors ---- */

static int fail(db_dq_conn *c, uint64_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(db_dq_conn *c, uint64_t code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	c->code = code;
	return -1;
}

/* An I/O or protocol error: the stream is out of step, nothing more on it. */
static int broke(db_dq_conn *c, const char *what)
{
	c->broken = true;
	return fail(c, 0, "dqlite: %s%s%s", what, errno ? ": " : "", errno ? strerror(errno) : "");
}

uint64_t db_dq_errcode(const db_dq_conn *c)
{
	return c->code;
}

const char *db_dq_errmsg(const db_dq_conn *c)
{
	return c->msg;
}

bool db_dq_broken(const db_dq_conn *c)
{
	return c->broken;
}

/* ---- connecting ---- */

/* "host:port" or "[v6]:port" into host and port strings. */
static int split_address(const char *address, char *host, size_t hl, char *port, size_t pl)
{
	const char *colon;
	const char *h = address;
	size_t n;
	if (*address == '[') {
		const char *end = strchr(address, ']');
		if (!end || end[1] != ':')
			return -1;
		h = address + 1;
		n = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(address, ':');
		if (!colon)
			return -1;
		n = (size_t)(colon - address);
	}
	if (n == 0 || n >= hl || strlen(colon + 1) == 0 || strlen(colon + 1) >= pl)
		return -1;
	memcpy(host, h, n);
	host[n] = 0;
	snprintf(port, pl, "%s", colon + 1);
	return 0;
}

static void set_timeouts(int fd, double timeout_s)
{
	if (timeout_s <= 0)
		return;
	struct timeval tv = { .tv_sec = (time_t)timeout_s,
			      .tv_usec = (suseconds_t)((timeout_s - (double)(time_t)timeout_s) * 1e6) };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int db_dq_dial(const char *address, double timeout_s)
{
	if (address[0] == '@') { /* abstract unix socket (tests, one process) */
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		size_t n = strlen(address + 1);
		if (n + 1 > sizeof(sun.sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(sun.sun_path + 1, address + 1, n);
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		set_timeouts(fd, timeout_s);
		if (connect(fd, (struct sockaddr *)&sun,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		return fd;
	}
	char host[256], port[16];
	if (split_address(address, host, sizeof(host), port, sizeof(port)) < 0) {
		errno = EINVAL;
		return -1;
	}
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	if (getaddrinfo(host, port, &hints, &res) != 0 || !res) {
		errno = EHOSTUNREACH;
		return -1;
	}
	int fd = -1, e = ECONNREFUSED;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		set_timeouts(fd, timeout_s);
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		errno = e;
	return fd;
}

static int write_all(db_dq_conn *c, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	while (n) {
		/* MSG_NOSIGNAL: a dead peer gives EPIPE, not a SIGPIPE that
		 * would kill the daemon. */
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return broke(c, "cannot send");
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int read_all(db_dq_conn *c, void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t k = recv(c->fd, p, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k == 0)
			errno = ECONNRESET;
		if (k <= 0)
			return broke(c, "cannot read the answer");
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

db_dq_conn *db_dq_connect(const char *address, double timeout_s, char *errbuf, size_t errlen)
{
	int fd = db_dq_dial(address, timeout_s);
	if (fd < 0) {
		snprintf(errbuf, errlen, "dqlite: cannot connect to %s: %s", address, strerror(errno));
		return NULL;
	}
	db_dq_conn *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->fd = fd;
	unsigned char hs[8] = { PROTOCOL_VERSION };
	if (write_all(c, hs, sizeof(hs)) < 0) {
		snprintf(errbuf, errlen, "%s (%s)", c->msg, address);
		db_dq_close(c);
		return NULL;
	}
	return c;
}

void db_dq_close(db_dq_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->w);
	free(c->r);
	free(c);
}

/* ---- building requests ---- */

static void wreserve(db_dq_conn *c, size_t n)
{
	if (c->wlen + n <= c->wcap)
		return;
	size_t cap = c->wcap ? c->wcap : 256;
	while (cap < c->wlen + n)
		cap *= 2;
	c->w = realloc(c->w, cap);
	if (!c->w)
		abort();
	c->wcap = cap;
}

static void begin(db_dq_conn *c)
{
	c->wlen = 0;
	wreserve(c, 8);
	memset(c->w, 0, 8);
	c->wlen = 8;
}

static void put_u64(db_dq_conn *c, uint64_t v)
{
	wreserve(c, 8);
	for (int i = 0; i < 8; i++)
		c->w[c->wlen++] = (unsigned char)(v >> (8 * i));
}

/* Two uint32 in one word (EXEC, QUERY, FINALIZE: db id, statement id). */
static void put_u32x2(db_dq_conn *c, uint32_t a, uint32_t b)
{
	put_u64(c, (uint64_t)a | ((uint64_t)b << 32));
}

/* n bytes then zeros up to the next word. */
static void put_padded(db_dq_conn *c, const void *p, size_t n)
{
	size_t total = (n + 7) & ~(size_t)7;
	wreserve(c, total);
	if (n)
		memcpy(c->w + c->wlen, p, n);
	memset(c->w + c->wlen + n, 0, total - n);
	c->wlen += total;
}

static void put_text(db_dq_conn *c, const char *s)
{
	size_t n = strlen(s) + 1; /* with its NUL; a text of 8 chars takes 2 words */
	put_padded(c, s, n);
}

static void put_f64(db_dq_conn *c, double f)
{
	uint64_t v;
	memcpy(&v, &f, sizeof(v));
	put_u64(c, v);
}

static int put_params(db_dq_conn *c, const db_dq_value *v, size_t n)
{
	if (n > 255)
		return fail(c, 0, "dqlite: too many parameters (%zu)", n);
	unsigned char hdr[256 + 8];
	hdr[0] = (unsigned char)n;
	for (size_t i = 0; i < n; i++)
		hdr[1 + i] = (unsigned char)v[i].type;
	put_padded(c, hdr, 1 + n);
	for (size_t i = 0; i < n; i++) {
		switch (v[i].type) {
		case DB_DQ_INTEGER:
		case DB_DQ_UNIXTIME:
		case DB_DQ_BOOLEAN:
			put_u64(c, (uint64_t)v[i].i);
			break;
		case DB_DQ_FLOAT:
			put_f64(c, v[i].f);
			break;
		case DB_DQ_TEXT:
		case DB_DQ_ISO8601:
			put_text(c, v[i].p ? v[i].p : "");
			break;
		case DB_DQ_BLOB:
			put_u64(c, v[i].len);
			put_padded(c, v[i].p, v[i].len);
			break;
		case DB_DQ_NULL:
			put_u64(c, 0);
			break;
		default:
			return fail(c, 0, "dqlite: parameter %zu has unknown type %d", i, v[i].type);
		}
	}
	return 0;
}

/* Fills the header and sends the request. */
static int send_req(db_dq_conn *c, uint8_t type)
{
	if (c->broken)
		return fail(c, 0, "dqlite: the connection is broken");
	uint32_t words = (uint32_t)((c->wlen - 8) / 8);
	for (int i = 0; i < 4; i++)
		c->w[i] = (unsigned char)(words >> (8 * i));
	c->w[4] = type;
	c->w[5] = 0; /* schema version 0 of every request we send */
	return write_all(c, c->w, c->wlen);
}

/* ---- reading responses ---- */

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static int recv_msg(db_dq_conn *c)
{
	unsigned char h[8];
	if (read_all(c, h, sizeof(h)) < 0)
		return -1;
	size_t words = (size_t)h[0] | (size_t)h[1] << 8 | (size_t)h[2] << 16 | (size_t)h[3] << 24;
	size_t n = words * 8;
	if (n > MAX_BODY) {
		errno = 0;
		return broke(c, "answer too big");
	}
	if (n > c->rcap) {
		c->r = realloc(c->r, n);
		if (!c->r)
			abort();
		c->rcap = n;
	}
	c->rlen = n;
	c->rtype = h[4];
	return n ? read_all(c, c->r, n) : 0;
}

static int get_u64(cursor *cu, uint64_t *v)
{
	if (cu->left < 8)
		return -1;
	*v = le64(cu->p);
	cu->p += 8;
	cu->left -= 8;
	return 0;
}

static int get_text(cursor *cu, const char **s, size_t *len)
{
	const unsigned char *nul = memchr(cu->p, 0, cu->left);
	if (!nul)
		return -1;
	size_t n = (size_t)(nul - cu->p);
	size_t total = (n + 1 + 7) & ~(size_t)7;
	if (total > cu->left)
		return -1;
	*s = (const char *)cu->p;
	if (len)
		*len = n;
	cu->p += total;
	cu->left -= total;
	return 0;
}

static int protocol_error(db_dq_conn *c, const char *what)
{
	errno = 0;
	return broke(c, what);
}

/* Reads the response to the request just sent; a FAILURE becomes -1 with
 * its code and message; another type than `want` breaks the connection. */
static int expect(db_dq_conn *c, uint8_t want, cursor *cu)
{
	if (recv_msg(c) < 0)
		return -1;
	cu->p = c->r;
	cu->left = c->rlen;
	if (c->rtype == RESP_FAILURE) {
		uint64_t code;
		const char *m;
		if (get_u64(cu, &code) < 0 || get_text(cu, &m, NULL) < 0)
			return protocol_error(c, "malformed failure answer");
		return fail(c, code, "%s", m);
	}
	if (c->rtype != want) {
		char what[64];
		snprintf(what, sizeof(what), "answer of type %u where %u was expected", c->rtype,
			 want);
		return protocol_error(c, what);
	}
	c->code = 0;
	c->msg[0] = 0;
	return 0;
}

/* ---- requests ---- */

int db_dq_leader(db_dq_conn *c, uint64_t *id, char **address)
{
	cursor cu;
	const char *a;
	begin(c);
	put_u64(c, 0);
	if (send_req(c, REQ_LEADER) < 0 || expect(c, RESP_SERVER, &cu) < 0)
		return -1;
	if (get_u64(&cu, id) < 0 || get_text(&cu, &a, NULL) < 0)
		return protocol_error(c, "malformed leader answer");
	*address = *a ? strdup(a) : NULL;
	if (*a && !*address)
		abort();
	return 0;
}

int db_dq_open(db_dq_conn *c, const char *name, uint32_t *db)
{
	cursor cu;
	uint64_t w;
	begin(c);
	put_text(c, name);
	put_u64(c, 0); /* flags: the node decides (read-write, create) */
	put_text(c, "");
	if (send_req(c, REQ_OPEN) < 0 || expect(c, RESP_DB, &cu) < 0)
		return -1;
	if (get_u64(&cu, &w) < 0)
		return protocol_error(c, "malformed db answer");
	*db = (uint32_t)w;
	return 0;
}

int db_dq_prepare(db_dq_conn *c, uint32_t db, const char *sql, uint32_t *stmt, uint64_t *nparams)
{
	cursor cu;
	uint64_t w, np;
	begin(c);
	put_u64(c, db);
	put_text(c, sql);
	if (send_req(c, REQ_PREPARE) < 0 || expect(c, RESP_STMT, &cu) < 0)
		return -1;
	if (get_u64(&cu, &w) < 0 || get_u64(&cu, &np) < 0)
		return protocol_error(c, "malformed statement answer");
	*stmt = (uint32_t)(w >> 32);
	if (nparams)
		*nparams = np;
	return 0;
}

static int read_result(db_dq_conn *c, uint64_t *last_id, uint64_t *changes)
{
	cursor cu;
	uint64_t l, ch;
	if (expect(c, RESP_RESULT, &cu) < 0)
		return -1;
	if (get_u64(&cu, &l) < 0 || get_u64(&cu, &ch) < 0)
		return protocol_error(c, "malformed result answer");
	if (last_id)
		*last_id = l;
	if (changes)
		*changes = ch;
	return 0;
}

int db_dq_exec(db_dq_conn *c, uint32_t db, uint32_t stmt, const db_dq_value *params, size_t n,
	       uint64_t *last_id, uint64_t *changes)
{
	begin(c);
	put_u32x2(c, db, stmt);
	if (put_params(c, params, n) < 0 || send_req(c, REQ_EXEC) < 0)
		return -1;
	return read_result(c, last_id, changes);
}

int db_dq_exec_sql(db_dq_conn *c, uint32_t db, const char *sql, const db_dq_value *params,
		   size_t n, uint64_t *last_id, uint64_t *changes)
{
	begin(c);
	put_u64(c, db);
	put_text(c, sql);
	if (put_params(c, params, n) < 0 || send_req(c, REQ_EXEC_SQL) < 0)
		return -1;
	return read_result(c, last_id, changes);
}

int db_dq_finalize(db_dq_conn *c, uint32_t db, uint32_t stmt)
{
	cursor cu;
	begin(c);
	put_u32x2(c, db, stmt);
	if (send_req(c, REQ_FINALIZE) < 0 || expect(c, RESP_EMPTY, &cu) < 0)
		return -1;
	return 0;
}

void db_dq_rows_free(db_dq_rows *rows)
{
	if (!rows)
		return;
	for (size_t i = 0; i < rows->ncols; i++)
		free(rows->names[i]);
	free(rows->names);
	for (size_t i = 0; i < rows->nrows * rows->ncols; i++)
		free((void *)rows->vals[i].p);
	free(rows->vals);
	memset(rows, 0, sizeof(*rows));
}

/* One value of a row into v, copying texts and blobs. */
static int get_value(cursor *cu, int type, db_dq_value *v)
{
	uint64_t w;
	memset(v, 0, sizeof(*v));
	v->type = type;
	switch (type) {
	case DB_DQ_INTEGER:
	case DB_DQ_UNIXTIME:
	case DB_DQ_BOOLEAN:
		if (get_u64(cu, &w) < 0)
			return -1;
		v->i = (int64_t)w;
		return 0;
	case DB_DQ_FLOAT:
		if (get_u64(cu, &w) < 0)
			return -1;
		memcpy(&v->f, &w, sizeof(v->f));
		return 0;
	case DB_DQ_NULL:
		return get_u64(cu, &w);
	case DB_DQ_TEXT:
	case DB_DQ_ISO8601: {
		const char *s;
		size_t n;
		if (get_text(cu, &s, &n) < 0)
			return -1;
		char *copy = malloc(n + 1);
		if (!copy)
			abort();
		memcpy(copy, s, n + 1);
		v->p = copy;
		v->len = n;
		return 0;
	}
	case DB_DQ_BLOB: {
		if (get_u64(cu, &w) < 0)
			return -1;
		size_t total = ((size_t)w + 7) & ~(size_t)7;
		if (w > cu->left || total > cu->left)
			return -1;
		/* one more byte so an empty blob still has a non-NULL pointer */
		unsigned char *copy = malloc((size_t)w + 1);
		if (!copy)
			abort();
		memcpy(copy, cu->p, (size_t)w);
		v->p = copy;
		v->len = (size_t)w;
		cu->p += total;
		cu->left -= total;
		return 0;
	}
	default:
		return -1;
	}
}

/* Reads ROWS messages until DONE, appending to rows. */
static int read_rows(db_dq_conn *c, db_dq_rows *rows)
{
	memset(rows, 0, sizeof(*rows));
	size_t cap = 0;
	for (bool first = true;; first = false) {
		cursor cu;
		uint64_t ncols, eof;
		if (expect(c, RESP_ROWS, &cu) < 0)
			goto fail;
		if (get_u64(&cu, &ncols) < 0 || ncols > 4096 || (!first && ncols != rows->ncols))
			goto bad;
		for (size_t i = 0; i < ncols; i++) {
			const char *name;
			if (get_text(&cu, &name, NULL) < 0)
				goto bad;
			if (first) {
				if (i == 0) {
					rows->names = calloc(ncols ? ncols : 1, sizeof(char *));
					if (!rows->names)
						abort();
				}
				rows->names[i] = strdup(name);
				if (!rows->names[i])
					abort();
				rows->ncols = i + 1;
			}
		}
		size_t hdr = ((ncols + 1) / 2 + 7) & ~(size_t)7; /* 4 bits per column */
		for (;;) {
			if (cu.left < 8)
				goto bad;
			eof = le64(cu.p);
			if (eof == ROWS_DONE || eof == ROWS_PART)
				break;
			if (hdr > cu.left)
				goto bad;
			const unsigned char *types = cu.p;
			cu.p += hdr;
			cu.left -= hdr;
			if (rows->nrows == cap) {
				cap = cap ? cap * 2 : 64;
				rows->vals = realloc(rows->vals, cap * (ncols ? ncols : 1) * sizeof(*rows->vals));
				if (!rows->vals)
					abort();
			}
			db_dq_value *row = rows->vals + rows->nrows * ncols;
			for (size_t i = 0; i < ncols; i++) {
				int t = (types[i / 2] >> ((i % 2) * 4)) & 0x0f;
				if (get_value(&cu, t, &row[i]) < 0) {
					for (size_t k = 0; k < i; k++)
						free((void *)row[k].p);
					goto bad;
				}
			}
			rows->nrows++;
		}
		if (eof == ROWS_DONE)
			return 0;
	}
bad:
	protocol_error(c, "malformed rows answer");
fail:
	db_dq_rows_free(rows);
	return -1;
}

int db_dq_query(db_dq_conn *c, uint32_t db, uint32_t stmt, const db_dq_value *params, size_t n,
		db_dq_rows *rows)
{
	memset(rows, 0, sizeof(*rows));
	begin(c);
	put_u32x2(c, db, stmt);
	if (put_params(c, params, n) < 0 || send_req(c, REQ_QUERY) < 0)
		return -1;
	return read_rows(c, rows);
}

int db_dq_query_sql(db_dq_conn *c, uint32_t db, const char *sql, const db_dq_value *params,
		    size_t n, db_dq_rows *rows)
{
	memset(rows, 0, sizeof(*rows));
	begin(c);
	put_u64(c, db);
	put_text(c, sql);
	if (put_params(c, params, n) < 0 || send_req(c, REQ_QUERY_SQL) < 0)
		return -1;
	return read_rows(c, rows);
}

/* ---- membership ---- */

static int simple(db_dq_conn *c, uint8_t type)
{
	cursor cu;
	if (send_req(c, type) < 0 || expect(c, RESP_EMPTY, &cu) < 0)
		return -1;
	return 0;
}

int db_dq_add(db_dq_conn *c, uint64_t id, const char *address)
{
	begin(c);
	put_u64(c, id);
	put_text(c, address);
	return simple(c, REQ_ADD);
}

int db_dq_assign(db_dq_conn *c, uint64_t id, uint64_t role)
{
	begin(c);
	put_u64(c, id);
	put_u64(c, role);
	return simple(c, REQ_ASSIGN);
}

int db_dq_remove(db_dq_conn *c, uint64_t id)
{
	begin(c);
	put_u64(c, id);
	return simple(c, REQ_REMOVE);
}

int db_dq_transfer(db_dq_conn *c, uint64_t id)
{
	begin(c);
	put_u64(c, id);
	return simple(c, REQ_TRANSFER);
}

void db_dq_nodes_free(db_dq_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(nodes[i].address);
	free(nodes);
}

int db_dq_cluster(db_dq_conn *c, db_dq_node **nodes, size_t *n)
{
	cursor cu;
	uint64_t count;
	*nodes = NULL;
	*n = 0;
	begin(c);
	put_u64(c, 1); /* format 1: id, address and role of each node */
	if (send_req(c, REQ_CLUSTER) < 0 || expect(c, RESP_SERVERS, &cu) < 0)
		return -1;
	if (get_u64(&cu, &count) < 0 || count > cu.left / 24)
		return protocol_error(c, "malformed cluster answer");
	db_dq_node *arr = calloc(count ? count : 1, sizeof(*arr));
	if (!arr)
		abort();
	for (size_t i = 0; i < count; i++) {
		const char *a;
		if (get_u64(&cu, &arr[i].id) < 0 || get_text(&cu, &a, NULL) < 0 ||
		    get_u64(&cu, &arr[i].role) < 0) {
			db_dq_nodes_free(arr, i);
			return protocol_error(c, "malformed cluster answer");
		}
		arr[i].address = strdup(a);
		if (!arr[i].address)
			abort();
	}
	*nodes = arr;
	*n = count;
	return 0;
}
