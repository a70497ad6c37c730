/* mock_host.c - see mock_host.h. */
#define _GNU_SOURCE /* pipe2 */
#include "mock_host.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool mock_verbose;

static struct mock_plugin *current; /* for config_get */
static char *last_output;           /* run()'s output, valid until the next run */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void m_logv(xapi_plugin_t *self, xapi_call_t *call, enum xapi_log_level level,
		   const char *fmt, va_list ap)
{
	if (!mock_verbose)
		return;
	fprintf(stderr, "# plugin[%d]: ", (int)level);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
}

static const char *m_config_get(xapi_plugin_t *self, const char *key)
{
	for (size_t i = 0; current && i < 8 && current->settings[i][0]; i++)
		if (strcmp(current->settings[i][0], key) == 0)
			return current->settings[i][1];
	return NULL;
}

static const char *m_kv_get(const xapi_kv_t *kv, const char *key)
{
	for (size_t i = 0; kv && i < kv->n; i++)
		if (strcmp(kv->k[i], key) == 0)
			return kv->v[i];
	return NULL;
}

static size_t m_kv_count(const xapi_kv_t *kv)
{
	return kv ? kv->n : 0;
}

static const char *m_kv_key(const xapi_kv_t *kv, size_t i)
{
	return kv && i < kv->n ? kv->k[i] : NULL;
}

static const char *m_kv_value(const xapi_kv_t *kv, size_t i)
{
	return kv && i < kv->n ? kv->v[i] : NULL;
}

static int m_failv(xapi_call_t *call, const char *xenapi_code, int code, const char *fmt,
		   va_list ap)
{
	char buf[4096];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* the first error of a call is the one reported (as the core does) */
	if (!call->fail_msg) {
		call->fail_code = code;
		call->fail_xenapi = dup_or_null(xenapi_code);
		call->fail_msg = strdup(buf);
	}
	if (mock_verbose)
		fprintf(stderr, "# fail %s/%d: %s\n", xenapi_code ? xenapi_code : "-", code, buf);
	return XAPI_E_FAILED;
}

static void m_progress(xapi_call_t *call, double f)
{
}

static int m_cancelled(xapi_call_t *call)
{
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int m_run(xapi_call_t *call, const char *const argv[], int timeout_ms, const char **output)
{
	int fds[2];
	if (call)
		call->runs++;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	long long deadline = now_ms() + timeout_ms;
	bool killed = false;
	for (;;) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		long long left = deadline - now_ms();
		if (left <= 0) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		int r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (len + 1024 > cap)
			out = realloc(out, cap *= 2);
		ssize_t n = read(fds[0], out + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	close(fds[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	free(last_output);
	last_output = out;
	if (output)
		*output = out;
	if (mock_verbose)
		fprintf(stderr, "# run %s ... -> %d %s", argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1, out);
	if (killed || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int m_emit_sr(xapi_call_t *call, const struct xapi_sr_info *sr)
{
	if (call->nsrs == MOCK_MAX)
		return XAPI_E_FAILED;
	struct mock_sr *m = &call->srs[call->nsrs++];
	m->uuid = dup_or_null(sr->uuid);
	m->name_label = dup_or_null(sr->name_label);
	m->physical_size = sr->physical_size;
	m->physical_utilisation = sr->physical_utilisation;
	m->virtual_allocation = sr->virtual_allocation;
	return XAPI_OK;
}

static int m_emit_vdi(xapi_call_t *call, const struct xapi_vdi_info *v)
{
	if (call->nvdis == MOCK_MAX)
		return XAPI_E_FAILED;
	struct mock_vdi *m = &call->vdis[call->nvdis++];
	m->location = dup_or_null(v->location);
	m->uuid = dup_or_null(v->uuid);
	m->name_label = dup_or_null(v->name_label);
	m->snapshot_of = dup_or_null(v->snapshot_of);
	m->parent = dup_or_null(v->parent);
	m->datapath = dup_or_null(v->datapath);
	m->virtual_size = v->virtual_size;
	m->physical_utilisation = v->physical_utilisation;
	m->read_only = v->read_only;
	m->is_a_snapshot = v->is_a_snapshot;
	return XAPI_OK;
}

const struct xapi_host mock_host = {
	.size = sizeof(struct xapi_host),
	.abi_version = XAPI_ABI_VERSION,
	.logv = m_logv,
	.config_get = m_config_get,
	.kv_get = m_kv_get,
	.kv_count = m_kv_count,
	.kv_key = m_kv_key,
	.kv_value = m_kv_value,
	.failv = m_failv,
	.progress = m_progress,
	.cancelled = m_cancelled,
	.run = m_run,
	.emit_sr = m_emit_sr,
	.emit_vdi = m_emit_vdi,
};

int mock_load(const char *so_path, struct mock_plugin *p)
{
	void *h = dlopen(so_path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "# dlopen %s: %s\n", so_path, dlerror());
		return -1;
	}
	xapi_plugin_init_fn *init = (xapi_plugin_init_fn *)dlsym(h, XAPI_PLUGIN_SYMBOL);
	if (!init) {
		fprintf(stderr, "# %s has no %s\n", so_path, XAPI_PLUGIN_SYMBOL);
		return -1;
	}
	current = p;
	int rc = init(&mock_host, (xapi_plugin_t *)p, &p->desc, &p->st);
	if (rc != XAPI_OK)
		fprintf(stderr, "# init of %s: %d\n", so_path, rc);
	return rc == XAPI_OK ? 0 : -1;
}

void mock_call_clear(struct xapi_call *c)
{
	for (size_t i = 0; i < c->nvdis; i++) {
		struct mock_vdi *v = &c->vdis[i];
		free(v->location);
		free(v->uuid);
		free(v->name_label);
		free(v->snapshot_of);
		free(v->parent);
		free(v->datapath);
	}
	for (size_t i = 0; i < c->nsrs; i++) {
		free(c->srs[i].uuid);
		free(c->srs[i].name_label);
	}
	free(c->fail_xenapi);
	free(c->fail_msg);
	memset(c, 0, sizeof(*c));
}

void mock_call_begin(struct xapi_call *c)
{
	mock_call_clear(c);
}

const struct mock_vdi *mock_find_vdi(const struct xapi_call *c, const char *location)
{
	for (size_t i = 0; i < c->nvdis; i++)
		if (c->vdis[i].location && strcmp(c->vdis[i].location, location) == 0)
			return &c->vdis[i];
	return NULL;
}
