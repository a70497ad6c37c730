/* metrics_http.c - the HTTP paths of the metrics, as xapi's rrdd serves
 * them:
 *   GET /rrd_updates?start=T[&cf=AVERAGE|MIN|MAX][&interval=S][&host=true]
 *       [&vm_uuid=U][&sr_uuid=U|all][&json=true]
 *       the rows since T of the host (host=true), of every VM with an
 *       archive (or the one of vm_uuid) and of the SRs asked for, in
 *       rrdtool xport's XML (or xapi's JSON), newest row first; legend
 *       entries CF:kind:uuid:name.
 *   GET /host_rrd, /vm_rrd?uuid=U, /sr_rrd?uuid=U
 *       the whole archive, rrdtool dump XML (rrdtool restore loads it).
 * Credentials as the other data paths (auth/session.h, xd_auth_http).
 * Bad parameters get what xapi's HTTP server answers for an exception in a
 * handler: 500 Internal Error; a uuid without an archive is 404 on the
 * dump paths and is left out of /rrd_updates (as rrdd filters its table). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "auth/session.h"
#include "http/http.h"
#include "log.h"
#include "metrics_int.h"

static void send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void answer(int fd, const char *ctype, const xd_strbuf *body)
{
	char head[256];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n",
			 ctype, body->len);
	send_all(fd, head, (size_t)n);
	send_all(fd, body->data ? body->data : "", body->len);
}

static bool authorised(const xd_http_request *req, const char *what)
{
	xd_http_cred cred;
	int rc = xd_auth_http(req->query, req->authorization, req->peer, what, &cred);
	xd_http_cred_clear(&cred);
	if (rc == 0)
		return true;
	if (rc == -2) { /* the roles lack the path's permission, as xapi */
		const char *forbidden = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
					"Connection: close\r\n\r\n";
		send_all(req->fd, forbidden, strlen(forbidden));
		return false;
	}
	const char *msg = "HTTP/1.1 401 Unauthorised\r\nWWW-Authenticate: Basic realm=\"xapi\"\r\n"
			  "Content-Length: 0\r\nConnection: close\r\n\r\n";
	send_all(req->fd, msg, strlen(msg));
	return false;
}

static bool is_true(const char *query, const char *key)
{
	char *v = xd_http_query_get(query, key);
	bool on = v && (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"));
	free(v);
	return on;
}

/* An integer parameter; false if present and not one. */
static bool int_param(const char *query, const char *key, long long *out, bool *present)
{
	char *v = xd_http_query_get(query, key);
	*present = v != NULL;
	bool ok = true;
	if (v) {
		char *end;
		errno = 0;
		*out = strtoll(v, &end, 10);
		ok = *v && !*end && errno == 0;
	}
	free(v);
	return ok;
}

/* Every value of a repeated key (vm_uuid=a&vm_uuid=b). */
static size_t all_values(const char *query, const char *key, char ***out)
{
	size_t n = 0, klen = strlen(key);
	*out = NULL;
	for (const char *p = query; p && *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
			char pair[256];
			snprintf(pair, sizeof pair, "%.*s", (int)len, p);
			char *v = xd_http_query_get(pair, key);
			char **grown = v ? realloc(*out, (n + 1) * sizeof *grown) : NULL;
			if (grown) {
				*out = grown;
				(*out)[n++] = v;
			} else {
				free(v);
			}
		}
		p = amp ? amp + 1 : NULL;
	}
	return n;
}

