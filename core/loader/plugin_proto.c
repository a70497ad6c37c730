/* plugin_proto.c - length-prefixed JSON messages over a stream socket
 * (see plugin_proto.h). */
#include "plugin_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const char *const xd_pp_sr_op_names[XD_PP_SR_NOPS] = {
	"sr_probe",    "sr_create",  "sr_delete",    "sr_attach",  "sr_detach",     "sr_scan",
	"sr_update",   "vdi_create", "vdi_delete",   "vdi_snapshot", "vdi_clone",   "vdi_resize",
	"vdi_attach",  "vdi_detach", "vdi_introduce", "vdi_update",
};

int xd_pp_sr_op_index(const char *name)
{
	for (int i = 0; name && i < XD_PP_SR_NOPS; i++)
		if (strcmp(xd_pp_sr_op_names[i], name) == 0)
			return i;
	return -1;
}

const char *const xd_pp_net_op_names[XD_PP_NET_NOPS] = {
	"probe",         "pif_scan",   "bridge_ensure", "bridge_destroy", "port_add",
	"port_remove",   "vlan_add",   "vlan_remove",   "bond_add",       "bond_remove",
	"ip_configure",  "link_query", "link_set",      "tunnel_add",     "tunnel_remove",
	"port_lock",     "bridge_ports",
};

int xd_pp_net_op_index(const char *name)
{
	for (int i = 0; name && i < XD_PP_NET_NOPS; i++)
		if (strcmp(xd_pp_net_op_names[i], name) == 0)
			return i;
	return -1;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		/* MSG_NOSIGNAL: a dead peer is an EPIPE to report, not a signal. */
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int xd_pp_send(int fd, json_object *msg)
{
	size_t len = 0;
	const char *text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
	if (!text || len > XD_PP_MAX_MSG) {
		errno = EMSGSIZE;
		return -1;
	}
	/* One buffer, one send in the common case: the header and the text
	 * cannot be interleaved with another writer's by a short write. */
	char *frame = malloc(len + 4);
	if (!frame) {
		errno = ENOMEM;
		return -1;
	}
	frame[0] = (char)((len >> 24) & 0xff);
	frame[1] = (char)((len >> 16) & 0xff);
	frame[2] = (char)((len >> 8) & 0xff);
	frame[3] = (char)(len & 0xff);
	memcpy(frame + 4, text, len);
	int rc = send_all(fd, frame, len + 4);
	free(frame);
	return rc;
}

void xd_pp_reader_free(xd_pp_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

xd_pp_status xd_pp_take(xd_pp_reader *r, json_object **out)
{
	*out = NULL;
	if (r->len < 4)
		return XD_PP_TIMEOUT;
	const unsigned char *h = (const unsigned char *)r->buf;
	size_t len = ((size_t)h[0] << 24) | ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
	if (len > XD_PP_MAX_MSG)
		return XD_PP_BAD;
	if (r->len < 4 + len)
		return XD_PP_TIMEOUT;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return XD_PP_BAD;
	json_object *msg = json_tokener_parse_ex(tok, r->buf + 4, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	/* The whole frame must be exactly one JSON object. */
	bool whole = jerr == json_tokener_success && json_tokener_get_parse_end(tok) == len;
	json_tokener_free(tok);
	if (!whole || !msg || !json_object_is_type(msg, json_type_object)) {
		json_object_put(msg);
		return XD_PP_BAD;
	}
	memmove(r->buf, r->buf + 4 + len, r->len - 4 - len);
	r->len -= 4 + len;
	*out = msg;
	return XD_PP_MSG;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads what is there into the buffer: >0 bytes, 0 EOF, -1 error. */
static ssize_t fill(int fd, xd_pp_reader *r)
{
	if (r->cap - r->len < 65536) {
		size_t ncap = r->cap ? r->cap * 2 : 65536;
		while (ncap - r->len < 65536)
			ncap *= 2;
		char *nb = realloc(r->buf, ncap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap = ncap;
	}
	for (;;) {
		ssize_t n = read(fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0)
			r->len += (size_t)n;
		return n;
	}
}

xd_pp_status xd_pp_recv(int fd, xd_pp_reader *r, int timeout_ms, json_object **out)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		xd_pp_status st = xd_pp_take(r, out);
		if (st != XD_PP_TIMEOUT)
			return st;
		int wait = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			wait = left > 0 ? (int)(left > 1000000 ? 1000000 : left) : 0;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int pr = poll(&p, 1, wait);
		if (pr < 0) {
			if (errno == EINTR)
				continue;
			return XD_PP_EOF;
		}
		if (pr == 0)
			return XD_PP_TIMEOUT;
		ssize_t n = fill(fd, r);
		if (n <= 0) {
			/* A frame cut short by EOF is still just EOF: the peer died. */
			return XD_PP_EOF;
		}
	}
}

const char *xd_pp_str(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t xd_pp_int(json_object *o, const char *key, int64_t dflt)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return dflt;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v);
	if (json_object_is_type(v, json_type_boolean))
		return json_object_get_boolean(v) ? 1 : 0;
	return dflt;
}

double xd_pp_double(json_object *o, const char *key, double dflt)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return dflt;
	if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int))
		return json_object_get_double(v);
	return dflt;
}

json_object *xd_pp_obj(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

json_object *xd_pp_arr(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

json_object *xd_pp_new(const char *type)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "t", json_object_new_string(type));
	return o;
}

void xd_pp_add_str(json_object *o, const char *key, const char *s)
{
	if (s)
		json_object_object_add(o, key, json_object_new_string(s));
}
