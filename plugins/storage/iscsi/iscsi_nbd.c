/* iscsi_nbd.c - the datapath of an attached VDI: a qemu-nbd serving the
 * VDI's byte range of the LUN, reached by qemu's own iSCSI initiator
 *
 *     qemu-nbd ... --image-opts driver=raw,offset=<o>,size=<s>,
 *         file.driver=iscsi,file.portal=<p>,file.target=<iqn>,file.lun=<n>...
 *
 * so no kernel session or block device is needed, and what xapid (and a
 * hypervisor's QEMU) opens is an ordinary NBD socket. A CHAP secret goes to
 * qemu-nbd in a 0600 file (--object secret), never on its command line, and
 * the file is removed once qemu-nbd has logged in.
 *
 * Sockets: <nbd_dir>/<sr uuid>-<vdi uuid>.sock (plugin setting nbd_dir,
 * default /run/xapi-c/nbd).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "iscsi_int.h"
#include "../common/nbd_server.h"

#define NBD_DEFAULT_DIR "/run/xapi-c/nbd"
#define NBD_STOP_WAIT_MS 10000
#define QEMU_DEFAULT_TIMEOUT 30
#define OPTS_MAX 4096

static int paths(struct isc_ctx *ctx, const char *uuid, char *sock, char *pidf)
{
	const char *d = ctx->drv->host->config_get(ctx->drv->self, "nbd_dir");
	if (!d || !*d)
		d = NBD_DEFAULT_DIR;
	size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;
	size_t n = (size_t)snprintf(sock, NBD_SERVER_PATH_MAX, "%s/%s-%s.sock", d, ctx->sr_uuid,
				    uuid);
	if (n >= NBD_SERVER_PATH_MAX || n > max)
		return isc_fail(ctx, IE_VDI_UNAVAILABLE, "The VDI is not available [opterr=the "
				"plugin setting nbd_dir '%s' is too long for a unix socket]", d);
	snprintf(pidf, NBD_SERVER_PATH_MAX, "%s/%s-%s.pid", d, ctx->sr_uuid, uuid);
	return 0;
}

long isc_nbd_running(struct isc_ctx *ctx, const char *uuid)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (paths(ctx, uuid, sock, pidf) < 0)
		return -1;
	return nbd_server_running(sock, pidf, NULL);
}

int isc_nbd_stop(struct isc_ctx *ctx, const char *uuid)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (paths(ctx, uuid, sock, pidf) < 0)
		return -1;
	long pid = 0;
	int rc = nbd_server_stop(sock, pidf, NBD_STOP_WAIT_MS, &pid);
	if (rc > 0)
		isc_log(ctx, XAPI_LOG_WARN, "qemu-nbd %ld of VDI %s ignored SIGTERM; killed it",
			pid, uuid);
	if (rc < 0)
		return isc_fail(ctx, IE_VDI_UNAVAILABLE, "The VDI is not available [opterr="
				"qemu-nbd %ld of VDI %s does not stop]", pid, uuid);
	return 0;
}

/* Every server of the SR, found by the socket names in nbd_dir: detach
 * works without the target (it may be what failed). */
int isc_nbd_stop_all(struct isc_ctx *ctx)
{
	const char *d = ctx->drv->host->config_get(ctx->drv->self, "nbd_dir");
	if (!d || !*d)
		d = NBD_DEFAULT_DIR;
	DIR *dir = opendir(d);
	if (!dir)
		return 0;
	size_t plen = strlen(ctx->sr_uuid);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(dir))) {
		size_t n = strlen(e->d_name);
		char uuid[37];
		/* <sr uuid>-<vdi uuid>.sock */
		if (n != plen + 1 + 36 + 5 || strncmp(e->d_name, ctx->sr_uuid, plen) != 0 ||
		    e->d_name[plen] != '-' || strcmp(e->d_name + n - 5, ".sock") != 0)
			continue;
		memcpy(uuid, e->d_name + plen + 1, 36);
		uuid[36] = '\0';
		if (isc_uuid_valid(uuid))
			rc = isc_nbd_stop(ctx, uuid);
	}
	closedir(dir);
	return rc;
}

/* Appends ",key=value" to opts, doubling commas (QEMU's option escaping). */
static void opt(char *opts, const char *key, const char *value)
{
	size_t n = strlen(opts);
	n += (size_t)snprintf(opts + n, OPTS_MAX - n, "%s%s=", *opts ? "," : "", key);
	for (const char *p = value; *p && n + 3 < OPTS_MAX; p++) {
		opts[n++] = *p;
		if (*p == ',')
			opts[n++] = ',';
	}
	opts[n < OPTS_MAX ? n : OPTS_MAX - 1] = '\0';
}

