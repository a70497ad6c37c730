/* xe_host_cert.c - upstream xe's host-server-certificate-install (the
 * certificate, key and chain read from files on the client, as upstream's
 * xe sends them) and host-reset-server-certificate, on the host the
 * selectors name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xe_cmds.h"
#include "xe_obj.h"
#include "xe_select.h"

/* The whole of a local file, or NULL after upstream's "Failed to read
 * <what>" (exit 1). Caller frees. */
static char *read_or_fail(const char *path, const char *what)
{
	FILE *f = fopen(path, "rb");
	xd_strbuf sb = XD_STRBUF_INIT;
	char buf[4096];
	size_t n;

	if (!f) {
		fprintf(stderr, "Failed to read %s\n", what);
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		xd_strbuf_append(&sb, buf, n);
	if (ferror(f)) {
		fclose(f);
		xd_strbuf_free(&sb);
		fprintf(stderr, "Failed to read %s\n", what);
		return NULL;
	}
	fclose(f);
	return sb.data ? xd_strbuf_steal(&sb) : calloc(1, 1);
}

typedef struct cert_files {
	char *cert, *key, *chain;
} cert_files;

static int op_install(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	const cert_files *c = ud;

	(void)o;
	return xe_call_and_print(x, "host.install_server_certificate",
				 xe_strings(4, h->ref, c->cert, c->key, c->chain), NULL);
}


static int cmd_host_server_certificate_install(xe_client *x, const xe_opts *o)
{
	const char *cert_path = xe_obj_required(o, "certificate");
	const char *key_path = cert_path ? xe_obj_required(o, "private-key") : NULL;
	const char *chain_path = xe_opts_get(o, "certificate-chain");
	cert_files c = { NULL, NULL, NULL };
	int rc = 1;

	if (!key_path)
		return 1;
	if ((c.cert = read_or_fail(cert_path, "certificate")) &&
	    (c.key = read_or_fail(key_path, "private key")) &&
	    (c.chain = chain_path ? read_or_fail(chain_path, "certificate chain") : calloc(1, 1)))
		rc = xe_select_each(x, o,
				    XE_HOST_SPEC("certificate", "private-key", "certificate-chain"),
				    false, op_install, &c);
	free(c.cert);
	free(c.key);
	free(c.chain);
	return rc;
}

static int op_reset(xe_client *x, const xe_opts *o, const xe_selected *h, void *ud)
{
	(void)o;
	(void)ud;
	return xe_call_and_print(x, "host.reset_server_certificate", xe_strings(1, h->ref), NULL);
}

static int cmd_host_reset_server_certificate(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, XE_HOST_SPEC("force"), true, op_reset, NULL);
}

static const xe_named_cmd cmds[] = {
	{ "host-server-certificate-install", cmd_host_server_certificate_install,
	  "certificate, private-key", "certificate-chain, <host-selectors>",
	  "Install a server TLS certificate on a host" },
	{ "host-reset-server-certificate", cmd_host_reset_server_certificate, "",
	  "<host-selectors>",
	  "Deletes the current TLS server certificate in the host and installs a new, "
	  "self-signed one." },
};

const size_t xe_host_cert_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_host_cert_cmds = cmds;
