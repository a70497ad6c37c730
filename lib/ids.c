/* ids.c - UUIDs (version 4, RFC 4122) and OpaqueRefs (see ids.h).
 *
 * Random bytes come from getrandom(2) without flags: it blocks only until
 * the kernel pool is first initialised, and never returns short for the
 * 16 bytes asked here except on EINTR, which is retried. */
#include "ids.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static void random_bytes(uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* No randomness means we would hand out guessable
			 * session refs: refusing to run is the safe answer. */
			abort();
		}
		got += (size_t)r;
	}
}

static void uuid_format(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t b[16];
	size_t i, o = 0;

	random_bytes(b, sizeof(b));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0xf];
	}
	out[o] = '\0';
}

char *xd_uuid_new(void)
{
	char *s = malloc(37);

	if (!s)
		abort();
	uuid_format(s);
	return s;
}

char *xd_ref_new(void)
{
	static const char prefix[] = "OpaqueRef:";
	char *s = malloc(sizeof(prefix) - 1 + 37);

	if (!s)
		abort();
	memcpy(s, prefix, sizeof(prefix) - 1);
	uuid_format(s + sizeof(prefix) - 1);
	return s;
}

bool xd_uuid_valid(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return s[36] == '\0';
}

bool xd_ref_is_null(const char *ref)
{
	return !ref || !*ref || strcmp(ref, XD_NULL_REF) == 0;
}
