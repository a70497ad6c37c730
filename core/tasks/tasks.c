/* tasks.c - task records, the worker pool that runs Async.* calls, the
 * task garbage collector and the task.* API (see tasks.h).
 *
 * Behaviour follows xapi (ocaml/xapi/taskHelper.ml, xapi_task.ml,
 * db_gc_util.ml):
 *  - a cancel request is recorded in current_operations ({key: cancel});
 *    status stays `pending` until the code running the task notices
 *    (xd_task_cancelling) and fails with TASK_CANCELLED, which ends the task
 *    `cancelled`. Clients treat any status other than pending as finished,
 *    so status must not change before the work has really stopped.
 *  - task.destroy of a task a worker is running only marks it ({"task":
 *    destroy}); it goes when the call ends. Other tasks go at once.
 *  - completion writes all fields of the outcome in one transaction, so a
 *    watcher never sees `success` without the result.
 * session.tasks is kept here (the published datamodel has no task.session
 * field to declare a relation on): a new task is added to its session's set,
 * a destroyed one removed from whichever session lists it.
 */
#include "tasks.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "ids.h"
#include "log.h"
#include "strbuf.h"
#include "wire.h"

#define DEFAULT_MAX_AGE_S 3900.0        /* xapi: completed_task_timeout */
#define DEFAULT_MAX_TASKS 200u          /* xapi: max_tasks */
#define PENDING_TIMEOUT_S 86400.0       /* xapi: pending_task_timeout */
#define GC_INTERVAL_S 30.0              /* xapi: db_GC_TIMER */
#define RESTART_REASON "xapid restarted while the task was running"

/* ---- field indices, resolved once ---------------------------------------- */

static const xd_class *task_cls, *session_cls;
static struct {
	int name_label, name_description, allowed_operations, current_operations, created,
	    finished, status, resident_on, progress, type, result, error_info, subtask_of,
	    other_config;
} F;
static int session_tasks = -1;
static pthread_once_t resolve_once = PTHREAD_ONCE_INIT;

static void resolve_fields(void)
{
	const xd_class *c = xd_dm_class("task");
	if (!c)
		return;
	F.name_label = xd_dm_field_index(c, "name_label");
	F.name_description = xd_dm_field_index(c, "name_description");
	F.allowed_operations = xd_dm_field_index(c, "allowed_operations");
	F.current_operations = xd_dm_field_index(c, "current_operations");
	F.created = xd_dm_field_index(c, "created");
	F.finished = xd_dm_field_index(c, "finished");
	F.status = xd_dm_field_index(c, "status");
	F.resident_on = xd_dm_field_index(c, "resident_on");
	F.progress = xd_dm_field_index(c, "progress");
	F.type = xd_dm_field_index(c, "type");
	F.result = xd_dm_field_index(c, "result");
	F.error_info = xd_dm_field_index(c, "error_info");
	F.subtask_of = xd_dm_field_index(c, "subtask_of");
	F.other_config = xd_dm_field_index(c, "other_config");
	const int *all = &F.name_label;
	for (size_t i = 0; i < sizeof(F) / sizeof(int); i++) {
		if (all[i] < 0) {
			xd_err("internal: the task class lacks a field tasks.c needs");
			return;
		}
	}
	session_cls = xd_dm_class("session");
	if (session_cls)
		session_tasks = xd_dm_field_index(session_cls, "tasks");
	task_cls = c;
}

static bool resolved(void)
{
	pthread_once(&resolve_once, resolve_fields);
	return task_cls != NULL;
}

/* ---- small helpers ------------------------------------------------------- */

static bool status_is(const xd_value *v, const char *s)
{
	return v && v->t == XD_V_STRING && strcmp(v->u.s, s) == 0;
}

/* pending and cancelling tasks are still running (xapi's status_is_completed
 * is the complement). */
static bool status_running(const xd_value *v)
{
	return status_is(v, "pending") || status_is(v, "cancelling");
}

static bool map_has_value(const xd_value *map, const char *val)
{
	if (!map || map->t != XD_V_STRUCT)
		return false;
	for (size_t i = 0; i < map->u.st.n; i++)
		if (status_is(map->u.st.m[i].v, val))
			return true;
	return false;
}

static xd_value *string_set1(const char *s)
{
	xd_value *a = xd_array();
	xd_array_append_take(a, xd_string(s));
	return a;
}

/* ---- task records -------------------------------------------------------- */

