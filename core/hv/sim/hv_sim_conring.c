/* hv_sim_conring.c - the simulated hypervisor's console ring: what
 * host.dmesg reads on the sim backend, as Xen's conring on a real host.
 *
 * A ring of CONRING_SIZE bytes (Xen's default size): when full, the oldest
 * bytes are dropped. It starts with the lines a booting Xen prints; the
 * domain lifecycle (hv_sim.c) and send_debug_keys add theirs. It has a lock
 * of its own, taken inside the sim lock or alone, never around it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hv_sim_int.h"

#define CONRING_SIZE 16384

static struct {
	pthread_mutex_t lock;
	char buf[CONRING_SIZE];
	size_t start, len;   /* the oldest byte and how many are held */
	bool booted;         /* the boot lines are in */
} R = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void put_locked(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		R.buf[(R.start + R.len) % CONRING_SIZE] = s[i];
		if (R.len < CONRING_SIZE)
			R.len++;
		else
			R.start = (R.start + 1) % CONRING_SIZE;
	}
}

static void line_locked(const char *fmt, va_list ap)
{
	char line[512];
	int n = vsnprintf(line, sizeof line - 1, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	put_locked("(XEN) ", 6);
	put_locked(line, (size_t)n);
}

static void add_locked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_locked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line_locked(fmt, ap);
	va_end(ap);
}

/* What a booting Xen says first, for the host the sim stands for (hv_sim.c's
 * host_info: Xen 4.17, credit2, this machine's CPUs). */
static void boot_locked(void)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (R.booted)
		return;
	R.booted = true;
	add_locked("Xen version 4.17.0 (xapi-c simulated host)");
	add_locked("Using scheduler: SMP Credit Scheduler rev2 (credit2)");
	add_locked("Brought up %ld CPUs", ncpus > 0 ? ncpus : 1);
	add_locked("Dom0 has maximum %ld VCPUs", ncpus > 0 ? ncpus : 1);
}

void xd_sim_conring_add(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&R.lock);
	boot_locked();
	va_start(ap, fmt);
	line_locked(fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&R.lock);
}

char *xd_sim_conring_read(void)
{
	char *out;

	pthread_mutex_lock(&R.lock);
	boot_locked();
	out = malloc(R.len + 1);
	if (out) {
		size_t first = R.len < CONRING_SIZE - R.start ? R.len : CONRING_SIZE - R.start;

		memcpy(out, R.buf + R.start, first);
		memcpy(out + first, R.buf, R.len - first);
		out[R.len] = '\0';
	}
	pthread_mutex_unlock(&R.lock);
	return out;
}

void xd_sim_conring_reset(void)
{
	pthread_mutex_lock(&R.lock);
	R.start = R.len = 0;
	R.booted = false;
	pthread_mutex_unlock(&R.lock);
}

/* Xen's debug keys the sim knows by name (xen/common/keyhandler.c); any
 * other printable key is reported as one without a handler. */
static const char *key_action(char k)
{
	static const struct {
		char key;
		const char *what;
	} keys[] = {
		{ 'h', "showing installed handlers" },
		{ 'q', "dumping domain (and guest debug) info" },
		{ 'r', "dumping run queues" },
		{ 'm', "memory info" },
		{ 't', "display multi-cpu clock info" },
		{ 'd', "dumping registers" },
		{ '0', "dumping Dom0 guest's registers" },
		{ 'a', "dumping timer queues" },
		{ 'c', "dumping ACPI Cx structures" },
		{ 'e', "dumping event-channel info" },
		{ 'i', "dumping interrupt bindings" },
		{ 'u', "dumping NUMA info" },
		{ 'z', "dumping IOAPIC info" },
	};

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (keys[i].key == k)
			return keys[i].what;
	return NULL;
}

void xd_sim_conring_debug_keys(const char *keys)
{
	pthread_mutex_lock(&R.lock);
	boot_locked();
	for (const char *k = keys; *k; k++) {
		const char *what = key_action(*k);

		if (what)
			add_locked("'%c' pressed -> %s", *k, what);
		else if (*k > ' ' && *k < 127)
			add_locked("'%c' pressed -> no handler for this key", *k);
		else
			add_locked("key 0x%02x pressed -> no handler for this key", (unsigned char)*k);
	}
	pthread_mutex_unlock(&R.lock);
}
