/* tls_pipe.h - a TLS connection seen as a plain socket.
 *
 * The one place where bytes are encrypted and decrypted, for xapid's HTTPS
 * listener and xe's https client alike: a thread per connection moves bytes
 * between the network socket (through OpenSSL) and one end of a socketpair;
 * the other end is what the caller reads and writes, polls, shuts down and
 * hands to child processes exactly as it would a TCP socket. So nothing
 * above the transport (HTTP parsing, RPC, the data paths, an export's
 * compressor) knows or cares whether the connection is encrypted.
 *
 * Owns: the SSL object and the network socket it is given, its thread and
 * its buffers; the registry of running pipes (xd_tls_pipe_stop_all).
 */
#ifndef XD_TLS_PIPE_H
#define XD_TLS_PIPE_H

#include <openssl/ssl.h>

/* Takes ssl (already bound to net_fd with SSL_set_fd) and net_fd. When
 * handshake_s > 0 the thread first completes the server side handshake
 * (SSL_accept) within that many seconds, else the handshake must be done.
 * Returns the application's end of the pipe (the caller closes it), or -1
 * (ssl and net_fd are then freed and closed). A failed handshake (a client
 * speaking plain HTTP to the TLS port, a slow one) closes the pipe: the
 * application end reads EOF. */
int xd_tls_pipe_start(SSL *ssl, int net_fd, double handshake_s);

/* Shuts down the network side of every running pipe and waits until all
 * their threads have finished (xapid's stop, after the HTTP server's). */
void xd_tls_pipe_stop_all(void);

#endif
