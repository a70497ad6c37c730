/* bridge_lock.c - VIF locking on a Linux bridge (port_lock), through
 * libnftables: what xapi does with ebtables on its bridge backend, as
 * rules of the nftables bridge family.
 *
 * Each locked or disabled VIF device has a table of its own,
 * `bridge xapi_lock_<ifname>`, with base chains on the bridge's forward
 * and input hooks (traffic to other ports and to the host) that both jump
 * to one chain of rules. Every rule concerns frames that come in from the
 * VIF: anything else returns at once. Replacing a VIF's rules is one
 * nftables transaction (the table made, deleted, made again with its
 * rules), so there is no moment without rules; "unlocked" and port_remove
 * delete the table. Nothing is remembered between calls (xapi/network.h).
 *
 *   locked:   the VIF's MAC only; ARP only from it and an allowed IPv4
 *             address; IPv4 only from an allowed address; IPv6 only from an
 *             allowed address, and neighbour discovery when one is allowed;
 *             everything else dropped (no allowed address: nothing passes,
 *             as xapi's "locked" without addresses)
 *   disabled: everything dropped
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nftables/libnftables.h>

#include "bridge_int.h"

static void print_set(FILE *f, const char *const *v)
{
	fputs("{ ", f);
	for (size_t i = 0; v && v[i]; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
	fputs(" }", f);
}

static bool has_any(const char *const *v)
{
	return v && v[0];
}

/* The VIF's rules of mode, after the table's (re)creation. */
static void print_rules(FILE *f, const char *table, const char *ifname,
			const struct xapi_port_lock *lock)
{
	const char *r = "add rule bridge";
	fprintf(f, "%s %s vif iifname != \"%s\" return\n", r, table, ifname);
	if (strcmp(lock->mode, "locked") == 0) {
		fprintf(f, "%s %s vif ether saddr != %s drop\n", r, table, lock->mac);
		/* DHCP requests, whatever the addresses: how a locked guest gets
		 * one (xapi's vif rules accept them too) */
		fprintf(f, "%s %s vif ether type ip udp dport 67 accept\n", r, table);
		if (has_any(lock->ipv4_allowed)) {
			fprintf(f, "%s %s vif ether type arp arp saddr ether %s arp saddr ip ", r,
				table, lock->mac);
			print_set(f, lock->ipv4_allowed);
			fputs(" accept\n", f);
			fprintf(f, "%s %s vif ether type ip ip saddr ", r, table);
			print_set(f, lock->ipv4_allowed);
			fputs(" accept\n", f);
		}
		if (has_any(lock->ipv6_allowed)) {
			fprintf(f, "%s %s vif ether type ip6 ip6 saddr ", r, table);
			print_set(f, lock->ipv6_allowed);
			fputs(" accept\n", f);
			/* neighbour discovery and duplicate address detection come from
			 * link-local and unspecified addresses */
			fprintf(f, "%s %s vif ether type ip6 icmpv6 type { nd-neighbor-solicit, "
				   "nd-neighbor-advert, nd-router-solicit } accept\n", r, table);
		}
	}
	fprintf(f, "%s %s vif drop\n", r, table);
}

/* The nftables text that makes the VIF's rules what lock says (lock NULL
 * or unlocked: none). Heap, NULL when out of memory. */
static char *lock_script(const char *ifname, const struct xapi_port_lock *lock)
{
	char table[64];
	snprintf(table, sizeof table, "xapi_lock_%s", ifname);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	/* "add" then "delete": deleting a table that may not exist, in one
	 * transaction (nft 1.0.6 has no "destroy") */
	fprintf(f, "add table bridge %s\ndelete table bridge %s\n", table, table);
	if (lock && strcmp(lock->mode, "unlocked") != 0) {
		fprintf(f, "add table bridge %s\n", table);
		fprintf(f, "add chain bridge %s vif\n", table);
		/* before other filters of the hook (priority filter - 10) */
		fprintf(f, "add chain bridge %s forward { type filter hook forward priority -10; }\n",
			table);
		fprintf(f, "add chain bridge %s input { type filter hook input priority -10; }\n",
			table);
		fprintf(f, "add rule bridge %s forward jump vif\n", table);
		fprintf(f, "add rule bridge %s input jump vif\n", table);
		print_rules(f, table, ifname, lock);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Runs script in one transaction, or fails the call with nft's message. */
static int run_nft(br_state *s, xapi_call_t *call, const char *ifname, const char *script)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return xapi_fail(s->host, call, NULL, 0, "nftables: no context");
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	int rc = XAPI_OK;
	if (nft_run_cmd_from_buffer(nft, script) != 0) {
		const char *e = nft_ctx_get_error_buffer(nft);
		rc = xapi_fail(s->host, call, NULL, 0, "nftables rules of %s: %s", ifname,
			       e && *e ? e : "refused");
	}
	nft_ctx_free(nft);
	return rc;
}

int br_lock_apply(br_state *s, xapi_call_t *call, const char *ifname,
		  const struct xapi_port_lock *lock)
{
	if (br_check_name(s, call, "interface", ifname) != XAPI_OK ||
	    (lock && br_lock_check(s, call, lock) != XAPI_OK))
		return XAPI_E_FAILED;
	char *script = lock_script(ifname, lock);
	if (!script)
		return xapi_fail(s->host, call, NULL, 0, "out of memory");
	int rc = run_nft(s, call, ifname, script);
	free(script);
	return rc;
}

int br_port_lock(void *st, xapi_call_t *call, const char *bridge, const char *ifname,
		 const struct xapi_port_lock *lock, unsigned flags)
{
	br_state *s = st;
	(void)bridge; /* rules match the VIF's device, whichever bridge it is on */
	XAPI_CHECK_FLAGS(s->host, call, flags, 0);
	return br_lock_apply(s, call, ifname, lock);
}

bool br_lock_available(void)
{
	/* a kernel without nf_tables' bridge family refuses the table */
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return false;
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	bool ok = nft_run_cmd_from_buffer(nft, "add table bridge xapi_lock_probe\n"
					       "delete table bridge xapi_lock_probe\n") == 0;
	nft_ctx_free(nft);
	return ok;
}
