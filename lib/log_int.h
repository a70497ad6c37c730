/* log_int.h - what log.c and log_remote.c share (internal to the logger). */
#ifndef XD_LOG_INT_H
#define XD_LOG_INT_H

#include <stddef.h>
#include <time.h>

/* The line (without its newline) to the remote syslog receiver, if one is
 * set; severity as syslog's (3 error ... 7 debug). */
void xd_log_remote_send(int severity, const struct tm *utc, const char *msg, size_t len);

/* The remote sender's lock, taken around fork with the logger's own (a
 * child that logs before it execs must not find it held by a thread that
 * is not there). */
void xd_log_remote_lock(void);
void xd_log_remote_unlock(void);

#endif
