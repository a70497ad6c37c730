/* error.c - XenAPI errors (see error.h).
 *
 * The new error is built completely before the old one is released, so a
 * caller may pass strings that live inside the error being replaced (for
 * example re-raising with one of its own params). */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (!p)
		abort();
	memcpy(p, s, n);
	return p;
}

/* Replaces *err with a fresh error; params beyond the maximum are dropped
 * (no XenAPI error has that many). NULL params become "". */
static void error_install(xd_error *err, const char *code, const char *const *params,
			  size_t n)
{
	xd_error fresh = XD_ERROR_INIT;
	size_t i;

	if (n > XD_ERROR_MAX_PARAMS)
		n = XD_ERROR_MAX_PARAMS;
	fresh.code = xstrdup(code ? code : "INTERNAL_ERROR");
	for (i = 0; i < n; i++)
		fresh.params[i] = xstrdup(params[i] ? params[i] : "");
	fresh.nparams = n;
	xd_error_clear(err);
	*err = fresh;
}

int xd_error_set(xd_error *err, const char *code, ...)
{
	const char *params[XD_ERROR_MAX_PARAMS];
	const char *p;
	size_t n = 0;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, code);
	while ((p = va_arg(ap, const char *)) != NULL)
		if (n < XD_ERROR_MAX_PARAMS)
			params[n++] = p;
	va_end(ap);
	error_install(err, code, params, n);
	return -1;
}

int xd_error_setf(xd_error *err, const char *code, const char *fmt, ...)
{
	char buf[1024];
	const char *param = buf;
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	error_install(err, code, &param, 1);
	return -1;
}

int xd_error_setv(xd_error *err, const char *code, const char *const *params, size_t n)
{
	if (!err)
		return -1;
	error_install(err, code, params, params ? n : 0);
	return -1;
}

void xd_error_clear(xd_error *err)
{
	size_t i;

	if (!err)
		return;
	free(err->code);
	for (i = 0; i < err->nparams; i++)
		free(err->params[i]);
	memset(err, 0, sizeof(*err));
}

int xd_error_copy(xd_error *dst, const xd_error *src)
{
	if (!dst)
		return -1;
	if (dst == src)
		return 0;
	if (!src || !src->code) {
		xd_error_clear(dst);
		return 0;
	}
	error_install(dst, src->code, (const char *const *)src->params, src->nparams);
	return 0;
}
