/* xe.c - the xe command-line client: reads the command line, connects
 * (local unix socket by default, TCP with -s), logs in, runs one command,
 * logs out. Commands: <class>-list and <class>-param-* (xe_obj.c),
 * the VM commands (xe_vm.c, xe_vm_install.c), the storage commands
 * (xe_storage.c), event-wait (xe_event.c), call (here:
 * any XenAPI method, JSON in and out), help.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dm.h"
#include "strbuf.h"
#include "tls_pipe.h"
#include "wire.h"
#include "xe_args.h"
#include "xe_client.h"
#include "xe_cmds.h"
#include "xe_format.h"
#include "xe_transport.h"
#include "xe_view.h"
#include "xe_util.h"

#define XE_DEFAULT_SOCKET "/var/lib/xapi-c/xapi.sock"
#define XE_DEFAULT_PORT 80
#define XE_DEFAULT_TLS_PORT 443

static void usage(FILE *out)
{
	fprintf(out,
		"Usage:\n"
		"  xe <command> [<name>=<value> ...]\n"
		"    [ --socket <path> ]        local socket (default $XE_SOCKET, else %s)\n"
		"    [ -s <server>[:<port>] ]   remote host, instead of the local socket\n"
		"    [ -p <port> ]              remote port (default %d, or %d with --nossl)\n"
		"    [ --nossl ]                plain HTTP to the remote host instead of https\n"
		"                               (the server's certificate is not checked)\n"
		"    [ -u <username> -pw <password> | -pwf <password file> ]\n"
		"                               credentials (default over the local socket: root)\n"
		"    [ --minimal ]              print only values, comma-separated, on one line\n"
		"    [ --debug ]                print the JSON-RPC traffic on stderr\n"
		"    [ --version ]              print the version and exit\n"
		"\n"
		"A list of commands: xe help; one command in detail: xe help <command>.\n",
		XE_DEFAULT_SOCKET, XE_DEFAULT_TLS_PORT, XE_DEFAULT_PORT);
}

/* ---- help ---- */

#define VM_SELECTORS_INFO                                                                        \
	" VMs can be specified by filtering the full list of VMs on the values of zero or more "  \
	"fields. For example, specifying 'uuid=<some_uuid>' will select only the VM with that "   \
	"uuid, and 'power-state=halted' will select only VMs whose 'power-state' field is equal " \
	"to 'halted'. The special pseudo-field 'vm' matches either of name-label or uuid. Where " \
	"multiple VMs are matching, the option '--multiple' must be specified to perform the "    \
	"operation. The full list of fields that can be matched can be obtained by the command "  \
	"'xe vm-list params=all'. If no parameters to select VMs are given, the operation will "  \
	"be performed on all VMs."
#define HOST_SELECTORS_INFO                                                                     \
	" Hosts can be specified by filtering the full list of hosts on the values of zero or "   \
	"more fields. For example, specifying 'uuid=<some_uuid>' will select only the host with " \
	"that uuid, and 'enabled=true' will select only hosts whose 'enabled' field is equal to " \
	"'true'. The special pseudo-field 'host' matches either of name-label or uuid. Where "    \
	"multiple hosts are matching, and the operation can be performed on multiple hosts, the " \
	"option '--multiple' must be specified to perform the operation. The full list of "       \
	"fields that can be matched can be obtained by the command 'xe host-list params=all'. "   \
	"If no parameters to select hosts are given, the operation will be performed on all "     \
	"hosts."

static void print_cmd_help(const char *name, const char *reqd, const char *optn,
			   const char *desc)
{
	printf("command name            : %s\n", name);
	printf("        reqd params     : %s\n", reqd);
	printf("        optional params : %s\n", optn);
	printf("        description     : %s\n", desc);
}

/* Optional params of a class op, from the datamodel: which fields can be
 * set, added to, cleared. */
