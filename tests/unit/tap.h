/* tap.h - the tiny test harness of the C unit tests: TAP output ("ok N - ...",
 * "not ok N - ...") and a closing "N passed, N failed" line; exit status 1 on
 * any failure. Header only: each test binary includes it once. */
#ifndef XD_TAP_H
#define XD_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                        \
	do {                                                                 \
		int ok_c_ = !!(cond);                                        \
		tap_n++;                                                     \
		if (!ok_c_)                                                  \
			tap_failed++;                                        \
		printf("%sok %d - ", ok_c_ ? "" : "not ", tap_n);            \
		printf(__VA_ARGS__);                                         \
		printf("\n");                                                \
		if (!ok_c_)                                                  \
			printf("#   failed at %s:%d\n", __FILE__, __LINE__);     \
	} while (0)

#define is_str(got, want, ...)                                               \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		int same_ = (g_ && w_) ? strcmp(g_, w_) == 0 : g_ == w_;     \
		ok(same_, __VA_ARGS__);                                      \
		if (!same_)                                                  \
			printf("#   got: '%s'\n#   expected: '%s'\n",         \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");       \
	} while (0)

#define is_int(got, want, ...)                                               \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		ok(g_ == w_, __VA_ARGS__);                                   \
		if (g_ != w_)                                                \
			printf("#   got: %lld\n#   expected: %lld\n", g_, w_); \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("%d passed, %d failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}

#endif
