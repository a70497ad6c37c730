/* tls_int.h - what the files of core/tls share (private to the folder). */
#ifndef XD_TLS_INT_H
#define XD_TLS_INT_H

#include <stddef.h>

#include "tls.h"

/* Writes a key-and-certificate PEM file atomically, mode 0600. */
int xd_tls_write_pem(const char *path, const char *pem, size_t len, char *why, size_t why_len);
/* Makes a self-signed key and certificate at path (tls_cert.c). */
int xd_tls_make_self_signed(const char *path, char *why, size_t why_len);
/* Checks what host.install_server_certificate was given, in xapi's order;
 * returns the PEM file to write (key, leaf, chain) or NULL with err set. */
char *xd_tls_check_install(const char *cert_pem, const char *key_pem, const char *chain_pem,
			   xd_error *err);

#endif