/* Adds or removes ref in session.tasks; a session that is gone is fine. */
static void session_tasks_add(const char *session, const char *ref)
{
	if (!session || xd_ref_is_null(session) || session_tasks < 0)
		return;
	xd_error err = XD_ERROR_INIT;
	xd_value *item = xd_string(ref);
	xd_db_set_add(session_cls, session, session_tasks, item, &err);
	xd_value_free(item);
	xd_error_clear(&err);
}

typedef struct owners_ctx {
	const char *task;
	xd_value *sessions;
} owners_ctx;

static int find_owner(const char *ref, const xd_value *const *fields, void *ud)
{
	owners_ctx *cx = ud;
	const xd_value *set = fields[session_tasks];
	if (set->t != XD_V_ARRAY)
		return 0;
	for (size_t i = 0; i < set->u.arr.n; i++)
		if (status_is(set->u.arr.items[i], cx->task))
			xd_array_append_take(cx->sessions, xd_string(ref));
	return 0;
}

static void session_tasks_remove(const char *task)
{
	if (session_tasks < 0)
		return;
	owners_ctx cx = { task, xd_array() };
	xd_db_foreach(session_cls, find_owner, &cx);
	xd_value *item = xd_string(task);
	for (size_t i = 0; i < cx.sessions->u.arr.n; i++) {
		xd_error err = XD_ERROR_INIT;
		xd_db_set_remove(session_cls, cx.sessions->u.arr.items[i]->u.s, session_tasks, item,
				 &err);
		xd_error_clear(&err);
	}
	xd_value_free(item);
	xd_value_free(cx.sessions);
}

static int task_destroy(const char *ref, xd_error *err)
{
	if (xd_db_destroy(task_cls, ref, err) < 0)
		return -1;
	session_tasks_remove(ref);
	return 0;
}

/* A new pending task with every field filled. parent: the task this one is
 * a subtask of, or NULL. */
static char *task_new(const char *session, const char *label, const char *description,
		      const char *parent, xd_error *err)
{
	if (!resolved()) {
		xd_error_setf(err, "INTERNAL_ERROR", "the task class is not declared");
		return NULL;
	}
	const xd_field *f = task_cls->fields;
	xd_value *rec = xd_struct();
	xd_struct_set_take(rec, f[F.name_label].name, xd_string(label));
	xd_struct_set_take(rec, f[F.name_description].name, xd_string(description));
	xd_struct_set_take(rec, f[F.allowed_operations].name, string_set1("cancel"));
	xd_struct_set_take(rec, f[F.current_operations].name, xd_struct());
	xd_struct_set_take(rec, f[F.created].name, xd_datetime((int64_t)time(NULL)));
	xd_struct_set_take(rec, f[F.finished].name, xd_datetime(0));
	xd_struct_set_take(rec, f[F.status].name, xd_string("pending"));
	xd_struct_set_take(rec, f[F.resident_on].name, xd_string(xd_this_host()));
	xd_struct_set_take(rec, f[F.progress].name, xd_float(0.0));
	xd_struct_set_take(rec, f[F.type].name, xd_string("<none/>")); /* as xapi */
	xd_struct_set_take(rec, f[F.result].name, xd_string(""));
	xd_struct_set_take(rec, f[F.error_info].name, xd_array());
	xd_struct_set_take(rec, f[F.subtask_of].name, xd_string(parent ? parent : XD_NULL_REF));
	xd_generic_fill_defaults(task_cls, rec); /* uuid, other_config, subtasks, backtrace */
	char *ref = xd_ref_new();
	if (xd_db_create(task_cls, ref, rec, err) < 0) {
		free(ref);
		return NULL;
	}
	session_tasks_add(session, ref);
	return ref;
}

char *xd_task_create(const char *session, const char *label, const char *description,
		     xd_error *err)
{
	return task_new(session, label ? label : "", description ? description : "", NULL, err);
}

/* Ends a running task: status plus result or error_info, progress 1,
 * finished now, no allowed operations; in one transaction. A task that is
 * no longer running is left alone, as xapi does. */
