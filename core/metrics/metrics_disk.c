/* metrics_disk.c - the archives on disk, under <state_dir>/rrd/:
 *
 *  - <kind>-<uuid>.rrd, one per object: its data sources (so that record
 *    and forget outlive a restart) and its whole archive, in xapi-c's own
 *    binary form (native byte order; /host_rrd, /vm_rrd, /sr_rrd give
 *    rrdtool's dump XML). Written whole to a temporary file, fsync'd and
 *    renamed over the old one: a file is always one complete state.
 *  - journal-<n>: every round's values of every object, one record (one
 *    write) per round, fdatasync'd every JOURNAL_SYNC_S.
 *
 * Rewriting every file at every round would write ~190 KB per VM every
 * 5 s; instead each object's file is rewritten once per CHECKPOINT_S (a few
 * objects per round, in turn; a new or re-laid archive at once) and the
 * rounds in between are in the journal. At start the files are loaded and
 * the journal's rounds newer than each file are replayed: a clean stop
 * writes every file (nothing to replay), a kill -9 loses at most the round
 * being written. A journal segment goes once every object's file is newer
 * than its last round. Only the sampler thread writes and removes files.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "metrics_int.h"

#define CHECKPOINT_S 1800          /* each object's file is this fresh */
#define JOURNAL_SYNC_S 30          /* the journal reaches the disk this often */
#define FILE_MAGIC "XDRRA01\n"
#define JOURNAL_MAGIC 0x314a5258u  /* "XRJ1" */

typedef struct segment {
	unsigned long n;
	int64_t last_t;                /* its newest round */
} segment;

static struct {
	char *dir;
	xd_strbuf rec;                 /* this round's entries */
	uint32_t nrec;
	int fd;                        /* the current segment, -1 none */
	segment *segs;                 /* on disk, oldest first, the current one last */
	size_t nsegs;
	int64_t seg_started, last_sync;
	size_t rotor;                  /* the next object to checkpoint */
} D = { .fd = -1 };

/* ---- writing ---- */

static void put(xd_strbuf *sb, const void *p, size_t n)
{
	xd_strbuf_append(sb, p, n);
}

static void put_u32(xd_strbuf *sb, uint32_t v)
{
	put(sb, &v, sizeof v);
}

static void put_i64(xd_strbuf *sb, int64_t v)
{
	put(sb, &v, sizeof v);
}

static void put_f64(xd_strbuf *sb, double v)
{
	put(sb, &v, sizeof v);
}

static void put_str(xd_strbuf *sb, const char *s)
{
	put_u32(sb, (uint32_t)strlen(s));
	put(sb, s, strlen(s));
}

static void path_of(const char *kind, const char *uuid, char *out, size_t n)
{
	snprintf(out, n, "%s/%s-%s.rrd", D.dir ? D.dir : ".", kind, uuid);
}

