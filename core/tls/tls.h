/* tls.h - xapid's TLS: the server certificate and the HTTPS connections.
 *
 * Owns: the server key and certificate (a PEM file holding the key, the
 * certificate and its chain, like xapi's xapi-ssl.pem; made self-signed at
 * first boot when missing) and the OpenSSL context new connections use
 * (replaced whole by xd_tls_install; connections already open keep theirs).
 */
#ifndef XD_TLS_H
#define XD_TLS_H

#include "error.h"

/* Loads cert_path, or makes a self-signed one there first if there is no
 * such file (RSA 2048, SHA-256, CN and subjectAltName the host name, ten
 * years, as xapi's gencert). Returns 0, or -1 with a message in why
 * (a broken or mismatched file is never replaced). */
int xd_tls_init(const char *cert_path, char *why, size_t why_len);

/* Wraps an accepted TCP connection: returns the socket the HTTP server
 * reads and writes in clear (the handshake runs in the background within
 * handshake_s), or -1 (fd is closed). */
int xd_tls_accept(int fd, double handshake_s);

/* The server certificate in PEM form (heap). */
char *xd_tls_server_certificate(void);

/* host.install_server_certificate: checks the key, the certificate and the
 * chain as xapi does (SERVER_CERTIFICATE_* errors), writes them to the
 * certificate file and serves them to every new connection. */
int xd_tls_install(const char *cert_pem, const char *key_pem, const char *chain_pem,
		   xd_error *err);

/* host.reset_server_certificate: a new self-signed key and certificate in
 * place of the current ones, served to every new connection. */
int xd_tls_reset(xd_error *err);

/* Ends every TLS connection still open (after the HTTP server stopped) and
 * frees the context. */
void xd_tls_shutdown(void);

#endif