static void task_finish(const char *task, const char *status, const char *result,
			const xd_value *error_info)
{
	xd_error err = XD_ERROR_INIT;
	if (!resolved() || !task)
		return;
	xd_value *st = xd_db_get_field(task_cls, task, F.status);
	if (!st) {
		xd_warn("task %s vanished before it could be marked %s", task, status);
		return;
	}
	bool running = status_running(st);
	if (!running)
		xd_debug("task %s is %s already; not marking it %s", task, st->u.s, status);
	xd_value_free(st);
	if (!running)
		return;

	xd_value *progress = xd_float(1.0), *finished = xd_datetime((int64_t)time(NULL));
	xd_value *none = xd_array(), *status_v = xd_string(status);
	xd_value *result_v = result ? xd_string(result) : NULL;
	xd_db_txn *txn = xd_db_begin();
	xd_db_txn_set_field(txn, task_cls, task, F.progress, progress, &err);
	xd_db_txn_set_field(txn, task_cls, task, F.finished, finished, &err);
	xd_db_txn_set_field(txn, task_cls, task, F.allowed_operations, none, &err);
	if (result_v)
		xd_db_txn_set_field(txn, task_cls, task, F.result, result_v, &err);
	if (error_info)
		xd_db_txn_set_field(txn, task_cls, task, F.error_info, error_info, &err);
	xd_db_txn_set_field(txn, task_cls, task, F.status, status_v, &err);
	if (xd_db_commit(txn, &err) < 0)
		xd_warn("task %s could not be marked %s: %s", task, status, err.code);
	xd_value_free(progress);
	xd_value_free(finished);
	xd_value_free(none);
	xd_value_free(status_v);
	xd_value_free(result_v);
	xd_error_clear(&err);
}

void xd_task_complete(const char *task, const xd_value *result)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_value *empty = NULL;
	if (!result)
		result = empty = xd_string("");
	/* xapi stores the XML-RPC text of the value: <value>OpaqueRef:...</value> */
	xd_xmlrpc_encode_value(&sb, result);
	char *text = xd_strbuf_steal(&sb);
	task_finish(task, "success", text ? text : "", NULL);
	free(text);
	xd_value_free(empty);
}

void xd_task_fail(const char *task, const xd_error *err)
{
	const char *code = err && err->code ? err->code : "INTERNAL_ERROR";
	xd_value *info = xd_array();
	xd_array_append_take(info, xd_string(code));
	if (err && err->code)
		for (size_t i = 0; i < err->nparams; i++)
			xd_array_append_take(info, xd_string(err->params[i]));
	else
		xd_array_append_take(info, xd_string("task failed without an error"));
	task_finish(task, strcmp(code, "TASK_CANCELLED") == 0 ? "cancelled" : "failure", NULL,
		    info);
	xd_value_free(info);
}

void xd_task_set_progress(const char *task, double progress)
{
	if (!resolved() || !task)
		return;
	if (isnan(progress) || progress < 0)
		progress = 0;
	if (progress > 1)
		progress = 1;
	xd_value *cur = xd_db_get_field(task_cls, task, F.progress);
	if (!cur)
		return;
	double old = cur->t == XD_V_FLOAT ? cur->u.f : 0;
	xd_value_free(cur);
	/* every write is a commit and an event: skip the tiny steps */
	if (fabs(progress - old) < 0.01 && !(progress == 1.0 && old != 1.0))
		return;
	xd_error err = XD_ERROR_INIT;
	xd_value *v = xd_float(progress);
	xd_db_set_field(task_cls, task, F.progress, v, &err);
	xd_value_free(v);
	xd_error_clear(&err);
}

void xd_task_set_waiting(const char *task, const char *what)
{
	if (!resolved() || !task)
		return;
	xd_error err = XD_ERROR_INIT;
	if (what) {
		xd_value *v = xd_string(what);
		if (xd_db_map_add(task_cls, task, F.other_config, XD_TASK_WAITING_KEY, v, &err) < 0 &&
		    err.code && strcmp(err.code, "MAP_DUPLICATE_KEY") == 0) {
			/* waiting for something else now */
			xd_error_clear(&err);
			xd_db_map_remove(task_cls, task, F.other_config, XD_TASK_WAITING_KEY, &err);
			xd_error_clear(&err);
			xd_db_map_add(task_cls, task, F.other_config, XD_TASK_WAITING_KEY, v, &err);
		}
		xd_value_free(v);
	} else {
		xd_db_map_remove(task_cls, task, F.other_config, XD_TASK_WAITING_KEY, &err);
	}
	/* a task destroyed meanwhile has nothing to show: not an error */
	xd_error_clear(&err);
}

bool xd_task_cancelling(const char *task)
{
	if (!resolved() || !task)
		return false;
	xd_value *ops = xd_db_get_field(task_cls, task, F.current_operations);
	xd_value *st = ops ? xd_db_get_field(task_cls, task, F.status) : NULL;
	/* a client driving its own task may also have set status cancelling */
	bool yes = map_has_value(ops, "cancel") || status_is(st, "cancelling");
	xd_value_free(ops);
	xd_value_free(st);
	return yes;
}

/* ---- the worker pool ----------------------------------------------------- */

/* One queued Async call with its own copies of everything it needs: the
 * xd_call it came from dies when the request returns. */
