/* log.h - the one logger.
 *
 * Every line carries a timestamp, the level, and (when set on the calling
 * thread) the request id and the task ref, so that everything said about one
 * request can be grepped. Writes to stderr (foreground) or to a log file.
 */
#ifndef XD_LOG_H
#define XD_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum { XD_LOG_DEBUG, XD_LOG_INFO, XD_LOG_WARN, XD_LOG_ERROR } xd_log_level;

/* Returns 0 and sets *out for "debug", "info", "warn", "error"; -1 otherwise. */
int xd_log_level_parse(const char *s, xd_log_level *out);
void xd_log_set_level(xd_log_level lvl);
/* NULL: stderr. Returns 0 or -1 (file could not be opened). */
int xd_log_set_file(const char *path);

/* Also sends every line to a syslog receiver over UDP (RFC 3164, facility
 * daemon, tag "xapid"), as xapi's host.logging:syslog_destination asks:
 * dest is "host", "host:port" or "[v6addr]:port" (port 514 by default);
 * NULL or "" stops it. 0, or -1 with why (the name does not resolve). */
int xd_log_set_remote(const char *dest, char *why, size_t whylen);

/* Per-thread context added to every line; 0 / NULL clears it. */
void xd_log_set_request(uint64_t request_id);
uint64_t xd_log_get_request(void);
void xd_log_set_task(const char *task_ref);

void xd_log(xd_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define xd_debug(...) xd_log(XD_LOG_DEBUG, __VA_ARGS__)
#define xd_info(...) xd_log(XD_LOG_INFO, __VA_ARGS__)
#define xd_warn(...) xd_log(XD_LOG_WARN, __VA_ARGS__)
#define xd_err(...) xd_log(XD_LOG_ERROR, __VA_ARGS__)

#endif
