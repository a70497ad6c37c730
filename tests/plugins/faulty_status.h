/* faulty_status.h - the faults of the faulty driver that are about what an
 * op returns and emits (tests/integration/test_plugin_status.py checks the
 * wire error of each; the table is in xapi/plugin.h). Not installed. */
#ifndef TEST_PLUGINS_FAULTY_STATUS_H
#define TEST_PLUGINS_FAULTY_STATUS_H

#include <xapi/plugin.h>

/* If `how` names one of these faults, does it (emitting through h) and
 * returns 1 with *rc the op's return; else returns 0:
 *   st-failed st-unsupported st-invalid st-notfound st-busy st-cancelled
 *   st-nospace   return that status without xapi_fail
 *   eio minus1 positive   return -EIO, -1, 7 (not statuses)
 *   fail-eio     xapi_fail(NULL, 200, ...) then return -EIO
 *   fail-ok      xapi_fail(NULL, 200, ...) then emit and return XAPI_OK
 *   fail-16 fail-24 fail-39 fail-144 fail-0   xapi_fail(NULL, n, ...)
 *   fail-named   xapi_fail("VDI_IO_ERROR", ...)
 *   fail-oddcode xapi_fail("not a code", 5, ...)
 *   noemit       return XAPI_OK without emitting
 *   loc-empty loc-ctrl loc-long loc-utf8 parent-ctrl   emit a VDI whose
 *                location (or parent) is unusable, return XAPI_OK */
int faulty_status_fault(const struct xapi_host *h, xapi_call_t *call, const char *how,
			const char *uuid, int *rc);

#endif
