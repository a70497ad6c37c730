/* coverage.h - the API coverage table (doc/api-coverage.md): every message
 * of every class we declare, and whether a handler implements it. */
#ifndef XD_COVERAGE_H
#define XD_COVERAGE_H

#include <stdio.h>

/* Prints the markdown table. Needs xd_dm_init() and xd_rpc_init(). */
void xd_coverage_print(FILE *out);

#endif
