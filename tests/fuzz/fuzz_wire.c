/* fuzz_wire.c - a libFuzzer target for what an unauthenticated client
 * controls: the HTTP request head parser, the XML-RPC call decoder and the
 * JSON-RPC request decoder. The first byte of an input picks the decoder,
 * the rest is the bytes it is given; the seed corpus (tests/fuzz/corpus)
 * (tests/fuzz/corpus/wire) holds requests from the test suite. Built and run by tests/fuzz/run
 * (clang -fsanitize=fuzzer,address,undefined). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_parse.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_http_head(const char *p, size_t n)
{
	char *buf = malloc(n + 1);
	size_t scan = 0, end;
	xd_http_head h;

	if (!buf)
		abort();
	memcpy(buf, p, n);
	buf[n] = 0;
	end = n ? xd_http_head_end(buf, n, &scan) : 0;
	if (end && end <= XD_HTTP_HEAD_MAX)
		(void)xd_http_head_parse(buf, end, &h);
	free(buf);
}

static void fuzz_xmlrpc(const char *p, size_t n)
{
	char *method = NULL, *why = NULL;
	xd_value *params = NULL;

	if (xd_xmlrpc_parse_call(p, n, &method, &params, &why) == 0)
		xd_value_free(params);
	free(method);
	free(why);
}

static void fuzz_jsonrpc(const char *p, size_t n)
{
	xd_jsonrpc_req req;
	char *why = NULL;

	memset(&req, 0, sizeof(req));
	(void)xd_jsonrpc_parse_request(p, n, &req, &why);
	xd_jsonrpc_req_clear(&req);
	free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;

	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0: fuzz_http_head(p, size - 1); break;
	case 1: fuzz_xmlrpc(p, size - 1); break;
	default: fuzz_jsonrpc(p, size - 1); break;
	}
	return 0;
}
