/* tls.c - the server's OpenSSL context and its HTTPS connections (tls.h). */
#include "tls_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "log.h"
#include "tls_pipe.h"

static struct {
	pthread_mutex_t lock;  /* guards ctx and path */
	SSL_CTX *ctx;          /* what new connections use */
	char *path;
} tls = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void openssl_reason(char *why, size_t why_len, const char *what, const char *path)
{
	unsigned long e = ERR_get_error();
	char reason[256] = "unknown reason";

	if (e)
		ERR_error_string_n(e, reason, sizeof(reason));
	snprintf(why, why_len, "%s %s: %s", what, path, reason);
	ERR_clear_error();
}

/* A context serving the key and certificate (chain) of one PEM file. */
static SSL_CTX *ctx_from_file(const char *path, char *why, size_t why_len)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx) {
		openssl_reason(why, why_len, "cannot make a TLS context for", path);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* No session tickets or cache: every connection is self-contained,
	 * and an installed certificate applies to the next handshake. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE |
				 SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0); /* TLS 1.3 would send two otherwise */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, path) != 1) {
		openssl_reason(why, why_len, "no usable certificate in", path);
		goto bad;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1) {
		openssl_reason(why, why_len, "no usable private key in", path);
		goto bad;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		openssl_reason(why, why_len, "the private key does not match the certificate in", path);
		goto bad;
	}
	return ctx;
bad:
	SSL_CTX_free(ctx);
	return NULL;
}

int xd_tls_init(const char *cert_path, char *why, size_t why_len)
{
	SSL_CTX *ctx;

	if (access(cert_path, F_OK) != 0) {
		if (errno != ENOENT) {
			snprintf(why, why_len, "cannot read %s: %s", cert_path, strerror(errno));
			return -1;
		}
		/* first boot, as xapi's gencert: a self-signed certificate */
		if (xd_tls_make_self_signed(cert_path, why, why_len) < 0)
			return -1;
		xd_info("tls: made a self-signed certificate in %s", cert_path);
	}
	ctx = ctx_from_file(cert_path, why, why_len);
	if (!ctx)
		return -1;
	pthread_mutex_lock(&tls.lock);
	SSL_CTX_free(tls.ctx);
	tls.ctx = ctx;
	free(tls.path);
	tls.path = strdup(cert_path);
	pthread_mutex_unlock(&tls.lock);
	return tls.path ? 0 : -1;
}

int xd_tls_accept(int fd, double handshake_s)
{
	SSL *ssl;

	pthread_mutex_lock(&tls.lock);
	ssl = tls.ctx ? SSL_new(tls.ctx) : NULL; /* holds its own ref on ctx */
	pthread_mutex_unlock(&tls.lock);
	if (!ssl || SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		close(fd);
		ERR_clear_error();
		return -1;
	}
	return xd_tls_pipe_start(ssl, fd, handshake_s);
}

char *xd_tls_server_certificate(void)
{
	BIO *out = BIO_new(BIO_s_mem());
	char *pem = NULL, *data;
	long n;

	if (!out)
		abort();
	pthread_mutex_lock(&tls.lock);
	X509 *cert = tls.ctx ? SSL_CTX_get0_certificate(tls.ctx) : NULL;
	if (cert)
		PEM_write_bio_X509(out, cert);
	pthread_mutex_unlock(&tls.lock);
	n = BIO_get_mem_data(out, &data);
	pem = malloc((size_t)n + 1);
	if (!pem)
		abort();
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	BIO_free(out);
	return pem;
}

/* Serves what the certificate file now holds to every new connection;
 * connections already open keep the old context (their SSL objects hold a
 * reference). Called with tls.lock held. */
static int reload_locked(const char *what, xd_error *err)
{
	char why[512];
	SSL_CTX *ctx = ctx_from_file(tls.path, why, sizeof(why));

	if (!ctx)
		return xd_error_set(err, "INTERNAL_ERROR", why, NULL);
	SSL_CTX_free(tls.ctx);
	tls.ctx = ctx;
	xd_info("tls: %s in %s", what, tls.path);
	return 0;
}

int xd_tls_install(const char *cert_pem, const char *key_pem, const char *chain_pem,
		   xd_error *err)
{
	char why[512];
	char *pem = xd_tls_check_install(cert_pem, key_pem, chain_pem, err);
	int rc = -1;

	if (!pem)
		return -1;
	pthread_mutex_lock(&tls.lock);
	if (!tls.path)
		xd_error_set(err, "INTERNAL_ERROR", "TLS is not enabled on this host", NULL);
	else if (xd_tls_write_pem(tls.path, pem, strlen(pem), why, sizeof(why)) < 0)
		xd_error_set(err, "INTERNAL_ERROR", why, NULL);
	else
		rc = reload_locked("installed a new server certificate", err);
	pthread_mutex_unlock(&tls.lock);
	free(pem);
	return rc;
}

int xd_tls_reset(xd_error *err)
{
	char why[512];
	int rc = -1;

	pthread_mutex_lock(&tls.lock);
	if (!tls.path)
		xd_error_set(err, "INTERNAL_ERROR", "TLS is not enabled on this host", NULL);
	else if (xd_tls_make_self_signed(tls.path, why, sizeof(why)) < 0)
		xd_error_set(err, "INTERNAL_ERROR", why, NULL);
	else
		rc = reload_locked("made a new self-signed certificate", err);
	pthread_mutex_unlock(&tls.lock);
	return rc;
}

void xd_tls_shutdown(void)
{
	xd_tls_pipe_stop_all();
	pthread_mutex_lock(&tls.lock);
	SSL_CTX_free(tls.ctx);
	tls.ctx = NULL;
	free(tls.path);
	tls.path = NULL;
	pthread_mutex_unlock(&tls.lock);
}
