/* host_syslog.c - this host's syslog forwarding, from its record's
 * logging:syslog_destination (see firstboot.h). xapi hands the destination
 * to rsyslog for the whole control domain; xapid forwards its own log. */
#include "firstboot.h"

#include <stdio.h>
#include <string.h>

#include "auth/session.h"
#include "db/db.h"
#include "log.h"

int xd_host_syslog_apply(xd_error *err)
{
	const xd_class *c = xd_dm_class("host");
	const char *host = xd_this_host();
	xd_value *logging = host ? xd_db_get_field(c, host, xd_dm_field_index(c, "logging")) : NULL;
	const xd_value *d = logging ? xd_struct_get(logging, "syslog_destination") : NULL;
	const char *dest = d && d->t == XD_V_STRING ? d->u.s : "";
	char why[512];
	int rc = xd_log_set_remote(dest, why, sizeof why);

	if (rc < 0)
		xd_error_setf(err, "INTERNAL_ERROR", "%s", why);
	else if (*dest)
		xd_info("syslog: forwarding the log to %s", dest);
	else
		xd_info("syslog: no remote destination");
	xd_value_free(logging);
	return rc;
}
