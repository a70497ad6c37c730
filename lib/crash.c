/* crash.c - see crash.h.
 *
 * The handler runs on an alternate stack (a stack overflow is reported
 * too) and calls only what is safe there: backtrace() was primed at init
 * (its first call loads libgcc_s), backtrace_symbols_fd() writes without
 * allocating, the text is formatted by hand and written with write(2).
 * Frames read "xapid(function+0x1f)[0x5581...]" for exported functions and
 * "xapid(+0x4a2b1)" for static ones: `addr2line -f -e xapid 0x4a2b1` names
 * those with the same build.
 */
#include "crash.h"

#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#if !defined(__SANITIZE_ADDRESS__) /* ASan's own handler reports faults, with better frames */

#define MAX_FRAMES 64
#define ALT_STACK_SIZE (64 * 1024)

static char alt_stack[ALT_STACK_SIZE];

static void say(const char *s)
{
	ssize_t w = write(STDERR_FILENO, s, strlen(s));
	(void)w;
}

static void crash_handler(int sig)
{
	static volatile sig_atomic_t busy;
	void *frames[MAX_FRAMES];
	char num[4] = { 0 };
	int n;

	if (!busy) { /* a fault inside the handler goes straight to the default */
		busy = 1;
		num[0] = (char)('0' + sig / 10);
		num[1] = (char)('0' + sig % 10);
		say("xapid: fatal signal ");
		say(sig >= 10 ? num : num + 1);
		say(", the crashing thread's frames:\n");
		n = backtrace(frames, MAX_FRAMES);
		backtrace_symbols_fd(frames, n, STDERR_FILENO);
	}
	/* the signal is blocked while we run: it lands again, with the
	 * default action, as soon as the handler returns */
	signal(sig, SIG_DFL);
	raise(sig);
}

void xd_crash_init(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0 };
	struct sigaction sa;
	void *prime[2];

	(void)backtrace(prime, 2);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_handler;
	sa.sa_flags = sigaltstack(&ss, NULL) == 0 ? SA_ONSTACK : 0;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

#else

void xd_crash_init(void)
{
}

#endif
