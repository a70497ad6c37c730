/* fuzz_where.c - a libFuzzer target for the expression parser of
 * get_all_records_where / get_all_where (core/generic/where.c), which any
 * session can reach with a string of its choice. Seeds: tests/fuzz/
 * corpus/where. Built and run by tests/fuzz/run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "generic/where.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	xd_error err = XD_ERROR_INIT;
	char *expr = malloc(size + 1);
	xd_where *w;

	if (!expr)
		abort();
	memcpy(expr, data, size);
	expr[size] = 0; /* the wire hands the parser a C string */
	w = xd_where_parse(expr, &err);
	xd_where_free(w);
	xd_error_clear(&err);
	free(expr);
	return 0;
}
