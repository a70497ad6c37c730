/* tls_pipe.c - a TLS connection seen as a plain socket (see tls_pipe.h). */
#include "tls_pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#define PIPE_BUF_BYTES (64 * 1024)
/* The pump's own frames are small; OpenSSL's deepest calls need well
 * under this. A thread per connection must not reserve 8 MiB each. */
#define PIPE_STACK_BYTES (512 * 1024)

/* One direction's bytes in flight: [off, len) still to be written. */
typedef struct span {
	char data[PIPE_BUF_BYTES];
	size_t off, len;
} span;

typedef struct tls_pipe {
	SSL *ssl;
	int net, app;
	double handshake_s;
	span down;        /* network -> application */
	span up;          /* application -> network */
	struct tls_pipe *next;
} tls_pipe;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t gone;
	tls_pipe *all;
	unsigned n;
} reg = { .lock = PTHREAD_MUTEX_INITIALIZER, .gone = PTHREAD_COND_INITIALIZER };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Which poll events on the network socket an SSL call that returned r is
 * waiting for: POLLIN/POLLOUT, 0 if it made progress, -1 if the TLS
 * connection is over (closed by the peer or broken). */
static int ssl_wants(SSL *ssl, int r)
{
	if (r > 0)
		return 0;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		return POLLIN;
	case SSL_ERROR_WANT_WRITE:
		return POLLOUT;
	default:
		return -1;
	}
}

/* The server side handshake, bounded in time: a client that sends nothing
 * or plain HTTP is dropped here without ever reaching the HTTP server. */
static int handshake(tls_pipe *p)
{
	double deadline = now_s() + p->handshake_s;

	for (;;) {
		int r = SSL_accept(p->ssl), w = ssl_wants(p->ssl, r);
		double left = deadline - now_s();

		if (r == 1)
			return 0;
		if (w < 0 || left <= 0)
			return -1;
		struct pollfd pfd = { .fd = p->net, .events = (short)w };
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return -1;
	}
}

/* Moves bytes both ways until either side is done. */
static void pump(tls_pipe *p)
{
	bool net_eof = false, app_eof = false, app_shut = false;

	for (;;) {
		bool progress = false;
		short net_ev = 0, app_ev = 0;

		/* network -> application */
		if (!net_eof && p->down.len == 0) {
			int r = SSL_read(p->ssl, p->down.data, sizeof(p->down.data));
			int w = ssl_wants(p->ssl, r);

			if (r > 0) {
				p->down.off = 0;
				p->down.len = (size_t)r;
				progress = true;
			} else if (w < 0) {
				net_eof = true;
			} else {
				net_ev |= (short)w;
			}
		}
		if (p->down.off < p->down.len) {
			ssize_t n = send(p->app, p->down.data + p->down.off, p->down.len - p->down.off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n > 0) {
				p->down.off += (size_t)n;
				progress = true;
			} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
				app_ev |= POLLOUT;
			} else {
				return; /* the application side closed */
			}
			if (p->down.off == p->down.len)
				p->down.off = p->down.len = 0;
		}
		if (net_eof && p->down.len == 0 && !app_shut) {
			/* the client finished sending: the server reads EOF, and
			 * may still answer */
			shutdown(p->app, SHUT_WR);
			app_shut = true;
		}

		/* application -> network */
		if (!app_eof && p->up.len == 0) {
			ssize_t n = recv(p->app, p->up.data, sizeof(p->up.data), MSG_DONTWAIT);

			if (n > 0) {
				p->up.off = 0;
				p->up.len = (size_t)n;
				progress = true;
			} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
				app_ev |= POLLIN;
			} else {
				app_eof = true;
			}
		}
		if (p->up.off < p->up.len) {
			int r = SSL_write(p->ssl, p->up.data + p->up.off, (int)(p->up.len - p->up.off));
			int w = ssl_wants(p->ssl, r);

			if (r > 0) {
				p->up.off += (size_t)r;
				progress = true;
				if (p->up.off == p->up.len)
					p->up.off = p->up.len = 0;
			} else if (w < 0) {
				return; /* the client went away */
			} else {
				net_ev |= (short)w;
			}
		}
		if (app_eof && p->up.len == 0) {
			SSL_shutdown(p->ssl); /* close_notify, best effort */
			return;
		}
		if (net_eof && app_eof)
			return;
		if (progress)
			continue;

		/* A side we wait nothing from is left out of poll (a negative fd),
		 * so that its hang-up does not spin the loop. */
		struct pollfd pfd[2] = {
			{ .fd = net_ev ? p->net : -1, .events = net_ev },
			{ .fd = app_ev ? p->app : -1, .events = app_ev },
		};
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return;
	}
}

static void pipe_free(tls_pipe *p)
{
	SSL_free(p->ssl);
	close(p->net);
	close(p->app);
	free(p);
}

static void *pipe_main(void *arg)
{
	tls_pipe *p = arg;
	sigset_t pipe_sig;

	/* OpenSSL writes with write(): a peer gone must be EPIPE for this
	 * thread, never a SIGPIPE that kills a client such as xe */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);

	if (p->handshake_s <= 0 || handshake(p) == 0)
		pump(p);
	/* OpenSSL keeps per-thread error state: leave none behind. */
	ERR_clear_error();

	pthread_mutex_lock(&reg.lock);
	for (tls_pipe **pp = &reg.all; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&reg.lock);
	pipe_free(p);
	/* this thread's OpenSSL state goes before it counts as gone: a client
	 * waiting in xd_tls_pipe_stop_all may exit at once (a leak otherwise) */
	OPENSSL_thread_stop();
	pthread_mutex_lock(&reg.lock);
	reg.n--;
	pthread_cond_broadcast(&reg.gone);
	pthread_mutex_unlock(&reg.lock);
	return NULL;
}

int xd_tls_pipe_start(SSL *ssl, int net_fd, double handshake_s)
{
	int sv[2];
	tls_pipe *p = calloc(1, sizeof(*p));
	pthread_attr_t attr;
	pthread_t t;

	if (!p || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(p);
		SSL_free(ssl);
		close(net_fd);
		return -1;
	}
	p->ssl = ssl;
	p->net = net_fd;
	p->app = sv[1];
	p->handshake_s = handshake_s;
	set_nonblocking(net_fd);
	set_nonblocking(sv[1]);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, PIPE_STACK_BYTES);
	pthread_mutex_lock(&reg.lock);
	if (pthread_create(&t, &attr, pipe_main, p) != 0) {
		pthread_mutex_unlock(&reg.lock);
		pthread_attr_destroy(&attr);
		pipe_free(p);
		close(sv[0]);
		return -1;
	}
	p->next = reg.all;
	reg.all = p;
	reg.n++;
	pthread_mutex_unlock(&reg.lock);
	pthread_attr_destroy(&attr);
	return sv[0];
}

void xd_tls_pipe_stop_all(void)
{
	pthread_mutex_lock(&reg.lock);
	for (tls_pipe *p = reg.all; p; p = p->next)
		shutdown(p->net, SHUT_RDWR);
	while (reg.n > 0)
		pthread_cond_wait(&reg.gone, &reg.lock);
	pthread_mutex_unlock(&reg.lock);
}
