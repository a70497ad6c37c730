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
/* s percent-encoded for the path of a URL (every byte but A-Z a-z 0-9
 * - . _ ~ / as %XX: what QEMU's and xapid's URI parsers decode back);
 * -1 if out is too small. */
int nbd_server_url_path(char *out, size_t size, const char *s);
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

/* The 16 hex digits naming the server of loc (FNV-1a: any location gives
 * a short name). */
void nbd_server_hash(const char *loc, char out[17]);
/* Socket and pid file of loc's server of SR srid in dir, a directory that
 * holds servers of several SRs: <dir>/<srid>-<hash>.sock and .pid.
 * -1 if the socket path would not fit a unix socket address. */
int nbd_server_paths_in(const char *dir, const char *srid, const char *loc, char *sock,
			size_t ssize, char *pidf, size_t psize);
/* Stops every server of SR srid in dir (found by name: works while the
 * storage is away). 0, or -1 with *pid the one that would not stop. */
int nbd_server_stop_all_in(const char *dir, const char *srid, long wait_ms, long *pid);

#endif