typedef struct job {
	struct job *next;
	char *task;
	xd_handler_fn fn;
	char *wire_name;
	char *session;
	xd_value **args;
	size_t nargs;
	xd_peer peer;
	bool has_peer;
	const xd_class *cls;
	const xd_message *msg;
	uint64_t request_id;
} job;

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static job *q_head, *q_tail;
static job *r_head;     /* jobs a worker is running */
static double start_delay; /* test hook: seconds a worker waits before each call */
static pthread_cond_t delay_cv = PTHREAD_COND_INITIALIZER; /* wakes that wait at shutdown */
static bool q_stopping;
static pthread_t *workers;
static unsigned nworkers;

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

static void job_free(job *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->nargs; i++)
		xd_value_free(j->args[i]);
	free(j->args);
	free(j->task);
	free(j->wire_name);
	free(j->session);
	free(j);
}

/* Whether the task is still pending (or being cancelled); false if it is
 * gone or already ended. */
static bool task_running(const char *task)
{
	xd_value *st = xd_db_get_field(task_cls, task, F.status);
	bool yes = status_running(st);
	xd_value_free(st);
	return yes;
}

static void job_run(job *j)
{
	xd_error err = XD_ERROR_INIT;
	xd_log_set_request(j->request_id);
	xd_log_set_task(j->task);
	if (!task_running(j->task)) {
		/* ended while queued (a client set its status, or it is gone) */
		xd_info("%s not run: its task ended before it started", j->wire_name);
		goto out;
	}
	if (xd_task_cancelling(j->task)) {
		/* cancelled while queued: the handler never runs */
		xd_info("%s cancelled before it started", j->wire_name);
		xd_error_set(&err, "TASK_CANCELLED", j->task, NULL);
		xd_task_fail(j->task, &err);
		goto out;
	}
	xd_call call = {
		.wire_name = j->wire_name,
		.cls = j->cls,
		.msg = j->msg,
		.session = j->session,
		.args = j->args,
		.nargs = j->nargs,
		.peer = j->has_peer ? &j->peer : NULL,
		.request_id = j->request_id,
		.task = j->task,
	};
	xd_value *result = j->fn(&call, &err);
	if (result) {
		xd_task_complete(j->task, result);
		xd_value_free(result);
	} else {
		if (!xd_error_is_set(&err))
			xd_error_setf(&err, "INTERNAL_ERROR", "%s failed without saying why",
				      j->wire_name);
		xd_debug("%s -> %s", j->wire_name, err.code);
		xd_task_fail(j->task, &err);
	}
out:
	xd_error_clear(&err);
	xd_log_set_task(NULL);
	xd_log_set_request(0);
}

/* Under q_mu: waits s seconds or until shutdown (the start-delay hook:
 * meanwhile the call can be cancelled before it does anything). */
static void delay_locked(double s)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	double t = (double)until.tv_sec + (double)until.tv_nsec / 1e9 + s;
	until.tv_sec = (time_t)t;
	until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
	while (!q_stopping && pthread_cond_timedwait(&delay_cv, &q_mu, &until) == 0)
		;
}

void xd_tasks_set_start_delay(double seconds)
{
	pthread_mutex_lock(&q_mu);
	start_delay = seconds > 0 && seconds < 3600 ? seconds : 0;
	pthread_mutex_unlock(&q_mu);
}

/* A task.destroy that came while the call ran takes effect once it ended.
 * A mark that lands just after this check is left to the collector, which
 * removes finished marked tasks on its next pass. */
static void destroy_if_marked(const char *task)
{
	xd_value *ops = xd_db_get_field(task_cls, task, F.current_operations);
	bool marked = map_has_value(ops, "destroy");
	xd_value_free(ops);
	if (marked) {
		xd_error err = XD_ERROR_INIT;
		task_destroy(task, &err);
		xd_error_clear(&err);
	}
}

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&q_mu);
		while (!q_head && !q_stopping)
			pthread_cond_wait(&q_cv, &q_mu);
		if (q_stopping) {
			/* queued calls not started stay pending; the next start
			 * marks them failed */
			pthread_mutex_unlock(&q_mu);
			break;
		}
		job *j = q_head;
		q_head = j->next;
		if (!q_head)
			q_tail = NULL;
		/* moved to the running list in the same critical section, so a
		 * task.cancel always finds the job in one list or the other */
		j->next = r_head;
		r_head = j;
		if (start_delay > 0)
			delay_locked(start_delay);
		pthread_mutex_unlock(&q_mu);
		job_run(j);
		pthread_mutex_lock(&q_mu);
		for (job **p = &r_head; *p; p = &(*p)->next) {
			if (*p == j) {
				*p = j->next;
				break;
			}
		}
		pthread_mutex_unlock(&q_mu);
		destroy_if_marked(j->task);
		job_free(j);
	}
	return NULL;
}

