/* plugin_crash.c - a plugin that crashes leaves a backtrace in xapid's log.
 *
 * On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT the worker writes the
 * frames of the crashing thread as "log" messages to the core (which logs
 * them as "plugin NAME: ..." with the request and task of the call), then
 * dies of the same signal, so that the core still reports "crashed (signal
 * N)". The plugin is found among the loaded objects by its file (device and
 * inode of the path the worker was given), so a plugin dlopen'd through a
 * held fd (/proc/self/fd/N) is named and resolved as well. Each frame is "#n FILE+0xOFFSET (function+0xOFF)": the offset is what
 * `addr2line -f -e FILE 0xOFFSET` takes (frames after #0 are return
 * addresses: the call is the instruction before).
 *
 * Everything the handler does is async-signal-safe: backtrace() is primed
 * at start (its first call dlopens libgcc_s), the loaded objects and the
 * plugin's symbols are read before each op into static tables
 * (dl_iterate_phdr and dladdr take the loader's lock, which the crashing
 * thread may hold), and the output is formatted by hand and written with
 * write(2). It runs on an alternate stack, so a stack overflow is reported
 * too.
 */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_worker.h"

#define MAX_FRAMES 128
#define MAX_MODULES 96
#define ALT_STACK_SIZE (64 * 1024)

struct module {
	uintptr_t base;              /* dlpi_addr: what file offsets are relative to */
	uintptr_t lo, hi;            /* its PT_LOAD segments, in memory */
	char name[256];
};

/* The plugin's function symbols (from its .symtab, else .dynsym), sorted
 * by address: names for its frames, hidden functions included. */
struct sym {
	uintptr_t addr, size;        /* relative to the plugin's base */
	const char *name;            /* into sym_strings */
};

static xapi_plugin_t *crash_plugin;
static const char *crash_so;     /* the plugin's path, as the worker was given it */
static dev_t so_dev;             /* ... and the file it is: the plugin is the loaded */
static ino_t so_ino;             /* object of that file, whatever name dlopen saw */
static bool so_known;
static char so_loaded[256];      /* the name the loader has it under: symbols come from it */
static struct module modules[MAX_MODULES];
static volatile sig_atomic_t nmodules;
static unsigned long long seen_adds = ~0ull;
static struct sym *syms;
static size_t nsyms;
static char *sym_strings;
static uintptr_t plugin_base;
static bool plugin_found;
static char alt_stack[ALT_STACK_SIZE];

/* ---- reading the plugin's symbols (before any op; not in the handler) ---- */

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Loads the function symbols of the ELF file at path (best effort: a
 * stripped plugin gets offsets only). */
static void load_symbols(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0)
		return;
	if (fstat(fd, &sb) != 0 || (size_t)sb.st_size < sizeof(ElfW(Ehdr))) {
		close(fd);
		return;
	}
	size_t size = (size_t)sb.st_size;
	const unsigned char *f = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f == MAP_FAILED)
		return;
	const ElfW(Ehdr) *eh = (const void *)f;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_shoff == 0 ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > size)
		goto out;
	const ElfW(Shdr) *sh = (const void *)(f + eh->e_shoff);
	const ElfW(Shdr) *tab = NULL;
	for (int want = SHT_SYMTAB; want && !tab; want = want == SHT_SYMTAB ? SHT_DYNSYM : 0)
		for (size_t i = 0; i < eh->e_shnum; i++)
			if (sh[i].sh_type == (ElfW(Word))want && sh[i].sh_link < eh->e_shnum) {
				tab = &sh[i];
				break;
			}
	if (!tab || tab->sh_offset + tab->sh_size > size)
		goto out;
	const ElfW(Shdr) *strs = &sh[tab->sh_link];
	if (strs->sh_offset + strs->sh_size > size || strs->sh_size == 0)
		goto out;
	size_t n = tab->sh_size / sizeof(ElfW(Sym));
	const ElfW(Sym) *s = (const void *)(f + tab->sh_offset);
	syms = calloc(n ? n : 1, sizeof *syms);
	sym_strings = malloc(strs->sh_size + 1);
	if (!syms || !sym_strings)
		goto out;
	memcpy(sym_strings, f + strs->sh_offset, strs->sh_size);
	sym_strings[strs->sh_size] = '\0';
	for (size_t i = 0; i < n; i++)
		if (ELF64_ST_TYPE(s[i].st_info) /* same as ELF32_ST_TYPE */ == STT_FUNC && s[i].st_value &&
		    s[i].st_name < strs->sh_size)
			syms[nsyms++] = (struct sym){ s[i].st_value, s[i].st_size,
						      sym_strings + s[i].st_name };
	qsort(syms, nsyms, sizeof *syms, sym_cmp);
