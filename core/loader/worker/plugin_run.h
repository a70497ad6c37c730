/* plugin_run.h - host->run's work: a helper program started without a shell
 * (argv[0] looked up in PATH), its stdout and stderr captured, killed at its
 * timeout. Needs nothing but libc, so that the SDK's mock host
 * (sdk/mock/mock_run.c) runs helpers with this very code. */
#ifndef XD_PLUGIN_RUN_H
#define XD_PLUGIN_RUN_H

/* argv without a shell, stdout and stderr captured into *output (heap, may
 * be NULL), killed after timeout_ms (<= 0: no limit). Returns the exit
 * status, or -1 if it could not run or was killed. */
int xd_worker_run(const char *const argv[], int timeout_ms, char **output);

#endif