/* Under q_mu: removes and returns the queued job of task, or NULL. */
static job *queue_take(const char *task)
{
	job *prev = NULL;
	for (job *j = q_head; j; prev = j, j = j->next) {
		if (strcmp(j->task, task) != 0)
			continue;
		if (prev)
			prev->next = j->next;
		else
			q_head = j->next;
		if (q_tail == j)
			q_tail = prev;
		j->next = NULL;
		return j;
	}
	return NULL;
}

/* Under q_mu: whether a worker is running task. */
static bool running_has(const char *task)
{
	for (job *j = r_head; j; j = j->next)
		if (strcmp(j->task, task) == 0)
			return true;
	return false;
}

char *xd_tasks_submit_async(const xd_call *call, xd_handler_fn fn, xd_error *err)
{
	if (!call || !fn || !call->cls || !call->msg) {
		xd_error_setf(err, "INTERNAL_ERROR", "bad async submission");
		return NULL;
	}
	pthread_mutex_lock(&q_mu);
	bool running = nworkers > 0 && !q_stopping;
	pthread_mutex_unlock(&q_mu);
	if (!running) {
		xd_error_setf(err, "INTERNAL_ERROR", "the task workers are not running");
		return NULL;
	}

	size_t n = strlen(call->cls->name) + strlen(call->msg->name) + 8;
	char *label = malloc(n);
	if (!label)
		abort();
	snprintf(label, n, "Async.%s.%s", call->cls->name, call->msg->name);
	char *task = task_new(call->session, label, "", NULL, err);
	free(label);
	if (!task)
		return NULL;

	job *j = calloc(1, sizeof(*j));
	if (!j)
		abort();
	j->task = xstrdup(task);
	j->fn = fn;
	j->wire_name = xstrdup(call->wire_name ? call->wire_name : "");
	j->session = xstrdup(call->session);
	j->nargs = call->nargs;
	j->args = calloc(call->nargs ? call->nargs : 1, sizeof(*j->args));
	if (!j->args)
		abort();
	for (size_t i = 0; i < call->nargs; i++)
		j->args[i] = call->args[i] ? xd_value_copy(call->args[i]) : NULL;
	if (call->peer) {
		j->peer = *call->peer;
		j->has_peer = true;
	}
	j->cls = call->cls;
	j->msg = call->msg;
	j->request_id = call->request_id;

	/* logged before it is queued: from then on a worker may run and free j */
	xd_debug("%s queued as task %s", j->wire_name, task);
	pthread_mutex_lock(&q_mu);
	if (q_tail)
		q_tail->next = j;
	else
		q_head = j;
	q_tail = j;
	pthread_cond_signal(&q_cv);
	pthread_mutex_unlock(&q_mu);
	return task;
}

/* ---- garbage collection -------------------------------------------------- */

static pthread_mutex_t gc_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gc_cv = PTHREAD_COND_INITIALIZER;
static double gc_max_age = DEFAULT_MAX_AGE_S;
static unsigned gc_max_tasks = DEFAULT_MAX_TASKS;
static bool gc_running;
static pthread_t gc_thread;

void xd_tasks_set_gc(double max_age_s, unsigned max_tasks)
{
	pthread_mutex_lock(&gc_mu);
	if (max_age_s > 0 && !isnan(max_age_s))
		gc_max_age = max_age_s;
	if (max_tasks > 0)
		gc_max_tasks = max_tasks;
	pthread_cond_broadcast(&gc_cv); /* a shorter age takes effect now */
	pthread_mutex_unlock(&gc_mu);
}

typedef struct task_info {
	char *ref;
	bool completed;
	bool destroy_marked;
	int64_t created, finished;
	double progress;
} task_info;

typedef struct task_list {
	task_info *v;
	size_t n, cap;
} task_list;

static task_info *task_list_push(task_list *l, const char *ref, double progress)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	task_info *t = &l->v[l->n++];
	memset(t, 0, sizeof(*t));
	t->ref = xstrdup(ref);
	t->progress = progress;
	return t;
}

static int collect_task(const char *ref, const xd_value *const *fields, void *ud)
{
	task_info *t = task_list_push(ud, ref, 0);
	t->completed = !status_running(fields[F.status]);
	t->destroy_marked = map_has_value(fields[F.current_operations], "destroy");
	t->created = fields[F.created]->u.i;
	t->finished = fields[F.finished]->u.i;
	t->progress = fields[F.progress]->t == XD_V_FLOAT ? fields[F.progress]->u.f : 0;
	return 0;
}