static char *class_op_params(const xe_class_op *op, const xd_class *c)
{
	xd_strbuf sb = XD_STRBUF_INIT;
	xe_view v;
	bool set = strcmp(op->suffix, "-param-set") == 0;
	bool clear = strcmp(op->suffix, "-param-clear") == 0;
	bool list = strcmp(op->suffix, "-list") == 0;

	if (!set && !clear && !list)
		return xe_strdup(op->optional);
	xe_view_init(&v, c);
	if (list)
		xd_strbuf_puts(&sb, "params, --minimal");
	for (size_t i = 0; i < v.ncols; i++) {
		const xe_col *col = &v.cols[i];
		const xd_field *f = &c->fields[col->field];
		bool coll = f->type->kind == XD_T_MAP || f->type->kind == XD_T_SET;
		const char *suffix = NULL;

		if (list)
			suffix = f->type->kind == XD_T_MAP ? ":<key>"
				 : f->type->kind == XD_T_SET ? ":contains" : "";
		else if (col->ref_name)
			continue;
		else if (set && !coll && xe_field_settable(c, f))
			suffix = "";
		else if (set && f->type->kind == XD_T_MAP && xe_field_addable(c, f))
			suffix = ":<key>";
		else if (clear && (xe_field_settable(c, f) || xe_field_removable(c, f)))
			suffix = "";
		if (suffix)
			xd_strbuf_printf(&sb, "%s%s%s", sb.len ? ", " : "", col->label, suffix);
	}
	xe_view_clear(&v);
	return sb.data ? xd_strbuf_steal(&sb) : xe_strdup("");
}

static int help_one(const char *cmd)
{
	const xe_classinfo *ci = NULL;
	const xd_class *c = NULL;
	const xe_class_op *op;

	if (strcmp(cmd, "event-wait") == 0) {
		print_cmd_help("event-wait", "class", "<field>=<value>, <field>=/=<value>, --timeout",
			       "Waits until an object of the class has every given field equal "
			       "(=) or not equal (=/=) to the value, as xe shows it; exits 0 then. "
			       "With --timeout N, gives up after N seconds with exit code 1.");
		return 0;
	}
	if (strcmp(cmd, "call") == 0) {
		print_cmd_help("call", "<method>", "<argument> ...",
			       "Calls any XenAPI method (e.g. VM.get_all_records) and prints "
			       "the result as JSON. The session is added as first argument "
			       "unless the method takes none. Each argument is read as JSON "
			       "if it parses, else taken as a string.");
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		print_cmd_help("help", "", "<command>",
			       "Lists the commands, or describes one.");
		return 0;
	}
	const xe_named_cmd *nc = xe_named_cmd_find(cmd);
	if (nc) {
		/* Upstream adds how selectors work to every command that takes them. */
		char *desc = xe_printf("%s%s", nc->help,
				       strstr(nc->optional, "<vm-selectors>")     ? VM_SELECTORS_INFO
				       : strstr(nc->optional, "<host-selectors>") ? HOST_SELECTORS_INFO
										  : "");

		print_cmd_help(nc->name, nc->required, nc->optional, desc);
		free(desc);
		return 0;
	}
	op = xe_class_op_match(cmd, &c, &ci);
	if (op) {
		char *optn = class_op_params(op, c);
		char desc[1024];

		snprintf(desc, sizeof(desc), "%s (class %s)", op->help, c->name);
		print_cmd_help(cmd, op->required, optn ? optn : "", desc);
		free(optn);
		return 0;
	}
	fprintf(stderr, "Unknown command: %s\nFor usage run: 'xe help'\n", cmd);
	return 1;
}

static void help_all(void)
{
	usage(stdout);
	printf("\nCommands for each class <c> (xe help <c>-<op> for details):\n ");
	for (size_t i = 0; i < xe_class_op_count(); i++)
		printf(" <c>%s", xe_class_op_at(i)->suffix);
	printf("\n\nClasses:\n ");
	for (size_t i = 0, col = 1; i < xe_classinfo_count(); i++) {
		const xe_classinfo *ci = xe_classinfo_at(i);

		if (!xd_dm_class(ci->dm_name))
			continue;
		if (col + strlen(ci->xe_name) + 1 > 78) {
			printf("\n ");
			col = 1;
		}
		printf(" %s", ci->xe_name);
		col += strlen(ci->xe_name) + 1;
	}
	printf("\n  (and every other class the server stores, by its name in lower case, "
	       "'-' for '_')\n");
	printf("\nVM, template, snapshot, host, task, message and storage commands:\n ");
	for (size_t i = 0, col = 1; i < xe_named_cmd_count(); i++) {
		const char *name = xe_named_cmd_at(i)->name;

		if (col + strlen(name) + 1 > 78) {
			printf("\n ");
			col = 1;
		}
		printf(" %s", name);
		col += strlen(name) + 1;
	}
	printf("\n\nOther commands:\n  event-wait  call  help\n");
}

