/* hv_xen_log.h - the xentoollog logger given to libxl, libxenctrl and
 * libxenstore: their messages go through log.h (with a "xen:" prefix)
 * instead of to stderr.
 *
 * A quiet logger (for probing whether a hypervisor is there, where failing
 * is expected) logs everything at debug level and keeps the first error
 * message, which becomes the reason given for the backend being unavailable.
 * Owns: its logger; free with xd_hv_xen_logger_free.
 */
#ifndef XD_HV_XEN_LOG_H
#define XD_HV_XEN_LOG_H

#include <stdbool.h>
#include <xentoollog.h>

xentoollog_logger *xd_hv_xen_logger_new(bool quiet);
/* Quiet or not from now on (a probe that succeeded becomes the real one). */
void xd_hv_xen_logger_set_quiet(xentoollog_logger *lg, bool quiet);
/* The first error logged while quiet ("" if none). Valid until freed. */
const char *xd_hv_xen_logger_first_error(xentoollog_logger *lg);
void xd_hv_xen_logger_free(xentoollog_logger *lg);

#endif
