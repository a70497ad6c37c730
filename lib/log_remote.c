/* log_remote.c - the logger's copy to a remote syslog receiver (see
 * xd_log_set_remote in log.h). One connected UDP socket; a line that cannot
 * be sent at once is dropped (syslog over UDP promises no more, and the
 * logger must never wait on the network). */
#define _GNU_SOURCE
#include "log.h"
#include "log_int.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t remote_lock = PTHREAD_MUTEX_INITIALIZER;
static int remote_fd = -1; /* guarded by remote_lock */
/* Whether remote_fd is set, read without the lock: a line costs no lock
 * when nothing is forwarded (the usual case). */
static atomic_bool remote_on;

/* "host", "host:port", "[v6]:port", "v6addr" (several colons: no port). */
static void split_dest(const char *dest, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon = strrchr(dest, ':');

	snprintf(port, portlen, "514");
	if (dest[0] == '[') {
		const char *close = strchr(dest, ']');
		size_t n = close ? (size_t)(close - dest - 1) : strlen(dest + 1);

		snprintf(host, hostlen, "%.*s", (int)n, dest + 1);
		if (close && close[1] == ':')
			snprintf(port, portlen, "%s", close + 2);
		return;
	}
	if (colon && strchr(dest, ':') == colon) {
		snprintf(host, hostlen, "%.*s", (int)(colon - dest), dest);
		snprintf(port, portlen, "%s", colon + 1);
		return;
	}
	snprintf(host, hostlen, "%s", dest);
}

void xd_log_remote_lock(void)
{
	pthread_mutex_lock(&remote_lock);
}

void xd_log_remote_unlock(void)
{
	pthread_mutex_unlock(&remote_lock);
}

int xd_log_set_remote(const char *dest, char *why, size_t whylen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai = NULL, *a;
	char host[256], port[32];
	int fd = -1, rc;

	if (dest && *dest) {
		split_dest(dest, host, sizeof host, port, sizeof port);
		rc = getaddrinfo(host, port, &hints, &ai);
		if (rc != 0) {
			snprintf(why, whylen, "syslog destination %s: %s", dest, gai_strerror(rc));
			return -1;
		}
		for (a = ai; a && fd < 0; a = a->ai_next) {
			fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
			if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
				close(fd);
				fd = -1;
			}
		}
		freeaddrinfo(ai);
		if (fd < 0) {
			snprintf(why, whylen, "syslog destination %s: %s", dest, strerror(errno));
			return -1;
		}
	}
	pthread_mutex_lock(&remote_lock);
	if (remote_fd >= 0)
		close(remote_fd);
	remote_fd = fd;
	atomic_store(&remote_on, fd >= 0);
	pthread_mutex_unlock(&remote_lock);
	return 0;
}

/* RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG, facility daemon (3). */
void xd_log_remote_send(int severity, const struct tm *utc, const char *msg, size_t len)
{
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char head[384], host[256] = "localhost";
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	int n;

	if (!atomic_load(&remote_on))
		return;
	pthread_mutex_lock(&remote_lock);
	if (remote_fd < 0) {
		pthread_mutex_unlock(&remote_lock);
		return;
	}
	gethostname(host, sizeof host - 1);
	n = snprintf(head, sizeof head, "<%d>%s %2d %02d:%02d:%02d %s xapid[%d]: ", 3 * 8 + severity,
		     months[utc->tm_mon % 12], utc->tm_mday, utc->tm_hour, utc->tm_min, utc->tm_sec,
		     host, (int)getpid());
	iov[0].iov_base = head;
	iov[0].iov_len = n > 0 && (size_t)n < sizeof head ? (size_t)n : 0;
	iov[1].iov_base = (void *)msg;
	iov[1].iov_len = len;
	(void)sendmsg(remote_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	pthread_mutex_unlock(&remote_lock);
}
