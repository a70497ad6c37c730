/* iscsi_util.c - the call context (device-config parsed), errors, logging. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iscsi/iscsi.h>

#include "iscsi_int.h"

int isc_fail(struct isc_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ctx->drv->host->failv(ctx->call, NULL, code, fmt, ap);
	va_end(ap);
	return rc;
}

int isc_fail_detail(struct isc_ctx *ctx, int code, const char *detail, const char *fmt, ...)
{
	const struct xapi_host *h = ctx->drv->host;
	va_list ap;
	va_start(ap, fmt);
	int rc = h->failv(ctx->call, NULL, code, fmt, ap);
	va_end(ap);
	/* a 2.0 core has no fail_detail: the client then gets no XML */
	if (XAPI_CAN(h, struct xapi_host, fail_detail))
		h->fail_detail(ctx->call, detail);
	return rc;
}

void isc_log(struct isc_ctx *ctx, enum xapi_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctx->drv->host->logv(ctx->drv->self, ctx->call, level, fmt, ap);
	va_end(ap);
}

bool isc_uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

static const char *nonempty(const struct isc_drv *drv, const xapi_kv_t *dc, const char *key)
{
	const char *v = drv->host->kv_get(dc, key);
	return v && *v ? v : NULL;
}

int isc_ctx_init(struct isc_ctx *ctx, struct isc_drv *drv, xapi_call_t *call,
		 const xapi_kv_t *dc, const char *sr_uuid)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->drv = drv;
	ctx->call = call;
	ctx->sr_uuid = sr_uuid;
	ctx->lun = -1;
	const char *target = nonempty(drv, dc, "target");
	const char *port = nonempty(drv, dc, "port");
	/* xapi's lvmoiscsi takes a comma-separated list of portals; one here */
	if (!target)
		return isc_fail(ctx, 95, "The request is missing the target parameter");
	if (strlen(target) >= sizeof(ctx->t.host) || strchr(target, ','))
		return isc_fail(ctx, 95, "The request is missing the target parameter "
				"[opterr=one target address, got '%s']", target);
	snprintf(ctx->t.host, sizeof(ctx->t.host), "%s", target);
	ctx->t.port = ISC_DEFAULT_PORT;
	if (port) {
		char *end;
		long p = strtol(port, &end, 10);
		if (*end || p <= 0 || p > 65535)
			return isc_fail(ctx, IE_INVALID_ARG,
					"Invalid argument [opterr=port '%s' is not a TCP port]", port);
		ctx->t.port = (int)p;
	}
	bool v6 = strchr(ctx->t.host, ':') != NULL;
	snprintf(ctx->t.portal, sizeof(ctx->t.portal), v6 ? "[%s]:%d" : "%s:%d", ctx->t.host,
		 ctx->t.port);
	ctx->t.iqn = nonempty(drv, dc, "targetIQN");
	ctx->t.scsiid = nonempty(drv, dc, "SCSIid");
	ctx->t.chapuser = nonempty(drv, dc, "chapuser");
	ctx->t.chappassword = nonempty(drv, dc, "chappassword");
	if (ctx->t.chapuser && !ctx->t.chappassword)
		return isc_fail(ctx, IE_INVALID_ARG,
				"Invalid argument [opterr=chapuser given without chappassword]");
	return 0;
}

void isc_ctx_done(struct isc_ctx *ctx)
{
	if (ctx->iscsi) {
		iscsi_logout_sync(ctx->iscsi);
		iscsi_destroy_context(ctx->iscsi);
		ctx->iscsi = NULL;
	}
}

void isc_xml_text(char *buf, size_t size, const char *s)
{
	size_t n = strlen(buf);
	for (; s && *s && n + 7 < size; s++) {
		const char *e = NULL;
		switch (*s) {
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '&': e = "&amp;"; break;
		case '"': e = "&quot;"; break;
		}
		if (e) {
			memcpy(buf + n, e, strlen(e));
			n += strlen(e);
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
}