static int write_secret(const char *path, const char *secret)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t len = strlen(secret);
	ssize_t w = write(fd, secret, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -1;
}

int isc_nbd_start(struct isc_ctx *ctx, const struct isc_slot *s, bool writable, char *uri,
		  size_t usize)
{
	char sock[NBD_SERVER_PATH_MAX], pidf[NBD_SERVER_PATH_MAX];
	if (paths(ctx, s->uuid, sock, pidf) < 0)
		return -1;
	if (nbd_server_uri(sock, uri, usize) < 0)
		return isc_fail(ctx, IE_VDI_UNAVAILABLE, "socket path too long for a URI");
	bool ro = false;
	long pid = nbd_server_running(sock, pidf, &ro);
	if (pid > 0 && (!ro || !writable))
		return 0; /* already served, in a mode that will do */
	if (pid > 0 && isc_nbd_stop(ctx, s->uuid) < 0)
		return -1; /* read-only but now wanted writable: restart */
	if (nbd_server_make_dir_of(sock) < 0)
		return isc_fail(ctx, IE_VDI_UNAVAILABLE, "cannot make the directory of '%s': %s",
				sock, strerror(errno));

	char opts[OPTS_MAX] = "", num[32], secret_file[NBD_SERVER_PATH_MAX + 16] = "";
	char object[NBD_SERVER_PATH_MAX + 64];
	const char *to = ctx->drv->host->config_get(ctx->drv->self, "io_timeout");
	opt(opts, "driver", "raw");
	snprintf(num, sizeof(num), "%llu", (unsigned long long)isc_slot_off(s));
	opt(opts, "offset", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)s->virtual_size);
	opt(opts, "size", num);
	opt(opts, "file.driver", "iscsi");
	opt(opts, "file.transport", "tcp");
	opt(opts, "file.portal", ctx->t.portal);
	opt(opts, "file.target", ctx->t.iqn);
	snprintf(num, sizeof(num), "%d", ctx->lun);
	opt(opts, "file.lun", num);
	snprintf(num, sizeof(num), "%d", to && atoi(to) > 0 ? atoi(to) : QEMU_DEFAULT_TIMEOUT);
	opt(opts, "file.timeout", num);
	const char *ini = ctx->drv->host->config_get(ctx->drv->self, "initiator_iqn");
	if (ini && *ini)
		opt(opts, "file.initiator-name", ini);
	if (ctx->t.chapuser) {
		snprintf(secret_file, sizeof(secret_file), "%s.secret", sock);
		if (write_secret(secret_file, ctx->t.chappassword) < 0)
			return isc_fail(ctx, IE_VDI_UNAVAILABLE, "cannot write '%s': %s",
					secret_file, strerror(errno));
		opt(opts, "file.user", ctx->t.chapuser);
		opt(opts, "file.password-secret", "chap");
		snprintf(object, sizeof(object), "secret,id=chap,file=%s", secret_file);
	}
	char a_sock[NBD_SERVER_PATH_MAX + 16], a_pid[NBD_SERVER_PATH_MAX + 16];
	const char *argv[NBD_SERVER_ARGV_MAX];
	size_t n = nbd_server_argv(argv, a_sock, a_pid, sock, pidf, writable);
	if (*secret_file) {
		argv[n++] = "--object";
		argv[n++] = object;
	}
	argv[n++] = "--image-opts";
	argv[n++] = opts;
	argv[n] = NULL;
	const char *out = NULL;
	int st = ctx->drv->host->run(ctx->call, argv, ISC_RUN_TIMEOUT_MS, &out);
	if (*secret_file)
		unlink(secret_file);
	if (st != 0) {
		nbd_server_running(sock, pidf, NULL); /* cleans a half start */
		if (out && (strstr(out, "uthentication") || strstr(out, "ogin")))
			return isc_fail(ctx, IE_ISCSI_LOGIN, "ISCSI login failed - check access "
					"settings for the initiator on the storage, if CHAP is used "
					"verify CHAP credentials [opterr=qemu-nbd: %s]", out);
		return isc_fail(ctx, IE_VDI_UNAVAILABLE, "The VDI is not available "
				"[opterr=qemu-nbd: %s]", out ? out : "did not start");
	}
	return 0;
}
