/* vif_mac.c - xapi's generated VIF MACs (Xapi_vif_helpers.gen_mac): the
 * VM's mac_seed hashed with MD5 2*device+1 times; the MAC is bytes 0-3 of
 * that digest and bytes 1-2 of the digest of it, made unicast and locally
 * administered. MD5 (RFC 1321) is written out here: it is only a spreading
 * function for this, and one small routine is cheaper than a library. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "net_api.h"

static uint32_t rotl(uint32_t x, unsigned c)
{
	return (x << c) | (x >> (32 - c));
}

/* The digest of msg[0..len) into out[16]. */
static void md5(const unsigned char *msg, size_t len, unsigned char out[16])
{
	static const unsigned shifts[4][4] = {
		{ 7, 12, 17, 22 }, { 5, 9, 14, 20 }, { 4, 11, 16, 23 }, { 6, 10, 15, 21 }
	};
	uint32_t k[64];
	for (int i = 0; i < 64; i++) /* RFC 1321's table: floor(2^32 * |sin(i + 1)|) */
		k[i] = (uint32_t)(fabs(sin((double)(i + 1))) * 4294967296.0);
	uint32_t h[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
	size_t total = ((len + 8) / 64 + 1) * 64;
	unsigned char block[64];
	for (size_t off = 0; off < total; off += 64) {
		for (size_t i = 0; i < 64; i++) {
			size_t at = off + i;
			unsigned char b = 0;
			if (at < len)
				b = msg[at];
			else if (at == len)
				b = 0x80;
			else if (at >= total - 8)
				b = (unsigned char)(((uint64_t)len * 8) >> (8 * (at - (total - 8))));
			block[i] = b;
		}
		uint32_t w[16];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)block[4 * i] | (uint32_t)block[4 * i + 1] << 8 |
			       (uint32_t)block[4 * i + 2] << 16 | (uint32_t)block[4 * i + 3] << 24;
		uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
		for (int i = 0; i < 64; i++) {
			uint32_t f;
			int g;
			switch (i / 16) {
			case 0: f = (b & c) | (~b & d); g = i; break;
			case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
			case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
			default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
			}
			uint32_t tmp = d;
			d = c;
			c = b;
			b = b + rotl(a + f + k[i] + w[g], shifts[i / 16][i % 4]);
			a = tmp;
		}
		h[0] += a, h[1] += b, h[2] += c, h[3] += d;
	}
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(h[i] >> (8 * j));
}

void xd_api_vif_mac(const char *seed, int device, char out[18])
{
	unsigned char d[16], d2[16];
	md5((const unsigned char *)seed, strlen(seed), d);
	for (int i = 0; i < 2 * (device < 0 ? 0 : device); i++)
		md5(d, sizeof d, d);
	md5(d, sizeof d, d2);
	unsigned b0 = (d[0] & 0xfeu) | 0x02u; /* unicast, locally administered */
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b0, d[1], d[2], d[3], d2[1], d2[2]);
}
