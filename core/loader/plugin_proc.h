/* plugin_proc.h - the core's side of one worker process: starting
 * xapid-plugin-worker (posix_spawn: never a fork without exec in this
 * threaded daemon), talking to it, stopping it, and saying how it ended.
 *
 * Owns: the worker's pid, its socket and the read buffer. Not thread safe:
 * one thread uses a given worker at a time (plugins.c hands them out).
 */
#ifndef XD_PLUGIN_PROC_H
#define XD_PLUGIN_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "plugin_proto.h"
#include "value.h"

typedef struct xd_wproc {
	pid_t pid;               /* 0: no process */
	int fd;                  /* -1: none */
	xd_pp_reader reader;
} xd_wproc;

#define XD_WPROC_INIT { 0, -1, { 0 } }

/* Starts the worker for plugin `name` in a process group of its own and
 * sends it init with the settings (a struct of strings). so_fd: the .so,
 * open (the worker gets it as XD_PP_WORKER_SO_FD and loads that, so_path
 * is for its messages), or -1 to let the worker open so_path. netns: a
 * network namespace the worker enters first (NULL: none). Returns 0, or
 * -1 with *why (heap). */
int xd_wproc_spawn(xd_wproc *w, const char *worker_path, const char *name, const char *so_path,
		   int so_fd, const char *netns, const xd_value *settings, char **why);

/* Sends a message (borrowed): 0, or -1 if the worker is gone. */
int xd_wproc_send(xd_wproc *w, json_object *msg);
/* The next message within timeout_ms (see xd_pp_recv). */
xd_pp_status xd_wproc_recv(xd_wproc *w, int timeout_ms, json_object **out);

/* Has the process ended (reaped here if so)? *how (heap) then says how. */
bool xd_wproc_ended(xd_wproc *w, char **how);
/* After EOF on its socket: waits a moment for the process to end (kills it
 * if it does not) and returns how it ended, e.g. "crashed (signal 11)",
 * "exited with status 3" (heap). Leaves w empty. */
char *xd_wproc_reap(xd_wproc *w);
/* Kills the whole process group at once and reaps. Leaves w empty. */
void xd_wproc_kill(xd_wproc *w);
/* Asks it to finish (bye: the plugin's fini runs), waits up to grace_ms,
 * then kills. Leaves w empty. */
void xd_wproc_stop(xd_wproc *w, int grace_ms);

/* "crashed (signal 11)" / "exited with status 3" for a waitpid status. */
char *xd_wproc_describe_status(int status);

#endif
