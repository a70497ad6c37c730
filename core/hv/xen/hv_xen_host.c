/* hv_xen_host.c - host-wide operations of the xen backend (see
 * hv_xen_host.h). */
#define _GNU_SOURCE
#include "hv_xen_host.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Xen's ring is 16 KiB by default and grows with conring_size= (up to a
 * few MiB): the buffer doubles until one read leaves room to spare. */
#define CONRING_FIRST (64u * 1024u)
#define CONRING_MAX (64u * 1024u * 1024u)

char *xd_hv_xen_read_conring(xc_interface *xch, xd_error *err)
{
	for (unsigned size = CONRING_FIRST; size <= CONRING_MAX; size *= 2) {
		char *buf = malloc(size + 1);
		unsigned n = size;

		if (!buf) {
			xd_error_setf(err, "INTERNAL_ERROR", "out of memory");
			return NULL;
		}
		/* not cleared, not incremental: the whole ring from its start */
		if (xc_readconsolering(xch, buf, &n, 0, 0, NULL) != 0) {
			xd_error_setf(err, "INTERNAL_ERROR", "xc_readconsolering failed: %s",
				      strerror(errno));
			free(buf);
			return NULL;
		}
		if (n < size) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
	}
	xd_error_setf(err, "INTERNAL_ERROR", "the console ring is larger than %u bytes",
		      CONRING_MAX);
	return NULL;
}

int xd_hv_xen_debug_keys(xc_interface *xch, const char *keys, xd_error *err)
{
	if (xc_send_debug_keys(xch, keys) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "xc_send_debug_keys failed: %s",
				     strerror(errno));
	return 0;
}

int xd_hv_xen_set_hostname(const char *name, const char *hostname_file, xd_error *err)
{
	FILE *f;

	if (sethostname(name, strlen(name)) != 0)
		return xd_error_setf(err, "INTERNAL_ERROR", "sethostname(%s) failed: %s", name,
				     strerror(errno));
	f = fopen(hostname_file, "w");
	if (!f)
		return xd_error_setf(err, "INTERNAL_ERROR", "%s: %s", hostname_file, strerror(errno));
	bool written = fprintf(f, "%s\n", name) >= 0;
	if (fclose(f) != 0 || !written)
		return xd_error_setf(err, "INTERNAL_ERROR", "%s: %s", hostname_file,
				     strerror(errno));
	return 0;
}