static void task_list_free(task_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].ref);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* Pending tasks past the pending timeout seen by the previous pass, with
 * their progress then: one that has not moved since is hung (xapi's
 * "probation"). Only the collector thread touches it. */
static task_list probation;

static double probation_progress(const char *ref)
{
	for (size_t i = 0; i < probation.n; i++)
		if (strcmp(probation.v[i].ref, ref) == 0)
			return probation.v[i].progress;
	return NAN;
}

static int by_finished_desc(const void *a, const void *b)
{
	const task_info *x = *(task_info *const *)a, *y = *(task_info *const *)b;
	return x->finished < y->finished ? 1 : x->finished > y->finished ? -1 : 0;
}

static void gc_destroy(task_info *t, const char *why)
{
	xd_error err = XD_ERROR_INIT;
	if (!t->completed)
		xd_warn("collecting task %s that was still pending (%s)", t->ref, why);
	else
		xd_debug("collecting task %s (%s)", t->ref, why);
	task_destroy(t->ref, &err);
	xd_error_clear(&err);
}

static void gc_pass(void)
{
	task_list all = { 0 };
	pthread_mutex_lock(&gc_mu);
	double max_age = gc_max_age;
	size_t max_tasks = gc_max_tasks;
	pthread_mutex_unlock(&gc_mu);
	if (!resolved())
		return;
	xd_db_foreach(task_cls, collect_task, &all);

	int64_t now = (int64_t)time(NULL);
	task_list next_probation = { 0 };
	task_info **young = calloc(all.n ? all.n : 1, sizeof(*young));
	if (!young)
		abort();
	size_t nyoung = 0, ncompleted_young = 0;
	for (size_t i = 0; i < all.n; i++) {
		task_info *t = &all.v[i];
		if (t->completed && t->destroy_marked) {
			gc_destroy(t, "destroyed while running");
			continue;
		}
		if (t->completed && (double)(now - t->finished) > max_age) {
			gc_destroy(t, "finished long ago");
			continue;
		}
		if (!t->completed && (double)(now - t->created) > PENDING_TIMEOUT_S) {
			double before = probation_progress(t->ref);
			if (!isnan(before) && !(t->progress - before > 0)) {
				gc_destroy(t, "pending for a day without progress");
				continue;
			}
			task_list_push(&next_probation, t->ref, t->progress);
		}
		young[nyoung++] = t;
		if (t->completed)
			ncompleted_young++;
	}
	task_list_free(&probation);
	probation = next_probation;

	/* Too many: keep every pending task and the newest completed ones. */
	if (nyoung > max_tasks) {
		size_t npending = nyoung - ncompleted_young;
		size_t keep = max_tasks > npending ? max_tasks - npending : 0;
		task_info **completed = calloc(ncompleted_young ? ncompleted_young : 1,
					       sizeof(*completed));
		if (!completed)
			abort();
		size_t nc = 0;
		for (size_t i = 0; i < nyoung; i++)
			if (young[i]->completed)
				completed[nc++] = young[i];
		qsort(completed, nc, sizeof(*completed), by_finished_desc);
		for (size_t i = keep; i < nc; i++)
			gc_destroy(completed[i], "too many tasks");
		if (npending > max_tasks)
			xd_warn("%zu pending tasks, more than the %zu allowed", npending, max_tasks);
		free(completed);
	}
	free(young);
	task_list_free(&all);
}

static void *gc_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gc_mu);
	while (gc_running) {
		/* check often enough that a short max age (tests) is honoured */
		double interval = gc_max_age / 2 < GC_INTERVAL_S ? gc_max_age / 2 : GC_INTERVAL_S;
		if (interval < 1)
			interval = 1;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		double t = (double)until.tv_sec + (double)until.tv_nsec / 1e9 + interval;
		until.tv_sec = (time_t)t;
		until.tv_nsec = (long)((t - (double)until.tv_sec) * 1e9);
		int rc = pthread_cond_timedwait(&gc_cv, &gc_mu, &until);
		if (!gc_running)
			break;
		if (rc == 0)
			continue; /* settings changed: recompute the interval */
		pthread_mutex_unlock(&gc_mu);
		gc_pass();
		pthread_mutex_lock(&gc_mu);
	}
	pthread_mutex_unlock(&gc_mu);
	return NULL;
}

/* ---- start and stop ------------------------------------------------------ */

static int collect_running(const char *ref, const xd_value *const *fields, void *ud)
{
	if (status_running(fields[F.status]))
		xd_array_append_take(ud, xd_string(ref));
	return 0;
}

