/* ovsdb_client.c - JSON-RPC to ovsdb-server (ovsdb_client.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ovsdb_client.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ovsdb_client_attach(struct ovsdb_client *c, int fd, int timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
	c->next_id = 1;
	if (ovsdb_stream_init(&c->in) != 0 || !(c->notes = json_object_new_array())) {
		snprintf(c->err, sizeof(c->err), "out of memory");
		ovsdb_client_close(c);
		return -1;
	}
	return 0;
}

int ovsdb_client_open(struct ovsdb_client *c, const char *path, int timeout_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path)) {
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		snprintf(c->err, sizeof(c->err), "socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		memset(c, 0, sizeof(*c));
		c->fd = -1;
		snprintf(c->err, sizeof(c->err), "cannot connect to ovsdb-server at %s: %s", path,
			 strerror(e));
		return -1;
	}
	return ovsdb_client_attach(c, fd, timeout_ms);
}

void ovsdb_client_close(struct ovsdb_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	ovsdb_stream_fini(&c->in);
	if (c->notes)
		json_object_put(c->notes);
	c->notes = NULL;
}

static int send_json(struct ovsdb_client *c, json_object *msg)
{
	size_t len;
	const char *s = json_object_to_json_string_length(
		msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	while (len) {
		ssize_t n = send(c->fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(c->err, sizeof(c->err), "cannot write to ovsdb-server: %s",
				 strerror(errno));
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next message before `deadline`: 1 and *msg, 0 on timeout, -1 broken. */
static int recv_json(struct ovsdb_client *c, int64_t deadline, json_object **msg)
{
	for (;;) {
		int r = ovsdb_stream_next(&c->in, msg);
		if (r < 0) {
			snprintf(c->err, sizeof(c->err), "%s", c->in.err);
			return -1;
		}
		if (r > 0)
			return 1;
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		int pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			snprintf(c->err, sizeof(c->err), "poll: %s", strerror(errno));
			return -1;
		}
		if (pr == 0)
			return 0;
		char buf[16384];
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			snprintf(c->err, sizeof(c->err), "ovsdb-server closed the connection%s%s",
				 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			return -1;
		}
		if (ovsdb_stream_feed(&c->in, buf, (size_t)n) != 0) {
			snprintf(c->err, sizeof(c->err), "out of memory");
			return -1;
		}
	}
}

/* The server's requests to us: "echo" must be answered with its params, or
 * the server drops the connection after its inactivity probe. */
static int answer_request(struct ovsdb_client *c, json_object *msg)
{
	json_object *method, *id, *params;
	if (!json_object_object_get_ex(msg, "method", &method) ||
	    !json_object_object_get_ex(msg, "id", &id) || !id)
		return 0; /* a notification */
	json_object *reply = json_object_new_object();
	if (!reply)
		return -1;
	if (strcmp(json_object_get_string(method), "echo") == 0) {
		json_object_object_get_ex(msg, "params", &params);
		json_object_object_add(reply, "result", json_object_get(params));
		json_object_object_add(reply, "error", NULL);
	} else {
		json_object_object_add(reply, "result", NULL);
		json_object_object_add(reply, "error", json_object_new_string("unknown method"));
	}
	json_object_object_add(reply, "id", json_object_get(id));
	int rc = send_json(c, reply);
	json_object_put(reply);
	return rc;
}

/* Dispatches one incoming message that is not the reply we wait for:
 * requests are answered, notifications queued, stray replies dropped. */
static int take_other(struct ovsdb_client *c, json_object *msg)
{
	json_object *method, *id;
	if (json_object_object_get_ex(msg, "method", &method)) {
		if (json_object_object_get_ex(msg, "id", &id) && id)
			return answer_request(c, msg);
		return json_object_array_add(c->notes, json_object_get(msg)) == 0 ? 0 : -1;
	}
	return 0; /* a late reply to a call that timed out */
}

