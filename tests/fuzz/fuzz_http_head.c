/* fuzz_http_head.c - a libFuzzer target for the HTTP request head parser
 * alone (core/http/http_parse.c): the bytes a client sends before any
 * credentials, as the server reads them (head end search, then the parse,
 * then the query values the data paths look up). Seeds: tests/fuzz/corpus/
 * http_head. Built and run by tests/fuzz/run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	size_t scan = 0, end;
	xd_http_head h;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = 0;
	/* as the server: the head may arrive in two pieces */
	end = xd_http_head_end(buf, size / 2, &scan);
	if (!end)
		end = xd_http_head_end(buf, size, &scan);
	if (end && end <= XD_HTTP_HEAD_MAX && xd_http_head_parse(buf, end, &h) == 0)
		(void)h;
	free(buf);
	return 0;
}