static void free_values(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* One object's part of the answer. */
typedef struct part {
	char kind[8], uuid[40];
	xd_mrrd_rows rows;             /* names: the xapi names of the columns */
} part;

static void fail500(int fd, const char *why)
{
	xd_strbuf b = XD_STRBUF_INIT;
	xd_strbuf_printf(&b, "%s\n", why);
	char head[200];
	int n = snprintf(head, sizeof head,
			 "HTTP/1.1 500 Internal Error\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", b.len);
	send_all(fd, head, (size_t)n);
	send_all(fd, b.data, b.len);
	xd_strbuf_free(&b);
}

static bool wanted(const char *kind, const char *uuid, bool host, char **vms, size_t nvms,
		   char **srs, size_t nsrs)
{
	if (!strcmp(kind, "host"))
		return host;
	if (!strcmp(kind, "vm")) {
		if (!nvms)
			return true;
		for (size_t i = 0; i < nvms; i++)
			if (!strcmp(vms[i], uuid))
				return true;
		return false;
	}
	for (size_t i = 0; i < nsrs; i++)
		if (!strcmp(srs[i], "all") || !strcmp(srs[i], uuid))
			return true;
	return false;
}

/* v as printf's "%.15g" (the common cases without printf: /rrd_updates
 * of 1,000 VMs formats 600,000 values). The 15 digits are rounded from a
 * long double product, exact for the powers of ten used. Returns the
 * length written into out (32 bytes). */
static int g15(char *out, double v)
{
	static const long double pow10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L,
					     1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L,
					     1e16L, 1e17L, 1e18L };
	double a = fabs(v);
	if (!(a >= 1e-4 && a < 1e15)) /* zero, tiny, huge: printf */
		return a == 0 ? (out[0] = '0', out[1] = 0, 1) : snprintf(out, 32, "%.15g", v);
	static const long double neg10[] = { 1e-1L, 1e-2L, 1e-3L };
	int e = 0; /* the decimal exponent of a */
	if (a >= 1) {
		while (e < 14 && (long double)a >= pow10[e + 1])
			e++;
	} else {
		e = -4;
		for (int i = 0; i < 3 && e == -4; i++)
			if ((long double)a >= neg10[i])
				e = -1 - i;
	}
	int k = 14 - e; /* 15 significant digits: v x 10^k as an integer */
	long double scaled = k >= 0 ? (long double)a * pow10[k] : (long double)a / pow10[-k];
	/* near a tie the product's own rounding could pick the other side */
	if (fabsl(scaled - floorl(scaled) - 0.5L) < 1e-3L)
		return snprintf(out, 32, "%.15g", v);
	unsigned long long n = (unsigned long long)rintl(scaled);
	if (n >= 1000000000000000ull) { /* rounded up to one more digit */
		if (++e >= 15)
			return snprintf(out, 32, "%.15g", v);
		n = (n + 5) / 10;
	}
	char digits[16];
	for (int i = 14; i >= 0; i--, n /= 10)
		digits[i] = (char)('0' + n % 10);
	int last = 14; /* the last digit to keep: no trailing zeros after the point */
	while (last > (e > 0 ? e : 0) && digits[last] == '0')
		last--;
	int len = 0;
	if (v < 0)
		out[len++] = '-';
	if (e >= 0) {
		for (int i = 0; i <= e; i++)
			out[len++] = digits[i];
		if (last > e) {
			out[len++] = '.';
			for (int i = e + 1; i <= last; i++)
				out[len++] = digits[i];
		}
	} else {
		out[len++] = '0';
		out[len++] = '.';
		for (int i = 0; i < -e - 1; i++)
			out[len++] = '0';
		for (int i = 0; i <= last; i++)
			out[len++] = digits[i];
	}
	out[len] = 0;
	return len;
}

/* v into out (40 bytes), "NaN" when unknown, quoted for JSON. */
static size_t num(char *out, double v, bool json)
{
	size_t n = 0;
	if (json)
		out[n++] = '"';
	if (isnan(v)) {
		memcpy(out + n, "NaN", 3);
		n += 3;
	} else {
		n += (size_t)g15(out + n, v);
	}
	if (json)
		out[n++] = '"';
	return n;
}

/* The values of the part's row at time t (NULL if the part has no such
 * row: all unknown). */
static const double *row_at(const xd_mrrd_rows *r, long long t)
{
	if (!r->step || t <= (long long)r->start || (t - (long long)r->start) % (long long)r->step)
		return NULL;
	unsigned long k = (unsigned long)((t - (long long)r->start) / (long long)r->step) - 1;
	return k < r->rows ? &r->data[k * r->cols] : NULL;
}

