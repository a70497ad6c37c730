/* vm_memory_live.c - VM.wait_memory_target_live, as xapi's: waits (as the
 * awaiting_memory_live operation) until the running domain holds its
 * balloon target, within 1 MiB; gives up after 256 s
 * (VM_MEMORY_TARGET_WAIT_TIMEOUT [task]) or when its task is cancelled
 * (TASK_CANCELLED [task]). (VM.set_shadow_multiplier_live is vm_settings.c's.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "rpc/rpc.h"
#include "tasks/tasks.h"
#include "vm_int.h"

#define MiB (1024LL * 1024LL)
#define WAIT_TOLERANCE MiB            /* xapi's wait_memory_target_tolerance_bytes */
#define WAIT_TIMEOUT_S 256.0          /* xapi's wait_memory_target_timeout */
#define WAIT_POLL_NS (250 * 1000000L)

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int wait_target(const xd_call *call, int domid, xd_error *err)
{
	const char *task = call->task ? call->task : XD_NULL_REF;
	double deadline = now_s() + WAIT_TIMEOUT_S;
	struct timespec poll = { 0, WAIT_POLL_NS };

	for (;;) {
		xd_hv_dominfo di;
		int64_t target;

		if (now_s() > deadline)
			return xd_error_set(err, "VM_MEMORY_TARGET_WAIT_TIMEOUT", task, NULL);
		if (call->task && xd_task_cancelling(call->task))
			return xd_error_set(err, "TASK_CANCELLED", task, NULL);
		/* a stopping xapid does not wait out the guest */
		if (xd_rpc_stopping())
			return xd_error_setf(err, "INTERNAL_ERROR", "xapid is stopping");
		if (xd_hv()->info(domid, &di, err) < 0 ||
		    xd_hv()->memory_target(domid, &target, err) < 0)
			return -1;
		if (llabs(di.memory_actual - target) <= WAIT_TOLERANCE)
			return 0;
		nanosleep(&poll, NULL);
	}
}

static xd_value *h_wait_memory_target_live(const xd_call *call, xd_error *err)
{
	const char *vm = xd_arg_str(call, 0);
	const xd_class *c = xd_dm_class("VM");
	xd_value *domid;
	char *key = NULL;
	int rc;

	if (xd_check_ref(c, vm, err) < 0 ||
	    xd_vm_op_begin(call, vm, "awaiting_memory_live", &key, err) < 0)
		return NULL;
	domid = xd_db_get_field(c, vm, xd_dm_field_index(c, "domid"));
	rc = wait_target(call, domid && domid->t == XD_V_INT ? (int)domid->u.i : -1, err);
	if (rc < 0)
		xd_vm_fix_error(err, vm);
	xd_value_free(domid);
	xd_vm_op_end(vm, key);
	free(key);
	return rc < 0 ? NULL : xd_void();
}

void xd_api_vm_memory_live_register(void)
{
	xd_rpc_register("VM", "wait_memory_target_live", h_wait_memory_target_live);
}