out:
	munmap((void *)f, size);
}

static int note_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (nmodules >= MAX_MODULES)
		return 1;
	struct module *m = &modules[nmodules];
	m->base = info->dlpi_addr;
	m->lo = UINTPTR_MAX;
	m->hi = 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (lo < m->lo)
			m->lo = lo;
		if (hi > m->hi)
			m->hi = hi;
	}
	const char *name = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : NULL;
	if (!name || strncmp(name, "/proc/self/fd/", 14) == 0) {
		/* the worker itself, or an object loaded through a held fd: the
		 * file's own name is what addr2line needs */
		ssize_t l = readlink(name ? name : "/proc/self/exe", m->name, sizeof m->name - 1);
		m->name[l > 0 ? l : 0] = '\0';
	} else {
		snprintf(m->name, sizeof m->name, "%s", name);
	}
	struct stat sb;
	if (so_known && name && stat(name, &sb) == 0 && sb.st_dev == so_dev &&
	    sb.st_ino == so_ino) {
		plugin_base = info->dlpi_addr;
		plugin_found = true;
		snprintf(so_loaded, sizeof so_loaded, "%s", name);
		/* named as configured (plugins.d path), however it was opened */
		snprintf(m->name, sizeof m->name, "%s", crash_so);
	}
	nmodules++;
	return 0;
}

static int count_adds(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	*(unsigned long long *)arg = info->dlpi_adds;
	return 1;
}

void xd_worker_crash_refresh(void)
{
	unsigned long long adds = 0;
	dl_iterate_phdr(count_adds, &adds);
	/* only when something was loaded since: a cheap check before each op */
	if (adds == seen_adds)
		return;
	seen_adds = adds;
	nmodules = 0;
	plugin_found = false;
	dl_iterate_phdr(note_module, NULL);
	if (plugin_found && !syms)
		load_symbols(so_loaded);
}

/* ---- the handler: async-signal-safe from here on ---- */

struct out {
	char buf[1024];
	size_t len;
};

static void put(struct out *o, const char *s)
{
	while (*s && o->len < sizeof o->buf - 1)
		o->buf[o->len++] = *s++;
}

/* A JSON string's contents: quotes, backslashes and control bytes escaped. */
static void put_json(struct out *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	for (; *s && o->len < sizeof o->buf - 8; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			o->buf[o->len++] = '\\';
			o->buf[o->len++] = (char)c;
		} else if (c < 0x20) {
			put(o, "\\u00");
			o->buf[o->len++] = hex[c >> 4];
			o->buf[o->len++] = hex[c & 15];
		} else {
			o->buf[o->len++] = (char)c;
		}
	}
}

static void put_num(struct out *o, uintptr_t v, unsigned base)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && n < (int)sizeof tmp);
	if (base == 16)
		put(o, "0x");
	while (n > 0 && o->len < sizeof o->buf - 1)
		o->buf[o->len++] = tmp[--n];
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Sends one line as a "log" message at error level, or writes it to
 * stderr if the socket cannot take it now. */
static void say(const char *line, bool to_core)
{
	struct out o = { .len = 4 };
	put(&o, "{\"t\":\"log\",\"level\":0,\"msg\":\"");
	put_json(&o, line);
	put(&o, "\"}");
	size_t len = o.len - 4;
	o.buf[0] = (char)((len >> 24) & 0xff);
	o.buf[1] = (char)((len >> 16) & 0xff);
	o.buf[2] = (char)((len >> 8) & 0xff);
	o.buf[3] = (char)(len & 0xff);
	if (to_core && write_all(crash_plugin->fd, o.buf, o.len))
		return;
	char nl = '\n';
	if (write_all(STDERR_FILENO, "xapid-plugin-worker: ", 21) &&
	    write_all(STDERR_FILENO, line, strlen(line)))
		(void)write_all(STDERR_FILENO, &nl, 1);
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGSEGV: return "SIGSEGV";
	case SIGBUS: return "SIGBUS";
	case SIGILL: return "SIGILL";
	case SIGFPE: return "SIGFPE";
	case SIGABRT: return "SIGABRT";
	}
	return "a signal";
}

