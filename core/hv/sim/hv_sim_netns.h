/* hv_sim_netns.h - named network namespaces (/run/netns/<name>, as
 * `ip netns` makes them, so that `ip netns exec` reaches them too) and
 * netlink sockets inside one, for the simulated host's network
 * (hv_sim_net.c). A thread of xapid never changes namespace for longer
 * than the making of a socket.
 *
 * Owns: nothing global. */
#ifndef XD_HV_SIM_NETNS_H
#define XD_HV_SIM_NETNS_H

#include <stdbool.h>

#include "error.h"

struct nl_sock;

/* Makes the namespace `name` unless it exists. 0, or -1 with err. */
int xd_netns_make(const char *name, xd_error *err);
/* Removes it (its devices go with it); nothing if it is not there. */
void xd_netns_remove(const char *name);
bool xd_netns_exists(const char *name);
/* An fd of the namespace (O_CLOEXEC), or -1. */
int xd_netns_fd(const char *name);
/* A NETLINK_ROUTE socket connected inside namespace `name` (NULL: this
 * thread's own): free with nl_socket_free. NULL with err on failure. */
struct nl_sock *xd_netns_socket(const char *name, xd_error *err);

#endif
