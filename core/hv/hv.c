/* hv.c - picks the hypervisor backend at start-up (see hv.h).
 *
 * "xen" is chosen only when a hypervisor answers; otherwise start-up fails
 * with the reason, or, when the configuration allows it, logs one warning
 * and runs on the simulated host instead.
 */
#include "hv.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hv_int.h"
#include "log.h"

static pthread_mutex_t select_lock = PTHREAD_MUTEX_INITIALIZER;
static const xd_hv_ops *current;

/* Closes whatever backend is open. Caller holds select_lock. */
static void close_current(void)
{
	if (current == xd_hv_xen_ops())
		xd_hv_xen_close();
	else if (current == xd_hv_sim_ops())
		xd_hv_sim_reset();
	current = NULL;
}

int xd_hv_init(const char *name, bool fallback_to_sim, xd_error *err)
{
	char why[512] = "";
	int rc = -1;

	pthread_mutex_lock(&select_lock);
	close_current();
	if (!name || strcmp(name, "sim") == 0) {
		current = xd_hv_sim_ops();
		xd_info("hypervisor backend: sim (simulated host)");
		rc = 0;
		goto out;
	}
	if (strcmp(name, "xen") != 0) {
		xd_error_set(err, "INVALID_VALUE", "backend", name, NULL);
		goto out;
	}
	if (xd_hv_xen_open(why, sizeof(why)) == 0) {
		current = xd_hv_xen_ops();
		xd_info("hypervisor backend: xen");
		rc = 0;
		goto out;
	}
	if (!fallback_to_sim) {
		xd_error_setf(err, "INTERNAL_ERROR", "xen backend unavailable: %s", why);
		goto out;
	}
	xd_warn("xen backend unavailable (%s); falling back to the simulated host (sim)", why);
	current = xd_hv_sim_ops();
	rc = 0;
out:
	pthread_mutex_unlock(&select_lock);
	return rc;
}

/* Never NULL: before xd_hv_init (unit tests of the layers above) the
 * simulated host answers. */
const xd_hv_ops *xd_hv(void)
{
	const xd_hv_ops *ops;

	pthread_mutex_lock(&select_lock);
	ops = current ? current : xd_hv_sim_ops();
	pthread_mutex_unlock(&select_lock);
	return ops;
}

void xd_hv_shutdown(void)
{
	pthread_mutex_lock(&select_lock);
	close_current();
	/* the sim keeps state even when it was not selected (tests use it directly) */
	xd_hv_sim_reset();
	pthread_mutex_unlock(&select_lock);
}

void xd_hv_host_info_clear(xd_hv_host_info *h)
{
	if (!h)
		return;
	free(h->version);
	free(h->sched_policy);
	free(h->capabilities);
	memset(h, 0, sizeof *h);
}
