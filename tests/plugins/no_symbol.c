/* no_symbol.c - a shared object without xapi_plugin_init (it exports a
 * misspelt entry point instead): the loader must say what it expected. */
#include "common.h"

int xapi_plugin_initialise(void);
__attribute__((visibility("default"))) int xapi_plugin_initialise(void)
{
	return 0;
}