/* Tasks that were running when the previous xapid stopped can never finish. */
static void fail_leftovers(void)
{
	xd_value *refs = xd_array();
	xd_db_foreach(task_cls, collect_running, refs);
	for (size_t i = 0; i < refs->u.arr.n; i++) {
		xd_error err = XD_ERROR_INIT;
		xd_error_set(&err, "INTERNAL_ERROR", RESTART_REASON, NULL);
		xd_task_fail(refs->u.arr.items[i]->u.s, &err);
		xd_error_clear(&err);
	}
	if (refs->u.arr.n)
		xd_info("%zu task(s) left running by the previous run marked failed",
			refs->u.arr.n);
	xd_value_free(refs);
}

int xd_tasks_init(unsigned n)
{
	if (!resolved()) {
		xd_err("tasks: the task class is not declared");
		return -1;
	}
	if (nworkers > 0)
		return 0;
	if (n == 0)
		n = 1;
	fail_leftovers();
	workers = calloc(n, sizeof(*workers));
	if (!workers)
		abort();
	pthread_mutex_lock(&q_mu);
	q_stopping = false;
	pthread_mutex_unlock(&q_mu);
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&workers[i], NULL, worker_main, NULL) != 0) {
			xd_err("tasks: cannot start worker %u", i);
			break;
		}
		pthread_mutex_lock(&q_mu);
		nworkers++;
		pthread_mutex_unlock(&q_mu);
	}
	if (nworkers == 0) {
		free(workers);
		workers = NULL;
		return -1;
	}
	pthread_mutex_lock(&gc_mu);
	gc_running = pthread_create(&gc_thread, NULL, gc_main, NULL) == 0;
	pthread_mutex_unlock(&gc_mu);
	if (!gc_running)
		xd_warn("tasks: cannot start the collector; finished tasks will pile up");
	return 0;
}

void xd_tasks_shutdown(void)
{
	pthread_mutex_lock(&gc_mu);
	bool had_gc = gc_running;
	gc_running = false;
	pthread_cond_broadcast(&gc_cv);
	pthread_mutex_unlock(&gc_mu);
	if (had_gc)
		pthread_join(gc_thread, NULL);

	pthread_mutex_lock(&q_mu);
	q_stopping = true;
	pthread_cond_broadcast(&q_cv);
	pthread_cond_broadcast(&delay_cv);
	unsigned n = nworkers;
	pthread_mutex_unlock(&q_mu);
	for (unsigned i = 0; i < n; i++)
		pthread_join(workers[i], NULL);
	pthread_mutex_lock(&q_mu);
	job *j = q_head;
	q_head = q_tail = NULL;
	nworkers = 0;
	pthread_mutex_unlock(&q_mu);
	while (j) {
		job *next = j->next;
		job_free(j);
		j = next;
	}
	free(workers);
	workers = NULL;
	task_list_free(&probation);
}

/* ---- the task.* API ------------------------------------------------------ */

static xd_value *h_create(const xd_call *call, xd_error *err)
{
	/* run as Async.task.create, the new task is a subtask of that one */
	char *ref = task_new(call->session, xd_arg_str(call, 0), xd_arg_str(call, 1), call->task,
			     err);
	return ref ? xd_string_take(ref) : NULL;
}

/* task.destroy. A task a worker is running is only marked, as xapi does
 * ({"task": destroy} in current_operations): it goes when its call ends.
 * Any other task goes now, a queued Async call with it (it will not run):
 * nothing here would ever end a pending task.create'd one, and the client
 * asked for it to go. */
static xd_value *h_destroy(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(task_cls, self, err) < 0)
		return NULL;
	pthread_mutex_lock(&q_mu);
	job *queued = queue_take(self);
	bool running = !queued && running_has(self);
	pthread_mutex_unlock(&q_mu);
	if (queued) {
		xd_info("%s dropped: its task was destroyed while queued", queued->wire_name);
		job_free(queued);
	}
	if (!running)
		return task_destroy(self, err) == 0 ? xd_void() : NULL;

	xd_value *ops = xd_db_get_field(task_cls, self, F.current_operations);
	bool marked = map_has_value(ops, "destroy");
	xd_value_free(ops);
	if (!marked) {
		xd_value *v = xd_string("destroy");
		int rc = xd_db_map_add(task_cls, self, F.current_operations, "task", v, err);
		xd_value_free(v);
		if (rc < 0)
			return NULL;
	}
	return xd_void();
}

static bool set_has(const xd_value *set, const char *s)
{
	if (!set || set->t != XD_V_ARRAY)
		return false;
	for (size_t i = 0; i < set->u.arr.n; i++)
		if (status_is(set->u.arr.items[i], s))
			return true;
	return false;
}