static void serialise(const xd_mobj *o, xd_strbuf *sb)
{
	const xd_archive *a = o->arch;
	put(sb, FILE_MAGIC, 8);
	put_str(sb, o->kind);
	put_str(sb, o->uuid);
	put_i64(sb, a->last);
	put_u32(sb, (uint32_t)o->nds);
	for (size_t i = 0; i < o->nds; i++) {
		const xd_ds *d = &o->ds[i];
		put_str(sb, d->name);
		put_str(sb, d->description);
		put_str(sb, d->units);
		put_f64(sb, d->min);
		put_f64(sb, d->max);
		put_u32(sb, (uint32_t)d->kind | (uint32_t)d->standard << 8 | (uint32_t)d->enabled << 9);
	}
	put_u32(sb, (uint32_t)a->ncol);
	for (size_t c = 0; c < a->ncol; c++) {
		put_str(sb, a->cols[c]);
		put_f64(sb, a->cmin[c]);
		put_f64(sb, a->cmax[c]);
	}
	put(sb, a->pdp_sum, a->ncol * sizeof(double));
	put(sb, a->pdp_known, a->ncol * sizeof(double));
	for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
		put_u32(sb, a->lv[L].cur);
		put(sb, a->lv[L].cdp, a->ncol * 4 * sizeof(double));
		put(sb, a->lv[L].rows, (size_t)XD_RRA_CFS * xd_rra_rows[L] * a->ncol * sizeof(double));
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* path, atomically: a temporary file, fsync'd, renamed over it. */
static int write_file(const char *path, const xd_strbuf *sb)
{
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int rc = write_all(fd, sb->data, sb->len);
	if (rc == 0)
		rc = fdatasync(fd);
	if (close(fd) != 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, path);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static void sync_dir(void)
{
	int fd = open(D.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* ---- the journal ---- */

static void segment_path(unsigned long n, char *out, size_t size)
{
	snprintf(out, size, "%s/journal-%lu", D.dir, n);
}

static void open_segment(int64_t t)
{
	unsigned long n = D.nsegs ? D.segs[D.nsegs - 1].n + 1 : 1;
	char path[4200];
	segment_path(n, path, sizeof path);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		xd_err("metrics: cannot open %s: %s", path, strerror(errno));
		return;
	}
	segment *grown = realloc(D.segs, (D.nsegs + 1) * sizeof *grown);
	if (!grown)
		abort();
	D.segs = grown;
	D.segs[D.nsegs++] = (segment){ n, t };
	D.fd = fd;
	D.seg_started = t;
	sync_dir();
}

void xd_mdisk_journal_add(xd_mobj *o, int64_t t, const double *v)
{
	const xd_archive *a = o->arch;
	(void)t;
	put_str(&D.rec, o->kind);
	put_str(&D.rec, o->uuid);
	put(&D.rec, &a->layout, sizeof a->layout);
	put_u32(&D.rec, (uint32_t)a->ncol);
	put(&D.rec, v, a->ncol * sizeof(double));
	D.nrec++;
}

/* The round's record: magic, length of the rest, time, entries. */
static void journal_write(int64_t t)
{
	if (!D.nrec)
		return;
	if (D.fd < 0)
		open_segment(t);
	xd_strbuf head = XD_STRBUF_INIT;
	put_u32(&head, JOURNAL_MAGIC);
	put_u32(&head, (uint32_t)(D.rec.len + sizeof(int64_t) + sizeof(uint32_t)));
	put_i64(&head, t);
	put_u32(&head, D.nrec);
	put(&head, D.rec.data, D.rec.len);
	if (D.fd >= 0 && write_all(D.fd, head.data, head.len) != 0)
		xd_err("metrics: cannot write the journal: %s", strerror(errno));
	else if (D.nsegs)
		D.segs[D.nsegs - 1].last_t = t;
	xd_strbuf_free(&head);
	xd_strbuf_free(&D.rec);
	D.nrec = 0;
	if (D.fd >= 0 && t - D.last_sync >= JOURNAL_SYNC_S) {
		fdatasync(D.fd);
		D.last_sync = t;
	}
}

/* Segments every object's file is newer than go; a new segment is begun
 * every CHECKPOINT_S. */
static void journal_trim(int64_t t, int64_t min_saved)
{
	if (D.fd >= 0 && t - D.seg_started >= CHECKPOINT_S) {
		fdatasync(D.fd);
		close(D.fd);
		D.fd = -1;
		open_segment(t);
	}
	size_t keep = 0;
	for (size_t i = 0; i < D.nsegs; i++) {
		bool current = i == D.nsegs - 1 && D.fd >= 0;
		if (!current && D.segs[i].last_t <= min_saved) {
			char path[4200];
			segment_path(D.segs[i].n, path, sizeof path);
			unlink(path);
			continue;
		}
		D.segs[keep++] = D.segs[i];
	}
	D.nsegs = keep;
}

/* ---- the round's end ---- */

typedef struct pending {
	char path[4200];
	xd_strbuf data;
} pending;

void xd_mdisk_round_end(int64_t t, bool all)
{
	pending *todo = NULL;
	size_t ntodo = 0, n;
	int64_t min_saved = INT64_MAX;
	xd_mstore_lock();
	xd_mobj **objs = xd_mstore_all(&n);
	/* about n / (CHECKPOINT_S / step) files a round: each once a cycle */
	size_t turn = n * XD_RRD_STEP / CHECKPOINT_S + 1;
	for (size_t k = 0; k < n; k++) {
		xd_mobj *o = objs[k];
		bool in_turn = n && (k + n - D.rotor % n) % n < turn;
		if (!o->arch || !(all || o->must_save || in_turn)) {
			if (o->arch && o->saved_at < min_saved)
				min_saved = o->saved_at;
			continue;
		}
		pending *grown = realloc(todo, (ntodo + 1) * sizeof *grown);
		if (!grown)
			abort();
		todo = grown;
		pending *p = &todo[ntodo++];
		path_of(o->kind, o->uuid, p->path, sizeof p->path);
		p->data = (xd_strbuf)XD_STRBUF_INIT;
		serialise(o, &p->data);
		o->must_save = false;
		o->saved_at = t; /* the file holds every round journaled until now */
		if (t < min_saved)
			min_saved = t;
	}
	D.rotor = n ? (D.rotor + turn) % n : 0;
	xd_mstore_unlock();

	journal_write(t);
	for (size_t i = 0; i < ntodo; i++) {
		if (write_file(todo[i].path, &todo[i].data) != 0)
			xd_err("metrics: cannot write %s: %s", todo[i].path, strerror(errno));
		xd_strbuf_free(&todo[i].data);
	}
	if (ntodo)
		sync_dir();
	free(todo);
	if (all && D.fd >= 0) { /* every file is complete: no journal needed */
		close(D.fd);
		D.fd = -1;
	}
	journal_trim(t, min_saved);
}

void xd_mdisk_remove(const char *kind, const char *uuid)
{
	char path[4200];
	path_of(kind, uuid, path, sizeof path);
	if (unlink(path) == 0)
		xd_info("metrics: the archive of %s %s is removed with it", kind, uuid);
}

/* ---- reading ---- */

typedef struct reader {
	const char *p, *end;
	bool ok;
} reader;

static void get(reader *r, void *out, size_t n)
{
	if (!r->ok || (size_t)(r->end - r->p) < n) {
		r->ok = false;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint32_t get_u32(reader *r)
{
	uint32_t v;
	get(r, &v, sizeof v);
	return v;
}

static double get_f64(reader *r)
{
	double v;
	get(r, &v, sizeof v);
	return v;
}

/* A string (heap), "" when the input is short. */
static char *get_str(reader *r)
{
	uint32_t n = get_u32(r);
	if (!r->ok || (size_t)(r->end - r->p) < n || n > 4096) {
		r->ok = false;
		n = 0;
	}
	char *s = strndup(r->ok ? r->p : "", n);
	if (!s)
		abort();
	r->p += r->ok ? n : 0;
	return s;
}

static char *read_whole(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return buf;
}

/* The object of one file into the store; -1 if the file is not one of ours. */
static int load_object(const char *path)
{
	size_t len = 0;
	char *buf = read_whole(path, &len);
	if (!buf)
		return -1;
	reader r = { buf, buf + len, len >= 8 && !memcmp(buf, FILE_MAGIC, 8) };
	r.p += r.ok ? 8 : 0;
	char *kind = get_str(&r), *uuid = get_str(&r);
	int64_t last;
	get(&r, &last, sizeof last);
	uint32_t nds = get_u32(&r);
	xd_mobj *o = r.ok && nds < 100000 ? xd_mstore_obj(kind, uuid, true) : NULL;
	for (uint32_t i = 0; o && r.ok && i < nds; i++) {
		char *name = get_str(&r), *desc = get_str(&r), *units = get_str(&r);
		double mn = get_f64(&r), mx = get_f64(&r);
		uint32_t bits = get_u32(&r);
		if (r.ok) {
			xd_ds *d = xd_mstore_declare(o, name, desc, units, (xd_ds_kind)(bits & 0xff), mn,
						     mx, bits >> 8 & 1);
			d->enabled = bits >> 9 & 1;
		}
		free(name);
		free(desc);
		free(units);
	}
	uint32_t ncol = get_u32(&r);
	if (ncol > 100000)
		r.ok = false;
	char **cols = calloc(ncol ? ncol : 1, sizeof *cols);
	double *cmin = calloc(ncol ? ncol : 1, sizeof *cmin), *cmax = calloc(ncol ? ncol : 1, sizeof *cmax);
	if (!cols || !cmin || !cmax)
		abort();
	for (uint32_t c = 0; c < ncol; c++) {
		cols[c] = get_str(&r);
		cmin[c] = get_f64(&r);
		cmax[c] = get_f64(&r);
	}
	xd_archive *a = r.ok ? xd_rra_new(ncol, cols, cmin, cmax, last) : NULL;
	if (a) {
		get(&r, a->pdp_sum, ncol * sizeof(double));
		get(&r, a->pdp_known, ncol * sizeof(double));
		for (unsigned L = 0; L < XD_RRA_LEVELS; L++) {
			a->lv[L].cur = get_u32(&r) % xd_rra_rows[L];
			get(&r, a->lv[L].cdp, (size_t)ncol * 4 * sizeof(double));
			get(&r, a->lv[L].rows, (size_t)XD_RRA_CFS * xd_rra_rows[L] * ncol * sizeof(double));
		}
	}
	for (uint32_t c = 0; c < ncol; c++)
		free(cols[c]);
	free(cols);
	free(cmin);
	free(cmax);
	int rc = 0;
	if (o && a && r.ok) {
		xd_rra_free(o->arch);
		o->arch = a;
		o->saved_at = last;
		o->layout_changed = true; /* the sampler compares its sources with the columns */
	} else {
		xd_rra_free(a); /* the sampler's first round makes it anew */
		rc = -1;
	}
	free(kind);
	free(uuid);
	free(buf);
	return rc;
}

/* The rounds of one segment newer than each object's file. */
static int64_t replay(const char *path)
{
	size_t len = 0;
	char *buf = read_whole(path, &len);
	int64_t newest = 0;
	reader r = { buf, buf + len, buf != NULL };
	double *v = NULL;
	while (r.ok && r.end - r.p >= 8) {
		uint32_t magic = get_u32(&r), rlen = get_u32(&r);
		if (magic != JOURNAL_MAGIC || (size_t)(r.end - r.p) < rlen)
			break; /* a round cut short by a crash: the end */
		reader e = { r.p, r.p + rlen, true };
		r.p += rlen;
		int64_t t;
		get(&e, &t, sizeof t);
		uint32_t count = get_u32(&e);
		newest = t > newest ? t : newest;
		for (uint32_t i = 0; e.ok && i < count; i++) {
			char *kind = get_str(&e), *uuid = get_str(&e);
			uint64_t layout;
			get(&e, &layout, sizeof layout);
			uint32_t ncol = get_u32(&e);
			if (ncol > 100000 || (size_t)(e.end - e.p) < ncol * sizeof(double))
				e.ok = false;
			double *grown = e.ok ? realloc(v, (ncol ? ncol : 1) * sizeof *v) : NULL;
			if (grown) {
				v = grown;
				get(&e, v, ncol * sizeof *v);
				xd_mobj *o = xd_mstore_obj(kind, uuid, false);
				if (o && o->arch && o->arch->layout == layout && o->arch->ncol == ncol)
					xd_rra_update(o->arch, t, v);
			}
			free(kind);
			free(uuid);
		}
	}
	free(v);
	free(buf);
	return newest;
}

static int by_number(const void *a, const void *b)
{
	const segment *x = a, *y = b;
	return x->n < y->n ? -1 : x->n > y->n;
}

void xd_mdisk_init(const char *dir)
{
	free(D.dir);
	D.dir = strdup(dir);
	if (!D.dir)
		abort();
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		xd_err("metrics: cannot make %s: %s", dir, strerror(errno));
}

void xd_mdisk_load(void)
{
	DIR *d = opendir(D.dir);
	if (!d)
		return;
	struct dirent *e;
	size_t nobj = 0;
	xd_mstore_lock();
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", D.dir, e->d_name);
		if (!strncmp(e->d_name, "journal-", 8)) {
			segment *grown = realloc(D.segs, (D.nsegs + 1) * sizeof *grown);
			if (!grown)
				abort();
			D.segs = grown;
			D.segs[D.nsegs++] = (segment){ strtoul(e->d_name + 8, NULL, 10), 0 };
		} else if (len > 4 && !strcmp(e->d_name + len - 4, ".rrd")) {
			if (load_object(path) == 0)
				nobj++;
			else
				xd_warn("metrics: %s is not an archive of this version: left alone", path);
		}
	}
	closedir(d);
	if (D.nsegs) /* qsort wants an array, even of none */
		qsort(D.segs, D.nsegs, sizeof *D.segs, by_number);
	for (size_t i = 0; i < D.nsegs; i++) {
		char path[4200];
		segment_path(D.segs[i].n, path, sizeof path);
		D.segs[i].last_t = replay(path);
	}
	xd_mstore_unlock();
	if (nobj || D.nsegs)
		xd_info("metrics: %zu archives loaded, %zu journal segments replayed", nobj, D.nsegs);
}

void xd_mdisk_shutdown(void)
{
	if (D.fd >= 0) {
		fdatasync(D.fd);
		close(D.fd);
	}
	D.fd = -1;
	free(D.segs);
	D.segs = NULL;
	D.nsegs = 0;
	xd_strbuf_free(&D.rec);
	D.nrec = 0;
	free(D.dir);
	D.dir = NULL;
	D.rotor = 0;
	D.seg_started = D.last_sync = 0;
}
