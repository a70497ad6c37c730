/* host_admin.c - the host's administration messages, as xapi's:
 *   host.dmesg              the hypervisor's console ring (hv backend)
 *   host.send_debug_keys    keys injected into the hypervisor
 *   host.set_hostname_live  checks the name (HOST_NAME_INVALID), gives it to
 *                           the machine where the backend may (xen), records
 *                           it and renames the control domain
 *   host.syslog_reconfigure applies logging:syslog_destination
 *   host.shutdown_agent     xapid stops cleanly a second later
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "generic/generic.h"
#include "host/firstboot.h"
#include "hv/hv.h"
#include "log.h"
#include "rpc/rpc.h"

#define DOM0_STEM "Control domain on host: "

static xd_value *h_dmesg(const xd_call *call, xd_error *err)
{
	char *text;

	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0)
		return NULL;
	text = xd_hv()->dmesg(err);
	return text ? xd_string_take(text) : NULL;
}

static xd_value *h_send_debug_keys(const xd_call *call, xd_error *err)
{
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0 ||
	    xd_hv()->send_debug_keys(xd_arg_str(call, 1), err) < 0)
		return NULL;
	return xd_void();
}

/* xapi's rule: letters, digits, '-' and '.', not starting or ending with '-'. */
static const char *hostname_problem(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "hostname empty";
	if (len > 255)
		return "hostname is too long";
	if (name[0] == '-' || name[len - 1] == '-')
		return "hostname contains invalid characters";
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return "hostname contains invalid characters";
	return NULL;
}

static int set_string(const char *cls, const char *ref, const char *field, const char *s,
		      xd_error *err)
{
	const xd_class *c = xd_dm_class(cls);
	xd_value *v = xd_string(s);
	int rc = xd_db_set_field(c, ref, xd_dm_field_index(c, field), v, err);

	xd_value_free(v);
	return rc;
}

/* xapi's update_domain_zero_name: the control domain keeps a name of its
 * own, and follows the host's only while it has the default one. */
static int rename_control_domain(const char *host, const char *hostname, xd_error *err)
{
	const xd_class *hc = xd_dm_class("host"), *vc = xd_dm_class("VM");
	xd_value *dom0 = xd_db_get_field(hc, host, xd_dm_field_index(hc, "control_domain"));
	xd_value *name = NULL;
	char full[300];
	int rc = 0;

	if (dom0 && dom0->t == XD_V_STRING && xd_db_exists(vc, dom0->u.s))
		name = xd_db_get_field(vc, dom0->u.s, xd_dm_field_index(vc, "name_label"));
	snprintf(full, sizeof full, DOM0_STEM "%s", hostname);
	if (name && name->t == XD_V_STRING && strncmp(name->u.s, DOM0_STEM, strlen(DOM0_STEM)) == 0 &&
	    strcmp(name->u.s, full) != 0)
		rc = set_string("VM", dom0->u.s, "name_label", full, err);
	xd_value_free(name);
	xd_value_free(dom0);
	return rc;
}

static pthread_mutex_t hostname_lock = PTHREAD_MUTEX_INITIALIZER;

static xd_value *h_set_hostname_live(const xd_call *call, xd_error *err)
{
	const char *host = xd_arg_str(call, 0), *name = xd_arg_str(call, 1);
	const char *problem;
	int rc;

	if (xd_check_ref(call->cls, host, err) < 0)
		return NULL;
	problem = hostname_problem(name);
	if (problem) {
		xd_error_set(err, "HOST_NAME_INVALID", problem, NULL);
		return NULL;
	}
	/* one rename at a time: the machine's name and the record agree */
	pthread_mutex_lock(&hostname_lock);
	rc = xd_hv()->set_hostname(name, err);
	if (rc == 0)
		rc = set_string("host", host, "hostname", name, err);
	if (rc == 0)
		rc = rename_control_domain(host, name, err);
	pthread_mutex_unlock(&hostname_lock);
	return rc < 0 ? NULL : xd_void();
}

static xd_value *h_syslog_reconfigure(const xd_call *call, xd_error *err)
{
	/* as xapi: the destination is this host's, whichever host is named */
	if (xd_check_ref(call->cls, xd_arg_str(call, 0), err) < 0 || xd_host_syslog_apply(err) < 0)
		return NULL;
	return xd_void();
}

/* xapi lights a one-second fuse, so that the call's answer gets out. */
static void *stop_after_a_second(void *unused)
{
	(void)unused;
	sleep(1);
	xd_info("host.shutdown_agent: stopping");
	kill(getpid(), SIGTERM);
	return NULL;
}

static xd_value *h_shutdown_agent(const xd_call *call, xd_error *err)
{
	pthread_t t;
	pthread_attr_t a;
	int rc;

	(void)call;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &a, stop_after_a_second, NULL);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "cannot start the shutdown thread");
		return NULL;
	}
	xd_info("host.shutdown_agent: xapid stops in 1 s");
	return xd_void();
}

void xd_api_host_admin_register(void)
{
	xd_rpc_register("host", "dmesg", h_dmesg);
	xd_rpc_register("host", "send_debug_keys", h_send_debug_keys);
	xd_rpc_register("host", "set_hostname_live", h_set_hostname_live);
	xd_rpc_register("host", "syslog_reconfigure", h_syslog_reconfigure);
	xd_rpc_register("host", "shutdown_agent", h_shutdown_agent);
}
