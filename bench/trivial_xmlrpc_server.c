/* trivial_xmlrpc_server.c - the baseline "stock library" server of
 * bench/rpc_throughput.py: xmlrpc-c's Abyss server with one default method
 * handler that answers every call with a struct shaped like xapid's answer
 * ({Status: "Success", Value: <name>}). It does no work of its own, so its
 * figure is what xmlrpc-c's parse + dispatch + serialize + Abyss HTTP path
 * costs per call.
 *
 * Usage: trivial_xmlrpc_server [VALUE]
 * Listens on 127.0.0.1 on a free port, prints "trivial ready on
 * 127.0.0.1:PORT" on stderr and serves until killed.
 *
 * Build: cc -O2 -o trivial_xmlrpc_server trivial_xmlrpc_server.c \
 *          $(xmlrpc-c-config abyss-server --cflags --libs)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xmlrpc-c/base.h>
#include <xmlrpc-c/server.h>
#include <xmlrpc-c/server_abyss.h>

static const char *answer_value = "bench VM";

static xmlrpc_value *answer_any(xmlrpc_env *env, const char *host, const char *method,
				xmlrpc_value *params, void *user_data)
{
	(void)host;
	(void)method;
	(void)params;
	(void)user_data;
	return xmlrpc_build_value(env, "{s:s,s:s}", "Status", "Success", "Value", answer_value);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		answer_value = argv[1];
	signal(SIGPIPE, SIG_IGN);

	/* Bind the listening socket ourselves: loopback only, and port 0 so the
	 * kernel picks a free port that we can print. */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	socklen_t salen = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) != 0) {
		perror("bind");
		return 1;
	}

	xmlrpc_env env;
	xmlrpc_env_init(&env);
	xmlrpc_registry *reg = xmlrpc_registry_new(&env);
	if (env.fault_occurred)
		goto fail;
	xmlrpc_registry_set_default_method(&env, reg, answer_any, NULL);
	if (env.fault_occurred)
		goto fail;

	xmlrpc_server_abyss_parms parms;
	memset(&parms, 0, sizeof parms);
	parms.config_file_name = NULL;
	parms.registryP = reg;
	parms.keepalive_timeout = 60;
	/* Abyss closes a keep-alive connection after 30 requests by default;
	 * the benchmark is about one long keep-alive connection. */
	parms.keepalive_max_conn = 1000000000;
	parms.socket_bound = 1;
	parms.socket_handle = fd;
	parms.uri_path = "/";

	xmlrpc_server_abyss_t *srv = NULL;
	xmlrpc_server_abyss_global_init(&env);
	if (env.fault_occurred)
		goto fail;
	xmlrpc_server_abyss_create(&env, &parms, XMLRPC_APSIZE(uri_path), &srv);
	if (env.fault_occurred)
		goto fail;
	fprintf(stderr, "trivial ready on 127.0.0.1:%d\n", ntohs(sa.sin_port));
	fflush(stderr);
	xmlrpc_server_abyss_run_server(&env, srv);
	if (env.fault_occurred)
		goto fail;
	xmlrpc_server_abyss_destroy(srv);
	xmlrpc_registry_free(reg);
	xmlrpc_server_abyss_global_term();
	return 0;
fail:
	fprintf(stderr, "trivial_xmlrpc_server: %s\n", env.fault_string);
	xmlrpc_env_clean(&env);
	return 1;
}