int ovsdb_client_call(struct ovsdb_client *c, const char *method, json_object *params,
		      json_object **result)
{
	*result = NULL;
	if (c->fd < 0) {
		json_object_put(params);
		snprintf(c->err, sizeof(c->err), "not connected");
		return -1;
	}
	int64_t id = c->next_id++;
	json_object *req = json_object_new_object();
	if (!req) {
		json_object_put(params);
		return -1;
	}
	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int64(id));
	int rc = send_json(c, req);
	json_object_put(req);
	if (rc)
		return -1;
	int64_t deadline = now_ms() + c->timeout_ms;
	for (;;) {
		json_object *msg;
		int r = recv_json(c, deadline, &msg);
		if (r == 0) {
			snprintf(c->err, sizeof(c->err),
				 "ovsdb-server did not answer %s within %d ms", method,
				 c->timeout_ms);
			return -1;
		}
		if (r < 0)
			return -1;
		json_object *rid;
		if (json_object_object_get_ex(msg, "id", &rid) &&
		    json_object_is_type(rid, json_type_int) && json_object_get_int64(rid) == id &&
		    !json_object_object_get_ex(msg, "method", NULL)) {
			json_object *err = NULL, *res = NULL;
			json_object_object_get_ex(msg, "error", &err);
			json_object_object_get_ex(msg, "result", &res);
			if (err) {
				snprintf(c->err, sizeof(c->err), "ovsdb-server refused %s: %s", method,
					 json_object_to_json_string_ext(err, JSON_C_TO_STRING_PLAIN));
				json_object_put(msg);
				return -1;
			}
			*result = json_object_get(res);
			json_object_put(msg);
			return 0;
		}
		rc = take_other(c, msg);
		json_object_put(msg);
		if (rc) {
			return -1;
		}
	}
}

int ovsdb_client_notification(struct ovsdb_client *c, int timeout_ms, json_object **msg)
{
	*msg = NULL;
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		if (json_object_array_length(c->notes)) {
			*msg = json_object_get(json_object_array_get_idx(c->notes, 0));
			json_object_array_del_idx(c->notes, 0, 1);
			return 1;
		}
		if (c->fd < 0)
			return -1;
		json_object *m;
		int r = recv_json(c, deadline, &m);
		if (r <= 0)
			return r;
		int rc = take_other(c, m);
		json_object_put(m);
		if (rc)
			return -1;
	}
}

int ovsdb_client_transact(struct ovsdb_client *c, const char *db, json_object *ops,
			  json_object **results)
{
	*results = NULL;
	json_object *params = json_object_new_array();
	if (!params) {
		json_object_put(ops);
		return -1;
	}
	json_object_array_add(params, json_object_new_string(db));
	size_t n = json_object_array_length(ops);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(params, json_object_get(json_object_array_get_idx(ops, i)));
	json_object_put(ops);
	if (ovsdb_client_call(c, "transact", params, results) != 0)
		return -1;
	if (!json_object_is_type(*results, json_type_array)) {
		snprintf(c->err, sizeof(c->err), "transact: the result is not an array");
		return -1;
	}
	/* RFC 7047 4.1.3: an "error" member in any result (one per operation,
	 * plus one more when the commit itself failed) means nothing changed */
	size_t nr = json_object_array_length(*results);
	for (size_t i = 0; i < nr; i++) {
		json_object *r = json_object_array_get_idx(*results, i), *e, *d;
		if (r && json_object_object_get_ex(r, "error", &e) && e) {
			const char *details = json_object_object_get_ex(r, "details", &d) && d
				? json_object_get_string(d) : "";
			snprintf(c->err, sizeof(c->err), "%s%s%s", json_object_get_string(e),
				 details[0] ? ": " : "", details);
			return -1;
		}
	}
	if (nr < n) {
		snprintf(c->err, sizeof(c->err), "transact: %zu results for %zu operations", nr, n);
		return -1;
	}
	return 0;
}

int ovsdb_client_conflict(const struct ovsdb_client *c)
{
	/* a unique index (Bridge, Port, Interface names) hit by a row another
	 * client inserted since we read: ovsdb-server says "identical values" */
	return strncmp(c->err, "constraint violation", 20) == 0 &&
	       strstr(c->err, "identical values") != NULL;
}