static void h_rrd_updates(const xd_http_request *req)
{
	if (!authorised(req, "rrd_updates"))
		return;
	long long start = 0, interval = 0;
	bool has_start, has_interval;
	if (!int_param(req->query, "start", &start, &has_start) || !has_start)
		return fail500(req->fd, "start: an integer (unix time) is required");
	if (!int_param(req->query, "interval", &interval, &has_interval) || interval < 0)
		return fail500(req->fd, "interval: not a number of seconds");
	char *cf = xd_http_query_get(req->query, "cf");
	if (cf && strcmp(cf, "AVERAGE") && strcmp(cf, "MIN") && strcmp(cf, "MAX")) {
		xd_info("rrd_updates: unknown cf %s", cf);
		free(cf);
		return fail500(req->fd, "cf: one of AVERAGE, MIN, MAX");
	}
	const char *cfn = cf ? cf : "AVERAGE";
	bool host = is_true(req->query, "host"), json = is_true(req->query, "json");
	char **vms, **srs;
	size_t nvms = all_values(req->query, "vm_uuid", &vms);
	size_t nsrs = all_values(req->query, "sr_uuid", &srs);
	time_t now = time(NULL);
	if (start < 0) /* relative to now, as xapi's */
		start += now;

	/* the objects asked for, and the names of their columns, all on one
	 * time axis: up to the last round (a stopped VM's archive has NaN
	 * there, as xapi's) */
	part *parts = NULL;
	size_t nparts = 0;
	xd_mstore_lock();
	time_t end = xd_metrics_last_round();
	if (end <= 0)
		end = now;
	if (start >= end)
		start = end - XD_RRD_STEP;
	size_t n;
	xd_mobj **all = xd_mstore_all(&n);
	for (size_t i = 0; i < n; i++) {
		if (!wanted(all[i]->kind, all[i]->uuid, host, vms, nvms, srs, nsrs))
			continue;
		part p;
		memset(&p, 0, sizeof p);
		snprintf(p.kind, sizeof p.kind, "%s", all[i]->kind);
		snprintf(p.uuid, sizeof p.uuid, "%s", all[i]->uuid);
		if (xd_mrrd_fetch(all[i], cfn, (time_t)start, end, (unsigned long)interval,
				  &p.rows) != 0)
			continue;
		part *grown = realloc(parts, (nparts + 1) * sizeof *grown);
		if (!grown) {
			xd_mrrd_fetch_free(&p.rows);
			continue;
		}
		parts = grown;
		parts[nparts++] = p;
	}
	xd_mstore_unlock();

	/* the axis: the first part's step, from its start to the end */
	unsigned long step = nparts ? parts[0].rows.step : (interval ? (unsigned long)interval : 5);
	time_t t_start = nparts ? parts[0].rows.start : (time_t)start;
	time_t t_end = nparts ? parts[0].rows.end : end;
	unsigned long rows = step && t_end > t_start ? (unsigned long)(t_end - t_start) / step : 0;
	unsigned long cols = 0;
	for (size_t i = 0; i < nparts; i++)
		cols += parts[i].rows.cols;

	xd_strbuf sb = XD_STRBUF_INIT;
	if (json) {
		xd_strbuf_printf(&sb, "{\"meta\":{\"start\":%lld,\"step\":%lu,\"end\":%lld,\"rows\":%lu,"
				 "\"columns\":%lu,\"legend\":[", (long long)t_start, step,
				 (long long)t_end, rows, cols);
	} else {
		xd_strbuf_printf(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><xport><meta><start>%lld"
				 "</start><step>%lu</step><end>%lld</end><rows>%lu</rows><columns>"
				 "%lu</columns><legend>", (long long)t_start, step, (long long)t_end,
				 rows, cols);
	}
	bool first = true;
	for (size_t i = 0; i < nparts; i++)
		for (unsigned long c = 0; c < parts[i].rows.cols; c++) {
			if (json)
				xd_strbuf_printf(&sb, "%s\"%s:%s:%s:%s\"", first ? "" : ",", cfn,
						 parts[i].kind, parts[i].uuid, parts[i].rows.names[c]);
			else
				xd_strbuf_printf(&sb, "<entry>%s:%s:%s:%s</entry>", cfn, parts[i].kind,
						 parts[i].uuid, parts[i].rows.names[c]);
			first = false;
		}
	xd_strbuf_puts(&sb, json ? "]},\"data\":[" : "</legend></meta><data>");
	/* newest first, as xapi's */
	for (unsigned long r = rows; r-- > 0;) {
		long long t = (long long)t_start + (long long)((r + 1) * step);
		if (json)
			xd_strbuf_printf(&sb, "%s{\"t\":%lld,\"values\":[", r + 1 == rows ? "" : ",", t);
		else
			xd_strbuf_printf(&sb, "<row><t>%lld</t>", t);
		first = true;
		for (size_t i = 0; i < nparts; i++) {
			const double *row = row_at(&parts[i].rows, t);
			for (unsigned long c = 0; c < parts[i].rows.cols; c++) {
				/* one value into cell, then one append */
				char cell[48];
				size_t w = 0;
				if (json && !first)
					cell[w++] = ',';
				if (!json)
					memcpy(cell + w, "<v>", 3), w += 3;
				w += num(cell + w, row ? row[c] : NAN, json);
				if (!json)
					memcpy(cell + w, "</v>", 4), w += 4;
				xd_strbuf_append(&sb, cell, w);
				first = false;
			}
		}
		xd_strbuf_puts(&sb, json ? "]}" : "</row>");
	}
	xd_strbuf_puts(&sb, json ? "]}" : "</data></xport>");
	answer(req->fd, json ? "application/json" : "text/xml", &sb);
	xd_strbuf_free(&sb);
	for (size_t i = 0; i < nparts; i++) {
		xd_mrrd_fetch_free(&parts[i].rows);
	}
	free(parts);
	free(cf);
	free_values(vms, nvms);
	free_values(srs, nsrs);
}