static const struct module *module_of(uintptr_t pc)
{
	for (int i = 0; i < nmodules; i++)
		if (pc >= modules[i].lo && pc < modules[i].hi)
			return &modules[i];
	return NULL;
}

static const struct sym *sym_of(uintptr_t off)
{
	size_t lo = 0, hi = nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct sym *s = &syms[lo - 1];
	return off < s->addr + (s->size ? s->size : 1) ? s : NULL;
}

static void crash_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	void *frames[MAX_FRAMES];
	int n = backtrace(frames, MAX_FRAMES);
	/* The plugin may log from threads of its own: a message of theirs must
	 * not be cut by ours. trylock is a CAS in glibc (no syscall, no wait);
	 * if the lock is taken (by this very thread, maybe), stderr it is. */
	bool to_core = crash_plugin && pthread_mutex_trylock(&crash_plugin->send_lock) == 0;

	struct out o = { 0 };
	put(&o, "crashed with signal ");
	put_num(&o, (uintptr_t)sig, 10);
	put(&o, " (");
	put(&o, signame(sig));
	/* a fault's address; a signal someone sent (raise, kill) has none */
	if (si && si->si_code > 0 && sig != SIGABRT) {
		put(&o, " at address ");
		put_num(&o, (uintptr_t)si->si_addr, 16);
	}
	put(&o, "); backtrace, innermost first (addr2line -f -e FILE OFFSET):");
	o.buf[o.len] = '\0';
	say(o.buf, to_core);

	/* frames[0] is this handler; the signal frame follows. A run of the
	 * same frame (a recursion that overflowed the stack) is one line. */
	for (int i = 1, shown = 0; i < n; i++) {
		uintptr_t pc = (uintptr_t)frames[i];
		int same = 0;
		while (i + same + 1 < n && frames[i + same + 1] == frames[i])
			same++;
		if (i > 1 && frames[i - 1] == frames[i])
			continue; /* said in the line of the run's first frame */
		const struct module *m = module_of(pc);
		o.len = 0;
		put(&o, "#");
		put_num(&o, (uintptr_t)shown++, 10);
		put(&o, " ");
		if (m) {
			put(&o, m->name);
			put(&o, "+");
			put_num(&o, pc - m->base, 16);
			const struct sym *s = plugin_found && m->base == plugin_base
						      ? sym_of(pc - m->base) : NULL;
			if (s) {
				put(&o, " (");
				put(&o, s->name);
				put(&o, "+");
				put_num(&o, pc - m->base - s->addr, 16);
				put(&o, ")");
			}
		} else {
			put_num(&o, pc, 16);
		}
		if (same) {
			put(&o, " [and ");
			put_num(&o, (uintptr_t)same, 10);
			put(&o, " more times]");
			shown += same;
		}
		o.buf[o.len] = '\0';
		say(o.buf, to_core);
	}
	if (to_core)
		pthread_mutex_unlock(&crash_plugin->send_lock);
	/* Die of the same signal (the core reports it): it is blocked while we
	 * run, so it lands as soon as the handler returns, with the default
	 * action. A fault would also recur when the instruction runs again. */
	signal(sig, SIG_DFL);
	raise(sig);
}

void xd_worker_crash_fini(void)
{
	/* a crash from here on (fini's, atexit's) gets offsets without names */
	struct sym *s = syms;
	char *strings = sym_strings;
	nsyms = 0;
	syms = NULL;
	sym_strings = NULL;
	free(s);
	free(strings);
}

void xd_worker_crash_init(xapi_plugin_t *p, const char *so_path)
{
	crash_plugin = p;
	crash_so = so_path;
	struct stat sb;
	if (so_path && stat(so_path, &sb) == 0) {
		so_dev = sb.st_dev;
		so_ino = sb.st_ino;
		so_known = true;
	}
	/* loads libgcc_s now: its dlopen is not safe inside a handler */
	void *prime[2];
	(void)backtrace(prime, 2);

	stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0 };
	bool alt = sigaltstack(&ss, NULL) == 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = crash_handler;
	sa.sa_flags = SA_SIGINFO | (alt ? SA_ONSTACK : 0);
	sigemptyset(&sa.sa_mask);
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}
