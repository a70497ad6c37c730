/* tls_cert.c - making the self-signed server certificate and checking one
 * an operator installs, as xapi's gencert does (tls_int.h). */
#include "tls_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#define SELF_SIGNED_DAYS 3650 /* xapi's self-signed certificates: ten years */

/* Writes the PEM text to path atomically (a temporary file renamed over
 * it), readable by the owner only: it holds the private key. */
int xd_tls_write_pem(const char *path, const char *pem, size_t len, char *why, size_t why_len)
{
	char tmp[4096];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, why_len, "cannot write %s: %s", tmp, strerror(errno));
		return -1;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, pem + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, why_len, "cannot write %s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		snprintf(why, why_len, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static char *bio_text(BIO *b)
{
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *out = malloc((size_t)n + 1);

	if (!out)
		abort();
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

int xd_tls_make_self_signed(const char *path, char *why, size_t why_len)
{
	char host[256] = "localhost", san[300];
	EVP_PKEY *key = EVP_RSA_gen(2048);
	X509 *cert = X509_new();
	BIO *out = BIO_new(BIO_s_mem());
	X509_NAME *name;
	char *pem = NULL;
	int rc = -1;

	if (gethostname(host, sizeof(host) - 1) != 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	if (!key || !cert || !out)
		goto out;
	X509_set_version(cert, 2); /* v3: extensions */
	/* a random positive serial: browsers refuse repeated ones */
	{
		BIGNUM *bn = BN_new();
		ASN1_INTEGER *serial = X509_get_serialNumber(cert);

		if (!bn || !BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
		    !BN_to_ASN1_INTEGER(bn, serial)) {
			BN_free(bn);
			goto out;
		}
		BN_free(bn);
	}
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), (long)SELF_SIGNED_DAYS * 24 * 3600);
	X509_set_pubkey(cert, key);
	name = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)host, -1, -1, 0);
	X509_set_issuer_name(cert, name);
	snprintf(san, sizeof(san), "DNS:%s", host);
	if (add_ext(cert, NID_subject_alt_name, san) < 0 ||
	    add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(cert, NID_ext_key_usage, "serverAuth") < 0 ||
	    X509_sign(cert, key, EVP_sha256()) == 0)
		goto out;
	if (!PEM_write_bio_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL) ||
	    !PEM_write_bio_X509(out, cert))
		goto out;
	pem = bio_text(out);
	rc = xd_tls_write_pem(path, pem, strlen(pem), why, why_len);
	goto done;
out:
	snprintf(why, why_len, "cannot make a self-signed certificate: %s",
		 ERR_reason_error_string(ERR_get_error()) ?: "OpenSSL failed");
done:
	free(pem);
	BIO_free(out);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

/* ---- checking an installed certificate (xapi's gencert validation) -------- */

static void rfc3339(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(buf, len, "?");
		return;
	}
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static EVP_PKEY *check_key(const char *key_pem, xd_error *err)
{
	BIO *b = BIO_new_mem_buf(key_pem, -1);
	EVP_PKEY *key = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	if (!key) {
		xd_error_set(err, "SERVER_CERTIFICATE_KEY_INVALID", NULL);
		return NULL;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		const char *type = EVP_PKEY_get0_type_name(key);

		xd_error_set(err, "SERVER_CERTIFICATE_KEY_ALGORITHM_NOT_SUPPORTED", type ? type : "?", NULL);
		EVP_PKEY_free(key);
		return NULL;
	}
	int bits = EVP_PKEY_get_bits(key);
	if (bits < 2048 || bits > 4096) {
		char n[16];

		snprintf(n, sizeof(n), "%d", bits);
		xd_error_set(err, "SERVER_CERTIFICATE_KEY_RSA_LENGTH_NOT_SUPPORTED", n, NULL);
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

static X509 *check_leaf(const char *cert_pem, EVP_PKEY *key, xd_error *err)
{
	BIO *b = BIO_new_mem_buf(cert_pem, -1);
	X509 *cert = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	char now_s[32], when[32];
	time_t now = time(NULL);
	int md_nid = NID_undef, pk_nid;

	BIO_free(b);
	if (!cert) {
		xd_error_set(err, "SERVER_CERTIFICATE_INVALID", NULL);
		return NULL;
	}
	{
		struct tm tm;

		gmtime_r(&now, &tm);
		strftime(now_s, sizeof(now_s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (X509_cmp_time(X509_get0_notBefore(cert), &now) > 0) {
		rfc3339(X509_get0_notBefore(cert), when, sizeof(when));
		xd_error_set(err, "SERVER_CERTIFICATE_NOT_VALID_YET", now_s, when, NULL);
		goto bad;
	}
	if (X509_cmp_time(X509_get0_notAfter(cert), &now) < 0) {
		rfc3339(X509_get0_notAfter(cert), when, sizeof(when));
		xd_error_set(err, "SERVER_CERTIFICATE_EXPIRED", now_s, when, NULL);
		goto bad;
	}
	if (X509_check_private_key(cert, key) != 1) {
		xd_error_set(err, "SERVER_CERTIFICATE_KEY_MISMATCH", NULL);
		goto bad;
	}
	/* xapi takes SHA-256 and SHA-512 signatures only */
	if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, &pk_nid) ||
	    (md_nid != NID_sha256 && md_nid != NID_sha512)) {
		xd_error_set(err, "SERVER_CERTIFICATE_SIGNATURE_NOT_SUPPORTED", NULL);
		goto bad;
	}
	return cert;
bad:
	X509_free(cert);
	return NULL;
}

/* A chain given must hold at least one certificate; appends them. */
static int check_chain(const char *chain_pem, BIO *out, xd_error *err)
{
	BIO *b = BIO_new_mem_buf(chain_pem, -1);
	X509 *c;
	int n = 0;

	while (b && (c = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		PEM_write_bio_X509(out, c);
		X509_free(c);
		n++;
	}
	BIO_free(b);
	if (n == 0) {
		xd_error_set(err, "SERVER_CERTIFICATE_CHAIN_INVALID", NULL);
		return -1;
	}
	return 0;
}

char *xd_tls_check_install(const char *cert_pem, const char *key_pem, const char *chain_pem,
			   xd_error *err)
{
	EVP_PKEY *key = check_key(key_pem, err);
	X509 *cert = key ? check_leaf(cert_pem, key, err) : NULL;
	BIO *out = BIO_new(BIO_s_mem());
	char *pem = NULL;

	if (!out)
		abort();
	if (!cert)
		goto out;
	/* normalised as xapi writes it: key, leaf, chain */
	PEM_write_bio_PrivateKey(out, key, NULL, NULL, 0, NULL, NULL);
	PEM_write_bio_X509(out, cert);
	if (chain_pem[0] && check_chain(chain_pem, out, err) < 0)
		goto out;
	pem = bio_text(out);
out:
	ERR_clear_error();
	BIO_free(out);
	X509_free(cert);
	EVP_PKEY_free(key);
	return pem;
}
