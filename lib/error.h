/* error.h - XenAPI errors as they travel from where they happen to the wire.
 *
 * A struct xd_error holds a XenAPI error code and its parameters exactly as
 * they will appear in ErrorDescription ([code, params...]). Functions that can
 * fail take an `xd_error *err` and fill it; the rpc layer encodes it unchanged.
 * Owns: its code and params (heap copies).
 */
#ifndef XD_ERROR_H
#define XD_ERROR_H

#include <stddef.h>

#define XD_ERROR_MAX_PARAMS 16

typedef struct xd_error {
	char *code;                          /* NULL when no error is set */
	char *params[XD_ERROR_MAX_PARAMS];
	size_t nparams;
} xd_error;

#define XD_ERROR_INIT { 0 }

/* Sets the error (replacing any previous one). The parameters are a
 * NULL-terminated list of strings. Always returns -1 so that callers can
 * write `return xd_error_set(err, "HANDLE_INVALID", cls, ref, NULL);`. */
int xd_error_set(xd_error *err, const char *code, ...)
	__attribute__((sentinel));
/* Same with a printf-formatted single parameter, for INTERNAL_ERROR etc. */
int xd_error_setf(xd_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets from an array of params. */
int xd_error_setv(xd_error *err, const char *code, const char *const *params, size_t n);
void xd_error_clear(xd_error *err);
int xd_error_copy(xd_error *dst, const xd_error *src);
static inline int xd_error_is_set(const xd_error *err) { return err && err->code != NULL; }

#endif
