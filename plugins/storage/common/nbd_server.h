/* nbd_server.h - a qemu-nbd server per attached VDI, on a unix socket:
 * what the SR drivers whose datapath is NBD share (file, lvmoiscsi).
 *
 * A server is named by its socket and pid file. It is started with
 * `qemu-nbd --fork` (which returns once the socket listens) and stopped by
 * the pid in its pid file, after checking /proc/<pid>/cmdline really is a
 * qemu-nbd on that socket (pids are reused after a reboot). No nbd kernel
 * module is involved: the datapath is "nbd+unix:///?socket=<path>".
 *
 * Compiled into each driver's .so (static functions of the driver, not an
 * interface of xapid): nothing here keeps state between calls.
 */
#ifndef NBD_SERVER_H
#define NBD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#define NBD_SERVER_PATH_MAX 4400   /* buffers for socket and pid paths */
#define NBD_SERVER_ARGV_MAX 24     /* nbd_server_argv's own arguments, NULL included */

/* pid of the live qemu-nbd serving sock (as named in pidf), 0 if none:
 * then stale socket and pid files are removed. *read_only (may be NULL):
 * whether it serves read-only. */
long nbd_server_running(const char *sock, const char *pidf, bool *read_only);
/* Stops the server if it runs (SIGTERM: qemu-nbd flushes and exits;
 * SIGKILL after wait_ms) and removes its files. Returns 0, 1 if it had to
 * be killed, -1 if it would not stop (*pid says which). */
int nbd_server_stop(const char *sock, const char *pidf, long wait_ms, long *pid);
/* "nbd+unix:///?socket=<sock>", the path percent-encoded; -1 if too long. */
int nbd_server_uri(const char *sock, char *uri, size_t usize);
/* mkdir -p of the directory that will hold file (the last one 0700). */
int nbd_server_make_dir_of(const char *file);
/* Fills argv with the qemu-nbd command up to (not including) the image
 * arguments: socket, pid file, --persistent, --shared=0, --fork and the
 * mode (writable: zeroes and discards kept sparse; else --read-only).
 * a_sock and a_pid are the caller's buffers for "--socket=..." and
 * "--pid-file=..." (NBD_SERVER_PATH_MAX + 16 bytes each). Returns the
 * number of entries written (less than NBD_SERVER_ARGV_MAX - 4). */
size_t nbd_server_argv(const char **argv, char *a_sock, char *a_pid, const char *sock,
		       const char *pidf, bool writable);

#endif
