/* log.c - the one logger (see log.h).
 *
 * Each line is built completely in the calling thread and written with one
 * locked fwrite, so lines from different threads never interleave. The
 * request id and task ref live in thread-local storage set by the rpc layer.
 * Control characters in messages are escaped so one entry stays one line
 * (messages often quote client input). */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "log_int.h"
#include "strbuf.h"

static atomic_int log_level = XD_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL: stderr; guarded by log_lock */
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static _Thread_local uint64_t tl_request;
/* "OpaqueRef:" + uuid is 46 bytes; longer refs are cut for the log only. */
static _Thread_local char tl_task[80];

static const char *const level_names[] = { "debug", "info", "warn", "error" };

/* A child forked while another thread held log_lock (libxl forks its
 * hotplug scripts from a multi-threaded xapid, and may log before it
 * execs) would wait for it forever: fork takes the lock first and both
 * sides let go of it after. */
static void lock_for_fork(void)
{
	pthread_mutex_lock(&log_lock);
	xd_log_remote_lock();
}

static void unlock_after_fork(void)
{
	xd_log_remote_unlock();
	pthread_mutex_unlock(&log_lock);
}

static void register_atfork(void)
{
	pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

int xd_log_level_parse(const char *s, xd_log_level *out)
{
	int i;

	if (!s)
		return -1;
	for (i = XD_LOG_DEBUG; i <= XD_LOG_ERROR; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			if (out)
				*out = (xd_log_level)i;
			return 0;
		}
	}
	return -1;
}

void xd_log_set_level(xd_log_level lvl)
{
	atomic_store(&log_level, (int)lvl);
}

int xd_log_set_file(const char *path)
{
	FILE *f = NULL;

	if (path) {
		f = fopen(path, "a");
		if (!f)
			return -1;
	}
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

uint64_t xd_log_get_request(void)
{
	return tl_request;
}

void xd_log_set_request(uint64_t request_id)
{
	tl_request = request_id;
}

void xd_log_set_task(const char *task_ref)
{
	if (!task_ref) {
		tl_task[0] = '\0';
		return;
	}
	snprintf(tl_task, sizeof(tl_task), "%s", task_ref);
}

static void put_sanitized(xd_strbuf *sb, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 || c == '\t')
			continue;
		xd_strbuf_append(sb, run, (size_t)(s - run));
		if (c == '\n')
			xd_strbuf_puts(sb, "\\n");
		else if (c == '\r')
			xd_strbuf_puts(sb, "\\r");
		else
			xd_strbuf_printf(sb, "\\x%02x", c);
		run = s + 1;
	}
	xd_strbuf_append(sb, run, (size_t)(s - run));
}

/* The UTC calendar fields of t, computed here: glibc's gmtime_r takes its
 * time zone lock, which a child forked while another thread logged would
 * wait for forever (days to a proleptic Gregorian date: March-based years,
 * 400-year eras of 146097 days). */
static void utc_fields(time_t t, struct tm *out)
{
	long long days = (long long)t / 86400, secs = (long long)t % 86400;
	long long era, doe, yoe, doy, mp, y;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468; /* from 1970-01-01 to 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	memset(out, 0, sizeof(*out));
	out->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	out->tm_year = (int)(y + (out->tm_mon <= 1) - 1900);
	out->tm_hour = (int)(secs / 3600);
	out->tm_min = (int)(secs / 60 % 60);
	out->tm_sec = (int)(secs % 60);
}

void xd_log(xd_log_level lvl, const char *fmt, ...)
{
	xd_strbuf line = XD_STRBUF_INIT;
	char stackmsg[512];
	char *msg = stackmsg;
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if ((int)lvl < atomic_load(&log_level) || lvl > XD_LOG_ERROR)
		return;

	va_start(ap, fmt);
	n = vsnprintf(stackmsg, sizeof(stackmsg), fmt, ap);
	va_end(ap);
	if (n < 0)
		goto out;
	if ((size_t)n >= sizeof(stackmsg)) {
		msg = malloc((size_t)n + 1);
		if (!msg)
			goto out;
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	/* Drop one trailing newline: callers sometimes add it, we always do. */
	if (n > 0 && msg[n - 1] == '\n')
		msg[n - 1] = '\0';

	clock_gettime(CLOCK_REALTIME, &ts);
	utc_fields(ts.tv_sec, &tm);
	xd_strbuf_printf(&line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000000L, level_names[lvl]);
	if (tl_request)
		xd_strbuf_printf(&line, " [req %llu]", (unsigned long long)tl_request);
	if (tl_task[0])
		xd_strbuf_printf(&line, " [task %s]", tl_task);
	xd_strbuf_putc(&line, ' ');
	put_sanitized(&line, msg);
	xd_strbuf_putc(&line, '\n');

	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&log_lock);
	{
		FILE *f = log_file ? log_file : stderr;

		fwrite(line.data, 1, line.len, f);
		fflush(f);
	}
	pthread_mutex_unlock(&log_lock);
	{
		static const int severity[] = { 7, 6, 4, 3 }; /* debug info warning err */

		xd_log_remote_send(severity[lvl], &tm, line.data, line.len - 1);
	}
out:
	if (msg != stackmsg)
		free(msg);
	xd_strbuf_free(&line);
}
