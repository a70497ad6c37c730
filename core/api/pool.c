/* pool.c - pool messages with behaviour. */
#include "api.h"
#include "auth/session.h"
#include "db/db.h"
#include "generic/generic.h"
#include "rpc/rpc.h"

/* pool.get_master is the implicit getter; what pools add later (join,
 * eject, designate_new_master) lands here. For now: the one-host facts. */
static xd_value *h_sync_database(const xd_call *call, xd_error *err)
{
	/* one host, one database: every commit is already durable on return */
	return xd_void();
}

void xd_api_pool_register(void)
{
	xd_rpc_register("pool", "sync_database", h_sync_database);
}
