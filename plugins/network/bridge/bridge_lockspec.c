/* bridge_lockspec.c - the checks of a VIF locking request (port_lock) that
 * both backends make before they turn it into rules: a known mode, a MAC
 * and addresses that are what they claim to be. The rules are text (nft
 * commands, OpenFlow matches), so nothing else may reach them. */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "bridge_int.h"

/* "aa:bb:cc:dd:ee:ff" (hex digits, either case). */
static bool valid_mac(const char *m)
{
	if (!m || strlen(m) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return false;
	return true;
}

static int check_addrs(br_state *s, xapi_call_t *call, int family, const char *const *v)
{
	unsigned char buf[16];
	for (size_t i = 0; v && v[i]; i++)
		if (inet_pton(family == 4 ? AF_INET : AF_INET6, v[i], buf) != 1)
			return xapi_fail(s->host, call, "INVALID_IP_ADDRESS_SPECIFIED", 0, "%s",
					 v[i]);
	return XAPI_OK;
}

int br_lock_check(br_state *s, xapi_call_t *call, const struct xapi_port_lock *lock)
{
	const char *m = lock->mode ? lock->mode : "";
	if (strcmp(m, "unlocked") && strcmp(m, "locked") && strcmp(m, "disabled"))
		return xapi_fail(s->host, call, NULL, 0, "locking mode '%s': unlocked, locked "
				 "or disabled", m);
	if (strcmp(m, "locked") == 0 && !valid_mac(lock->mac))
		return xapi_fail(s->host, call, "MAC_INVALID", 0, "%s", lock->mac ? lock->mac : "");
	if (check_addrs(s, call, 4, lock->ipv4_allowed) != XAPI_OK ||
	    check_addrs(s, call, 6, lock->ipv6_allowed) != XAPI_OK)
		return XAPI_E_FAILED;
	return XAPI_OK;
}
