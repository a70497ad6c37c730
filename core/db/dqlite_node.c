/* dqlite_node.c - starting and stopping the embedded dqlite node (see
 * dqlite_node.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dqlite.h>

#include "dqlite_client.h"
#include "dqlite_node.h"

/* Raft messages between nodes: a peer that does not answer within this is
 * treated as gone (the node retries on its own). */
#define PEER_CONNECT_TIMEOUT_S 5.0

struct db_dq_server {
	dqlite_node *node;
	uint64_t id;
	char *address;
};

static int connect_peer(void *arg, const char *address, int *fd)
{
	(void)arg;
	int s = db_dq_dial(address, 0);
	if (s < 0)
		return DQLITE_ERROR;
	/* The node's loop uses the socket non-blocking; a connect timeout
	 * applies only while we dial (the socket has no SO_*TIMEO set). */
	*fd = s;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char *p = strdup(dir);
	if (!p)
		abort();
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = 0;
			if (mkdir(p, 0700) < 0 && errno != EEXIST) {
				free(p);
				return -1;
			}
			*s = '/';
		}
	}
	int rc = mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

db_dq_server *db_dq_server_start(uint64_t id, const char *address, const char *dir,
				 xd_error *err)
{
	/* Ignored for good: libdqlite's writes to a dead peer raise SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (mkdir_p(dir) < 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "dqlite: cannot create %s: %s", dir,
			      strerror(errno));
		return NULL;
	}
	db_dq_server *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->id = id;
	s->address = strdup(address);
	if (!s->address)
		abort();
	int rc = dqlite_node_create(id, address, dir, &s->node);
	if (rc != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "dqlite: cannot create node %llu in %s: %s",
			      (unsigned long long)id, dir,
			      s->node ? dqlite_node_errmsg(s->node) : "out of memory");
		goto fail;
	}
	if (dqlite_node_set_bind_address(s->node, address) != 0 ||
	    dqlite_node_set_connect_func(s->node, connect_peer, NULL) != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "dqlite: cannot bind %s: %s", address,
			      dqlite_node_errmsg(s->node));
		goto fail;
	}
	/* A LAN: heartbeats every ~15 ms, elections after ~150 ms (defaults are
	 * tuned for WANs and make a failover take seconds). */
	dqlite_node_set_network_latency_ms(s->node, 15);
	if (dqlite_node_start(s->node) != 0) {
		xd_error_setf(err, "INTERNAL_ERROR", "dqlite: cannot start node %llu on %s: %s",
			      (unsigned long long)id, address, dqlite_node_errmsg(s->node));
		goto fail;
	}
	return s;
fail:
	if (s->node)
		dqlite_node_destroy(s->node);
	free(s->address);
	free(s);
	return NULL;
}

void db_dq_server_stop(db_dq_server *s)
{
	if (!s)
		return;
	dqlite_node_stop(s->node);
	dqlite_node_destroy(s->node);
	free(s->address);
	free(s);
}

const char *db_dq_server_address(const db_dq_server *s)
{
	return s->address;
}

uint64_t db_dq_server_id(const db_dq_server *s)
{
	return s->id;
}