/* `xe help --minimal`: every command name, comma-separated, as upstream's
 * (what the bash completion offers for the first word). */
static void help_minimal(void)
{
	const char *sep = "";

	for (size_t i = 0; i < xe_named_cmd_count(); i++, sep = ",")
		printf("%s%s", sep, xe_named_cmd_at(i)->name);
	for (size_t i = 0; i < xe_classinfo_count(); i++) {
		const xe_classinfo *ci = xe_classinfo_at(i);

		if (!xd_dm_class(ci->dm_name))
			continue;
		for (size_t j = 0; j < xe_class_op_count(); j++)
			printf(",%s%s", ci->xe_name, xe_class_op_at(j)->suffix);
	}
	printf(",event-wait,call,help\n");
}

/* ---- call ---- */

/* Does the method take a session first? Not for the declared no-session
 * messages (login...) nor system.*. */
static bool method_takes_session(const char *method)
{
	const char *m = method;
	const char *dot;
	char *cls;
	const xd_class *c;
	const xd_message *msg;

	if (strncmp(m, "Async.", 6) == 0)
		m += 6;
	if (strncmp(m, "system.", 7) == 0)
		return false;
	dot = strchr(m, '.');
	if (!dot)
		dot = strchr(m, '_'); /* Class_method is accepted too */
	if (!dot)
		return true;
	cls = xe_strndup(m, (size_t)(dot - m));
	c = xd_dm_class_ci(cls);
	free(cls);
	msg = c ? xd_dm_message(c, dot + 1) : NULL;
	return !(msg && (msg->flags & XD_MSG_NO_SESSION));
}

static int cmd_call(xe_client *x, const xe_opts *o)
{
	xd_value *args = xd_array(), *r;
	xd_strbuf sb = XD_STRBUF_INIT;
	xd_error err = XD_ERROR_INIT;
	const char *method;

	if (o->nwords == 0) {
		fprintf(stderr, "Required parameter not found: method\n");
		xd_value_free(args);
		return 1;
	}
	method = o->words[0];
	for (size_t i = 1; i < o->nwords; i++) {
		xd_value *v = NULL;
		char *why = NULL;

		if (xd_json_parse(o->words[i], strlen(o->words[i]), &v, &why) < 0) {
			free(why);
			v = xd_string(o->words[i]);
		}
		xd_array_append_take(args, v);
	}
	if (method_takes_session(method))
		r = xe_client_try(x, method, args, &err);
	else
		r = xe_client_call_raw(x, method, args, &err);
	if (!r) {
		if (xd_error_is_set(&err))
			xe_print_error(&err);
		xd_error_clear(&err);
		return 1;
	}
	xd_json_encode_value(&sb, r);
	printf("%s\n", sb.data ? sb.data : "");
	xd_strbuf_free(&sb);
	xd_value_free(r);
	return 0;
}

/* ---- main ---- */

/* -pwf FILE: the username on the first line, the password on the second. */
static int read_password_file(xe_opts *o)
{
	FILE *f = fopen(o->pwfile, "r");
	char *lines[2] = { NULL, NULL };
	size_t cap = 0;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "Error opening password file '%s'\n", o->pwfile);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		ssize_t n;

		cap = 0;
		n = getline(&lines[i], &cap, f);
		if (n < 0) {
			fprintf(stderr, "Error: password file format: expecting username on "
					"the first line, password on the second line\n");
			goto out;
		}
		if (n > 0 && lines[i][n - 1] == '\n')
			lines[i][n - 1] = '\0';
	}
	free(o->username);
	free(o->password);
	o->username = lines[0];
	o->password = lines[1];
	lines[0] = lines[1] = NULL;
	rc = 0;