/* task.cancel. A queued Async call is dropped and its task ends cancelled
 * at once. A running one gets xapi's request ({key: cancel} in
 * current_operations) and stays pending until its handler notices (clients
 * read any other status as "finished"). A task no worker runs (task.create,
 * HTTP transfers) also shows status cancelling: whoever drives it ends it. */
static xd_value *h_cancel(const xd_call *call, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	xd_value *st = xd_db_get_field(task_cls, self, F.status);
	xd_value *ops = st ? xd_db_get_field(task_cls, self, F.current_operations) : NULL;
	xd_value *allowed = st ? xd_db_get_field(task_cls, self, F.allowed_operations) : NULL;
	xd_value *out = NULL;
	char *key = NULL;
	if (!st) {
		xd_error_set(err, "HANDLE_INVALID", "task", self, NULL);
		goto done;
	}
	if (!status_running(st)) {
		char why[96];
		snprintf(why, sizeof why, "the task has already finished (status %s)",
			 st->t == XD_V_STRING ? st->u.s : "?");
		xd_error_set(err, "OPERATION_NOT_ALLOWED", why, NULL);
		goto done;
	}
	if (!set_has(allowed, "cancel")) {
		xd_error_set(err, "OPERATION_NOT_ALLOWED", "the task cannot be cancelled", NULL);
		goto done;
	}

	pthread_mutex_lock(&q_mu);
	job *queued = queue_take(self);
	bool running = !queued && running_has(self);
	pthread_mutex_unlock(&q_mu);
	if (queued) {
		xd_error cancelled = XD_ERROR_INIT;
		xd_info("%s cancelled while queued (task %s)", queued->wire_name, self);
		xd_error_set(&cancelled, "TASK_CANCELLED", self, NULL);
		xd_task_fail(self, &cancelled);
		xd_error_clear(&cancelled);
		job_free(queued);
		out = xd_void();
		goto done;
	}
	if (!map_has_value(ops, "cancel")) {
		/* xapi keys the request by the cancelling call's own task */
		key = call->task ? xstrdup(call->task) : xd_ref_new();
		xd_value *v = xd_string("cancel");
		int rc = xd_db_map_add(task_cls, self, F.current_operations, key, v, err);
		xd_value_free(v);
		if (rc < 0)
			goto done;
	}
	if (!running && status_is(st, "pending")) {
		xd_value *v = xd_string("cancelling");
		int rc = xd_db_set_field(task_cls, self, F.status, v, err);
		xd_value_free(v);
		if (rc < 0)
			goto done;
	}
	xd_info("cancel requested for task %s", self);
	out = xd_void();
done:
	free(key);
	xd_value_free(st);
	xd_value_free(ops);
	xd_value_free(allowed);
	return out;
}

/* task.set_status/set_progress/set_result/set_error_info: clients driving
 * their own tasks write the field as given (xapi checks nothing more). */
static xd_value *set_task_field(const xd_call *call, int field, xd_error *err)
{
	const char *self = xd_arg_str(call, 0);
	if (xd_check_ref(task_cls, self, err) < 0)
		return NULL;
	if (xd_db_set_field(task_cls, self, field, call->args[1], err) < 0)
		return NULL;
	return xd_void();
}

static xd_value *h_set_status(const xd_call *call, xd_error *err)
{
	return set_task_field(call, F.status, err);
}

static xd_value *h_set_progress(const xd_call *call, xd_error *err)
{
	return set_task_field(call, F.progress, err);
}

static xd_value *h_set_result(const xd_call *call, xd_error *err)
{
	return set_task_field(call, F.result, err);
}

static xd_value *h_set_error_info(const xd_call *call, xd_error *err)
{
	return set_task_field(call, F.error_info, err);
}

static xd_value *h_set_resident_on(const xd_call *call, xd_error *err)
{
	return set_task_field(call, F.resident_on, err);
}

void xd_tasks_register_api(void)
{
	static const struct {
		const char *name;
		xd_handler_fn fn;
	} handlers[] = {
		{ "create", h_create },
		{ "destroy", h_destroy },
		{ "cancel", h_cancel },
		{ "set_status", h_set_status },
		{ "set_progress", h_set_progress },
		{ "set_result", h_set_result },
		{ "set_error_info", h_set_error_info },
		{ "set_resident_on", h_set_resident_on },
	};
	if (!resolved())
		return;
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (xd_dm_message(task_cls, handlers[i].name)) /* only what is declared */
			xd_rpc_register("task", handlers[i].name, handlers[i].fn);
}
