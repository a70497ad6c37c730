/* xe_console.c - `xe console <vm-selectors>`: the selected VM's text console
 * (its vt100 console object) through xapid, as upstream's xe: CONNECT
 * /console?uuid=<console> on a data connection of xe's own, then the bytes
 * both ways. On a terminal, the terminal goes raw and Ctrl-] leaves; with
 * input from a pipe or file, what it holds is typed, and xe stays to print
 * the answer until the console has been quiet for LINGER_MS (a script's
 * `printf 'cmd\r' | xe console vm=x`).
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "strbuf.h"
#include "xe_cmds.h"
#include "xe_http.h"
#include "xe_select.h"
#include "xe_transport.h"
#include "xe_util.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-] */
#define LINGER_MS 2000

/* The uuid of the VM's vt100 console (heap), or NULL after printing why. */
static char *text_console(xe_client *x, const xe_selected *vm)
{
	xd_value *cons = xe_client_call(x, "VM.get_consoles", xe_strings(1, vm->ref));
	char *uuid = NULL;

	for (size_t i = 0; cons && i < cons->u.arr.n && !uuid; i++) {
		const char *c = cons->u.arr.items[i]->u.s;
		xd_value *proto = xe_client_call(x, "console.get_protocol", xe_strings(1, c));

		if (proto && strcmp(proto->u.s, "vt100") == 0) {
			xd_value *u = xe_client_call(x, "console.get_uuid", xe_strings(1, c));
			uuid = u ? xe_strdup(u->u.s) : NULL;
			xd_value_free(u);
		}
		xd_value_free(proto);
	}
	if (cons && !uuid)
		xe_fail("The VM %s has no text console (is it running?)", vm->uuid);
	xd_value_free(cons);
	return uuid;
}

/* The console's connection, past the server's 200; -1 after printing why. */
static int open_console(xe_client *x, const char *console)
{
	xd_strbuf q = XD_STRBUF_INIT, head = XD_STRBUF_INIT;
	int64_t length;
	int fd, status;

	xe_http_put_query(&q, "uuid", console);
	xe_http_put_query(&q, "session_id", x->session);
	fd = xe_conn_connect_data(x->conn);
	if (fd < 0) {
		xe_fail("%s", xe_conn_error(x->conn));
		xd_strbuf_free(&q);
		return -1;
	}
	xd_strbuf_printf(&head, "CONNECT /console%s HTTP/1.0\r\nHost: %s\r\nUser-Agent: xe\r\n\r\n",
			 q.data, xe_conn_host(x->conn));
	status = xe_http_send_all(fd, head.data, head.len) < 0 ? -1 : xe_http_read_head(fd, &length);
	xd_strbuf_free(&q);
	xd_strbuf_free(&head);
	if (status != 200) {
		/* the server's reason is the body of its refusal */
		char *why = status > 0 ? xe_http_read_body(fd, length, 512) : NULL;

		if (status > 0)
			xe_fail("Cannot connect to the console: HTTP %d%s%s", status,
				why && *why ? ": " : "", why ? why : "");
		else
			xe_fail("Cannot connect to the console: the server closed the connection");
		free(why);
		close(fd);
		return -1;
	}
	return fd;
}

/* All of buf to fd with write(2) (stdout may be a pipe or a file). */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Bytes both ways until the console closes, Ctrl-] on a terminal, or the
 * console stays quiet for LINGER_MS after a piped input ended. */
static void relay(int fd, bool tty)
{
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };
	char buf[4096];
	bool input_open = true;

	for (;;) {
		int n = poll(p, 2, input_open ? -1 : LINGER_MS);
		ssize_t r;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* quiet long enough after the input ended */
		if (p[1].revents) {
			r = read(fd, buf, sizeof(buf));
			if (r <= 0 || write_all(1, buf, (size_t)r) < 0)
				return;
		}
		if (input_open && p[0].revents) {
			r = read(0, buf, sizeof(buf));
			if (r <= 0) {
				input_open = false;
				p[0].fd = -1;
				continue;
			}
			if (tty && memchr(buf, ESCAPE_CHAR, (size_t)r))
				return;
			if (xe_http_send_all(fd, buf, (size_t)r) < 0)
				return;
		}
	}
}

static int op_console(xe_client *x, const xe_opts *o, const xe_selected *vm, void *ud)
{
	struct termios saved, raw;
	bool tty = isatty(0) && tcgetattr(0, &saved) == 0;
	char *console = text_console(x, vm);
	int fd;

	(void)o;
	(void)ud;
	if (!console)
		return 1;
	fd = open_console(x, console);
	free(console);
	if (fd < 0)
		return 1;
	if (tty) {
		fprintf(stderr, "Connected to the console of %s; Ctrl-] leaves.\r\n", vm->uuid);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	relay(fd, tty);
	if (tty) {
		tcsetattr(0, TCSANOW, &saved);
		fprintf(stderr, "\n");
	}
	close(fd);
	return 0;
}

static int cmd_console(xe_client *x, const xe_opts *o)
{
	return xe_select_each(x, o, XE_VM_SPEC(XE_VM_IMPLICIT, NULL), false, op_console, NULL);
}

static const xe_named_cmd cmds[] = {
	{ "console", cmd_console, "", "<vm-selectors>",
	  "Attach to the text console of the selected VM (Ctrl-] leaves). With input from a "
	  "pipe or a file, types it, prints the console's answer until it has been quiet for "
	  "2 seconds, and exits." },
};

const size_t xe_console_ncmds = sizeof(cmds) / sizeof(cmds[0]);
const xe_named_cmd *const xe_console_cmds = cmds;