static void dump_of(const xd_http_request *req, const char *kind, const char *uuid)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_mstore_lock();
	int rc = uuid ? xd_mdump(xd_mstore_obj(kind, uuid, false), &sb) : -1;
	xd_mstore_unlock();
	if (rc != 0) {
		const char *msg = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		send_all(req->fd, msg, strlen(msg));
	} else {
		answer(req->fd, "text/xml", &sb);
	}
	xd_strbuf_free(&sb);
}

static void h_host_rrd(const xd_http_request *req)
{
	if (!authorised(req, "host_rrd"))
		return;
	char uuid[40] = "";
	xd_mstore_lock();
	size_t n;
	xd_mobj **all = xd_mstore_all(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->kind, "host"))
			snprintf(uuid, sizeof uuid, "%s", all[i]->uuid);
	xd_mstore_unlock();
	dump_of(req, "host", uuid[0] ? uuid : NULL);
}

static void obj_rrd(const xd_http_request *req, const char *kind, const char *what)
{
	if (!authorised(req, what))
		return;
	char *uuid = xd_http_query_get(req->query, "uuid");
	bool ok = uuid && *uuid;
	for (const char *p = uuid; ok && *p; p++)
		ok = isxdigit((unsigned char)*p) || *p == '-';
	dump_of(req, kind, ok ? uuid : NULL);
	free(uuid);
}

static void h_vm_rrd(const xd_http_request *req)
{
	obj_rrd(req, "vm", "vm_rrd");
}

static void h_sr_rrd(const xd_http_request *req)
{
	obj_rrd(req, "sr", "sr_rrd");
}

void xd_metrics_http_register(void)
{
	xd_http_register("GET", "/rrd_updates", h_rrd_updates);
	xd_http_register("GET", "/host_rrd", h_host_rrd);
	xd_http_register("GET", "/vm_rrd", h_vm_rrd);
	xd_http_register("GET", "/sr_rrd", h_sr_rrd);
}
