/* dqlite_node.h - the dqlite node a pool member embeds (libdqlite): a Raft
 * member holding a replica of the pool database, serving the wire protocol
 * on its address. Internal to the db module.
 *
 * The node runs its own thread (libuv loop inside libdqlite). Starting one
 * ignores SIGPIPE for the process (libdqlite writes to peers without
 * MSG_NOSIGNAL: a dead peer would kill the daemon) and gives it our connect
 * function (TCP_NODELAY: without it each Raft round trip may wait 40 ms). */
#ifndef XD_DQLITE_NODE_H
#define XD_DQLITE_NODE_H

#include <stdint.h>

#include "error.h"

typedef struct db_dq_server db_dq_server;

/* Starts node `id` (1 bootstraps a new cluster; others wait to be added by
 * the leader) listening on address ("host:port"), its Raft data in dir
 * (created if needed). NULL on failure with INTERNAL_ERROR. */
db_dq_server *db_dq_server_start(uint64_t id, const char *address, const char *dir,
				 xd_error *err);
/* Stops the node (in-flight requests finish) and frees it. */
void db_dq_server_stop(db_dq_server *s);
const char *db_dq_server_address(const db_dq_server *s);
uint64_t db_dq_server_id(const db_dq_server *s);

#endif
