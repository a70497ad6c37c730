/* tasks.h - task objects and the worker pool that runs Async.* calls.
 *
 * Owns: the fixed pool of worker threads and the queue of pending async
 * calls. Task records live in the db ("task" class); this module is the only
 * writer of their status/progress/result/error_info.
 */
#ifndef XD_TASKS_H
#define XD_TASKS_H

#include <stdbool.h>

#include "error.h"
#include "rpc/rpc.h"

/* Starts nworkers threads; marks tasks left pending by a previous run as
 * failed (INTERNAL_ERROR "xapid restarted"). */
int xd_tasks_init(unsigned nworkers);
/* Stops taking work, lets running calls finish, joins the workers. */
void xd_tasks_shutdown(void);

/* Creates a task for an Async call (name_label "Async.<class>.<message>",
 * session = call->session) and queues the call, with the handler and its
 * args (copied). Returns the task ref (new string) or NULL with err set. */
char *xd_tasks_submit_async(const xd_call *call, xd_handler_fn fn, xd_error *err);

/* Creates a pending task not tied to a worker (task.create, HTTP transfers,
 * internal work). Returns the ref (new string). */
char *xd_task_create(const char *session, const char *label, const char *description,
		     xd_error *err);
/* For the code running a task: progress in [0,1]; true if a cancel was
 * requested (the caller then fails with TASK_CANCELLED [task]). */
void xd_task_set_progress(const char *task, double progress);
bool xd_task_cancelling(const char *task);
/* For the code running a task that has to wait for another operation:
 * what (e.g. "SR OpaqueRef:... scan OpaqueRef:<task>") goes into the
 * task's other_config under XD_TASK_WAITING_KEY while it waits, so that
 * clients see why it makes no progress; NULL removes it. */
#define XD_TASK_WAITING_KEY "waiting_for"
void xd_task_set_waiting(const char *task, const char *what);
/* Completion: success with a result value (encoded into the XML-RPC value
 * string xapi stores in task.result) or failure with err. */
void xd_task_complete(const char *task, const xd_value *result);
void xd_task_fail(const char *task, const xd_error *err);

/* Garbage collection of finished tasks, as xapi's: completed tasks older
 * than max_age_s (default 3900 s = 65 min) are destroyed, and beyond
 * max_tasks (default 200) the oldest completed ones go first; pending ones
 * are kept unless older than a day with no progress. Callable at any time. */
void xd_tasks_set_gc(double max_age_s, unsigned max_tasks);

/* Test hook (config task_start_delay, in the spirit of xapi's fist points):
 * a worker waits this long before it starts each Async call, so tests can
 * cancel calls deterministically before they do anything. 0 (default): off. */
void xd_tasks_set_start_delay(double seconds);

/* Registers the task.* handlers (create, destroy, cancel, set_status ...). */
void xd_tasks_register_api(void);

#endif
