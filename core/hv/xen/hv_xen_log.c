/* hv_xen_log.c - a xentoollog logger writing through log.h (see hv_xen_log.h). */
#include "hv_xen_log.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef struct xd_xtl {
	xentoollog_logger vtable;  /* first: the libraries see only this */
	pthread_mutex_t lock;      /* the libraries log from any thread */
	bool quiet;
	pid_t owner;               /* the process that made it (see log_vmessage) */
	char first_error[1024];
} xd_xtl;

static xd_log_level level_of(xentoollog_level lvl)
{
	if (lvl >= XTL_ERROR)
		return XD_LOG_ERROR;
	if (lvl == XTL_WARN)
		return XD_LOG_WARN;
	if (lvl >= XTL_PROGRESS)
		return XD_LOG_INFO;
	return XD_LOG_DEBUG;
}

static void log_vmessage(xentoollog_logger *logger, xentoollog_level lvl, int errnoval,
			 const char *context, const char *format, va_list al)
{
	xd_xtl *x = (xd_xtl *)logger;
	char msg[1024];
	bool quiet;
	int n;

	n = vsnprintf(msg, sizeof(msg), format, al);
	if (n >= 0 && errnoval >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s", strerror(errnoval));
	if (getpid() != x->owner) {
		/* a child libxl forked, before its exec: another thread of the
		 * parent may have held x->lock at the fork; stderr needs none */
		ssize_t w = write(STDERR_FILENO, msg, strnlen(msg, sizeof(msg)));
		w = write(STDERR_FILENO, "\n", 1);
		(void)w;
		return;
	}
	pthread_mutex_lock(&x->lock);
	quiet = x->quiet;
	if (quiet && lvl >= XTL_ERROR && !x->first_error[0])
		snprintf(x->first_error, sizeof(x->first_error), "%s", msg);
	pthread_mutex_unlock(&x->lock);
	xd_log(quiet ? XD_LOG_DEBUG : level_of(lvl), "xen: %s%s%s", context ? context : "",
	       context ? ": " : "", msg);
}

static void log_progress(xentoollog_logger *logger, const char *context, const char *doing_what,
			 int percent, unsigned long done, unsigned long total)
{
	/* the start and the end of each step are enough for a log */
	if (done == 0 || percent >= 100)
		xd_debug("xen: %s%s%s %d%%", context ? context : "", context ? ": " : "",
			 doing_what ? doing_what : "", percent);
}

static void log_destroy(xentoollog_logger *logger)
{
	xd_xtl *x = (xd_xtl *)logger;

	pthread_mutex_destroy(&x->lock);
	free(x);
}

xentoollog_logger *xd_hv_xen_logger_new(bool quiet)
{
	xd_xtl *x = calloc(1, sizeof(*x));

	if (!x)
		abort();
	x->vtable.vmessage = log_vmessage;
	x->vtable.progress = log_progress;
	x->vtable.destroy = log_destroy;
	pthread_mutex_init(&x->lock, NULL);
	x->quiet = quiet;
	x->owner = getpid();
	return &x->vtable;
}

void xd_hv_xen_logger_set_quiet(xentoollog_logger *lg, bool quiet)
{
	xd_xtl *x = (xd_xtl *)lg;

	pthread_mutex_lock(&x->lock);
	x->quiet = quiet;
	pthread_mutex_unlock(&x->lock);
}

const char *xd_hv_xen_logger_first_error(xentoollog_logger *lg)
{
	return ((xd_xtl *)lg)->first_error;
}

void xd_hv_xen_logger_free(xentoollog_logger *lg)
{
	xtl_logger_destroy(lg);
}
