/* log_int.h - what log.c and log_remote.c share (internal to the logger). */
#ifndef XD_LOG_INT_H
#define XD_LOG_INT_H

#include <stddef.h>
#include <time.h>

/* The line (without its newline) to the remote syslog receiver, if one is
 * set; severity as syslog's (3 error ... 7 debug). */
void xd_log_remote_send(int severity, const struct tm *utc, const char *msg, size_t len);

#endif
