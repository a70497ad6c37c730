/* pool_db.c - benchmark 13's engine: write latency and writes per second of
 * the object store (db.h) on local sqlite and on dqlite, through the same
 * interface xapid uses, in one process.
 *
 * Usage: pool_db MODE DIR N
 *   MODE  sqlite (a file in DIR), dqlite1 (one dqlite node: a one-host
 *         pool), dqlite3 (the db's node and two more voters started here)
 *   N     writes from one thread, each committed on return (one commit
 *         each), then N writes from 8 threads at once (the writer thread
 *         groups them into shared commits)
 * Prints "key value" lines: mean_ms p99_ms max_ms per_s (1 thread),
 * per_s_8 (8 threads).
 * Build: linked against the build's libxapid (see bench/pool.py).
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "db/dqlite_client.h"
#include "db/dqlite_node.h"
#include "dm.h"
#include "ids.h"
#include "log.h"

#define THREADS 8

static const xd_class *VM;
static char *vm_ref;
static int name_idx;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0)
		exit(2);
	close(fd);
	return ntohs(a.sin_port);
}

static int write_one(long i)
{
	char name[64];
	snprintf(name, sizeof(name), "bench %ld", i);
	xd_value *v = xd_string(name);
	xd_error err = XD_ERROR_INIT;
	int rc = xd_db_set_field(VM, vm_ref, name_idx, v, &err);
	if (rc < 0) {
		fprintf(stderr, "write: %s %s\n", err.code, err.nparams ? err.params[0] : "");
		xd_error_clear(&err);
	}
	xd_value_free(v);
	return rc;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static long per_thread;

static void *worker(void *arg)
{
	long base = (long)(intptr_t)arg * per_thread;
	for (long i = 0; i < per_thread; i++)
		if (write_one(base + i) < 0)
			return (void *)1;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return fprintf(stderr, "usage: pool_db sqlite|dqlite1|dqlite3 DIR N\n"), 2;
	const char *mode = argv[1], *dir = argv[2];
	long n = atol(argv[3]);
	xd_log_set_level(XD_LOG_ERROR);
	if (xd_dm_init() < 0)
		return 2;
	VM = xd_dm_class("VM");
	name_idx = xd_dm_field_index(VM, "name_label");

	char path[1024], addr[64];
	db_dq_server *extra[2] = { NULL, NULL };
	char extra_addr[2][64];
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", free_port());
	if (strcmp(mode, "sqlite") == 0)
		snprintf(path, sizeof(path), "%s/xapi.db", dir);
	else
		snprintf(path, sizeof(path), "dqlite:%s/node1?id=1&address=%s", dir, addr);
	xd_error err = XD_ERROR_INIT;
	if (xd_db_open(path, &err) < 0) {
		fprintf(stderr, "open %s: %s\n", path, err.nparams ? err.params[0] : err.code);
		return 1;
	}
	if (strcmp(mode, "dqlite3") == 0) {
		char eb[256];
		db_dq_conn *c = db_dq_connect(addr, 5, eb, sizeof(eb));
		for (int i = 0; i < 2 && c; i++) {
			char d[1024];
			snprintf(extra_addr[i], sizeof(extra_addr[i]), "127.0.0.1:%d", free_port());
			snprintf(d, sizeof(d), "%s/node%d", dir, i + 2);
			extra[i] = db_dq_server_start((uint64_t)i + 2, extra_addr[i], d, &err);
			if (!extra[i] || db_dq_add(c, (uint64_t)i + 2, extra_addr[i]) < 0 ||
			    db_dq_assign(c, (uint64_t)i + 2, DB_DQ_VOTER) < 0) {
				fprintf(stderr, "cannot add node %d: %s\n", i + 2, db_dq_errmsg(c));
				return 1;
			}
		}
		if (!c)
			return fprintf(stderr, "%s\n", eb), 1;
		db_dq_close(c);
	}

	/* one VM, its name rewritten: the smallest write that commits */
	xd_value *r = xd_struct();
	for (size_t i = 0; i < VM->nfields; i++)
		xd_struct_set_take(r, VM->fields[i].name, xd_dm_default_value(&VM->fields[i]));
	xd_struct_set_take(r, "uuid", xd_string_take(xd_uuid_new()));
	vm_ref = xd_ref_new();
	if (xd_db_create(VM, vm_ref, r, &err) < 0)
		return fprintf(stderr, "create: %s\n", err.code), 1;

	double *lat = malloc((size_t)n * sizeof(*lat));
	double t0 = now_ms();
	for (long i = 0; i < n; i++) {
		double a = now_ms();
		if (write_one(i) < 0)
			return 1;
		lat[i] = now_ms() - a;
	}
	double total = now_ms() - t0;
	qsort(lat, (size_t)n, sizeof(*lat), cmp_d);
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += lat[i];
	printf("mean_ms %.3f\np99_ms %.3f\nmax_ms %.3f\nper_s %.0f\n", sum / (double)n,
	       lat[(size_t)((double)n * 0.99)], lat[n - 1], (double)n / total * 1e3);

	per_thread = n / THREADS;
	pthread_t th[THREADS];
	t0 = now_ms();
	for (intptr_t i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)i);
	int bad = 0;
	for (int i = 0; i < THREADS; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		bad |= ret != NULL;
	}
	total = now_ms() - t0;
	if (bad)
		return 1;
	printf("per_s_8 %.0f\n", (double)(per_thread * THREADS) / total * 1e3);
	free(lat);
	free(vm_ref);
	xd_db_close();
	for (int i = 0; i < 2; i++)
		db_dq_server_stop(extra[i]);
	return 0;
}
