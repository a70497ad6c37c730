/* mock_run.c - host->run of the mock host: the helper really runs (no
 * shell, PATH lookup), stdout and stderr captured, killed at its timeout,
 * by xapid's worker's own code (core/loader/worker/plugin_run.c, compiled
 * into this archive), so that a driver meets the same behaviour in its
 * unit tests as in xapid. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_int.h"

int mock_run(xapi_call_t *call, const char *const argv[], int timeout_ms, const char **output)
{
	if (output)
		*output = NULL;
	char *out = NULL;
	int rc = argv && argv[0] ? xd_worker_run(argv, timeout_ms, &out) : -1;
	if (!out && (!argv || !argv[0]))
		out = strdup("run: no program given");
	if (call && call->m->verbose)
		fprintf(stderr, "# run %s -> %d%s%s\n", argv && argv[0] ? argv[0] : "(nothing)", rc,
			out && *out ? ": " : "", out ? out : "");
	if (!call || !out) {
		/* outside an op there is nothing to tie the output's life to */
		free(out);
		return rc;
	}
	pthread_mutex_lock(&call->m->lock);
	char **grown = realloc(call->outputs, (call->noutputs + 1) * sizeof(char *));
	if (grown) {
		call->outputs = grown;
		call->outputs[call->noutputs++] = out;
		if (output)
			*output = out;
	} else {
		free(out);
	}
	call->r.runs++;
	pthread_mutex_unlock(&call->m->lock);
	return rc;
}
