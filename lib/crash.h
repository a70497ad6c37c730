/* crash.h - a crashing xapid leaves the frames of the crashing thread in
 * its log (stderr: the journal under systemd), then dies of the same
 * signal, so that a core dump and the service manager see what they would
 * have seen without it. */
#ifndef XD_CRASH_H
#define XD_CRASH_H

/* Installs the handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT (a
 * glibc heap check ends in abort()). Call once, early in main. */
void xd_crash_init(void);

#endif
