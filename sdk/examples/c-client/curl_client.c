/* curl_client - libxenserver's own libcurl transport (xen/api/xen_curl.h)
 * instead of a hand-written xen_call_func, over http:// or https://:
 *     curl_client URL USER PASSWORD [--insecure | --ca FILE]
 * --insecure: no certificate check (as XenAPI.py's ignore_ssl); --ca FILE:
 * trust that PEM certificate (the host's own, host.get_server_certificate);
 * neither: the system's CAs. Logs in, reads the host and pool names, counts
 * the VMs, creates and destroys a VM, logs out. Prints "HOST name", "POOL
 * name", "VMS n", "CREATED uuid", "LOGGED_OUT"; exit 1 with "ERROR code
 * param..." on stderr when a call fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/api/xen_all.h>
#include <xen/api/xen_curl.h>

static void print_error(const char *what, xen_session *s)
{
	fprintf(stderr, "%s: ERROR", what);
	for (int i = 0; i < s->error_description_count; i++)
		fprintf(stderr, " %s", s->error_description[i]);
	fprintf(stderr, "\n");
}

/* Names and counts what the session sees; false on the first failure. */
static bool show(xen_session *s)
{
	xen_host host = NULL;
	xen_pool_set *pools = NULL;
	xen_vm_set *vms = NULL;
	char *name = NULL, *pool_name = NULL;
	bool ok = xen_session_get_this_host(s, &host, s) &&
		  xen_host_get_name_label(s, &name, host) &&
		  xen_pool_get_all(s, &pools) && pools->size == 1 &&
		  xen_pool_get_name_label(s, &pool_name, pools->contents[0]) &&
		  xen_vm_get_all(s, &vms);

	if (ok)
		printf("HOST %s\nPOOL %s\nVMS %zu\n", name, pool_name, vms->size);
	xen_host_free(host);
	xen_pool_set_free(pools);
	xen_vm_set_free(vms);
	free(name);
	free(pool_name);
	return ok;
}

/* A VM made from a record and destroyed again: arguments written over TLS. */
static bool create_and_destroy(xen_session *s)
{
	xen_vm_record *r = xen_vm_record_alloc();
	xen_vm vm = NULL;
	char *uuid = NULL;
	bool ok;

	r->name_label = strdup("curl-client <&> vm");
	r->name_description = strdup("");
	r->memory_static_max = r->memory_dynamic_max = 256 << 20;
	r->memory_static_min = r->memory_dynamic_min = 128 << 20;
	r->vcpus_max = r->vcpus_at_startup = 1;
	r->other_config = xen_string_string_map_alloc(0);
	ok = xen_vm_create(s, &vm, r) && xen_vm_get_uuid(s, &uuid, vm);
	if (ok)
		printf("CREATED %s\n", uuid);
	if (vm)
		ok = xen_vm_destroy(s, vm) && ok;
	xen_vm_record_free(r);
	xen_vm_free(vm);
	free(uuid);
	return ok;
}

int main(int argc, char **argv)
{
	const char *ca = NULL;
	bool verify = true;
	xen_curl *t;
	xen_session *s;
	int rc = 0;

	if (argc == 5 && !strcmp(argv[4], "--insecure")) {
		verify = false;
	} else if (argc == 6 && !strcmp(argv[4], "--ca")) {
		ca = argv[5];
	} else if (argc != 4) {
		fprintf(stderr, "usage: %s URL USER PASSWORD [--insecure | --ca FILE]\n", argv[0]);
		return 2;
	}
	xen_init();
	t = xen_curl_new(argv[1], NULL);
	if (!t || !xen_curl_set_tls(t, ca, verify)) {
		fprintf(stderr, "cannot set up libcurl\n");
		xen_curl_free(t);
		return 1;
	}
	s = xen_session_login_with_password(xen_curl_call, t, argv[2], argv[3],
					    xen_api_latest_version);
	if (!s->ok) {
		print_error("login", s);
		rc = 1;
	} else if (!show(s) || !create_and_destroy(s)) {
		print_error("call", s);
		rc = 1;
	}
	/* Logout ends and frees the session whether or not the login worked. */
	xen_session_logout(s);
	if (rc == 0)
		printf("LOGGED_OUT\n");
	xen_curl_free(t);
	xen_fini();
	return rc;
}