out:
	free(lines[0]);
	free(lines[1]);
	fclose(f);
	return rc;
}

typedef enum { K_CLASS, K_NAMED, K_EVENT_WAIT, K_CALL } cmd_kind;

int main(int argc, char **argv)
{
	xe_opts o;
	xe_client x;
	xe_conn *conn;
	char *why = NULL;
	const xe_class_op *op = NULL;
	const xe_named_cmd *named = NULL;
	const xd_class *c = NULL;
	const xe_classinfo *ci = NULL;
	cmd_kind kind;
	int rc = 1;

	if (xe_args_parse(argc, argv, &o, &why) < 0) {
		fprintf(stderr, "%s\n", why);
		free(why);
		return 1;
	}
	if (o.version) {
		printf("xe (xapi-c) %s\n", PACKAGE_VERSION);
		rc = 0;
		goto out_opts;
	}
	if (xd_dm_init() < 0) {
		fprintf(stderr, "xe: the datamodel tables do not load\n");
		goto out_opts;
	}
	if (!o.command) {
		if (o.help) {
			help_all();
			rc = 0;
		} else {
			usage(stderr);
		}
		goto out_opts;
	}
	if (strcmp(o.command, "help") == 0 || o.help) {
		if (strcmp(o.command, "help") != 0)
			rc = help_one(o.command);
		else if (o.nwords > 0)
			/* Each command named, as upstream's help does. */
			for (size_t i = rc = 0; i < o.nwords; i++)
				rc |= help_one(o.words[i]);
		else if (o.minimal) {
			help_minimal();
			rc = 0;
		} else {
			help_all();
			rc = 0;
		}
		goto out_opts;
	}
	if (strcmp(o.command, "event-wait") == 0) {
		kind = K_EVENT_WAIT;
	} else if (strcmp(o.command, "call") == 0) {
		kind = K_CALL;
	} else if ((named = xe_named_cmd_find(o.command))) {
		kind = K_NAMED;
	} else {
		op = xe_class_op_match(o.command, &c, &ci);
		if (!op) {
			fprintf(stderr, "Unknown command: %s\nFor usage run: 'xe help'\n",
				o.command);
			goto out_opts;
		}
		kind = K_CLASS;
	}
	if (o.pwfile && read_password_file(&o) < 0)
		goto out_opts;
	if (o.server && !o.username) {
		/* Only the local socket knows who we are. */
		fprintf(stderr, "Username/password must be specified\n");
		goto out_opts;
	}

	if (o.server) {
		/* as upstream's xe: https on 443 unless --nossl (then 80) */
		conn = xe_conn_new_tcp(o.server,
				       o.port ? o.port : o.nossl ? XE_DEFAULT_PORT : XE_DEFAULT_TLS_PORT,
				       !o.nossl);
	} else {
		const char *path = o.socket ? o.socket : getenv("XE_SOCKET");

		conn = xe_conn_new_unix(path && *path ? path : XE_DEFAULT_SOCKET);
	}
	xe_conn_set_debug(conn, o.debug);
	xe_client_init(&x, conn);
	/* Without -u: root with an empty password, which the daemon accepts
	 * from a uid-0 peer on its unix socket (xapi's local login). */
	if (xe_client_login(&x, o.username ? o.username : "root",
			    o.password ? o.password : "") < 0)
		goto out_client;
	switch (kind) {
	case K_CLASS:
		rc = op->fn(&x, &o, c, ci);
		break;
	case K_NAMED:
		rc = named->fn(&x, &o);
		break;
	case K_EVENT_WAIT:
		rc = xe_cmd_event_wait(&x, &o);
		break;
	case K_CALL:
		rc = cmd_call(&x, &o);
		break;
	}
	if (x.broken)
		rc = 1;
	xe_client_logout(&x);
out_client:
	xe_client_clear(&x);
	/* every answer is in: the https connections' pipe threads end now,
	 * not halfway through freeing their TLS state at exit */
	xd_tls_pipe_stop_all();
out_opts:
	xe_opts_clear(&o);
	fflush(stdout);
	return rc;
}
