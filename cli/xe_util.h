/* xe_util.h - small string helpers shared by the xe sources. Allocation
 * failure aborts (as the core's constructors do): a CLI without memory has
 * nothing useful left to do.
 *
 * Owns: nothing; returned strings are heap copies the caller frees.
 */
#ifndef XE_UTIL_H
#define XE_UTIL_H

#include <stddef.h>

/* configure passes -DPACKAGE_VERSION; a direct gcc build gets this. */
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

char *xe_strdup(const char *s);               /* NULL becomes "" */
char *xe_strndup(const char *s, size_t n);
void *xe_realloc(void *p, size_t n);
void *xe_calloc(size_t n, size_t size);     /* n == 0 still gives a block */
char *xe_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
